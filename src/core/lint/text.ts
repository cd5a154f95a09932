// Small text helpers shared by the rules: positions computed from the text itself, and quoting of
// user text in messages with a length cap (a message that quotes a 500 KB scalar is useless and
// slows every consumer down).

/** The most characters of user text a message quotes. */
export const QUOTE_MAX = 200;
/** A hard ceiling on any message, whatever it quotes. */
export const MESSAGE_MAX = 1000;

/** `s` cut to `max` characters (never inside a surrogate pair), with an ellipsis when cut. */
export function clip(s: string, max = QUOTE_MAX): string {
  if (s.length <= max) return s;
  let end = max - 1;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${s.slice(0, end)}…`;
}

/** Joins list items for a message, showing at most `max` of them. */
export function listed(items: readonly string[], max = 10, sep = ', '): string {
  if (items.length <= max) return items.map((x) => clip(x, 120)).join(sep);
  return `${items.slice(0, max).map((x) => clip(x, 120)).join(sep)}${sep}… (${items.length - max} more)`;
}

/**
 * Offsets → 1-based line/column, from the text's own newlines. The `yaml` package's LineCounter is
 * fed by its lexer, which does not count newlines inside tokens it rejects: every position after a
 * syntax error drifted. Counting here cannot drift.
 */
export class LineIndex {
  readonly starts: number[];

  constructor(readonly text: string) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    this.starts = starts;
  }

  /** 1-based line and column of an offset (clamped into the text). */
  position(offset: number): { line: number; col: number } {
    const o = Math.max(0, Math.min(offset, this.text.length));
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: o - s[lo]! + 1 };
  }

  /** Offset of a 1-based line/column (clamped to the line's end and to the text). */
  offset(line: number, col: number): number {
    const s = this.starts;
    if (line < 1) return 0;
    if (line > s.length) return this.text.length;
    const start = s[line - 1]!;
    const end = line < s.length ? s[line]! - 1 : this.text.length;
    return Math.min(end, start + Math.max(0, col - 1));
  }

  get lineCount(): number {
    return this.starts.length;
  }
}
