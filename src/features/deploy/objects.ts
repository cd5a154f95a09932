// The cluster adapter's validated objects in the shapes core/deploy reasons about. Pure (no
// VS Code), so the follower and its tests share it.
import type { DeploymentState, EventInfo as CoreEvent, PodState, ReplicaSetInfo as CoreReplicaSet } from '../../core/deploy/rollout';
import type { SchedNode } from '../../core/deploy/scheduling';
import type { EventInfo, NodeInfo, PodInfo, ReplicaSetInfo, WorkloadInfo } from '../../kube/types';

export function deploymentState(w: WorkloadInfo): DeploymentState | undefined {
  const r = w.rollout;
  if (w.kind !== 'Deployment' || !r) return undefined;
  return {
    name: w.meta.name,
    generation: r.generation,
    observedGeneration: r.observedGeneration,
    desired: w.desired ?? 1,
    replicas: r.replicas,
    updated: w.updated ?? 0,
    ready: w.ready ?? 0,
    available: w.available ?? 0,
    paused: r.paused,
    conditions: r.conditions,
    ...(r.revision ? { revision: r.revision } : {}),
  };
}

export function podState(p: PodInfo): PodState {
  return {
    name: p.meta.name,
    phase: p.phase,
    conditions: p.conditions,
    ...(p.meta.ownerName ? { owner: p.meta.ownerName } : {}),
    containers: [...p.initContainers, ...p.containers].map((c) => ({
      name: c.name,
      ready: c.ready,
      restartCount: c.restartCount,
      image: c.image,
      ...(c.state === 'waiting' && c.stateReason ? { waiting: { reason: c.stateReason, ...(c.stateMessage ? { message: c.stateMessage } : {}) } } : {}),
      ...(c.state === 'terminated' && c.stateReason ? { terminated: { reason: c.stateReason, exitCode: c.exitCode ?? -1, ...(c.stateMessage ? { message: c.stateMessage } : {}) } } : {}),
      ...(c.lastTermination ? { lastTerminated: c.lastTermination } : {}),
      ...(c.limits.memory ? { memoryLimit: c.limits.memory } : {}),
    })),
  };
}

// One conversion for the tree and the follower; re-exported so the follower's imports stay in one place.
export { schedPod } from '../../kube/sched';

export function schedNode(n: NodeInfo): SchedNode {
  return { name: n.name, labels: n.labels, allocatable: n.allocatable, capacity: n.capacity, taints: n.taints, unschedulable: n.unschedulable, ready: n.ready };
}

export function coreEvent(e: EventInfo): CoreEvent {
  return { object: e.involved.name, type: e.type, reason: e.reason, message: e.message, count: e.count };
}

export function coreReplicaSet(r: ReplicaSetInfo): CoreReplicaSet {
  return {
    name: r.meta.name,
    revision: r.revision,
    images: r.images,
    replicas: r.replicas,
    ...(r.changeCause ? { changeCause: r.changeCause } : {}),
    ...(r.meta.creationTimestamp ? { created: r.meta.creationTimestamp } : {}),
  };
}

/** Whether a pod is Pending because no node takes it (the scheduler said so). */
export function isUnschedulable(p: PodInfo): boolean {
  return p.phase === 'Pending' && !p.nodeName && p.conditions.some((c) => c.type === 'PodScheduled' && c.status === 'False');
}
