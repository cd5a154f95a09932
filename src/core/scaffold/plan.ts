// planScaffold: detection report + user choices -> the files to write, as plain data.
// Pure: reads templates only through the TemplateSource and current files only through `existing`.
import { chooseGpuBase, compatibleCudaChoices, pythonSlimImage, type GpuBaseChoice, type GpuBaseOptions, type GpuFramework } from '../cuda/index';
import { printable } from '../safePath';
import type { DetectionResult, DeclaredPackage } from '../detect/types';
import {
  FileSet,
  composeFile,
  dockerignoreFile,
  kserveFile,
  kubernetesFiles,
  modelMount,
  posixBasename,
  posixDirname,
  pvcStorage,
  renderTemplate,
  resourcesFor,
  type ContainerSpec,
  type KserveSpec,
} from './common';
import { PIP_NAME, dnsName, gpuFrameworkPin, kserveFormat, pinOf, projectFacts } from './project';
import { isCudaIndex, rewriteRequirement, rewriteRequirementFiles, type RewriteMode } from './cudaRequirements';
import { UnsafeValueError, runSteps, dfComment, dfCopy, dfExec, dfName, dfQuoted, dfValue, pipRequirementWord, pyString, shellWord } from './escape';
import { containerRunSpec, type ExistingFile, type PlanInputs } from './inputs';
import { planRuntime } from './runtimes';
import { planPythonMetrics } from './monitoring';
import { addMonitoring, monitoringAnnotations } from './monitoringManifests';
import { toolEntry, type Entry } from './servingTools';
import { llmRuntimeOptions, suggestedLlmRuntimes } from './llmOptions';
import { planLlm } from './llm';
import { isLlmRuntime } from './llmTypes';
import { nodeTemplateSource, type TemplateSource } from './templates';

export type { ExistingFile, PlanInputs } from './inputs';
import {
  DEFAULT_CHOICES,
  DEFAULT_OUTPUTS,
  type ScaffoldChoices,
  type ScaffoldOutputs,
  type ScaffoldPlan,
  type ServingRuntime,
} from './types';


const TORCH_CPU_INDEX = 'https://download.pytorch.org/whl/cpu';

function validImageName(s: string): boolean {
  // Docker's reference grammar (lower-case path components, optional registry host and port);
  // each separator is required between runs, so neither pattern can backtrack.
  if (s.length === 0 || s.length > 255) return false;
  return /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(s) || /^[a-z0-9.-]+(?::\d+)?(?:\/[a-z0-9._-]+)+$/.test(s);
}

// Kubernetes label syntax (apimachinery validation): bounded repetitions, no nested quantifiers.
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?$/;

function validLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (slash >= 0 && !DNS_SUBDOMAIN.test(key.slice(0, slash))) return false;
  return name !== '' && LABEL_VALUE.test(name);
}

function resolveInputs(detection: DetectionResult, choices: ScaffoldChoices, existing: ExistingFile | undefined, templates: TemplateSource, source: ExistingFile | undefined): PlanInputs {
  const notes: string[] = [];
  const errors: string[] = [];
  const facts = projectFacts(detection);
  const runtime = choices.runtime ?? DEFAULT_CHOICES.runtime;
  const outputs: ScaffoldOutputs = { ...DEFAULT_OUTPUTS, ...(choices.outputs ?? {}) };

  let image = (choices.imageName ?? facts.projectName).trim();
  let tag: string = choices.imageTag ?? DEFAULT_CHOICES.imageTag;
  const tagAt = image.lastIndexOf(':');
  if (tagAt > image.lastIndexOf('/')) {
    // `name:1.2` given as the image name: keep the tag unless one was chosen separately.
    if (choices.imageTag === undefined) tag = image.slice(tagAt + 1);
    image = image.slice(0, tagAt);
  }
  if (!validImageName(image)) {
    errors.push(`image name '${printable(image)}' is not a valid image reference (lower-case letters, digits and . _ - separators, optional registry host; at most 255 characters)`);
  }
  if (tag === 'latest' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) {
    notes.push(`Image tag '${tag}' replaced by ${DEFAULT_CHOICES.imageTag}: manifests use a pinned tag, never latest.`);
    tag = DEFAULT_CHOICES.imageTag;
  }
  const name = dnsName(image.split('/').pop() ?? image, facts.projectName);

  for (const [key, value] of Object.entries(choices.nodeSelector ?? {})) {
    if (!validLabelKey(key)) errors.push(`node selector key '${printable(key)}' is not a valid Kubernetes label key ([prefix/]name: a DNS subdomain and a name of up to 63 letters, digits, '-', '_' or '.')`);
    if (!LABEL_VALUE.test(value)) errors.push(`node selector value '${printable(value)}' for ${printable(key)} is not a valid Kubernetes label value (up to 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric)`);
  }

  const port = choices.port ?? DEFAULT_CHOICES.port;
  if (!Number.isInteger(port) || port < 1 || port > 65535) errors.push(`port ${port} is not in 1-65535`);

  const deviceIds = choices.deviceIds && choices.deviceIds.length > 0 ? choices.deviceIds.map(String) : null;
  const gpuCount = deviceIds ? deviceIds.length : (choices.gpuCount ?? DEFAULT_CHOICES.gpuCount);
  if (!Number.isInteger(gpuCount) || gpuCount < 1) errors.push(`GPU count ${gpuCount} must be a positive integer`);

  const requested = choices.target ?? DEFAULT_CHOICES.target;
  let target: 'cpu' | 'gpu' = requested === 'auto' ? detection.accelerator : requested;
  if (requested === 'auto') notes.push(`Target ${target.toUpperCase()} follows detection (accelerator: ${detection.accelerator}).`);
  if (target === 'gpu' && runtime === 'python' && facts.gpuFramework === null) {
    notes.push(`${facts.primary ?? 'This project'} does not use a GPU: building a CPU image instead.`);
    target = 'cpu';
  }
  if (target === 'cpu' && choices.cuda) notes.push(`--cuda ${choices.cuda} ignored: the target is CPU.`);

  return {
    detection,
    facts,
    choices,
    outputs,
    target,
    name,
    image,
    tag,
    port,
    gpuCount,
    deviceIds,
    weightsInImage: choices.weightsInImage ?? DEFAULT_CHOICES.weightsInImage,
    force: choices.force ?? DEFAULT_CHOICES.force,
    layout: choices.layout ?? { context: '.', dockerfile: 'Dockerfile' },
    templates,
    existing,
    source,
    notes,
    errors,
  };
}

/** The runtimes that fit what detection found, best first (for the UI and notes). */
export function suggestedRuntimes(d: DetectionResult): ServingRuntime[] {
  const out: ServingRuntime[] = ['python'];
  const formats = new Set(d.artifacts.map((a) => a.format));
  if (formats.has('savedmodel')) out.push('tfserving');
  if (formats.has('torchserve-mar') || d.entrypoint?.kind === 'torchserve') out.push('torchserve');
  if (formats.has('onnx') || formats.has('savedmodel') || formats.has('pytorch')) out.push('triton');
  if (kserveFormat(d, projectFacts(d)) !== null) out.push('kserve');
  out.push(...suggestedLlmRuntimes(d));
  return out;
}

export interface RuntimeOption {
  runtime: ServingRuntime;
  /** Short name for a picker ("TensorFlow Serving"; python: "Own Python server (app/main.py)"). */
  label: string;
  /** One line: what detection found that makes this runtime fit. */
  reason: string;
}

const RUNTIME_NAMES: Record<ServingRuntime, string> = {
  python: 'Own Python server',
  tfserving: 'TensorFlow Serving',
  torchserve: 'TorchServe (limited maintenance)',
  triton: 'NVIDIA Triton Inference Server',
  kserve: 'KServe InferenceService',
  vllm: 'vLLM',
  sglang: 'SGLang',
  tgi: 'Hugging Face TGI',
  llamacpp: 'llama.cpp server',
};

/** suggestedRuntimes with a label and the detection signal behind each (python first), for the UIs. */
export function runtimeOptions(d: DetectionResult): RuntimeOption[] {
  const first = (...formats: string[]) => d.artifacts.find((a) => formats.includes(a.format))?.file ?? null;
  return suggestedRuntimes(d).map((runtime): RuntimeOption => {
    switch (runtime) {
      case 'python': {
        const e = d.entrypoint && d.entrypoint.kind !== 'torchserve' ? d.entrypoint : null;
        return {
          runtime,
          label: `${RUNTIME_NAMES.python} (${e ? e.file : 'no entrypoint detected'})`,
          reason: e ? `Your ${e.kind} code serves the model in a Python image.` : 'A Python image; without an entrypoint it gets a placeholder CMD (or a generated serve.py).',
        };
      }
      case 'tfserving':
        return { runtime, label: RUNTIME_NAMES.tfserving, reason: `SavedModel found (${first('savedmodel')}): served as-is from a numbered version directory.` };
      case 'torchserve': {
        const mar = first('torchserve-mar');
        const handler = d.entrypoint?.kind === 'torchserve' ? d.entrypoint.file : null;
        return { runtime, label: RUNTIME_NAMES.torchserve, reason: mar ? `TorchServe archive found (${mar}).` : `TorchServe handler found (${handler}); the .mar is built with torch-model-archiver.` };
      }
      case 'triton': {
        const onnx = first('onnx');
        const other = first('savedmodel', 'pytorch');
        const a = d.artifacts.find((x) => x.file === (onnx ?? other));
        const kind = a?.format === 'onnx' ? 'ONNX model' : a?.format === 'savedmodel' ? 'SavedModel' : 'PyTorch model (must be TorchScript)';
        return { runtime, label: RUNTIME_NAMES.triton, reason: `${kind} found (${a?.file ?? '?'}): a Triton model repository${onnx ? ' with inputs/outputs read from the ONNX graph' : ''}.` };
      }
      case 'kserve': {
        const fmt = kserveFormat(d, projectFacts(d));
        return { runtime, label: RUNTIME_NAMES.kserve, reason: `KServe's ${fmt} runtime serves the model; nothing is built.` };
      }
      default:
        return llmRuntimeOptions(d, runtime);
    }
  });
}

// ---------------------------------------------------------------- python runtime

type Route = NonNullable<DetectionResult['routes']>[number];

// What a probe may request: a plain absolute path (no parameters, no query, nothing to quote).
const PROBE_PATH = /^\/[A-Za-z0-9._~/-]*$/;
/** Health routes probes prefer, best first (matched on the last path segment). */
const HEALTH_NAMES = ['healthz', 'health', 'ready', 'readyz', 'livez', 'ping'];
const PREDICT_NAMES = ['predict', 'predictions', 'invocations', 'infer'];

function bestRoute(routes: Route[], method: string, names: string[]): Route | null {
  let best: { r: Route; rank: number } | null = null;
  for (const r of routes) {
    if (!r.methods.includes(method) || !PROBE_PATH.test(r.path)) continue;
    const rank = names.indexOf(r.path.slice(r.path.lastIndexOf('/') + 1));
    if (rank < 0) continue;
    if (!best || rank < best.rank || (rank === best.rank && r.path.length < best.r.path.length)) best = { r, rank };
  }
  return best?.r ?? null;
}

function entryFor(p: PlanInputs): Entry {
  const d = p.detection;
  const e = d.entrypoint;
  const port = String(p.port);
  const declared = (n: string): boolean => d.packages.some((x) => x.name === n);
  const none: Entry = { cmd: [], cmdComment: '', serving: true, healthPath: '/healthz', http: true, predictRoute: null, env: [], createServe: false };
  if (e && e.kind !== 'torchserve') {
    const dir = posixDirname(e.file);
    const mod = posixBasename(e.file).replace(/\.py$/, '');
    const routes = d.routes ?? [];
    const health = bestRoute(routes, 'GET', HEALTH_NAMES);
    const predict = bestRoute(routes, 'POST', PREDICT_NAMES);
    if (predict) p.notes.push(`POST ${predict.path} (${predict.file}:${predict.line}) is the app's predict route: a smoke test can send a request there.`);
    const probes = (framework: string): Pick<Entry, 'healthPath' | 'http' | 'predictRoute'> => {
      if (health) {
        p.notes.push(`${framework}: probes and the HEALTHCHECK use GET ${health.path}, the app's health route (${health.file}:${health.line}).`);
        return { healthPath: health.path, http: true, predictRoute: predict?.path ?? null };
      }
      p.notes.push(`${framework}: no health route was found in ${e.file} or the modules it imports (GET /healthz, /health, /ready, /readyz, /livez or /ping): probes check that the port answers (TCP). Add one for probes that know the model is loaded.`);
      return { healthPath: null, http: false, predictRoute: predict?.path ?? null };
    };
    switch (e.kind) {
      case 'fastapi':
        p.notes.push(`FastAPI: serving ${e.file} as ${mod}:app (rename in CMD if the app object has another name).`);
        return { ...none, ...probes('FastAPI'), cmd: ['uvicorn', ...(dir ? ['--app-dir', dir] : []), `${mod}:app`, '--host', '0.0.0.0', '--port', port], cmdComment: `Serve the detected FastAPI app (${e.file}) with uvicorn on all interfaces.` };
      case 'flask':
        if (declared('gunicorn')) {
          return { ...none, ...probes('Flask'), cmd: ['gunicorn', '--bind', `0.0.0.0:${port}`, ...(dir ? ['--chdir', dir] : []), `${mod}:app`], cmdComment: `Serve the detected Flask app (${e.file}) with gunicorn, which the project declares.` };
        }
        return { ...none, ...probes('Flask'), cmd: ['flask', '--app', e.file, 'run', '--host', '0.0.0.0', '--port', port], cmdComment: `Serve the detected Flask app (${e.file}); add gunicorn to the requirements for a production server.` };
      case 'streamlit':
        return { ...none, cmd: ['streamlit', 'run', e.file, '--server.port', port, '--server.address', '0.0.0.0', '--server.headless', 'true'], cmdComment: `Run the detected Streamlit app (${e.file}) headless on all interfaces.`, healthPath: '/_stcore/health' };
      case 'gradio':
        return {
          ...none,
          cmd: ['python3', e.file],
          cmdComment: `Run the detected Gradio app (${e.file}); GRADIO_SERVER_NAME/PORT make it listen on all interfaces.`,
          healthPath: '/',
          env: [
            { name: 'GRADIO_SERVER_NAME', value: '0.0.0.0', comment: 'Gradio listens on all interfaces, not only localhost.' },
            { name: 'GRADIO_SERVER_PORT', value: port, comment: 'Gradio uses the same port as the manifests.' },
          ],
        };
      case 'cog':
      case 'bentoml':
      case 'truss':
        return toolEntry(p, { ...e, kind: e.kind }, none);
      case 'script':
        if (!p.choices.createEntrypoint) {
          return { ...none, cmd: ['python3', e.file], cmdComment: `Run the detected script (${e.file}); it is not a server, so Kubernetes gets a Job.`, serving: false, healthPath: null, http: false };
        }
        // A script is not a server: "create entrypoint" asked for one, so serve.py serves the model.
        p.notes.push(`${e.file} is a script, not a server: the generated serve.py serves the model instead (run the script yourself, e.g. to train).`);
        break;
    }
  }
  if (e?.kind === 'torchserve') p.notes.push(`A TorchServe handler (${e.file}) was found: --runtime torchserve serves it without a Python server.`);
  if (p.choices.createEntrypoint) {
    return { ...none, cmd: ['python3', 'serve.py'], cmdComment: 'Run the generated stdlib server (serve.py): POST /predict, GET /healthz.', createServe: true, predictRoute: '/predict' };
  }
  p.notes.push('No serving entrypoint was detected and none was requested: the image has a placeholder CMD and Kubernetes gets a Job. Choose "create entrypoint" (--create-entrypoint) for a small server.');
  return {
    ...none,
    cmd: ['python3', '-c', "import sys; sys.exit('ModelDock: no entrypoint was detected; set CMD in the Dockerfile')"],
    cmdComment: 'TODO(modeldock): no entrypoint was detected; replace this placeholder with your command.',
    serving: false,
    healthPath: null,
    http: false,
  };
}

function requirementOf(p: DeclaredPackage): string {
  const extras = p.extras.length ? `[${p.extras.join(',')}]` : '';
  return p.version ? `${p.name}${extras}==${p.version}` : `${p.name}${extras}`;
}

interface DepPlan {
  copies: { src: string; dest: string }[];
  comments: string[];
  run: string | null;
  post: string | null;
  summary: string;
  codeComment: string;
  /** Default of the PIP_EXTRA_INDEX_URL build argument (the framework's wheel index), or null. */
  extraIndex: { url: string; comment: string } | null;
  /** Generated requirement files (CPU-safe or framework-image-safe twins), written with the plan. */
  generated: { path: string; content: string }[];
}

/** How requirements must be rewritten for this image, or null when they install as written. */
function rewriteModeFor(p: PlanInputs, gpu: GpuBaseChoice | null): RewriteMode | null {
  if (p.target === 'cpu') return { kind: 'cpu' };
  if (gpu?.strategy === 'official-image' && (gpu.framework === 'pytorch' || gpu.framework === 'tensorflow')) {
    const v = /:(\d+\.\d+(?:\.\d+)?)/.exec(gpu.image)?.[1];
    if (v) return { kind: 'framework-image', framework: gpu.framework, version: v };
  }
  return null;
}

function listChanges(changes: string[], max = 3): string {
  return changes.length <= max ? changes.join('; ') : `${changes.slice(0, max).join('; ')}; and ${changes.length - max} more`;
}

function depPlan(p: PlanInputs, gpu: GpuBaseChoice | null, entry: Entry): DepPlan {
  const d = p.detection;
  const pip = 'python3 -m pip install --no-cache-dir';
  const comments: string[] = [];
  const mode = rewriteModeFor(p, gpu);
  const imageName = mode?.kind === 'framework-image' ? `the ${mode.framework} ${mode.version} image` : '';
  // The framework's wheel index is the default of a build argument rather than a pip option on
  // the command line: a command-line option would override a mirror passed with --build-arg.
  let extraIndex: DepPlan['extraIndex'] = null;
  if (p.target === 'cpu' && p.facts.usesTorch) {
    extraIndex = { url: TORCH_CPU_INDEX, comment: 'CPU target: torch comes from the PyTorch CPU wheel index (no multi-GB CUDA libraries).' };
  } else if (gpu?.pipIndexUrl && !(mode?.kind === 'framework-image' && gpu.gpuPackages.length === 0)) {
    // (On a framework image with nothing to add, the framework comes from the image: pip needs
    // no CUDA wheel index, and an unreachable one would stall it on every package.)
    extraIndex = { url: gpu.pipIndexUrl, comment: `GPU target: ${gpu.pipIndexUrl} provides the CUDA ${gpu.cuda} build${gpu.framework === 'pytorch' ? 's of torch' : ''}.` };
  }
  const kept = d.indexUrls.filter((u) => mode?.kind !== 'cpu' || !isCudaIndex(u));
  if (kept.length) p.notes.push(`The project's own index URLs (${kept.join(', ')}) are honoured by pip from the requirement files.`);
  const word = (s: string): string => shellWord('the dependency file path', s);
  const req = (s: string): string => pipRequirementWord('the dependency', s);
  const serveExtras: string[] = (entry.installs ?? []).filter((n) => !d.packages.some((x) => x.name === n));
  if (d.entrypoint?.kind === 'fastapi' && !entry.createServe && !d.packages.some((x) => x.name === 'uvicorn')) {
    serveExtras.push('uvicorn');
    p.notes.push('uvicorn is not declared: the image installs it to serve the FastAPI app (add it to your requirements).');
  }
  const gpuSteps: string[] = [];
  if (gpu && p.target === 'gpu') {
    if (gpu.removePackages.length) gpuSteps.push(`python3 -m pip uninstall -y ${gpu.removePackages.map(req).join(' ')}`);
    // The find-links page only here: it also lists +rocm builds, which pip would prefer for an
    // unlabelled pin in the requirements step.
    const findLinks = gpu.pipFindLinks ? ` --find-links ${shellWord('the find-links URL', gpu.pipFindLinks)}` : '';
    if (gpu.gpuPackages.length) gpuSteps.push(`${pip}${findLinks} ${gpu.gpuPackages.map(req).join(' ')}`);
    if (gpuSteps.length) comments.push(`GPU packages: ${[...gpu.removePackages.map((r) => `remove ${r}`), ...gpu.gpuPackages].join(', ')}.`);
  }
  const join = (steps: string[]): string | null => (steps.length ? runSteps(steps) : null);
  /** Requirement strings rewritten for the image (same rules as the requirement files). */
  const rewriteSpecs = (specs: string[], from: string): string[] => {
    if (!mode) return specs;
    const out: string[] = [];
    const changes: string[] = [];
    for (const spec of specs) {
      const e = rewriteRequirement(spec, mode);
      if (!e) out.push(spec);
      else {
        changes.push(e.text === null ? `dropped ${spec} (${e.why})` : `${spec} -> ${e.text} (${e.why})`);
        if (e.text !== null) out.push(e.text);
      }
    }
    if (changes.length) {
      const msg = `${mode.kind === 'cpu' ? 'CPU target' : `GPU target on ${imageName}`}: rewritten from ${from}: ${listChanges(changes)}.`;
      comments.push(msg);
      p.notes.push(msg);
    }
    return out;
  };

  const reqs = d.dependencyFiles.filter((f) => f.kind === 'requirements');
  if (reqs.length) {
    const main =
      reqs.find((f) => f.file === 'requirements.txt') ??
      reqs.find((f) => !/(dev|test|lint|doc)/i.test(posixBasename(f.file))) ??
      reqs[0]!;
    let install = main.file;
    const generated: DepPlan['generated'] = [];
    if (mode) {
      const files = new Set(reqs.map((f) => f.file));
      const rw = rewriteRequirementFiles(main.file, mode, (rel) => p.source?.(rel), { packages: d.packages.filter((x) => files.has(x.file)), indexUrls: d.indexUrls });
      if (rw.twins.length) {
        install = rw.twins[0]!.twin;
        generated.push(...rw.twins.map((t) => ({ path: t.twin, content: t.content })));
        const what = mode.kind === 'cpu' ? `CPU target: ${main.file} asks for CUDA builds` : `GPU target on ${imageName}: ${main.file} would reinstall what the image already has`;
        comments.push(`${what}; the image installs ${install},`, `ModelDock's copy of it with these lines rewritten (each change is explained there):`);
        comments.push(...rw.changes.slice(0, 6).map((c) => `  ${c}`), ...(rw.changes.length > 6 ? [`  ...and ${rw.changes.length - 6} more`] : []));
        p.notes.push(`${what} (${listChanges(rw.changes)}): the image installs ${install}, a generated copy with those lines rewritten.`);
        if (rw.unreadable.length) p.notes.push(`Could not read ${rw.unreadable.join(', ')}: ${install} was rebuilt from the detected requirements.`);
      }
    }
    const steps = [`${pip} -r ${word(install)}`];
    if (serveExtras.length) steps.push(`${pip} ${serveExtras.join(' ')}`);
    const copied = [...reqs.map((f) => f.file), ...generated.map((g) => g.path)];
    return {
      // All requirement files travel together so `-r other.txt` includes resolve.
      copies: copied.map((f) => ({ src: f, dest: `./${f}` })),
      comments,
      run: join([...steps, ...gpuSteps]),
      post: null,
      summary: copied.join(', '),
      codeComment: 'Model weights are excluded by .dockerignore unless you chose to bake them in.',
      extraIndex,
      generated,
    };
  }
  const proj = d.dependencyFiles.find((f) => f.kind === 'pyproject') ?? d.dependencyFiles.find((f) => f.kind === 'setup.cfg' || f.kind === 'setup.py');
  if (proj) {
    const deps = d.packages.filter((x) => x.file === proj.file);
    const projDir = posixDirname(proj.file);
    const projArg = projDir ? word(`./${projDir}`) : '.';
    if (deps.length) {
      // pip cannot install only the dependencies of a pyproject without the sources, so the
      // declared requirements are installed here and the project itself after COPY . . (--no-deps).
      comments.push(`The dependencies declared in ${proj.file}, installed without the sources so this layer stays cached.`);
      const specs = rewriteSpecs(deps.map((x) => x.spec || requirementOf(x)), proj.file);
      const steps = [`${pip} ${[...specs, ...serveExtras].map(req).join(' ')}`];
      return {
        copies: [{ src: proj.file, dest: `./${proj.file}` }],
        comments,
        run: join([...steps, ...gpuSteps]),
        post: `${pip} --no-deps ${projArg}`,
        summary: proj.file,
        codeComment: 'Model weights are excluded by .dockerignore unless you chose to bake them in.',
        extraIndex,
        generated: [],
      };
    }
    p.notes.push(`${proj.file} declares no dependencies ModelDock could read: they are installed with the project after COPY . ., so code changes reinstall them.`);
    return {
      copies: [],
      comments,
      run: join([...(serveExtras.length ? [`${pip} ${serveExtras.join(' ')}`] : []), ...gpuSteps]),
      post: `${pip} ${projArg}`,
      summary: 'the base image',
      codeComment: 'The project and its dependencies are installed from the sources below.',
      extraIndex,
      generated: [],
    };
  }
  // No requirements or pyproject: install what detection saw, by name (pinned where it was pinned).
  const seen = new Map<string, string>();
  for (const x of d.packages) if (!seen.has(x.name)) seen.set(x.name, requirementOf(x));
  if (seen.size === 0) for (const f of d.frameworks) seen.set(PIP_NAME[f.name], f.version ? `${PIP_NAME[f.name]}==${f.version}` : PIP_NAME[f.name]);
  if (entry.createServe && p.facts.artifacts.some((a) => a.format === 'joblib') && !seen.has('joblib')) seen.set('joblib', 'joblib');
  for (const s of serveExtras) seen.set(s, s);
  const list = rewriteSpecs([...seen.values()], 'the detected packages');
  p.notes.push(
    d.dependencyFiles.length
      ? `Dependencies come from ${d.dependencyFiles.map((f) => f.file).join(', ')}, which pip cannot read directly: installing the ${list.length} detected packages by name. Add a requirements.txt for exact control.`
      : `No dependency file was found: installing the ${list.length} detected packages by name (${list.join(' ') || 'none'}). Add a requirements.txt for reproducible builds.`,
  );
  comments.push('Packages detected in the code (no requirements file); pinned where the project pinned them.');
  return {
    copies: [],
    comments,
    run: join([...(list.length ? [`${pip} ${list.map(req).join(' ')}`] : []), ...gpuSteps]),
    post: null,
    summary: 'the package list below',
    codeComment: 'Model weights are excluded by .dockerignore unless you chose to bake them in.',
    extraIndex,
    generated: [],
  };
}

function loaderFlags(format: string | null, primary: string | null): Record<string, boolean> {
  const f = {
    loadJoblib: format === 'joblib',
    loadPickle: format === 'pickle',
    loadOnnx: format === 'onnx',
    loadTorch: format === 'pytorch',
    loadKeras: format === 'keras',
    loadSavedModel: format === 'savedmodel',
    loadHf: format === 'huggingface',
    loadNone: false,
    predictSklearn: false,
  };
  f.predictSklearn = f.loadJoblib || f.loadPickle;
  f.loadNone = !Object.values(f).some(Boolean);
  void primary;
  return f;
}

const cudaMajor = (cuda: string): number => Number.parseInt(cuda.split('.')[0] ?? '', 10);

/**
 * The GPU base for the project: the framework pin (with its `+cuXYZ` label), its companions and
 * extras, the GPU family asked for, and the CUDA chosen or detected. A detected CUDA that does not
 * fit falls back to the table's choice with a note; a detected major alone (`12`, from a jax extra
 * or a jaxlib tag) picks a CUDA of that major when the framework has one.
 */
function gpuChoice(p: PlanInputs, fw: GpuFramework): GpuBaseChoice {
  const d = p.detection;
  const version = gpuFrameworkPin(d, p.facts);
  const jaxExtras = fw === 'jax' ? [...new Set(d.packages.filter((q) => q.name === 'jax').flatMap((q) => q.extras))] : [];
  const opts: GpuBaseOptions = {
    python: p.facts.python,
    ...(p.choices.gpuBase ? { prefer: p.choices.gpuBase } : {}),
    ...(p.choices.gpuArch ? { gpuArch: p.choices.gpuArch } : {}),
    ...(jaxExtras.length ? { extras: jaxExtras } : {}),
    ...(fw === 'pytorch' ? { companions: { torchvision: pinOf(d, 'torchvision'), torchaudio: pinOf(d, 'torchaudio') } } : {}),
  };
  if (p.choices.cuda) return chooseGpuBase(fw, version, { ...opts, cuda: p.choices.cuda });
  const detected = d.cuda;
  if (detected && /^\d+\.\d+$/.test(detected)) {
    const gpu = chooseGpuBase(fw, version, { ...opts, cuda: detected });
    if (!gpu.error) return gpu;
    p.notes.push(`Detected CUDA ${detected} does not fit (${gpu.error}); using the table's choice instead.`);
    return chooseGpuBase(fw, version, opts);
  }
  const gpu = chooseGpuBase(fw, version, opts);
  if (detected && /^\d+$/.test(detected) && !gpu.error && cudaMajor(gpu.cuda) !== Number(detected)) {
    // The oldest CUDA of that major the build runs on is the framework's own build of it (an
    // image may be newer than the build, never older).
    const pick = compatibleCudaChoices(fw, version, opts.gpuArch ?? 'any').find((c) => cudaMajor(c.cuda) === Number(detected));
    const alt = pick ? chooseGpuBase(fw, version, { ...opts, cuda: pick.cuda }) : null;
    if (alt && !alt.error) {
      p.notes.push(`CUDA ${alt.cuda}: the project asks for CUDA ${detected} (major only), and this is the ${fw} build of that major the table picks.`);
      return alt;
    }
    p.notes.push(`The project asks for CUDA ${detected} (major only), but ${fw}${version ? ` ${version}` : ''} has no build of that major that fits: using CUDA ${gpu.cuda}.`);
  }
  return gpu;
}

/**
 * System packages the image needs: those the serving config lists (cog.yaml, bentofile.yaml,
 * Truss config; names validated by detection, quoted here anyway) and libgomp1 for LightGBM,
 * whose wheel links the system's libgomp.so.1 (XGBoost's and scikit-learn's wheels bundle
 * their own), which slim images lack.
 */
function aptStep(p: PlanInputs): { run: string; comment: string } | null {
  const d = p.detection;
  const names = new Map<string, string>();
  for (const s of d.systemPackages ?? []) if (!names.has(s.name)) names.set(s.name, `${s.file}${s.line ? `:${s.line}` : ''}`);
  const lightgbm = d.frameworks.some((f) => f.name === 'lightgbm') || d.packages.some((x) => x.name === 'lightgbm');
  if (lightgbm && !names.has('libgomp1')) names.set('libgomp1', 'LightGBM');
  if (names.size === 0) return null;
  const list = [...names.keys()];
  const why = [...new Set(names.values())].join(', ');
  p.notes.push(`System packages installed with apt-get: ${list.join(' ')} (from ${why}).`);
  const words = list.map((n) => {
    if (n.startsWith('-')) throw new UnsafeValueError('the system package name', n, 'starts with "-", which apt-get would read as an option');
    return shellWord('the system package name', n);
  });
  return {
    run: runSteps(['apt-get update', `DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${words.join(' ')}`, 'rm -rf /var/lib/apt/lists/*']),
    comment: `System packages (${why}); apt's lists are dropped in the same layer.`,
  };
}

const SERVE_FORMATS = ['joblib', 'pickle', 'onnx', 'pytorch', 'keras', 'savedmodel', 'huggingface'];

function planPython(p: PlanInputs): ScaffoldPlan {
  const { facts, target, templates: t } = p;
  const files = new FileSet(p.existing, p.force);
  let gpu: GpuBaseChoice | null = null;
  let baseImage: string;
  let baseComment: string;
  let variant: 'cpu' | 'gpu' | 'cuda' = 'cpu';
  if (target === 'gpu') {
    const fw = facts.gpuFramework ?? 'generic';
    gpu = gpuChoice(p, fw);
    if (gpu.error) {
      // The refusal and what would work travel together in errors; the note saying the same is dropped.
      const error = gpu.error;
      p.notes.push(...gpu.notes.filter((n) => !n.startsWith(error)));
      p.errors.push(gpu.suggestion ? `${error}. Instead: ${gpu.suggestion}.` : error);
      // No image can carry the request: no files around an empty FROM (the UIs show the reason).
      return { ...noFiles(p, 'python'), gpu };
    } else {
      p.notes.push(...gpu.notes);
    }
    baseImage = gpu.image;
    variant = gpu.strategy === 'official-image' ? 'gpu' : gpu.strategy === 'cuda-base+pip' ? 'cuda' : 'cpu';
    const pin = facts.gpuFrameworkVersion ? `${fw} ${facts.gpuFrameworkVersion}` : `${fw} (unpinned)`;
    baseComment = gpu.verified
      ? `GPU base for ${pin}: ${gpu.strategy === 'official-image' ? 'the official image' : gpu.strategy === 'cuda-base+pip' ? 'nvidia/cuda runtime + cuDNN' : 'slim Python; CUDA comes from NVIDIA pip wheels'} with CUDA ${gpu.cuda} (ModelDock CUDA table).${facts.gpuFrameworkVersion ? '' : ' No pin: a current default, see the notes.'}`
      : `UNVERIFIED: ${gpu.unverifiedReason ?? `${pin} is not in ModelDock's CUDA table`}; CUDA ${gpu.cuda} was not checked against it.`;
  } else {
    baseImage = pythonSlimImage(facts.python);
    baseComment = `CPU: slim Python ${facts.python}${facts.pythonDetected ? ', the project\'s version' : ' (no Python version detected: default)'} — a pinned minor, never :latest.`;
    if (!facts.pythonDetected) p.notes.push(`No Python version detected: using ${baseImage}.`);
  }

  const entry = entryFor(p);
  const metrics = planPythonMetrics(p, entry);
  if (metrics.cmd) {
    entry.cmd = metrics.cmd;
    entry.cmdComment = `${entry.cmdComment} ${metrics.cmdComment ?? ''}`.trim();
  }
  const deps = depPlan(p, gpu, entry);
  const artifacts = facts.artifacts;
  const mount = p.weightsInImage ? null : modelMount(artifacts);
  const serveArtifact = artifacts.find((a) => SERVE_FORMATS.includes(a.format)) ?? null;
  const modelPath = serveArtifact ? (mount?.containerPath.get(serveArtifact.file) ?? `/app/${serveArtifact.file}`) : '/models/model';
  const modelDir = mount ? '/models' : artifacts.length ? `/app/${posixDirname(artifacts[0]!.file) || ''}`.replace(/\/$/, '') || '/app' : '/models';
  const extraEnv = [...entry.env, ...metrics.env];
  if (entry.createServe) extraEnv.push({ name: 'MODEL_PATH', value: modelPath, comment: 'serve.py loads the model from here.' });
  if (gpu?.strategy === 'python-base+pip-cuda') {
    extraEnv.push({ name: 'NVIDIA_DRIVER_CAPABILITIES', value: 'compute,utility', comment: 'The slim base has no NVIDIA settings: ask the container toolkit for the driver\'s compute libraries.' });
  }
  const healthUrl = `http://127.0.0.1:${p.port}${entry.readyPath ?? entry.healthPath ?? '/'}`;
  const healthTest = entry.serving
    ? entry.healthTest
      ? entry.healthTest
      : entry.http
      ? ['python3', '-c', `import urllib.request; urllib.request.urlopen(${pyString(healthUrl)}, timeout=4)`]
      : ['python3', '-c', `import socket; socket.create_connection(('127.0.0.1', ${p.port}), timeout=4).close()`]
    : null;
  const apt = aptStep(p);
  const fwLabel = facts.primary ?? 'python';
  const summary = `${fwLabel}${facts.gpuFrameworkVersion ? ` (${facts.gpuFramework} ${facts.gpuFrameworkVersion})` : ''} on ${target.toUpperCase()}${gpu ? `, CUDA ${gpu.cuda}` : ''}.`;

  // Every value below reaches the Dockerfile through the quoting function of its instruction.
  const ctx = {
    summary: dfComment(summary),
    baseImage,
    baseComment: dfComment(baseComment),
    titleQ: dfQuoted('the image title', p.name),
    descriptionQ: dfQuoted('the image description', `${fwLabel} model image (${target}) generated by ModelDock`),
    versionQ: dfQuoted('the image tag', p.tag),
    baseImageQ: dfQuoted('the base image', baseImage),
    modelDirQ: dfValue('the model folder', modelDir),
    modelDirComment: mount
      ? 'Model weights are mounted here at run time (compose volume / Kubernetes volume), not baked into the image.'
      : p.weightsInImage && artifacts.length
        ? 'Model weights are baked into the image (weights-in-image was chosen).'
        : 'Where the code should look for model files; mount them here at run time.',
    serving: entry.serving,
    port: p.port,
    extraEnv: extraEnv.map((e) => ({ name: dfName('the variable name', e.name), valueQ: dfValue(`the value of ${e.name}`, e.value), comment: dfComment(e.comment) })),
    pipExtraIndex: deps.extraIndex ? { comment: dfComment(deps.extraIndex.comment), urlQ: dfValue('the package index URL', deps.extraIndex.url) } : null,
    depSummary: dfComment(deps.summary),
    depCopies: deps.copies.map((c) => ({ args: dfCopy('the dependency file path', [c.src], c.dest) })),
    depComments: deps.comments.map(dfComment),
    depRun: deps.run,
    codeComment: dfComment(deps.codeComment),
    postCopyRun: deps.post,
    modelLinks: mount?.links ?? null,
    aptRun: apt ? apt.run : null,
    aptComment: apt ? dfComment(apt.comment) : '',
    runDir: entry.runDir ? { dirQ: dfValue('the folder the server runs from', `/app/${entry.runDir}`), comment: dfComment(`The server runs from ${entry.runDir}/, where its configuration is.`) } : null,
    healthComment: dfComment(
      entry.healthTest
        ? `Docker marks the container unhealthy until ${entry.healthPath ?? '/'} reports the model ready; Python is used because slim images have no curl.`
        : entry.http
        ? `Docker marks the container unhealthy when ${entry.readyPath ?? entry.healthPath ?? '/'} stops answering; Python is used because slim images have no curl.`
        : 'Docker marks the container unhealthy when the port stops accepting connections; Python is used because slim images have no curl.',
    ),
    healthcheckJson: healthTest ? dfExec('the health check', healthTest) : '',
    cmdComment: dfComment(entry.cmdComment),
    cmdJson: dfExec('the command', entry.cmd),
    metrics: metrics.dockerfile,
  };

  const family = facts.family;
  const dockerfileTemplate = t.has(`${family}/Dockerfile.${variant}.tmpl`) ? `${family}/Dockerfile.${variant}.tmpl` : `python/Dockerfile.${variant}.tmpl`;
  const generated: string[] = [];
  if (p.outputs.compose) generated.push('compose.yaml');
  if (p.outputs.kubernetes || p.outputs.kserve) generated.push('k8s');

  if (p.outputs.dockerfile) {
    files.add('Dockerfile', renderTemplate(t, dockerfileTemplate, ctx));
    for (const g of deps.generated) files.add(g.path, g.content);
    for (const f of metrics.files) files.add(f.path, f.content);
  }
  for (const f of entry.files ?? []) files.add(f.path, f.content, true);
  if (entry.createServe) {
    const fmt = serveArtifact?.format ?? null;
    if (!serveArtifact) p.notes.push('serve.py: no loadable model artifact was detected; fill in load_model() and predict() (marked TODO).');
    files.add(
      'serve.py',
      renderTemplate(t, 'python/serve.py.tmpl', {
        frameworkLabel: fwLabel,
        defaultModelPathPy: pyString(modelPath),
        port: p.port,
        metrics: metrics.serve,
        ...loaderFlags(fmt, facts.primary),
      }),
      true,
    );
  }
  if (p.outputs.dockerignore) {
    files.add(
      '.dockerignore',
      dockerignoreFile(
        t,
        {
          artifacts: p.weightsInImage ? [] : artifacts.map((a) => a.file),
          generated,
          mustKeep: [
            ...deps.copies.map((c) => c.src),
            ...(entry.createServe ? ['serve.py'] : []),
            ...(entry.files ?? []).map((f) => f.path),
            ...(p.detection.entrypoint ? [p.detection.entrypoint.file] : []),
            ...metrics.mustKeep,
          ],
        },
        p.notes,
      ),
    );
  }

  const bytes = artifacts.reduce((n, a) => n + a.bytes, 0);
  const ports = entry.serving ? [{ name: 'http', port: p.port }] : [];
  const spec: ContainerSpec = {
    name: p.name,
    image: `${p.image}:${p.tag}`,
    ports,
    probe: entry.serving
      ? {
          http: entry.http,
          path: entry.healthPath ?? '/',
          portName: 'http',
          ...(entry.readyCommand ? { ready: { command: entry.readyCommand } } : entry.readyPath ? { ready: { path: entry.readyPath } } : {}),
        }
      : null,
    env: [{ name: 'MODEL_DIR', value: modelDir }, ...(entry.createServe ? [{ name: 'MODEL_PATH', value: modelPath }] : [])],
    args: [],
    runAsUser: 10001,
    serving: entry.serving,
    gpu: target === 'gpu',
    gpuCount: p.gpuCount,
    deviceIds: p.deviceIds,
    shm: facts.usesTorch,
    resources: resourcesFor(target === 'gpu', bytes),
    nodeSelector: p.choices.nodeSelector ?? {},
    healthTest,
    composeVolumes: mount?.composeVolumes ?? [],
    pvc: mount
      ? { claim: `${p.name}-models`, mountPath: '/models', storage: pvcStorage(bytes), layoutHint: mount.root ? `the contents of ${mount.root}/ at the volume root` : `${artifacts.map((a) => a.file).join(', ')} at the volume root` }
      : null,
    layout: p.layout,
    podAnnotations: monitoringAnnotations(p, metrics.endpoint),
  };
  if (p.deviceIds && p.outputs.kubernetes) p.notes.push(`Kubernetes cannot pin GPU ids: the manifests request ${p.deviceIds.length} GPU(s); compose uses device_ids ${p.deviceIds.join(', ')}.`);
  if (mount) p.notes.push(`Model weights stay out of the image: compose mounts ${mount.composeVolumes.map((v) => `${v.source} at ${v.target}`).join(', ')}; Kubernetes mounts the PVC ${spec.pvc?.claim} at /models. The code's own paths (${artifacts.map((a) => a.file).join(', ')}) are symlinked there.`);
  if (p.outputs.compose) files.add('compose.yaml', composeFile(t, spec));
  if (p.outputs.kubernetes) kubernetesFiles(t, spec, files);
  addMonitoring(p, files, { name: p.name, endpoint: metrics.endpoint, healthPath: entry.serving && entry.http ? entry.healthPath : null, gpu: target === 'gpu', serving: entry.serving });
  if (p.outputs.kserve) {
    if (!entry.serving) {
      p.notes.push('KServe InferenceService skipped: the project has no serving entrypoint.');
    } else {
      const fmt = kserveFormat(p.detection, facts);
      const k: KserveSpec = fmt
        ? {
            modelFormat: fmt,
            runtimeName: null,
            storageUri: `pvc://${p.name}-models/${mount?.root ?? ''}`,
            storageComment: 'The PVC of k8s/pvc.yaml holds the model (KServe\'s storage initializer mounts it).',
            kindComment: `KServe's ${fmt} runtime serves the model; no image of ours is needed`,
          }
        : { modelFormat: null, runtimeName: null, storageUri: '', storageComment: '', kindComment: 'custom predictor running the image built from the Dockerfile' };
      files.add('k8s/inferenceservice.yaml', kserveFile(t, spec, k));
      if (fmt && spec.pvc && !p.outputs.kubernetes) files.add('k8s/pvc.yaml', renderTemplate(t, 'common/k8s/pvc.yaml.tmpl', { name: p.name, ...spec.pvc }));
    }
  }
  if (p.existing?.('docker-compose.yml') !== undefined || p.existing?.('docker-compose.yaml') !== undefined) {
    p.notes.push('A docker-compose.yml already exists; compose.yaml takes precedence when both are present.');
  }

  return {
    target,
    baseImage,
    cuda: target === 'gpu' ? (gpu?.cuda ?? null) : null,
    runtime: 'python',
    framework: facts.primary,
    image: spec.image,
    ports,
    healthPath: entry.serving && entry.http ? (entry.readyPath ?? entry.healthPath) : null,
    predictRoute: entry.serving ? entry.predictRoute : null,
    serving: entry.serving,
    metrics: metrics.endpoint,
    gpu,
    unverified: gpu && !gpu.verified ? (gpu.unverifiedReason ?? `${gpu.framework} ${gpu.version ?? ''} is not in ModelDock's CUDA table`) : null,
    archs: gpu && !gpu.error ? { supported: [...gpu.archs.supported], unsupported: gpu.archs.unsupported.map((u) => ({ ...u })) } : null,
    container: containerRunSpec(p, p.outputs.dockerfile ? 'Dockerfile' : null, facts.usesTorch, spec.env),
    files: files.files,
    notes: p.notes,
    errors: p.errors,
  };
}

/**
 * Plans the files for containerizing a project. Pure: templates come from `templates` (default:
 * the built-in folder), current file contents from `existing` (relative to the output folder),
 * project files ModelDock may need to rewrite (requirements for a CPU image) from `source`
 * (relative to detection.root; without it they are rebuilt from detection).
 *
 * A name from the workspace that cannot be written safely (a control character in a file name,
 * a dependency that reads as a pip option...) makes a plan with no files and the reason in
 * `errors`: nothing is generated around it.
 */
export function planScaffold(
  detection: DetectionResult,
  choices: ScaffoldChoices = {},
  existing?: ExistingFile,
  templates?: TemplateSource,
  source?: ExistingFile,
): ScaffoldPlan {
  const p = resolveInputs(detection, choices, existing, templates ?? nodeTemplateSource(), source);
  const runtime = choices.runtime ?? DEFAULT_CHOICES.runtime;
  let plan: ScaffoldPlan;
  try {
    plan = runtime === 'python' ? planPython(p) : isLlmRuntime(runtime) ? planLlm(runtime, p) : planRuntime(runtime, p);
  } catch (e) {
    if (!(e instanceof UnsafeValueError)) throw e;
    return refused(p, runtime, e);
  }
  // Files the image needs (serve.py, requirement twins, server configs) are written to the output
  // folder, but the Dockerfile copies them from the build context: with another output folder
  // they are not where the build looks.
  const inImage = plan.files.filter((f) => f.path !== 'Dockerfile' && f.path !== '.dockerignore' && f.path !== 'compose.yaml' && !f.path.startsWith('k8s/'));
  if (p.layout.dockerfile !== 'Dockerfile' && plan.container.dockerfile && inImage.length) {
    plan.notes.push(`The output folder is not the project folder: the Dockerfile copies ${inImage.map((f) => f.path).join(', ')} from the build context (${p.layout.context}), where they were not written. Scaffold into the project folder, or move them there before building.`);
  }
  const suggested = suggestedRuntimes(detection).filter((r) => r !== runtime && r !== 'python');
  if (runtime === 'python' && suggested.length) plan.notes.push(`Serving runtimes that fit this project: ${suggested.join(', ')} (--runtime).`);
  plan.notes = [...new Set(plan.notes)];
  return plan;
}

function refused(p: PlanInputs, runtime: ServingRuntime, e: UnsafeValueError): ScaffoldPlan {
  const plan = noFiles(p, runtime);
  plan.errors.push(`${e.message}. Nothing was generated.`);
  return plan;
}

/** A plan that writes nothing: its errors say why. */
function noFiles(p: PlanInputs, runtime: ServingRuntime): ScaffoldPlan {
  return {
    target: p.target,
    baseImage: null,
    cuda: null,
    runtime,
    framework: p.facts.primary,
    image: `${p.image}:${p.tag}`,
    ports: [],
    healthPath: null,
    predictRoute: null,
    serving: false,
    gpu: null,
    unverified: null,
    archs: null,
    container: containerRunSpec(p, null, false, []),
    files: [],
    notes: [...new Set(p.notes)],
    errors: [...p.errors],
  };
}
