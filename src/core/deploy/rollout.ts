// Following a Deployment's rollout from its objects, as `kubectl rollout status` does, plus what
// kubectl does not say: why the new pods fail (image pull with the registry's message, crash
// loops, OOM kills against the memory limit, unschedulable pods), and the rollout history.
import { parseQuantity } from '../k8s/quantity';
import { formatBytes } from '../format';

export interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

export interface DeploymentState {
  readonly name: string;
  readonly generation: number;
  readonly observedGeneration: number;
  readonly desired: number;
  readonly replicas: number;
  readonly updated: number;
  readonly ready: number;
  readonly available: number;
  readonly paused: boolean;
  readonly conditions: readonly Condition[];
  readonly revision?: string;
}

export interface ContainerState {
  readonly name: string;
  readonly ready: boolean;
  readonly restartCount: number;
  readonly waiting?: { readonly reason: string; readonly message?: string };
  readonly terminated?: { readonly reason: string; readonly exitCode: number; readonly message?: string };
  readonly lastTerminated?: { readonly reason: string; readonly exitCode: number; readonly finishedAt?: string };
  /** From the pod spec. */
  readonly memoryLimit?: string;
  readonly image: string;
}

export interface PodState {
  readonly name: string;
  readonly phase: string;
  readonly conditions: readonly Condition[];
  readonly containers: readonly ContainerState[];
  /** The ReplicaSet that owns it (to tell new pods from old). */
  readonly owner?: string;
}

export interface EventInfo {
  readonly object: string;
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly count: number;
}

export type ProblemKind = 'image-pull' | 'crash-loop' | 'oom-killed' | 'unschedulable' | 'config' | 'probe' | 'other';

export interface PodProblem {
  readonly pod: string;
  readonly container?: string;
  readonly kind: ProblemKind;
  /** What happened, with the cluster's own words. */
  readonly message: string;
  /** What to do. */
  readonly hint: string;
}

export interface RolloutStatus {
  readonly phase: 'waiting' | 'progressing' | 'complete' | 'failed' | 'paused';
  readonly summary: string;
  readonly problems: readonly PodProblem[];
}

const cap = (s: string, n = 400): string => (s.length > n ? `${s.slice(0, n)}…` : s);

/** Why a pod is not running as it should, from its status and the events about it. */
export function podProblems(pod: PodState, events: readonly EventInfo[]): PodProblem[] {
  const out: PodProblem[] = [];
  const mine = events.filter((e) => e.object === pod.name);
  const scheduled = pod.conditions.find((c) => c.type === 'PodScheduled');
  if (pod.phase === 'Pending' && scheduled?.status === 'False') {
    out.push({
      pod: pod.name,
      kind: 'unschedulable',
      message: cap(scheduled.message ?? mine.find((e) => e.reason === 'FailedScheduling')?.message ?? 'the scheduler found no node'),
      hint: 'See the Nodes level of the Clusters view for what each node has free; add capacity, tolerate the taint, or request less.',
    });
  }
  for (const c of pod.containers) {
    const w = c.waiting;
    if (w && (w.reason === 'ImagePullBackOff' || w.reason === 'ErrImagePull' || w.reason === 'InvalidImageName')) {
      const pulled = mine.filter((e) => e.reason === 'Failed' && /pull|image/i.test(e.message)).map((e) => e.message);
      out.push({
        pod: pod.name,
        container: c.name,
        kind: 'image-pull',
        message: cap(`${w.reason} for ${c.image}: ${pulled[pulled.length - 1] ?? w.message ?? 'the image could not be pulled'}`),
        hint: 'Check the image was pushed to this registry, that the cluster can reach it, and its pull secret (imagePullSecrets) when the registry is private.',
      });
    } else if (w && (w.reason === 'CreateContainerConfigError' || w.reason === 'CreateContainerError')) {
      out.push({ pod: pod.name, container: c.name, kind: 'config', message: cap(`${w.reason}: ${w.message ?? ''}`), hint: 'A Secret, ConfigMap or volume the pod names is missing or wrong.' });
    } else if (w?.reason === 'CrashLoopBackOff' || (c.restartCount > 0 && c.lastTerminated && c.lastTerminated.reason !== 'OOMKilled' && !c.ready)) {
      const last = c.lastTerminated;
      out.push({
        pod: pod.name,
        container: c.name,
        kind: 'crash-loop',
        message: cap(`${c.name} restarted ${c.restartCount} time(s)${last ? `; last exit: ${last.reason} (code ${last.exitCode})` : ''}`),
        hint: 'The previous run\'s last log lines say why (Show Previous Logs).',
      });
    }
    const oom = c.lastTerminated?.reason === 'OOMKilled' || c.terminated?.reason === 'OOMKilled';
    if (oom) {
      const limit = c.memoryLimit ? parseQuantity(c.memoryLimit) : undefined;
      out.push({
        pod: pod.name,
        container: c.name,
        kind: 'oom-killed',
        message: `${c.name} was OOMKilled${limit ? ` at its memory limit of ${formatBytes(limit)} (${c.memoryLimit})` : ' (no memory limit set: the node ran out)'}`,
        hint: limit ? 'Raise resources.limits.memory (model weights + activations + the server), or load the model in a smaller dtype.' : 'Set a memory request and limit that fit the model.',
      });
    }
  }
  const probe = mine.filter((e) => e.reason === 'Unhealthy');
  if (probe.length > 0 && !out.some((p) => p.kind === 'crash-loop' || p.kind === 'oom-killed')) {
    const last = probe[probe.length - 1]!;
    out.push({ pod: pod.name, kind: 'probe', message: cap(`${last.message} (${last.count}×)`), hint: 'The probe path or port does not answer yet: give the model more start-up time (startupProbe) or fix the health route.' });
  }
  return out;
}

/** Where a Deployment's rollout stands (kubectl's rules), with the new pods' problems. */
export function rolloutStatus(d: DeploymentState, newPods: readonly PodState[], events: readonly EventInfo[]): RolloutStatus {
  const problems = newPods.flatMap((p) => podProblems(p, events));
  const progressing = d.conditions.find((c) => c.type === 'Progressing');
  if (d.paused) return { phase: 'paused', summary: `${d.name} is paused: resume it to continue the rollout`, problems };
  if (d.generation > d.observedGeneration) return { phase: 'waiting', summary: `Waiting for the controller to observe ${d.name}'s new spec`, problems };
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { phase: 'failed', summary: `${d.name} exceeded its progress deadline${problems[0] ? `: ${problems[0].message}` : ''}`, problems };
  }
  if (d.updated < d.desired) return { phase: 'progressing', summary: `${d.updated} of ${d.desired} updated replicas${problems[0] ? `; ${problems[0].message}` : ''}`, problems };
  if (d.replicas > d.updated) return { phase: 'progressing', summary: `${d.replicas - d.updated} old replica(s) pending termination`, problems };
  if (d.available < d.updated) return { phase: 'progressing', summary: `${d.available} of ${d.updated} updated replicas available${problems[0] ? `; ${problems[0].message}` : ''}`, problems };
  return { phase: 'complete', summary: `${d.name} rolled out: ${d.available} of ${d.desired} replicas available`, problems: [] };
}

export interface ReplicaSetInfo {
  readonly name: string;
  readonly revision: number;
  readonly images: readonly string[];
  readonly changeCause?: string;
  readonly created?: string;
  readonly replicas: number;
}

export interface HistoryEntry extends ReplicaSetInfo {
  readonly current: boolean;
}

/** `kubectl rollout history`: the Deployment's ReplicaSets by revision, newest first. */
export function rolloutHistory(d: Pick<DeploymentState, 'revision'>, sets: readonly ReplicaSetInfo[]): HistoryEntry[] {
  return [...sets].sort((a, b) => b.revision - a.revision).map((s) => ({ ...s, current: String(s.revision) === d.revision }));
}
