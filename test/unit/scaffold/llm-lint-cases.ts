// The LLM plans the lint-clean test checks: each server × model source × target, with the KServe
// output and the autoscaler on, sized from header-only model files written once per process.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DetectionResult, LlmModelFinding } from '../../../src/core/detect/types';
import { llmModelChoices, planScaffold, type ScaffoldPlan } from '../../../src/core/scaffold/index';
import type { LlmServingRuntime } from '../../../src/core/scaffold/llmTypes';
import { PUBLISHED } from '../llm/fixtures';
import { writeHfFolder, writeLlamaGguf } from '../llm/modelFolders';
import { detection } from './fixtures';

let made: { hf: DetectionResult; gguf: DetectionResult; hub: DetectionResult } | null = null;

function projects(): { hf: DetectionResult; gguf: DetectionResult; hub: DetectionResult } {
  if (made) return made;
  // Left in the OS temp folder: a few hundred KB of headers, reused by every case of this process.
  const root = mkdtempSync(join(tmpdir(), 'modeldock-llm-lint-'));
  writeHfFolder(join(root, 'hf', 'models', 'mixtral'), PUBLISHED.mixtral_8x7b.config);
  mkdirSync(join(root, 'gguf'));
  writeLlamaGguf(join(root, 'gguf', 'llama-3-8b.Q4_K_M.gguf'), PUBLISHED.llama3_8b.config, 'Meta-Llama-3-8B');
  const model = (kind: LlmModelFinding['kind'], path: string): LlmModelFinding => ({ kind, path, architectures: [], modelType: null, quantization: null, bytes: 0, evidence: [] });
  const base = (dir: string, m: LlmModelFinding | null, hubModels: { id: string; file: string; line: number }[] = []): DetectionResult => ({
    ...detection({ root: join(root, dir), accelerator: 'gpu', artifacts: m ? [{ file: m.path, format: m.kind, bytes: 0 }] : [] }),
    llm: { models: m ? [m] : [], runtimes: [], code: [], hubModels },
  });
  made = {
    hf: base('hf', model('huggingface', 'models/mixtral')),
    gguf: base('gguf', model('gguf', 'llama-3-8b.Q4_K_M.gguf')),
    hub: base('hub', null, [{ id: 'Qwen/Qwen2.5-7B-Instruct', file: 'app.py', line: 3 }]),
  };
  return made;
}

export interface LlmLintCase {
  label: string;
  plan(): ScaffoldPlan;
}

export function llmLintCases(): LlmLintCase[] {
  const cases: LlmLintCase[] = [];
  const add = (runtime: LlmServingRuntime, which: 'hf' | 'gguf' | 'hub', target: 'cpu' | 'gpu', gpu: string) => {
    cases.push({
      label: `${runtime} (${which}, ${target}, ${gpu})`,
      plan: () => {
        const d = projects()[which];
        const llm = llmModelChoices(d, runtime, { gpu, autoscale: true });
        return planScaffold(d, { runtime, target, outputs: { kserve: true }, ...(llm ? { llm } : {}) });
      },
    });
  };
  for (const r of ['vllm', 'sglang', 'tgi'] as const) {
    add(r, 'hf', 'gpu', 'a100-80gb');
    add(r, 'hub', 'gpu', 'auto');
  }
  add('vllm', 'hf', 'gpu', 'auto');
  add('llamacpp', 'gguf', 'cpu', 'auto');
  add('llamacpp', 'gguf', 'gpu', 'l4');
  return cases;
}
