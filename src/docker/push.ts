// The Engine API's push stream (`POST /images/{name}/push`): JSON messages, one per line, with
// layer progress, the registry's errors (`errorDetail`), and at the end the digest the registry
// stored, both as an `aux` record and as a status line. The digest is what Deploy pins the
// manifests to, so it is taken from the stream (what the registry said), never computed here.

export type PushEvent =
  | { readonly type: 'status'; readonly text: string; readonly layer?: string }
  | { readonly type: 'progress'; readonly layer: string; readonly current: number; readonly total: number }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'digest'; readonly tag?: string; readonly digest: string; readonly size?: number };

const DIGEST_LINE = /(?:^|\s)digest: (sha256:[0-9a-f]{64})(?: size: (\d+))?/;
const MAX_LINE = 1024 * 1024;

/** Incremental parser: feed it chunks, read events; `digest` and `error` hold the outcome. */
export class PushOutputParser {
  private buffer = '';
  digest: string | undefined;
  size: number | undefined;
  error: string | undefined;
  /** The last status lines, for an error message's context. */
  readonly tail: string[] = [];

  push(chunk: Buffer | string): PushEvent[] {
    this.buffer += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const out: PushEvent[] = [];
    let nl = this.buffer.indexOf('\n');
    while (nl >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      out.push(...this.line(line));
      nl = this.buffer.indexOf('\n');
    }
    // A line with no end in sight is not the engine's: drop it rather than grow without bound.
    if (this.buffer.length > MAX_LINE) this.buffer = '';
    return out;
  }

  end(): PushEvent[] {
    const rest = this.buffer;
    this.buffer = '';
    return rest.trim() ? this.line(rest) : [];
  }

  private line(raw: string): PushEvent[] {
    const line = raw.trim();
    if (!line) return [];
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      return [{ type: 'status', text: line.slice(0, 2000) }];
    }
    if (typeof msg !== 'object' || msg === null) return [];
    const m = msg as { status?: unknown; id?: unknown; error?: unknown; errorDetail?: { message?: unknown }; progressDetail?: { current?: unknown; total?: unknown }; aux?: { Tag?: unknown; Digest?: unknown; Size?: unknown } };
    const id = typeof m.id === 'string' ? m.id : undefined;
    if (m.errorDetail || m.error !== undefined) {
      const message = typeof m.errorDetail?.message === 'string' ? m.errorDetail.message : typeof m.error === 'string' ? m.error : 'push failed';
      this.error = message.slice(0, 2000);
      return [{ type: 'error', message: this.error }];
    }
    if (m.aux && typeof m.aux.Digest === 'string' && /^sha256:[0-9a-f]{64}$/.test(m.aux.Digest)) {
      this.digest = m.aux.Digest;
      if (typeof m.aux.Size === 'number') this.size = m.aux.Size;
      return [{ type: 'digest', digest: m.aux.Digest, ...(typeof m.aux.Tag === 'string' ? { tag: m.aux.Tag } : {}), ...(this.size !== undefined ? { size: this.size } : {}) }];
    }
    if (typeof m.status !== 'string') return [];
    const status = m.status.slice(0, 2000);
    const current = m.progressDetail?.current;
    const total = m.progressDetail?.total;
    if (id && typeof current === 'number' && typeof total === 'number') return [{ type: 'progress', layer: id, current, total }];
    const d = DIGEST_LINE.exec(status);
    if (d && !this.digest) {
      this.digest = d[1];
      if (d[2]) this.size = Number(d[2]);
    }
    this.tail.push(id ? `${id}: ${status}` : status);
    if (this.tail.length > 20) this.tail.shift();
    return [{ type: 'status', text: status, ...(id ? { layer: id } : {}) }];
  }
}
