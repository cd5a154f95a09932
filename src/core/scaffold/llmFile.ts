// The Node adapter behind the LLM plan: reads the served model's headers (safetensors / GGUF) and
// config.json with core/llm's readers, confined to the project folder, so planScaffold (pure) can
// size it. Like onnxFile.ts for Triton: the CLI and the Containerize planner call it.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { DetectionResult, LlmModelFinding } from '../detect/types';
import { realPathInside } from '../safePath';
import { readGgufHeaderFile, readTextFileBounded, inspectModelPath } from '../llm/files';
import { llmRuntimeId, type LlmChoices, type LlmModelRead, type LlmServingRuntime } from './llmTypes';

/** tokenizer_config.json can embed a vocabulary's added tokens; larger than this is not read. */
const TOKENIZER_CONFIG_MAX = 16 * 1024 * 1024;

function abs(root: string, rel: string): string {
  return rel === '.' ? root : join(root, ...rel.split('/'));
}

/** The model a plan for `runtime` serves: the one chosen, else the first of the kind the runtime reads. */
export function servedModel(d: DetectionResult, runtime: LlmServingRuntime, wanted?: string): LlmModelFinding | null {
  const kind = llmRuntimeId(runtime) === 'llama.cpp' ? 'gguf' : 'huggingface';
  const all = (d.llm?.models ?? []).filter((m) => m.kind === kind);
  return wanted !== undefined ? (all.find((m) => m.path === wanted) ?? null) : (all[0] ?? null);
}

/** A regular file whose real path is inside `root`. */
function existsInside(root: string, path: string): boolean {
  const real = realPathInside(root, path);
  if (real === null) return false;
  try {
    return statSync(real).isFile();
  } catch {
    return false;
  }
}

/** Whether the model's tokenizer carries a chat template (what /v1/chat/completions needs); null: unknown. */
function chatTemplateOf(root: string, m: LlmModelFinding): boolean | null {
  const opts = { confineTo: root };
  if (m.kind === 'gguf') {
    const h = readGgufHeaderFile(abs(root, m.path), opts);
    if (!h.ok) return null;
    return typeof h.value.metadata['tokenizer.chat_template'] === 'string';
  }
  const dir = abs(root, m.path);
  if (existsInside(root, join(dir, 'chat_template.jinja')) || existsInside(root, join(dir, 'chat_template.json'))) return true;
  const t = readTextFileBounded(join(dir, 'tokenizer_config.json'), TOKENIZER_CONFIG_MAX, opts);
  if (!t.ok) return null;
  return /"chat_template"\s*:\s*(?:"|\[)/.test(t.value);
}

/** Reads the model's facts (headers and config.json only), never outside `root`. */
export function readLlmModel(root: string, m: LlmModelFinding): LlmModelRead {
  const r = inspectModelPath(abs(root, m.path), { confineTo: root });
  return {
    path: m.path,
    facts: r.ok ? r.value : null,
    problem: r.ok ? null : `the model could not be read: ${r.error}`,
    chatTemplate: chatTemplateOf(root, m),
  };
}

/** `readLlmModel` remembered while the model's files keep their size and time: the wizard re-plans per keystroke. */
export function cachedLlmReader(read: (root: string, m: LlmModelFinding) => LlmModelRead = readLlmModel): (root: string, m: LlmModelFinding) => LlmModelRead {
  const cache = new Map<string, { key: string; value: LlmModelRead }>();
  const keyOf = (root: string, m: LlmModelFinding): string => {
    const p = abs(root, m.path);
    const parts: string[] = [p];
    for (const f of m.kind === 'gguf' ? [p] : [p, join(p, 'config.json'), join(p, 'model.safetensors.index.json'), join(p, 'tokenizer_config.json')]) {
      try {
        const st = statSync(f);
        parts.push(`${st.size}:${st.mtimeMs}`);
      } catch {
        parts.push('-');
      }
    }
    return parts.join('\0');
  };
  return (root, m) => {
    const id = `${root}\0${m.path}`;
    const key = keyOf(root, m);
    const hit = cache.get(id);
    if (hit?.key === key) return hit.value;
    const value = read(root, m);
    cache.set(id, { key, value });
    return value;
  };
}

/**
 * The `llm` choices with the served model's facts filled in (runtime, detection and the user's
 * other LLM choices decide which model). Unchanged for other runtimes or hub models.
 */
export function llmModelChoices(
  d: DetectionResult,
  runtime: string,
  llm: LlmChoices | undefined,
  read: (root: string, m: LlmModelFinding) => LlmModelRead = readLlmModel,
): LlmChoices | undefined {
  if (runtime !== 'vllm' && runtime !== 'sglang' && runtime !== 'tgi' && runtime !== 'llamacpp') return llm;
  if (llm?.source === 'hub') return llm;
  const m = servedModel(d, runtime, llm?.model);
  if (!m) return llm;
  return { ...(llm ?? {}), read: read(d.root, m) };
}
