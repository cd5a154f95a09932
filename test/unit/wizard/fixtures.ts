// Shared test data for the wizard's pure host logic: a detection and a fake planner.
import type { DetectionResult } from '../../../src/core/detect/types';
import type { ScaffoldPlan } from '../../../src/core/scaffold/types';
import type { CudaOption, WizardChoices } from '../../../webview/protocol';
import type { WizardServices } from '../../../src/features/wizard/handlers';

export function torchDetection(root = '/ws/proj'): DetectionResult {
  return {
    root,
    frameworks: [{ name: 'pytorch', version: '2.3.1', evidence: [{ file: 'requirements.txt', line: 2, reason: 'torch==2.3.1+cu121' }] }],
    primary: 'pytorch',
    accelerator: 'gpu',
    cuda: '12.1',
    python: '3.11',
    entrypoint: { file: 'serve.py', kind: 'fastapi' },
    artifacts: [{ file: 'model.safetensors', format: 'safetensors', bytes: 5 * 1024 * 1024 }],
    warnings: [],
    dependencyFiles: [{ file: 'requirements.txt', kind: 'requirements' }],
    packages: [{ name: 'torch', version: '2.3.1', spec: 'torch==2.3.1+cu121', extras: [], file: 'requirements.txt', line: 2, local: 'cu121' }],
    indexUrls: [],
    stats: { filesSeen: 7, truncated: false, elapsedMs: 3 },
    pythonEvidence: { file: '.python-version', line: 1, reason: '3.11' },
    entrypoints: [{ file: 'serve.py', kind: 'fastapi', line: 9 }],
  };
}

/** The same project with an ONNX export: Triton and KServe fit too. */
export function onnxDetection(root = '/ws/proj'): DetectionResult {
  const d = torchDetection(root);
  return { ...d, artifacts: [...d.artifacts, { file: 'export/model.onnx', format: 'onnx', bytes: 1024 }] };
}

export const CUDA_OPTIONS: CudaOption[] = [
  { cuda: '11.8', image: 'pytorch/pytorch:2.3.1-cuda11.8-cudnn8-runtime', recommended: false, reason: 'stable cu118 wheel' },
  { cuda: '12.1', image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime', recommended: true, reason: 'stable cu121 wheel' },
];

export const DEFAULTS: WizardChoices = {
  runtime: 'python',
  target: 'gpu',
  cuda: null,
  gpuArch: 'any',
  outputs: { dockerfile: true, dockerignore: true, compose: true, kubernetes: false, kserve: false },
  port: 8080,
  imageName: 'proj',
  gpuCount: 1,
  weightsInImage: false,
  overwrite: false,
};

/** A planner that echoes the choices into files, so tests see exactly what was planned. */
export function fakeServices(disk: Record<string, string> = {}, calls: WizardChoices[] = []): WizardServices {
  return {
    defaults: (d) => ({ ...DEFAULTS, target: d?.accelerator ?? 'cpu' }),
    cudaOptions: () => CUDA_OPTIONS,
    plan(d, c): ScaffoldPlan {
      calls.push(c);
      const cuda = c.target === 'gpu' ? (c.cuda ?? '12.1') : null;
      const baseImage = cuda ? `pytorch/pytorch:2.3.1-cuda${cuda}-cudnn8-runtime` : 'python:3.11-slim';
      const files = [];
      if (c.outputs.dockerfile) files.push({ path: 'Dockerfile', content: `FROM ${baseImage}\nEXPOSE ${c.port}\n`, action: 'create' as const });
      if (c.outputs.compose) files.push({ path: 'compose.yaml', content: `services:\n  ${c.imageName}: {}\n`, action: 'create' as const });
      if (c.outputs.dockerignore) files.push({ path: 'serve.py', content: 'user code\n', action: 'skip' as const });
      return {
        target: c.target,
        baseImage,
        cuda,
        runtime: c.runtime,
        framework: d.primary,
        image: `${c.imageName}:0.1.0`,
        ports: [{ name: 'http', port: c.port }],
        healthPath: '/health',
        serving: true,
        gpu: null,
        container: { dockerfile: c.outputs.dockerfile ? 'Dockerfile' : null, gpus: c.target === 'gpu' ? { count: c.gpuCount } : null, shmBytes: null, env: {} },
        files,
        notes: [`note for ${c.target}`, ...(c.runtime === 'triton' ? ['Triton: config.pbtxt has TODO markers'] : [])],
        errors: [],
      };
    },
    readExisting: (rel) => disk[rel],
  };
}
