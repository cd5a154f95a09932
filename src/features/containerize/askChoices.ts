import * as vscode from 'vscode';
import type { DetectionResult } from '../../core/detect/types';
import type { ScaffoldChoices, ServingRuntime } from '../../core/scaffold';
import { CancelledError } from '../../platform/errors';
import { displayName } from '../../core/detect/names';

type CudaModule = typeof import('../../core/cuda');

interface Pick<T> extends vscode.QuickPickItem {
  value: T;
}

async function pick<T>(items: Pick<T>[], options: vscode.QuickPickOptions): Promise<T> {
  const chosen = await vscode.window.showQuickPick(items, { ignoreFocusOut: true, ...options });
  if (!chosen) throw new CancelledError();
  return chosen.value;
}

function describeDetection(r: DetectionResult): string {
  if (!r.primary) return 'No ML framework detected';
  const f = r.frameworks.find((x) => x.name === r.primary);
  const ev = f?.evidence[0];
  return `${displayName(r.primary)}${f?.version ? ` ${f.version}` : ''}${ev ? ` (${ev.file}${ev.line ? `:${ev.line}` : ''})` : ''}`;
}

/** The keyboard path of Containerize Model: one QuickPick or InputBox per choice. */
export async function askChoices(r: DetectionResult, given: ScaffoldChoices): Promise<ScaffoldChoices> {
  const title = `Containerize Model — ${describeDetection(r)}`;

  // Only when a model server fits what detection found; otherwise "own Python server" is the only choice.
  // Loaded on demand like the CUDA table: the scaffold core stays out of the activation bundle.
  const { runtimeOptions } = await import('../../core/scaffold');
  const options = runtimeOptions(r);
  const runtime: ServingRuntime =
    given.runtime ??
    (options.length > 1
      ? await pick<ServingRuntime>(
          options.map((o) => ({ label: o.label, description: o.runtime === 'python' ? undefined : o.runtime, detail: o.reason, value: o.runtime })),
          { title, placeHolder: 'How is the model served?' },
        )
      : 'python');

  const target =
    given.target && given.target !== 'auto'
      ? given.target
      : await pick<'cpu' | 'gpu'>(
          (
            [
            {
              label: '$(server-process) GPU',
              description: r.accelerator === 'gpu' ? 'detected' : undefined,
              detail: r.accelerator === 'gpu' ? `CUDA base image${r.cuda ? ` for CUDA ${r.cuda}` : ''}, NVIDIA runtime, nvidia.com/gpu resources` : 'CUDA base image; detection found no GPU framework',
              value: 'gpu' as const,
            },
            {
              label: '$(chip) CPU',
              description: r.accelerator === 'cpu' ? 'detected' : undefined,
              detail: `python:${r.python ?? '3.11'}-slim, CPU-only wheels`,
              value: 'cpu' as const,
            },
          ] satisfies Pick<'cpu' | 'gpu'>[]
          ).sort((a) => (a.value === r.accelerator ? -1 : 1)),
          { title, placeHolder: 'Target' },
        );

  let cuda = given.cuda;
  // Model servers bring their own CUDA (their image tag decides it); only the Python image picks one.
  if (target === 'gpu' && !cuda && runtime === 'python') {
    const cudaMod: CudaModule = await import('../../core/cuda');
    const fw = r.frameworks.find((f) => f.name === r.primary);
    const gpuFw = fw && ['pytorch', 'tensorflow', 'jax', 'onnxruntime'].includes(fw.name) ? (fw.name as 'pytorch' | 'tensorflow' | 'jax' | 'onnxruntime') : 'generic';
    const choices = cudaMod.compatibleCudaChoices(gpuFw, fw?.version ?? null);
    if (choices.length > 0) {
      cuda = await pick(
        choices.map((c) => ({
          label: `CUDA ${c.cuda}`,
          description: c.recommended ? 'recommended' : undefined,
          detail: `${c.image} — ${c.reason}`,
          value: c.cuda,
        })),
        { title, placeHolder: 'CUDA version (only versions compatible with the pinned framework are listed)' },
      );
    }
  }

  const outputs = await vscode.window.showQuickPick(
    [
      { label: 'Dockerfile', picked: true, value: 'dockerfile' as const },
      { label: '.dockerignore', picked: true, value: 'dockerignore' as const },
      { label: 'compose.yaml', picked: true, value: 'compose' as const },
      { label: 'Kubernetes manifests (k8s/)', picked: true, value: 'kubernetes' as const },
      { label: 'KServe InferenceService', picked: runtime === 'kserve', value: 'kserve' as const },
    ],
    { title, placeHolder: 'Files to generate', canPickMany: true, ignoreFocusOut: true },
  );
  if (!outputs || outputs.length === 0) throw new CancelledError();

  // Model servers listen on their own fixed ports; the port question is for the Python server.
  const port =
    given.port !== undefined || runtime !== 'python'
      ? given.port
      : Number(await input(title, 'Container port the model server listens on', '8080', (v) => (/^\d+$/.test(v) && +v > 0 && +v < 65536 ? undefined : 'A port from 1 to 65535')));
  const imageName =
    given.imageName ??
    (await input(title, 'Image name (without tag)', defaultImageName(r), (v) => (/^[a-z0-9]+([._/-][a-z0-9]+)*$/.test(v) ? undefined : 'Lower-case letters, digits and . _ - / separators')));

  return {
    ...given,
    target,
    runtime,
    ...(cuda ? { cuda } : {}),
    outputs: {
      dockerfile: false,
      dockerignore: false,
      compose: false,
      kubernetes: false,
      kserve: false,
      ...Object.fromEntries(outputs.map((o) => [o.value, true])),
    },
    ...(port !== undefined ? { port } : {}),
    imageName,
  };
}

function defaultImageName(r: DetectionResult): string {
  const base = r.root.split(/[\\/]/).filter(Boolean).pop() ?? 'model';
  return base.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '') || 'model';
}

async function input(title: string, prompt: string, value: string, validateInput: (v: string) => string | undefined): Promise<string> {
  const v = await vscode.window.showInputBox({ title, prompt, value, validateInput, ignoreFocusOut: true });
  if (v === undefined) throw new CancelledError();
  return v;
}
