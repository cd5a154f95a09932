// `modeldock scaffold DIR ...`: detect, plan, and write the Dockerfile / compose / Kubernetes files.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { DetectionResult } from '../core/detect/types';
import { modelIoChoices, planScaffold } from '../core/scaffold/index';
import type { ScaffoldChoices, ScaffoldPlan, ScaffoldTarget, ServingRuntime } from '../core/scaffold/types';
import { parseArgs, UsageError, type CliIo } from './io';

const HELP = `usage: modeldock scaffold DIR [options]

Writes a Dockerfile, .dockerignore, compose.yaml and Kubernetes manifests (k8s/) for the ML
project in DIR. Existing files are skipped unless --force; files identical to the plan are
reported as unchanged. A GPU image follows the CUDA the pinned framework version supports.

  --target auto|cpu|gpu     image target (auto follows detection)            [auto]
  --cuda X.Y                CUDA version for GPU targets (checked against the framework pin)
  --runtime NAME            python | tfserving | torchserve | triton | kserve  [python]
                            (triton reads inputs/outputs from the first .onnx model)
  --port N                  container port of the Python server              [8080]
  --image NAME              image name used by compose and the manifests     [folder name]
  --tag TAG                 pinned image tag (never latest)                  [0.1.0]
  --gpus N                  GPUs per container                               [1]
  --out OUTDIR              where to write (default DIR)
  --create-entrypoint       generate serve.py when the project has no server
  --weights-in-image        copy model artifacts into the image instead of mounting them
  --kserve                  also write a KServe InferenceService
  --force                   overwrite existing generated files (never serve.py)
  --dry-run                 write nothing; show what would happen
  --json                    print { target, baseImage, cuda, runtime, files, notes } as JSON

Exit status: 0 ok, 1 the plan cannot be used (e.g. an incompatible --cuda), 2 usage error.`;

const TARGETS: ScaffoldTarget[] = ['auto', 'cpu', 'gpu'];
const RUNTIMES: ServingRuntime[] = ['python', 'tfserving', 'torchserve', 'triton', 'kserve'];

export interface ScaffoldDeps {
  detect(root: string): Promise<DetectionResult>;
}

export interface ScaffoldJson {
  target: 'cpu' | 'gpu';
  baseImage: string | null;
  cuda: string | null;
  runtime: ServingRuntime;
  files: { path: string; action: string }[];
  notes: string[];
}

export function toJson(plan: ScaffoldPlan): ScaffoldJson {
  return {
    target: plan.target,
    baseImage: plan.baseImage,
    cuda: plan.cuda,
    runtime: plan.runtime,
    files: plan.files.map((f) => ({ path: f.path, action: f.action })),
    notes: [...plan.errors.map((e) => `error: ${e}`), ...plan.notes],
  };
}

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
  const runtime = str('runtime') ?? 'python';
  if (!RUNTIMES.includes(runtime as ServingRuntime)) throw new UsageError(`--runtime must be one of ${RUNTIMES.join(', ')}`);
  const cuda = str('cuda');
  if (cuda !== undefined && !/^\d+\.\d+$/.test(cuda)) throw new UsageError('--cuda takes a CUDA major.minor version, e.g. 12.1');
  const tag = str('tag');
  if (tag === 'latest') throw new UsageError('--tag latest is not allowed: generated manifests use a pinned tag');
  const context = toPosix(relative(out, root)) || '.';
  const dockerfile = toPosix(relative(root, join(out, 'Dockerfile')));
  const port = intFlag(flags.get('port'), 'port', 1, 65535);
  const gpus = intFlag(flags.get('gpus'), 'gpus', 1, 64);
  const image = str('image');
  return {
    target: target as ScaffoldTarget,
    runtime: runtime as ServingRuntime,
    ...(cuda !== undefined ? { cuda } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(gpus !== undefined ? { gpuCount: gpus } : {}),
    ...(image !== undefined ? { imageName: image } : {}),
    ...(tag !== undefined ? { imageTag: tag } : {}),
    createEntrypoint: flags.has('create-entrypoint'),
    weightsInImage: flags.has('weights-in-image'),
    force: flags.has('force'),
    outputs: { kserve: flags.has('kserve') },
    layout: { context, dockerfile },
  };
}

/** The command with its detector injected (tests pass a DetectionResult literal). */
export async function runWith(argv: string[], io: CliIo, deps: ScaffoldDeps): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv, {
      boolean: ['json', 'force', 'dry-run', 'help', 'create-entrypoint', 'weights-in-image', 'kserve'],
      string: ['target', 'cuda', 'runtime', 'port', 'image', 'tag', 'gpus', 'out'],
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
  const existing = (rel: string): string | undefined => {
    try {
      return readFileSync(join(out, ...rel.split('/')), 'utf8');
    } catch {
      return undefined;
    }
  };
  // Triton's config.pbtxt declares the ONNX graph's inputs/outputs when the model file reads.
  const modelIo = choices.runtime === 'triton' ? modelIoChoices(detection) : {};
  const plan = planScaffold(detection, { ...choices, ...modelIo }, existing);
  const json = flags.has('json');
  const dryRun = flags.has('dry-run');

  if (plan.errors.length) {
    if (json) io.out(JSON.stringify(toJson(plan), null, 2));
    for (const e of plan.errors) io.err(`modeldock scaffold: ${e}`);
    io.err('modeldock scaffold: nothing was written');
    return 1;
  }
  if (!dryRun) {
    for (const f of plan.files) {
      if (f.action !== 'create' && f.action !== 'overwrite') continue;
      const target = join(out, ...f.path.split('/'));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, f.content);
    }
  }
  if (json) {
    io.out(JSON.stringify(toJson(plan), null, 2));
    return 0;
  }
  const lines = [
    `${dryRun ? 'Would scaffold' : 'Scaffolded'} ${plan.target.toUpperCase()} image (${plan.runtime}) in ${out}`,
    `Base image: ${plan.baseImage ?? '(none: served by KServe)'}${plan.cuda ? `  CUDA ${plan.cuda}` : ''}`,
    ...plan.files.map((f) => `  ${f.action.padEnd(9)} ${f.path}`),
  ];
  if (plan.notes.length) lines.push('Notes:', ...plan.notes.map((n) => `  - ${n}`));
  io.out(lines.join('\n'));
  return 0;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  return runWith(argv, io, {
    detect: async (root) => (await import('../core/detect/index')).detectProject(root),
  });
}
