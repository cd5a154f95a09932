// One YAML document of a (possibly multi-document) file: its AST with positions, helpers to walk
// it the way Kubernetes reads it (aliases resolved, `<<` merge keys honoured), and helpers that
// turn offsets into 1-based ranges and build insertion edits for quick fixes.
import * as yaml from 'yaml';
import { Composer, Document, Parser, YAMLParseError } from 'yaml';
import type { CST, Node, Pair, YAMLMap, YAMLSeq } from 'yaml';
import { LineIndex } from './text';
import type { Range, TextEdit } from './types';

// Bound once: a bundler turns named imports of a CommonJS package into a getter call per use,
// which profiles showed on the hot path.
const { isAlias, isMap, isPair, isScalar, isSeq } = yaml;

/** A document's text and where it starts in the file (0-based line index). */
export interface Chunk {
  text: string;
  startLine: number;
}

const DOC_START = /^---(?=[ \t\r\n]|$)/gm;
const CONTENTLESS = /^(?:[ \t]*(?:#.*|%.*)?\r?\n)*[ \t]*(?:#.*)?$/;

/**
 * Splits a stream at `---` markers. In YAML a `---` at column 0 always starts a new document (it
 * even ends block scalars), and anchors never cross documents, so parsing each piece on its own
 * gives the same trees as parsing the whole stream, and an edit touches one piece only.
 */
export function splitDocuments(text: string): Chunk[] {
  const starts: number[] = [0];
  DOC_START.lastIndex = 0;
  for (let m = DOC_START.exec(text); m; m = DOC_START.exec(text)) if (m.index > 0) starts.push(m.index);
  const chunks: Chunk[] = [];
  let line = 0;
  let carry = ''; // comments/directives before a `---` belong to the document that follows
  let carryLine = 0;
  for (let i = 0; i < starts.length; i++) {
    const from = starts[i]!;
    const to = i + 1 < starts.length ? starts[i + 1]! : text.length;
    const piece = text.slice(from, to);
    const startLine = line;
    for (let p = piece.indexOf('\n'); p >= 0; p = piece.indexOf('\n', p + 1)) line++;
    if (i + 1 < starts.length && CONTENTLESS.test(piece)) {
      if (!carry) carryLine = startLine;
      carry += piece;
      continue;
    }
    chunks.push(carry ? { text: carry + piece, startLine: carryLine } : { text: piece, startLine });
    carry = '';
  }
  return chunks;
}

export interface ParsedDoc {
  doc: Document.Parsed;
  text: string;
}

/** Deeper documents are reported, not composed: yaml composes recursively, and a stack overflow's place depends on the JIT. */
export const MAX_NESTING = 256;

export class TooDeep extends Error {
  constructor(readonly depth: number, readonly offset: number) {
    super(`nested more than ${MAX_NESTING} levels deep: not read`);
  }
}

/** Nesting depth of a CST (iteratively: the CST itself comes from yaml's non-recursive parser). */
function cstDepth(tokens: readonly CST.Token[]): { depth: number; offset: number } {
  let max = 0;
  let offset = 0;
  const stack: [unknown, number][] = tokens.map((t) => [t, 0]);
  while (stack.length) {
    const [t, d] = stack.pop()!;
    if (!t || typeof t !== 'object') continue;
    const tok = t as { type?: string; value?: unknown; items?: { key?: unknown; value?: unknown }[]; offset?: number };
    let next = d;
    if (tok.type === 'block-map' || tok.type === 'block-seq' || tok.type === 'flow-collection') {
      next = d + 1;
      if (next > max) {
        max = next;
        offset = tok.offset ?? 0;
        if (max > MAX_NESTING) break;
      }
      for (const it of tok.items ?? []) {
        stack.push([it.key, next]);
        stack.push([it.value, next]);
      }
    } else if (tok.type === 'document') stack.push([tok.value, d]);
  }
  return { depth: max, offset };
}

/** Parses one document (a chunk of the stream). Throws TooDeep for documents nested beyond MAX_NESTING. */
export function parseChunk(text: string): ParsedDoc {
  const tokens = [...new Parser().parse(text)];
  const { depth, offset } = cstDepth(tokens);
  if (depth > MAX_NESTING) throw new TooDeep(depth, offset);
  // merge: Kubernetes manifests are read as YAML 1.1 by sigs.k8s.io/yaml, which honours `<<`.
  // uniqueKeys: false — yaml's own check is quadratic in a map's size; value.ts checks in one pass.
  const composer = new Composer({ merge: true, uniqueKeys: false, prettyErrors: false, keepSourceTokens: false });
  let doc: Document.Parsed | undefined;
  for (const d of composer.compose(tokens, true, text.length)) {
    if (!doc) doc = d as Document.Parsed;
    else {
      // As parseDocument does: a chunk holds one document unless `...` ended it early.
      doc.errors.push(new YAMLParseError([d.range[0], d.range[1]], 'MULTIPLE_DOCS', 'Source contains multiple documents; please use YAML.parseAllDocuments()'));
      break;
    }
  }
  return { doc: doc ?? (new Document(null, { merge: true, uniqueKeys: false }) as unknown as Document.Parsed), text };
}

/** Positions inside one chunk (lines relative to the chunk's first line), computed from its text. */
export class Positions {
  private readonly lines: LineIndex;

  constructor(private readonly text: string) {
    this.lines = new LineIndex(text);
  }

  range(start: number, end: number): Range {
    const a = Math.max(0, Math.min(start, this.text.length));
    const s = this.lines.position(a);
    const e = this.lines.position(Math.max(a, Math.min(end, this.text.length)));
    return { line: s.line, column: s.col, endLine: e.line, endColumn: e.col };
  }

  /** A node's value, without trailing comments/newlines of block collections. */
  nodeRange(node: Node | undefined | null, fallback?: Range): Range {
    const r = node?.range;
    if (!r) return fallback ?? { line: 1, column: 1, endLine: 1, endColumn: 1 };
    let end = r[1];
    while (end > r[0] && /\s/.test(this.text[end - 1] ?? '')) end--;
    if (isMap(node) || isSeq(node)) {
      // Highlighting a whole block is noise: take its first line.
      const nl = this.text.indexOf('\n', r[0]);
      if (nl >= 0 && nl < end) end = nl;
      while (end > r[0] && /\s/.test(this.text[end - 1] ?? '')) end--;
    }
    return this.range(r[0], end);
  }

  edit(start: number, end: number, newText: string): TextEdit {
    return { ...this.range(start, end), newText };
  }

  /** 0-based column of an offset. */
  column(offset: number): number {
    return offset - (this.text.lastIndexOf('\n', offset - 1) + 1);
  }

  /** Offset of the start of the line after the one holding `offset` (or the text's end). */
  nextLineStart(offset: number): number {
    const nl = this.text.indexOf('\n', offset);
    return nl < 0 ? this.text.length : nl + 1;
  }

  get source(): string {
    return this.text;
  }
}

// ---- Walking the AST the way the API server reads it ----

// Alias → the node it names, for a whole document in one walk. yaml's Alias.resolve walks the
// entire document on every call: quadratic for a document with many aliases.
const aliasTargets = new WeakMap<object, Map<unknown, Node>>();

function targetsOf(doc: Document.Parsed): Map<unknown, Node> {
  let m = aliasTargets.get(doc);
  if (m) return m;
  const targets = new Map<unknown, Node>();
  const anchors = new Map<string, Node>();
  // Pre-order, keys before values: the order in which YAML defines "the last anchor before".
  const stack: unknown[] = [doc.contents];
  while (stack.length) {
    const n = stack.pop();
    if (!n || typeof n !== 'object') continue;
    if (isAlias(n)) {
      const t = anchors.get(n.source);
      if (t) targets.set(n, t);
      continue;
    }
    const anchor = (n as { anchor?: string }).anchor;
    if (anchor) anchors.set(anchor, n as Node);
    if (isPair(n)) stack.push(n.value, n.key);
    else if (isMap(n) || isSeq(n)) for (let i = n.items.length - 1; i >= 0; i--) stack.push(n.items[i]);
  }
  m = targets;
  aliasTargets.set(doc, m);
  return m;
}

export function deref(doc: Document.Parsed, node: unknown, depth = 0): Node | undefined {
  if (isAlias(node)) {
    if (depth > 32) return undefined;
    return deref(doc, targetsOf(doc).get(node), depth + 1);
  }
  return isMap(node) || isSeq(node) || isScalar(node) ? node : undefined;
}

export function keyString(pair: Pair): string | undefined {
  const k = pair.key;
  if (isScalar(k)) {
    // With `merge: true` the `<<` key's value is a Symbol; its source is still `<<`.
    if (typeof k.value === 'symbol') return k.source ?? '<<';
    return k.value === null ? '' : String(k.value);
  }
  return undefined;
}

// Maps with many keys get an index on first lookup, so that looking up every key of a big map
// (schema errors on each of 40,000 keys) stays linear. The AST is not edited after parsing.
const INDEX_MIN = 16;
interface KeyIndex {
  first: Map<string, Pair<Node, Node>>;
  merges: Pair<Node, Node>[];
}
const keyIndexes = new WeakMap<object, KeyIndex>();

function keyIndex(m: YAMLMap<Node, Node>): KeyIndex {
  let idx = keyIndexes.get(m);
  if (!idx) {
    idx = { first: new Map(), merges: [] };
    for (const p of m.items) {
      const k = keyString(p);
      if (k === undefined) continue;
      if (k === '<<') idx.merges.push(p);
      if (!idx.first.has(k)) idx.first.set(k, p);
    }
    keyIndexes.set(m, idx);
  }
  return idx;
}

/** The pair for `key`, looking through `<<` merges (own keys win, as in YAML 1.1). */
export function getPair(doc: Document.Parsed, map: Node | undefined, key: string, depth = 0): Pair<Node, Node> | undefined {
  if (!isMap(map) || depth > 16) return undefined;
  const m = map as YAMLMap<Node, Node>;
  let merges: Pair<Node, Node>[];
  if (m.items.length >= INDEX_MIN) {
    const idx = keyIndex(m);
    const own = idx.first.get(key);
    if (own) return own;
    merges = idx.merges;
  } else {
    for (const p of m.items) if (keyString(p) === key) return p;
    merges = m.items;
  }
  for (const p of merges) {
    if (keyString(p) !== '<<') continue;
    const v = deref(doc, p.value);
    const sources = isSeq(v) ? v.items.map((x) => deref(doc, x)) : [v];
    for (const s of sources) {
      const found = getPair(doc, s, key, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

export function get(doc: Document.Parsed, node: Node | undefined, ...path: (string | number)[]): Node | undefined {
  let cur: Node | undefined = deref(doc, node);
  for (const seg of path) {
    if (!cur) return undefined;
    if (typeof seg === 'number') {
      cur = isSeq(cur) ? deref(doc, (cur as YAMLSeq<Node>).items[seg]) : undefined;
    } else {
      cur = deref(doc, getPair(doc, cur, seg)?.value);
    }
  }
  return cur;
}

export function pairsOf(doc: Document.Parsed, node: Node | undefined, depth = 0): Pair<Node, Node>[] {
  const n = deref(doc, node);
  if (!isMap(n) || depth > 16) return [];
  const own = (n as YAMLMap<Node, Node>).items;
  if (!own.some((p) => keyString(p) === '<<')) return own;
  const seen = new Set<string>();
  const out: Pair<Node, Node>[] = [];
  for (const p of own) {
    const k = keyString(p);
    if (k === '<<' || k === undefined || seen.has(k)) continue;
    seen.add(k);
    out.push(p);
  }
  for (const p of own) {
    if (keyString(p) !== '<<') continue;
    const v = deref(doc, p.value);
    for (const s of isSeq(v) ? v.items : [v]) {
      for (const q of pairsOf(doc, deref(doc, s), depth + 1)) {
        const k = keyString(q);
        if (k !== undefined && !seen.has(k)) {
          seen.add(k);
          out.push(q);
        }
      }
    }
  }
  return out;
}

export function itemsOf(doc: Document.Parsed, node: Node | undefined): Node[] {
  const n = deref(doc, node);
  if (!isSeq(n)) return [];
  const out: Node[] = [];
  for (const x of (n as YAMLSeq<unknown>).items) {
    const d = deref(doc, x);
    if (d) out.push(d);
  }
  return out;
}

export function scalarValue(doc: Document.Parsed, node: Node | undefined): unknown {
  const n = deref(doc, node);
  return isScalar(n) ? n.value : undefined;
}

export function str(doc: Document.Parsed, node: Node | undefined): string | undefined {
  const v = scalarValue(doc, node);
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

/** A string→string map (labels, selectors); non-scalar values are left out. */
export function stringMap(doc: Document.Parsed, node: Node | undefined): Map<string, { value: string; pair: Pair<Node, Node> }> {
  const out = new Map<string, { value: string; pair: Pair<Node, Node> }>();
  for (const p of pairsOf(doc, node)) {
    const k = keyString(p);
    const v = str(doc, p.value ?? undefined);
    if (k !== undefined && v !== undefined) out.set(k, { value: v, pair: p });
  }
  return out;
}

export { isMap, isSeq, isScalar, isPair };

// ---- Edits that insert YAML, in the file's own block style ----

/** Inserts `key: …` lines as the last entry of a block map; undefined for flow maps (`{}`), where we'd rather not guess a layout. */
export function insertIntoMap(pos: Positions, map: Node | undefined, lines: string[]): TextEdit | undefined {
  if (!isMap(map) || map.flow || !map.range) return undefined;
  const items = (map as YAMLMap<Node, Node>).items;
  const first = items[0];
  const last = items[items.length - 1];
  if (!first?.key?.range || !last) return undefined;
  const indent = pos.column(first.key.range[0]);
  const end = last.value?.range?.[1] ?? last.key?.range?.[1] ?? map.range[1];
  return insertLinesAfter(pos, end, indent, lines);
}

/** Appends an item (`- first line`, continuation lines indented under it) to a block sequence. */
export function insertIntoSeq(pos: Positions, seq: Node | undefined, lines: string[]): TextEdit | undefined {
  if (!isSeq(seq) || seq.flow || !seq.range) return undefined;
  const items = (seq as YAMLSeq<Node>).items;
  const last = items[items.length - 1];
  if (!last?.range) return undefined;
  const indent = pos.column(seq.range[0]);
  const body = lines.map((l, i) => (i === 0 ? `- ${l}` : `  ${l}`));
  return insertLinesAfter(pos, last.range[1], indent, body);
}

function insertLinesAfter(pos: Positions, endOffset: number, indent: number, lines: string[]): TextEdit {
  const text = pos.source;
  // Back off trailing whitespace so the new lines follow the last content line, before blank lines/comments.
  let end = endOffset;
  while (end > 0 && /\s/.test(text[end - 1] ?? '')) end--;
  const at = pos.nextLineStart(end);
  const pad = ' '.repeat(indent);
  const block = lines.map((l) => pad + l).join('\n');
  if (at >= text.length && !text.endsWith('\n')) return pos.edit(text.length, text.length, `\n${block}`);
  return pos.edit(at, at, `${block}\n`);
}
