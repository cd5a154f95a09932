// A small validator for the schemas Kubernetes publishes: the OpenAPI v3 subset of built-in kinds
// and the structural schemas of CRDs (properties, required, additionalProperties, items, enums,
// formats, int-or-string, preserve-unknown-fields, anyOf/oneOf/allOf/not, bounds, patterns).
//
// Why not Ajv: precompiled Ajv code for ~90 kinds × 8 Kubernetes versions would weigh tens of MB,
// and a CRD found in the workspace would need Ajv's compiler at run time (tens of ms, per CRD).
// This walks the value and the schema together once; its errors have Ajv's shape, so schema.ts
// explains both the same way. Work is metered: hostile CRDs (nested anyOf over recursive
// references) give up with one problem instead of running away.
import type { ErrorObject } from 'ajv';
import { checkFormat } from './formats';

export interface Schema {
  $ref?: string;
  default?: unknown;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  multipleOf?: number;
  uniqueItems?: boolean;
  nullable?: boolean;
  required?: string[];
  /** x-kubernetes-preserve-unknown-fields */
  preserve?: boolean;
  /** x-kubernetes-embedded-resource */
  embedded?: boolean;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  not?: Schema;
  /** Format of the keys of a map (labels, annotations, ConfigMap data). */
  keyFormat?: string;
}

export type Defs = Readonly<Record<string, Schema>>;

export type Problem = ErrorObject;

export interface ValidateOptions {
  /** Stop after this many problems (the caller shows at most a hundred). */
  maxProblems?: number;
  /** Schema-and-value steps before giving up (a pathological schema). */
  maxSteps?: number;
  /**
   * A CRD's `default` is applied by the API server before it validates, so a required field with
   * a default is never missing. Built-in kinds' OpenAPI writes zero values as defaults (`""`,
   * `{}`) that the API server's own validation still rejects when required: not for them.
   */
  defaultsApplied?: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function typeOk(t: string, v: unknown): boolean {
  switch (t) {
    case 'object':
      return isObject(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'null':
      return v === null;
    default:
      return true;
  }
}

/** The pattern controller-gen writes for resource.Quantity fields of CRDs: checked by the quantity scanner instead. */
const QUANTITY_PATTERN = '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

const escapeSeg = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

class GiveUp {}

// Patterns are compiled once; only simple ones run (star height 1, no backreferences or
// lookaround), and only on short values, so a CRD's pattern cannot backtrack for long.
const patternCache = new Map<string, RegExp | null>();
const MAX_PATTERN_INPUT = 256;

function safePattern(p: string): RegExp | null {
  let re = patternCache.get(p);
  if (re !== undefined) return re;
  re = null;
  if (p.length <= 512 && !/\\[1-9]|\(\?[=!<]/.test(p) && !/\)[*+{]/.test(p.replace(/\\./g, ''))) {
    try {
      re = new RegExp(p, 'u');
    } catch {
      try {
        re = new RegExp(p);
      } catch {
        re = null;
      }
    }
  }
  if (patternCache.size > 1000) patternCache.clear();
  patternCache.set(p, re);
  return re;
}

/** Validates `value` against `schema`; problems have Ajv's ErrorObject shape (instancePath, keyword, params, data, parentSchema). */
export function validate(value: unknown, schema: unknown, defs: Defs, options: ValidateOptions = {}): Problem[] {
  const maxProblems = options.maxProblems ?? 1000;
  let steps = options.maxSteps ?? 2_000_000;
  let out: Problem[] = [];
  const path: string[] = [];
  const pointer = (): string => (path.length ? `/${path.map(escapeSeg).join('/')}` : '');

  const report = (keyword: string, params: Record<string, unknown>, data: unknown, parentSchema?: Schema, message?: string): void => {
    if (out.length >= maxProblems) throw new GiveUp();
    out.push({ keyword, instancePath: pointer(), schemaPath: '', params, data, parentSchema: parentSchema as ErrorObject['parentSchema'], message });
  };

  // Schemas may come from a workspace CRD: anything that is not a schema object accepts anything.
  const resolve = (s: unknown): Schema => {
    let cur = s;
    for (let hops = 0; isObject(cur) && typeof cur.$ref === 'string'; hops++) {
      const ref = cur.$ref;
      if (hops > 32 || !Object.prototype.hasOwnProperty.call(defs, ref)) return {};
      cur = defs[ref];
    }
    if (!isObject(cur)) return {};
    let raw = cur as Schema & Record<string, unknown>;
    if (raw.pattern === QUANTITY_PATTERN) raw = { ...raw, pattern: undefined, format: 'quantity' };
    // A CRD's schema read as is: the Kubernetes extensions mean what their short forms do.
    if (raw['x-kubernetes-int-or-string'] === true) return { ...raw, type: ['integer', 'string'], anyOf: undefined, format: raw.format ?? 'int-or-string' };
    if (raw['x-kubernetes-preserve-unknown-fields'] === true && !raw.preserve) return { ...raw, preserve: true };
    return raw;
  };

  /** Errors of `s` for `v` alone, for choosing among anyOf/oneOf branches. */
  const trial = (v: unknown, s: unknown): Problem[] => {
    const saved = out;
    out = [];
    try {
      node(v, s);
      return out;
    } catch (e) {
      if (e instanceof GiveUp && out.length >= maxProblems) return out;
      throw e;
    } finally {
      out = saved;
    }
  };

  const typeList = (s: unknown): string[] => {
    const r = resolve(s);
    return typeof r.type === 'string' ? [r.type] : Array.isArray(r.type) ? r.type.filter((t): t is string => typeof t === 'string') : [];
  };

  function branches(v: unknown, list: unknown[], exactlyOne: boolean, parent: Schema): void {
    const results = list.map((b) => trial(v, b));
    const passing = results.filter((r) => r.length === 0).length;
    if (passing === 1 || (passing > 1 && !exactlyOne)) return;
    if (passing > 1) {
      report('oneOf', { passingSchemas: passing }, v, parent, `must match exactly one of ${list.length} alternatives, but matches ${passing}`);
      return;
    }
    // None passes: the branch whose type fits is the useful one to explain.
    const here = pointer();
    const fitting = results.find((r) => !r.some((e) => e.instancePath === here && (e.keyword === 'type' || e.keyword === 'enum')));
    if (fitting) {
      for (const e of fitting) {
        if (out.length >= maxProblems) throw new GiveUp();
        out.push(e);
      }
      return;
    }
    const types = [...new Set(list.flatMap(typeList))];
    if (types.length) report('type', { type: types }, v, parent);
    else report(exactlyOne ? 'oneOf' : 'anyOf', {}, v, parent, 'matches none of the allowed forms');
  }

  function node(v: unknown, s0: unknown): void {
    if (--steps < 0) throw new GiveUp();
    const s = resolve(s0);
    if (v === null && (s.nullable || (Array.isArray(s.type) && s.type.includes('null')))) return;
    if (typeof s.type === 'string' || Array.isArray(s.type)) {
      const types = Array.isArray(s.type) ? s.type : [s.type];
      if (!types.some((t) => typeOk(t, v))) {
        report('type', { type: s.type }, v, s);
        return;
      }
    }
    if (Array.isArray(s.enum) && !s.enum.some((x) => x === v)) {
      report('enum', { allowedValues: s.enum }, v, s);
      return;
    }
    if (typeof s.format === 'string' && !checkFormat(s.format, v)) report('format', { format: s.format }, v, s);
    if (typeof v === 'string') {
      if (s.maxLength !== undefined && v.length > s.maxLength) report('maxLength', { limit: s.maxLength }, v, s, `must have at most ${s.maxLength} characters`);
      if (s.minLength !== undefined && v.length < s.minLength) report('minLength', { limit: s.minLength }, v, s, `must have at least ${s.minLength} character${s.minLength === 1 ? '' : 's'}`);
      if (typeof s.pattern === 'string' && v.length <= MAX_PATTERN_INPUT) {
        const re = safePattern(s.pattern);
        if (re && !re.test(v)) report('pattern', { pattern: s.pattern }, v, s);
      }
    } else if (typeof v === 'number') {
      const exMin = s.exclusiveMinimum === true ? s.minimum : typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum : undefined;
      const exMax = s.exclusiveMaximum === true ? s.maximum : typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum : undefined;
      if (s.minimum !== undefined && s.exclusiveMinimum !== true && v < s.minimum) report('minimum', { comparison: '>=', limit: s.minimum }, v, s);
      if (s.maximum !== undefined && s.exclusiveMaximum !== true && v > s.maximum) report('maximum', { comparison: '<=', limit: s.maximum }, v, s);
      if (exMin !== undefined && v <= exMin) report('exclusiveMinimum', { comparison: '>', limit: exMin }, v, s);
      if (exMax !== undefined && v >= exMax) report('exclusiveMaximum', { comparison: '<', limit: exMax }, v, s);
      if (s.multipleOf && (v / s.multipleOf) % 1 !== 0) report('multipleOf', { multipleOf: s.multipleOf }, v, s, `must be a multiple of ${s.multipleOf}`);
    } else if (Array.isArray(v)) {
      if (s.maxItems !== undefined && v.length > s.maxItems) report('maxItems', { limit: s.maxItems }, v, s, `must have at most ${s.maxItems} item${s.maxItems === 1 ? '' : 's'}`);
      if (s.minItems !== undefined && v.length < s.minItems) report('minItems', { limit: s.minItems }, v, s, `must have at least ${s.minItems} item${s.minItems === 1 ? '' : 's'}`);
      if (isObject(s.items)) {
        for (let i = 0; i < v.length; i++) {
          path.push(String(i));
          node(v[i], s.items);
          path.pop();
        }
      }
      if (s.uniqueItems && v.length <= 1000) {
        const seen = new Set<string>();
        for (const x of v) {
          const k = typeof x === 'object' ? JSON.stringify(x) : `${typeof x}:${String(x)}`;
          if (seen.has(k)) {
            report('uniqueItems', {}, v, s, 'must not contain the same item twice');
            break;
          }
          seen.add(k);
        }
      }
    } else if (isObject(v)) {
      object(v, s);
    }
    if (Array.isArray(s.allOf)) for (const b of s.allOf) node(v, b);
    if (Array.isArray(s.anyOf) && s.anyOf.length) branches(v, s.anyOf, false, s);
    if (Array.isArray(s.oneOf) && s.oneOf.length) branches(v, s.oneOf, true, s);
    if (isObject(s.not) && trial(v, s.not).length === 0) report('not', {}, v, s, 'must not match the excluded form');
  }

  function object(v: Record<string, unknown>, s: Schema): void {
    const keys = Object.keys(v);
    if (s.maxProperties !== undefined && keys.length > s.maxProperties) report('maxProperties', { limit: s.maxProperties }, v, s, `must have at most ${s.maxProperties} entries`);
    if (s.minProperties !== undefined && keys.length < s.minProperties) report('minProperties', { limit: s.minProperties }, v, s, `must have at least ${s.minProperties} entr${s.minProperties === 1 ? 'y' : 'ies'}`);
    const props = isObject(s.properties) ? s.properties : undefined;
    // A CRD's defaults are applied before validation: a field defaulted to `{}` must then be a
    // valid object (its own required fields).
    if (props && options.defaultsApplied) {
      for (const k of Object.keys(props)) {
        if (Object.prototype.hasOwnProperty.call(v, k)) continue;
        const p = props[k] as unknown;
        const d = isObject(p) ? (p as Record<string, unknown>).default : undefined;
        if (isObject(d) && Object.keys(d).length === 0) {
          path.push(k);
          node({}, p);
          path.pop();
        }
      }
    }
    if (Array.isArray(s.required)) {
      for (const r of s.required) {
        if (typeof r !== 'string' || Object.prototype.hasOwnProperty.call(v, r)) continue;
        const p = props && Object.prototype.hasOwnProperty.call(props, r) ? props[r] : undefined;
        if (options.defaultsApplied && isObject(p) && (p as Record<string, unknown>).default !== undefined) continue;
        report('required', { missingProperty: r }, v, s);
      }
    }
    const extra = s.additionalProperties === false || isObject(s.additionalProperties) ? s.additionalProperties : s.additionalProperties === true ? true : undefined;
    // Fields the schema does not name are errors (the API server's strict field validation),
    // unless the schema is free-form: no properties, or preserve-unknown-fields.
    const strict = !!props && extra === undefined && !s.preserve;
    for (const k of keys) {
      const p = props && Object.prototype.hasOwnProperty.call(props, k) ? props[k] : undefined;
      if (p) {
        path.push(k);
        node(v[k], p);
        path.pop();
        continue;
      }
      if (typeof s.keyFormat === 'string' && !checkFormat(s.keyFormat, k)) {
        path.push(k);
        report('format', { format: s.keyFormat, key: true }, k, s);
        path.pop();
      }
      if (isObject(extra)) {
        path.push(k);
        node(v[k], extra);
        path.pop();
      } else if (extra === false || strict) {
        report('additionalProperties', { additionalProperty: k }, v, s);
      }
    }
  }

  try {
    node(value, schema);
  } catch (e) {
    if (!(e instanceof GiveUp)) throw e;
    if (steps < 0) out.push({ keyword: 'giveUp', instancePath: '', schemaPath: '', params: {}, data: value, message: 'this schema is too complex to check this document against' });
  }
  return out;
}
