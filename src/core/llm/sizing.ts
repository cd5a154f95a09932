// GPUs needed to serve an LLM: weights + KV cache + runtime overhead per GPU, for each tensor-
// parallel size a runtime accepts, on one target GPU type. Plain data in, a report out: the
// arithmetic as table rows, sentences for the wizard and the CLI, a recommendation or, when
// nothing fits, what would (another GPU, fewer tokens, an FP8 KV cache, quantized weights).
//
// The memory model, per GPU (vLLM's own accounting, which SGLang and TGI follow closely):
//   usable   = (nvidia-smi total − 512 MiB the driver keeps from CUDA) × gpu_memory_utilization
//   weights  = loaded weight bytes / TP           (every matrix is sharded; norms are < 0.1 %)
//   overhead = 0.5 GiB non-torch (CUDA context, cuBLAS, +0.5 GiB NCCL buffers when TP > 1)
//            + activation peak of one prefill chunk ≈ chunk × 2 B × (6·hidden + 4·ffn/TP)
//   KV       = usable − weights − overhead, in blocks of 16 tokens
//   KV/token = 2 (K, V) × layers × KV heads on this GPU × head_dim × bytes (MLA: layers × (rank + rope) × bytes)
// Calibration: vLLM's profile of Llama-3.1-8B on an H100 logged 71.20 GiB usable, 14.99 GiB
// weights, 0.35 GiB non-torch, 1.24 GiB activations, 54.62 GiB KV; this model gives 54.5 GiB.
import { GiB, type Parsed } from './bytes';
import { dtypeBytes, estimateParameters } from './config';
import { GPU_CATALOG, cudaVisibleBytes, findGpu, type GpuSpec } from './gpus';
import { LLM_RUNTIMES, type LlmRuntimeId, type ServingRecommendation } from './runtimes';
import type { ModelArchitecture, ModelFacts, QuantizationInfo } from './types';

export interface SizingOptions {
  /** GPU catalog id (l4, a10g, a100-40gb, a100-80gb, h100-80gb, h200, b200, …). */
  gpu: string;
  /** Tokens per sequence (prompt + output); default min(8192, the model's maximum). */
  contextLength?: number;
  /** Sequences held in the KV cache at once; default 1. */
  concurrency?: number;
  /** Default: llama.cpp for GGUF weights, vLLM otherwise. */
  runtime?: LlmRuntimeId;
  /** vLLM --gpu-memory-utilization / TGI --cuda-memory-fraction; default 0.90 (vLLM's default). */
  gpuMemoryUtilization?: number;
  kvCacheDtype?: 'auto' | 'fp8';
  /** Largest GPU count considered (one machine); default 8. */
  maxGpus?: number;
}

export interface SizingOption {
  gpuCount: number;
  tensorParallel: number | null;
  /** Why this GPU count is not allowed (head divisibility), or null. */
  invalid: string | null;
  usableBytesPerGpu: number;
  weightBytesPerGpu: number;
  overheadBytesPerGpu: number;
  kvBudgetBytesPerGpu: number;
  kvBytesPerTokenPerGpu: number;
  /** Tokens the KV cache holds (all sequences together). */
  kvTokens: number;
  neededTokens: number;
  /** Sequences of contextLength that fit at once. */
  maxConcurrency: number;
  fits: boolean;
}

export interface SizingRow {
  label: string;
  value: string;
  detail: string;
}

export interface Alternative {
  kind: 'gpu' | 'more-gpus' | 'shorter-context' | 'fewer-sequences' | 'fp8-kv-cache' | 'fp8-weights' | 'int4-weights' | 'smaller-gguf' | 'higher-utilization';
  text: string;
  gpu: string;
  gpuCount: number | null;
  contextLength: number;
  concurrency: number;
}

export interface SizingReport {
  fits: boolean;
  model: {
    name: string;
    parameters: number | null;
    weightBytes: number;
    loadedWeightBytes: number;
    weightsFrom: 'headers' | 'config estimate';
    quantization: QuantizationInfo | null;
    kvBytesPerToken: number;
    maxContext: number | null;
  };
  gpu: GpuSpec;
  runtime: LlmRuntimeId;
  contextLength: number;
  concurrency: number;
  gpuMemoryUtilization: number | null;
  kvCacheDtype: 'auto' | 'fp8';
  options: SizingOption[];
  /** The recommended option, else the largest valid one (the closest miss). */
  chosen: SizingOption | null;
  rows: SizingRow[];
  recommendation: ServingRecommendation | null;
  alternatives: Alternative[];
  sentences: string[];
  assumptions: string[];
  notModelled: string[];
}

const BLOCK = 16;
const LLAMACPP_USABLE = 0.95;
const NON_TORCH = 0.5 * GiB;
const NCCL = 0.5 * GiB;
/** AWQ/GPTQ int4 with group 128: 0.5 B of weight + 4 B int32 zeros / 8 / 128 + 2 B scale / 128 per parameter. */
const INT4_BYTES_PER_PARAM = 133 / 256;

// ---- number formatting (deterministic; no locale) ----

export function group(n: number): string {
  const s = String(Math.trunc(Math.abs(n)));
  return (n < 0 ? '-' : '') + s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function gib(bytes: number): string {
  return `${(bytes / GiB).toFixed(2)} GiB`;
}

function kib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(bytes % 1024 === 0 ? 0 : 1)} KiB`;
}

function billions(n: number): string {
  return `${(n / 1e9).toFixed(2)} B`;
}

// ---- model facts → the figures sizing uses ----

interface Derived {
  arch: ModelArchitecture;
  parameters: number | null;
  weightBytes: number;
  loadedBytes: number;
  linearParameters: number;
  linearBytes: number;
  weightsFrom: 'headers' | 'config estimate';
  quantization: QuantizationInfo | null;
  format: 'safetensors' | 'gguf' | null;
  notes: string[];
}

function derive(m: ModelFacts, runtime: LlmRuntimeId): Parsed<Derived> {
  const arch = m.architecture;
  if (!arch) return { ok: false, error: `${m.name}: no config.json or GGUF metadata, so the KV cache cannot be sized` };
  const notes: string[] = [];
  const quantization = m.weights?.quantization ?? arch.quantization;
  if (m.weights) {
    let loaded = 0;
    for (const d of m.weights.byDtype) {
      // vLLM's dtype "auto" serves float32 checkpoints in 16-bit; llama.cpp loads tensors as stored.
      loaded += runtime !== 'llama.cpp' && (d.dtype === 'F32' || d.dtype === 'F64') && !quantization ? d.bytes / (d.dtype === 'F64' ? 4 : 2) : d.bytes;
    }
    if (loaded !== m.weights.bytes) notes.push('float32 tensors are counted at 16 bits: the runtime casts them to the model dtype');
    return {
      ok: true,
      value: {
        arch,
        parameters: m.weights.parameters,
        weightBytes: m.weights.bytes,
        loadedBytes: loaded,
        linearParameters: m.weights.linearParameters,
        linearBytes: m.weights.linearBytes,
        weightsFrom: 'headers',
        quantization,
        format: m.weights.format,
        notes,
      },
    };
  }
  const est = estimateParameters(arch);
  if (!est) return { ok: false, error: `${m.name}: no weight files were read and the config does not give enough to estimate them (vocab_size, intermediate_size)` };
  const b = Math.min(dtypeBytes(arch.dtype) ?? 2, 2);
  const linearBytes = quantization?.bits ? (est.linear * quantization.bits) / 8 + est.linear * (quantization.bits < 8 ? 2 / 128 : 0) : est.linear * b;
  const bytes = linearBytes + (est.total - est.linear) * b;
  notes.push('no weight files were read: parameters and bytes are estimated from config.json');
  return {
    ok: true,
    value: { arch, parameters: est.total, weightBytes: bytes, loadedBytes: bytes, linearParameters: est.linear, linearBytes, weightsFrom: 'config estimate', quantization, format: null, notes },
  };
}

function kvElementBytes(arch: ModelArchitecture, runtime: LlmRuntimeId, kv: 'auto' | 'fp8'): number {
  if (kv === 'fp8') return 1;
  if (runtime === 'llama.cpp') return 2; // llama.cpp's default cache type is f16
  return Math.min(dtypeBytes(arch.dtype) ?? 2, 2);
}

/** KV bytes per token on one GPU when the model is split `parts` ways. */
export function kvBytesPerToken(arch: ModelArchitecture, elementBytes: number, parts = 1, runtime: LlmRuntimeId = 'vllm'): number {
  if (arch.mla) {
    const full = arch.numLayers * (arch.mla.kvLoraRank + arch.mla.qkRopeHeadDim) * elementBytes;
    // vLLM replicates the MLA latent on every TP rank; llama.cpp splits layers.
    return runtime === 'llama.cpp' ? full / parts : full;
  }
  if (runtime === 'llama.cpp') return (2 * arch.numLayers * arch.numKeyValueHeads * arch.headDim * elementBytes) / parts;
  const heads = arch.numKeyValueHeads >= parts ? arch.numKeyValueHeads / parts : 1;
  return 2 * arch.numLayers * heads * arch.headDim * elementBytes;
}

/** Why `tp` GPUs cannot split this model under `runtime`, or null. */
export function tensorParallelProblem(arch: ModelArchitecture, tp: number, runtime: LlmRuntimeId): string | null {
  if (runtime === 'llama.cpp' || tp === 1) return null;
  const h = arch.numAttentionHeads;
  const kv = arch.numKeyValueHeads;
  if (h % tp !== 0) return `${h} attention heads are not divisible by ${tp}`;
  if (runtime === 'tgi' && kv % tp !== 0) return `${kv} KV heads are not divisible by ${tp} (TGI does not replicate KV heads)`;
  if (!arch.mla && kv < tp && tp % kv !== 0) return `${tp} is not a multiple of the ${kv} KV heads`;
  if (!arch.mla && kv >= tp && kv % tp !== 0) return `${kv} KV heads are not divisible by ${tp}`;
  const ffn = arch.moe ? arch.moe.expertIntermediateSize : arch.intermediateSize;
  if (ffn && ffn % tp !== 0) return `the MLP width ${ffn} is not divisible by ${tp}`;
  return null;
}

function prefillChunk(gpu: GpuSpec, runtime: LlmRuntimeId): number {
  if (runtime === 'llama.cpp') return 512;
  if (runtime === 'tgi') return 4096;
  // vLLM EngineArgs.get_batch_defaults: 8192 for the OpenAI server on ≥ 70 GiB GPUs other than A100, else 2048.
  return gpu.memoryMiB * 1024 * 1024 >= 70 * GiB && !gpu.id.startsWith('a100') ? 8192 : 2048;
}

interface Scenario {
  d: Derived;
  gpu: GpuSpec;
  runtime: LlmRuntimeId;
  ctx: number;
  conc: number;
  util: number;
  kv: 'auto' | 'fp8';
  loadedBytes: number;
  maxGpus: number;
}

function evaluate(s: Scenario, parts: number): SizingOption {
  const a = s.d.arch;
  const visible = cudaVisibleBytes(s.gpu);
  const usable = (s.runtime === 'llama.cpp' ? LLAMACPP_USABLE : s.util) * visible;
  const weights = s.loadedBytes / parts;
  const ffn = a.moe ? a.moe.expertIntermediateSize * a.moe.expertsPerToken : (a.intermediateSize ?? 4 * a.hiddenSize);
  const chunk = prefillChunk(s.gpu, s.runtime);
  let activation = chunk * 2 * (6 * a.hiddenSize + (4 * ffn) / (s.runtime === 'llama.cpp' ? 1 : parts));
  if (s.runtime === 'llama.cpp') activation += chunk * (a.vocabSize ?? 32000) * 4;
  const overhead = NON_TORCH + (parts > 1 ? NCCL : 0) + activation;
  const kvBudget = usable - weights - overhead;
  const perToken = kvBytesPerToken(a, kvElementBytes(a, s.runtime, s.kv), parts, s.runtime);
  const raw = kvBudget > 0 ? Math.floor(kvBudget / perToken) : 0;
  const kvTokens = s.runtime === 'llama.cpp' ? raw : Math.floor(raw / BLOCK) * BLOCK;
  const needed = s.ctx * s.conc;
  const invalid = tensorParallelProblem(a, parts, s.runtime);
  return {
    gpuCount: parts,
    tensorParallel: s.runtime === 'llama.cpp' ? null : parts,
    invalid,
    usableBytesPerGpu: usable,
    weightBytesPerGpu: weights,
    overheadBytesPerGpu: overhead,
    kvBudgetBytesPerGpu: kvBudget,
    kvBytesPerTokenPerGpu: perToken,
    kvTokens,
    neededTokens: needed,
    maxConcurrency: Math.floor(kvTokens / s.ctx),
    fits: invalid === null && kvTokens >= needed && kvBudget > 0,
  };
}

function options(s: Scenario): SizingOption[] {
  const out: SizingOption[] = [];
  for (let n = 1; n <= s.maxGpus; n++) out.push(evaluate(s, n));
  return out;
}

function firstFit(s: Scenario): SizingOption | null {
  return options(s).find((o) => o.fits) ?? null;
}

function largestValid(opts: SizingOption[]): SizingOption | null {
  const valid = opts.filter((o) => o.invalid === null);
  return valid[valid.length - 1] ?? null;
}

// ---- the report ----

/** Sizes `model` for serving on one GPU type; an error (as data) when the inputs cannot be sized. */
export function sizeLlm(model: ModelFacts, opts: SizingOptions): Parsed<SizingReport> {
  const gpu = findGpu(opts.gpu);
  if (!gpu) return { ok: false, error: `unknown GPU "${opts.gpu}"; choose one of ${GPU_CATALOG.map((g) => g.id).join(', ')}` };
  const runtime: LlmRuntimeId = opts.runtime ?? (model.weights?.format === 'gguf' ? 'llama.cpp' : 'vllm');
  const facts = LLM_RUNTIMES[runtime];
  if (model.weights && !facts.weightFormats.includes(model.weights.format)) {
    return {
      ok: false,
      error:
        model.weights.format === 'gguf'
          ? `${model.name} is a GGUF file: serve it with llama.cpp (vLLM's GGUF support is experimental and not sized here)`
          : `${facts.name} serves GGUF files; ${model.name} has ${model.weights.format} weights: use vLLM, SGLang or TGI`,
    };
  }
  const util = opts.gpuMemoryUtilization ?? 0.9;
  if (!(util > 0.05 && util <= 1)) return { ok: false, error: `gpu memory utilization ${util} must be in (0.05, 1]` };
  const conc = opts.concurrency ?? 1;
  if (!Number.isInteger(conc) || conc < 1 || conc > 65536) return { ok: false, error: `concurrency ${conc} must be a whole number from 1 to 65536` };
  const maxGpus = opts.maxGpus ?? 8;
  if (!Number.isInteger(maxGpus) || maxGpus < 1 || maxGpus > 64) return { ok: false, error: `maxGpus ${maxGpus} must be a whole number from 1 to 64` };
  const dr = derive(model, runtime);
  if (!dr.ok) return dr;
  const d = dr.value;
  const maxCtx = d.arch.maxPositionEmbeddings;
  const sentences: string[] = [];
  let ctx = opts.contextLength ?? Math.min(8192, maxCtx ?? 8192);
  if (!Number.isInteger(ctx) || ctx < 16) return { ok: false, error: `context length ${ctx} must be a whole number of at least 16 tokens` };
  if (maxCtx !== null && ctx > maxCtx) {
    sentences.push(`${model.name} supports at most ${group(maxCtx)} tokens; the context is capped there (asked: ${group(ctx)}).`);
    ctx = maxCtx;
  }
  const kv = opts.kvCacheDtype ?? 'auto';
  const s: Scenario = { d, gpu, runtime, ctx, conc, util, kv, loadedBytes: d.loadedBytes, maxGpus };
  const opts2 = options(s);
  const fit = opts2.find((o) => o.fits) ?? null;
  const chosen = fit ?? largestValid(opts2);
  const elem = kvElementBytes(d.arch, runtime, kv);
  const kvFull = kvBytesPerToken(d.arch, elem, 1, runtime);

  let recommendation: ServingRecommendation | null = null;
  if (fit) {
    const staticFraction = Math.floor(((fit.usableBytesPerGpu - fit.overheadBytesPerGpu) / cudaVisibleBytes(gpu)) * 100) / 100;
    recommendation = {
      runtime,
      gpuType: gpu.id,
      gpuCount: fit.gpuCount,
      tensorParallel: fit.tensorParallel,
      maxModelLen: ctx,
      gpuMemoryUtilization: runtime === 'llama.cpp' ? null : runtime === 'sglang' ? staticFraction : util,
      concurrency: conc,
      kvCacheDtype: kv,
      quantization: null,
    };
  }

  const rows = tableRows(model.name, d, gpu, runtime, s, chosen, kvFull, elem);
  const alternatives = fit ? [] : findAlternatives(s, opts2);
  const weightsText = `${gib(d.loadedBytes)}${d.parameters !== null ? ` (${billions(d.parameters)} parameters${d.quantization ? `, ${d.quantization.method}` : ''})` : ''}`;
  sentences.push(`${model.name}: weights ${weightsText}; KV cache ${kib(kvFull)} per token${kv === 'fp8' ? ' (FP8)' : ''}; ${group(ctx)} tokens × ${conc} sequence${conc === 1 ? '' : 's'} = ${group(ctx * conc)} tokens = ${gib(kvFull * ctx * conc)} of KV cache.`);
  if (fit) {
    const par = runtime === 'llama.cpp' ? `${fit.gpuCount} × ${gpu.name} (layers split)` : `${fit.gpuCount} × ${gpu.name} with tensor parallel ${fit.gpuCount}`;
    sentences.push(
      `Fits on ${par}: ${gib(fit.kvBudgetBytesPerGpu)} per GPU left for KV cache holds ${group(fit.kvTokens)} tokens, ${fit.maxConcurrency} concurrent ${group(ctx)}-token sequence${fit.maxConcurrency === 1 ? '' : 's'} (${conc} asked).`,
    );
    if (fit.gpuCount > 1 && !gpu.nvlink) sentences.push(`${gpu.name} has no NVLink: tensor-parallel all-reduce runs over PCIe, slower than on NVLink (SXM) machines.`);
  } else {
    const miss = chosen;
    sentences.push(
      miss
        ? `Does not fit on up to ${maxGpus} × ${gpu.name}: with ${miss.gpuCount} GPU${miss.gpuCount === 1 ? '' : 's'} the KV cache gets ${miss.kvBudgetBytesPerGpu > 0 ? gib(miss.kvBudgetBytesPerGpu) : 'nothing'} per GPU = ${group(miss.kvTokens)} tokens, ${group(ctx * conc)} needed.`
        : `Does not fit on ${gpu.name}: no GPU count up to ${maxGpus} can split this model (${opts2[opts2.length - 1]?.invalid ?? 'invalid'}).`,
    );
    for (const a of alternatives) sentences.push(`What would: ${a.text}`);
  }
  if (facts.status) sentences.push(facts.status.value);

  const notModelled = [
    ...d.arch.unmodelled,
    ...(d.arch.slidingWindow !== null ? [`sliding-window attention (window ${group(d.arch.slidingWindow)}): the KV cache is sized as full attention, an over-estimate for those layers`] : []),
    'prefix caching, speculative-decoding draft models, LoRA adapters and multimodal encoder caches',
    'pipeline or expert parallelism and serving across several machines',
    'CPU offload of weights or KV cache',
  ];
  const assumptions = [
    `Memory per GPU: nvidia-smi total ${group(gpu.memoryMiB)} MiB minus 512 MiB the driver keeps from CUDA = ${gib(cudaVisibleBytes(gpu))}.`,
    runtime === 'llama.cpp'
      ? `llama.cpp has no memory fraction: ${Math.round(LLAMACPP_USABLE * 100)} % of that is planned, layers and KV split evenly over the GPUs.`
      : `${facts.name} may use ${util.toFixed(2)} of it (${facts.flags.value.gpuMemory ?? 'memory fraction'}) for weights, activations and KV cache; CUDA graphs go in the rest.`,
    `Runtime overhead per GPU: 0.5 GiB non-torch memory (CUDA context, cuBLAS), +0.5 GiB NCCL buffers with more than one GPU, plus the activation peak of one ${group(prefillChunk(gpu, runtime))}-token prefill chunk ≈ tokens × 2 B × (6 × hidden + 4 × MLP width / GPUs)${runtime === 'llama.cpp' ? ' + tokens × vocabulary × 4 B of logits' : ''}; calibrated against vLLM's logged profile of Llama-3.1-8B on an H100 (0.35 GiB non-torch, 1.24 GiB activations).`,
    `KV cache per token = ${d.arch.mla ? `layers × (kv_lora_rank + qk_rope_head_dim) × ${elem} B (MLA latent, on every GPU)` : `2 (K and V) × layers × KV heads × head dim × ${elem} B`}; KV heads are split over tensor-parallel GPUs and replicated when there are more GPUs than KV heads.`,
    `Tensor-parallel sizes follow ${facts.name}: ${facts.tensorParallelRule.value}.`,
    ...d.notes,
  ];

  return {
    ok: true,
    value: {
      fits: fit !== null,
      model: {
        name: model.name,
        parameters: d.parameters,
        weightBytes: d.weightBytes,
        loadedWeightBytes: d.loadedBytes,
        weightsFrom: d.weightsFrom,
        quantization: d.quantization,
        kvBytesPerToken: kvFull,
        maxContext: maxCtx,
      },
      gpu,
      runtime,
      contextLength: ctx,
      concurrency: conc,
      gpuMemoryUtilization: runtime === 'llama.cpp' ? null : util,
      kvCacheDtype: kv,
      options: opts2,
      chosen,
      rows,
      recommendation,
      alternatives,
      sentences,
      assumptions,
      notModelled,
    },
  };
}

function tableRows(name: string, d: Derived, gpu: GpuSpec, runtime: LlmRuntimeId, s: Scenario, o: SizingOption | null, kvFull: number, elem: number): SizingRow[] {
  const a = d.arch;
  const rows: SizingRow[] = [
    {
      label: 'Weights',
      value: gib(d.loadedBytes),
      detail: `${d.parameters !== null ? `${group(d.parameters)} parameters, ` : ''}${d.weightsFrom === 'headers' ? 'from the weight headers' : 'estimated from config.json'}${d.quantization ? `, ${d.quantization.method}${d.quantization.bits ? ` ${d.quantization.bits}-bit` : ''}` : ''}`,
    },
    {
      label: 'KV cache per token',
      value: kib(kvFull),
      detail: a.mla
        ? `${a.numLayers} layers × (${a.mla.kvLoraRank} + ${a.mla.qkRopeHeadDim}) × ${elem} B`
        : `2 × ${a.numLayers} layers × ${a.numKeyValueHeads} KV heads × ${a.headDim} head dim × ${elem} B`,
    },
    { label: 'KV cache needed', value: gib(kvFull * s.ctx * s.conc), detail: `${group(s.ctx)} tokens × ${s.conc} sequence${s.conc === 1 ? '' : 's'}` },
    { label: 'GPU memory', value: gib(cudaVisibleBytes(gpu)), detail: `${gpu.name}: ${group(gpu.memoryMiB)} MiB in nvidia-smi, 512 MiB not visible to CUDA` },
  ];
  if (o) {
    const n = o.gpuCount;
    rows.push(
      { label: 'Usable per GPU', value: gib(o.usableBytesPerGpu), detail: runtime === 'llama.cpp' ? `${LLAMACPP_USABLE} of the GPU` : `× ${s.util.toFixed(2)} gpu memory utilization` },
      { label: 'Weights per GPU', value: gib(o.weightBytesPerGpu), detail: `${gib(d.loadedBytes)} / ${n} GPU${n === 1 ? '' : 's'}` },
      { label: 'Runtime overhead per GPU', value: gib(o.overheadBytesPerGpu), detail: `non-torch ${n > 1 ? '1.00' : '0.50'} GiB + activations ${gib(o.overheadBytesPerGpu - NON_TORCH - (n > 1 ? NCCL : 0))}` },
      { label: 'KV budget per GPU', value: o.kvBudgetBytesPerGpu > 0 ? gib(o.kvBudgetBytesPerGpu) : 'none', detail: 'usable − weights − overhead' },
      { label: 'KV tokens', value: group(o.kvTokens), detail: `${o.kvBudgetBytesPerGpu > 0 ? gib(o.kvBudgetBytesPerGpu) : '0'} / ${kib(o.kvBytesPerTokenPerGpu)} per token per GPU; ${group(o.neededTokens)} needed` },
    );
  }
  // Every GPU count up to 8; past that only the allowed ones (a 64-GPU table of refusals helps no one).
  for (const x of options(s).filter((x) => x.invalid === null || x.gpuCount <= 8)) {
    rows.push({
      label: `${x.gpuCount} × ${gpu.id}`,
      value: x.invalid ? 'not allowed' : x.fits ? 'fits' : 'does not fit',
      detail: x.invalid ?? `${group(x.kvTokens)} KV tokens for ${group(x.neededTokens)} needed (max ${x.maxConcurrency} × ${group(s.ctx)})`,
    });
  }
  return rows;
}

function findAlternatives(s: Scenario, opts: SizingOption[]): Alternative[] {
  const out: Alternative[] = [];
  const best = largestValid(opts);
  const where = (o: SizingOption, g: GpuSpec) => `${o.gpuCount} × ${g.name}`;

  // Another GPU type: the fewest GPUs (then the least memory) that fit, bigger GPUs only.
  const others = GPU_CATALOG.filter((g) => g.memoryMiB > s.gpu.memoryMiB)
    .map((g) => ({ g, o: firstFit({ ...s, gpu: g }) }))
    .filter((x): x is { g: GpuSpec; o: SizingOption } => x.o !== null)
    .sort((x, y) => x.o.gpuCount * x.g.memoryMiB - y.o.gpuCount * y.g.memoryMiB)
    .slice(0, 2);
  for (const { g, o } of others) out.push({ kind: 'gpu', text: `${where(o, g)} (more memory per GPU).`, gpu: g.id, gpuCount: o.gpuCount, contextLength: s.ctx, concurrency: s.conc });

  if (best) {
    // Shorter context at the same concurrency, and fewer sequences at the same context.
    const perSeq = Math.floor(best.kvTokens / s.conc / 1024) * 1024;
    if (perSeq >= 1024) out.push({ kind: 'shorter-context', text: `--max-model-len ${group(perSeq)} for ${s.conc} sequence${s.conc === 1 ? '' : 's'} on ${where(best, s.gpu)}.`, gpu: s.gpu.id, gpuCount: best.gpuCount, contextLength: perSeq, concurrency: s.conc });
    if (s.conc > 1 && best.maxConcurrency >= 1) out.push({ kind: 'fewer-sequences', text: `${best.maxConcurrency} concurrent ${group(s.ctx)}-token sequence${best.maxConcurrency === 1 ? '' : 's'} on ${where(best, s.gpu)}.`, gpu: s.gpu.id, gpuCount: best.gpuCount, contextLength: s.ctx, concurrency: best.maxConcurrency });
  }
  if (s.kv === 'auto' && s.runtime !== 'llama.cpp') {
    const o = firstFit({ ...s, kv: 'fp8' });
    if (o) out.push({ kind: 'fp8-kv-cache', text: `an FP8 KV cache (${LLM_RUNTIMES[s.runtime].flags.value.kvCacheDtype} fp8) on ${where(o, s.gpu)}, halving the KV bytes per token.`, gpu: s.gpu.id, gpuCount: o.gpuCount, contextLength: s.ctx, concurrency: s.conc });
  }
  if (s.runtime !== 'llama.cpp' && s.util < 0.95 && cudaVisibleBytes(s.gpu) * 0.05 >= 2 * GiB) {
    const o = firstFit({ ...s, util: 0.95 });
    if (o) out.push({ kind: 'higher-utilization', text: `--gpu-memory-utilization 0.95 on ${where(o, s.gpu)} (leaves ${gib(cudaVisibleBytes(s.gpu) * 0.05)} per GPU for CUDA graphs).`, gpu: s.gpu.id, gpuCount: o.gpuCount, contextLength: s.ctx, concurrency: s.conc });
  }
  const quantized = s.d.quantization !== null;
  if (s.runtime === 'llama.cpp') {
    if (s.d.linearParameters > 0) {
      // Q4_K_M averages ~4.9 bits per weight on Llama-class models (4,912,898,048 B for 8.03 B parameters).
      const q4 = s.loadedBytes - s.d.linearBytes + (s.d.linearParameters * 4.85) / 8;
      const o = q4 < s.loadedBytes ? firstFit({ ...s, loadedBytes: q4 }) : null;
      if (o) out.push({ kind: 'smaller-gguf', text: `a Q4_K_M GGUF (~${gib(q4)}) on ${where(o, s.gpu)}.`, gpu: s.gpu.id, gpuCount: o.gpuCount, contextLength: s.ctx, concurrency: s.conc });
    }
  } else if (!quantized && s.d.linearParameters > 0) {
    const major = Number(s.gpu.computeCapability.split('.')[0]);
    const fp8 = s.loadedBytes - s.d.linearBytes + s.d.linearParameters;
    const o8 = major >= 8 ? firstFit({ ...s, loadedBytes: fp8 }) : null;
    if (o8) out.push({ kind: 'fp8-weights', text: `FP8 weights (--quantization fp8, ~${gib(fp8)}${s.gpu.fp8 ? '' : '; weight-only on GPUs without FP8 tensor cores'}) on ${where(o8, s.gpu)}.`, gpu: s.gpu.id, gpuCount: o8.gpuCount, contextLength: s.ctx, concurrency: s.conc });
    const int4 = s.loadedBytes - s.d.linearBytes + s.d.linearParameters * INT4_BYTES_PER_PARAM;
    const o4 = firstFit({ ...s, loadedBytes: int4 });
    if (o4) out.push({ kind: 'int4-weights', text: `a 4-bit AWQ or GPTQ checkpoint of this model (~${gib(int4)}) on ${where(o4, s.gpu)}.`, gpu: s.gpu.id, gpuCount: o4.gpuCount, contextLength: s.ctx, concurrency: s.conc });
  }
  // Beyond one machine: how many GPUs the arithmetic asks for (multi-node serving is not planned here).
  if (out.length === 0 || !out.some((x) => x.kind === 'gpu')) {
    for (let n = s.maxGpus + 1; n <= 64; n++) {
      const o = evaluate({ ...s, maxGpus: 64 }, n);
      if (o.fits) {
        out.push({ kind: 'more-gpus', text: `${n} × ${s.gpu.name}, more than one machine holds (${s.maxGpus}); multi-node serving (pipeline parallel) is not planned by ModelDock.`, gpu: s.gpu.id, gpuCount: n, contextLength: s.ctx, concurrency: s.conc });
        break;
      }
    }
  }
  return out;
}

/** The report as plain text: the arithmetic table, then sentences, assumptions and what is not modelled. */
export function formatSizingReport(r: SizingReport): string {
  const w = Math.max(...r.rows.map((x) => x.label.length));
  const v = Math.max(...r.rows.map((x) => x.value.length));
  const lines = r.rows.map((x) => `${x.label.padEnd(w)}  ${x.value.padStart(v)}  ${x.detail}`);
  return [
    ...lines,
    '',
    ...r.sentences,
    '',
    'Assumptions:',
    ...r.assumptions.map((x) => `- ${x}`),
    'Not modelled:',
    ...r.notModelled.map((x) => `- ${x}`),
  ].join('\n');
}
