// The keyboard front-end of Containerize Model: the wizard's questions, one Quick Pick or input
// box each, with the same defaults, the same CUDA list and the same validators (choices.ts and
// the planner). Enter on every step accepts the defaults, which always plan.
import * as vscode from 'vscode';
import { displayName } from '../../core/detect/names';
import type { DetectionResult } from '../../core/detect/types';
import { runtimeOptions } from '../../core/scaffold/plan';
import { projectFacts } from '../../core/scaffold/project';
import { CancelledError } from '../../platform/errors';
import type { Prompts } from '../../platform/prompts';
import type { OutputKey } from '../../../webview/protocol';
import { type ContainerizeChoices, LLM_DEFAULTS, allowedRuntimes, applyChoices, concurrencyProblem, contextLengthProblem, gpuArchOptions, gpuCountProblem, imageNameProblem, portProblem, resultingGpuArch } from './choices';
import { GPU_CATALOG } from '../../core/llm/gpus';
import { isLlmRuntime } from '../../core/scaffold/llmTypes';
import type { Planner } from './planner';

interface Item<T> extends vscode.QuickPickItem {
  value: T;
}

async function pick<T>(items: Item<T>[], options: vscode.QuickPickOptions): Promise<T> {
  const chosen = await vscode.window.showQuickPick(items, { ignoreFocusOut: true, ...options });
  if (!chosen) throw new CancelledError();
  return chosen.value;
}

async function input(title: string, prompt: string, value: string, validateInput: (v: string) => string | undefined): Promise<string> {
  const v = await vscode.window.showInputBox({ title, prompt, value, validateInput, ignoreFocusOut: true });
  if (v === undefined) throw new CancelledError();
  return v;
}

function describeDetection(r: DetectionResult): string {
  if (!r.primary) return 'No ML framework detected';
  const f = r.frameworks.find((x) => x.name === r.primary);
  const ev = f?.evidence[0];
  return `${displayName(r.primary)}${f?.version ? ` ${f.version}` : ''}${ev ? ` (${ev.file}${ev.line ? `:${ev.line}` : ''})` : ''}`;
}

const OUTPUT_LABELS: Record<OutputKey, string> = {
  dockerfile: 'Dockerfile',
  dockerignore: '.dockerignore',
  compose: 'compose.yaml',
  kubernetes: 'Kubernetes manifests (k8s/)',
  kserve: 'KServe InferenceService',
};

/** Fields the caller already decided are not asked again. */
export type GivenChoices = Partial<Record<keyof ContainerizeChoices, true>>;

/**
 * Asks every question the wizard shows, starting from `start` (the planner's defaults with what
 * the caller gave), skipping the `given` ones. Each answer is validated as the wizard validates it.
 */
export async function askChoices(detection: DetectionResult, planner: Planner, start: ContainerizeChoices, given: GivenChoices = {}): Promise<ContainerizeChoices> {
  const title = `Containerize Model — ${describeDetection(detection)}`;
  const runtimes = allowedRuntimes(detection);
  let c = start;
  const apply = (patch: Parameters<typeof applyChoices>[1]) => {
    const options = (patch.target ?? c.target) === 'gpu' ? planner.cudaOptions(detection, resultingGpuArch(c, patch)) : [];
    c = applyChoices(c, patch, options, runtimes).choices;
  };

  const runtimeList = runtimeOptions(detection);
  if (!given.runtime && runtimeList.length > 1) {
    const runtime = await pick(
      runtimeList.map((o) => ({ label: o.label, description: o.runtime === c.runtime ? 'default' : undefined, detail: o.reason, value: o.runtime })),
      { title, placeHolder: 'How is the model served?' },
    );
    apply({ runtime });
  }

  if (!given.target) {
    const facts = projectFacts(detection);
    const gpuItem: Item<'gpu'> = {
      label: '$(server-process) GPU',
      description: c.target === 'gpu' ? 'default' : undefined,
      detail:
        facts.gpuFramework === null
          ? `${facts.primary ? displayName(facts.primary) : 'This project'} does not use a GPU: the plan falls back to CPU`
          : `CUDA base image for ${facts.gpuFramework}${facts.gpuFrameworkVersion ? ` ${facts.gpuFrameworkVersion}` : ''}, NVIDIA runtime, nvidia.com/gpu resources`,
      value: 'gpu',
    };
    const cpuItem: Item<'cpu'> = {
      label: '$(chip) CPU',
      description: c.target === 'cpu' ? 'default' : undefined,
      detail: `python:${detection.python ?? '3.11'}-slim, CPU-only wheels`,
      value: 'cpu',
    };
    const target = await pick<'cpu' | 'gpu'>(c.target === 'gpu' ? [gpuItem, cpuItem] : [cpuItem, gpuItem], { title, placeHolder: 'Target' });
    apply({ target });
  }

  // Every GPU image is checked against the GPU it will run on (model servers' images too).
  if (c.target === 'gpu' && !given.gpuArch) {
    const gpuArch = await pick(
      gpuArchOptions().map((o) => ({ label: o.label, description: o.arch === c.gpuArch ? 'default' : undefined, detail: o.detail, value: o.arch })),
      { title, placeHolder: 'Which GPU will run the image? (only builds with kernels for it are offered)' },
    );
    apply({ gpuArch });
  }

  // Model servers bring their own CUDA (their image tag decides it); only the Python image picks one.
  if (c.target === 'gpu' && c.runtime === 'python' && !given.cuda) {
    const options = planner.cudaOptions(detection, c.gpuArch);
    if (options.length > 0) {
      const ordered = [...options].sort((a, b) => Number(b.recommended) - Number(a.recommended));
      const cuda = await pick(
        ordered.map((o) => ({ label: `CUDA ${o.cuda}`, description: o.recommended ? 'recommended' : undefined, detail: `${o.image} — ${o.reason}`, value: o.cuda })),
        { title, placeHolder: 'CUDA version (only versions compatible with the pinned framework are listed)' },
      );
      apply({ cuda });
    }
  }

  // LLM servers: the sizing decides the GPU count from the type and the load asked for.
  if (isLlmRuntime(c.runtime) && !given.llm) {
    const l = c.llm ?? LLM_DEFAULTS;
    if (c.target === 'gpu') {
      const gpu = await pick(
        [{ id: 'auto', name: 'Automatic: the type that needs the fewest GPUs' }, ...GPU_CATALOG.map((g) => ({ id: g.id, name: g.name }))].map((g) => ({
          label: g.id,
          description: g.id === l.gpu ? `${g.name} (default)` : g.name,
          value: g.id,
        })),
        { title, placeHolder: 'Target GPU type (the GPU count and tensor-parallel size are sized for it)' },
      );
      apply({ llm: { gpu } });
    }
    const ctx = await input(title, 'Context length: tokens per sequence (prompt + answer)', String(l.contextLength), (v) => (/^\d+$/.test(v.trim()) ? contextLengthProblem(Number(v)) : contextLengthProblem(NaN)));
    const conc = await input(title, 'Concurrent sequences held in the KV cache', String(l.concurrency), (v) => (/^\d+$/.test(v.trim()) ? concurrencyProblem(Number(v)) : concurrencyProblem(NaN)));
    apply({ llm: { contextLength: Number(ctx), concurrency: Number(conc) } });
  } else if (c.target === 'gpu' && !given.gpuCount) {
    const n = await input(title, 'GPUs per container', String(c.gpuCount), (v) => (/^\d+$/.test(v.trim()) ? gpuCountProblem(Number(v)) : gpuCountProblem(NaN)));
    apply({ gpuCount: Number(n) });
  }

  if (!given.outputs) {
    const keys = (Object.keys(OUTPUT_LABELS) as OutputKey[]).filter((k) => k !== 'kserve' || c.runtime === 'kserve' || c.outputs.kserve || runtimes?.includes('kserve'));
    const picked = await vscode.window.showQuickPick(
      keys.map((k) => ({ label: OUTPUT_LABELS[k], picked: c.outputs[k], value: k })),
      { title, placeHolder: 'Files to generate', canPickMany: true, ignoreFocusOut: true },
    );
    if (!picked || picked.length === 0) throw new CancelledError();
    const chosen = new Set(picked.map((p) => p.value));
    apply({ outputs: Object.fromEntries(keys.map((k) => [k, chosen.has(k)])) });
  }

  // Model servers listen on their own fixed ports; the port question is for the Python server.
  if (c.runtime === 'python' && !given.port) {
    const port = await input(title, 'Container port the model server listens on', String(c.port), (v) => (/^\d+$/.test(v.trim()) ? portProblem(Number(v)) : portProblem(NaN)));
    apply({ port: Number(port) });
  }

  if (!given.imageName) {
    const imageName = await input(title, 'Image name (without tag)', c.imageName, (v) => imageNameProblem(v.trim()));
    apply({ imageName: imageName.trim() });
  }

  if (detection.artifacts.length > 0 && !given.weightsInImage) {
    const weightsInImage = await pick(
      [
        { label: 'Mount the weights at run time', description: c.weightsInImage ? undefined : 'default', detail: 'A volume in compose, a PVC in Kubernetes: the image stays small and the model can change without a rebuild.', value: false },
        { label: 'Copy the weights into the image', description: c.weightsInImage ? 'default' : undefined, detail: `${detection.artifacts.length} artifact(s) go into the image: self-contained, but every model change rebuilds it.`, value: true },
      ].sort((a) => (a.value === c.weightsInImage ? -1 : 1)),
      { title, placeHolder: 'Model weights' },
    );
    apply({ weightsInImage });
  }
  return c;
}

/**
 * Asks before writing a plan the CUDA table cannot vouch for (UNVERIFIED), every time: the CLI
 * refuses it without --allow-unverified. Throws CancelledError unless the user goes on.
 */
export async function confirmUnverified(prompts: Prompts, reason: string): Promise<void> {
  const choice = await prompts.modal({
    severity: 'warning',
    message: 'This plan is UNVERIFIED: the CUDA of its image could not be checked.',
    detail: `${reason}. Write the files anyway? Check the CUDA of the base image yourself before relying on it, or pin a version the table knows.`,
    buttons: ['Write Anyway'],
  });
  if (choice !== 'Write Anyway') throw new CancelledError();
}
