// The LLM runtimes' part of the scaffold's choices and plan (plain data; see llm.ts).
import type { LlmRuntimeId } from '../llm/runtimes';
import type { SizingReport } from '../llm/sizing';
import type { ModelFacts } from '../llm/types';

/** The scaffold's names for the LLM servers (`llamacpp` is core/llm's `llama.cpp`: a CLI word without a dot). */
export type LlmServingRuntime = 'vllm' | 'sglang' | 'tgi' | 'llamacpp';
export const LLM_SERVING_RUNTIMES: readonly LlmServingRuntime[] = ['vllm', 'sglang', 'tgi', 'llamacpp'];

export function isLlmRuntime(r: string): r is LlmServingRuntime {
  return (LLM_SERVING_RUNTIMES as readonly string[]).includes(r);
}

export function llmRuntimeId(r: LlmServingRuntime): LlmRuntimeId {
  return r === 'llamacpp' ? 'llama.cpp' : r;
}

export function servingRuntimeOf(id: LlmRuntimeId): LlmServingRuntime {
  return id === 'llama.cpp' ? 'llamacpp' : id;
}

/** What the node adapter (llmFile.ts) read from a model's files: headers and config.json only. */
export interface LlmModelRead {
  /** The model's folder or .gguf file, relative to the project root. */
  path: string;
  facts: ModelFacts | null;
  /** Why the facts could not be read, or null. */
  problem: string | null;
  /** The tokenizer declares a chat template (tokenizer_config.json, chat_template.jinja, GGUF metadata); null: unknown. */
  chatTemplate: boolean | null;
}

export interface LlmChoices {
  /** GPU catalog id (core/llm/gpus.ts: l4, a10g, a100-80gb, h100-80gb, h200, b200, …) or `auto`: the type that fits on the fewest GPUs. */
  gpu?: string;
  /** Tokens per sequence (prompt + answer); capped at the model's maximum. */
  contextLength?: number;
  /** Sequences of that length held in the KV cache at once. */
  concurrency?: number;
  /** Which detected model to serve (its path as in detection.llm.models); default the first the runtime can serve. */
  model?: string;
  /** `local`: the project's model, mounted (PVC / bind mount); `hub`: downloaded by the server into a mounted Hugging Face cache. */
  source?: 'local' | 'hub';
  /** Hugging Face repository id for `hub` (default: one the code loads). */
  modelId?: string;
  /** The served model's facts, read by llmModelChoices (llmFile.ts); absent: not read (no sizing). */
  read?: LlmModelRead;
  /** A HorizontalPodAutoscaler on the runtime's queue metric (needs Prometheus and an adapter). */
  autoscale?: boolean;
}

export const DEFAULT_LLM_CHOICES = { gpu: 'auto', contextLength: 8192, concurrency: 4, autoscale: false } as const;

export interface LlmGpuCandidate {
  id: string;
  name: string;
  /** GPUs of this type the model needs, or null when it does not fit on one machine (8). */
  gpuCount: number | null;
  /** Why the type was not sized, when it was left out. */
  note?: string;
}

/** What the plan decided for an LLM server; the wizard shows it, the smoke test reads it. */
export interface LlmPlan {
  runtime: LlmServingRuntime;
  runtimeName: string;
  model: {
    source: 'local' | 'hub';
    /** Project-relative folder or file for `local`; null for `hub`. */
    path: string | null;
    /** Hugging Face repository id for `hub`; null for `local`. */
    id: string | null;
    /** What the server is told to load (a path in the container, or the repository id). */
    served: string;
    /** The name clients put in `model` (vLLM/SGLang --served-model-name, llama.cpp --alias; TGI answers to any). */
    servedName: string;
    chatTemplate: boolean | null;
  };
  /** null for a CPU (llama.cpp) server. */
  gpu: { type: string | null; name: string | null; count: number; tensorParallel: number | null; auto: boolean } | null;
  contextLength: number;
  concurrency: number;
  /** The arithmetic (null when the model's config could not be read: hub models, unreadable folders). */
  sizing: SizingReport | null;
  /** Why there is no sizing, or why the GPU count is not the sizing's; null otherwise. */
  sizingNote: string | null;
  /** With gpu `auto`: every type considered and how many of it the model needs. */
  gpuCandidates: LlmGpuCandidate[];
  /** Container port of the OpenAI-compatible server. */
  port: number;
  /** Routes relative to the server (KServe prefixes /openai when its runtime serves). */
  routes: { health: string; chat: string; completions: string; models: string; metrics: string };
  queueMetric: string;
  /** The Secret the manifests read the Hugging Face token from (never a value in any file). */
  hfTokenSecret: { name: string; key: string };
  /** Seconds the startup probe allows for loading (from the weights' size). */
  startupSeconds: number;
  image: { ref: string; cuda: string | null; minDriver: string | null; confidence: string; source: string };
}
