// `modeldock size PATH`: how many GPUs of a type an LLM needs for a context length × concurrency,
// with the arithmetic, read from the model's headers (never its weights).
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { GPU_CATALOG } from '../core/llm/gpus';
import { inspectModelPath } from '../core/llm/files';
import { formatSizingReport, group } from '../core/llm/sizing';
import type { LlmRuntimeId } from '../core/llm/runtimes';
import type { ModelFacts } from '../core/llm/types';
import { AUTO_GPUS, chooseSizing, summarizeModelWarnings } from '../core/scaffold/llm';
import { printable } from '../core/safePath';
import { parseArgs, UsageError, type CliIo } from './io';

const RUNTIMES: Record<string, LlmRuntimeId> = { vllm: 'vllm', sglang: 'sglang', tgi: 'tgi', llamacpp: 'llama.cpp', 'llama.cpp': 'llama.cpp' };

const HELP = `usage: modeldock size PATH [options]

Works out how many GPUs an LLM needs to serve a context length × concurrency, from the model's
own files: config.json and the safetensors or GGUF headers (the weights themselves are not read).
PATH is a Hugging Face model folder, a .gguf file, a .safetensors file or a project folder (its
first model is sized).

  --gpu-type ID|auto        target GPU: auto (the type that needs the fewest GPUs) or one of
                            ${GPU_CATALOG.map((g) => g.id).join(', ')}  [auto]
  --context N               tokens per sequence (prompt + answer)            [8192, capped at the model's]
  --concurrency N           sequences held at once                           [4]
  --runtime NAME            vllm | sglang | tgi | llamacpp                   [vllm; llamacpp for GGUF]
  --json                    print { model, gpu, candidates, report } as JSON

Exit status: 0 the model fits, 1 it does not fit or cannot be read, 2 usage error.`;

function intFlag(v: string | true | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return n;
}

/** A project folder holds its model somewhere below: the first folder with a config.json beside weights, or a .gguf. */
async function modelIn(dir: string): Promise<string | null> {
  const { detectProject } = await import('../core/detect/index');
  const d = await detectProject(dir);
  const m = d.llm?.models[0];
  return m ? (m.path === '.' ? dir : resolve(dir, ...m.path.split('/'))) : null;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  let path: string;
  let gpu: string;
  let context: number | undefined;
  let concurrency: number;
  let runtime: LlmRuntimeId | undefined;
  let json: boolean;
  try {
    const args = parseArgs(argv, { boolean: ['json', 'help'], string: ['gpu-type', 'context', 'concurrency', 'runtime'] });
    if (args.flags.has('help')) {
      io.out(HELP);
      return 0;
    }
    if (args.positionals.length !== 1) throw new UsageError(args.positionals.length ? 'expected exactly one PATH' : 'missing PATH');
    path = resolve(io.cwd, args.positionals[0]!);
    const g = args.flags.get('gpu-type');
    gpu = typeof g === 'string' ? g.trim().toLowerCase() : 'auto';
    if (gpu !== 'auto' && !GPU_CATALOG.some((x) => x.id === gpu)) throw new UsageError(`--gpu-type must be auto or one of ${GPU_CATALOG.map((x) => x.id).join(', ')}`);
    context = intFlag(args.flags.get('context'), 'context', 16, 10_000_000);
    concurrency = intFlag(args.flags.get('concurrency'), 'concurrency', 1, 4096) ?? 4;
    const r = args.flags.get('runtime');
    if (typeof r === 'string') {
      runtime = RUNTIMES[r];
      if (!runtime) throw new UsageError('--runtime must be one of vllm, sglang, tgi, llamacpp');
    }
    json = args.flags.has('json');
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`modeldock size: ${e.message}\n\n${HELP}`);
      return 2;
    }
    throw e;
  }
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    io.err(`modeldock size: no such file or folder: ${printable(path)}`);
    return 2;
  }
  let target = path;
  // Reads stay inside the folder given (or the file's folder): a link out of it is refused.
  const root = isDir ? path : dirname(path);
  if (isDir && !/\.gguf$/i.test(path)) {
    const found = await modelIn(path);
    if (!found) {
      io.err(`modeldock size: ${printable(path)} holds no LLM: no config.json with *ForCausalLM / *ForConditionalGeneration architectures beside safetensors weights, and no .gguf file`);
      return 1;
    }
    target = found;
  }
  const facts = inspectModelPath(target, { confineTo: root });
  if (!facts.ok) {
    io.err(`modeldock size: ${printable(target)}: ${printable(facts.error, 1000)}`);
    return 1;
  }
  const model: ModelFacts = facts.value;
  const rt: LlmRuntimeId = runtime ?? (model.weights?.format === 'gguf' ? 'llama.cpp' : 'vllm');
  const ctx = context ?? Math.min(8192, model.architecture?.maxPositionEmbeddings ?? 8192);
  const s = chooseSizing(model, rt, gpu, ctx, concurrency);
  if (s.error || !s.report) {
    io.err(`modeldock size: ${printable(model.name)}: ${printable(s.error ?? 'no GPU type could be sized', 1000)}`);
    return 1;
  }
  const r = s.report;
  if (json) {
    io.out(JSON.stringify({ model: { path: target, name: model.name, warnings: model.warnings }, gpu: r.gpu.id, candidates: s.candidates, report: r }, null, 2));
    return r.fits ? 0 : 1;
  }
  const lines: string[] = [`Model: ${printable(model.name)} (${printable(target, 500)})`];
  if (gpu === 'auto') {
    lines.push(
      `GPU type: auto → ${r.gpu.name}${r.fits ? ` (${r.recommendation?.gpuCount ?? '?'} GPU${r.recommendation?.gpuCount === 1 ? '' : 's'}, the fewest of the types considered)` : ' (none of the types considered fits)'}`,
      `  considered: ${s.candidates.map((c) => `${c.id} ${c.gpuCount === null ? (c.note ? `— (${c.note})` : '—') : `× ${c.gpuCount}`}`).join(', ')}`,
    );
  }
  lines.push(`Runtime: ${rt}; context ${group(r.contextLength)} tokens × ${r.concurrency} sequence${r.concurrency === 1 ? '' : 's'}`, '', formatSizingReport(r));
  for (const w of summarizeModelWarnings(model.warnings, 10)) lines.push(`warning: ${printable(w, 500)}`);
  if (gpu === 'auto') lines.push('', `Types auto considers: ${AUTO_GPUS.join(', ')}; choose one with --gpu-type.`);
  io.out(lines.join('\n'));
  return r.fits ? 0 : 1;
}
