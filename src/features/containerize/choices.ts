// The Containerize Model choices and their rules, shared by both front-ends (the wizard's
// reducer and the Quick Picks): one set of validators, one mapping to the scaffold's choices.
// No vscode import: unit-tested under plain Node.
import { GPU_ARCHS, archRow, isGpuTarget } from '../../core/cuda/index';
import type { DetectionResult } from '../../core/detect/types';
import { suggestedRuntimes } from '../../core/scaffold/plan';
import type { ScaffoldChoices } from '../../core/scaffold/types';
import type { ChoicePatch, CudaOption, GpuArchOption, Invalid, LlmWizardChoices, OutputKey, Outputs, Runtime, WizardChoices } from '../../../webview/protocol';
import { GPU_CATALOG } from '../../core/llm/gpus';
import { validHubId } from '../../core/scaffold/llm';
import { isLlmRuntime } from '../../core/scaffold/llmTypes';

/** What the user chooses, in both UIs (the webview protocol's type: the wizard page edits it). */
export type ContainerizeChoices = WizardChoices;

export const IMAGE_NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
export const MAX_GPUS = 16;

/** Why a port is refused, or undefined when it is fine. */
export function portProblem(port: number): string | undefined {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? undefined : 'A port from 1 to 65535';
}

/** Why an image name (without tag) is refused, or undefined. */
export function imageNameProblem(name: string): string | undefined {
  return IMAGE_NAME.test(name) && name.length <= 128 ? undefined : 'Lower-case letters and digits, separated by . _ - or /';
}

/** Why a GPU count is refused, or undefined. */
export function gpuCountProblem(count: number): string | undefined {
  return Number.isInteger(count) && count >= 1 && count <= MAX_GPUS ? undefined : `From 1 to ${MAX_GPUS} GPUs`;
}

/** The GPU-target choices, `any` first: the same list in the wizard and the Quick Picks. */
export function gpuArchOptions(): GpuArchOption[] {
  return [
    { arch: 'any', label: 'Any GPU', detail: "The framework's default build; the plan lists the GPUs it has no kernels for." },
    ...GPU_ARCHS.map((a) => {
      const row = archRow(a);
      return { arch: a, label: row.name, detail: `${row.examples} (sm_${row.sm.map((x) => x.replace('.', '')).join(', sm_')})` };
    }),
  ];
}

/** What LLM servers are sized for when neither settings nor the user said (the settings' own defaults). */
export const LLM_DEFAULTS: LlmWizardChoices = { gpu: 'auto', contextLength: 8192, concurrency: 4, modelId: '', autoscale: false };

export function llmGpuProblem(gpu: string): string | undefined {
  return gpu === 'auto' || GPU_CATALOG.some((g) => g.id === gpu) ? undefined : `auto or one of ${GPU_CATALOG.map((g) => g.id).join(', ')}`;
}

export function contextLengthProblem(n: number): string | undefined {
  return Number.isInteger(n) && n >= 16 && n <= 10_000_000 ? undefined : 'From 16 to 10,000,000 tokens';
}

export function concurrencyProblem(n: number): string | undefined {
  return Number.isInteger(n) && n >= 1 && n <= 4096 ? undefined : 'From 1 to 4096 sequences';
}

export function modelIdProblem(id: string): string | undefined {
  return id === '' || validHubId(id) ? undefined : 'A Hugging Face id: org/name';
}

const RUNTIME_NAMES: Record<Runtime, string> = { python: 'The Python server', tfserving: 'TF Serving', torchserve: 'TorchServe', triton: 'Triton', kserve: 'KServe', vllm: 'vLLM', sglang: 'SGLang', tgi: 'TGI', llamacpp: 'llama.cpp' };

/** Runtimes the project can use (python always); null while detection has not run (nothing to check against). */
export function allowedRuntimes(detection: DetectionResult | null): Runtime[] | null {
  return detection ? suggestedRuntimes(detection) : null;
}

/**
 * Merges a patch into valid choices; a bad field keeps its old value and is reported. `runtimes`:
 * what detection allows (null: not known yet, any is kept). `cudaOptions` must be the list for
 * the GPU target the result has (see `resultingGpuArch`).
 */
export function applyChoices(
  current: WizardChoices,
  patch: ChoicePatch,
  cudaOptions: readonly CudaOption[],
  runtimes: readonly Runtime[] | null = null,
): { choices: WizardChoices; invalid: Invalid } {
  const invalid: Invalid = {};
  const next: WizardChoices = { ...current, outputs: { ...current.outputs } };
  if (patch.runtime !== undefined) {
    if (runtimes === null || runtimes.includes(patch.runtime)) next.runtime = patch.runtime;
    else invalid.runtime = `${RUNTIME_NAMES[patch.runtime]} does not fit what detection found in this project`;
  }
  // A runtime a new detection no longer supports (the model file went away) falls back to python.
  if (runtimes !== null && !runtimes.includes(next.runtime)) next.runtime = 'python';
  if (patch.target) next.target = patch.target;
  if (patch.outputs) next.outputs = { ...next.outputs, ...patch.outputs };
  if (patch.weightsInImage !== undefined) next.weightsInImage = patch.weightsInImage;
  if (patch.overwrite !== undefined) next.overwrite = patch.overwrite;
  if (patch.port !== undefined) {
    const problem = portProblem(patch.port);
    if (problem) invalid.port = problem;
    else next.port = patch.port;
  }
  if (patch.imageName !== undefined) {
    const problem = imageNameProblem(patch.imageName);
    if (problem) invalid.imageName = problem;
    else next.imageName = patch.imageName;
  }
  if (patch.gpuCount !== undefined) {
    const problem = gpuCountProblem(patch.gpuCount);
    if (problem) invalid.gpuCount = problem;
    else next.gpuCount = patch.gpuCount;
  }
  if (patch.gpuArch !== undefined) {
    if (isGpuTarget(patch.gpuArch)) next.gpuArch = patch.gpuArch;
    else invalid.gpuArch = `${String(patch.gpuArch)} is not a GPU family ModelDock knows`;
  }
  // Restored state may hold a name this version no longer knows.
  if (!isGpuTarget(next.gpuArch)) next.gpuArch = 'any';
  if (patch.cuda !== undefined) {
    if (patch.cuda === null || cudaOptions.some((o) => o.cuda === patch.cuda)) next.cuda = patch.cuda;
    else invalid.cuda = `CUDA ${patch.cuda} is not compatible with the detected framework`;
  }
  // A CUDA pick that a new detection no longer allows falls back to the recommended one.
  if (next.cuda !== null && !cudaOptions.some((o) => o.cuda === next.cuda)) next.cuda = null;
  if (patch.llm) {
    const l: LlmWizardChoices = { ...(next.llm ?? LLM_DEFAULTS) };
    const p = patch.llm;
    if (p.gpu !== undefined) {
      const problem = llmGpuProblem(p.gpu);
      if (problem) invalid.llmGpu = problem;
      else l.gpu = p.gpu;
    }
    if (p.contextLength !== undefined) {
      const problem = contextLengthProblem(p.contextLength);
      if (problem) invalid.contextLength = problem;
      else l.contextLength = p.contextLength;
    }
    if (p.concurrency !== undefined) {
      const problem = concurrencyProblem(p.concurrency);
      if (problem) invalid.concurrency = problem;
      else l.concurrency = p.concurrency;
    }
    if (p.modelId !== undefined) {
      const id = p.modelId.trim();
      const problem = modelIdProblem(id);
      if (problem) invalid.modelId = problem;
      else l.modelId = id;
    }
    if (p.autoscale !== undefined) l.autoscale = p.autoscale;
    next.llm = l;
  }
  return { choices: next, invalid };
}

/** The GPU target a patch leaves (an invalid one keeps the current), for computing the CUDA list first. */
export function resultingGpuArch(current: WizardChoices, patch: ChoicePatch): WizardChoices['gpuArch'] {
  if (patch.gpuArch !== undefined && isGpuTarget(patch.gpuArch)) return patch.gpuArch;
  return isGpuTarget(current.gpuArch) ? current.gpuArch : 'any';
}

/** The wizard's choices as the scaffold's. `force`: disk conflicts are writePlan's business. */
export function toScaffoldChoices(c: WizardChoices): ScaffoldChoices {
  return {
    runtime: c.runtime,
    target: c.target,
    // The CUDA list is the Python image's (framework table); a model server's image fixes its own.
    ...(c.target === 'gpu' && c.cuda && c.runtime === 'python' ? { cuda: c.cuda } : {}),
    // Model servers check their image against the GPU too.
    ...(c.target === 'gpu' && c.gpuArch !== 'any' ? { gpuArch: c.gpuArch } : {}),
    outputs: { ...c.outputs },
    port: c.port,
    imageName: c.imageName,
    gpuCount: c.gpuCount,
    weightsInImage: c.weightsInImage,
    force: true,
    ...(isLlmRuntime(c.runtime)
      ? {
          llm: {
            gpu: (c.llm ?? LLM_DEFAULTS).gpu,
            contextLength: (c.llm ?? LLM_DEFAULTS).contextLength,
            concurrency: (c.llm ?? LLM_DEFAULTS).concurrency,
            autoscale: (c.llm ?? LLM_DEFAULTS).autoscale,
            ...(c.llm?.modelId ? { source: 'hub' as const, modelId: c.llm.modelId } : {}),
          },
        }
      : {}),
  };
}

const FALLBACK_OUTPUTS: Outputs = { dockerfile: true, dockerignore: true, compose: true, kubernetes: true, kserve: false };

/** Wizard choices from the scaffold's defaults (target `auto` resolved against detection). */
export function fromScaffoldChoices(s: ScaffoldChoices, detection: DetectionResult | null, projectName: string, llmDefaults: LlmWizardChoices = LLM_DEFAULTS): WizardChoices {
  const outputs = { ...FALLBACK_OUTPUTS };
  for (const k of Object.keys(outputs) as OutputKey[]) {
    const v = s.outputs?.[k];
    if (typeof v === 'boolean') outputs[k] = v;
  }
  return {
    runtime: s.runtime ?? 'python',
    target: s.target === 'cpu' || s.target === 'gpu' ? s.target : (detection?.accelerator ?? 'cpu'),
    cuda: s.cuda ?? null,
    gpuArch: s.gpuArch ?? 'any',
    outputs,
    port: s.port ?? 8080,
    imageName: s.imageName ?? projectName,
    gpuCount: s.gpuCount ?? 1,
    weightsInImage: s.weightsInImage ?? false,
    overwrite: false,
    llm: {
      gpu: s.llm?.gpu ?? llmDefaults.gpu,
      contextLength: s.llm?.contextLength ?? llmDefaults.contextLength,
      concurrency: s.llm?.concurrency ?? llmDefaults.concurrency,
      modelId: s.llm?.modelId ?? llmDefaults.modelId,
      autoscale: s.llm?.autoscale ?? llmDefaults.autoscale,
    },
  };
}

/**
 * The fields a scripted call (tests, other extensions) gave as scaffold choices, as a patch over
 * the defaults, and which fields they were (the Quick Picks do not ask those again).
 */
export function patchFromScaffoldChoices(s: ScaffoldChoices): { patch: ChoicePatch; given: Partial<Record<keyof WizardChoices, true>> } {
  const patch: ChoicePatch = {};
  if (s.runtime !== undefined) patch.runtime = s.runtime;
  if (s.target === 'cpu' || s.target === 'gpu') patch.target = s.target;
  if (s.cuda !== undefined) patch.cuda = s.cuda;
  if (s.gpuArch !== undefined) patch.gpuArch = s.gpuArch;
  if (s.outputs !== undefined) patch.outputs = { ...s.outputs };
  if (s.port !== undefined) patch.port = s.port;
  if (s.imageName !== undefined) patch.imageName = s.imageName;
  if (s.gpuCount !== undefined) patch.gpuCount = s.gpuCount;
  if (s.weightsInImage !== undefined) patch.weightsInImage = s.weightsInImage;
  if (s.llm !== undefined) {
    const l = s.llm;
    patch.llm = {
      ...(l.gpu !== undefined ? { gpu: l.gpu } : {}),
      ...(l.contextLength !== undefined ? { contextLength: l.contextLength } : {}),
      ...(l.concurrency !== undefined ? { concurrency: l.concurrency } : {}),
      ...(l.modelId !== undefined ? { modelId: l.modelId } : {}),
      ...(l.autoscale !== undefined ? { autoscale: l.autoscale } : {}),
    };
  }
  const given = Object.fromEntries(Object.keys(patch).map((k) => [k, true])) as Partial<Record<keyof WizardChoices, true>>;
  return { patch, given };
}
