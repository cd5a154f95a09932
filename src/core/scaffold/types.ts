import type { GpuArch, GpuBaseChoice, GpuTarget } from '../cuda/index';
import type { FrameworkName } from '../detect/types';
import type { LlmChoices, LlmPlan } from './llmTypes';

export type { LlmChoices, LlmPlan, LlmServingRuntime } from './llmTypes';
export { LLM_SERVING_RUNTIMES } from './llmTypes';

export type ScaffoldTarget = 'auto' | 'cpu' | 'gpu';
/** `vllm`, `tgi`, `sglang`, `llamacpp`: LLM servers (src/core/scaffold/llm.ts). */
export type ServingRuntime = 'python' | 'tfserving' | 'torchserve' | 'triton' | 'kserve' | 'vllm' | 'tgi' | 'sglang' | 'llamacpp';
export type FileAction = 'create' | 'overwrite' | 'skip' | 'unchanged';
/** How the generated Python server serves GET /metrics (see monitoring.ts). */
export type MetricsExporter = 'prometheus-client' | 'stdlib' | 'none';
/** Monitoring manifests: none, or Prometheus Operator objects, a Grafana dashboard and scrape annotations. */
export type MonitoringStack = 'none' | 'prometheus';

/** Where the served container's Prometheus metrics are (port by its manifest name, path) and whose names they use. */
export interface ScaffoldMetrics {
  portName: string;
  port: number;
  path: string;
  flavour: 'modeldock' | 'tfserving' | 'torchserve' | 'triton';
}

export interface MonitoringOptions {
  /** Alert when the p95 latency stays above this many seconds for 10 minutes (default 1). */
  p95Seconds?: number;
  /** Alert when the share of 5xx answers stays above this (0-1) for 10 minutes (default 0.05). */
  errorRatio?: number;
  /** Extra labels on the ServiceMonitor and PrometheusRule (e.g. release=kube-prometheus-stack, which that chart's Prometheus selects by). */
  labels?: Record<string, string>;
}

export interface ScaffoldOutputs {
  dockerfile: boolean;
  dockerignore: boolean;
  compose: boolean;
  kubernetes: boolean;
  /** A KServe InferenceService next to the Kubernetes manifests. */
  kserve: boolean;
}

export interface ModelTensorSpec {
  name: string;
  /** Triton data type, e.g. `TYPE_FP32`. */
  dataType: string;
  dims: number[];
}

/** Every field is optional; `DEFAULT_CHOICES` says what an omitted field means. */
export interface ScaffoldChoices {
  /** auto follows detection.accelerator. */
  target?: ScaffoldTarget;
  /** CUDA major.minor for GPU targets; validated against the table (errors when incompatible). */
  cuda?: string;
  /**
   * The GPU family the image must have kernels for (`--gpu-arch`). `any` (default) picks the
   * table's default build and lists the families it cannot run on.
   */
  gpuArch?: GpuTarget;
  /** GPU base preference: the framework's official image (default) or nvidia/cuda + pip. */
  gpuBase?: 'official-image' | 'cuda-base';
  outputs?: Partial<ScaffoldOutputs>;
  /** Container port of the Python server (runtimes use their own fixed ports). Default 8080. */
  port?: number;
  /** Image repository name; default derived from the project folder. */
  imageName?: string;
  /** Pinned image tag used by compose and manifests (never `latest`). Default 0.1.0. */
  imageTag?: string;
  /** GPUs per container (default 1). Ignored when deviceIds is set. */
  gpuCount?: number;
  /** Specific GPU ids for compose (`device_ids`); Kubernetes gets their count. */
  deviceIds?: string[];
  /** Copy detected model artifacts into the image (default false: mounted at /models). */
  weightsInImage?: boolean;
  nodeSelector?: Record<string, string>;
  /** Generate serve.py when the project has no serving entrypoint (default false). */
  createEntrypoint?: boolean;
  runtime?: ServingRuntime;
  /** Overwrite existing generated files (never the user's own code such as serve.py). */
  force?: boolean;
  /**
   * Where the build context (the project) and the Dockerfile are, seen from the output folder,
   * for compose's `build:`. Default `{ context: '.', dockerfile: 'Dockerfile' }`.
   */
  layout?: { context: string; dockerfile: string };
  /** Triton: model inputs/outputs when known (otherwise TODO markers are generated). */
  modelIo?: { inputs: ModelTensorSpec[]; outputs: ModelTensorSpec[] };
  /** Triton: the model file (project-relative) modelIo was read from, or failed to be read from; for the notes. */
  modelIoSource?: string;
  /** Triton: why modelIo could not be read from modelIoSource (kept in the TODO note). */
  modelIoProblem?: string;
  /** GET /metrics of the Python server: prometheus_client (default), the standard-library exporter, or none. */
  metrics?: MetricsExporter;
  /** Monitoring manifests (default none). */
  monitoring?: MonitoringStack;
  monitoringOptions?: MonitoringOptions;
  /** LLM runtimes: target GPU, context × concurrency, the model and where it comes from (llmTypes.ts). */
  llm?: LlmChoices;
}

export const DEFAULT_OUTPUTS: ScaffoldOutputs = { dockerfile: true, dockerignore: true, compose: true, kubernetes: true, kserve: false };

export const DEFAULT_CHOICES = {
  target: 'auto',
  port: 8080,
  imageTag: '0.1.0',
  gpuCount: 1,
  weightsInImage: false,
  createEntrypoint: false,
  runtime: 'python',
  force: false,
} as const satisfies ScaffoldChoices;

export interface PlannedFile {
  /** Relative to the output folder, `/` separators. */
  path: string;
  content: string;
  action: FileAction;
}

/** GPUs a container asks for: a count, or specific device ids. */
export type GpuRequest = { count: number } | { deviceIds: string[] };

/**
 * What running the built image needs, as the plan decided it: the typed handoff from Containerize
 * to Build & Run (Docker), so nothing chosen in the wizard is re-derived from settings.
 */
export interface ContainerRunSpec {
  /** The Dockerfile the plan generates (relative to the output folder), or null (nothing to build). */
  dockerfile: string | null;
  /** GPUs for a GPU target, null for CPU. */
  gpus: GpuRequest | null;
  /** /dev/shm size in bytes (1 GiB for PyTorch: DataLoader workers and NCCL use it), null: engine default. */
  shmBytes: number | null;
  /** Environment the generated files set for the container (compose/Kubernetes), name → value. */
  env: Record<string, string>;
  /**
   * Folders or files the container needs mounted (LLM servers: the model, read-only), as compose
   * mounts them: `source` relative to the project folder. Absent: none.
   */
  mounts?: { source: string; target: string; readOnly: boolean }[];
}

export interface ScaffoldPlan {
  target: 'cpu' | 'gpu';
  /** FROM of the final stage; null for runtime `kserve` (KServe's own server image, nothing is built). */
  baseImage: string | null;
  /** CUDA major.minor the GPU image carries; null for CPU or when the runtime image's CUDA is unknown. */
  cuda: string | null;
  runtime: ServingRuntime;
  framework: FrameworkName | null;
  /** `name:tag` used by compose and the manifests. */
  image: string;
  /** Ports the container listens on; the first is the HTTP one probes use. */
  ports: { name: string; port: number }[];
  /** HTTP path probes use, or null (TCP probe / not serving). */
  healthPath: string | null;
  /**
   * The inference route a smoke test can POST to, when known: the app's own `POST /predict`
   * (found by detection), serve.py's, or the model server's. Null or absent: not known.
   */
  predictRoute?: string | null;
  /** Long-running server (Deployment) vs one-off script (Job). */
  serving: boolean;
  /** Where the container serves Prometheus metrics; null or absent: it does not. */
  metrics?: ScaffoldMetrics | null;
  gpu: GpuBaseChoice | null;
  /**
   * Why the plan rests on facts ModelDock's CUDA table does not hold (a framework pin newer than
   * the table, a torch install it cannot check), or null when every fact was checked. The CLI
   * refuses such a plan without --allow-unverified; the editor asks first. Absent: null.
   */
  unverified?: string | null;
  /**
   * GPU families the image has kernels for, and those it has none for with why (GPU targets;
   * null or absent on CPU and when the image's builds are unknown).
   */
  archs?: { supported: GpuArch[]; unsupported: { arch: GpuArch; reason: string }[] } | null;
  /** Build & Run's inputs: GPUs, shm, env and the Dockerfile, as chosen. */
  container: ContainerRunSpec;
  files: PlannedFile[];
  notes: string[];
  /** Problems that make the plan unusable (incompatible CUDA, runtime that cannot serve the model). */
  errors: string[];
  /** LLM runtimes: the sizing arithmetic, the model served and the OpenAI route; absent otherwise. */
  llm?: LlmPlan;
}
