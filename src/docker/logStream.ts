/**
 * Pure helpers for container log streams: Docker's multiplexed framing (8-byte headers when the
 * container has no TTY) and the RFC 3339 timestamps `timestamps=true` prefixes to every line,
 * which let a follower re-attach after a restart without repeating or losing lines.
 */

export type StreamName = 'stdout' | 'stderr';

/** Splits Docker's multiplexed stream into (stream, bytes) frames; keeps partial frames across pushes. */
export class Demuxer {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): { stream: StreamName; data: Buffer }[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: { stream: StreamName; data: Buffer }[] = [];
    while (this.buf.length >= 8) {
      const type = this.buf[0];
      const size = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + size) break;
      out.push({ stream: type === 2 ? 'stderr' : 'stdout', data: this.buf.subarray(8, 8 + size) });
      this.buf = this.buf.subarray(8 + size);
    }
    return out;
  }
}

const TS_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2}) /;

/** Splits a timestamped line into its timestamp and text. */
export function splitTimestamp(line: string): { ts: string | undefined; text: string } {
  const m = TS_RE.exec(line);
  if (!m) return { ts: undefined, text: line };
  return { ts: m[0].slice(0, -1), text: line.slice(m[0].length) };
}

/**
 * The `since` value (UNIX seconds with nanoseconds) just after an RFC 3339 timestamp: the engine's
 * `since` filter is inclusive, so re-attaching one nanosecond later yields exactly the new lines.
 */
export function sinceAfter(ts: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(ts);
  if (!m) throw new Error(`Not an RFC 3339 timestamp: ${ts}`);
  let seconds = BigInt(Math.floor(Date.parse(`${m[1]}${m[3]}`) / 1000));
  let nanos = BigInt((m[2] ?? '').padEnd(9, '0') || '0') + 1n;
  if (nanos >= 1_000_000_000n) {
    seconds += 1n;
    nanos -= 1_000_000_000n;
  }
  return `${seconds}.${nanos.toString().padStart(9, '0')}`;
}

/** Per-stream line assembly for timestamped logs; reports the last timestamp seen. */
export class TimestampedLines {
  private readonly partial: Record<StreamName, string> = { stdout: '', stderr: '' };
  lastTimestamp: string | undefined;
  private readonly decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };

  push(stream: StreamName, data: Buffer): string[] {
    const text = this.partial[stream] + this.decoders[stream].decode(data, { stream: true });
    const lines = text.split('\n');
    this.partial[stream] = lines.pop() ?? '';
    return lines.map((l) => this.strip(l) + '\n');
  }

  flush(): { stream: StreamName; text: string }[] {
    const out: { stream: StreamName; text: string }[] = [];
    for (const s of ['stdout', 'stderr'] as const) {
      if (this.partial[s]) out.push({ stream: s, text: this.strip(this.partial[s]) });
      this.partial[s] = '';
    }
    return out;
  }

  private strip(line: string): string {
    const { ts, text } = splitTimestamp(line);
    if (ts) this.lastTimestamp = ts;
    return text;
  }
}
