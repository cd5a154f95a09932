// The JavaScript value of a parsed document, as the API server (sigs.k8s.io/yaml, YAML 1.1 merge
// keys) reads it, plus the duplicate-key check — both in one pass over the AST.
//
// Why not `doc.toJS()` and `uniqueKeys: true`: both are super-linear on hostile input. `yaml`
// checks each new key against every earlier key of its map (40,000 keys took 30 s), looks up every
// alias by scanning the whole document, and stringifies collection keys recursively (nested flow
// collections used as keys took minutes for 1 KB). Here every map keeps a Set of its keys, anchors
// are resolved through a Map as the walk meets them, a collection key is named by its source text,
// and alias expansion is metered by the number of nodes it adds (the "billion laughs" guard).
import * as yaml from 'yaml';
import type { Document, Node, Pair, YAMLMap, YAMLSeq } from 'yaml';
import { clip } from './text';

// Bound once: a bundler turns named imports of a CommonJS package into a getter call per use,
// which profiles showed on the hot path.
const { isAlias, isMap, isPair, isScalar, isSeq } = yaml;

export interface ValueProblem {
  rule: 'duplicate-key' | 'syntax';
  start: number;
  end: number;
  message: string;
}

export interface ValueOptions {
  /** Nodes that alias expansion may add before the document is treated as an attack (default 100,000). */
  maxAliasNodes?: number;
  /** Leave out map entries whose value is null (the API server treats `field: null` as unset). */
  dropNulls?: boolean;
  /** Deeper documents are not converted (reported instead): keeps recursion off the stack limit. */
  maxDepth?: number;
}

export interface ValueResult {
  /** undefined when the document could not be converted (see `fatal`). */
  value: unknown;
  /** Duplicate keys, unresolved aliases, bad merge sources: reported, conversion goes on. */
  problems: ValueProblem[];
  /** Why no value was produced (too many alias expansions, nesting too deep). */
  fatal?: ValueProblem;
}

class Stop {
  constructor(readonly problem: ValueProblem) {}
}

const DEFAULT_ALIAS_NODES = 100_000;
const DEFAULT_MAX_DEPTH = 1000;
const IN_PROGRESS = Symbol('in progress');

interface Anchored {
  value: unknown;
  /** Nodes in the expansion of this node (aliases counted as their targets). */
  size: number;
}

/** A map key as the JSON object key it becomes; collection keys are named by their source text. */
export function jsKeyOf(key: unknown, source: string): string {
  if (key === null || key === undefined) return '';
  if (isScalar(key)) {
    const v = key.value;
    if (v === null || v === undefined) return '';
    if (typeof v === 'symbol') return v.description ?? '';
    if (typeof v === 'object') return clip(source.slice(key.range?.[0] ?? 0, key.range?.[1] ?? 0));
    return String(v);
  }
  const r = (key as Node).range;
  return r ? clip(source.slice(r[0], r[1]).trim(), 1024) : '';
}

function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  if (key.type && key.type !== 'PLAIN') return false;
  const v = key.value;
  return v === '<<' || (typeof v === 'symbol' && v.description === '<<');
}

export function documentValue(doc: Document.Parsed, source: string, options: ValueOptions = {}): ValueResult {
  const budget = options.maxAliasNodes ?? DEFAULT_ALIAS_NODES;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const dropNulls = options.dropNulls === true;
  const problems: ValueProblem[] = [];
  const anchors = new Map<string, Node>();
  const done = new Map<Node, Anchored | typeof IN_PROGRESS>();
  let aliasNodes = 0;

  const rangeOf = (n: unknown): [number, number] => {
    const r = (n as Node | null)?.range;
    return r ? [r[0], Math.max(r[1], r[0] + 1)] : [0, 1];
  };

  function alias(node: Node & { source: string }): { value: unknown; size: number } {
    const target = anchors.get(node.source);
    const [s, e] = rangeOf(node);
    if (!target) {
      problems.push({ rule: 'syntax', start: s, end: e, message: `alias \`*${clip(node.source, 60)}\` refers to no anchor before it` });
      return { value: null, size: 1 };
    }
    const entry = done.get(target);
    if (entry === IN_PROGRESS || entry === undefined) {
      problems.push({ rule: 'syntax', start: s, end: e, message: `alias \`*${clip(node.source, 60)}\` refers to the node that contains it: the value would be infinite` });
      return { value: null, size: 1 };
    }
    aliasNodes += entry.size;
    if (aliasNodes > budget) {
      throw new Stop({ rule: 'syntax', start: s, end: e, message: `not validated: too many alias expansions (a "billion laughs" document?): aliases expand this document by more than ${budget.toLocaleString('en-US')} nodes` });
    }
    return { value: entry.value, size: entry.size };
  }

  function convert(node: unknown, depth: number): { value: unknown; size: number } {
    if (node === null || node === undefined) return { value: null, size: 1 };
    if (isAlias(node)) return alias(node as Node & { source: string });
    if (depth > maxDepth) {
      const [s, e] = rangeOf(node);
      throw new Stop({ rule: 'syntax', start: s, end: e, message: `not validated: nested more than ${maxDepth} levels deep` });
    }
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) {
      anchors.set(anchor, node as Node);
      done.set(node as Node, IN_PROGRESS);
    }
    let out: { value: unknown; size: number };
    if (isMap(node)) out = map(node as YAMLMap<unknown, unknown>, depth);
    else if (isSeq(node)) out = seq(node as YAMLSeq<unknown>, depth);
    else if (isPair(node)) out = pairs([node as Pair<unknown, unknown>], depth, node as unknown as Node);
    else if (isScalar(node)) out = { value: node.value === undefined ? null : node.value, size: 1 };
    else out = { value: null, size: 1 };
    if (anchor) done.set(node as Node, out);
    return out;
  }

  function seq(node: YAMLSeq<unknown>, depth: number): { value: unknown; size: number } {
    const arr: unknown[] = [];
    let size = 1;
    for (const it of node.items) {
      const c = convert(it, depth + 1);
      arr.push(c.value);
      size += c.size;
    }
    return { value: arr, size };
  }

  function map(node: YAMLMap<unknown, unknown>, depth: number): { value: unknown; size: number } {
    return pairs(node.items, depth, node as unknown as Node);
  }

  function pairs(items: Pair<unknown, unknown>[], depth: number, owner: Node): { value: unknown; size: number } {
    const obj: Record<string, unknown> = {};
    const own = new Set<string>();
    let size = 1;
    const merges: { value: unknown; at: unknown }[] = [];
    for (const p of items) {
      if (!isPair(p)) continue;
      if (isMergeKey(p.key)) {
        merges.push({ value: p.value, at: p.key });
        // Merge sources are converted in place so anchors inside them resolve in document order.
        const c = convert(p.value, depth + 1);
        merges[merges.length - 1]!.value = c;
        size += c.size;
        continue;
      }
      let k: string;
      if (isAlias(p.key)) k = jsKeyOf(anchors.get((p.key as Node & { source: string }).source) ?? null, source);
      else {
        // Converted for its anchors (a later alias may use them) and its size; named by jsKeyOf.
        if (p.key !== null && p.key !== undefined) size += convert(p.key, depth + 1).size;
        k = jsKeyOf(p.key, source);
      }
      if (own.has(k)) {
        const [s, e] = rangeOf(p.key ?? owner);
        problems.push({ rule: 'duplicate-key', start: s, end: e, message: `duplicate key \`${clip(k, 120)}\`: YAML keeps only the last value, and the API server rejects the object` });
      }
      own.add(k);
      const c = convert(p.value, depth + 1);
      size += c.size;
      if (dropNulls && c.value === null) {
        // A later `key: null` still unsets an earlier value, as the API server reads it.
        delete obj[k];
        continue;
      }
      set(obj, k, c.value);
    }
    // Own keys win over merged ones; earlier merge sources win over later ones (YAML 1.1 merge).
    for (const m of merges) {
      const c = m.value as { value: unknown; size: number };
      const sources = Array.isArray(c.value) ? c.value : [c.value];
      for (const src of sources) {
        if (src === null || typeof src !== 'object' || Array.isArray(src)) {
          const [s, e] = rangeOf(m.at);
          problems.push({ rule: 'syntax', start: s, end: e, message: 'a `<<` merge takes a map, an alias of a map, or a list of them' });
          break;
        }
        for (const [k, v] of Object.entries(src as Record<string, unknown>)) {
          if (own.has(k) || Object.prototype.hasOwnProperty.call(obj, k)) continue;
          if (dropNulls && v === null) continue;
          set(obj, k, v);
        }
      }
    }
    return { value: obj, size };
  }

  try {
    const { value } = convert(doc.contents, 0);
    return { value, problems };
  } catch (err) {
    if (err instanceof Stop) return { value: undefined, problems, fatal: err.problem };
    if (err instanceof RangeError) {
      return { value: undefined, problems, fatal: { rule: 'syntax', start: 0, end: 1, message: 'not validated: the document is nested too deeply to read' } };
    }
    throw err;
  }
}

function set(obj: Record<string, unknown>, k: string, v: unknown): void {
  // `__proto__` is an ordinary key in YAML; assignment would change the object's prototype.
  if (k === '__proto__') Object.defineProperty(obj, k, { value: v, writable: true, enumerable: true, configurable: true });
  else obj[k] = v;
}
