// Facts about the project that the scaffold needs, derived from a DetectionResult only.
import type { GpuFramework } from '../cuda/index';
import { pythonMinor } from '../cuda/index';
import type { Artifact, DeclaredPackage, DetectionResult, FrameworkName } from '../detect/types';

export type Family = 'pytorch' | 'tensorflow' | 'python';

/** pip distribution of each framework, for projects that declare nothing. */
export const PIP_NAME: Record<FrameworkName, string> = {
  pytorch: 'torch',
  tensorflow: 'tensorflow',
  keras: 'keras',
  jax: 'jax',
  'scikit-learn': 'scikit-learn',
  xgboost: 'xgboost',
  lightgbm: 'lightgbm',
  catboost: 'catboost',
  onnxruntime: 'onnxruntime',
  transformers: 'transformers',
  diffusers: 'diffusers',
  vllm: 'vllm',
  'sentence-transformers': 'sentence-transformers',
};

const TORCH_BASED: FrameworkName[] = ['pytorch', 'transformers', 'diffusers', 'vllm', 'sentence-transformers'];

export interface ProjectFacts {
  primary: FrameworkName | null;
  family: Family;
  /** Framework whose CUDA rules drive a GPU image; null = no GPU use (scikit-learn only). */
  gpuFramework: GpuFramework | null;
  /** Version of the gpuFramework's package when pinned. */
  gpuFrameworkVersion: string | null;
  usesTorch: boolean;
  python: string;
  pythonDetected: boolean;
  packages: DeclaredPackage[];
  artifacts: Artifact[];
  projectName: string;
}

export function hasFramework(d: DetectionResult, name: FrameworkName): boolean {
  return d.frameworks.some((f) => f.name === name) || d.packages.some((p) => p.name === PIP_NAME[name]);
}

/**
 * The framework may decide the image: declared or used, and not only around the model (a
 * `role: 'data'` finding, such as tf.data feeding a JAX model, is installed but never picks the
 * base image or the GPU packages).
 */
export function drives(d: DetectionResult, name: FrameworkName): boolean {
  const f = d.frameworks.find((x) => x.name === name);
  if (f?.role === 'data') return false;
  return f !== undefined || d.packages.some((p) => p.name === PIP_NAME[name]);
}

export function packageVersion(d: DetectionResult, pipName: string, framework?: FrameworkName): string | null {
  const f = framework ? d.frameworks.find((x) => x.name === framework) : undefined;
  if (f?.version) return f.version;
  return d.packages.find((p) => p.name === pipName && p.version)?.version ?? null;
}

/** The project's pin of a package as pip reads it, with its local label (`2.1.2+cu121`); null when unpinned. */
export function pinOf(d: DetectionResult, name: string): string | null {
  const x = d.packages.find((q) => q.name === name && q.version);
  return x?.version ? `${x.version}${x.local ? `+${x.local}` : ''}` : null;
}

function familyOf(primary: FrameworkName | null, d: DetectionResult): Family {
  if (primary && TORCH_BASED.includes(primary)) return 'pytorch';
  if (primary === 'tensorflow') return 'tensorflow';
  if (primary === 'keras') return drives(d, 'tensorflow') || !(drives(d, 'jax') || drives(d, 'pytorch')) ? 'tensorflow' : drives(d, 'pytorch') ? 'pytorch' : 'python';
  return 'python';
}

function gpuFrameworkOf(primary: FrameworkName | null, family: Family, d: DetectionResult): GpuFramework | null {
  if (family === 'pytorch') return 'pytorch';
  if (family === 'tensorflow') return 'tensorflow';
  if (primary === 'jax' || (primary === 'keras' && drives(d, 'jax'))) return 'jax';
  if (primary === 'onnxruntime') return 'onnxruntime';
  // Secondary frameworks decide when the primary has no CUDA rules of its own.
  if (drives(d, 'pytorch')) return 'pytorch';
  if (drives(d, 'tensorflow')) return 'tensorflow';
  if (drives(d, 'jax')) return 'jax';
  if (drives(d, 'onnxruntime')) return 'onnxruntime';
  if (primary === 'xgboost' || primary === 'catboost' || primary === 'lightgbm') return 'generic';
  return null;
}

const GPU_PIP: Record<GpuFramework, { pip: string; fw: FrameworkName | undefined }> = {
  pytorch: { pip: 'torch', fw: 'pytorch' },
  tensorflow: { pip: 'tensorflow', fw: 'tensorflow' },
  jax: { pip: 'jax', fw: 'jax' },
  onnxruntime: { pip: 'onnxruntime', fw: 'onnxruntime' },
  generic: { pip: '', fw: undefined },
};

/**
 * The GPU framework's pin as the CUDA table reads it: with the `+cuXYZ` label the project pinned
 * (`2.1.2+cu121` picks that build), so the plan and the UIs' CUDA lists agree.
 */
export function gpuFrameworkPin(d: DetectionResult, facts: ProjectFacts): string | null {
  const version = facts.gpuFrameworkVersion;
  if (!version || !facts.gpuFramework || version.includes('+')) return version;
  const names = facts.gpuFramework === 'onnxruntime' ? ['onnxruntime', 'onnxruntime-gpu'] : [GPU_PIP[facts.gpuFramework].pip];
  const labelled = d.packages.find((q) => names.includes(q.name) && q.version === version && q.local);
  return labelled?.local ? `${version}+${labelled.local}` : version;
}

/** A DNS-1123 label: what Kubernetes, compose and image names all accept. */
export function dnsName(raw: string, fallback = 'model'): string {
  const s = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
  return /^[a-z0-9]/.test(s) ? s : fallback;
}

export function projectFacts(d: DetectionResult): ProjectFacts {
  const primary = d.primary ?? d.frameworks.find((f) => f.role !== 'data')?.name ?? null;
  const family = familyOf(primary, d);
  const gpuFramework = gpuFrameworkOf(primary, family, d);
  let gpuFrameworkVersion: string | null = null;
  if (gpuFramework) {
    const { pip, fw } = GPU_PIP[gpuFramework];
    gpuFrameworkVersion = pip ? packageVersion(d, pip, fw) : null;
    if (gpuFramework === 'onnxruntime') gpuFrameworkVersion ??= packageVersion(d, 'onnxruntime-gpu');
  }
  const py = pythonMinor(d.python);
  const base = d.root.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? '';
  return {
    primary,
    family,
    gpuFramework,
    gpuFrameworkVersion,
    usesTorch: hasFramework(d, 'pytorch') || TORCH_BASED.some((f) => f !== 'pytorch' && f === primary),
    python: py ?? '3.11',
    pythonDetected: py !== null,
    packages: d.packages,
    artifacts: d.artifacts,
    projectName: dnsName(base),
  };
}

/** KServe `modelFormat` for the project's model, or null when no KServe runtime serves it. */
export function kserveFormat(d: DetectionResult, facts: ProjectFacts): string | null {
  const formats = new Set(d.artifacts.map((a) => a.format));
  const p = facts.primary;
  if (formats.has('torchserve-mar')) return 'pytorch';
  if (formats.has('savedmodel')) return 'tensorflow';
  if (formats.has('onnx')) return 'onnx';
  if (p === 'scikit-learn' && (formats.has('joblib') || formats.has('pickle'))) return 'sklearn';
  if (p === 'xgboost') return 'xgboost';
  if (p === 'lightgbm') return 'lightgbm';
  return null;
}

