/**
 * ModelDock's own view of a container engine. Nothing here depends on dockerode or VS Code, so the
 * glue, the tests and a future CLI fallback can all stand behind the same interface.
 */

/** Where the engine lives and how we found it (shown to the user). */
export type EngineSource =
  | 'setting'
  | 'DOCKER_HOST'
  | 'docker-context'
  | 'default-socket'
  | 'docker-desktop-socket'
  | 'rootless-socket'
  | 'podman-socket';

export interface TlsFiles {
  readonly caPath: string;
  readonly certPath: string;
  readonly keyPath: string;
  /** DOCKER_TLS_VERIFY / context SkipTLSVerify: whether the server certificate is checked. */
  readonly verify: boolean;
}

export type EngineEndpoint =
  | { readonly kind: 'unix'; readonly socketPath: string }
  | { readonly kind: 'npipe'; readonly pipePath: string }
  | {
      readonly kind: 'tcp';
      readonly host: string;
      readonly port: number;
      readonly tls?: TlsFiles;
    }
  | { readonly kind: 'ssh'; readonly host: string; readonly port: number; readonly username?: string };

export interface DiscoveredEngine {
  readonly endpoint: EngineEndpoint;
  readonly source: EngineSource;
  /** The `docker context` name, when the endpoint came from one. */
  readonly contextName?: string;
  /** Human-readable address, e.g. `unix:///var/run/docker.sock`. */
  readonly address: string;
  /** Podman's compat API is close to Docker's but not identical (no BuildKit, for one). */
  readonly flavour: 'docker' | 'podman';
  /** Why other candidates were passed over, for the log. */
  readonly notes: readonly string[];
}

export interface EngineInfo {
  readonly serverVersion: string;
  readonly apiVersion: string;
  readonly osType: string;
  readonly architecture: string;
  readonly name: string;
  readonly runtimes: readonly string[];
  readonly defaultRuntime: string | undefined;
  /** Only engines >= 25 report these. */
  readonly cdiSpecDirs: readonly string[] | undefined;
  /** Only engines >= 28 report these: `{ source: 'cdi', id: 'nvidia.com/gpu=0' }`. */
  readonly discoveredDevices: readonly { readonly source: string; readonly id: string }[] | undefined;
  readonly builderVersion: '1' | '2' | undefined;
}

// ---------------------------------------------------------------- build

export interface ContextFile {
  /** Path inside the context, forward slashes, no leading `./`. */
  readonly rel: string;
  readonly abs: string;
  readonly type: 'file' | 'directory' | 'symlink';
  readonly size: number;
  readonly mode: number;
  readonly mtime: Date;
  readonly linkTarget?: string;
}

export interface ContextPlan {
  readonly root: string;
  readonly dockerfile: string;
  readonly files: readonly ContextFile[];
  readonly totalBytes: number;
  readonly fileCount: number;
  /** The excludes actually applied (after the CLI's Dockerfile/.dockerignore re-inclusion). */
  readonly excludes: readonly string[];
  /** Largest included files, biggest first. */
  readonly biggest: readonly { readonly rel: string; readonly size: number }[];
  /** True when totalBytes is above the warning threshold given to planContext. */
  readonly overThreshold: boolean;
  readonly thresholdBytes: number;
}

export type BuildEvent =
  | { readonly type: 'step'; readonly current: number; readonly total: number; readonly text: string }
  /** Raw output, ANSI escapes untouched, always ending in a newline. */
  | { readonly type: 'log'; readonly text: string }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'imageId'; readonly id: string };

export interface BuildRequest {
  readonly plan: ContextPlan;
  readonly tags: readonly string[];
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly target?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** 'auto' uses BuildKit when the engine offers it. */
  readonly builder?: 'auto' | 'buildkit' | 'classic';
  readonly noCache?: boolean;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: BuildEvent) => void;
}

export interface BuildResult {
  readonly imageId: string | undefined;
  readonly tags: readonly string[];
  readonly builder: 'buildkit' | 'classic';
  readonly durationMs: number;
}

// ---------------------------------------------------------------- push

export interface PushRequest {
  /** `host/repo:tag`, already tagged locally (tagImage). */
  readonly ref: string;
  /** The X-Registry-Auth value (credentials.ts registryAuthHeader); never logged. */
  readonly registryAuth: string;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: import('./push').PushEvent) => void;
}

export interface PushResult {
  readonly ref: string;
  /** `sha256:…` as the registry reported it in the push stream. */
  readonly digest: string;
  /** `host/repo@sha256:…`: what the manifests pin. */
  readonly pinned: string;
  readonly size?: number;
  readonly durationMs: number;
}

// ---------------------------------------------------------------- run

export type GpuRequest =
  | { readonly kind: 'none' }
  | { readonly kind: 'all' }
  | { readonly kind: 'count'; readonly count: number }
  | { readonly kind: 'devices'; readonly ids: readonly string[] };

export interface PortMapping {
  readonly containerPort: number;
  readonly hostPort: number;
  readonly protocol?: 'tcp' | 'udp';
  /** Defaults to 127.0.0.1: a model server is not published to the whole network by accident. */
  readonly hostIp?: string;
}

export interface MountSpec {
  readonly hostPath: string;
  readonly containerPath: string;
  readonly readOnly?: boolean;
}

export interface RunOptions {
  readonly image: string;
  readonly project: string;
  readonly name?: string;
  readonly ports?: readonly PortMapping[];
  readonly env?: Readonly<Record<string, string>>;
  readonly mounts?: readonly MountSpec[];
  /** Host folder of the Hugging Face cache; mounted at /root/.cache/huggingface with HF_HOME set. */
  readonly hfCacheDir?: string;
  /** Bytes; PyTorch's DataLoader needs more than Docker's 64 MB default. */
  readonly shmSizeBytes?: number;
  readonly framework?: string;
  readonly gpus?: GpuRequest;
  readonly ipcHost?: boolean;
  readonly cmd?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly autoRemove?: boolean;
}

/** The subset of Docker's ContainerCreate body ModelDock produces. */
export interface ContainerCreateSpec {
  Image: string;
  name?: string;
  Env?: string[];
  Cmd?: string[];
  Labels: Record<string, string>;
  ExposedPorts?: Record<string, Record<string, never>>;
  Tty: false;
  HostConfig: {
    PortBindings?: Record<string, { HostIp: string; HostPort: string }[]>;
    Binds?: string[];
    ShmSize?: number;
    IpcMode?: string;
    AutoRemove?: boolean;
    DeviceRequests?: {
      Driver: string;
      Count: number;
      DeviceIDs: string[] | null;
      Capabilities: string[][];
      Options: Record<string, string>;
    }[];
  };
}

export interface ContainerPort {
  readonly containerPort: number;
  readonly hostPort: number | undefined;
  readonly hostIp: string | undefined;
  readonly protocol: string;
}

export interface ManagedContainer {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  readonly state: string;
  readonly status: string;
  readonly project: string | undefined;
  readonly ports: readonly ContainerPort[];
  /** From the modeldock.gpus label: 'all', '2', 'device=0,1' or undefined for CPU. */
  readonly gpus: string | undefined;
  readonly created: number;
}

export interface ContainerEvent {
  readonly id: string;
  readonly action: string;
  readonly name: string | undefined;
  readonly timeNano: bigint;
  readonly labels: Readonly<Record<string, string>>;
}

export type LogChunk = { readonly stream: 'stdout' | 'stderr'; readonly text: string } | { readonly stream: 'system'; readonly text: string };

export interface FollowLogsOptions {
  readonly tail?: number;
  readonly signal: AbortSignal;
  readonly onChunk: (chunk: LogChunk) => void;
}

// ---------------------------------------------------------------- preflight

export interface GpuPreflightFacts {
  readonly engineReachable: boolean;
  readonly engineError?: string;
  readonly info?: EngineInfo;
  /** `nvidia-smi` result: undefined when the binary is absent. */
  readonly nvidiaSmi?: { readonly ok: boolean; readonly gpus: readonly string[]; readonly driverVersion?: string; readonly error?: string };
  readonly hostPlatform: string;
}

export type GpuVerdictKind = 'ready' | 'probably' | 'no-toolkit' | 'no-driver' | 'engine-down';

export interface GpuVerdict {
  readonly kind: GpuVerdictKind;
  readonly canServeGpus: boolean;
  readonly summary: string;
  readonly details: readonly string[];
  /** What to install or do, as steps; empty when ready. */
  readonly remedy: readonly string[];
}

export interface Disposable {
  dispose(): void;
}

/** ModelDock's engine adapter. One instance per connection; dispose() ends every stream it opened. */
export interface DockerEngine extends Disposable {
  readonly discovered: DiscoveredEngine;
  ping(signal?: AbortSignal): Promise<void>;
  info(): Promise<EngineInfo>;
  preflightGpu(): Promise<{ facts: GpuPreflightFacts; verdict: GpuVerdict }>;
  buildImage(request: BuildRequest): Promise<BuildResult>;
  imageExists(ref: string): Promise<boolean>;
  /** `docker tag source target` (target `repo:tag`). */
  tagImage(source: string, target: string): Promise<void>;
  /** `docker push`; resolves with the digest from the push stream, rejects with the registry's error. */
  pushImage(request: PushRequest): Promise<PushResult>;
  /** Creates, then starts. On a start failure the created container is left for inspection; its id is on the error. */
  createAndStartContainer(spec: ContainerCreateSpec): Promise<{ id: string; name: string }>;
  createContainer(spec: ContainerCreateSpec): Promise<{ id: string; name: string }>;
  startContainer(id: string): Promise<void>;
  inspectContainer(id: string): Promise<InspectedContainer>;
  listManagedContainers(): Promise<ManagedContainer[]>;
  /** Follows a container's logs and re-attaches after every restart until the signal aborts. */
  followLogs(id: string, options: FollowLogsOptions): Promise<void>;
  /** Engine events for ModelDock-managed containers. The returned disposable ends the subscription. */
  events(onEvent: (event: ContainerEvent) => void, onError?: (err: Error) => void): Promise<Disposable>;
  stop(id: string, timeoutSeconds?: number): Promise<void>;
  remove(id: string, options?: { force?: boolean }): Promise<void>;
  restart(id: string, timeoutSeconds?: number): Promise<void>;
}

export interface InspectedContainer {
  readonly id: string;
  readonly name: string;
  readonly running: boolean;
  readonly status: string;
  readonly restartCount: number;
  readonly tty: boolean;
  readonly deviceRequests: readonly { Driver: string; Count: number; DeviceIDs: readonly string[] | null; Capabilities: readonly (readonly string[])[] }[];
  readonly shmSize: number | undefined;
  readonly ipcMode: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: readonly ContainerPort[];
}
