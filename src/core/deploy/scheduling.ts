// Why a pod does not schedule, computed from the objects (nodes and the pods bound to them), not
// only echoed from the scheduler's event: per node, what it has free of each resource the pod
// asks for, which taints it does not tolerate, whether its labels match the node selector and
// required affinity. GPU resources first: "needs 2 nvidia.com/gpu; largest free on any node: 1
// (node-a: 1 of 4 free); 3 nodes have no GPUs; node-b has taint nvidia.com/gpu=present:NoSchedule,
// not tolerated".
import { parseQuantity } from '../k8s/quantity';

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: string;
}

export interface Toleration {
  readonly key?: string;
  readonly operator?: string;
  readonly value?: string;
  readonly effect?: string;
}

export interface NodeSelectorRequirement {
  readonly key: string;
  readonly operator: string;
  readonly values?: readonly string[];
}

export interface SchedNode {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly allocatable: Readonly<Record<string, string>>;
  readonly capacity: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly unschedulable: boolean;
  readonly ready: boolean;
}

export interface SchedContainer {
  readonly requests: Readonly<Record<string, string>>;
  readonly limits: Readonly<Record<string, string>>;
}

export interface SchedPod {
  readonly name: string;
  readonly namespace: string;
  readonly nodeName?: string;
  readonly phase: string;
  readonly containers: readonly SchedContainer[];
  readonly initContainers: readonly SchedContainer[];
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
  /** requiredDuringSchedulingIgnoredDuringExecution: the terms are ORed, expressions ANDed. */
  readonly requiredNodeAffinity: readonly (readonly NodeSelectorRequirement[])[];
}

/** Accelerator resources, the ones the explanation leads with. */
export function isGpuResource(name: string): boolean {
  return name === 'nvidia.com/gpu' || name === 'amd.com/gpu' || name === 'gpu.intel.com/i915' || name.startsWith('nvidia.com/mig-') || /(^|\/)gpu$/.test(name);
}

/**
 * What a container asks of a resource: its request, else its limit (for extended resources such
 * as GPUs the limit is the request; for cpu/memory a limit without a request defaults it).
 */
function containerAsk(c: SchedContainer, resource: string): number {
  return parseQuantity(c.requests[resource] ?? c.limits[resource]) ?? 0;
}

/** The pod's effective request: max(largest init container, sum of app containers), per resource. */
export function podRequests(pod: Pick<SchedPod, 'containers' | 'initContainers'>): Map<string, number> {
  const names = new Set<string>();
  for (const c of [...pod.containers, ...pod.initContainers]) for (const r of [...Object.keys(c.requests), ...Object.keys(c.limits)]) names.add(r);
  const out = new Map<string, number>();
  for (const r of names) {
    const app = pod.containers.reduce((n, c) => n + containerAsk(c, r), 0);
    const init = pod.initContainers.reduce((n, c) => Math.max(n, containerAsk(c, r)), 0);
    const v = Math.max(app, init);
    if (v > 0) out.set(r, v);
  }
  return out;
}

export function tolerates(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return t.key === undefined || t.key === '' || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

function matchesRequirement(labels: Readonly<Record<string, string>>, r: NodeSelectorRequirement): boolean {
  const v = labels[r.key];
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return v !== undefined && values.includes(v);
    case 'NotIn':
      return v === undefined || !values.includes(v);
    case 'Exists':
      return v !== undefined;
    case 'DoesNotExist':
      return v === undefined;
    case 'Gt':
      return v !== undefined && Number(v) > Number(values[0]);
    case 'Lt':
      return v !== undefined && Number(v) < Number(values[0]);
    default:
      return false;
  }
}

export interface NodeVerdict {
  readonly node: string;
  readonly fits: boolean;
  /** Why not, in words (empty when it fits). */
  readonly reasons: readonly string[];
  /** Per requested resource: allocatable and free on this node. */
  readonly resources: ReadonlyMap<string, { readonly allocatable: number; readonly free: number; readonly needed: number }>;
}

export interface SchedulingExplanation {
  /** One sentence for the tree and notifications. */
  readonly summary: string;
  readonly needs: ReadonlyMap<string, number>;
  readonly nodes: readonly NodeVerdict[];
  readonly anyNodeFits: boolean;
}

function fmt(resource: string, v: number): string {
  if (resource === 'memory' || resource.endsWith('memory') || resource === 'ephemeral-storage') {
    const gib = v / 2 ** 30;
    return gib >= 1 ? `${gib.toFixed(gib >= 10 ? 0 : 1)}Gi` : `${Math.round(v / 2 ** 20)}Mi`;
  }
  if (resource === 'cpu') return v < 1 ? `${Math.round(v * 1000)}m` : `${+v.toFixed(2)}`;
  return `${+v.toFixed(3)}`;
}

function taintText(t: Taint): string {
  return `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;
}

function isResourceReason(reason: string): boolean {
  return reason.startsWith('has no ') || / free, needs /.test(reason);
}

/** Explains why `pod` does not fit on any of `nodes`, given the pods already bound to them. */
export function explainScheduling(pod: SchedPod, nodes: readonly SchedNode[], allPods: readonly SchedPod[]): SchedulingExplanation {
  const needs = podRequests(pod);
  const used = new Map<string, Map<string, number>>();
  for (const p of allPods) {
    if (!p.nodeName || p.phase === 'Succeeded' || p.phase === 'Failed') continue;
    if (p.name === pod.name && p.namespace === pod.namespace) continue;
    const m = used.get(p.nodeName) ?? new Map<string, number>();
    for (const [r, v] of podRequests(p)) m.set(r, (m.get(r) ?? 0) + v);
    used.set(p.nodeName, m);
  }

  const verdicts: NodeVerdict[] = nodes.map((n) => {
    const reasons: string[] = [];
    if (n.unschedulable) reasons.push('is cordoned (unschedulable)');
    if (!n.ready) reasons.push('is not Ready');
    for (const t of n.taints) {
      if ((t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(pod.tolerations, t)) reasons.push(`has taint ${taintText(t)}, not tolerated`);
    }
    for (const [k, v] of Object.entries(pod.nodeSelector)) {
      if (n.labels[k] !== v) reasons.push(`lacks label ${k}=${v} (nodeSelector)`);
    }
    if (pod.requiredNodeAffinity.length > 0 && !pod.requiredNodeAffinity.some((term) => term.every((r) => matchesRequirement(n.labels, r)))) {
      reasons.push('does not match the required node affinity');
    }
    const resources = new Map<string, { allocatable: number; free: number; needed: number }>();
    for (const [r, needed] of needs) {
      const allocatable = parseQuantity(n.allocatable[r]) ?? 0;
      const free = Math.max(0, allocatable - (used.get(n.name)?.get(r) ?? 0));
      resources.set(r, { allocatable, free, needed });
      if (free < needed) reasons.push(allocatable === 0 ? `has no ${r}` : `has ${fmt(r, free)} of ${fmt(r, allocatable)} ${r} free, needs ${fmt(r, needed)}`);
    }
    return { node: n.name, fits: reasons.length === 0, reasons, resources };
  });

  const parts: string[] = [];
  const gpuNeeds = [...needs].filter(([r]) => isGpuResource(r));
  for (const [r, need] of gpuNeeds) {
    const withIt = verdicts.filter((v) => (v.resources.get(r)?.allocatable ?? 0) > 0);
    // Among the nodes the pod may use at all (no taint, selector or cordon in the way), unless
    // there are none: a tainted node's free GPUs are not on offer.
    const usable = withIt.filter((v) => !v.reasons.some((x) => !isResourceReason(x)));
    const pool = usable.length > 0 ? usable : withIt;
    const best = pool.reduce<NodeVerdict | undefined>((b, v) => (!b || v.resources.get(r)!.free > b.resources.get(r)!.free ? v : b), undefined);
    let text = `needs ${fmt(r, need)} ${r}`;
    if (best) {
      const br = best.resources.get(r)!;
      text += `; largest free on any node: ${fmt(r, br.free)} (${best.node}: ${fmt(r, br.free)} of ${fmt(r, br.allocatable)} free)`;
    }
    parts.push(text);
    const without = verdicts.length - withIt.length;
    if (without > 0) parts.push(`${without} node${without === 1 ? '' : 's'} ${without === 1 ? 'has' : 'have'} no ${r === 'nvidia.com/gpu' || r === 'amd.com/gpu' ? 'GPUs' : r}`);
  }
  for (const [r, need] of needs) {
    if (isGpuResource(r)) continue;
    const short = verdicts.filter((v) => (v.resources.get(r)?.free ?? 0) < need);
    if (short.length === verdicts.length && verdicts.length > 0) {
      const most = Math.max(...verdicts.map((v) => v.resources.get(r)?.free ?? 0));
      parts.push(`needs ${fmt(r, need)} ${r}; the most free on a node is ${fmt(r, most)}`);
    }
  }
  // Reasons other than resources, per node (taints, selectors, cordons), once each.
  for (const v of verdicts) {
    for (const reason of v.reasons) {
      if (isResourceReason(reason)) continue;
      parts.push(`${v.node} ${reason}`);
    }
  }
  const anyNodeFits = verdicts.some((v) => v.fits);
  if (nodes.length === 0) parts.push('the cluster has no nodes');
  else if (anyNodeFits) parts.push(`${verdicts.filter((v) => v.fits).map((v) => v.node).join(', ')} could take it now (the scheduler may not have retried yet)`);
  return { summary: parts.join('; ') || 'no reason found in the objects', needs, nodes: verdicts, anyNodeFits };
}
