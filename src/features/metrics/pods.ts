// Pods as Model Metrics targets: each watched pod gets a port-forward to its metrics port while
// the view is visible (closed when it hides), and its CPU/memory from metrics.k8s.io. The
// cluster is reached through the Clusters view's client (ClusterApi), never a client of our own.
import { formatBytes } from '../../core/format';
import { formatCores, parsePodMetrics, podMetricsEndpoint, type PodEndpoint } from '../../core/metrics/pods';
import type { ClusterClient, PortForwardHandle } from '../../kube';
import { isKubeError } from '../../kube';
import type { MetricsTarget, UsageReading } from './model';

export interface WatchedPod {
  /** The kube context the pod was picked in: its forwards die with that context's client. */
  readonly context: string;
  readonly namespace: string;
  readonly name: string;
}

/** What PodTargets needs of the Clusters view. */
export interface PodCluster {
  client(): ClusterClient | undefined;
  activeContext(): string | undefined;
}

export const METRICS_API = 'metrics.k8s.io/v1beta1';

const idOf = (p: WatchedPod): string => `pod:${p.context}/${p.namespace}/${p.name}`;

interface Entry {
  pod: WatchedPod;
  forward: PortForwardHandle | undefined;
  endpoint: PodEndpoint | undefined;
}

/** "kubectl top pod" for one pod, said plainly when the cluster cannot answer. */
export async function readPodUsage(client: ClusterClient, pod: WatchedPod): Promise<UsageReading> {
  try {
    const obj = await client.get('PodMetrics', pod.namespace, pod.name, METRICS_API);
    if (!obj) return { unavailable: 'no CPU/memory for this pod yet (metrics-server samples every 15 s or so)' };
    const usage = parsePodMetrics(obj);
    return usage ? { usage } : { unavailable: 'metrics.k8s.io answered with something that is not a PodMetrics object' };
  } catch (err) {
    // No APIService for metrics.k8s.io: discovery of the group answers 404.
    if (isKubeError(err, 'not-found')) return { unavailable: 'the cluster does not serve metrics.k8s.io (install metrics-server for pod CPU/memory)' };
    if (isKubeError(err, 'forbidden')) return { unavailable: 'not allowed to read pod metrics (RBAC: get pods.metrics.k8s.io)' };
    if (isKubeError(err)) return { unavailable: `metrics.k8s.io: ${err.info.message}` };
    throw err;
  }
}

export function formatUsage(r: UsageReading | undefined): string {
  if (!r) return '–';
  if ('unavailable' in r) return r.unavailable;
  return `CPU ${formatCores(r.usage.cpuCores)} · memory ${formatBytes(r.usage.memoryBytes)}`;
}

export class PodTargets {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly cluster: PodCluster) {}

  get size(): number {
    return this.entries.size;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** Starts watching a pod (no connection is made until targets() runs for a visible view). */
  add(pod: WatchedPod): string {
    const id = idOf(pod);
    if (!this.entries.has(id)) this.entries.set(id, { pod, forward: undefined, endpoint: undefined });
    return id;
  }

  remove(id: string): boolean {
    const e = this.entries.get(id);
    e?.forward?.dispose();
    return this.entries.delete(id);
  }

  /**
   * The pods as metrics targets, opening a port-forward for each that has none (or whose last
   * scrape failed: `failed` ids get a fresh one, as a restarted pod breaks the old one).
   */
  async targets(failed: ReadonlySet<string> = new Set()): Promise<MetricsTarget[]> {
    return Promise.all([...this.entries.entries()].map(([id, e]) => this.target(id, e, failed.has(id))));
  }

  private async target(id: string, e: Entry, reopen: boolean): Promise<MetricsTarget> {
    const { pod } = e;
    const base = { id, label: pod.name, kind: 'pod' as const, description: `pod · ${pod.namespace}` };
    const client = this.cluster.client();
    const active = this.cluster.activeContext();
    if (!client || active !== pod.context) {
      this.close(e);
      return { ...base, url: '', problem: !client ? 'no cluster is connected (open the Clusters view)' : `the pod is in context ${pod.context}, not the current one (${active ?? 'none'})` };
    }
    const usage = (signal: AbortSignal) => (signal.aborted ? Promise.resolve<UsageReading>({ unavailable: 'stopped' }) : readPodUsage(client, pod));
    if (reopen) this.close(e);
    try {
      if (!e.forward || !e.endpoint) {
        const obj = await client.get('Pod', pod.namespace, pod.name);
        if (!obj) return { ...base, url: '', problem: `pod ${pod.namespace}/${pod.name} no longer exists`, usage };
        const endpoint = podMetricsEndpoint(obj);
        if ('error' in endpoint) return { ...base, url: '', problem: endpoint.error, usage };
        e.endpoint = endpoint;
        e.forward = await client.portForward({ kind: 'Pod', namespace: pod.namespace, name: pod.name, port: endpoint.port }, 0);
      }
      return { ...base, description: `pod · ${pod.namespace} · :${e.endpoint.port}${e.endpoint.path}`, url: `http://127.0.0.1:${e.forward.localPort}${e.endpoint.path}`, usage };
    } catch (err) {
      this.close(e);
      return { ...base, url: '', problem: `cannot reach the pod's metrics: ${err instanceof Error ? err.message : String(err)}`, usage };
    }
  }

  private close(e: Entry): void {
    e.forward?.dispose();
    e.forward = undefined;
    e.endpoint = undefined;
  }

  /** Closes every port-forward (the view was hidden); the pods stay watched. */
  closeAll(): void {
    for (const e of this.entries.values()) this.close(e);
  }

  dispose(): void {
    this.closeAll();
    this.entries.clear();
  }
}
