// A pod as a metrics target: which of its ports serves Prometheus metrics and at what path (from
// the pod object as the API server returns it), and its CPU/memory from metrics.k8s.io
// (`kubectl top pod`). Plain data in, plain data out; the objects come from a cluster, so every
// field is checked before it is used.
import { parseQuantity } from '../k8s/quantity';

export interface PodEndpoint {
  port: number;
  path: string;
  /** Why this port and path (for the tooltip). */
  why: string;
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : undefined);
const isPort = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 65536;
// A plain absolute URL path (what a scrape may request): no query, nothing to encode.
const PATH = /^\/[A-Za-z0-9._~/-]{0,200}$/;

/** Metrics paths of the runtimes by their conventional container port. */
const BY_PORT: ReadonlyMap<number, string> = new Map([
  [8002, '/metrics'], // Triton
  [8082, '/metrics'], // TorchServe
  [8501, '/monitoring/prometheus/metrics'], // TF Serving with ModelDock's monitoring config
]);

/**
 * Where a pod serves its metrics: the prometheus.io/port and /path annotations (what ModelDock's
 * manifests set), else a container port named `metrics`, a runtime's conventional port, or the
 * port named `http` (ModelDock's Python server serves /metrics there).
 */
export function podMetricsEndpoint(pod: unknown): PodEndpoint | { error: string } {
  const meta = rec(rec(pod)?.metadata);
  const annotations = rec(meta?.annotations) ?? {};
  const ports: { name: string | undefined; port: number }[] = [];
  const containers = rec(rec(pod)?.spec)?.containers;
  for (const c of Array.isArray(containers) ? containers : []) {
    const list = rec(c)?.ports;
    for (const p of Array.isArray(list) ? list : []) {
      const r = rec(p);
      if (r && isPort(r.containerPort) && (r.protocol === undefined || r.protocol === 'TCP')) ports.push({ name: typeof r.name === 'string' ? r.name : undefined, port: r.containerPort });
    }
  }
  const annotatedPath = typeof annotations['prometheus.io/path'] === 'string' && PATH.test(annotations['prometheus.io/path']) ? annotations['prometheus.io/path'] : undefined;
  const rawPort = annotations['prometheus.io/port'];
  const annotatedPort = typeof rawPort === 'string' && /^\d{1,5}$/.test(rawPort) && isPort(Number(rawPort)) ? Number(rawPort) : undefined;
  if (annotatedPort !== undefined) return { port: annotatedPort, path: annotatedPath ?? BY_PORT.get(annotatedPort) ?? '/metrics', why: 'the pod\'s prometheus.io/port annotation' };
  const named = ports.find((p) => p.name === 'metrics');
  if (named) return { port: named.port, path: annotatedPath ?? BY_PORT.get(named.port) ?? '/metrics', why: 'the container port named metrics' };
  const known = ports.find((p) => BY_PORT.has(p.port));
  if (known) return { port: known.port, path: annotatedPath ?? BY_PORT.get(known.port)!, why: `port ${known.port}, where the model server serves metrics` };
  const http = ports.find((p) => p.name === 'http') ?? ports[0];
  if (http) return { port: http.port, path: annotatedPath ?? '/metrics', why: http.name ? `the container port named ${http.name}` : 'the pod\'s first port' };
  return { error: 'the pod declares no container port and no prometheus.io/port annotation' };
}

export interface PodUsage {
  /** Cores (250m = 0.25), summed over the containers. */
  cpuCores: number;
  memoryBytes: number;
  /** When metrics-server sampled it (RFC 3339), and over what window. */
  timestamp: string | undefined;
  window: string | undefined;
}

/** A metrics.k8s.io/v1beta1 PodMetrics object → the pod's CPU and memory; null when it is not one. */
export function parsePodMetrics(obj: unknown): PodUsage | null {
  const o = rec(obj);
  if (!o || o.kind !== 'PodMetrics' || !Array.isArray(o.containers)) return null;
  let cpu = 0;
  let memory = 0;
  for (const c of o.containers) {
    const usage = rec(rec(c)?.usage);
    const cores = typeof usage?.cpu === 'string' ? parseQuantity(usage.cpu) : undefined;
    const bytes = typeof usage?.memory === 'string' ? parseQuantity(usage.memory) : undefined;
    if (cores === undefined || bytes === undefined) return null;
    cpu += cores;
    memory += bytes;
  }
  return { cpuCores: cpu, memoryBytes: memory, timestamp: typeof o.timestamp === 'string' ? o.timestamp : undefined, window: typeof o.window === 'string' ? o.window : undefined };
}

export function formatCores(cores: number): string {
  return cores < 1 ? `${Math.round(cores * 1000)}m` : `${cores.toFixed(2)} cores`;
}
