// A fast path for the YAML that Kubernetes manifests are made of: block maps and sequences, plain
// and single-line quoted scalars, single-line flow collections, comments. Profiling the linter on
// large manifests showed the `yaml` package's lexer/CST/composer pipeline at 70–80% of the time;
// this parser reads the same subset line by line and builds the very node classes `yaml` builds
// (same values, scalar types and ranges), so rules and schema error placement cannot tell them
// apart. Anything outside the subset — anchors, aliases, tags, block or multi-line scalars, merge
// keys, duplicate keys, escapes, syntax errors, comment layouts whose ownership is subtle — makes
// it give up, and the caller parses with `yaml` as before. test/unit/lint/fastYaml.test.ts proves
// the two agree on every fixture and on thousands of generated manifests.
import * as yaml from 'yaml';
import { Document, LineCounter, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import type { Node, Schema } from 'yaml';

// Bound once: a bundler turns named imports of a CommonJS package into a getter call per use,
// which profiles showed on the hot path.
const { isScalar } = yaml;

/** A document parsed by the fast path: what parseChunk returns, plus the value `toJS` would give. */
export interface FastParsed {
  doc: Document.Parsed;
  lines: LineCounter;
  value: unknown;
}

interface ScalarTag {
  default?: boolean | 'key';
  test?: RegExp;
  format?: string;
  resolve: (value: string, onError: (msg: string) => void, options: unknown) => unknown;
}

/** Thrown to leave the fast path; caught by FastYaml.parse, never escapes. */
class Unsupported {}
const UNSUPPORTED = new Unsupported();
function bail(): never {
  throw UNSUPPORTED;
}

// Characters that `yaml` rejects or treats specially wherever they appear (tabs in indentation,
// CR line ends, control characters, BOM, Unicode line separators): not worth matching exactly.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ODD_CHARS = /[\x00-\x09\x0b-\x1f\x7f-\x9f\ufeff\u2028\u2029\ud800-\udfff]/;
// A plain scalar may not start with an indicator (`-?:` only when followed by a space).
const PLAIN_START_BAD = /^(?:[,[\]{}#&*!|>'"%@`]|[-?:](?:[ ]|$))/;
const MAX_DEPTH = 64;

/**
 * Owns what every parse needs from `yaml` (the core schema's tags and the options the composer
 * passes them). One per Linter.
 */
export class FastYaml {
  private readonly tags: ScalarTag[];
  private readonly strTag: ScalarTag;
  private readonly schema: Schema;
  private readonly options: unknown;

  // Node classes' constructors define their type tag with Object.defineProperty, which showed up
  // as a quarter of a lint in profiles. Nodes made here inherit the tag (and the schema) from a
  // prototype instead: `isMap`, `instanceof YAMLMap` and every method behave the same.
  private readonly mapProto: object;
  private readonly seqProto: object;
  private readonly pairProto: object;
  private readonly scalarProto: object;
  private readonly docProto: object;

  constructor() {
    const template = new Document(null, { merge: true, uniqueKeys: true });
    this.schema = template.schema;
    this.options = template.options;
    const tagOf = (node: object): PropertyDescriptorMap => {
      const out: PropertyDescriptorMap = {};
      for (const sym of Object.getOwnPropertySymbols(node)) out[sym as unknown as string] = { value: (node as Record<symbol, unknown>)[sym] };
      return out;
    };
    const schemaProp: PropertyDescriptorMap = { schema: { value: this.schema, configurable: true, enumerable: false, writable: true } };
    this.mapProto = Object.create(YAMLMap.prototype, { ...tagOf(new YAMLMap(this.schema)), ...schemaProp }) as object;
    this.seqProto = Object.create(YAMLSeq.prototype, { ...tagOf(new YAMLSeq(this.schema)), ...schemaProp }) as object;
    this.pairProto = Object.create(Pair.prototype, tagOf(new Pair(null))) as object;
    this.scalarProto = Object.create(Scalar.prototype, tagOf(new Scalar(null))) as object;
    this.docProto = template;
    this.tags = (template.schema.tags as unknown as ScalarTag[]).filter((t) => t.default === true && t.test);
    const str = (template.schema.tags as unknown as (ScalarTag & { tag?: string })[]).find((t) => t.tag === 'tag:yaml.org,2002:str');
    if (!str) throw new Error('yaml core schema without a str tag');
    this.strTag = str;
  }

  /** The parse of `text`, or undefined when it is outside the subset (parse it with `yaml`). */
  parse(text: string): FastParsed | undefined {
    if (ODD_CHARS.test(text)) return undefined;
    try {
      return new Run(this, text).document();
    } catch (err) {
      if (err instanceof Unsupported || err instanceof RangeError) return undefined;
      throw err;
    }
  }

  /** Builds a Scalar exactly as yaml's composeScalar does for a plain or quoted scalar. */
  scalar(source: string, type: 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE', start: number, end: number, end2: number): Scalar {
    let tag = this.strTag;
    if (type === 'PLAIN') for (const t of this.tags) if (t.test!.test(source)) { tag = t; break; }
    const res = tag.resolve(source, bail, this.options);
    let s: Scalar;
    if (isScalar(res)) s = res as Scalar;
    else {
      s = Object.create(this.scalarProto) as Scalar;
      s.value = res;
    }
    s.range = [start, end, end2];
    s.source = source;
    s.type = type;
    if (tag.format) s.format = tag.format;
    return s;
  }

  newMap(): YAMLMap<Node, Node> {
    const m = Object.create(this.mapProto) as YAMLMap<Node, Node>;
    m.items = [];
    return m;
  }

  newSeq(): YAMLSeq<Node> {
    const q = Object.create(this.seqProto) as YAMLSeq<Node>;
    q.items = [];
    return q;
  }

  newPair(key: Node, value: Node): Pair<Node, Node> {
    const p = Object.create(this.pairProto) as Pair<Node, Node>;
    p.key = key;
    p.value = value;
    return p;
  }

  /** A document sharing the template's schema and options (a new Document builds a new Schema). */
  newDoc(contents: Node, end: number): Document.Parsed {
    const doc = Object.create(this.docProto) as Document.Parsed;
    doc.contents = contents as Document.Parsed['contents'];
    doc.range = [0, end, end];
    doc.errors = [];
    doc.warnings = [];
    return doc;
  }
}

interface Value {
  node: Node;
  js: unknown;
}

/** One parse: the text cut into lines, and a recursive descent over them. */
class Run {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** Offset of the first non-space character of each line. */
  private readonly firsts: number[] = [];
  private readonly lines = new LineCounter();

  constructor(
    private readonly y: FastYaml,
    private readonly text: string,
  ) {
    let s = 0;
    this.lines.addNewLine(0);
    for (;;) {
      const nl = text.indexOf('\n', s);
      const e = nl < 0 ? text.length : nl;
      let f = s;
      while (f < e && text.charCodeAt(f) === 32) f++;
      this.starts.push(s);
      this.ends.push(e);
      this.firsts.push(f);
      if (nl < 0) break;
      s = nl + 1;
      this.lines.addNewLine(s);
    }
  }

  private isBlank(i: number): boolean {
    return this.firsts[i] === this.ends[i];
  }

  private isComment(i: number): boolean {
    return this.text.charCodeAt(this.firsts[i]!) === 35; // '#'
  }

  private indent(i: number): number {
    return this.firsts[i]! - this.starts[i]!;
  }

  /** Offset just past line i's newline (or the text's end): where yaml ends a scalar's node range. */
  private after(i: number): number {
    return Math.min(this.ends[i]! + 1, this.text.length);
  }

  /**
   * The next line after `i` with content, or the line count. Comment lines in between must sit at
   * that line's indentation (or column 0 at the end): yaml then files them as the next node's
   * `commentBefore`, which touches no range; other layouts extend ranges in subtler ways.
   */
  private next(i: number): number {
    let j = i + 1;
    const comments: number[] = [];
    for (; j < this.starts.length; j++) {
      if (this.isBlank(j)) continue;
      if (this.isComment(j)) comments.push(j);
      else break;
    }
    const want = j < this.starts.length ? this.indent(j) : 0;
    for (const c of comments) if (this.indent(c) !== want) bail();
    return j;
  }

  document(): FastParsed | undefined {
    let i = 0;
    const n = this.starts.length;
    // Comments before the content belong to the document, wherever its `---` is.
    const leading = (): void => {
      for (; i < n && (this.isBlank(i) || this.isComment(i)); i++) if (this.isComment(i) && this.indent(i) !== 0) bail();
    };
    leading();
    if (i < n && this.text.startsWith('---', this.starts[i]!)) {
      const rest = this.text.slice(this.starts[i]! + 3, this.ends[i]);
      if (!/^(?:[ ]+(?:#.*)?)?$/.test(rest)) bail();
      i++;
      leading();
    }
    if (i >= n || this.indent(i) !== 0) return undefined;
    const { value, last } = this.block(i, 0);
    const end = this.next(last);
    if (end < n) bail();
    const doc = this.y.newDoc(value.node, this.text.length);
    return { doc, lines: this.lines, value: value.js };
  }

  /** A block node whose first line is `i` (content at its indentation). */
  private block(i: number, depth: number): { value: Value; last: number } {
    if (depth > MAX_DEPTH) bail();
    const p = this.firsts[i]!;
    if (this.isDash(p)) return this.seq(i, p, depth);
    if (this.keyEnd(p, this.ends[i]!) < 0) bail(); // a scalar on its own line: maybe multi-line
    return this.map(i, p, depth);
  }

  private isDash(p: number): boolean {
    const t = this.text;
    return t.charCodeAt(p) === 45 && (p + 1 >= t.length || t.charCodeAt(p + 1) === 32 || t.charCodeAt(p + 1) === 10);
  }

  /**
   * If a block map key starts at p: the offset of its `:` (followed by a space or line end), else -1.
   * Only keys that resolve to strings are taken: others would need yaml's key stringification.
   */
  private keyEnd(p: number, eol: number): number {
    const t = this.text;
    const c = t[p];
    if (c === '"' || c === "'") {
      const q = t.indexOf(c, p + 1);
      if (q < 0 || q >= eol) return -1;
      const colon = q + 1;
      return t[colon] === ':' && (colon + 1 === eol || t[colon + 1] === ' ') ? colon : -1;
    }
    for (let k = p; k < eol; k++) {
      const ch = t.charCodeAt(k);
      if (ch === 58 && (k + 1 === eol || t.charCodeAt(k + 1) === 32)) return k; // ': ' or ':' at the end
      if (ch === 35 && k > p && t.charCodeAt(k - 1) === 32) return -1; // ' #' starts a comment
    }
    return -1;
  }

  private map(i: number, col: number, depth: number): { value: Value; last: number } {
    const t = this.text;
    const map = this.y.newMap();
    const js: Record<string, unknown> = {};
    const seen = new Set<string>();
    const indent = col - this.starts[i]!;
    let line = i;
    let p = col;
    for (;;) {
      const eol = this.ends[line]!;
      const colon = this.keyEnd(p, eol);
      if (colon < 0) bail();
      const key = this.key(p, colon);
      const k = key.value as string;
      if (seen.has(k) || k === '<<' || k === '__proto__') bail();
      seen.add(k);
      const v = this.afterIndicator(line, colon + 1, indent, depth, true);
      map.items.push(this.y.newPair(key, v.value.node));
      js[k] = v.value.js;
      const j = this.next(v.last);
      if (j >= this.starts.length || this.indent(j) < indent) {
        map.range = [map.items[0]!.key.range![0], this.endOf(v.value.node), this.endOf(v.value.node)];
        return { value: { node: map, js }, last: v.last };
      }
      if (this.indent(j) > indent || this.isDash(this.firsts[j]!)) bail();
      if (t.charCodeAt(this.firsts[j]!) === 63) bail(); // '?' explicit key
      line = j;
      p = this.firsts[j]!;
    }
  }

  private endOf(node: Node): number {
    return node.range![2];
  }

  private seq(i: number, col: number, depth: number): { value: Value; last: number } {
    const seq = this.y.newSeq();
    const js: unknown[] = [];
    const indent = col - this.starts[i]!;
    let line = i;
    let p = col;
    for (;;) {
      const v = this.afterIndicator(line, p + 1, indent, depth, false);
      seq.items.push(v.value.node);
      js.push(v.value.js);
      const j = this.next(v.last);
      // A line at the same indentation without a dash ends an indentless sequence (`key:\n- a`).
      if (j >= this.starts.length || this.indent(j) < indent || (this.indent(j) === indent && !this.isDash(this.firsts[j]!))) {
        seq.range = [col, this.endOf(v.value.node), this.endOf(v.value.node)];
        return { value: { node: seq, js }, last: v.last };
      }
      if (this.indent(j) > indent) bail();
      line = j;
      p = this.firsts[j]!;
    }
  }

  /**
   * The value after a map's `:` or a sequence's `-` at offset `from` on `line`: inline (scalar,
   * flow collection, or — after `-` — a compact map), or a block on the following lines.
   */
  private afterIndicator(line: number, from: number, indent: number, depth: number, inMap: boolean): { value: Value; last: number } {
    const t = this.text;
    const eol = this.ends[line]!;
    let q = from;
    while (q < eol && t.charCodeAt(q) === 32) q++;
    if (q === eol || t.charCodeAt(q) === 35) {
      if (q < eol && q === from) bail(); // '#' right after the indicator is not a comment
      const j = this.next(line);
      if (j < this.starts.length) {
        const nj = this.indent(j);
        if (nj > indent || (inMap && nj === indent && this.isDash(this.firsts[j]!))) return this.block(j, depth + 1);
      }
      // An empty value: yaml's range for it depends on the comments and blank lines around.
      // Only the plain case is taken: the next line holds content, or is the empty end of the text.
      const onlyFinalNewline = j === this.starts.length && line + 2 === j && this.starts[line + 1] === this.text.length;
      if (!inMap || q < eol || (j !== line + 1 && !onlyFinalNewline)) bail();
      return { value: { node: this.y.scalar('', 'PLAIN', eol, eol, eol), js: null }, last: line };
    }
    if (q === from) bail(); // `key:value` / `-x` are not indicators
    if (!inMap && (this.isDash(q) || this.keyEnd(q, eol) >= 0)) {
      if (this.isDash(q)) bail();
      // `- key: value`: a compact map whose indentation is the key's column.
      return this.compactMap(line, q, depth);
    }
    const v = this.inline(q, eol);
    return { value: v, last: line };
  }

  private compactMap(line: number, q: number, depth: number): { value: Value; last: number } {
    if (depth > MAX_DEPTH) bail();
    return this.map(line, q, depth + 1);
  }

  /** A scalar or flow collection that ends the line (an optional comment may follow). */
  private inline(q: number, eol: number): Value {
    const t = this.text;
    const c = t[q];
    const end2 = Math.min(eol + 1, t.length);
    let v: Value;
    let end: number;
    if (c === '[' || c === '{') {
      const f = this.flow(q, eol, 0);
      v = f.value;
      end = f.end;
    } else if (c === '"' || c === "'") {
      end = this.quotedEnd(q, eol);
      const node = this.quoted(q, end);
      v = { node, js: node.value };
    } else {
      end = q;
      for (let k = q; k < eol; k++) {
        const ch = t.charCodeAt(k);
        if (ch === 35 && t.charCodeAt(k - 1) === 32) break;
        if (ch === 58 && (k + 1 === eol || t.charCodeAt(k + 1) === 32)) bail(); // a nested mapping
        if (ch !== 32) end = k + 1;
      }
      const src = t.slice(q, end);
      if (PLAIN_START_BAD.test(src)) bail();
      const node = this.y.scalar(src, 'PLAIN', q, end, end2);
      return { node, js: node.value };
    }
    let k = end;
    while (k < eol && t.charCodeAt(k) === 32) k++;
    if (k < eol && !(t.charCodeAt(k) === 35 && k > end)) bail();
    v.node.range = [v.node.range![0], v.node.range![1], end2];
    return v;
  }

  /** End (exclusive) of the quoted scalar at q, which must close on this line without escapes. */
  private quotedEnd(q: number, eol: number): number {
    const t = this.text;
    const quote = t[q]!;
    for (let k = q + 1; k < eol; k++) {
      const ch = t[k];
      if (ch === '\\' && quote === '"') bail();
      if (ch === quote) {
        if (quote === "'" && t[k + 1] === "'") {
          k++;
          continue;
        }
        return k + 1;
      }
    }
    return bail();
  }

  private quoted(q: number, end: number): Scalar {
    const t = this.text;
    const double = t[q] === '"';
    const inner = t.slice(q + 1, end - 1);
    return this.y.scalar(double ? inner : inner.replace(/''/g, "'"), double ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE', q, end, end);
  }

  private key(p: number, colon: number): Scalar {
    const t = this.text;
    if (t[p] === '"' || t[p] === "'") {
      this.quotedEnd(p, colon);
      return this.quoted(p, colon);
    }
    let end = colon;
    while (end > p && t.charCodeAt(end - 1) === 32) end--;
    const src = t.slice(p, end);
    if (!src || PLAIN_START_BAD.test(src)) bail();
    const s = this.y.scalar(src, 'PLAIN', p, end, end);
    if (typeof s.value !== 'string') bail();
    return s;
  }

  /** A flow collection on one line: `[a, "b", {c: d}]`. */
  private flow(q: number, eol: number, depth: number): { value: Value; end: number } {
    if (depth > MAX_DEPTH) bail();
    const t = this.text;
    const isMap = t[q] === '{';
    const close = isMap ? '}' : ']';
    const map = isMap ? this.y.newMap() : undefined;
    const seq = isMap ? undefined : this.y.newSeq();
    const obj: Record<string, unknown> = {};
    const arr: unknown[] = [];
    const seen = new Set<string>();
    let k = q + 1;
    const skip = (): void => {
      while (k < eol && t.charCodeAt(k) === 32) k++;
    };
    skip();
    if (t[k] !== close) {
      for (;;) {
        if (isMap) {
          const key = this.flowScalar(k, eol, true);
          k = key.range![1];
          if (t[k] !== ':' || t[k + 1] !== ' ') bail();
          const ks = key.value;
          if (typeof ks !== 'string' || seen.has(ks) || ks === '<<' || ks === '__proto__') bail();
          seen.add(ks);
          k += 2;
          skip();
          const v = this.flowItem(k, eol, depth);
          k = v.node.range![1];
          map!.items.push(this.y.newPair(key, v.node));
          obj[ks] = v.js;
        } else {
          const v = this.flowItem(k, eol, depth);
          k = v.node.range![1];
          seq!.items.push(v.node);
          arr.push(v.js);
        }
        if (t[k] === ',') {
          k++;
          skip();
          if (t[k] === close || t[k] === ',') bail(); // trailing or empty entry
          continue;
        }
        if (t[k] === close) break;
        bail();
      }
    }
    const end = k + 1;
    const node = (map ?? seq)!;
    node.flow = true;
    node.range = [q, end, end];
    return { value: { node, js: isMap ? obj : arr }, end };
  }

  private flowItem(k: number, eol: number, depth: number): Value {
    const c = this.text[k];
    if (c === '[' || c === '{') return this.flow(k, eol, depth + 1).value;
    const s = this.flowScalar(k, eol, false);
    return { node: s, js: s.value };
  }

  /** A scalar inside a flow collection; it must be followed directly by `,`, the close or (keys) `: `. */
  private flowScalar(k: number, eol: number, isKey: boolean): Scalar {
    const t = this.text;
    const c = t[k];
    if (c === '"' || c === "'") {
      const end = this.quotedEnd(k, eol);
      return this.quoted(k, end);
    }
    let end = k;
    for (; end < eol; end++) {
      const ch = t[end];
      if (ch === ',' || ch === '[' || ch === ']' || ch === '{' || ch === '}' || ch === '#' || ch === ' ') break;
      // `:` is an indicator before a space, a flow indicator or the line's end; else part of the
      // scalar (`image: repo:tag`, `http://x`).
      if (ch === ':' && (end + 1 >= eol || t[end + 1] === ' ' || t[end + 1] === ',' || t[end + 1] === ']' || t[end + 1] === '}' || t[end + 1] === '[' || t[end + 1] === '{')) break;
    }
    const src = t.slice(k, end);
    if (!src || PLAIN_START_BAD.test(src)) bail();
    if (!isKey && t[end] === ':') bail(); // an implicit pair inside a sequence
    return this.y.scalar(src, 'PLAIN', k, end, end);
  }
}
