/**
 * Exponential backoff with "full jitter" for watch reconnects: many ModelDock windows on one
 * flaky VPN must not reconnect in lockstep. Pure apart from the injected random source.
 */
export interface BackoffOptions {
  readonly initialMs?: number;
  readonly maxMs?: number;
  readonly factor?: number;
  /** 0 = no jitter; 1 = delay drawn from [0.5·d, d] (half jitter keeps a floor so retries are never instant). */
  readonly jitter?: number;
  readonly random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 500;
    this.maxMs = options.maxMs ?? 30_000;
    this.factor = options.factor ?? 2;
    this.jitter = Math.min(1, Math.max(0, options.jitter ?? 1));
    this.random = options.random ?? Math.random;
  }

  /** Delay before the next attempt; each call counts as one more failure. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * this.factor ** this.attempt);
    this.attempt++;
    const spread = base * 0.5 * this.jitter;
    return Math.round(base - spread + spread * this.random());
  }

  /** Call after a success (a watch that delivered events or a list that returned). */
  reset(): void {
    this.attempt = 0;
  }

  get failures(): number {
    return this.attempt;
  }
}
