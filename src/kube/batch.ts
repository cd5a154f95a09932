import type { Disposable } from './types';

/**
 * Coalesces bursts of events into one flush: the first event arms a timer, later events only add
 * to the pending set, and the flush runs `delayMs` after the first event (not the last), so a
 * steady stream of pod updates still refreshes the tree every ~100 ms instead of never.
 * Nothing runs while no events arrive: there is no polling.
 */
export class Coalescer<K> implements Disposable {
  private pending = new Set<K>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    private readonly delayMs: number,
    private readonly flush: (keys: ReadonlySet<K>) => void,
  ) {}

  add(key: K): void {
    if (this.disposed) return;
    this.pending.add(key);
    this.timer ??= setTimeout(() => this.fire(), this.delayMs);
  }

  /** Flush now (tests and shutdown); a no-op when nothing is pending. */
  fire(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0 || this.disposed) return;
    const keys = this.pending;
    this.pending = new Set();
    this.flush(keys);
  }

  get size(): number {
    return this.pending.size;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}

/** A tiny typed event emitter so src/kube stays free of VS Code. */
export class Emitter<T> implements Disposable {
  private listeners = new Set<(value: T) => void>();

  event = (listener: (value: T) => void): Disposable => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }

  dispose(): void {
    this.listeners.clear();
  }
}

/** Disposes in reverse order of registration; one failing dispose does not stop the rest. */
export class DisposableStore implements Disposable {
  private items: Disposable[] = [];
  private disposed = false;

  add<T extends Disposable>(d: T): T {
    if (this.disposed) d.dispose();
    else this.items.push(d);
    return d;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const items = this.items.reverse();
    this.items = [];
    for (const d of items) {
      try {
        d.dispose();
      } catch {
        // Disposal must run to the end; a throwing disposable is a bug elsewhere, not a reason to leak.
      }
    }
  }
}
