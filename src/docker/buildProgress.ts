import type { BuildEvent } from './types';

/**
 * Turns the /build response (newline-delimited JSON) into ModelDock build events. Pure: bytes in,
 * events out. Handles the classic builder ("Step N/M : …" in `stream`) and BuildKit, whose
 * progress arrives as base64 protobuf `moby.buildkit.v1.StatusResponse` in `aux`.
 */

// ------------------------------------------------------------ minimal protobuf reader
// Only what StatusResponse needs; dockerode's decoder loads .proto files from disk at run time,
// which a bundled extension cannot rely on.

interface Field {
  readonly no: number;
  readonly wire: number;
  readonly varint?: number;
  readonly bytes?: Uint8Array;
}

function readFields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let mul = 1;
    for (;;) {
      if (pos >= buf.length) throw new Error('truncated varint');
      const b = buf[pos++] as number;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
      if (mul > 2 ** 70) throw new Error('varint too long');
    }
  };
  while (pos < buf.length) {
    const key = varint();
    const no = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) out.push({ no, wire, varint: varint() });
    else if (wire === 2) {
      const len = varint();
      if (pos + len > buf.length) throw new Error('truncated field');
      out.push({ no, wire, bytes: buf.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const utf8 = new TextDecoder();
const str = (f: Field): string => (f.bytes ? utf8.decode(f.bytes) : '');

export interface BkVertex {
  digest: string;
  name: string;
  cached: boolean;
  started: boolean;
  completed: boolean;
  error: string;
}
export interface BkLog {
  vertex: string;
  stream: number;
  msg: Uint8Array;
}
export interface BkStatus {
  id: string;
  vertex: string;
  name: string;
  current: number;
  total: number;
  completed: boolean;
}
export interface BkStatusResponse {
  vertexes: BkVertex[];
  statuses: BkStatus[];
  logs: BkLog[];
  warnings: { vertex: string; short: string }[];
}

export function decodeBuildkitStatus(data: Uint8Array): BkStatusResponse {
  const res: BkStatusResponse = { vertexes: [], statuses: [], logs: [], warnings: [] };
  for (const f of readFields(data)) {
    if (!f.bytes) continue;
    if (f.no === 1) {
      const v: BkVertex = { digest: '', name: '', cached: false, started: false, completed: false, error: '' };
      for (const g of readFields(f.bytes)) {
        if (g.no === 1) v.digest = str(g);
        else if (g.no === 3) v.name = str(g);
        else if (g.no === 4) v.cached = g.varint === 1;
        else if (g.no === 5) v.started = true;
        else if (g.no === 6) v.completed = true;
        else if (g.no === 7) v.error = str(g);
      }
      res.vertexes.push(v);
    } else if (f.no === 2) {
      const s: BkStatus = { id: '', vertex: '', name: '', current: 0, total: 0, completed: false };
      for (const g of readFields(f.bytes)) {
        if (g.no === 1) s.id = str(g);
        else if (g.no === 2) s.vertex = str(g);
        else if (g.no === 3) s.name = str(g);
        else if (g.no === 4) s.current = g.varint ?? 0;
        else if (g.no === 5) s.total = g.varint ?? 0;
        else if (g.no === 8) s.completed = true;
      }
      res.statuses.push(s);
    } else if (f.no === 3) {
      const l: BkLog = { vertex: '', stream: 0, msg: new Uint8Array() };
      for (const g of readFields(f.bytes)) {
        if (g.no === 1) l.vertex = str(g);
        else if (g.no === 3) l.stream = g.varint ?? 0;
        else if (g.no === 4) l.msg = g.bytes ?? new Uint8Array();
      }
      res.logs.push(l);
    } else if (f.no === 4) {
      const w = { vertex: '', short: '' };
      for (const g of readFields(f.bytes)) {
        if (g.no === 1) w.vertex = str(g);
        else if (g.no === 3) w.short = str(g);
      }
      res.warnings.push(w);
    }
  }
  return res;
}

// ------------------------------------------------------------ step parsing

const CLASSIC_STEP = /^Step (\d+)\/(\d+) : (.*)$/m;
// BuildKit's Dockerfile frontend names steps "[2/5] RUN …" or "[stage-1 2/5] RUN …".
const BUILDKIT_STEP = /^\[(?:[^\]\s]+\s+)?(\d+)\/(\d+)\]\s*(.*)$/;

export function parseClassicStep(text: string): { current: number; total: number; text: string } | undefined {
  const m = CLASSIC_STEP.exec(text);
  if (!m) return undefined;
  return { current: Number(m[1]), total: Number(m[2]), text: (m[3] ?? '').trim() };
}

export function parseBuildkitStep(vertexName: string): { current: number; total: number; text: string } | undefined {
  const m = BUILDKIT_STEP.exec(vertexName);
  if (!m) return undefined;
  return { current: Number(m[1]), total: Number(m[2]), text: (m[3] ?? '').trim() };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Stateful line splitter + decoder for one build's response stream. */
export class BuildOutputParser {
  private pending = '';
  private readonly vertexNumbers = new Map<string, number>();
  private readonly vertexState = new Map<string, { started: boolean; completed: boolean }>();
  private readonly bkLogPending = new Map<string, string>();
  imageId: string | undefined;
  error: string | undefined;
  /** The last few output lines, to show with an error the engine reports tersely. */
  readonly tail: string[] = [];

  push(chunk: Uint8Array | string): BuildEvent[] {
    this.pending += typeof chunk === 'string' ? chunk : utf8.decode(chunk, { stream: true });
    const events: BuildEvent[] = [];
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, nl).trim();
      this.pending = this.pending.slice(nl + 1);
      if (line) this.line(line, events);
    }
    return events;
  }

  end(): BuildEvent[] {
    const events: BuildEvent[] = [];
    const rest = this.pending.trim();
    this.pending = '';
    if (rest) this.line(rest, events);
    return events;
  }

  private remember(text: string): void {
    for (const l of text.split('\n')) {
      if (!l.trim()) continue;
      this.tail.push(l);
      if (this.tail.length > 20) this.tail.shift();
    }
  }

  private line(line: string, events: BuildEvent[]): void {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      // Not JSON (a proxy's error page, say): show it rather than drop it.
      events.push({ type: 'log', text: `${line}\n` });
      return;
    }
    if (!isRecord(msg)) return;
    if (typeof msg.error === 'string' || isRecord(msg.errorDetail)) {
      const detail = isRecord(msg.errorDetail) && typeof msg.errorDetail.message === 'string' ? msg.errorDetail.message : undefined;
      const message = (typeof msg.error === 'string' ? msg.error : detail) ?? 'build failed';
      this.error = message;
      events.push({ type: 'error', message });
      return;
    }
    if (msg.id === 'moby.buildkit.trace' && typeof msg.aux === 'string') {
      let status: BkStatusResponse;
      try {
        status = decodeBuildkitStatus(Buffer.from(msg.aux, 'base64'));
      } catch {
        return;
      }
      this.buildkit(status, events);
      return;
    }
    if (msg.id === 'moby.image.id' && isRecord(msg.aux) && typeof msg.aux.ID === 'string') {
      this.imageId = msg.aux.ID;
      events.push({ type: 'imageId', id: msg.aux.ID });
      return;
    }
    if (isRecord(msg.aux) && typeof msg.aux.ID === 'string') {
      this.imageId = msg.aux.ID;
      events.push({ type: 'imageId', id: msg.aux.ID });
      return;
    }
    if (typeof msg.stream === 'string') {
      const step = parseClassicStep(msg.stream);
      if (step) events.push({ type: 'step', ...step });
      this.remember(msg.stream);
      events.push({ type: 'log', text: msg.stream });
      return;
    }
    if (typeof msg.status === 'string') {
      const id = typeof msg.id === 'string' ? `${msg.id}: ` : '';
      const progress = typeof msg.progress === 'string' ? ` ${msg.progress}` : '';
      events.push({ type: 'log', text: `${id}${msg.status}${progress}\n` });
    }
  }

  private number(digest: string): number {
    let n = this.vertexNumbers.get(digest);
    if (n === undefined) {
      n = this.vertexNumbers.size + 1;
      this.vertexNumbers.set(digest, n);
    }
    return n;
  }

  /** Renders BuildKit status the way `--progress=plain` does: `#N name`, output, `#N DONE`. */
  private buildkit(status: BkStatusResponse, events: BuildEvent[]): void {
    for (const v of status.vertexes) {
      const n = this.number(v.digest);
      const prev = this.vertexState.get(v.digest) ?? { started: false, completed: false };
      if (v.started && !prev.started) {
        const step = parseBuildkitStep(v.name);
        if (step) events.push({ type: 'step', ...step });
        events.push({ type: 'log', text: `#${n} ${v.name}\n` });
      }
      if (v.completed && !prev.completed) {
        const pendingLog = this.bkLogPending.get(v.digest);
        if (pendingLog) {
          events.push({ type: 'log', text: `#${n} ${pendingLog}\n` });
          this.bkLogPending.delete(v.digest);
        }
        if (v.error) {
          this.remember(`ERROR: ${v.error}`);
          events.push({ type: 'log', text: `#${n} ERROR: ${v.error}\n` });
        } else if (v.cached) events.push({ type: 'log', text: `#${n} CACHED\n` });
        else events.push({ type: 'log', text: `#${n} DONE\n` });
      }
      this.vertexState.set(v.digest, { started: prev.started || v.started, completed: prev.completed || v.completed });
    }
    for (const l of status.logs) {
      const n = this.number(l.vertex);
      // Log messages can split lines; prefix only complete lines, keep ANSI untouched.
      const text = (this.bkLogPending.get(l.vertex) ?? '') + utf8.decode(l.msg);
      const parts = text.split('\n');
      const last = parts.pop() ?? '';
      for (const p of parts) {
        this.remember(p);
        events.push({ type: 'log', text: `#${n} ${p}\n` });
      }
      if (last) this.bkLogPending.set(l.vertex, last);
      else this.bkLogPending.delete(l.vertex);
    }
    for (const w of status.warnings) {
      events.push({ type: 'log', text: `WARNING: ${w.short}\n` });
    }
  }
}
