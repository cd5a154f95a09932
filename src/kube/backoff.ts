import { DEFAULT_RECONNECT, type ReconnectTuning } from './tuning';

/**
 * Exponential backoff with jitter: many ModelDock windows on one flaky VPN must not reconnect in
 * lockstep. Pure apart from the injected random source.
 */
export interface BackoffOptions {
  readonly initialMs?: number;
  readonly maxMs?: number;
  readonly factor?: number;
  /** 0 = no jitter; 1 = delay drawn from [0.5·d, d] (half jitter keeps a floor so retries are never instant). */
  readonly jitter?: number;
  /** No delay is shorter than this. */
  readonly floorMs?: number;
  readonly random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly floorMs: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 500;
    this.maxMs = options.maxMs ?? 30_000;
    this.factor = options.factor ?? 2;
    this.jitter = Math.min(1, Math.max(0, options.jitter ?? 1));
    this.floorMs = Math.max(0, options.floorMs ?? 0);
    this.random = options.random ?? Math.random;
  }

  /** Delay before the next attempt; each call counts as one more failure. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * this.factor ** Math.min(this.attempt, 64));
    this.attempt++;
    const spread = base * 0.5 * this.jitter;
    return Math.max(this.floorMs, Math.round(base - spread + spread * this.random()));
  }

  /** Call after a success (a watch that stayed open long enough). */
  reset(): void {
    this.attempt = 0;
  }

  get failures(): number {
    return this.attempt;
  }
}

export type ReconnectDecision = { readonly delayMs: number } | { readonly stop: 'relist-budget' | 'max-failures'; readonly count: number };

export interface ConnectionOutcome {
  /** How long the connection (a watch) stayed open; 0 for a list or a watch that never opened. */
  readonly livedMs: number;
  /** It ended with an error (network, 5xx, timeout), not a clean close. */
  readonly failed: boolean;
  /** The server said our version is gone (410): a relist follows. */
  readonly relist: boolean;
}

/**
 * The one policy for every reconnect of a watch: after errors, after 410 Gone, after a watch the
 * server closed early, after a stream that only ever sent bookmarks. Only a watch that stayed open
 * for `healthyAfterMs` counts as success; events and bookmarks do not, because a server that sends
 * one event and closes would otherwise be re-asked thousands of times a second. Relists have their
 * own budget; past it, or past `maxFailures` unhealthy attempts in a row, the watch stops.
 */
export class ReconnectPolicy {
  private readonly backoff: Backoff;
  private failures = 0;
  private relists: number[] = [];

  constructor(private readonly t: ReconnectTuning = DEFAULT_RECONNECT) {
    this.backoff = new Backoff({ initialMs: t.initialMs, maxMs: t.maxMs, factor: t.factor, floorMs: t.floorMs, random: t.random });
  }

  after(outcome: ConnectionOutcome): ReconnectDecision {
    const now = this.t.now();
    if (outcome.relist) {
      this.relists = this.relists.filter((at) => now - at < this.t.relistWindowMs);
      this.relists.push(now);
      if (this.relists.length > this.t.relistBudget) return { stop: 'relist-budget', count: this.relists.length };
    }
    if (outcome.livedMs >= this.t.healthyAfterMs) {
      this.backoff.reset();
      this.failures = 0;
      if (!outcome.failed) return { delayMs: this.floor() };
    }
    this.failures++;
    if (this.failures > this.t.maxFailures) return { stop: 'max-failures', count: this.failures };
    return { delayMs: this.backoff.next() };
  }

  /** The user's Retry: a fresh start. */
  reset(): void {
    this.backoff.reset();
    this.failures = 0;
    this.relists = [];
  }

  /** A healthy reconnect still waits the floor, jittered up to twice it. */
  private floor(): number {
    return Math.round(this.t.floorMs * (1 + this.t.random()));
  }
}
