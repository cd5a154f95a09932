// PromQL for each runtime's own metric names: the one place the alerts (PrometheusRule) and the
// Grafana dashboard get their queries from. `sel` is a label matcher list without braces
// (`job="iris"` or `job="$job"`), `w` a range (`5m`, `$__rate_interval`).
import { MODELDOCK_METRICS as M } from '../metrics/figures';
import type { ScaffoldMetrics } from './types';

export type Flavour = ScaffoldMetrics['flavour'];

/** A PromQL string literal (double-quoted; backslash and quote escaped). */
export function promString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

export interface Latency {
  /** PromQL for the q-quantile in seconds, or the mean when the runtime has no histogram. */
  expr(sel: string, w: string, q: number): string;
  /** Whether expr is a real quantile (histogram) or the mean. */
  quantile: boolean;
}

export interface FlavourQueries {
  /** The metric every target of this runtime exports (dashboard variable, the "exports" check). */
  infoMetric: string;
  /** The label that tells GPUs apart in the GPU metrics. */
  gpuLabel: string;
  requestRate(sel: string, w: string, by?: string): string;
  /** Failed answers / all answers; empty (no alert) without traffic. */
  errorRatio(sel: string, w: string): string;
  latency: Latency;
  inFlight: ((sel: string) => string) | null;
  /** GPU memory used / total, bytes (series per GPU), when the runtime exports it. */
  gpuMemoryUsed: ((sel: string) => string) | null;
  gpuMemoryTotal: ((sel: string) => string) | null;
  /** Used / total in 0-1, per GPU. */
  gpuMemoryRatio: ((sel: string) => string) | null;
  gpuUtilization: ((sel: string) => string) | null;
  modelLoad: ((sel: string) => string) | null;
}

const orZero = (e: string) => `(${e} or vector(0))`;

/**
 * The queries of a runtime. `healthPath` (the probes' route) is left out of the latency and the
 * error ratio of the modeldock flavour: probes would otherwise pull the quantiles toward zero and
 * dilute the errors of a quiet server.
 */
export function flavourQueries(flavour: Flavour, healthPath: string | null): FlavourQueries {
  switch (flavour) {
    case 'modeldock': {
      const notProbe = healthPath ? `,route!=${promString(healthPath)}` : '';
      return {
        infoMetric: M.info,
        gpuLabel: 'gpu',
        requestRate: (sel, w, by) => `sum${by ? ` by (${by})` : ''} (rate(${M.requests}{${sel}}[${w}]))`,
        errorRatio: (sel, w) => `sum(rate(${M.requests}{${sel}${notProbe},status=~"5.."}[${w}])) / sum(rate(${M.requests}{${sel}${notProbe}}[${w}]))`,
        latency: { quantile: true, expr: (sel, w, q) => `histogram_quantile(${q}, sum by (le) (rate(${M.latency}_bucket{${sel}${notProbe}}[${w}])))` },
        inFlight: (sel) => `sum(${M.inFlight}{${sel}})`,
        gpuMemoryUsed: (sel) => `${M.gpuMemoryUsed}{${sel}}`,
        gpuMemoryTotal: (sel) => `${M.gpuMemoryTotal}{${sel}}`,
        gpuMemoryRatio: (sel) => `${M.gpuMemoryUsed}{${sel}} / ${M.gpuMemoryTotal}{${sel}}`,
        gpuUtilization: (sel) => `${M.gpuUtilization}{${sel}}`,
        modelLoad: (sel) => `max(${M.modelLoad}{${sel}})`,
      };
    }
    case 'triton':
      // Triton counts request time in microseconds without a histogram: latency is the mean.
      return {
        infoMetric: 'nv_inference_request_success',
        gpuLabel: 'gpu_uuid',
        requestRate: (sel, w, by) => `sum${by ? ` by (${by})` : ''} (rate(nv_inference_request_success{${sel}}[${w}]))`,
        errorRatio: (sel, w) =>
          `sum(rate(nv_inference_request_failure{${sel}}[${w}])) / (sum(rate(nv_inference_request_success{${sel}}[${w}])) + sum(rate(nv_inference_request_failure{${sel}}[${w}])))`,
        latency: { quantile: false, expr: (sel, w) => `sum(rate(nv_inference_request_duration_us{${sel}}[${w}])) / sum(rate(nv_inference_request_success{${sel}}[${w}])) / 1e6` },
        inFlight: (sel) => `sum(nv_inference_pending_request_count{${sel}})`,
        gpuMemoryUsed: (sel) => `nv_gpu_memory_used_bytes{${sel}}`,
        gpuMemoryTotal: (sel) => `nv_gpu_memory_total_bytes{${sel}}`,
        gpuMemoryRatio: (sel) => `nv_gpu_memory_used_bytes{${sel}} / nv_gpu_memory_total_bytes{${sel}}`,
        gpuUtilization: (sel) => `nv_gpu_utilization{${sel}}`,
        modelLoad: null,
      };
    case 'tfserving':
      // TF Serving's request latency histogram is in microseconds.
      return {
        infoMetric: ':tensorflow:serving:request_count',
        gpuLabel: 'gpu',
        requestRate: (sel, w, by) => `sum${by ? ` by (${by})` : ''} (rate(:tensorflow:serving:request_count{${sel}}[${w}]))`,
        errorRatio: (sel, w) => `sum(rate(:tensorflow:serving:request_count{${sel},status!="OK"}[${w}])) / sum(rate(:tensorflow:serving:request_count{${sel}}[${w}]))`,
        latency: { quantile: true, expr: (sel, w, q) => `histogram_quantile(${q}, sum by (le) (rate(:tensorflow:serving:request_latency_bucket{${sel}}[${w}]))) / 1e6` },
        inFlight: null,
        gpuMemoryUsed: null,
        gpuMemoryTotal: null,
        gpuMemoryRatio: null,
        gpuUtilization: null,
        modelLoad: null,
      };
    case 'torchserve':
      // TorchServe (metrics_mode=prometheus) counts latency in microseconds, GPU memory in MB and %.
      return {
        infoMetric: 'ts_inference_requests_total',
        gpuLabel: 'DeviceId',
        requestRate: (sel, w, by) => `sum${by ? ` by (${by})` : ''} (rate(ts_inference_requests_total{${sel}}[${w}]))`,
        errorRatio: (sel, w) =>
          `${orZero(`sum(rate(Requests5XX{${sel}}[${w}]))`)} / (${orZero(`sum(rate(Requests2XX{${sel}}[${w}]))`)} + ${orZero(`sum(rate(Requests4XX{${sel}}[${w}]))`)} + ${orZero(`sum(rate(Requests5XX{${sel}}[${w}]))`)})`,
        latency: { quantile: false, expr: (sel, w) => `sum(rate(ts_inference_latency_microseconds{${sel}}[${w}])) / sum(rate(ts_inference_requests_total{${sel}}[${w}])) / 1e6` },
        inFlight: null,
        gpuMemoryUsed: (sel) => `GPUMemoryUsed{${sel}} * 1024 * 1024`,
        gpuMemoryTotal: null,
        gpuMemoryRatio: (sel) => `GPUMemoryUtilization{${sel}} / 100`,
        gpuUtilization: (sel) => `GPUUtilization{${sel}} / 100`,
        modelLoad: null,
      };
  }
}
