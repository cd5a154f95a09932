/**
 * Every limit and timer of the cluster client, in one place and injectable through
 * ClusterClientOptions.tuning, so tests (and a fault-injecting proxy in front of a real API
 * server) can shrink them. The defaults are what a user gets.
 */
export interface ReconnectTuning {
  /** First backoff delay after a failure; doubles per failure up to maxMs. */
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  /** No reconnect (re-watch, relist, retry) starts sooner than this after the previous one ended. */
  readonly floorMs: number;
  /** A watch that stayed open this long was healthy: the backoff starts over. */
  readonly healthyAfterMs: number;
  /** 410 Gone answers that may force a relist within relistWindowMs before the watch stops. */
  readonly relistBudget: number;
  readonly relistWindowMs: number;
  /** Failed or instantly-closed attempts in a row after which a watch stops and waits for Retry. */
  readonly maxFailures: number;
  /** Jitter source (tests may pin it). */
  readonly random: () => number;
  /** Clock for watch lifetimes and the relist window (tests may pass their own). */
  readonly now: () => number;
}

export interface ClientTuning {
  /** Whole non-streaming request: connect, headers and body. */
  readonly requestTimeoutMs: number;
  /** Streams (watch, logs): until the response headers arrive. */
  readonly headerTimeoutMs: number;
  /**
   * A watch that sends nothing (not even a bookmark) this long is dead and reopened. Default: the
   * watch's own server-side timeout plus a minute, after which a live server has closed it anyway.
   */
  readonly watchIdleTimeoutMs?: number;
  /** A list/get answer larger than this is refused, not buffered. */
  readonly maxResponseBytes: number;
  /** A watch line (one event) longer than this many characters is an error, not memory growth. */
  readonly maxLineLength: number;
  /** Paged lists stop with an error after this many pages. */
  readonly maxListPages: number;
  /** A credential plugin (exec) that has not answered by then fails the request. */
  readonly credentialTimeoutMs: number;
  readonly reconnect: ReconnectTuning;
}

export type TuningOverrides = Partial<Omit<ClientTuning, 'reconnect'>> & { readonly reconnect?: Partial<ReconnectTuning> };

export const DEFAULT_RECONNECT: ReconnectTuning = {
  initialMs: 800,
  maxMs: 30_000,
  factor: 2,
  floorMs: 250,
  healthyAfterMs: 10_000,
  relistBudget: 5,
  relistWindowMs: 5 * 60_000,
  maxFailures: 12,
  random: Math.random,
  now: Date.now,
};

export const DEFAULT_TUNING: ClientTuning = {
  requestTimeoutMs: 30_000,
  headerTimeoutMs: 30_000,
  // Far above a real page (500 objects) or object (etcd stores at most 1.5 MB), far below the
  // ~512 MB where V8 can no longer make a string of it.
  maxResponseBytes: 64 * 1024 * 1024,
  maxLineLength: 16 * 1024 * 1024,
  maxListPages: 2_000,
  credentialTimeoutMs: 60_000,
  reconnect: DEFAULT_RECONNECT,
};

export function resolveTuning(overrides: TuningOverrides = {}): ClientTuning {
  return { ...DEFAULT_TUNING, ...overrides, reconnect: { ...DEFAULT_RECONNECT, ...overrides.reconnect } };
}
