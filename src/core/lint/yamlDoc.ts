// One YAML document of a (possibly multi-document) file: its AST with positions, helpers to walk
// it the way Kubernetes reads it (aliases resolved, `<<` merge keys honoured), and helpers that
// turn offsets into 1-based ranges and build insertion edits for quick fixes.
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node, Pair, YAMLMap, YAMLSeq } from 'yaml';
import type { Range, TextEdit } from './types';

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
  lines: LineCounter;
  text: string;
}

export function parseChunk(text: string): ParsedDoc {
  const lines = new LineCounter();
  // merge: Kubernetes manifests are read as YAML 1.1 by sigs.k8s.io/yaml, which honours `<<`.
  const doc = parseDocument(text, { lineCounter: lines, merge: true, uniqueKeys: true, prettyErrors: false, keepSourceTokens: false });
  return { doc, lines, text };
}

/** Positions inside one chunk (lines relative to the chunk's first line). */
export class Positions {
  constructor(
    private readonly lines: LineCounter,
    private readonly text: string,
  ) {}

  range(start: number, end: number): Range {
    const s = this.lines.linePos(Math.max(0, Math.min(start, this.text.length)));
    const e = this.lines.linePos(Math.max(start, Math.min(end, this.text.length)));
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

export function deref(doc: Document.Parsed, node: unknown, depth = 0): Node | undefined {
  if (isAlias(node)) {
    if (depth > 32) return undefined;
    return deref(doc, node.resolve(doc), depth + 1);
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

/** The pair for `key`, looking through `<<` merges (own keys win, as in YAML 1.1). */
export function getPair(doc: Document.Parsed, map: Node | undefined, key: string, depth = 0): Pair<Node, Node> | undefined {
  if (!isMap(map) || depth > 16) return undefined;
  const m = map as YAMLMap<Node, Node>;
  for (const p of m.items) if (keyString(p) === key) return p;
  for (const p of m.items) {
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

export function pairsOf(doc: Document.Parsed, node: Node | undefined): Pair<Node, Node>[] {
  const n = deref(doc, node);
  if (!isMap(n)) return [];
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
      for (const q of pairsOf(doc, deref(doc, s))) {
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
