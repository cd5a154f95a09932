// What the Model Metrics view shows, computed from two scrapes of a server's /metrics: request
// rate, p50/p95 latency, error ratio, in-flight requests and GPU memory. Each serving runtime
// names its metrics differently; one mapping per runtime says where each figure comes from.
import { buckets, histogramQuantile, sum, type Scrape } from './prometheus';

/**
 * The metrics ModelDock's generated Python server exports (templates/python): the contract
 * between the server, the Grafana dashboard, the alert rules and this view.
 */
export const MODELDOCK_METRICS = {
  requests: 'modeldock_requests_total',
  latency: 'modeldock_request_duration_seconds',
  inFlight: 'modeldock_requests_in_flight',
  modelLoad: 'modeldock_model_load_seconds',
  info: 'modeldock_model_info',
  gpuMemoryUsed: 'modeldock_gpu_memory_used_bytes',
  gpuMemoryTotal: 'modeldock_gpu_memory_total_bytes',
  gpuUtilization: 'modeldock_gpu_utilization_ratio',
} as const;

export type MetricsFlavour = 'modeldock' | 'triton' | 'tfserving' | 'torchserve' | 'vllm' | 'unknown';

export interface Figures {
  /** Requests per second between the two scrapes. */
  requestRate: number | null;
  /** Seconds. */
  p50: number | null;
  p95: number | null;
  /** Failed / all requests between the scrapes (0–1). */
  errorRatio: number | null;
  inFlight: number | null;
  gpuMemoryUsedBytes: number | null;
  gpuMemoryTotalBytes: number | null;
  /** Waiting requests (LLM servers' queue), when the runtime exports it. */
  queued: number | null;
}

/** Which runtime's names a scrape uses, from the metrics present. */
export function flavourOf(s: Scrape): MetricsFlavour {
  const names = new Set(s.samples.map((x) => x.name));
  if (names.has(MODELDOCK_METRICS.requests) || names.has(MODELDOCK_METRICS.info)) return 'modeldock';
  if (names.has('nv_inference_request_success') || names.has('nv_inference_count')) return 'triton';
  if ([...names].some((n) => n.startsWith(':tensorflow:serving:'))) return 'tfserving';
  if (names.has('ts_inference_requests_total') || names.has('ts_queue_latency_microseconds')) return 'torchserve';
  if ([...names].some((n) => n.startsWith('vllm:'))) return 'vllm';
  return 'unknown';
}

const isError = (labels: Record<string, string>): boolean => /^5\d\d$/.test(labels.status ?? labels.code ?? '');

function delta(before: number | null, after: number | null): number | null {
  if (after === null) return null;
  // A restarted server resets its counters: the new value is the increase since the restart.
  if (before === null || after < before) return after;
  return after - before;
}

function ratio(part: number | null, whole: number | null): number | null {
  if (part === null || whole === null || whole <= 0) return null;
  return part / whole;
}

/** Figures between two scrapes `seconds` apart (the first may be null: rates are then unknown). */
export function figures(before: Scrape | null, after: Scrape, seconds: number): Figures {
  const flavour = flavourOf(after);
  const out: Figures = { requestRate: null, p50: null, p95: null, errorRatio: null, inFlight: null, gpuMemoryUsedBytes: null, gpuMemoryTotalBytes: null, queued: null };
  const counter = (name: string, filter?: (l: Record<string, string>) => boolean) =>
    delta(before ? sum(before, name, {}, filter) : null, sum(after, name, {}, filter));
  const quantiles = (family: string, scale: number) => {
    const b = before ? buckets(before, family) : new Map<number, number>();
    const a = buckets(after, family);
    const q = (x: number) => {
      const v = histogramQuantile(x, b, a);
      return v === null ? null : v * scale;
    };
    out.p50 = q(0.5);
    out.p95 = q(0.95);
  };
  const perSecond = (n: number | null) => (n === null || !before || seconds <= 0 ? null : n / seconds);

  switch (flavour) {
    case 'modeldock': {
      const all = counter(MODELDOCK_METRICS.requests);
      out.requestRate = perSecond(all);
      out.errorRatio = before ? ratio(counter(MODELDOCK_METRICS.requests, isError), all) : null;
      quantiles(MODELDOCK_METRICS.latency, 1);
      out.inFlight = sum(after, MODELDOCK_METRICS.inFlight);
      out.gpuMemoryUsedBytes = sum(after, MODELDOCK_METRICS.gpuMemoryUsed);
      out.gpuMemoryTotalBytes = sum(after, MODELDOCK_METRICS.gpuMemoryTotal);
      break;
    }
    case 'triton': {
      const ok = counter('nv_inference_request_success');
      const failed = counter('nv_inference_request_failure');
      const all = ok === null && failed === null ? null : (ok ?? 0) + (failed ?? 0);
      out.requestRate = perSecond(all);
      out.errorRatio = before ? ratio(failed, all) : null;
      // Triton's duration is a cumulative counter of microseconds: the mean stands in for p50.
      const us = counter('nv_inference_request_duration_us');
      if (us !== null && all) out.p50 = us / all / 1e6;
      out.inFlight = sum(after, 'nv_inference_pending_request_count');
      out.gpuMemoryUsedBytes = sum(after, 'nv_gpu_memory_used_bytes');
      out.gpuMemoryTotalBytes = sum(after, 'nv_gpu_memory_total_bytes');
      break;
    }
    case 'tfserving': {
      const all = counter(':tensorflow:serving:request_count');
      out.requestRate = perSecond(all);
      out.errorRatio = before ? ratio(counter(':tensorflow:serving:request_count', (l) => (l.status ?? 'OK') !== 'OK'), all) : null;
      quantiles(':tensorflow:serving:request_latency', 1e-6);
      break;
    }
    case 'torchserve': {
      const all = counter('ts_inference_requests_total');
      out.requestRate = perSecond(all);
      break;
    }
    case 'vllm': {
      const all = counter('vllm:request_success_total');
      out.requestRate = perSecond(all);
      quantiles('vllm:e2e_request_latency_seconds', 1);
      out.inFlight = sum(after, 'vllm:num_requests_running');
      out.queued = sum(after, 'vllm:num_requests_waiting');
      break;
    }
    case 'unknown':
      break;
  }
  return out;
}

const SPARKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** A small sparkline of the last values (nulls shown as a gap). */
export function sparkline(values: readonly (number | null)[], width = 12): string {
  const tail = values.slice(-width);
  const finite = tail.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0) return '';
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  return tail
    .map((v) => {
      if (v === null || !Number.isFinite(v)) return ' ';
      if (max === min) return SPARKS[0];
      return SPARKS[Math.min(SPARKS.length - 1, Math.floor(((v - min) / (max - min)) * SPARKS.length))];
    })
    .join('');
}

export function formatSeconds(s: number | null): string {
  if (s === null) return '–';
  if (s < 1e-3) return `${(s * 1e6).toFixed(0)} µs`;
  if (s < 1) return `${(s * 1e3).toFixed(s < 0.01 ? 2 : 1)} ms`;
  return `${s.toFixed(2)} s`;
}
