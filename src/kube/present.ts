import { isGpuResource } from '../core/deploy/scheduling';
import { parseQuantity } from '../core/k8s/quantity';
import type { ContainerInfo, KubeContextInfo, KubeErrorInfo, NamespaceInfo, NodeInfo, PodInfo, WorkloadInfo, WorkloadKind } from './types';

/**
 * How each tree node looks, as plain data (no VS Code types) so it is unit-tested and used by the
 * benchmark; features/cluster turns a Presentation into a TreeItem with ThemeIcon/ThemeColor.
 */
export interface Presentation {
  readonly label: string;
  readonly description?: string;
  readonly tooltip?: string;
  readonly icon: { readonly id: string; readonly color?: string };
  readonly contextValue: string;
  readonly collapsible: 'none' | 'collapsed' | 'expanded';
}

/** kubectl's AGE column: 45s, 12m, 5h, 3d, 2y. */
export function formatAge(timestamp: string | undefined, now: number): string {
  if (!timestamp) return '';
  const t = Date.parse(timestamp);
  if (!Number.isFinite(t)) return '';
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 730) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

const join = (parts: readonly (string | undefined | false)[]) => parts.filter((p): p is string => !!p).join(' · ');

const FAIL_REASONS = new Set(['CrashLoopBackOff', 'Error', 'OOMKilled', 'ImagePullBackOff', 'ErrImagePull', 'CreateContainerConfigError', 'Evicted', 'Failed', 'InvalidImageName', 'ContainerCannotRun']);

export function podHealth(pod: PodInfo): 'ok' | 'progress' | 'failed' | 'done' | 'terminating' {
  if (pod.status === 'Terminating') return 'terminating';
  if (pod.phase === 'Succeeded') return 'done';
  if (pod.phase === 'Failed' || FAIL_REASONS.has(pod.status) || pod.status.startsWith('Init:') && pod.status !== 'Init:0') return 'failed';
  if (pod.phase === 'Running' && pod.readyCount === pod.containers.length) return 'ok';
  return 'progress';
}

const HEALTH_ICON: Record<ReturnType<typeof podHealth>, { id: string; color?: string }> = {
  ok: { id: 'pass-filled', color: 'testing.iconPassed' },
  progress: { id: 'clock', color: 'charts.yellow' },
  failed: { id: 'error', color: 'testing.iconFailed' },
  done: { id: 'pass', color: 'charts.blue' },
  terminating: { id: 'trash', color: 'disabledForeground' },
};

export function presentContext(ctx: KubeContextInfo): Presentation {
  return {
    label: ctx.name,
    description: join([ctx.current && 'current', ctx.server]),
    tooltip: join([`cluster ${ctx.cluster}`, `user ${ctx.user}`, ctx.namespace && `namespace ${ctx.namespace}`]),
    icon: ctx.current ? { id: 'pass-filled', color: 'charts.green' } : { id: 'circle-large-outline' },
    contextValue: ctx.current ? 'modeldock.context.current' : 'modeldock.context',
    collapsible: ctx.current ? 'expanded' : 'none',
  };
}

export function presentNamespace(name: string, ns: NamespaceInfo | undefined, favorite: boolean, now: number): Presentation {
  const phase = ns && ns.phase !== 'Active' ? ns.phase : undefined;
  return {
    label: name,
    description: join([favorite && '★', phase, ns && formatAge(ns.meta.creationTimestamp, now)]),
    icon: favorite ? { id: 'star-full', color: 'charts.yellow' } : phase ? { id: 'trash', color: 'disabledForeground' } : { id: 'symbol-namespace' },
    contextValue: favorite ? 'modeldock.namespace.favorite' : 'modeldock.namespace',
    collapsible: 'collapsed',
  };
}

export function presentGroup(group: 'workloads' | 'pods', count: number | undefined): Presentation {
  return {
    label: group === 'pods' ? 'Pods' : 'Workloads',
    ...(count !== undefined ? { description: String(count) } : {}),
    icon: { id: group === 'pods' ? 'server-process' : 'layers' },
    contextValue: `modeldock.group.${group}`,
    collapsible: 'collapsed',
  };
}

const KIND_LABEL: Record<WorkloadKind, { label: string; icon: string }> = {
  Deployment: { label: 'Deployments', icon: 'layers' },
  StatefulSet: { label: 'StatefulSets', icon: 'database' },
  Job: { label: 'Jobs', icon: 'run' },
  CronJob: { label: 'CronJobs', icon: 'watch' },
};

export function presentWorkloadKind(kind: WorkloadKind, count: number | undefined): Presentation {
  return {
    label: KIND_LABEL[kind].label,
    ...(count !== undefined ? { description: String(count) } : {}),
    icon: { id: KIND_LABEL[kind].icon },
    contextValue: `modeldock.workloadKind.${kind}`,
    collapsible: 'collapsed',
  };
}

export function presentWorkload(w: WorkloadInfo, now: number): Presentation {
  const age = formatAge(w.meta.creationTimestamp, now);
  const gpu = w.gpus > 0 ? `${w.gpus} GPU` : undefined;
  let description: string;
  let color: string | undefined;
  switch (w.kind) {
    case 'Deployment':
    case 'StatefulSet': {
      const ready = w.ready ?? 0;
      const desired = w.desired ?? 0;
      description = join([`ready ${ready}/${desired}`, gpu, age]);
      color = ready >= desired ? (desired === 0 ? 'disabledForeground' : 'testing.iconPassed') : 'charts.yellow';
      break;
    }
    case 'Job':
      description = join([`${w.succeeded ?? 0}/${w.desired ?? 1} done`, (w.active ?? 0) > 0 && `${w.active} active`, (w.failed ?? 0) > 0 && `${w.failed} failed`, gpu, age]);
      color = (w.failed ?? 0) > 0 && !w.completed ? 'testing.iconFailed' : w.completed ? 'testing.iconPassed' : 'charts.yellow';
      break;
    case 'CronJob':
      description = join([w.schedule, w.suspended && 'suspended', w.lastScheduleTime && `last ${formatAge(w.lastScheduleTime, now)}`, gpu, age]);
      color = w.suspended ? 'disabledForeground' : undefined;
      break;
  }
  return {
    label: w.meta.name,
    description,
    tooltip: `${w.kind} ${w.meta.namespace ?? ''}/${w.meta.name}`,
    icon: { id: KIND_LABEL[w.kind].icon, ...(color ? { color } : {}) },
    contextValue: `modeldock.workload.${w.kind}`,
    collapsible: 'none',
  };
}

export function presentPod(pod: PodInfo, now: number): Presentation {
  const health = podHealth(pod);
  return {
    label: pod.meta.name,
    description: join([
      pod.status,
      `${pod.readyCount}/${pod.containers.length}`,
      pod.restarts > 0 && `↻${pod.restarts}`,
      pod.gpus > 0 && `${pod.gpus} GPU`,
      formatAge(pod.meta.creationTimestamp, now),
      pod.nodeName,
    ]),
    tooltip: join([`Pod ${pod.meta.namespace ?? ''}/${pod.meta.name}`, `phase ${pod.phase}`, pod.podIP && `IP ${pod.podIP}`, pod.meta.ownerKind && `owner ${pod.meta.ownerKind}/${pod.meta.ownerName ?? ''}`]),
    icon: HEALTH_ICON[health],
    contextValue: 'modeldock.pod',
    collapsible: 'collapsed',
  };
}

export function presentContainer(c: ContainerInfo): Presentation {
  const state = c.stateReason ? `${c.state}: ${c.stateReason}` : c.state;
  const failed = (c.state === 'terminated' && c.stateReason !== 'Completed') || (c.state === 'waiting' && c.stateReason !== undefined && FAIL_REASONS.has(c.stateReason));
  const icon = failed
    ? { id: 'error', color: 'testing.iconFailed' }
    : c.state === 'running'
      ? c.ready
        ? { id: 'pass-filled', color: 'testing.iconPassed' }
        : { id: 'circle-filled', color: 'charts.yellow' }
      : c.state === 'terminated'
        ? { id: 'pass', color: 'charts.blue' }
        : { id: 'clock', color: 'charts.yellow' };
  return {
    label: c.name,
    description: join([
      c.init && 'init',
      state,
      c.restartCount > 0 && `↻${c.restartCount}`,
      c.lastTermination && `last: ${c.lastTermination.reason} (${c.lastTermination.exitCode})`,
      c.gpus && `${c.gpus} GPU`,
    ]),
    tooltip: join([c.image, ...c.ports.map((p) => `port ${p.containerPort}/${p.protocol}${p.name ? ` (${p.name})` : ''}`)]),
    icon,
    contextValue: c.restartCount > 0 ? 'modeldock.container.restarted' : 'modeldock.container',
    collapsible: 'none',
  };
}

export function presentError(err: KubeErrorInfo): Presentation {
  let label: string;
  switch (err.kind) {
    case 'forbidden':
      label = `Forbidden: cannot ${err.verb ?? 'access'} ${err.resource ?? 'this'}${err.namespace ? ` in ${err.namespace}` : ''}`;
      break;
    case 'unauthorized':
      label = 'Unauthorized (401): credentials rejected';
      break;
    case 'unreachable':
      label = 'Cluster unreachable';
      break;
    case 'credentials':
      label = 'Credentials expired or plugin failed';
      break;
    case 'tls':
      label = 'TLS certificate not trusted';
      break;
    case 'untrusted-config':
      label = 'Refused: kubeconfig not trusted';
      break;
    default:
      label = err.message;
  }
  return {
    label,
    description: err.kind === 'forbidden' ? 'RBAC' : err.kind === 'unreachable' ? err.message : undefined,
    tooltip: join([err.message, err.hint]),
    icon: { id: err.kind === 'forbidden' ? 'lock' : 'error', color: 'problemsErrorIcon.foreground' },
    contextValue: `modeldock.error.${err.kind}`,
    collapsible: 'none',
  };
}

/** GPU-like resources a node offers, with allocatable and (when known) requested amounts. */
export function nodeGpus(n: NodeInfo, used: ReadonlyMap<string, number> | undefined): { resource: string; allocatable: number; requested?: number }[] {
  return [...new Set([...Object.keys(n.capacity), ...Object.keys(n.allocatable)])]
    .filter(isGpuResource)
    .sort()
    .map((resource) => {
      const requested = used?.get(resource);
      return { resource, allocatable: parseQuantity(n.allocatable[resource]) ?? 0, ...(used ? { requested: requested ?? 0 } : {}) };
    });
}

/** `nvidia.com/gpu` → `GPU`, `nvidia.com/mig-1g.10gb` → `mig-1g.10gb`. */
const shortResource = (r: string) => (r === 'nvidia.com/gpu' || r === 'amd.com/gpu' ? 'GPU' : r.slice(r.indexOf('/') + 1));

export function presentNode(n: NodeInfo, used: ReadonlyMap<string, number> | undefined): Presentation {
  const gpus = nodeGpus(n, used);
  const product = n.labels['nvidia.com/gpu.product'] ?? n.labels['amd.com/gpu.product-name'];
  const noSchedule = n.taints.filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  const full = gpus.length > 0 && gpus.every((g) => g.requested !== undefined && g.requested >= g.allocatable);
  return {
    label: n.name,
    description: join([
      ...gpus.map((g) => (g.requested === undefined ? `${g.allocatable} ${shortResource(g.resource)}` : `${shortResource(g.resource)} ${g.requested}/${g.allocatable} used`)),
      gpus.length === 0 && 'no GPUs',
      product,
      noSchedule.length > 0 && `${noSchedule.length} taint${noSchedule.length > 1 ? 's' : ''}`,
      !n.ready && 'NotReady',
      n.unschedulable && 'cordoned',
    ]),
    tooltip: join([
      `Node ${n.name}`,
      `allocatable: ${Object.entries(n.allocatable).map(([k, v]) => `${k}=${v}`).join(', ')}`,
      noSchedule.length > 0 && `taints: ${noSchedule.map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join(', ')}`,
    ]),
    icon: !n.ready ? { id: 'error', color: 'testing.iconFailed' } : gpus.length === 0 ? { id: 'server' } : full ? { id: 'server', color: 'charts.yellow' } : { id: 'server', color: 'testing.iconPassed' },
    contextValue: gpus.length > 0 ? 'modeldock.node.gpu' : 'modeldock.node',
    collapsible: 'collapsed',
  };
}

export function presentNodesGroup(nodes: readonly NodeInfo[] | undefined, usage: ReadonlyMap<string, ReadonlyMap<string, number>> | undefined): Presentation {
  let description: string | undefined;
  if (nodes) {
    let alloc = 0;
    let used = 0;
    for (const n of nodes) {
      const g = parseQuantity(n.allocatable['nvidia.com/gpu']) ?? 0;
      alloc += g;
      used += Math.min(g, usage?.get(n.name)?.get('nvidia.com/gpu') ?? 0);
    }
    description = join([`${nodes.length} node${nodes.length === 1 ? '' : 's'}`, alloc > 0 && (usage ? `${alloc - used} of ${alloc} GPUs free` : `${alloc} GPUs`)]);
  }
  return {
    label: 'Nodes',
    ...(description ? { description } : {}),
    tooltip: 'Per node: nvidia.com/gpu, amd.com/gpu and MIG capacity, allocatable and requested by pods; GPU product; taints; the pods holding GPUs.',
    icon: { id: 'server-environment' },
    contextValue: 'modeldock.group.nodes',
    collapsible: 'collapsed',
  };
}
