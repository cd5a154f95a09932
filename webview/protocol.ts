// The typed message protocol between the Containerize Model wizard (webview) and the extension
// host (src/features/wizard). Plain data only: this file is bundled into both sides, so it must
// import neither `vscode` nor the DOM. The domain types are the core's own (type-only imports,
// erased from the webview bundle); only the value lists the page validates against live here.
import type { GpuTarget } from '../src/core/cuda/types';
import type { FileAction, ScaffoldOutputs, ServingRuntime } from '../src/core/scaffold/types';

export type { FileAction } from '../src/core/scaffold/types';

export const WIZARD_VIEW_TYPE = 'modeldock.wizard';

/** A plan's target once `auto` is resolved. */
export type Target = 'cpu' | 'gpu';
export type Outputs = ScaffoldOutputs;
export type OutputKey = keyof ScaffoldOutputs;
export const OUTPUT_KEYS: readonly OutputKey[] = ['dockerfile', 'dockerignore', 'compose', 'kubernetes', 'kserve'] satisfies readonly (keyof ScaffoldOutputs)[];
/** How the model is served: the project's own Python server, or a model server. */
export type Runtime = ServingRuntime;
export const RUNTIMES: readonly Runtime[] = ['python', 'tfserving', 'torchserve', 'triton', 'kserve', 'vllm', 'sglang', 'tgi', 'llamacpp'];
/** The LLM servers: their plans are sized from the model's weights. */
export const LLM_RUNTIMES: readonly Runtime[] = ['vllm', 'sglang', 'tgi', 'llamacpp'];

/** What the LLM servers are sized for (settings `modeldock.llm.*` give the defaults). */
export interface LlmWizardChoices {
  /** GPU catalog id or `auto`. */
  gpu: string;
  contextLength: number;
  concurrency: number;
  /** Hugging Face id to download ('' = the project's model, or the id its code loads). */
  modelId: string;
  /** A HorizontalPodAutoscaler on the server's queue metric. */
  autoscale: boolean;
}

/** Everything the user can choose in the wizard. The webview owns it; the host validates it. */
export interface WizardChoices {
  /** Only the runtimes detection suggests are accepted (python always). */
  runtime: Runtime;
  target: Target;
  /** CUDA major.minor; null = the recommended one for the detected framework. */
  cuda: string | null;
  /** The GPU the image must have kernels for; `any`: the table's default build. */
  gpuArch: GpuTarget;
  outputs: Outputs;
  port: number;
  imageName: string;
  gpuCount: number;
  weightsInImage: boolean;
  /** Replace existing files that differ without asking (otherwise: the modal diff flow). */
  overwrite: boolean;
  /** LLM servers only; absent (older saved state): the settings' defaults. */
  llm?: LlmWizardChoices;
}

/** A change of some choices; `outputs` may name only the outputs that changed. */
export type ChoicePatch = Omit<Partial<WizardChoices>, 'outputs' | 'llm'> & { outputs?: Partial<Outputs>; llm?: Partial<LlmWizardChoices> };

/** Fields the host refused, with why (the webview keeps what the user typed and shows this). */
export type Invalid = Partial<Record<'port' | 'imageName' | 'gpuCount' | 'cuda' | 'gpuArch' | 'runtime' | 'llmGpu' | 'contextLength' | 'concurrency' | 'modelId', string>>;

export interface EvidenceView {
  /** Relative to the project folder, `/` separators. */
  file: string;
  line: number | null;
  reason: string;
}

export interface FrameworkView {
  name: string;
  display: string;
  version: string | null;
  evidence: EvidenceView[];
}

export interface ArtifactView {
  file: string;
  format: string;
  bytes: number;
  /** Human-readable size ("4.2 MB"). */
  size: string;
}

export interface RuntimeOptionView {
  runtime: Runtime;
  label: string;
  /** What detection found that makes the runtime fit. */
  reason: string;
}

export interface DetectionView {
  primary: string | null;
  primaryDisplay: string;
  frameworks: FrameworkView[];
  accelerator: Target;
  cuda: string | null;
  python: string | null;
  pythonEvidence: EvidenceView | null;
  entrypoint: { file: string; kind: string; line: number | null } | null;
  artifacts: ArtifactView[];
  warnings: string[];
  filesSeen: number;
  truncated: boolean;
  /** Whether a GPU image makes sense for the project, and why (shown next to the target). */
  gpu: { available: boolean; reason: string };
  /** Serving runtimes that fit, python first; a choice is shown only when there is more than one. */
  runtimes: RuntimeOptionView[];
  /** Large language models found (model folders, GGUF files), LLM code and runtimes; null when none. */
  llm?: LlmDetectionView | null;
}

export interface LlmDetectionView {
  models: { path: string; kind: 'huggingface' | 'gguf'; what: string; size: string; evidence: EvidenceView[] }[];
  runtimes: { name: string; evidence: EvidenceView[] }[];
  code: EvidenceView[];
  hubModels: { id: string; file: string; line: number }[];
}

/** The sizing arithmetic and its verdict, as the wizard shows it. */
export interface LlmPlanView {
  runtimeName: string;
  /** What is served: a project path, or a Hub id. */
  model: string;
  source: 'local' | 'hub';
  servedName: string;
  /** null: not sized (see sizingNote). */
  fits: boolean | null;
  /** "2 × NVIDIA L4 24 GB, tensor parallel 2", or "CPU". */
  gpuText: string;
  gpuCount: number | null;
  contextLength: number;
  concurrency: number;
  /** The arithmetic: label, value, detail. */
  rows: { label: string; value: string; detail: string; verdict: 'fits' | 'no' | 'invalid' | null }[];
  sentences: string[];
  /** What would fit when it does not. */
  alternatives: string[];
  assumptions: string[];
  /** GPU types `auto` considered and how many of each the model needs (null: does not fit). */
  candidates: { id: string; name: string; gpuCount: number | null; note: string | null }[];
  sizingNote: string | null;
  /** The choices the GPU-type select offers (auto first). */
  gpuOptions: { id: string; name: string }[];
  port: number;
  chatRoute: string;
}

export interface CudaOption {
  cuda: string;
  image: string;
  recommended: boolean;
  reason: string;
}

/** One entry of the GPU-target select (the host sends the list: the table lives there). */
export interface GpuArchOption {
  arch: GpuTarget;
  label: string;
  /** Example GPUs of the family. */
  detail: string;
}

export type DiffOp = ' ' | '+' | '-';
export interface DiffLine {
  op: DiffOp;
  text: string;
}

export interface FilePreview {
  path: string;
  action: FileAction;
  content: string;
  /** The file exists on disk and differs from `content`. */
  exists: boolean;
  /** Line diff existing → new, only when the file exists and differs; null when too large to diff. */
  diff: DiffLine[] | null;
}

export interface PlanView {
  target: Target;
  runtime: Runtime;
  baseImage: string | null;
  cuda: string | null;
  image: string;
  /** Ports the container listens on (the runtime's own for model servers). */
  ports: { name: string; port: number }[];
  /** Notes that leave work to the user (TODO markers in the files), shown as a warning. */
  todos: string[];
  /** The other notes. */
  notes: string[];
  errors: string[];
  /** Why the plan is UNVERIFIED (facts the CUDA table does not hold); Generate asks before writing it. */
  unverified: string | null;
  files: FilePreview[];
  /** LLM servers: the sizing; absent or null otherwise. */
  llm?: LlmPlanView | null;
}

export interface WriteOutcomeView {
  created: string[];
  overwritten: string[];
  skipped: string[];
  unchanged: string[];
}

export interface Capabilities {
  /** A `modeldock.docker.build` command exists: "Build & Run" is shown. */
  buildAndRun: boolean;
}

/** What the webview persists with `vscode.setState`, and the serializer hands back after a reload. */
export interface PersistedState {
  v: 1;
  /** Folder URI (string form) the wizard is about. */
  folder: string;
  choices: WizardChoices | null;
  /** Preview entries the user expanded. */
  open: string[];
}

export type HostToWebview =
  | {
      type: 'init';
      folder: { uri: string; name: string };
      /** null while detection runs. */
      detection: DetectionView | null;
      choices: WizardChoices;
      cudaOptions: CudaOption[];
      gpuArchs: GpuArchOption[];
      plan: PlanView | null;
      invalid: Invalid;
      capabilities: Capabilities;
    }
  | { type: 'plan'; choices: WizardChoices; cudaOptions: CudaOption[]; plan: PlanView | null; invalid: Invalid }
  | { type: 'busy'; busy: boolean; label: string }
  | { type: 'generated'; outcome: WriteOutcomeView; plan: PlanView | null }
  | { type: 'error'; message: string };

export type WebviewToHost =
  | { type: 'ready'; state: PersistedState | null }
  | { type: 'choose'; choices: ChoicePatch }
  | { type: 'openFile'; file: string; line: number | null }
  | { type: 'openDiff'; path: string }
  | { type: 'generate' }
  | { type: 'buildAndRun' }
  | { type: 'redetect' };

// ------------------------------------------------------------------ validation
// Messages cross a process boundary and the webview runs page script: the host checks shapes
// before acting, and anything odd is dropped (never thrown).

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optString(v: unknown): v is string | null {
  return v === null || typeof v === 'string';
}

function isOutputs(v: unknown): v is Partial<Outputs> {
  return isRecord(v) && Object.entries(v).every(([k, b]) => (OUTPUT_KEYS as readonly string[]).includes(k) && typeof b === 'boolean');
}

/** Keeps only well-typed choice fields; unknown keys are dropped. */
export function sanitizeChoices(v: unknown): ChoicePatch | null {
  if (!isRecord(v)) return null;
  const out: ChoicePatch = {};
  if (typeof v.runtime === 'string' && (RUNTIMES as readonly string[]).includes(v.runtime)) out.runtime = v.runtime as Runtime;
  if (v.target === 'cpu' || v.target === 'gpu') out.target = v.target;
  if ('cuda' in v && optString(v.cuda)) out.cuda = v.cuda;
  // The host checks it against the table's list (applyChoices); here only its shape.
  if (typeof v.gpuArch === 'string' && /^[a-z]{1,20}$/.test(v.gpuArch)) out.gpuArch = v.gpuArch as GpuTarget;
  if (isOutputs(v.outputs)) out.outputs = v.outputs;
  if (typeof v.port === 'number') out.port = v.port;
  if (typeof v.imageName === 'string') out.imageName = v.imageName;
  if (typeof v.gpuCount === 'number') out.gpuCount = v.gpuCount;
  if (typeof v.weightsInImage === 'boolean') out.weightsInImage = v.weightsInImage;
  if (typeof v.overwrite === 'boolean') out.overwrite = v.overwrite;
  if (isRecord(v.llm)) {
    const l = v.llm;
    const llm: Partial<LlmWizardChoices> = {};
    if (typeof l.gpu === 'string') llm.gpu = l.gpu;
    if (typeof l.contextLength === 'number') llm.contextLength = l.contextLength;
    if (typeof l.concurrency === 'number') llm.concurrency = l.concurrency;
    if (typeof l.modelId === 'string') llm.modelId = l.modelId;
    if (typeof l.autoscale === 'boolean') llm.autoscale = l.autoscale;
    out.llm = llm;
  }
  return out;
}

function completeChoices(c: ChoicePatch | null): WizardChoices | null {
  if (!c || !c.target || !c.outputs || typeof c.port !== 'number' || typeof c.imageName !== 'string') return null;
  const outputs = { dockerfile: false, dockerignore: false, compose: false, kubernetes: false, kserve: false, ...c.outputs };
  return {
    // State saved before runtimes existed has none: the Python server it planned.
    runtime: c.runtime ?? 'python',
    target: c.target,
    cuda: c.cuda ?? null,
    gpuArch: c.gpuArch ?? 'any',
    outputs,
    port: c.port,
    imageName: c.imageName,
    gpuCount: c.gpuCount ?? 1,
    weightsInImage: c.weightsInImage ?? false,
    overwrite: c.overwrite ?? false,
    ...(c.llm && typeof c.llm.gpu === 'string' && typeof c.llm.contextLength === 'number' && typeof c.llm.concurrency === 'number'
      ? { llm: { gpu: c.llm.gpu, contextLength: c.llm.contextLength, concurrency: c.llm.concurrency, modelId: c.llm.modelId ?? '', autoscale: c.llm.autoscale ?? false } }
      : {}),
  };
}

export function parsePersistedState(v: unknown): PersistedState | null {
  if (!isRecord(v) || v.v !== 1 || typeof v.folder !== 'string') return null;
  const open = Array.isArray(v.open) ? v.open.filter((x): x is string => typeof x === 'string') : [];
  return { v: 1, folder: v.folder, choices: completeChoices(sanitizeChoices(v.choices)), open };
}

/** Returns the message when it is a well-formed WebviewToHost, else null. */
export function parseWebviewMessage(raw: unknown): WebviewToHost | null {
  if (!isRecord(raw) || typeof raw.type !== 'string') return null;
  switch (raw.type) {
    case 'ready':
      return { type: 'ready', state: parsePersistedState(raw.state) };
    case 'choose': {
      const choices = sanitizeChoices(raw.choices);
      return choices ? { type: 'choose', choices } : null;
    }
    case 'openFile':
      if (typeof raw.file !== 'string') return null;
      return { type: 'openFile', file: raw.file, line: typeof raw.line === 'number' && Number.isInteger(raw.line) && raw.line > 0 ? raw.line : null };
    case 'openDiff':
      return typeof raw.path === 'string' ? { type: 'openDiff', path: raw.path } : null;
    case 'generate':
    case 'buildAndRun':
    case 'redetect':
      return { type: raw.type };
    default:
      return null;
  }
}
