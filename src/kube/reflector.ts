import { Backoff } from './backoff';
import { Emitter } from './batch';
import { KubeError, isKubeError } from './errors';
import type { StreamHandle, Transport } from './http';
import type { Disposable, KubeErrorInfo, ResourceWatch, WatchChange, WatchState } from './types';

/**
 * List + watch for one collection, as client-go's reflector does it:
 *  - list (paged with limit/continue) and remember the list's resourceVersion;
 *  - watch from that version with bookmarks on, moving the version forward on every event and
 *    bookmark so a re-watch after the server's timeout replays nothing and lists nothing;
 *  - 410 Gone (an ERROR event, or HTTP 410) means our version was compacted: list again;
 *  - dropped connections re-watch after an exponential backoff; auth errors stop and wait for
 *    a refresh, because retrying a 403 every few seconds helps nobody.
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
  readonly backoff?: Backoff;
  /** Objects that failed validation; the reflector skips them. */
  readonly onInvalid?: (raw: unknown) => void;
  readonly onTrace?: (message: string) => void;
}

type WatchOutcome = { kind: 'relist' } | { kind: 'closed'; events: number; ms: number } | { kind: 'failed'; error: KubeError };

function isFatal(err: KubeError): boolean {
  return ['unauthorized', 'forbidden', 'credentials', 'not-found', 'invalid', 'tls', 'no-kubeconfig'].includes(err.info.kind);
}

function metaRv(obj: unknown): string | undefined {
  const md = (obj as { metadata?: { resourceVersion?: unknown } } | null)?.metadata;
  return typeof md?.resourceVersion === 'string' ? md.resourceVersion : undefined;
}

export class Reflector<T> implements ResourceWatch<T> {
  private store = new Map<string, T>();
  private _state: WatchState = { kind: 'loading' };
  private readonly changes = new Emitter<WatchChange<T>>();
  private readonly states = new Emitter<WatchState>();
  private readonly backoff: Backoff;
  private generation = 0;
  private stream: StreamHandle | undefined;
  private wake: (() => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  /** Aborts whatever request the current generation has in flight (list page or watch open). */
  private inflight = new AbortController();
  /** The version the next watch starts from; exposed for tests. */
  resourceVersion: string | undefined;
  lists = 0;

  constructor(private readonly opts: ReflectorOptions<T>) {
    this.backoff = opts.backoff ?? new Backoff();
    void this.run(this.generation);
  }

  get state(): WatchState {
    return this._state;
  }
  get items(): ReadonlyMap<string, T> {
    return this.store;
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
    this.backoff.reset();
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

  private setState(state: WatchState): void {
    const same =
      state.kind === this._state.kind &&
      (state.kind !== 'error' || (this._state.kind === 'error' && this._state.error.message === state.error.message));
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
    this.opts.onTrace?.(`${this.opts.resource}: ${info.kind} ${info.message}${retrying ? ' (retrying)' : ''}`);
    this.setState({ kind: 'error', error: info, retrying });
  }

  private async run(gen: number): Promise<void> {
    while (this.alive(gen)) {
      try {
        await this.list(gen);
      } catch (err) {
        if (!this.alive(gen)) return;
        const error = err instanceof KubeError ? err : new KubeError({ kind: 'server', message: String(err) });
        if (isFatal(error)) return this.fail(error, false);
        this.fail(error, true);
        await this.delay(this.backoff.next());
        continue;
      }
      if (!this.alive(gen)) return;
      this.setState({ kind: 'ready' });
      while (this.alive(gen)) {
        const outcome = await this.watchOnce(gen);
        if (!this.alive(gen)) return;
        if (outcome.kind === 'relist') break;
        if (outcome.kind === 'closed') {
          // A server-side timeout: re-watch at once. A watch that closes instantly with nothing
          // in it is a misbehaving proxy; back off so we do not spin.
          if (outcome.events > 0 || outcome.ms > 1000) {
            this.backoff.reset();
            continue;
          }
          await this.delay(this.backoff.next());
          continue;
        }
        if (outcome.error.info.code === 410 || outcome.error.info.kind === 'gone') break;
        if (isFatal(outcome.error)) return this.fail(outcome.error, false);
        this.fail(outcome.error, true);
        await this.delay(this.backoff.next());
      }
    }
  }

  private async list(gen: number): Promise<void> {
    const next = new Map<string, T>();
    let cont: string | undefined;
    let rv: string | undefined;
    this.lists++;
    do {
      const body = (await this.opts.transport.json('GET', this.opts.path, {
        query: { limit: this.opts.pageSize ?? 500, continue: cont, fieldSelector: this.opts.fieldSelector },
        signal: this.inflight.signal,
        describe: { verb: 'list', resource: this.opts.resource, ...(this.opts.namespace ? { namespace: this.opts.namespace } : {}) },
      })) as { metadata?: { resourceVersion?: unknown; continue?: unknown }; items?: unknown } | null;
      if (!this.alive(gen)) return;
      if (!body || !Array.isArray(body.items)) throw new KubeError({ kind: 'server', message: `list ${this.opts.resource}: not a list response` });
      for (const raw of body.items) {
        const item = this.opts.parse(raw);
        if (item === undefined) this.opts.onInvalid?.(raw);
        else next.set(this.opts.key(item), item);
      }
      rv ??= typeof body.metadata?.resourceVersion === 'string' ? body.metadata.resourceVersion : undefined;
      cont = typeof body.metadata?.continue === 'string' && body.metadata.continue !== '' ? body.metadata.continue : undefined;
    } while (cont);
    this.store = next;
    this.resourceVersion = rv;
    this.changes.fire({ reset: true, upserted: [...next.values()], deleted: [] });
  }

  private async watchOnce(gen: number): Promise<WatchOutcome> {
    const started = Date.now();
    let events = 0;
    let buffered = '';
    let outcome: WatchOutcome | undefined;
    const onEvent = (line: string) => {
      let ev: { type?: unknown; object?: unknown };
      try {
        ev = JSON.parse(line) as { type?: unknown; object?: unknown };
      } catch {
        return;
      }
      events++;
      const type = ev.type;
      if (type === 'ERROR') {
        const st = (ev.object ?? {}) as { code?: unknown; message?: unknown; reason?: unknown };
        if (st.code === 410 || st.reason === 'Expired' || st.reason === 'Gone') outcome = { kind: 'relist' };
        else
          outcome = {
            kind: 'failed',
            error: new KubeError({
              kind: 'server',
              message: typeof st.message === 'string' ? st.message : 'watch error',
              ...(typeof st.code === 'number' ? { code: st.code } : {}),
            }),
          };
        this.stream?.abort();
        return;
      }
      const rv = metaRv(ev.object);
      if (type === 'BOOKMARK') {
        if (rv) this.resourceVersion = rv;
        return;
      }
      const item = this.opts.parse(ev.object);
      if (item === undefined) {
        this.opts.onInvalid?.(ev.object);
        if (rv) this.resourceVersion = rv;
        return;
      }
      const key = this.opts.key(item);
      if (rv) this.resourceVersion = rv;
      if (type === 'DELETED') {
        if (this.store.delete(key)) this.changes.fire({ reset: false, upserted: [], deleted: [key] });
      } else if (type === 'ADDED' || type === 'MODIFIED') {
        this.store.set(key, item);
        this.changes.fire({ reset: false, upserted: [item], deleted: [] });
      }
    };
    let handle: StreamHandle;
    try {
      handle = await this.opts.transport.stream(
        this.opts.path,
        {
          query: {
            watch: 1,
            resourceVersion: this.resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: this.opts.timeoutSeconds ?? 300,
            fieldSelector: this.opts.fieldSelector,
          },
          describe: { verb: 'watch', resource: this.opts.resource, ...(this.opts.namespace ? { namespace: this.opts.namespace } : {}) },
          signal: this.inflight.signal,
        },
        (text) => {
          buffered += text;
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, nl).trim();
            buffered = buffered.slice(nl + 1);
            if (line && this.alive(gen) && !outcome) onEvent(line);
          }
        },
      );
    } catch (err) {
      return { kind: 'failed', error: isKubeError(err) ? err : new KubeError({ kind: 'server', message: String(err) }) };
    }
    if (!this.alive(gen)) {
      handle.abort();
      return { kind: 'closed', events, ms: 0 };
    }
    this.stream = handle;
    if (outcome) handle.abort();
    if (this._state.kind === 'error') this.setState({ kind: 'ready' });
    const ended = await handle.ended;
    if (this.stream === handle) this.stream = undefined;
    if (outcome) return outcome;
    if (events > 0) this.backoff.reset();
    if (ended) return { kind: 'failed', error: ended };
    return { kind: 'closed', events, ms: Date.now() - started };
  }
}
