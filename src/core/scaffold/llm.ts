// LLM servers as scaffold runtimes: vLLM's OpenAI-compatible server, SGLang, Hugging Face TGI and
// llama.cpp's server (GGUF, CPU or CUDA). The runtime's own pinned image serves the model (a thin
// Dockerfile records how it starts); the weights come from the project's model folder through a
// PVC / bind mount, or are downloaded from the Hugging Face Hub into a mounted cache, and are
// never baked in unless asked. The GPU type, count and tensor-parallel size come from the sizing
// arithmetic (core/llm/sizing.ts) over the model's own headers; the plan carries that arithmetic
// so the wizard and the CLI can show it.
import { GPU_CATALOG, findGpu, type GpuSpec } from '../llm/gpus';
import { LLM_RUNTIMES, servingCommand, type LlmRuntimeFacts, type LlmRuntimeId, type RuntimeImage, type ServingRecommendation } from '../llm/runtimes';
import { kvBytesPerToken, sizeLlm, type SizingReport } from '../llm/sizing';
import { dtypeBytes } from '../llm/config';
import type { ModelFacts } from '../llm/types';
import type { LlmModelFinding } from '../detect/types';
import { FileSet, dockerignoreFile, posixBasename, pvcFile, renderTemplate } from './common';
import { dfComment, dfCopy, dfExec, dfName, dfQuoted, dfValue } from './escape';
import { containerRunSpec, type PlanInputs } from './inputs';
import { DEFAULT_LLM_CHOICES, llmRuntimeId, type LlmGpuCandidate, type LlmModelRead, type LlmPlan, type LlmServingRuntime } from './llmTypes';
import type { ScaffoldPlan } from './types';

const GIB = 1024 ** 3;

/**
 * GPU types `auto` considers, in the catalog's order: one per memory class (the A10/A10G and the
 * H100 PCIe share a memory size with L4 and H100 SXM; consumer cards are left out).
 */
export const AUTO_GPUS: readonly string[] = ['t4', 'l4', 'l40s', 'a100-40gb', 'a100-80gb', 'h100-80gb', 'h200', 'b200'];

/** Container port per runtime. TGI's image listens on 80, which needs a capability the pod drops: 8080 instead. */
const PORTS: Record<LlmRuntimeId, number> = { vllm: 8000, sglang: 30000, tgi: 8080, 'llama.cpp': 8080 };

/** Where the downloaded Hugging Face cache is mounted (HF_HOME) for hub models. */
const HF_CACHE_DIR = '/hf-cache';

/** What loading costs, for the startup probe: engine start (CUDA graphs, compile) + reading the weights. */
const STARTUP_BASE_SECONDS = 180;
/** Read speed assumed for weights on a PVC (network storage): 250 MB/s. */
const LOAD_BYTES_PER_SECOND = 250e6;
/** Download speed assumed from the Hub into the cache on the first start: 100 MB/s. */
const DOWNLOAD_BYTES_PER_SECOND = 100e6;
/** Weights assumed for a hub model whose size is unknown (cache PVC, startup budget). */
const UNKNOWN_HUB_BYTES = 64e9;

// Hugging Face repository ids: `org/name`, letters, digits, `-`, `_`, `.` (no `--` or `..` either end).
const HUB_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}\/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$/;

export function validHubId(id: string): boolean {
  return HUB_ID.test(id) && !id.includes('..') && !id.includes('--');
}

/** A path component the manifests can use: the name's letters, digits, `.`, `_`, `-`; the rest becomes `_`. */
function safeComponent(raw: string, fallback: string): string {
  const s = raw.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '');
  return s === '' || s === '.' || s === '..' ? fallback : s.slice(0, 120);
}

/** The name clients put in `model`: the folder or GGUF stem, lower-case. */
function servedNameOf(m: LlmModelFinding): string {
  const base = posixBasename(m.path === '.' ? '' : m.path) || 'model';
  const stem = m.kind === 'gguf' ? base.replace(/-\d{5}-of-\d{5}\.gguf$/i, '').replace(/\.gguf$/i, '') : base;
  const s = stem.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-._]+|[-._]+$/g, '').slice(0, 100);
  return s || 'model';
}

function modelsFor(id: LlmRuntimeId, models: readonly LlmModelFinding[]): LlmModelFinding[] {
  const kind = id === 'llama.cpp' ? 'gguf' : 'huggingface';
  return models.filter((m) => m.kind === kind);
}

function gibText(bytes: number): string {
  return `${(bytes / GIB).toFixed(1)} GiB`;
}

/** Kubernetes quantity in whole Gi, at least `min`. */
function giQuantity(bytes: number, min = 1): string {
  return `${Math.max(min, Math.ceil(bytes / GIB))}Gi`;
}

function pickImage(f: LlmRuntimeFacts, target: 'cpu' | 'gpu', cuda: string | undefined, errors: string[]): RuntimeImage {
  if (target === 'cpu') {
    const cpu = f.images.find((i) => i.variant === 'cpu');
    if (cpu) return cpu;
  }
  const gpuImages = f.images.filter((i) => i.variant !== 'cpu');
  if (cuda) {
    const major = cuda.split('.')[0];
    const hit = gpuImages.find((i) => i.cuda?.split('.')[0] === major);
    if (hit) return hit;
    errors.push(`${f.name} has no pinned image for CUDA ${cuda}: ${gpuImages.map((i) => `${i.image} (CUDA ${i.cuda ?? '?'})`).join(', ')}`);
  }
  // CUDA 12 first: its driver floor is the lower one, and every runtime has a CUDA 12 image.
  return gpuImages.find((i) => i.variant === 'cuda12') ?? gpuImages[0] ?? f.images[0]!;
}

export interface SizingChoice {
  report: SizingReport | null;
  gpu: GpuSpec | null;
  candidates: LlmGpuCandidate[];
  error: string | null;
}

function bf16OnOldGpu(facts: ModelFacts, g: GpuSpec): boolean {
  const dt = facts.architecture?.dtype ?? null;
  return dt === 'bfloat16' && Number(g.computeCapability.split('.')[0]) < 8 && facts.weights?.format !== 'gguf';
}

/** Sizes the model on the chosen GPU type, or on each `auto` candidate, keeping the one with the fewest GPUs. */
export function chooseSizing(facts: ModelFacts, id: LlmRuntimeId, gpuChoice: string, ctx: number, conc: number): SizingChoice {
  const opts = { contextLength: ctx, concurrency: conc, runtime: id };
  if (gpuChoice !== 'auto') {
    const g = findGpu(gpuChoice);
    const r = sizeLlm(facts, { ...opts, gpu: gpuChoice });
    if (!r.ok) return { report: null, gpu: g, candidates: [], error: r.error };
    return { report: r.value, gpu: r.value.gpu, candidates: [], error: null };
  }
  const candidates: LlmGpuCandidate[] = [];
  let best: { report: SizingReport; g: GpuSpec } | null = null;
  let last: SizingReport | null = null;
  for (const gid of AUTO_GPUS) {
    const g = findGpu(gid);
    if (!g) continue;
    // Compute capability < 8.0 has no bfloat16: such a model would be served in float16, which the sizing does not model.
    if (bf16OnOldGpu(facts, g)) {
      candidates.push({ id: g.id, name: g.name, gpuCount: null, note: `no bfloat16 (compute capability ${g.computeCapability})` });
      continue;
    }
    const r = sizeLlm(facts, { ...opts, gpu: gid });
    if (!r.ok) return { report: null, gpu: null, candidates: [], error: r.error };
    last = r.value;
    const count = r.value.recommendation?.gpuCount ?? null;
    candidates.push({ id: g.id, name: g.name, gpuCount: count });
    if (count !== null && (!best || count < (best.report.recommendation?.gpuCount ?? Infinity))) best = { report: r.value, g };
  }
  if (best) return { report: best.report, gpu: best.g, candidates, error: null };
  return { report: last, gpu: last?.gpu ?? null, candidates, error: null };
}

function sizingFailure(r: SizingReport): string {
  const what = r.alternatives.length ? ` What would: ${r.alternatives.map((a) => a.text.replace(/\.$/, '')).join('; ')}.` : '';
  const chosen = r.chosen;
  const held = chosen ? ` ${chosen.gpuCount} × ${r.gpu.name} hold${chosen.gpuCount === 1 ? 's' : ''} ${chosen.kvTokens.toLocaleString('en-US')} tokens of KV cache, ${r.contextLength.toLocaleString('en-US')} × ${r.concurrency} need ${(r.contextLength * r.concurrency).toLocaleString('en-US')}.` : '';
  return `${r.model.name} does not fit on up to 8 × ${r.gpu.name} for ${r.contextLength.toLocaleString('en-US')} tokens × ${r.concurrency} sequence${r.concurrency === 1 ? '' : 's'} with ${LLM_RUNTIMES[r.runtime].name}.${held}${what}`;
}

/** The readers' warnings, with the "shorter than its header" ones (header-only or partial shards) folded into one line. */
export function summarizeModelWarnings(warnings: readonly string[], max = 5): string[] {
  const short = warnings.filter((w) => w.includes('a partial download or a header-only file'));
  const rest = warnings.filter((w) => !short.includes(w));
  const out = rest.slice(0, max);
  if (short.length) out.push(`${short.length} weight file${short.length === 1 ? ' is' : 's are'} shorter than ${short.length === 1 ? 'its header declares' : 'their headers declare'} (partial downloads or header-only files): sized from the headers.`);
  return out;
}

/** Extra flags for cases servingCommand does not know about. */
function extraArgs(id: LlmRuntimeId, facts: ModelFacts | null, gpu: GpuSpec | null, target: 'cpu' | 'gpu', notes: string[]): { add: string[]; drop: string[] } {
  const add: string[] = [];
  const drop: string[] = [];
  if (id === 'llama.cpp' && target === 'cpu') drop.push('-ngl');
  if (facts && gpu && bf16OnOldGpu(facts, gpu) && id !== 'llama.cpp') {
    add.push('--dtype', id === 'tgi' ? 'float16' : 'half');
    notes.push(`${gpu.name} (compute capability ${gpu.computeCapability}) has no bfloat16: the server runs the bfloat16 weights in float16 (--dtype); check the outputs, some models overflow in float16.`);
  }
  return { add, drop };
}

function withoutFlag(args: string[], flag: string): string[] {
  const i = args.indexOf(flag);
  return i < 0 ? args : [...args.slice(0, i), ...args.slice(i + 2)];
}

/** Resources per pod: the runtime's host memory (tokenizer, workers) plus the memory-backed /dev/shm, which counts against the limit. */
function resourcesOf(id: LlmRuntimeId, target: 'cpu' | 'gpu', gpus: number, shmBytes: number, cpuModelBytes: number): { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string }; comment: string } {
  if (target === 'cpu') {
    const mem = Math.max(2, Math.ceil((cpuModelBytes * 1.1) / GIB) + 1);
    return {
      requests: { cpu: '4', memory: `${mem}Gi` },
      limits: { cpu: '8', memory: `${mem}Gi` },
      comment: `The weights and the KV cache live in RAM on a CPU server (~${gibText(cpuModelBytes)}), plus 10 % and 1 GiB for the server.`,
    };
  }
  const host = Math.max(16, 8 + 4 * gpus);
  const shm = Math.ceil(shmBytes / GIB);
  const cpu = 2 + 2 * gpus;
  return {
    requests: { cpu: String(cpu), memory: `${host}Gi` },
    limits: { cpu: String(cpu * 2), memory: `${host + shm}Gi` },
    comment: `Host memory for ${LLM_RUNTIMES[id].name} and its ${gpus} worker${gpus === 1 ? '' : 's'}${shm ? `; the limit adds the ${shm} GiB memory-backed /dev/shm, which counts against it` : ''}. The weights go to the GPUs.`,
  };
}

function startupSeconds(bytes: number, hub: boolean): number {
  const s = STARTUP_BASE_SECONDS + bytes / LOAD_BYTES_PER_SECOND + (hub ? bytes / DOWNLOAD_BYTES_PER_SECOND : 0);
  return Math.ceil(s / 60) * 60;
}

/** The chosen detected model, or why there is none. */
function chooseModel(p: PlanInputs, id: LlmRuntimeId, wanted: string | undefined): LlmModelFinding | null {
  const all = modelsFor(id, p.detection.llm?.models ?? []);
  if (wanted !== undefined) {
    const m = all.find((x) => x.path === wanted) ?? null;
    if (!m) p.errors.push(`the model '${wanted}' is not one ${LLM_RUNTIMES[id].name} can serve in this project (found: ${all.map((x) => x.path).join(', ') || 'none'})`);
    return m;
  }
  if (all.length > 1) p.notes.push(`${all.length} models found (${all.map((x) => x.path).join(', ')}): serving ${all[0]!.path}; choose another with the model choice (--model).`);
  return all[0] ?? null;
}

export function planLlm(runtime: LlmServingRuntime, p: PlanInputs): ScaffoldPlan {
  const id = llmRuntimeId(runtime);
  const f = LLM_RUNTIMES[id];
  const files = new FileSet(p.existing, p.force);
  const c = { ...DEFAULT_LLM_CHOICES, ...(p.choices.llm ?? {}) };
  const ctxAsked = c.contextLength;
  const conc = c.concurrency;
  if (!Number.isInteger(ctxAsked) || ctxAsked < 16 || ctxAsked > 10_000_000) p.errors.push(`context length ${ctxAsked} must be a whole number of tokens from 16 to 10,000,000`);
  if (!Number.isInteger(conc) || conc < 1 || conc > 4096) p.errors.push(`concurrency ${conc} must be a whole number of sequences from 1 to 4096`);
  const gpuChoice = c.gpu.trim().toLowerCase();
  if (gpuChoice !== 'auto' && !findGpu(gpuChoice)) p.errors.push(`unknown GPU type '${c.gpu}'; choose auto or one of ${GPU_CATALOG.map((g) => g.id).join(', ')}`);
  if (f.status) p.notes.push(`${f.name}: ${f.status.value}`);

  // GPU servers run on GPUs whatever the detected target; llama.cpp follows it.
  let target: 'cpu' | 'gpu' = p.target;
  if (id !== 'llama.cpp') {
    if (p.choices.target === 'cpu') p.notes.push(`${f.name} serves on NVIDIA GPUs: the target is GPU (llama.cpp serves GGUF models on CPUs).`);
    target = 'gpu';
  }

  // The model: the project's, or one the server downloads from the Hub.
  const found = chooseModel(p, id, c.model);
  const source = c.source ?? (found ? 'local' : 'hub');
  let modelId: string | null = null;
  if (source === 'hub') {
    const fromCode = p.detection.llm?.hubModels[0];
    modelId = c.modelId?.trim() || fromCode?.id || null;
    if (id === 'llama.cpp') p.errors.push('llama.cpp serves a GGUF file from the project: put the .gguf (for example a Q4_K_M quantization) into the project folder');
    else if (!modelId) p.errors.push(`no model to serve: the project has no Hugging Face model folder (config.json with *ForCausalLM architectures and safetensors weights) and no model id was given; add the folder, or give a Hugging Face id (org/name) to download`);
    else if (!validHubId(modelId)) p.errors.push(`'${modelId}' is not a Hugging Face repository id (org/name: letters, digits, '.', '_', '-')`);
    else if (!c.modelId && fromCode) p.notes.push(`Model ${modelId}: the id ${fromCode.file}:${fromCode.line} loads; the server downloads it from the Hugging Face Hub on the first start.`);
  } else if (!found) {
    p.errors.push(`no ${id === 'llama.cpp' ? '.gguf file' : 'Hugging Face model folder'} was found for ${f.name}; ${id === 'llama.cpp' ? 'add one' : 'add one, or choose the Hub as the model source with a model id'}`);
  }
  const local = source === 'local' ? found : null;
  const read: LlmModelRead | null = local && c.read && c.read.path === local.path ? c.read : null;
  if (local && c.read && c.read.path !== local.path) p.notes.push(`The model facts given are for ${c.read.path}, not ${local.path}: not used.`);
  if (read?.problem) p.notes.push(`${local?.path}: ${read.problem}`);
  for (const w of summarizeModelWarnings(read?.facts?.warnings ?? [])) p.notes.push(`${local?.path}: ${w}`);

  // Sizing: the GPU type and count, the tensor-parallel size and the memory flags.
  let sizing: SizingReport | null = null;
  let gpu: GpuSpec | null = null;
  let candidates: LlmGpuCandidate[] = [];
  let sizingNote: string | null = null;
  const ctx = Math.min(ctxAsked, read?.facts?.architecture?.maxPositionEmbeddings ?? ctxAsked);
  if (target === 'gpu' && read?.facts && p.errors.length === 0) {
    const s = chooseSizing(read.facts, id, gpuChoice, ctxAsked, conc);
    candidates = s.candidates;
    if (s.error) p.errors.push(`${local?.path ?? 'the model'} cannot be sized: ${s.error}`);
    sizing = s.report;
    gpu = s.gpu;
    if (sizing && !sizing.fits) p.errors.push(sizingFailure(sizing));
  } else if (target === 'gpu') {
    sizingNote = source === 'hub' ? `The model comes from the Hub, so its config.json was not read: ${p.gpuCount} GPU(s) as chosen, not sized.` : read === null ? 'The model files were not read: the GPU count is the one chosen, not sized.' : 'The model\'s config.json could not be read: the GPU count is the one chosen, not sized.';
    if (gpuChoice !== 'auto') gpu = findGpu(gpuChoice);
  }
  const rec: ServingRecommendation = sizing?.recommendation ?? {
    runtime: id,
    gpuType: gpu?.id ?? 'unknown',
    gpuCount: p.gpuCount,
    tensorParallel: id === 'llama.cpp' ? null : p.gpuCount,
    maxModelLen: ctx,
    gpuMemoryUtilization: id === 'llama.cpp' ? null : 0.9,
    concurrency: conc,
    kvCacheDtype: 'auto',
    quantization: null,
  };
  if (sizing && !sizing.fits && sizing.chosen) {
    // The closest miss is what the files show; the plan carries the error, so nothing is written.
    rec.gpuCount = sizing.chosen.gpuCount;
    rec.tensorParallel = sizing.chosen.tensorParallel;
  }
  const gpuCount = target === 'gpu' ? rec.gpuCount : 0;
  if (sizing?.fits && p.choices.gpuCount !== undefined && p.choices.gpuCount !== rec.gpuCount) {
    p.notes.push(`GPUs: ${rec.gpuCount} (the sizing's), not the ${p.choices.gpuCount} asked for: the tensor-parallel size must hold the model and split its heads evenly.`);
  }
  if (p.deviceIds && p.deviceIds.length !== gpuCount && target === 'gpu') p.notes.push(`${p.deviceIds.length} GPU id(s) were given for compose but the server needs ${gpuCount}: compose asks for ${gpuCount} GPU(s) instead.`);

  // Where the weights are in the container.
  const modelName = local ? safeComponent(posixBasename(local.path === '.' ? p.facts.projectName : local.path), 'model') : 'model';
  const servedName = local ? servedNameOf(local.path === '.' ? { ...local, path: p.facts.projectName } : local) : (modelId ?? 'model');
  const inImage = p.weightsInImage && local !== null;
  let served: string;
  let mountPath: string | null = null;
  if (local?.kind === 'gguf') {
    mountPath = '/models';
    served = `/models/${modelName}`;
  } else if (local) {
    mountPath = `/models/${modelName}`;
    served = mountPath;
  } else {
    served = modelId ?? 'org/model';
  }
  const weightBytes = read?.facts?.weights?.bytes ?? local?.bytes ?? 0;
  const hubBytes = source === 'hub' ? UNKNOWN_HUB_BYTES : 0;
  const startup = startupSeconds(weightBytes || hubBytes, source === 'hub');

  // The server's command line.
  const port = PORTS[id];
  const cmd = servingCommand(rec, served, { port, ...(id !== 'tgi' ? { servedModelName: servedName } : {}) });
  const x = extraArgs(id, read?.facts ?? null, gpu, target, p.notes);
  let args = cmd.command ?? cmd.args;
  for (const d of x.drop) args = withoutFlag(args, d);
  args = [...args, ...x.add];
  const command = cmd.command ? args : null;
  const argv = cmd.command ? [] : args;

  const image = pickImage(f, target, target === 'gpu' ? p.choices.cuda : undefined, p.errors);
  if (target === 'cpu' && p.choices.cuda) p.notes.push(`--cuda ${p.choices.cuda} ignored: the target is CPU.`);
  p.notes.push(
    `${image.image}: ${image.cuda ? `CUDA ${image.cuda}, needs NVIDIA driver ≥ ${image.minDriver ?? '?'}` : 'CPU build'} (${image.confidence}: ${image.source}).${image.note ? ` ${image.note}` : ''}`,
  );

  // Memory-backed /dev/shm, sized by the runtime's facts (NCCL and PyTorch workers share tensors through it).
  const shmBytes = target === 'gpu' ? f.shm.value.kubernetesBytes : 0;
  const shmGi = shmBytes ? `${Math.ceil(shmBytes / GIB)}Gi` : null;
  const shmComment = `${f.name} shares tensors between its workers through /dev/shm (${f.shm.value.dockerArgs.join(' ') || 'none'} in its docs); Docker's default is 64 MB.`;
  const kvCpuBytes =
    target === 'cpu' && read?.facts?.architecture ? kvBytesPerToken(read.facts.architecture, Math.min(dtypeBytes(read.facts.architecture.dtype) ?? 2, 2), 1, 'llama.cpp') * ctx * conc : 0;
  const res = resourcesOf(id, target, gpuCount, shmBytes, weightBytes + kvCpuBytes);

  // Environment: token from the Secret (k8s) or the shell (compose), never a value in a file.
  // llama.cpp reads a local GGUF and never talks to the Hub: no token, no Hub settings.
  const hfToken = id !== 'llama.cpp';
  const env: { name: string; value: string; comment: string }[] = [];
  if (source === 'hub') env.push({ name: 'HF_HOME', value: HF_CACHE_DIR, comment: 'The Hugging Face cache: downloads land in the mounted volume, not in the container layer.' });
  else if (hfToken) env.push({ name: 'HF_HUB_OFFLINE', value: '1', comment: 'The model is mounted: never reach the Hub for it.' });
  if (hfToken) env.push({ name: 'HF_HUB_DISABLE_TELEMETRY', value: '1', comment: 'No telemetry from the Hugging Face libraries.' });
  if (id === 'vllm') env.push({ name: 'VLLM_NO_USAGE_STATS', value: '1', comment: "vLLM's anonymous usage statistics are off." });
  if (id === 'tgi') env.push({ name: 'USAGE_STATS', value: 'off', comment: "TGI's anonymous usage statistics are off." });

  const secret = { name: `${p.name}-hf-token`.slice(0, 253), key: 'HF_TOKEN' };
  const routes = {
    health: f.healthPath.value,
    chat: '/v1/chat/completions',
    completions: '/v1/completions',
    models: '/v1/models',
    metrics: f.metrics.value.path,
  };
  const modelLabel = local ? local.path : (modelId ?? 'a Hub model');
  const sizingComment = sizing
    ? sizing.fits
      ? `Sized by ModelDock: ${sizing.model.name} on ${gpuCount} × ${sizing.gpu.name}${rec.tensorParallel && rec.tensorParallel > 1 ? ` (tensor parallel ${rec.tensorParallel})` : ''} for ${ctx.toLocaleString('en-US')} tokens × ${conc} sequence${conc === 1 ? '' : 's'}: see \`modeldock size\`.`
      : `Does NOT fit as planned: ${sizing.model.name} on ${gpuCount} × ${sizing.gpu.name}; see the plan's errors.`
    : target === 'gpu'
      ? `Not sized (${sizingNote ?? 'no model facts'}): ${gpuCount} GPU(s).`
      : `CPU server: ${read?.facts ? `~${gibText(weightBytes + kvCpuBytes)} of RAM for the weights and ${ctx.toLocaleString('en-US')} × ${conc} tokens of KV cache` : 'RAM not sized'}.`;

  // ---- Dockerfile
  const healthUrl = `http://127.0.0.1:${port}${routes.health}`;
  const healthTest = id === 'llama.cpp' ? ['curl', '-fsS', healthUrl] : ['python3', '-c', `import urllib.request; urllib.request.urlopen('${healthUrl}', timeout=8)`];
  const baseComment = `${f.name}: ${image.image}${image.cuda ? ` (CUDA ${image.cuda}, driver ≥ ${image.minDriver ?? '?'})` : ' (CPU)'}; a pinned tag, never :latest.`;
  const copyTarget = local?.kind === 'gguf' ? '/models/' : `/models/${modelName}`;
  const ggufParts = local?.kind === 'gguf' ? ggufPartsOf(local.path, p.detection.artifacts.map((a) => a.file)) : [];
  const dockerfile = renderTemplate(p.templates, 'llm/Dockerfile.tmpl', {
    runtimeName: f.name,
    modelLabel,
    target: target.toUpperCase(),
    baseComment: dfComment(baseComment),
    baseImage: image.image,
    titleQ: dfQuoted('the image title', p.name),
    descriptionQ: dfQuoted('the image description', `${f.name} serving ${modelLabel}, generated by ModelDock`),
    versionQ: dfQuoted('the image tag', p.tag),
    baseImageQ: dfQuoted('the base image', image.image),
    env: env.map((e) => ({ name: dfName('the variable name', e.name), valueQ: dfValue(`the value of ${e.name}`, e.value), comment: dfComment(e.comment) })),
    weightsInImage: inImage,
    modelCopy: inImage && local ? dfCopy('the model path', local.kind === 'gguf' ? ggufParts : [local.path === '.' ? '.' : local.path], copyTarget) : '',
    weightsComment: dfComment(
      source === 'hub'
        ? `Weights stay out of the image: the server downloads ${modelId ?? 'the model'} into ${HF_CACHE_DIR} (a volume in compose and Kubernetes).`
        : `Weights stay out of the image: mount the model at ${mountPath ?? '/models'} (compose and Kubernetes do).`,
    ),
    port,
    healthComment: dfComment(`Healthy once ${routes.health} answers (the model is loaded); ${id === 'llama.cpp' ? 'the image has curl' : 'Python is in the image, curl may not be'}.`),
    startPeriod: startup,
    healthcheckJson: dfExec('the health check', healthTest),
    entrypointJson: f.entrypoint.value ? dfExec('the entrypoint', f.entrypoint.value) : '',
    cmdComment: dfComment(
      `${f.name} on ${served}${rec.tensorParallel && rec.tensorParallel > 1 ? `, tensor parallel ${rec.tensorParallel}` : ''}, ${rec.maxModelLen.toLocaleString('en-US')}-token context${id === 'llama.cpp' ? ` × ${conc} slots` : ''}.`,
    ),
    cmdJson: dfExec('the command', args),
  });
  if (p.outputs.dockerfile) files.add('Dockerfile', dockerfile);

  const generated: string[] = [];
  if (p.outputs.compose) generated.push('compose.yaml');
  if (p.outputs.kubernetes || p.outputs.kserve) generated.push('k8s');
  const modelFiles = local ? (local.kind === 'gguf' ? ggufParts : [local.path]) : [];
  if (p.outputs.dockerignore) {
    // The project folder is the model folder: its weights must stay out of the build context by pattern.
    const rootWeights = local?.path === '.' && !inImage ? '\n# The project folder is the model folder: its weights stay out of the build context.\n*.safetensors\n*.bin\n*.pt\n*.pth\n*.gguf\n*.h5\n*.msgpack\n' : '';
    files.add(
      '.dockerignore',
      dockerignoreFile(
        p.templates,
        {
          // Every model the project holds stays out of the build context (they are mounted), unless baked in.
          artifacts: p.detection.artifacts.map((a) => a.file).filter((a) => a !== '.' && !(inImage && modelFiles.includes(a))),
          generated,
          mustKeep: inImage ? modelFiles.filter((m) => m !== '.') : [],
        },
        p.notes,
      ) + rootWeights,
    );
  }

  // ---- compose
  if (p.outputs.compose) {
    const binds: { source: string; target: string; comment: string }[] = [];
    if (local && !inImage) {
      if (local.kind === 'gguf') {
        for (const part of ggufParts) binds.push({ source: `./${part}`, target: `/models/${safeComponent(posixBasename(part), 'model.gguf')}`, comment: 'The GGUF weights, read-only.' });
      } else {
        binds.push({ source: local.path === '.' ? '.' : `./${local.path}`, target: mountPath ?? '/models', comment: 'The model folder (config.json, tokenizer, safetensors), read-only.' });
      }
    }
    const cache = source === 'hub' && !inImage ? { volume: 'hf-cache', target: HF_CACHE_DIR } : null;
    const deviceIds = p.deviceIds && p.deviceIds.length === gpuCount ? p.deviceIds : null;
    files.add(
      'compose.yaml',
      renderTemplate(p.templates, 'llm/compose.yaml.tmpl', {
        runtimeName: f.name,
        hfToken,
        name: p.name,
        context: p.layout.context,
        dockerfile: p.layout.dockerfile,
        image: `${p.image}:${p.tag}`,
        port,
        hasEnv: env.length > 0 || hfToken,
        env: env.map((e) => ({ name: e.name, value: e.value })),
        hasVolumes: binds.length > 0 || cache !== null,
        binds,
        cache,
        healthTest: ['CMD', ...healthTest],
        startPeriod: `${startup}s`,
        shmSize: shmBytes ? `${Math.ceil(shmBytes / GIB)}gb` : null,
        shmComment,
        gpu: target === 'gpu' ? { count: deviceIds ? null : gpuCount, hasDeviceIds: deviceIds !== null, deviceIds: deviceIds ? [...deviceIds] : [] } : null,
      }),
    );
  }

  // ---- Kubernetes
  const pvc = local && !inImage
    ? {
        claim: `${p.name}-models`,
        mountPath: mountPath ?? '/models',
        storage: giQuantity(Math.max(local.bytes, weightBytes) * 1.2 + GIB),
        layoutHint: local.kind === 'gguf' ? `${ggufParts.map((x) => posixBasename(x)).join(', ')} at the volume root, named ${ggufParts.map((x) => safeComponent(posixBasename(x), 'model.gguf')).join(', ')}` : `the contents of ${local.path === '.' ? 'the project folder' : `${local.path}/`} (config.json, tokenizer files, *.safetensors) at the volume root`,
      }
    : null;
  const cachePvc = source === 'hub' && !inImage ? { claim: `${p.name}-hf-cache`, storage: giQuantity(hubBytes * 1.5) } : null;
  const mounts: { name: string; mountPath: string; readOnly: boolean }[] = [];
  const volumes: { name: string; claim: string | null; readOnly: boolean; shm: string | null; comment: string }[] = [];
  if (pvc) {
    mounts.push({ name: 'models', mountPath: pvc.mountPath, readOnly: true });
    volumes.push({ name: 'models', claim: pvc.claim, readOnly: true, shm: null, comment: '' });
  }
  if (cachePvc) {
    mounts.push({ name: 'hf-cache', mountPath: HF_CACHE_DIR, readOnly: false });
    volumes.push({ name: 'hf-cache', claim: cachePvc.claim, readOnly: false, shm: null, comment: '' });
  }
  if (shmGi) {
    mounts.push({ name: 'dshm', mountPath: '/dev/shm', readOnly: false });
    volumes.push({ name: 'dshm', claim: null, readOnly: false, shm: shmGi, comment: shmComment });
  }
  // The startup probe's budget follows the weights: reading them from the volume, then the engine's warm-up.
  const startupFailures = Math.ceil(startup / 10);
  const startupComment = `Up to ${startup} s to load ${weightBytes ? `~${gibText(weightBytes)} of weights` : source === 'hub' ? 'and download the model (first start)' : 'the model'} (${STARTUP_BASE_SECONDS} s engine start + reading at ${LOAD_BYTES_PER_SECOND / 1e6} MB/s${source === 'hub' ? ` + downloading at ${DOWNLOAD_BYTES_PER_SECOND / 1e6} MB/s` : ''}) before liveness counts.`;
  const selector = Object.entries(p.choices.nodeSelector ?? {}).map(([key, value]) => ({ key, value }));
  if (p.outputs.kubernetes) {
    files.add(
      'k8s/deployment.yaml',
      renderTemplate(p.templates, 'llm/k8s/deployment.yaml.tmpl', {
        runtimeName: f.name,
        hfToken,
        gpuNote: target === 'gpu' ? 'GPUs are rarely spare' : 'memory for a second copy of the model is rarely spare',
        modelLabel,
        sizingComment,
        secretName: secret.name,
        secretKey: secret.key,
        name: p.name,
        scrape: true,
        portText: String(port),
        metricsPath: routes.metrics,
        queueMetric: f.metrics.value.queueMetric,
        hasNodeSelector: selector.length > 0,
        nodeSelector: selector,
        gpu: target === 'gpu',
        gpuCount,
        image: `${p.image}:${p.tag}`,
        hasCommand: command !== null,
        command: command ?? [],
        hasArgs: argv.length > 0,
        args: argv,
        port,
        hasEnv: env.length > 0 || hfToken,
        env: env.map((e) => ({ name: e.name, value: e.value })),
        resourcesComment: res.comment,
        requests: { ...res.requests },
        limits: { ...res.limits },
        startupComment,
        healthPath: routes.health,
        startupFailures,
        mounts,
        volumes,
      }),
    );
    files.add('k8s/service.yaml', renderTemplate(p.templates, 'common/k8s/service.yaml.tmpl', { name: p.name, ports: [{ name: 'http', port }] }));
    if (pvc) files.add('k8s/pvc.yaml', pvcFile(p.templates, p.name, pvc));
    if (cachePvc) {
      files.add(
        'k8s/hf-cache-pvc.yaml',
        renderTemplate(p.templates, 'llm/k8s/cache-pvc.yaml.tmpl', { runtimeName: f.name, modelId: modelId ?? 'the model', mountPath: HF_CACHE_DIR, sizeText: 'unknown: sized for 64 GB of weights', name: p.name, claim: cachePvc.claim, storage: cachePvc.storage }),
      );
    }
    if (c.autoscale) {
      const metricName = f.metrics.value.queueMetric.replace(/[^A-Za-z0-9_]/g, '_');
      files.add(
        'k8s/hpa.yaml',
        renderTemplate(p.templates, 'llm/k8s/hpa.yaml.tmpl', {
          name: p.name,
          runtimeName: f.name,
          queueMetric: f.metrics.value.queueMetric,
          metricName,
          gpuCount: Math.max(gpuCount, 1),
          maxReplicas: 4,
          // A few requests waiting per pod means the batch is full: a new replica helps.
          target: '5',
        }),
      );
      p.notes.push(
        `Autoscaling: k8s/hpa.yaml scales on ${f.metrics.value.queueMetric}${f.metrics.value.enableFlag ? ` (${f.metrics.value.enableFlag} is on)` : ''}; it needs Prometheus scraping the pods and prometheus-adapter serving the series as ${metricName} (the rule is in the file).`,
      );
    }
  }
  if (p.outputs.kserve) {
    files.add('k8s/inferenceservice.yaml', kserveLlm(p, { id, f, local, modelId, pvc, servedName, rec, ctx, target, gpuCount, res, shmGi, shmComment, secret, image: `${p.image}:${p.tag}`, argv: command ?? argv, port, selector }));
    if (pvc && !p.outputs.kubernetes) files.add('k8s/pvc.yaml', pvcFile(p.templates, p.name, pvc));
  }

  // ---- notes
  if (local && !inImage) {
    p.notes.push(
      `Model weights stay out of the image: compose mounts ${local.kind === 'gguf' ? ggufParts.join(', ') : local.path} read-only at ${mountPath}; Kubernetes mounts the PVC ${pvc?.claim} there (copy ${pvc?.layoutHint} into it).`,
    );
  }
  if (inImage) p.notes.push(`The model (${local?.path}, ~${gibText(local?.bytes ?? 0)}) is copied into the image: every push and pull moves it.`);
  if (source === 'hub') {
    p.notes.push(
      `The server downloads ${modelId ?? 'the model'} into the Hugging Face cache (${HF_CACHE_DIR}): a named volume in compose, the PVC ${cachePvc?.claim ?? ''} in Kubernetes (sized for ~${gibText(UNKNOWN_HUB_BYTES)} of weights: adjust it to the model).`,
    );
  }
  if (hfToken) {
    p.notes.push(
      `Hugging Face token: Kubernetes reads it from the Secret ${secret.name} (key ${secret.key}, optional): kubectl create secret generic ${secret.name} --from-file=${secret.key}=$HOME/.cache/huggingface/token. Compose passes HF_TOKEN through from your shell. No file ModelDock writes contains it.`,
    );
  }
  p.notes.push(`OpenAI-compatible API on port ${port}: POST ${routes.chat} with "model": "${id === 'tgi' ? 'tgi' : servedName}"; health ${routes.health}, metrics ${routes.metrics} (${f.metrics.value.queueMetric}).`);
  if (target === 'gpu' && gpuCount > 1 && gpu && !gpu.nvlink) p.notes.push(`${gpu.name} has no NVLink: the ${gpuCount} GPUs talk over PCIe, which slows tensor parallelism.`);
  if (sizing?.fits && gpuChoice === 'auto' && gpu) {
    p.notes.push(`GPU type ${gpu.name}: the one that holds the model on the fewest GPUs (${candidates.map((x) => `${x.id} ${x.gpuCount ?? '—'}`).join(', ')}); choose another with the GPU type setting.`);
  }
  if (sizingNote) p.notes.push(sizingNote);

  const llm: LlmPlan = {
    runtime,
    runtimeName: f.name,
    model: { source, path: local?.path ?? null, id: modelId, served, servedName: id === 'tgi' ? 'tgi' : servedName, chatTemplate: read?.chatTemplate ?? null },
    gpu: target === 'gpu' ? { type: gpu?.id ?? null, name: gpu?.name ?? null, count: gpuCount, tensorParallel: rec.tensorParallel, auto: gpuChoice === 'auto' } : null,
    contextLength: ctx,
    concurrency: conc,
    sizing,
    sizingNote,
    gpuCandidates: candidates,
    port,
    routes,
    queueMetric: f.metrics.value.queueMetric,
    hfTokenSecret: secret,
    startupSeconds: startup,
    image: { ref: image.image, cuda: image.cuda, minDriver: image.minDriver, confidence: image.confidence, source: image.source },
  };
  const containerEnv = env.map((e) => ({ name: e.name, value: e.value }));
  const run = containerRunSpec({ ...p, target, gpuCount: Math.max(gpuCount, 1), deviceIds: p.deviceIds && p.deviceIds.length === gpuCount ? p.deviceIds : null }, p.outputs.dockerfile ? 'Dockerfile' : null, false, containerEnv);
  run.shmBytes = shmBytes || null;
  // Build & Run mounts the model where compose does (the image has no weights).
  if (local && !inImage) {
    run.mounts =
      local.kind === 'gguf'
        ? ggufParts.map((part) => ({ source: part, target: `/models/${safeComponent(posixBasename(part), 'model.gguf')}`, readOnly: true }))
        : [{ source: local.path, target: mountPath ?? '/models', readOnly: true }];
  }
  return {
    target,
    baseImage: image.image,
    cuda: target === 'gpu' ? (image.cuda?.split('.').slice(0, 2).join('.') ?? null) : null,
    runtime,
    framework: p.facts.primary,
    image: `${p.image}:${p.tag}`,
    ports: [{ name: 'http', port }],
    healthPath: routes.health,
    predictRoute: routes.chat,
    serving: true,
    gpu: null,
    container: run,
    files: files.files,
    notes: p.notes,
    errors: p.errors,
    llm,
  };
}

/** The parts of a split GGUF (`-00001-of-00003.gguf`) among the project's files, or the file alone. */
function ggufPartsOf(file: string, all: readonly string[]): string[] {
  const m = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/i.exec(file);
  if (!m) return [file];
  const parts = all.filter((a) => a.startsWith(`${m[1]}-`) && new RegExp(`-\\d{5}-of-${m[3]}\\.gguf$`, 'i').test(a)).sort();
  return parts.length ? parts : [file];
}

interface KserveInput {
  id: LlmRuntimeId;
  f: LlmRuntimeFacts;
  local: LlmModelFinding | null;
  modelId: string | null;
  pvc: { claim: string; mountPath: string } | null;
  servedName: string;
  rec: ServingRecommendation;
  ctx: number;
  target: 'cpu' | 'gpu';
  gpuCount: number;
  res: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };
  shmGi: string | null;
  shmComment: string;
  secret: { name: string; key: string };
  image: string;
  argv: string[];
  port: number;
  selector: { key: string; value: string }[];
}

/**
 * KServe: its Hugging Face runtime (vLLM inside) for safetensors models, whichever GPU server was
 * chosen; llama.cpp as a custom predictor running the image built here.
 */
function kserveLlm(p: PlanInputs, k: KserveInput): string {
  const hf = k.id !== 'llama.cpp';
  const volumes: { name: string; claim: string | null; shm: string | null; comment: string }[] = [];
  const mounts: { name: string; mountPath: string }[] = [];
  if (k.shmGi) {
    volumes.push({ name: 'dshm', claim: null, shm: k.shmGi, comment: k.shmComment });
    mounts.push({ name: 'dshm', mountPath: '/dev/shm' });
  }
  let args: string[];
  let storageUri: string | null = null;
  if (hf) {
    // KServe's server takes vLLM's engine flags after its own (--model_name, --model_id, --max_model_len).
    args = [`--model_name=${k.servedName}`, `--max_model_len=${k.ctx}`];
    if (k.modelId) args.push(`--model_id=${k.modelId}`);
    else storageUri = `pvc://${k.pvc?.claim ?? `${p.name}-models`}/`;
    if (k.rec.tensorParallel && k.rec.tensorParallel > 1) args.push(`--tensor-parallel-size=${k.rec.tensorParallel}`);
    if (k.rec.gpuMemoryUtilization !== null && k.id === 'vllm') args.push(`--gpu-memory-utilization=${k.rec.gpuMemoryUtilization.toFixed(2)}`);
    if (k.id !== 'vllm') p.notes.push(`KServe: its Hugging Face runtime serves the model with vLLM, not ${k.f.name}; the Deployment in k8s/deployment.yaml runs ${k.f.name}.`);
  } else {
    args = k.argv;
    if (k.pvc) {
      volumes.push({ name: 'models', claim: k.pvc.claim, shm: null, comment: '' });
      mounts.push({ name: 'models', mountPath: k.pvc.mountPath });
    }
  }
  return renderTemplate(p.templates, 'llm/k8s/inferenceservice.yaml.tmpl', {
    name: p.name,
    hfToken: hf,
    kindComment: hf ? "KServe's Hugging Face runtime, vLLM backend" : `custom predictor: ${k.f.name} from the image built here`,
    routeComment: hf
      ? `KServe serves the OpenAI API under /openai: POST /openai/v1/chat/completions with "model": "${k.servedName}".`
      : `POST /v1/chat/completions on port ${k.port} with "model": "${k.servedName}".`,
    secretName: k.secret.name,
    secretKey: k.secret.key,
    hasNodeSelector: k.selector.length > 0,
    nodeSelector: k.selector,
    gpu: k.target === 'gpu',
    gpuCount: k.gpuCount,
    hasVolumes: volumes.length > 0,
    volumes,
    hf,
    args,
    storageUri,
    storageComment: `The PVC of k8s/pvc.yaml holds the model folder's contents; KServe mounts it at /mnt/models.`,
    requests: { ...k.res.requests },
    limits: { ...k.res.limits },
    hasMounts: mounts.length > 0,
    mounts,
    image: k.image,
    port: k.port,
  });
}
