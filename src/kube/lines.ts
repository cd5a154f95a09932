/**
 * Splits a stream of text chunks into lines with a bounded buffer. Each chunk is scanned once (no
 * re-scan of the held partial line, which made a long line quadratic), and a line longer than
 * `maxLength` never accumulates: `split` emits it in pieces (logs), `error` reports it and ignores
 * the rest of the stream (watch events, where a cut event is useless).
 */
export class LineBuffer {
  private parts: string[] = [];
  private size = 0;
  private broken = false;

  constructor(
    private readonly maxLength: number,
    private readonly onLine: (line: string) => void,
    private readonly overflow: 'split' | ((length: number) => void),
  ) {}

  push(text: string): void {
    if (this.broken) return;
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      if (!this.append(text.slice(start, nl))) return;
      this.emit();
      start = nl + 1;
    }
    if (start < text.length) this.append(text.slice(start));
  }

  /** The stream ended: a last line without a newline still counts. */
  flush(): void {
    if (this.broken) return;
    if (this.size > 0) this.emit();
  }

  /** Characters held for the current, unfinished line. */
  get pending(): number {
    return this.size;
  }

  private append(piece: string): boolean {
    if (piece.length === 0) return true;
    if (this.size + piece.length <= this.maxLength) {
      this.parts.push(piece);
      this.size += piece.length;
      return true;
    }
    if (this.overflow === 'split') {
      let rest = piece;
      while (this.size + rest.length > this.maxLength) {
        const room = this.maxLength - this.size;
        this.parts.push(rest.slice(0, room));
        this.size = this.maxLength;
        this.emit();
        rest = rest.slice(room);
      }
      if (rest) {
        this.parts.push(rest);
        this.size = rest.length;
      }
      return true;
    }
    const length = this.size + piece.length;
    this.broken = true;
    this.parts = [];
    this.size = 0;
    this.overflow(length);
    return false;
  }

  private emit(): void {
    const line = this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
    this.parts = [];
    this.size = 0;
    this.onLine(line);
  }
}
