/**
 * ModelDock's own view of a Kubernetes cluster. Nothing here depends on @kubernetes/client-node or
 * on VS Code: the adapter in client.ts maps the API onto these shapes after validating the fields
 * we read, so the tree, the logs and the tests never see raw client-node objects.
 */

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'Job' | 'CronJob';
export type WatchableKind = 'Pod' | WorkloadKind;
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
}

export type InfoOf<K extends WatchableKind | 'Namespace'> = K extends 'Pod'
  ? PodInfo
  : K extends 'Namespace'
    ? NamespaceInfo
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
  /** Keyed by `metadata.name` (one namespace per watch). */
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
  list<K extends WatchableKind>(kind: K, namespace: string): Promise<InfoOf<K>[]>;
  watchNamespaces(options?: WatchOptions): ResourceWatch<NamespaceInfo>;
  watch<K extends WatchableKind>(kind: K, namespace: string, options?: WatchOptions): ResourceWatch<InfoOf<K>>;
  /** Streams text chunks to `sink`; resolves once the server accepted the request. */
  logs(namespace: string, pod: string, container: string, options: LogOptions, sink: (text: string) => void): Promise<LogStream>;
  deletePod(namespace: string, name: string): Promise<void>;
  restartDeployment(namespace: string, name: string, at?: Date): Promise<void>;
  scale(kind: 'Deployment' | 'StatefulSet', namespace: string, name: string, replicas: number): Promise<void>;
  portForward(
    target: { readonly kind: 'Pod' | 'Service'; readonly namespace: string; readonly name: string; readonly port: number },
    localPort?: number,
  ): Promise<PortForwardHandle>;
  /** Server-side apply (fieldManager `modeldock`) of a YAML text or parsed manifests. */
  applyServerSide(manifests: string | readonly KubeObject[], options: { dryRun: boolean; force?: boolean }): Promise<ApplyResult[]>;
  get(kind: string, namespace: string | undefined, name: string, apiVersion?: string): Promise<KubeObject | undefined>;
  /** Deletes any object (tests clean up with it; the UI only deletes pods). */
  delete(kind: string, namespace: string | undefined, name: string, apiVersion?: string): Promise<void>;
  stats(): ClientStats;
}
