/**
 * ModelDock's own view of a Kubernetes cluster. Nothing here depends on @kubernetes/client-node or
 * on VS Code: the adapter in client.ts maps the API onto these shapes after validating the fields
 * we read, so the tree, the logs and the tests never see raw client-node objects.
 */

import type { NodeSelectorRequirement, Taint, Toleration } from '../core/deploy/scheduling';

export type { NodeSelectorRequirement, Taint, Toleration };

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'Job' | 'CronJob';
export type WatchableKind = 'Pod' | WorkloadKind;
/** Namespaced kinds a client lists and watches: the tree's, plus what following a rollout reads. */
export type NamespacedKind = WatchableKind | 'ReplicaSet' | 'Event';
export const WORKLOAD_KINDS: readonly WorkloadKind[] = ['Deployment', 'StatefulSet', 'Job', 'CronJob'];

export interface Disposable {
  dispose(): void;
}

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly creationTimestamp?: string;
  readonly deletionTimestamp?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ownerKind?: string;
  readonly ownerName?: string;
  /** The controller owner's uid (a ReplicaSet's Deployment, a pod's ReplicaSet). */
  readonly ownerUid?: string;
}

export interface NamespaceInfo {
  readonly kind: 'Namespace';
  readonly meta: ObjectMeta;
  readonly phase: string;
}

export type ContainerStateKind = 'running' | 'waiting' | 'terminated' | 'unknown';

export interface ContainerPort {
  readonly containerPort: number;
  readonly name?: string;
  readonly protocol: string;
}

export interface ContainerInfo {
  readonly name: string;
  readonly image: string;
  readonly init: boolean;
  readonly state: ContainerStateKind;
  /** Waiting/terminated reason as the kubelet reports it (CrashLoopBackOff, OOMKilled, …). */
  readonly stateReason?: string;
  readonly startedAt?: string;
  readonly ready: boolean;
  readonly restartCount: number;
  readonly lastTermination?: { readonly reason: string; readonly exitCode: number; readonly finishedAt?: string };
  /** `nvidia.com/gpu` requested (or limited, which implies the request) as the API states it. */
  readonly gpus?: string;
  readonly ports: readonly ContainerPort[];
  /** resources.requests / resources.limits as quantities (strings), for scheduling and OOM reasons. */
  readonly requests: Readonly<Record<string, string>>;
  readonly limits: Readonly<Record<string, string>>;
  /** The kubelet's message with a waiting/terminated reason (the registry's answer to a pull). */
  readonly stateMessage?: string;
  readonly exitCode?: number;
  /** The readiness probe's HTTP path, when it has one (tells the serving runtime apart). */
  readonly readinessPath?: string;
  /** Plain `value:` environment variables (MODEL_NAME tells TF Serving's model). */
  readonly env: Readonly<Record<string, string>>;
}

export interface PodCondition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

export interface PodInfo {
  readonly kind: 'Pod';
  readonly meta: ObjectMeta;
  readonly phase: string;
  /** What `kubectl get pods` prints in STATUS: a waiting/terminated reason beats the phase. */
  readonly status: string;
  readonly nodeName?: string;
  readonly podIP?: string;
  readonly containers: readonly ContainerInfo[];
  readonly initContainers: readonly ContainerInfo[];
  readonly readyCount: number;
  readonly restarts: number;
  readonly gpus: number;
  readonly conditions: readonly PodCondition[];
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
  /** requiredDuringSchedulingIgnoredDuringExecution node affinity: terms ORed, expressions ANDed. */
  readonly requiredNodeAffinity: readonly (readonly NodeSelectorRequirement[])[];
}

/** What following a Deployment's rollout reads from it, beyond the tree's columns. */
export interface DeploymentRollout {
  readonly generation: number;
  readonly observedGeneration: number;
  /** status.replicas: all pods of every ReplicaSet. */
  readonly replicas: number;
  readonly paused: boolean;
  readonly conditions: readonly PodCondition[];
  /** `deployment.kubernetes.io/revision` */
  readonly revision?: string;
  readonly changeCause?: string;
  /** spec.selector.matchLabels as a label selector (`a=b,c=d`); undefined with matchExpressions only. */
  readonly selector?: string;
  readonly images: readonly string[];
  readonly progressDeadlineSeconds?: number;
  readonly strategy?: { readonly type: string; readonly maxSurge?: string; readonly maxUnavailable?: string };
  readonly revisionHistoryLimit?: number;
}

export interface WorkloadInfo {
  readonly kind: WorkloadKind;
  readonly meta: ObjectMeta;
  /** Deployments/StatefulSets: desired replicas. Jobs: completions. */
  readonly desired?: number;
  readonly ready?: number;
  readonly updated?: number;
  readonly available?: number;
  readonly active?: number;
  readonly succeeded?: number;
  readonly failed?: number;
  readonly schedule?: string;
  readonly suspended?: boolean;
  readonly lastScheduleTime?: string;
  readonly completed?: boolean;
  readonly gpus: number;
  /** Deployments only. */
  readonly rollout?: DeploymentRollout;
}

export interface ReplicaSetInfo {
  readonly kind: 'ReplicaSet';
  readonly meta: ObjectMeta;
  /** `deployment.kubernetes.io/revision`; 0 when absent (not made by a Deployment). */
  readonly revision: number;
  readonly changeCause?: string;
  readonly images: readonly string[];
  readonly desired: number;
  readonly replicas: number;
  readonly ready: number;
  readonly available: number;
  /** The `pod-template-hash` label: the pods it owns carry it too. */
  readonly templateHash?: string;
}

/** A core/v1 Event, as `kubectl describe` shows them. */
export interface EventInfo {
  readonly kind: 'Event';
  readonly meta: ObjectMeta;
  readonly involved: { readonly kind: string; readonly name: string; readonly namespace?: string; readonly uid?: string };
  /** Normal or Warning. */
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly count: number;
  /** When it last happened (lastTimestamp, series, eventTime or creation, whichever is set). */
  readonly lastSeen?: string;
  readonly source?: string;
}

/** A node with what scheduling GPUs needs: capacity, allocatable, taints, readiness, GPU labels. */
export interface NodeInfo {
  readonly kind: 'Node';
  readonly meta: ObjectMeta;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly capacity: Readonly<Record<string, string>>;
  readonly allocatable: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly unschedulable: boolean;
  readonly ready: boolean;
}

export type InfoOf<K extends NamespacedKind | 'Namespace' | 'Node'> = K extends 'Pod'
  ? PodInfo
  : K extends 'Namespace'
    ? NamespaceInfo
    : K extends 'ReplicaSet'
      ? ReplicaSetInfo
      : K extends 'Event'
        ? EventInfo
        : K extends 'Node'
          ? NodeInfo
          : WorkloadInfo;

export interface KubeContextInfo {
  readonly name: string;
  readonly cluster: string;
  readonly user: string;
  readonly namespace?: string;
  readonly server?: string;
  readonly current: boolean;
}

/** A raw Kubernetes object as JSON; only `apiVersion`, `kind` and `metadata.name` are guaranteed. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

export type WatchState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready' }
  /** `retrying`: the watch keeps trying with backoff (network); otherwise it waits for a refresh. */
  | { readonly kind: 'error'; readonly error: KubeErrorInfo; readonly retrying: boolean };

export interface WatchChange<T> {
  /** True when the store was replaced by a (re)list: consumers rebuild instead of patching. */
  readonly reset: boolean;
  readonly upserted: readonly T[];
  readonly deleted: readonly string[];
}

/** A list+watch over one kind in one namespace: the informer the tree reads from. */
export interface ResourceWatch<T> extends Disposable {
  readonly state: WatchState;
  /** Keyed by `metadata.name`; a namespaced kind watched across all namespaces by `namespace/name`. */
  readonly items: ReadonlyMap<string, T>;
  onChange(listener: (change: WatchChange<T>) => void): Disposable;
  onState(listener: (state: WatchState) => void): Disposable;
  /** Drop the store and list again (the user's Refresh). */
  restart(): void;
}

export interface WatchOptions {
  /** Server-side watch timeout; the reflector re-watches from the last resourceVersion when it ends. */
  readonly timeoutSeconds?: number;
  readonly pageSize?: number;
  readonly fieldSelector?: string;
  readonly labelSelector?: string;
}

export interface ListOptions {
  readonly fieldSelector?: string;
  readonly labelSelector?: string;
}

export interface LogOptions {
  readonly follow?: boolean;
  readonly tailLines?: number;
  readonly sinceSeconds?: number;
  readonly timestamps?: boolean;
  readonly previous?: boolean;
}

export interface LogStream extends Disposable {
  /** Settles when the server ends the stream (container exited, not following) or on dispose. */
  readonly ended: Promise<void>;
}

export interface PortForwardHandle extends Disposable {
  readonly localPort: number;
  readonly remotePort: number;
  readonly target: string;
}

export interface ApplyResult {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  /** The live object before the apply (undefined when it does not exist yet). */
  readonly before?: KubeObject;
  readonly after: KubeObject;
}

export type KubeErrorKind =
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'gone'
  | 'invalid'
  | 'unreachable'
  | 'tls'
  | 'credentials'
  | 'no-kubeconfig'
  /** ModelDock refused the kubeconfig entry (a workspace file's credential plugin, say). */
  | 'untrusted-config'
  /** A response or watch line over the client's size limit. */
  | 'too-large'
  | 'server';

export interface KubeErrorInfo {
  readonly kind: KubeErrorKind;
  readonly message: string;
  readonly code?: number;
  readonly reason?: string;
  /** For 403: what was refused, so the tree can say "cannot list pods in ns-x". */
  readonly verb?: string;
  readonly resource?: string;
  readonly namespace?: string;
  readonly hint?: string;
}

export interface ClientStats {
  /** Requests started by this client (lists, gets, watch opens, log streams, patches). */
  readonly requests: number;
  readonly openStreams: number;
}

/**
 * The cluster adapter's contract. One client talks to one context; switching context means a new
 * client (and disposing the old one with everything it opened).
 */
export interface ClusterClient extends Disposable {
  contexts(): readonly KubeContextInfo[];
  readonly currentContext: string;
  /** The context's namespace, or `default`. */
  readonly defaultNamespace: string;
  listNamespaces(): Promise<NamespaceInfo[]>;
  list<K extends NamespacedKind>(kind: K, namespace: string, options?: ListOptions): Promise<InfoOf<K>[]>;
  watchNamespaces(options?: WatchOptions): ResourceWatch<NamespaceInfo>;
  watch<K extends NamespacedKind>(kind: K, namespace: string, options?: WatchOptions): ResourceWatch<InfoOf<K>>;
  listNodes(options?: ListOptions): Promise<NodeInfo[]>;
  watchNodes(options?: WatchOptions): ResourceWatch<NodeInfo>;
  /** Pods of every namespace (keyed `namespace/name`); needs cluster-wide list rights. */
  listAllPods(options?: ListOptions): Promise<PodInfo[]>;
  watchAllPods(options?: WatchOptions): ResourceWatch<PodInfo>;
  /**
   * `kubectl rollout undo --to-revision`: the Deployment's pod template (and change-cause) become
   * those of the ReplicaSet of `revision`. Guarded by the live object's resourceVersion, so the
   * change the user confirmed is the change made. A dry run returns the result without storing it.
   */
  rollbackDeployment(namespace: string, name: string, revision: number, options: { dryRun: boolean; resourceVersion?: string }): Promise<ApplyResult>;
  /** `kubectl rollout pause/resume`. */
  setDeploymentPaused(namespace: string, name: string, paused: boolean): Promise<void>;
  /** Streams text chunks to `sink`; resolves once the server accepted the request. */
  logs(namespace: string, pod: string, container: string, options: LogOptions, sink: (text: string) => void): Promise<LogStream>;
  deletePod(namespace: string, name: string): Promise<void>;
  restartDeployment(namespace: string, name: string, at?: Date): Promise<void>;
  scale(kind: 'Deployment' | 'StatefulSet', namespace: string, name: string, replicas: number): Promise<void>;
  portForward(
    target: { readonly kind: 'Pod' | 'Service'; readonly namespace: string; readonly name: string; readonly port: number },
    localPort?: number,
  ): Promise<PortForwardHandle>;
  /**
   * Server-side apply (fieldManager `modeldock`) of a YAML text or parsed manifests. Namespaced
   * objects without a namespace go to `namespace`, else the context's.
   */
  applyServerSide(manifests: string | readonly KubeObject[], options: { dryRun: boolean; force?: boolean; namespace?: string }): Promise<ApplyResult[]>;
  get(kind: string, namespace: string | undefined, name: string, apiVersion?: string): Promise<KubeObject | undefined>;
  /** Deletes any object (tests clean up with it; the UI only deletes pods). */
  delete(kind: string, namespace: string | undefined, name: string, apiVersion?: string): Promise<void>;
  stats(): ClientStats;
}
