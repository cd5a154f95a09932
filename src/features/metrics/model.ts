// The Model Metrics view's model, without vscode: the targets it watches, their scrape history
// and figures. Scraping is started and stopped by the view's visibility (never while hidden).
import { figures, type Figures } from '../../core/metrics/figures';
import type { PodUsage } from '../../core/metrics/pods';
import { parsePrometheusText, type Scrape } from '../../core/metrics/prometheus';

/** A pod's CPU/memory from metrics.k8s.io, or why there is none. */
export type UsageReading = { readonly usage: PodUsage } | { readonly unavailable: string };

export interface MetricsTarget {
  /** Stable id (container id, pod uid). */
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly url: string;
  readonly kind?: 'container' | 'pod';
  /** Why the target cannot be scraped now (its port-forward failed…): shown instead of scraping. */
  readonly problem?: string;
  /** Pods: CPU and memory (`kubectl top`), read with each scrape. */
  readonly usage?: (signal: AbortSignal) => Promise<UsageReading>;
}

export interface TargetState {
  readonly target: MetricsTarget;
  /** Figures of each scrape interval, oldest first (at most HISTORY). */
  readonly history: Figures[];
  readonly error: string | undefined;
  readonly scrapes: number;
  /** The last CPU/memory reading (pods only). */
  readonly usage?: UsageReading;
  /** CPU/memory readings, oldest first (at most HISTORY; null where a reading failed). */
  readonly usageHistory?: (PodUsage | null)[];
}

export type Fetcher = (url: string, signal: AbortSignal) => Promise<string>;

const HISTORY = 30;

/** Fetches a metrics page with a timeout and a size cap (a server is not trusted to be small). */
export const httpFetcher =
  (timeoutMs = 3000, maxBytes = 4 * 1024 * 1024): Fetcher =>
  async (url, signal) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const res = await fetch(url, { signal: AbortSignal.any([signal, timeout]), headers: { accept: 'text/plain;version=0.0.4' } });
    if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}`);
    const reader = res.body?.getReader();
    if (!reader) return '';
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw new Error(`${url} sent more than ${maxBytes} bytes of metrics`);
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks).toString('utf8');
  };

interface Live {
  state: TargetState;
  last: { scrape: Scrape; at: number } | null;
}

export class MetricsModel {
  private readonly live = new Map<string, Live>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private controller: AbortController | undefined;
  private inFlight = false;

  constructor(
    private readonly fetcher: Fetcher,
    private readonly onChange: () => void,
    private readonly intervalMs = 5000,
    private readonly now: () => number = Date.now,
  ) {}

  get targets(): TargetState[] {
    return [...this.live.values()].map((l) => l.state);
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Replaces the watched targets, keeping the history of those that stay. */
  setTargets(targets: readonly MetricsTarget[]): void {
    const keep = new Set(targets.map((t) => t.id));
    for (const id of [...this.live.keys()]) if (!keep.has(id)) this.live.delete(id);
    for (const t of targets) {
      const existing = this.live.get(t.id);
      if (existing && existing.state.target.url === t.url && existing.state.target.problem === t.problem) existing.state = { ...existing.state, target: t };
      else this.live.set(t.id, { state: { target: t, history: [], error: undefined, scrapes: 0 }, last: null });
    }
    this.onChange();
  }

  /** Scrapes now and then every interval, until stop(). */
  start(): void {
    if (this.timer) return;
    this.controller = new AbortController();
    this.timer = setInterval(() => void this.scrapeAll(), this.intervalMs);
    void this.scrapeAll();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.controller?.abort();
    this.controller = undefined;
  }

  /** One round over every target (skipped when the previous round is still running). */
  async scrapeAll(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = true;
    const signal = this.controller?.signal ?? new AbortController().signal;
    try {
      await Promise.all([...this.live.values()].map((l) => this.scrape(l, signal)));
    } finally {
      this.inFlight = false;
    }
    this.onChange();
  }

  private async scrape(l: Live, signal: AbortSignal): Promise<void> {
    const target = l.state.target;
    if (target.problem !== undefined) {
      l.state = { ...l.state, error: target.problem };
      // A pod whose metrics cannot be reached may still report its CPU and memory.
      if (target.usage) await this.readUsage(l, target.usage, signal);
      return;
    }
    await Promise.all([this.scrapeMetrics(l, signal), target.usage ? this.readUsage(l, target.usage, signal) : undefined]);
  }

  private async readUsage(l: Live, read: NonNullable<MetricsTarget['usage']>, signal: AbortSignal): Promise<void> {
    let reading: UsageReading;
    try {
      reading = await read(signal);
    } catch (err) {
      if (signal.aborted) return;
      reading = { unavailable: err instanceof Error ? err.message : String(err) };
    }
    const sample = 'usage' in reading ? reading.usage : null;
    l.state = { ...l.state, usage: reading, usageHistory: [...(l.state.usageHistory ?? []), sample].slice(-HISTORY) };
  }

  private async scrapeMetrics(l: Live, signal: AbortSignal): Promise<void> {
    try {
      const text = await this.fetcher(l.state.target.url, signal);
      const scrape = parsePrometheusText(text);
      const at = this.now();
      const f = figures(l.last?.scrape ?? null, scrape, l.last ? (at - l.last.at) / 1000 : 0);
      l.last = { scrape, at };
      l.state = { ...l.state, history: [...l.state.history, f].slice(-HISTORY), error: undefined, scrapes: l.state.scrapes + 1 };
    } catch (err) {
      if (signal.aborted) return;
      l.state = { ...l.state, error: err instanceof Error ? err.message : String(err) };
    }
  }

  dispose(): void {
    this.stop();
    this.live.clear();
  }
}
