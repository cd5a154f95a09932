// The compose schema (Ajv standalone, precompiled by scripts/gen-validators.mjs), and the
// translation of schema errors — Ajv's, and validate.ts's in the same shape — into sentences placed
// on the offending key or value, with a rename quick fix for a misspelled field.
import type { ErrorObject } from 'ajv';
import type { Document, Node } from 'yaml';
import { formatWords } from './formats';
import { GROUPS, VALIDATORS } from './generated';
import type { ValidatorGroup } from './generated';
import type { StandaloneValidator, StandaloneValidators } from './generated/types';
import { didYouMean } from './levenshtein';
import { clip, listed } from './text';
import type { RawFinding } from './rules';
import { dnsLabel, dnsSubdomain, rfc1035Label } from './formats';
import type { Fix, Range, TextEdit } from './types';
import { Positions, deref, get, getPair, isMap, isScalar, isSeq } from './yamlDoc';
import type { YAMLMap, YAMLSeq } from 'yaml';

export type SchemaKey = string; // 'compose'

export type Validator = StandaloneValidator;

/**
 * Owns the Ajv validators a Linter has loaded (compose); create one per Linter, never share
 * globally. Nothing is compiled by Ajv at runtime.
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
}

/** An edit replacing a scalar's whole source (plain or quoted, one line) by `text`, or undefined. */
export function replaceScalar(pos: Positions, node: Node | undefined, text: string): TextEdit | undefined {
  const r = node?.range;
  if (!r || !isScalar(node)) return undefined;
  const src = pos.source.slice(r[0], r[1]);
  if (src.includes('\n') || /^[|>]/.test(src)) return undefined;
  return pos.edit(r[0], r[1], text);
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
  fix?: Fix;
}

export interface ExplainOptions {
  /** Offer renaming a misspelled field to the field it most likely is (re-linted by the engine before it is offered). */
  renameFix?: boolean;
}

/** A hint for values that look like unexpanded templates (envsubst, Helm, Kustomize vars). */
function templateHint(data: unknown): string {
  return typeof data === 'string' && (data.includes('${') || data.includes('{{') || data.includes('$(')) ? ' (an unexpanded template variable? substitute it before applying)' : '';
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
export function explain(errors: ErrorObject[], doc: Document.Parsed, pos: Positions, docStart: Range, options: ExplainOptions = {}): SchemaProblem[] {
  const root = deref(doc, doc.contents) ?? undefined;
  const kept = collapseAnyOf(errors);

  // A typo'd field also shows up as "missing required": say it once, as the typo.
  const suggested = new Set<string>();
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  let dropped = 0;
  const push = (range: Range, message: string, fix?: Fix): void => {
    const k = `${range.line}:${range.column}:${message}`;
    if (seen.has(k)) return;
    seen.add(k);
    if (out.length < MAX_SCHEMA_PROBLEMS) out.push(fix ? { range, message, fix } : { range, message });
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
    let fix: Fix | undefined;
    if (guess && options.renameFix && pair?.key && isMap(parent) && !getPair(doc, parent, guess) && pos.source.slice(pair.key.range?.[0] ?? 0, pair.key.range?.[1] ?? 0) === prop) {
      const edit = replaceScalar(pos, pair.key, guess);
      if (edit) fix = { title: `Rename \`${clip(prop, 60)}\` to \`${guess}\``, edits: [edit] };
    }
    push(range, guess ? `unknown field \`${clip(prop, 100)}\` — did you mean \`${guess}\`?` : `unknown field \`${clip(prop, 100)}\`${where}`, fix);
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
        // A number where a string is wanted (or int-or-string wants a float quoted): quoting fixes it.
        const wantsString = want === 'string' || (Array.isArray(want) && want.includes('string'));
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
      case 'format': {
        const p = e.params as { format?: string; key?: boolean };
        const words = formatWords(String(p.format));
        if (p.key) {
          const keyNode = steps[steps.length - 1]?.key;
          const mapName = steps.length > 2 ? dotted(steps.slice(0, -1)) : 'the document';
          push(keyNode ? pos.nodeRange(keyNode) : valueRange(pos, steps, docStart), `key ${JSON.stringify(clip(String(e.data)))} in \`${mapName}\` must be ${words}${templateHint(e.data)}`);
        } else {
          push(valueRange(pos, steps, docStart), `\`${name}\` must be ${words}; got ${describeValue(e.data, sourceOf(pos, last))}${templateHint(e.data)}`);
        }
        break;
      }
      case 'giveUp':
        push(docStart, e.message ?? 'this document is too complex to check against its schema');
        break;
      case 'pattern':
        push(valueRange(pos, steps, docStart), `\`${name}\` has an invalid format: ${describeValue(e.data, sourceOf(pos, last))} does not match ${clip(String((e.params as { pattern?: unknown }).pattern), 100)}${templateHint(e.data)}`);
        break;
      default:
        push(valueRange(pos, steps, docStart), `\`${name}\` ${clip(e.message ?? 'is invalid', 200)}`);
    }
  }
  if (dropped) out.push({ range: docStart, message: `${dropped} more schema problem${dropped === 1 ? '' : 's'} in this document not shown (the first ${MAX_SCHEMA_PROBLEMS} are)` });
  return out;
}

// ---- metadata.name ----

/** Kinds the API server takes without a name: reviews and token requests are not stored. */
const NAMELESS = new Set(['TokenReview', 'TokenRequest', 'SubjectAccessReview', 'LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SelfSubjectReview']);
const RBAC = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

/** What the API server accepts as a name of `kind` (built-in kinds), as [check, words]. */
function nameRule(kind: string): [(s: string) => boolean, string] {
  if (kind === 'Namespace') return [dnsLabel, formatWords('dns-label')];
  if (kind === 'Service') return [rfc1035Label, formatWords('rfc1035-label')];
  // RBAC names are path segments: `system:aggregate-to-admin` is fine.
  if (RBAC.has(kind)) return [(s) => s !== '.' && s !== '..' && !s.includes('/') && !s.includes('%'), 'a name without "/" or "%" (and not "." or "..")'];
  return [dnsSubdomain, formatWords('dns-subdomain')];
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `metadata.name` is present (or generateName) and, for built-in kinds, has the form the API server accepts. */
export function checkMetadataName(doc: Document.Parsed, root: Node, pos: Positions, value: unknown, kind: string, origin: 'builtin' | 'bundled-crd' | 'workspace-crd', explained: SchemaProblem[], out: RawFinding[]): void {
  if (NAMELESS.has(kind) || !isRecord(value)) return;
  // A misspelled `metadata` is reported once, as the typo.
  if (explained.some((p) => p.message.includes('did you mean `metadata`'))) return;
  const meta = value.metadata;
  const metaNode = get(doc, root, 'metadata');
  if (!isRecord(meta) || (meta.name === undefined && meta.generateName === undefined)) {
    const keyRange = getPair(doc, root, 'metadata')?.key;
    const at = keyRange ? pos.nodeRange(keyRange) : pos.nodeRange(get(doc, root, 'kind') ?? root);
    out.push({ ...at, severity: 'error', rule: 'schema', message: 'missing `metadata.name`: the API server needs a name for the object (or `metadata.generateName` when it is created with `kubectl create`)' });
    return;
  }
  if (origin !== 'builtin' || typeof meta.name !== 'string') return;
  const [ok, words] = nameRule(kind);
  if (ok(meta.name)) return;
  const nameNode = get(doc, metaNode, 'name');
  out.push({ ...pos.nodeRange(nameNode ?? metaNode), severity: 'error', rule: 'schema', message: `\`metadata.name\` of a ${kind} must be ${words}; got ${JSON.stringify(clip(meta.name))}${templateHint(meta.name)}` });
}
