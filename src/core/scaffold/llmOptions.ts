// Which LLM servers fit what detection found, in the order the UIs offer them, and why.
import { LLM_RUNTIMES } from '../llm/runtimes';
import type { DetectionResult, LlmModelFinding } from '../detect/types';
import { LLM_SERVING_RUNTIMES, llmRuntimeId, servingRuntimeOf, type LlmServingRuntime } from './llmTypes';
import type { ServingRuntime } from './types';

function has(d: DetectionResult, kind: LlmModelFinding['kind']): boolean {
  return (d.llm?.models ?? []).some((m) => m.kind === kind);
}

/**
 * LLM servers for this project, best first: the one the dependencies name, then vLLM, SGLang and
 * TGI for Hugging Face folders (or Hub models the code loads), llama.cpp for GGUF files.
 */
export function suggestedLlmRuntimes(d: DetectionResult): LlmServingRuntime[] {
  const llm = d.llm;
  if (!llm) return [];
  const hf = has(d, 'huggingface') || llm.hubModels.length > 0 || llm.code.length > 0 || llm.runtimes.some((r) => r.name !== 'llama.cpp');
  const gguf = has(d, 'gguf');
  const fits = LLM_SERVING_RUNTIMES.filter((r) => (r === 'llamacpp' ? gguf : hf));
  const named = llm.runtimes.map((r) => servingRuntimeOf(r.name)).filter((r) => fits.includes(r));
  return [...new Set([...named, ...fits])];
}

/** The runtime a new plan starts with: an LLM server when the project holds a model and no server of its own. */
export function defaultRuntime(d: DetectionResult | null): ServingRuntime {
  if (!d?.llm || d.llm.models.length === 0) return 'python';
  const own = d.entrypoint && d.entrypoint.kind !== 'script' && d.entrypoint.kind !== 'torchserve';
  if (own) return 'python';
  return suggestedLlmRuntimes(d)[0] ?? 'python';
}

const LABELS: Record<LlmServingRuntime, string> = {
  vllm: 'vLLM (OpenAI-compatible server)',
  sglang: 'SGLang',
  tgi: 'Hugging Face TGI (maintenance mode)',
  llamacpp: 'llama.cpp server (GGUF, CPU or CUDA)',
};

export function llmRuntimeOptions(d: DetectionResult, runtime: LlmServingRuntime): { runtime: LlmServingRuntime; label: string; reason: string } {
  const id = llmRuntimeId(runtime);
  const named = d.llm?.runtimes.find((r) => r.name === id);
  const model = (d.llm?.models ?? []).find((m) => (runtime === 'llamacpp' ? m.kind === 'gguf' : m.kind === 'huggingface'));
  const image = LLM_RUNTIMES[id].images[0]?.image ?? '';
  const what = model
    ? `${model.kind === 'gguf' ? 'GGUF file' : `Model folder (${model.architectures[0] ?? 'LLM'})`} found (${model.path})`
    : d.llm?.hubModels[0]
      ? `The code loads ${d.llm.hubModels[0].id} (downloaded from the Hub)`
      : 'LLM code found';
  const dep = named?.evidence[0] ? `; ${named.evidence[0].file} names ${id}` : '';
  return { runtime, label: LABELS[runtime], reason: `${what}${dep}: served by ${image}, sized for the GPU type you choose.` };
}
