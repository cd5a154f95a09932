// `modeldock scaffold DIR ...`: detect, plan, and write the Dockerfile / compose / Kubernetes files.
import { closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { GPU_ARCHS, isGpuTarget, type GpuArch } from '../core/cuda/index';
import type { DetectionResult } from '../core/detect/types';
import { checkWriteTarget, printable, realPathInside, UnsafePathError, type WriteTarget } from '../core/safePath';
import { defaultRuntime, llmModelChoices, modelIoChoices, planScaffold } from '../core/scaffold/index';
import { GPU_CATALOG } from '../core/llm/gpus';
import type { LlmChoices } from '../core/scaffold/llmTypes';
import type { ContainerRunSpec, MetricsExporter, ScaffoldChoices, ScaffoldMetrics, ScaffoldPlan, ScaffoldTarget, ServingRuntime } from '../core/scaffold/types';
import { parseArgs, UsageError, type CliIo } from './io';

const HELP = `usage: modeldock scaffold DIR [options]

Writes a Dockerfile, .dockerignore, compose.yaml and Kubernetes manifests (k8s/) for the ML
project in DIR. Existing files are skipped unless --force; files identical to the plan are
reported as unchanged. A GPU image follows the CUDA the pinned framework version supports.

  --target auto|cpu|gpu     image target (auto follows detection)            [auto]
  --cuda X.Y                CUDA version for GPU targets (checked against the framework pin)
  --gpu-arch ARCH           the GPU family the image must have kernels for   [any]
                            any | ${GPU_ARCHS.join(' | ')}
                            (any: the table's default build; the notes list the GPUs it lacks)
  --allow-unverified        write a plan whose framework pin or runtime image is not in ModelDock's
                            CUDA table (marked UNVERIFIED); without it such a plan is refused
  --runtime NAME            python | tfserving | torchserve | triton | kserve |
                            vllm | sglang | tgi | llamacpp  [python; an LLM server for a project
                            that holds an LLM and no server of its own]
                            (triton reads inputs/outputs from the first .onnx model)
  --port N                  container port of the Python server              [8080]
  --image NAME              image name used by compose and the manifests     [folder name]
  --tag TAG                 pinned image tag (never latest)                  [0.1.0]
  --gpus N                  GPUs per container                               [1]
  --out OUTDIR              where to write (default DIR)
  --create-entrypoint       generate serve.py when the project has no server (a script
                            such as train.py is not one)
  --weights-in-image        copy model artifacts into the image instead of mounting them
  --kserve                  also write a KServe InferenceService
  --metrics KIND            GET /metrics of the Python server: prometheus-client | stdlib | none
                            (stdlib: no extra dependency)                    [prometheus-client]
  --monitoring prometheus   also write k8s/monitoring/ (ServiceMonitor, PrometheusRule, Grafana
                            dashboard ConfigMap), monitoring/grafana-dashboard.json and
                            prometheus.io/* scrape annotations on the pods
  --monitoring-label K=V[,K=V]  labels on the ServiceMonitor and PrometheusRule (e.g.
                            release=kube-prometheus-stack, which that chart selects by)
  --alert-p95 SECONDS       p95 latency alert threshold                      [1]
  --alert-error-ratio R     5xx ratio alert threshold, 0-1                   [0.05]

LLM servers (vllm, sglang, tgi, llamacpp): the GPU count and tensor-parallel size come from the
model's headers (see \`modeldock size\`); --gpus is ignored when the model could be sized.
  --gpu-type ID|auto        target GPU: auto or one of ${GPU_CATALOG.map((g) => g.id).join(', ')}  [auto]
  --context N               tokens per sequence (prompt + answer)            [8192]
  --concurrency N           sequences held in the KV cache at once            [4]
  --model PATH              which detected model to serve (as \`detect\` lists it)
  --model-id ORG/NAME       download this Hugging Face model instead (mounted cache; token from a Secret)
  --autoscale               a HorizontalPodAutoscaler on the server's queue metric (needs Prometheus)
  --force                   overwrite existing generated files (never serve.py)
  --dry-run                 write nothing; show what would happen
  --json                    print the plan as JSON: { target, baseImage, cuda, runtime, image,
                            healthPath, predictRoute, metrics, verified, archs, container, files,
                            notes, errors }

Every file is checked before any is written: a path that leads out of the output folder
through a symlink, a dangling link, or a link in place of the file itself is refused.

Exit status: 0 ok, 1 the plan cannot be used (e.g. an incompatible --cuda, an unverified plan
without --allow-unverified) or a file cannot be written safely (nothing is written then), 2 usage
error.`;

const TARGETS: ScaffoldTarget[] = ['auto', 'cpu', 'gpu'];
const RUNTIMES: ServingRuntime[] = ['python', 'tfserving', 'torchserve', 'triton', 'kserve', 'vllm', 'sglang', 'tgi', 'llamacpp'];
const EXPORTERS: MetricsExporter[] = ['prometheus-client', 'stdlib', 'none'];

export interface ScaffoldDeps {
  detect(root: string): Promise<DetectionResult>;
}

/** The `scaffold --json` contract. */
export interface ScaffoldJson {
  target: 'cpu' | 'gpu';
  baseImage: string | null;
  cuda: string | null;
  runtime: ServingRuntime;
  /** `name:tag` compose and the manifests use. */
  image: string;
  /** HTTP path of the probes and HEALTHCHECK; null: TCP check (or not a server). */
  healthPath: string | null;
  /** Route a smoke test can POST to, when known. */
  predictRoute: string | null;
  /** Where the container serves Prometheus metrics (container port, its name, path), or null. */
  metrics: ScaffoldMetrics | null;
  /** False when the plan rests on facts ModelDock's CUDA table does not hold (the notes say which). */
  verified: boolean;
  /** GPU families the image has kernels for, and those it has none for with why; null on CPU. */
  archs: { supported: GpuArch[]; unsupported: { arch: GpuArch; reason: string }[] } | null;
  /** What running the image needs: Dockerfile, GPUs, /dev/shm size, environment. */
  container: ContainerRunSpec;
  files: { path: string; action: string }[];
  notes: string[];
  /** Why the plan (or writing it) was refused; empty on success. */
  errors: string[];
  /** LLM servers only (absent otherwise): what is served, on which GPUs, and whether it fits. */
  llm?: ScaffoldLlmJson;
}

export interface ScaffoldLlmJson {
  runtime: string;
  model: { source: 'local' | 'hub'; path: string | null; id: string | null; servedName: string };
  gpu: { type: string | null; count: number; tensorParallel: number | null } | null;
  contextLength: number;
  concurrency: number;
  /** null: not sized (hub model, unreadable config). */
  fits: boolean | null;
  port: number;
  chatRoute: string;
  hfTokenSecret: string;
}

export function toJson(plan: ScaffoldPlan, writeErrors: string[] = []): ScaffoldJson {
  return {
    target: plan.target,
    baseImage: plan.baseImage,
    cuda: plan.cuda,
    runtime: plan.runtime,
    image: plan.image,
    healthPath: plan.healthPath,
    predictRoute: plan.predictRoute ?? null,
    metrics: plan.metrics ?? null,
    verified: !plan.unverified,
    archs: plan.archs ?? null,
    container: plan.container,
    files: plan.files.map((f) => ({ path: f.path, action: f.action })),
    notes: plan.notes,
    errors: [...plan.errors, ...writeErrors],
    ...(plan.llm
      ? {
          llm: {
            runtime: plan.llm.runtime,
            model: { source: plan.llm.model.source, path: plan.llm.model.path, id: plan.llm.model.id, servedName: plan.llm.model.servedName },
            gpu: plan.llm.gpu ? { type: plan.llm.gpu.type, count: plan.llm.gpu.count, tensorParallel: plan.llm.gpu.tensorParallel } : null,
            contextLength: plan.llm.contextLength,
            concurrency: plan.llm.concurrency,
            fits: plan.llm.sizing ? plan.llm.sizing.fits : null,
            port: plan.llm.port,
            chatRoute: plan.llm.routes.chat,
            hfTokenSecret: plan.llm.hfTokenSecret.name,
          },
        }
      : {}),
  };
}

/** Where the output folder's files are checked from: the project when it is inside, else its closest existing folder. */
function writeRoot(root: string, out: string): { base: string; prefix: string } {
  const inProject = relative(root, out);
  if (!inProject.startsWith('..') && !isAbsolute(inProject)) return { base: root, prefix: toPosix(inProject) };
  // Outside the project the user named the folder: what exists of it is theirs; the rest is created fresh.
  let base = out;
  while (!existsSync(base) && dirname(base) !== base) base = dirname(base);
  return { base, prefix: toPosix(relative(base, out)) };
}

function underPrefix(prefix: string, rel: string): string {
  return prefix ? `${prefix}/${rel}` : rel;
}

/** Checks every file the plan writes, then writes them; nothing is written when one is refused. */
function writePlan(plan: ScaffoldPlan, root: string, out: string): { errors: string[]; partial: boolean } {
  const { base, prefix } = writeRoot(root, out);
  const targets: { target: WriteTarget; content: string; create: boolean }[] = [];
  const errors: string[] = [];
  for (const f of plan.files) {
    if (f.action !== 'create' && f.action !== 'overwrite') continue;
    try {
      targets.push({ target: checkWriteTarget(base, underPrefix(prefix, f.path)), content: f.content, create: f.action === 'create' });
    } catch (e) {
      if (!(e instanceof UnsafePathError)) throw e;
      errors.push(e.message);
    }
  }
  if (errors.length) return { errors, partial: false };
  for (const t of targets) {
    mkdirSync(dirname(t.target.abs), { recursive: true });
    // O_NOFOLLOW and O_EXCL: a link planted after the check is refused by the kernel, not followed.
    const flags = constants.O_WRONLY | constants.O_NOFOLLOW | (t.create ? constants.O_CREAT | constants.O_EXCL : constants.O_TRUNC);
    let fd: number;
    try {
      fd = openSync(t.target.abs, flags, 0o644);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return { errors: [`Refusing to write ${printable(t.target.rel)}: ${code === 'EEXIST' ? 'it appeared while ModelDock was writing' : code === 'ELOOP' ? 'it became a symlink' : String(code ?? e)}`], partial: true };
    }
    try {
      writeSync(fd, t.content);
    } finally {
      closeSync(fd);
    }
  }
  return { errors: [], partial: false };
}

const MAX_SOURCE_BYTES = 1024 * 1024;

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function intFlag(v: string | true | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer in ${min}-${max}`);
  return n;
}

function toPosix(p: string): string {
  return p.split(sep).join('/');
}

function choicesFrom(flags: Map<string, string | true>, root: string, out: string): ScaffoldChoices {
  const str = (k: string): string | undefined => {
    const v = flags.get(k);
    return typeof v === 'string' ? v : undefined;
  };
  const target = str('target') ?? 'auto';
  if (!TARGETS.includes(target as ScaffoldTarget)) throw new UsageError(`--target must be one of ${TARGETS.join(', ')}`);
  const runtime = str('runtime');
  if (runtime !== undefined && !RUNTIMES.includes(runtime as ServingRuntime)) throw new UsageError(`--runtime must be one of ${RUNTIMES.join(', ')}`);
  const cuda = str('cuda');
  if (cuda !== undefined && !/^\d+\.\d+$/.test(cuda)) throw new UsageError('--cuda takes a CUDA major.minor version, e.g. 12.1');
  const gpuArch = str('gpu-arch');
  if (gpuArch !== undefined && !isGpuTarget(gpuArch)) throw new UsageError(`--gpu-arch must be one of any, ${GPU_ARCHS.join(', ')}`);
  const tag = str('tag');
  if (tag === 'latest') throw new UsageError('--tag latest is not allowed: generated manifests use a pinned tag');
  const context = toPosix(relative(out, root)) || '.';
  const dockerfile = toPosix(relative(root, join(out, 'Dockerfile')));
  const port = intFlag(flags.get('port'), 'port', 1, 65535);
  const gpus = intFlag(flags.get('gpus'), 'gpus', 1, 64);
  const image = str('image');
  const metrics = str('metrics');
  if (metrics !== undefined && !EXPORTERS.includes(metrics as MetricsExporter)) throw new UsageError(`--metrics must be one of ${EXPORTERS.join(', ')}`);
  const monitoring = str('monitoring');
  if (monitoring !== undefined && monitoring !== 'prometheus' && monitoring !== 'none') throw new UsageError('--monitoring must be prometheus or none');
  const monitoringOptions = monitoringFlags(str('monitoring-label'), str('alert-p95'), str('alert-error-ratio'));
  const gpuType = str('gpu-type');
  if (gpuType !== undefined && gpuType.toLowerCase() !== 'auto' && !GPU_CATALOG.some((g) => g.id === gpuType.toLowerCase())) {
    throw new UsageError(`--gpu-type must be auto or one of ${GPU_CATALOG.map((g) => g.id).join(', ')}`);
  }
  const contextLength = intFlag(flags.get('context'), 'context', 16, 10_000_000);
  const concurrency = intFlag(flags.get('concurrency'), 'concurrency', 1, 4096);
  const model = str('model');
  const modelId = str('model-id');
  const llm: LlmChoices = {
    ...(gpuType !== undefined ? { gpu: gpuType.toLowerCase() } : {}),
    ...(contextLength !== undefined ? { contextLength } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(model !== undefined ? { model: model.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '') || '.' } : {}),
    ...(modelId !== undefined ? { source: 'hub' as const, modelId } : {}),
    ...(flags.has('autoscale') ? { autoscale: true } : {}),
  };
  return {
    target: target as ScaffoldTarget,
    ...(runtime !== undefined ? { runtime: runtime as ServingRuntime } : {}),
    ...(Object.keys(llm).length ? { llm } : {}),
    ...(cuda !== undefined ? { cuda } : {}),
    ...(gpuArch !== undefined && isGpuTarget(gpuArch) ? { gpuArch } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(gpus !== undefined ? { gpuCount: gpus } : {}),
    ...(image !== undefined ? { imageName: image } : {}),
    ...(tag !== undefined ? { imageTag: tag } : {}),
    createEntrypoint: flags.has('create-entrypoint'),
    weightsInImage: flags.has('weights-in-image'),
    force: flags.has('force'),
    outputs: { kserve: flags.has('kserve') },
    layout: { context, dockerfile },
    ...(metrics !== undefined ? { metrics: metrics as MetricsExporter } : {}),
    ...(monitoring !== undefined ? { monitoring: monitoring as 'prometheus' | 'none' } : {}),
    ...(monitoringOptions ? { monitoringOptions } : {}),
  };
}

function monitoringFlags(labels: string | undefined, p95: string | undefined, errorRatio: string | undefined): ScaffoldChoices['monitoringOptions'] {
  if (labels === undefined && p95 === undefined && errorRatio === undefined) return undefined;
  const out: NonNullable<ScaffoldChoices['monitoringOptions']> = {};
  if (labels !== undefined) {
    const pairs: Record<string, string> = {};
    for (const pair of labels.split(',')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new UsageError(`--monitoring-label takes KEY=VALUE pairs separated by commas, got '${printable(pair)}'`);
      pairs[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    out.labels = pairs;
  }
  const num = (v: string, flag: string): number => {
    const n = /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
    if (!Number.isFinite(n)) throw new UsageError(`--${flag} takes a number, got '${printable(v)}'`);
    return n;
  };
  if (p95 !== undefined) out.p95Seconds = num(p95, 'alert-p95');
  if (errorRatio !== undefined) out.errorRatio = num(errorRatio, 'alert-error-ratio');
  return out;
}

/** The command with its detector injected (tests pass a DetectionResult literal). */
export async function runWith(argv: string[], io: CliIo, deps: ScaffoldDeps): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv, {
      boolean: ['json', 'force', 'dry-run', 'help', 'create-entrypoint', 'weights-in-image', 'kserve', 'allow-unverified', 'autoscale'],
      string: ['target', 'cuda', 'gpu-arch', 'runtime', 'port', 'image', 'tag', 'gpus', 'out', 'gpu-type', 'context', 'concurrency', 'model', 'model-id', 'metrics', 'monitoring', 'monitoring-label', 'alert-p95', 'alert-error-ratio'],
    });
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`modeldock scaffold: ${e.message}\n\n${HELP}`);
      return 2;
    }
    throw e;
  }
  const { positionals, flags } = parsed;
  if (flags.has('help')) {
    io.out(HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    io.err(`modeldock scaffold: expected exactly one DIR, got ${positionals.length}\n\n${HELP}`);
    return 2;
  }
  const root = resolve(io.cwd, positionals[0]!);
  if (!isDir(root)) {
    io.err(`modeldock scaffold: ${root} is not a directory`);
    return 2;
  }
  const outFlag = flags.get('out');
  const out = typeof outFlag === 'string' ? resolve(io.cwd, outFlag) : root;
  let choices: ScaffoldChoices;
  try {
    choices = choicesFrom(flags, root, out);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`modeldock scaffold: ${e.message}`);
      return 2;
    }
    throw e;
  }

  const detection = await deps.detect(root);
  // Current contents, to tell create / unchanged / skip apart. Read only where the real path stays
  // inside the output folder: a link to elsewhere reads as absent, and writing it is refused below.
  const { base, prefix } = writeRoot(root, out);
  const readInside = (from: string, rel: string): string | undefined => {
    const real = realPathInside(from, join(from, ...rel.split('/')));
    if (real === null) return undefined;
    try {
      return statSync(real).size <= MAX_SOURCE_BYTES ? readFileSync(real, 'utf8') : undefined;
    } catch {
      return undefined;
    }
  };
  const existing = (rel: string): string | undefined => readInside(base, underPrefix(prefix, rel));
  // Project files the plan may rewrite (requirements for a CPU image), read from inside the project only.
  const source = (rel: string): string | undefined => readInside(root, rel);
  // No --runtime: a project that holds an LLM and no server of its own gets an LLM server.
  const runtime = choices.runtime ?? defaultRuntime(detection);
  // Triton's config.pbtxt declares the ONNX graph's inputs/outputs when the model file reads.
  const modelIo = runtime === 'triton' ? modelIoChoices(detection) : {};
  // LLM servers are sized from the model's headers (read here, inside the project only).
  const llm = llmModelChoices(detection, runtime, choices.llm);
  const plan = planScaffold(detection, { ...choices, runtime, ...modelIo, ...(llm ? { llm } : {}) }, existing, undefined, source);
  const json = flags.has('json');
  const dryRun = flags.has('dry-run');

  const fail = (errors: string[], partial = false): number => {
    if (json) io.out(JSON.stringify(toJson(plan, errors.filter((e) => !plan.errors.includes(e))), null, 2));
    for (const e of errors) io.err(`modeldock scaffold: ${printable(e, 2000)}`);
    io.err(partial ? 'modeldock scaffold: stopped; the files listed before this one were written' : 'modeldock scaffold: nothing was written');
    return 1;
  };
  if (plan.errors.length) return fail(plan.errors);
  if (plan.unverified && !flags.has('allow-unverified')) {
    return fail([`UNVERIFIED: ${plan.unverified}. Check the CUDA of this plan yourself, then pass --allow-unverified to write it (or pin a version the table knows)`]);
  }
  if (!dryRun) {
    const written = writePlan(plan, root, out);
    if (written.errors.length) return fail(written.errors, written.partial);
  }
  if (json) {
    io.out(JSON.stringify(toJson(plan), null, 2));
    return 0;
  }
  // Names in the plan come from the workspace: control characters are shown escaped, never sent to the terminal.
  const lines = [
    `${dryRun ? 'Would scaffold' : 'Scaffolded'} ${plan.target.toUpperCase()} image (${plan.runtime}) in ${printable(out, 1000)}`,
    `Base image: ${plan.baseImage ?? '(none: served by KServe)'}${plan.cuda ? `  CUDA ${plan.cuda}` : ''}${plan.unverified ? '  (UNVERIFIED, written because of --allow-unverified)' : ''}`,
    ...plan.files.map((f) => `  ${f.action.padEnd(9)} ${printable(f.path, 500)}`),
  ];
  const l = plan.llm;
  if (l) {
    const gpus = l.gpu ? `${l.gpu.count} × ${l.gpu.name ?? 'GPU'}${l.gpu.tensorParallel && l.gpu.tensorParallel > 1 ? ` (tensor parallel ${l.gpu.tensorParallel})` : ''}` : 'CPU';
    lines.push(`LLM: ${l.runtimeName} serving ${printable(l.model.path ?? l.model.id ?? '?', 300)} on ${gpus}, ${l.contextLength.toLocaleString('en-US')} tokens × ${l.concurrency} sequence(s)`);
    if (l.sizing) lines.push(...l.sizing.sentences.map((x) => `  ${printable(x, 2000)}`), '  (the arithmetic: modeldock size)');
  }
  if (plan.notes.length) lines.push('Notes:', ...plan.notes.map((n) => `  - ${printable(n, 2000)}`));
  io.out(lines.join('\n'));
  return 0;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  return runWith(argv, io, {
    detect: async (root) => (await import('../core/detect/index')).detectProject(root),
  });
}
