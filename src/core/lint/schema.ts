// Bundled JSON Schemas, precompiled to Ajv standalone validators at build time
// (scripts/gen-validators.mjs → ./generated), loaded lazily per group of kinds per Linter, and the
// translation of Ajv's errors into sentences placed on the offending key or value.
import type { ErrorObject } from 'ajv';
import type { Document, Node } from 'yaml';
import { GROUPS, K8S_KINDS, VALIDATORS } from './generated';
import type { ValidatorGroup } from './generated';
import type { StandaloneValidator, StandaloneValidators } from './generated/types';
import { didYouMean } from './levenshtein';
import type { Range } from './types';
import { Positions, deref, getPair, isMap, isScalar, isSeq, keyString } from './yamlDoc';
import type { Pair, YAMLMap, YAMLSeq } from 'yaml';

export const KUBERNETES_VERSION = '1.30';

export type SchemaKey = string; // 'k8s:<apiVersion>/<kind>' | 'compose'

export function k8sSchemaKey(apiVersion: string, kind: string): SchemaKey | undefined {
  const key = `k8s:${apiVersion}/${kind}`;
  return key in VALIDATORS ? key : undefined;
}

/** For a kind we know under another apiVersion: the one Kubernetes 1.30 serves. */
export function servedApiVersion(kind: string): string | undefined {
  for (const id of Object.keys(K8S_KINDS)) {
    const slash = id.lastIndexOf('/');
    if (id.slice(slash + 1) === kind) return id.slice(0, slash);
  }
  return undefined;
}

/** Group of an apiVersion ("" for the core group). */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export type Validator = StandaloneValidator;

/**
 * Owns the validators a Linter has loaded; create one per Linter, never share globally. Nothing is
 * compiled by Ajv at runtime: the first document of a group only makes V8 compile that group's
 * generated module, which keeps the first validation of a 50,000-line file inside one slice.
 */
export class SchemaSet {
  private readonly groups = new Map<ValidatorGroup, StandaloneValidators>();

  validator(key: SchemaKey): Validator | undefined {
    const entry = VALIDATORS[key];
    if (!entry) return undefined;
    const [group, name] = entry;
    let loaded = this.groups.get(group);
    if (!loaded) {
      loaded = GROUPS[group]();
      this.groups.set(group, loaded);
    }
    return loaded[name];
  }

  isCompiled(key: SchemaKey): boolean {
    const entry = VALIDATORS[key];
    return !!entry && this.groups.has(entry[0]);
  }
}

// ---- Ajv errors → sentences on the right node ----

interface Step {
  node: Node | undefined;
  /** Key of the pair this step went through (absent for sequence items and the root). */
  key?: Node;
  seg: string;
}

function walk(doc: Document.Parsed, root: Node | undefined, pointer: string): Step[] {
  const segs = pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const steps: Step[] = [{ node: root, seg: '' }];
  let cur = root;
  for (const seg of segs) {
    const n = deref(doc, cur);
    if (isSeq(n)) {
      const item = (n as YAMLSeq<Node>).items[Number(seg)];
      cur = deref(doc, item) ?? item;
      steps.push({ node: cur, seg });
    } else if (isMap(n)) {
      const pair = getPair(doc, n, seg);
      cur = pair ? (deref(doc, pair.value) ?? (pair.value as Node | undefined)) : undefined;
      steps.push({ node: cur, key: pair?.key ?? undefined, seg });
    } else {
      steps.push({ node: undefined, seg });
    }
  }
  return steps;
}

function fieldName(steps: Step[]): string {
  const last = steps[steps.length - 1];
  if (!last || steps.length === 1) return 'document';
  if (/^\d+$/.test(last.seg)) {
    const prev = steps[steps.length - 2];
    return `${prev && prev.seg ? prev.seg : ''}[${last.seg}]`;
  }
  return last.seg;
}

function dotted(steps: Step[]): string {
  let out = '';
  for (const s of steps.slice(1)) out += /^\d+$/.test(s.seg) ? `[${s.seg}]` : out ? `.${s.seg}` : s.seg;
  return out || 'the document';
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean (true or false)',
  object: 'a map of `key: value` entries',
  array: 'a list',
  null: 'empty',
};

function typeWords(t: unknown): string {
  const list = Array.isArray(t) ? t.map(String) : [String(t)];
  const words = list.map((x) => TYPE_WORDS[x] ?? x);
  return words.length <= 1 ? (words[0] ?? 'valid') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

function describeValue(data: unknown, source: string | undefined): string {
  if (data === null || data === undefined) return 'nothing';
  if (typeof data === 'string') return `the string ${JSON.stringify(data)}`;
  if (typeof data === 'number') return `the number ${source ?? String(data)}`;
  if (typeof data === 'boolean') return `the boolean ${source ?? String(data)}`;
  if (Array.isArray(data)) return 'a list';
  return 'a map';
}

function sourceOf(pos: Positions, node: Node | undefined): string | undefined {
  const r = node?.range;
  return r && isScalar(node) ? pos.source.slice(r[0], r[1]).trim() : undefined;
}

/** Where a "missing field" goes: the key that holds the object, else the object's first key. */
function parentAnchor(pos: Positions, steps: Step[], fallback: Range): Range {
  const last = steps[steps.length - 1];
  if (last?.key) return pos.nodeRange(last.key);
  const n = last?.node;
  if (isMap(n)) {
    const first = (n as YAMLMap<Node, Node>).items[0];
    if (first?.key) return pos.nodeRange(first.key);
  }
  return n ? pos.nodeRange(n) : fallback;
}

function valueRange(pos: Positions, steps: Step[], fallback: Range): Range {
  const last = steps[steps.length - 1];
  if (last?.node) return pos.nodeRange(last.node);
  if (last?.key) return pos.nodeRange(last.key);
  return fallback;
}

export interface SchemaProblem {
  range: Range;
  message: string;
}

/**
 * Turns Ajv's errors into one message per problem. `anyOf` branches are collapsed: when a branch
 * matched the value's type its own errors are reported (they are the useful ones), otherwise a
 * single "must be X or Y".
 */
export function explain(errors: ErrorObject[], doc: Document.Parsed, pos: Positions, docStart: Range): SchemaProblem[] {
  const root = deref(doc, doc.contents) ?? undefined;
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const kept: ErrorObject[] = [];
  const consumed = new Set<ErrorObject>();
  for (const a of anyOfs) {
    const prefix = `${a.schemaPath}/`;
    const branchErrs = errors.filter((e) => e !== a && e.schemaPath.startsWith(prefix));
    branchErrs.forEach((e) => consumed.add(e));
    const byBranch = new Map<string, ErrorObject[]>();
    for (const e of branchErrs) {
      const idx = e.schemaPath.slice(prefix.length).split('/')[0] ?? '';
      byBranch.set(idx, [...(byBranch.get(idx) ?? []), e]);
    }
    const typed = [...byBranch.values()].find((errs) => !errs.some((e) => e.instancePath === a.instancePath && (e.keyword === 'type' || e.keyword === 'const' || e.keyword === 'enum')));
    if (typed) kept.push(...typed.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf'));
    else {
      const types = [...byBranch.values()].flatMap((errs) => errs.filter((e) => e.instancePath === a.instancePath && e.keyword === 'type').map((e) => (e.params as { type: unknown }).type));
      kept.push({ ...a, keyword: 'type', params: { type: [...new Set(types.flat())] } });
    }
  }
  for (const e of errors) if (!consumed.has(e) && e.keyword !== 'anyOf' && e.keyword !== 'oneOf' && !kept.includes(e)) kept.push(e);

  // A typo'd field also shows up as "missing required": say it once, as the typo.
  const suggested = new Set<string>();
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  const push = (range: Range, message: string): void => {
    const k = `${range.line}:${range.column}:${message}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push({ range, message });
    }
  };
  const additional = kept.filter((e) => e.keyword === 'additionalProperties');
  for (const e of additional) {
    const steps = walk(doc, root, e.instancePath);
    const prop = String((e.params as { additionalProperty: unknown }).additionalProperty);
    const parent = steps[steps.length - 1]?.node;
    const pair = isMap(parent) ? (parent as YAMLMap<Node, Node>).items.find((p: Pair<Node, Node>) => keyString(p) === prop) : undefined;
    const range = pair?.key ? pos.nodeRange(pair.key) : valueRange(pos, steps, docStart);
    const allowed = Object.keys((e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
    const guess = didYouMean(prop, allowed);
    if (guess) suggested.add(`${e.instancePath}\u0000${guess}`);
    const where = steps.length > 1 ? ` in \`${dotted(steps)}\`` : '';
    push(range, guess ? `unknown field \`${prop}\` — did you mean \`${guess}\`?` : `unknown field \`${prop}\`${where}`);
  }
  for (const e of kept) {
    if (e.keyword === 'additionalProperties') continue;
    const steps = walk(doc, root, e.instancePath);
    const name = fieldName(steps);
    const last = steps[steps.length - 1]?.node;
    switch (e.keyword) {
      case 'required': {
        const missing = String((e.params as { missingProperty: unknown }).missingProperty);
        if (suggested.has(`${e.instancePath}\u0000${missing}`)) break;
        push(parentAnchor(pos, steps, docStart), `missing required field \`${missing}\`${steps.length > 1 ? ` in \`${dotted(steps)}\`` : ''}`);
        break;
      }
      case 'type': {
        const want = (e.params as { type: unknown }).type;
        const src = sourceOf(pos, last);
        let msg = `\`${name}\` must be ${typeWords(want)}, got ${describeValue(e.data, src)}`;
        const wantsString = want === 'string' || (Array.isArray(want) && want.length === 1 && want[0] === 'string');
        if (wantsString && (typeof e.data === 'number' || typeof e.data === 'boolean') && src) msg += ` — quote it: "${src}"`;
        push(valueRange(pos, steps, docStart), msg);
        break;
      }
      case 'enum': {
        const allowed = ((e.params as { allowedValues?: unknown[] }).allowedValues ?? []).map((v) => String(v));
        push(valueRange(pos, steps, docStart), `\`${name}\` must be one of ${allowed.join(', ')}; got ${describeValue(e.data, sourceOf(pos, last))}`);
        break;
      }
      case 'const': {
        const v = (e.params as { allowedValue?: unknown }).allowedValue;
        push(valueRange(pos, steps, docStart), `\`${name}\` must be ${JSON.stringify(v)}, got ${describeValue(e.data, sourceOf(pos, last))}`);
        break;
      }
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum': {
        const p = e.params as { comparison?: string; limit?: unknown };
        push(valueRange(pos, steps, docStart), `\`${name}\` must be ${p.comparison ?? ''} ${String(p.limit)}, got ${describeValue(e.data, sourceOf(pos, last))}`);
        break;
      }
      case 'pattern':
        push(valueRange(pos, steps, docStart), `\`${name}\` has an invalid format: ${describeValue(e.data, sourceOf(pos, last))} does not match ${String((e.params as { pattern?: unknown }).pattern)}`);
        break;
      default:
        push(valueRange(pos, steps, docStart), `\`${name}\` ${e.message ?? 'is invalid'}`);
    }
  }
  return out;
}
