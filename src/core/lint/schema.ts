// Bundled JSON Schemas, precompiled to Ajv standalone validators at build time
// (scripts/gen-validators.mjs → ./generated), loaded lazily per group of kinds per Linter, and the
// translation of Ajv's errors into sentences placed on the offending key or value.
import type { ErrorObject } from 'ajv';
import type { Document, Node } from 'yaml';
import { GROUPS, K8S_KINDS, VALIDATORS } from './generated';
import type { ValidatorGroup } from './generated';
import type { StandaloneValidator, StandaloneValidators } from './generated/types';
import { didYouMean } from './levenshtein';
import { clip, listed } from './text';
import type { Range } from './types';
import { Positions, deref, getPair, isMap, isScalar, isSeq } from './yamlDoc';
import type { YAMLMap, YAMLSeq } from 'yaml';

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

const isIndex = (seg: string): boolean => seg !== '' && seg.length < 16 && [...seg].every((c) => c >= '0' && c <= '9');

function fieldName(steps: Step[]): string {
  const last = steps[steps.length - 1];
  if (!last || steps.length === 1) return 'document';
  if (isIndex(last.seg)) {
    const prev = steps[steps.length - 2];
    return `${prev && prev.seg ? clip(prev.seg, 80) : ''}[${last.seg}]`;
  }
  return clip(last.seg, 80);
}

function dotted(steps: Step[]): string {
  let out = '';
  for (const s of steps.slice(1)) out += isIndex(s.seg) ? `[${s.seg}]` : out ? `.${clip(s.seg, 60)}` : clip(s.seg, 60);
  return clip(out, 200) || 'the document';
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
  if (typeof data === 'string') return `the string ${JSON.stringify(clip(data))}`;
  if (typeof data === 'number') return `the number ${clip(source ?? String(data), 60)}`;
  if (typeof data === 'boolean') return `the boolean ${clip(source ?? String(data), 20)}`;
  if (Array.isArray(data)) return 'a list';
  return 'a map';
}

function sourceOf(pos: Positions, node: Node | undefined): string | undefined {
  const r = node?.range;
  return r && isScalar(node) ? pos.source.slice(r[0], Math.min(r[1], r[0] + 400)).trim() : undefined;
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

/** Problems reported per document; the rest are summed up in one line. */
export const MAX_SCHEMA_PROBLEMS = 100;

/**
 * Ajv's errors for `anyOf`/`oneOf` come right after their branches' errors (Ajv discards a
 * passing branch's errors), so an anyOf's branch errors are among the errors just before it that
 * lie under its instance path; those under its schema path are its branches'. One backwards scan
 * per anyOf over the errors of its own instance subtree: linear times the nesting depth.
 */
function collapseAnyOf(errors: ErrorObject[]): ErrorObject[] {
  const consumed = new Set<number>();
  const replacement = new Map<number, ErrorObject[]>();
  for (let i = 0; i < errors.length; i++) {
    const a = errors[i]!;
    if (a.keyword !== 'anyOf' && a.keyword !== 'oneOf') continue;
    const prefix = `${a.schemaPath}/`;
    const byBranch = new Map<string, ErrorObject[]>();
    for (let j = i - 1; j >= 0; j--) {
      const e = errors[j]!;
      if (e.instancePath !== a.instancePath && !e.instancePath.startsWith(`${a.instancePath}/`)) break;
      if (!e.schemaPath.startsWith(prefix)) continue;
      consumed.add(j);
      const rest = e.schemaPath.slice(prefix.length);
      const slash = rest.indexOf('/');
      const idx = slash < 0 ? rest : rest.slice(0, slash);
      const list = byBranch.get(idx);
      if (list) list.unshift(e);
      else byBranch.set(idx, [e]);
    }
    const typed = [...byBranch.values()].find((errs) => !errs.some((e) => e.instancePath === a.instancePath && (e.keyword === 'type' || e.keyword === 'const' || e.keyword === 'enum')));
    if (typed) replacement.set(i, typed.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf'));
    else {
      const types = [...byBranch.values()].flatMap((errs) => errs.filter((e) => e.instancePath === a.instancePath && e.keyword === 'type').map((e) => (e.params as { type: unknown }).type));
      replacement.set(i, [{ ...a, keyword: 'type', params: { type: [...new Set(types.flat())] } }]);
    }
  }
  const kept: ErrorObject[] = [];
  const seen = new Set<ErrorObject>();
  for (let i = 0; i < errors.length; i++) {
    // A nested anyOf is part of its parent's branch: only outermost replacements are used.
    if (consumed.has(i)) continue;
    const r = replacement.get(i);
    if (r) {
      for (const e of r) {
        if (!seen.has(e)) {
          seen.add(e);
          kept.push(e);
        }
      }
      continue;
    }
    const e = errors[i]!;
    if (!seen.has(e)) {
      seen.add(e);
      kept.push(e);
    }
  }
  return kept;
}

/**
 * Turns Ajv's errors into one message per problem. `anyOf` branches are collapsed: when a branch
 * matched the value's type its own errors are reported (they are the useful ones), otherwise a
 * single "must be X or Y". At most MAX_SCHEMA_PROBLEMS are placed; the rest are counted.
 */
export function explain(errors: ErrorObject[], doc: Document.Parsed, pos: Positions, docStart: Range): SchemaProblem[] {
  const root = deref(doc, doc.contents) ?? undefined;
  const kept = collapseAnyOf(errors);

  // A typo'd field also shows up as "missing required": say it once, as the typo.
  const suggested = new Set<string>();
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  let dropped = 0;
  const push = (range: Range, message: string): void => {
    const k = `${range.line}:${range.column}:${message}`;
    if (seen.has(k)) return;
    seen.add(k);
    if (out.length < MAX_SCHEMA_PROBLEMS) out.push({ range, message });
    else dropped++;
  };
  for (const e of kept) {
    if (e.keyword !== 'additionalProperties') continue;
    const steps = walk(doc, root, e.instancePath);
    const prop = String((e.params as { additionalProperty: unknown }).additionalProperty);
    const parent = steps[steps.length - 1]?.node;
    const pair = isMap(parent) ? getPair(doc, parent, prop) : undefined;
    const range = pair?.key ? pos.nodeRange(pair.key) : valueRange(pos, steps, docStart);
    const allowed = Object.keys((e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
    const guess = prop.length <= 100 ? didYouMean(prop, allowed) : undefined;
    if (guess) suggested.add(`${e.instancePath}\u0000${guess}`);
    const where = steps.length > 1 ? ` in \`${dotted(steps)}\`` : '';
    push(range, guess ? `unknown field \`${clip(prop, 100)}\` — did you mean \`${guess}\`?` : `unknown field \`${clip(prop, 100)}\`${where}`);
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
        if (wantsString && (typeof e.data === 'number' || typeof e.data === 'boolean') && src) msg += ` — quote it: "${clip(src, 60)}"`;
        push(valueRange(pos, steps, docStart), msg);
        break;
      }
      case 'enum': {
        const allowed = ((e.params as { allowedValues?: unknown[] }).allowedValues ?? []).map((v) => String(v));
        push(valueRange(pos, steps, docStart), `\`${name}\` must be one of ${listed(allowed, 20)}; got ${describeValue(e.data, sourceOf(pos, last))}`);
        break;
      }
      case 'const': {
        const v = (e.params as { allowedValue?: unknown }).allowedValue;
        push(valueRange(pos, steps, docStart), `\`${name}\` must be ${clip(JSON.stringify(v) ?? String(v), 100)}, got ${describeValue(e.data, sourceOf(pos, last))}`);
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
        push(valueRange(pos, steps, docStart), `\`${name}\` has an invalid format: ${describeValue(e.data, sourceOf(pos, last))} does not match ${clip(String((e.params as { pattern?: unknown }).pattern), 100)}`);
        break;
      default:
        push(valueRange(pos, steps, docStart), `\`${name}\` ${clip(e.message ?? 'is invalid', 200)}`);
    }
  }
  if (dropped) out.push({ range: docStart, message: `${dropped} more schema problem${dropped === 1 ? '' : 's'} in this document not shown (the first ${MAX_SCHEMA_PROBLEMS} are)` });
  return out;
}
