// The detection report: the JSON contract of `modeldock detect --json`, shared by the CLI,
// the extension (status bar, Containerize Model, wizard) and core/scaffold and core/lint.

export type FrameworkName =
  | 'pytorch'
  | 'tensorflow'
  | 'keras'
  | 'jax'
  | 'scikit-learn'
  | 'xgboost'
  | 'lightgbm'
  | 'catboost'
  | 'onnxruntime'
  | 'transformers'
  | 'diffusers'
  | 'vllm'
  | 'sentence-transformers';

export interface Evidence {
  /** Path relative to the report root, `/` separators. */
  file: string;
  /** 1-based line, when the evidence sits on a line. */
  line?: number;
  reason: string;
}

export interface FrameworkFinding {
  name: FrameworkName;
  /** Exact version when pinned with `==` or locked, else null. */
  version: string | null;
  evidence: Evidence[];
  /**
   * `data`: the code uses it only around the model (tf.data/tfds input pipelines, a torch
   * DataLoader, GPUs hidden from it) while another framework builds and trains the model. It is
   * installed, but it is not what the image is built around, and never `primary`.
   */
  role?: 'data';
}

/**
 * How the project serves (or runs) its model. `cog`, `bentoml` and `truss` are what those tools'
 * configs name (cog.yaml `predict`, bentofile.yaml `service`, Truss config.yaml model class) or
 * what their Python API marks (a `BasePredictor` subclass, `@bentoml.service`).
 */
export type EntrypointKind = 'cog' | 'bentoml' | 'truss' | 'fastapi' | 'flask' | 'gradio' | 'streamlit' | 'torchserve' | 'script';

export interface Entrypoint {
  file: string;
  kind: EntrypointKind;
  /** The object served, when a config names it: `Predictor` (Cog), `svc` (BentoML), `Model` (Truss). */
  object?: string;
}

export type ArtifactFormat =
  | 'pytorch'
  | 'safetensors'
  | 'onnx'
  | 'keras'
  | 'savedmodel'
  | 'joblib'
  | 'pickle'
  | 'gguf'
  | 'huggingface'
  | 'torchserve-mar';

export interface Artifact {
  /** File, or folder for SavedModel / Hugging Face layouts. */
  file: string;
  format: ArtifactFormat;
  bytes: number;
}

/** A serving runtime for LLMs (see core/llm/runtimes.ts). */
export type LlmRuntimeName = 'vllm' | 'sglang' | 'tgi' | 'llama.cpp';

/** A model an LLM runtime can serve, found in the project. */
export interface LlmModelFinding {
  /** `huggingface`: a folder with config.json and weights; `gguf`: a .gguf file (the first part of a split file). */
  kind: 'huggingface' | 'gguf';
  /** Folder or file relative to the root, `/` separators ('.' for the root itself). */
  path: string;
  /** config.json `architectures` (Hugging Face folders), e.g. ["LlamaForCausalLM"]; [] for GGUF. */
  architectures: string[];
  modelType: string | null;
  /** Pre-quantized weights (config.json quantization_config), or null. */
  quantization: { method: string; bits: number | null } | null;
  /** Bytes on disk (all shards / all parts). */
  bytes: number;
  evidence: Evidence[];
}

/** Everything that points at a large language model: model files, LLM code, serving runtimes. */
export interface LlmFinding {
  models: LlmModelFinding[];
  /** Runtimes named by dependencies (vllm, sglang, text-generation-inference, llama-cpp-python) or imports. */
  runtimes: { name: LlmRuntimeName; evidence: Evidence[] }[];
  /** Code that loads an LLM: AutoModelForCausalLM, pipeline("text-generation"). */
  code: Evidence[];
  /** Hugging Face repository ids the code loads (`from_pretrained("org/name")`, `LLM(model=...)`). */
  hubModels: { id: string; file: string; line: number }[];
}

export interface DetectionReport {
  root: string;
  frameworks: FrameworkFinding[];
  primary: FrameworkName | null;
  accelerator: 'gpu' | 'cpu';
  cuda: string | null;
  python: string | null;
  entrypoint: Entrypoint | null;
  artifacts: Artifact[];
  /** Large language models and LLM serving; null (`detect --json` always has the key) when nothing points at one. */
  llm?: LlmFinding | null;
  warnings: string[];
}

// ---- Richer in-process result (not part of the CLI's JSON contract) ----

export type DependencyFileKind =
  | 'requirements'
  | 'pyproject'
  | 'setup.cfg'
  | 'setup.py'
  | 'pipfile'
  | 'conda'
  | 'poetry.lock'
  | 'uv.lock'
  | 'pipfile.lock'
  /** Serving tools' configs: packages listed there, not a file pip can read. */
  | 'cog'
  | 'bentoml'
  | 'truss';

export interface DependencyFile {
  file: string;
  kind: DependencyFileKind;
}

/** One declared Python package, normalised (PEP 503 name, lower-case, `-`). */
export interface DeclaredPackage {
  name: string;
  /** Exact version when pinned with `==`/`===` or locked, else null. */
  version: string | null;
  /** The requirement as written, e.g. `torch>=2.1,<3`. */
  spec: string;
  extras: string[];
  file: string;
  line?: number;
  /** Local version label of the pin (`cu121` for `torch==2.1.2+cu121`). */
  local?: string;
  /** Environment marker as written (`sys_platform == "linux"`). */
  marker?: string;
}

/** A file that looks like a serving or training entrypoint (the report keeps the best one). */
export interface EntrypointCandidate extends Entrypoint {
  line: number;
}

export interface DetectionResult extends DetectionReport {
  dependencyFiles: DependencyFile[];
  packages: DeclaredPackage[];
  /** `--index-url` / `--extra-index-url` values seen, in order. */
  indexUrls: string[];
  stats: { filesSeen: number; truncated: boolean; elapsedMs: number };
  /** Where `python` came from. */
  pythonEvidence?: Evidence | null;
  /** Every entrypoint candidate, best first (`entrypoint` is the first). */
  entrypoints?: EntrypointCandidate[];
  /** HTTP routes the entrypoint's app declares (entrypoint + local imports); set when there is an entrypoint. */
  routes?: { path: string; methods: string[]; file: string; line: number }[];
  /** System (apt) packages the serving configs ask for, validated Debian names, first mention kept. */
  systemPackages?: SystemPackage[];
}

export interface SystemPackage {
  /** A Debian package name, optionally `=version`; nothing else passes validation. */
  name: string;
  file: string;
  line?: number;
}

/** Strips the in-process extras: exactly the `modeldock detect --json` object. */
export function toReport(r: DetectionResult): DetectionReport {
  const { root, frameworks, primary, accelerator, cuda, python, entrypoint, artifacts, llm, warnings } = r;
  return { root, frameworks, primary, accelerator, cuda, python, entrypoint, artifacts, llm: llm ?? null, warnings };
}
