import { ReconnectPolicy } from './backoff';
import { Emitter } from './batch';
import { KubeError, errorFromStatus, isKubeError } from './errors';
import type { StreamHandle, Transport } from './http';
import { LineBuffer } from './lines';
import { DEFAULT_TUNING, type ClientTuning } from './tuning';
import type { Disposable, KubeErrorInfo, ResourceWatch, WatchChange, WatchState } from './types';

/**
 * List + watch for one collection, as client-go's reflector does it:
 *  - list (paged with limit/continue) and remember the list's resourceVersion;
 *  - watch from that version with bookmarks on, moving the version forward on every event and
 *    bookmark so a re-watch after the server's timeout replays nothing and lists nothing;
 *  - 410 Gone (an ERROR event, or HTTP 410) means our version was compacted: list again;
 *  - every reconnect goes through one ReconnectPolicy (backoff with jitter and a floor, a relist
 *    budget, a cap on failures in a row); auth errors stop at once and wait for Retry, because
 *    retrying a 403 every few seconds helps nobody;
 *  - every watch line is bounded and every event validated: garbage is logged and skipped.
 * Idle costs nothing but the open watch connection.
 */

export interface ReflectorOptions<T> {
  readonly transport: Transport;
  readonly path: string;
  readonly resource: string;
  readonly namespace?: string;
  readonly parse: (raw: unknown) => T | undefined;
  readonly key: (item: T) => string;
  readonly pageSize?: number;
  readonly timeoutSeconds?: number;
  readonly fieldSelector?: string;
  readonly labelSelector?: string;
  readonly tuning?: ClientTuning;
  /** Objects that failed validation; the reflector skips them. */
  readonly onInvalid?: (raw: unknown) => void;
  readonly onTrace?: (message: string) => void;
}

type WatchOutcome = { kind: 'relist' } | { kind: 'closed' } | { kind: 'failed'; error: KubeError };

const FATAL = new Set(['unauthorized', 'forbidden', 'credentials', 'not-found', 'invalid', 'tls', 'no-kubeconfig', 'untrusted-config', 'too-large']);
const isFatal = (err: KubeError) => FATAL.has(err.info.kind);
const EVENT_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);
/** Invalid events logged per connection; the rest are only counted. */
const INVALID_LOGGED = 3;

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

function metaRv(obj: Rec): string | undefined {
  const md = obj.metadata;
  return isRec(md) && typeof md.resourceVersion === 'string' ? md.resourceVersion : undefined;
}

/** One watch line as an event, or why it is not one. */
export function parseWatchEvent(line: string): { type: string; object: Rec } | { invalid: string } {
  let ev: unknown;
  try {
    ev = JSON.parse(line);
  } catch {
    return { invalid: 'not JSON' };
  }
  if (!isRec(ev)) return { invalid: `not an object (${ev === null ? 'null' : typeof ev})` };
  if (typeof ev.type !== 'string' || !EVENT_TYPES.has(ev.type)) return { invalid: `unknown type ${JSON.stringify(ev.type)?.slice(0, 40) ?? 'undefined'}` };
  if (!isRec(ev.object)) return { invalid: `${ev.type} without an object` };
  return { type: ev.type, object: ev.object };
}

const toKubeError = (err: unknown) => (isKubeError(err) ? err : new KubeError({ kind: 'server', message: err instanceof Error ? err.message : String(err) }));

export class Reflector<T> implements ResourceWatch<T> {
  private store = new Map<string, T>();
  private _state: WatchState = { kind: 'loading' };
  private readonly changes = new Emitter<WatchChange<T>>();
  private readonly states = new Emitter<WatchState>();
  private readonly policy: ReconnectPolicy;
  private readonly tuning: ClientTuning;
  private generation = 0;
  private stream: StreamHandle | undefined;
  private wake: (() => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private _resourceVersion: string | undefined;
  private _lists = 0;
  private _watches = 0;
  /** Aborts whatever request the current generation has in flight (list page or watch open). */
  private inflight = new AbortController();

  constructor(private readonly opts: ReflectorOptions<T>) {
    this.tuning = opts.tuning ?? DEFAULT_TUNING;
    this.policy = new ReconnectPolicy(this.tuning.reconnect);
    void this.run(this.generation);
  }

  get state(): WatchState {
    return this._state;
  }
  get items(): ReadonlyMap<string, T> {
    return this.store;
  }
  /** The version the next watch starts from (diagnostics). */
  get resourceVersion(): string | undefined {
    return this._resourceVersion;
  }
  /** Lists made so far, relists included (diagnostics). */
  get lists(): number {
    return this._lists;
  }
  /** Watch requests made so far (diagnostics). */
  get watches(): number {
    return this._watches;
  }

  onChange(listener: (change: WatchChange<T>) => void): Disposable {
    return this.changes.event(listener);
  }
  onState(listener: (state: WatchState) => void): Disposable {
    return this.states.event(listener);
  }

  restart(): void {
    if (this.disposed) return;
    this.stop();
    this.policy.reset();
    this.setState({ kind: 'loading' });
    void this.run(++this.generation);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.generation++;
    this.stop();
    this.changes.dispose();
    this.states.dispose();
  }

  private stop(): void {
    this.inflight.abort();
    this.inflight = new AbortController();
    this.stream?.abort();
    this.stream = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.wake?.();
    this.wake = undefined;
  }

  private alive(gen: number): boolean {
    return !this.disposed && gen === this.generation;
  }

  private trace(message: string): void {
    this.opts.onTrace?.(`${this.opts.resource}${this.opts.namespace ? ` in ${this.opts.namespace}` : ''}: ${message}`);
  }

  private setState(state: WatchState): void {
    const same =
      state.kind === this._state.kind &&
      (state.kind !== 'error' ||
        (this._state.kind === 'error' && this._state.error.message === state.error.message && this._state.retrying === state.retrying));
    this._state = state;
    if (!same) this.states.fire(state);
  }

  /** A cancellable backoff wait: dispose/restart wakes it immediately. */
  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.wake = undefined;
        resolve();
      }, ms);
    });
  }

  private fail(error: KubeError, retrying: boolean): void {
    const info: KubeErrorInfo = error.info;
    this.trace(`${info.kind} ${info.message}${retrying ? ' (retrying)' : ' (stopped; waiting for Retry)'}`);
    this.setState({ kind: 'error', error: info, retrying });
  }

  /** The error a watch stops with when the policy gives up. */
  private gaveUp(reason: 'relist-budget' | 'max-failures', count: number, last: KubeError | undefined): KubeError {
    const r = this.opts.resource;
    const windowMin = Math.round(this.tuning.reconnect.relistWindowMs / 60_000);
    if (reason === 'relist-budget') {
      return new KubeError({
        kind: 'server',
        code: 410,
        message: `The API server expired the watch of ${r} ${count} times within ${windowMin} min (410 Gone); ModelDock stopped watching.`,
        hint: 'Retry once the cluster is healthy. A proxy or cache in front of the API server can cause this.',
      });
    }
    if (last) return new KubeError({ ...last.info, message: `${last.info.message} (gave up after ${count} attempts in a row)` });
    return new KubeError({
      kind: 'server',
      message: `The API server closed the watch of ${r} right after opening it, ${count} times in a row; ModelDock stopped watching.`,
      hint: 'Retry later. A proxy or load balancer with a very short timeout can cause this.',
    });
  }

  private async run(gen: number): Promise<void> {
    let needList = true;
    while (this.alive(gen)) {
      if (needList) {
        try {
          await this.list(gen);
        } catch (err) {
          if (!this.alive(gen)) return;
          const error = toKubeError(err);
          if (isFatal(error)) return this.fail(error, false);
          const next = this.policy.after({ livedMs: 0, failed: true, relist: false });
          if ('stop' in next) return this.fail(this.gaveUp(next.stop, next.count, error), false);
          this.fail(error, true);
          await this.delay(next.delayMs);
          continue;
        }
        if (!this.alive(gen)) return;
        needList = false;
        this.setState({ kind: 'ready' });
      }
      const started = this.tuning.reconnect.now();
      const outcome = await this.watchOnce(gen);
      if (!this.alive(gen)) return;
      const livedMs = this.tuning.reconnect.now() - started;
      let failure: KubeError | undefined;
      let relist = outcome.kind === 'relist';
      if (outcome.kind === 'failed') {
        if (outcome.error.info.code === 410 || outcome.error.info.kind === 'gone') relist = true;
        else if (isFatal(outcome.error)) return this.fail(outcome.error, false);
        else failure = outcome.error;
      }
      const next = this.policy.after({ livedMs, failed: failure !== undefined, relist });
      if ('stop' in next) return this.fail(this.gaveUp(next.stop, next.count, failure), false);
      if (failure) this.fail(failure, true);
      if (relist) needList = true;
      await this.delay(next.delayMs);
    }
  }

  private async list(gen: number): Promise<void> {
    const next = new Map<string, T>();
    let cont: string | undefined;
    let rv: string | undefined;
    let pages = 0;
    this._lists++;
    do {
      if (++pages > this.tuning.maxListPages) {
        throw new KubeError({ kind: 'too-large', message: `list ${this.opts.resource}: more than ${this.tuning.maxListPages} pages; ModelDock stopped listing.` });
      }
      const body = await this.opts.transport.json('GET', this.opts.path, {
        query: { limit: this.opts.pageSize ?? 500, continue: cont, fieldSelector: this.opts.fieldSelector, labelSelector: this.opts.labelSelector },
        signal: this.inflight.signal,
        describe: { verb: 'list', resource: this.opts.resource, ...(this.opts.namespace ? { namespace: this.opts.namespace } : {}) },
      });
      if (!this.alive(gen)) return;
      if (!isRec(body) || !Array.isArray(body.items)) throw new KubeError({ kind: 'server', message: `list ${this.opts.resource}: not a list response` });
      for (const raw of body.items) {
        const item = this.opts.parse(raw);
        if (item === undefined) this.opts.onInvalid?.(raw);
        else next.set(this.opts.key(item), item);
      }
      const md = isRec(body.metadata) ? body.metadata : {};
      rv ??= typeof md.resourceVersion === 'string' ? md.resourceVersion : undefined;
      const nextCont = typeof md.continue === 'string' && md.continue !== '' ? md.continue : undefined;
      if (nextCont !== undefined && nextCont === cont) throw new KubeError({ kind: 'server', message: `list ${this.opts.resource}: the server repeated its continue token` });
      cont = nextCont;
    } while (cont);
    this.store = next;
    this._resourceVersion = rv;
    this.changes.fire({ reset: true, upserted: [...next.values()], deleted: [] });
  }

  private async watchOnce(gen: number): Promise<WatchOutcome> {
    let outcome: WatchOutcome | undefined;
    let invalid = 0;
    let events = 0;
    let handle: StreamHandle | undefined;
    const end = (o: WatchOutcome) => {
      outcome ??= o;
      handle?.abort();
    };
    const skip = (why: string) => {
      invalid++;
      if (invalid <= INVALID_LOGGED) this.trace(`skipped a watch event: ${why}`);
    };
    const onLine = (raw: string) => {
      if (outcome || !this.alive(gen)) return;
      const line = raw.trim();
      if (!line) return;
      const ev = parseWatchEvent(line);
      if ('invalid' in ev) return skip(ev.invalid);
      events++;
      const { type, object } = ev;
      if (type === 'ERROR') {
        const code = typeof object.code === 'number' ? object.code : 500;
        if (code === 410 || object.reason === 'Expired' || object.reason === 'Gone') return end({ kind: 'relist' });
        return end({ kind: 'failed', error: errorFromStatus(code, object, { verb: 'watch', resource: this.opts.resource, ...(this.opts.namespace ? { namespace: this.opts.namespace } : {}) }) });
      }
      const rv = metaRv(object);
      if (type === 'BOOKMARK') {
        if (rv) this._resourceVersion = rv;
        return;
      }
      const item = this.opts.parse(object);
      if (rv) this._resourceVersion = rv;
      if (item === undefined) {
        this.opts.onInvalid?.(object);
        return skip(`${type} object failed validation`);
      }
      const key = this.opts.key(item);
      if (type === 'DELETED') {
        if (this.store.delete(key)) this.changes.fire({ reset: false, upserted: [], deleted: [key] });
      } else {
        this.store.set(key, item);
        this.changes.fire({ reset: false, upserted: [item], deleted: [] });
      }
    };
    const lines = new LineBuffer(this.tuning.maxLineLength, onLine, (length) =>
      end({
        kind: 'failed',
        error: new KubeError({
          kind: 'too-large',
          message: `A watch event of ${this.opts.resource} is longer than ${this.tuning.maxLineLength} characters (${length} so far, no line end); ModelDock stopped watching.`,
          hint: 'No Kubernetes object is that large: a proxy may be answering instead of the API server.',
        }),
      }),
    );
    const timeoutSeconds = this.opts.timeoutSeconds ?? 300;
    this._watches++;
    try {
      handle = await this.opts.transport.stream(
        this.opts.path,
        {
          query: {
            watch: 1,
            resourceVersion: this._resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds,
            fieldSelector: this.opts.fieldSelector,
            labelSelector: this.opts.labelSelector,
          },
          describe: { verb: 'watch', resource: this.opts.resource, ...(this.opts.namespace ? { namespace: this.opts.namespace } : {}) },
          signal: this.inflight.signal,
          idleTimeoutMs: this.tuning.watchIdleTimeoutMs ?? timeoutSeconds * 1000 + 60_000,
        },
        (text) => lines.push(text),
      );
    } catch (err) {
      return { kind: 'failed', error: toKubeError(err) };
    }
    if (!this.alive(gen)) {
      handle.abort();
      return { kind: 'closed' };
    }
    this.stream = handle;
    if (outcome) handle.abort();
    else if (this._state.kind === 'error' && this._state.retrying) this.setState({ kind: 'ready' });
    const ended = await handle.ended;
    if (this.stream === handle) this.stream = undefined;
    if (!outcome) lines.flush();
    if (invalid > INVALID_LOGGED) this.trace(`skipped ${invalid} invalid watch events in all on this connection`);
    if (outcome) return outcome;
    if (ended) return { kind: 'failed', error: ended };
    if (events === 0) this.trace('the server closed the watch without sending anything');
    return { kind: 'closed' };
  }
}
