// Framework version -> CUDA -> base image decisions, read from the committed table only
// (src/core/cuda/table.ts). Nothing here guesses silently: every choice carries notes, and a
// version the table does not know comes back with `known: false`.
import { CUDA_TABLE } from './table';
import type { NvidiaCudaRow, OrtBuild, OrtRule, TensorflowRow, TorchRow, JaxExtraRule } from './types';
import { compareVersions, cudaFromLocal, cudaMajor, cudaTag, parsePin, pythonMinor, series } from './version';

export { CUDA_TABLE } from './table';
export type * from './types';
export { parsePin, compareVersions, pythonMinor, cudaTag } from './version';

export type CudaFramework = 'pytorch' | 'tensorflow' | 'jax' | 'onnxruntime';
export type GpuFramework = CudaFramework | 'generic';
/**
 * - official-image: the framework's own GPU image (pytorch/pytorch, tensorflow/tensorflow:-gpu)
 * - cuda-base+pip: nvidia/cuda runtime+cuDNN image, Python from the distro, framework from pip
 * - python-base+pip-cuda: python:3.X-slim; CUDA/cuDNN arrive as NVIDIA pip wheels (jax[cudaNN], tensorflow[and-cuda])
 */
export type GpuStrategy = 'official-image' | 'cuda-base+pip' | 'python-base+pip-cuda';

export interface GpuBaseOptions {
  /** User-chosen CUDA major.minor; validated against the table. */
  cuda?: string;
  /** Detected project Python (any string containing X.Y). */
  python?: string | null;
  /** Prefer the framework's official image (default) or an nvidia/cuda base + pip. */
  prefer?: 'official-image' | 'cuda-base';
  /** Ubuntu of nvidia/cuda bases; 22.04 by default, 24.04 where 22.04 has no tag. */
  ubuntu?: '22.04' | '24.04';
}

export interface GpuBaseChoice {
  framework: GpuFramework;
  /** The framework version the choice is for (the default one when the project pins none). */
  version: string | null;
  image: string;
  cuda: string;
  cudnnMajor: number | null;
  strategy: GpuStrategy;
  /** Human-readable install line, e.g. `pip install torch==2.3.1 --index-url https://download.pytorch.org/whl/cu121`. */
  installHint: string | null;
  /** Extra pip index the dependency install must see (torch cuXYZ index, ORT CUDA 12 feed). */
  pipIndexUrl: string | null;
  /** Requirements the GPU image installs on top of the project's (e.g. `jax[cuda12]==0.4.30`). */
  gpuPackages: string[];
  /** Packages to remove first because the GPU package replaces them (onnxruntime -> onnxruntime-gpu). */
  removePackages: string[];
  /** The image tag was seen in public use (true) or only follows a documented pattern (false). */
  imageSeen: boolean;
  /** Linux driver the CUDA toolkit of the image asks for (NVIDIA release notes table 3). */
  minDriver: string | null;
  notes: string[];
  /** False when the framework version is not in the table: the choice is a placeholder. */
  known: boolean;
  /** Set when the user-chosen CUDA is incompatible (or no image can carry it). */
  error: string | null;
  sources: string[];
}

export interface CudaChoice {
  cuda: string;
  image: string;
  strategy: GpuStrategy;
  recommended: boolean;
  reason: string;
}

export interface CudaCompat {
  cudaOfImage(image: string): string | null;
  cudaVersionsFor(framework: 'pytorch' | 'tensorflow', version: string): string[] | null;
}

const DEFAULT_PYTHON = '3.11';

// ---------------------------------------------------------------- lookups

/** Every released CUDA minor the table knows (driver table keys), ascending. */
export function knownCudaMinors(): string[] {
  return Object.keys(CUDA_TABLE.driverMin.toolkit).sort(compareVersions);
}

export interface RowMatch<T> {
  row: T;
  /** The pin is exactly this row (false: matched by major.minor series). */
  exact: boolean;
}

export function findTorchRow(version: string): RowMatch<TorchRow> | null {
  const pin = parsePin(version);
  if (!pin) return null;
  const exact = CUDA_TABLE.torch.find((r) => r.version === pin.version);
  if (exact) return { row: exact, exact: true };
  // `2.3` and `2.3.7` map to the newest row of the 2.3 series.
  const same = CUDA_TABLE.torch.filter((r) => series(r.version) === series(pin.version));
  const last = same[same.length - 1];
  return last ? { row: last, exact: false } : null;
}

export function findTensorflowRow(version: string): RowMatch<TensorflowRow> | null {
  const pin = parsePin(version);
  if (!pin) return null;
  const exact = CUDA_TABLE.tensorflow.find((r) => r.version === pin.version);
  if (exact) return { row: exact, exact: true };
  const row = CUDA_TABLE.tensorflow.find((r) => r.series === series(pin.version));
  return row ? { row, exact: false } : null;
}

function jaxKnown(version: string): boolean {
  const j = CUDA_TABLE.jax;
  return compareVersions(version, j.oldestKnown) >= 0 && compareVersions(series(version), series(j.newestKnown)) <= 0;
}

function jaxExtras(version: string | null): JaxExtraRule[] {
  return CUDA_TABLE.jax.extras.filter(
    (r) =>
      version === null
        ? r.to === null
        : compareVersions(version, r.from) >= 0 && (r.to === null || compareVersions(version, r.to) <= 0),
  );
}

export function findOrtRule(version: string): OrtRule | null {
  const pin = parsePin(version);
  if (!pin) return null;
  const s = series(pin.version);
  return CUDA_TABLE.onnxruntime.find((r) => compareVersions(s, r.from) >= 0 && compareVersions(s, r.to) <= 0) ?? null;
}

function minorsFrom(major: number, min: string): string[] {
  return knownCudaMinors().filter((c) => cudaMajor(c) === major && compareVersions(c, min) >= 0);
}

function ortCudas(rule: OrtRule): string[] {
  const out = new Set<string>();
  for (const b of rule.builds) for (const c of minorsFrom(cudaMajor(b.cuda), b.cuda)) out.add(c);
  return [...out].sort(compareVersions);
}

export function nvidiaCudaRow(cuda: string): NvidiaCudaRow | null {
  return CUDA_TABLE.nvidiaCuda.find((r) => r.cuda === cuda) ?? null;
}

/** The runtime+cuDNN nvidia/cuda tag for a CUDA minor, or null when the table has none. */
export function nvidiaCudaImage(cuda: string, ubuntu: '22.04' | '24.04' = '22.04'): { image: string; ubuntu: '22.04' | '24.04'; cudnnMajor: number } | null {
  const row = nvidiaCudaRow(cuda);
  if (!row) return null;
  const preferred = ubuntu === '24.04' ? row.ubuntu2404 : row.ubuntu2204;
  if (preferred) return { image: preferred, ubuntu, cudnnMajor: row.cudnnMajor };
  const other = ubuntu === '24.04' ? row.ubuntu2204 : row.ubuntu2404;
  return other ? { image: other, ubuntu: ubuntu === '24.04' ? '22.04' : '24.04', cudnnMajor: row.cudnnMajor } : null;
}

export function pythonSlimImage(python: string | null | undefined): string {
  return `python:${pythonMinor(python) ?? DEFAULT_PYTHON}-slim`;
}

// ---------------------------------------------------------------- public API

/**
 * CUDA major.minor versions a framework version supports, or null when the table does not know
 * the version. Patch variants map to their series (2.3.7 -> the 2.3 row); local labels are stripped.
 */
export function cudaVersionsFor(framework: CudaFramework, version: string): string[] | null {
  const pin = parsePin(version);
  if (!pin) return null;
  switch (framework) {
    case 'pytorch': {
      const m = findTorchRow(version);
      return m ? m.row.variants.map((v) => v.cuda) : null;
    }
    case 'tensorflow': {
      const m = findTensorflowRow(version);
      return m ? [...m.row.cuda] : null;
    }
    case 'jax': {
      if (!jaxKnown(pin.version)) return null;
      const out = new Set<string>();
      for (const r of jaxExtras(pin.version)) for (const c of minorsFrom(r.cudaMajor, r.cudaMin)) out.add(c);
      return [...out].sort(compareVersions);
    }
    case 'onnxruntime': {
      const rule = findOrtRule(version);
      return rule ? ortCudas(rule) : null;
    }
  }
}

function splitImage(image: string): { repo: string; tag: string } | null {
  const ref = image.trim().split('@')[0] ?? '';
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon <= slash) return null;
  let repo = ref.slice(0, colon).toLowerCase();
  repo = repo.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '').replace(/^library\//, '');
  return { repo, tag: ref.slice(colon + 1) };
}

/** The CUDA major.minor an image reference carries, or null (CPU image, or unknown to the table). */
export function cudaOfImage(image: string): string | null {
  const ref = splitImage(image);
  if (!ref) return null;
  const { repo, tag } = ref;
  if (repo === 'nvidia/cuda' || repo === 'nvcr.io/nvidia/cuda') {
    const m = /^(\d+)\.(\d+)(?:\.\d+)?-/.exec(tag);
    return m ? `${m[1]}.${m[2]}` : null;
  }
  if (repo === 'pytorch/pytorch' || repo === 'ghcr.io/pytorch/pytorch') {
    const m = /-cuda(\d+\.\d+)-/.exec(tag);
    return m && m[1] ? m[1] : null;
  }
  if (repo === 'tensorflow/tensorflow') {
    const m = /^(\d+\.\d+\.\d+)-gpu(?:-jupyter)?$/.exec(tag);
    const row = m && m[1] ? findTensorflowRow(m[1]) : null;
    return row ? (row.row.cuda[0] ?? null) : null;
  }
  if (repo === 'nvcr.io/nvidia/tritonserver') {
    const m = /^(\d\d\.\d\d)-/.exec(tag);
    return (m && CUDA_TABLE.triton.find((t) => t.release === m[1])?.cuda) ?? null;
  }
  return null;
}

export const cudaCompat: CudaCompat & {
  cudaVersionsFor(framework: CudaFramework, version: string): string[] | null;
} = { cudaOfImage, cudaVersionsFor };

function base(framework: GpuFramework, version: string | null): GpuBaseChoice {
  return {
    framework,
    version,
    image: '',
    cuda: '',
    cudnnMajor: null,
    strategy: 'cuda-base+pip',
    installHint: null,
    pipIndexUrl: null,
    gpuPackages: [],
    removePackages: [],
    imageSeen: false,
    minDriver: null,
    notes: [],
    known: true,
    error: null,
    sources: [],
  };
}

function withNvidiaBase(c: GpuBaseChoice, cuda: string, options: GpuBaseOptions): GpuBaseChoice {
  const img = nvidiaCudaImage(cuda, options.ubuntu);
  if (!img) {
    const have = CUDA_TABLE.nvidiaCuda.map((r) => r.cuda).join(', ');
    c.error ??= `no nvidia/cuda runtime+cuDNN tag for CUDA ${cuda} is in ModelDock's table (have: ${have}); EOL CUDA tags are deleted from Docker Hub`;
    c.cuda = cuda;
    return c;
  }
  c.image = img.image;
  c.cuda = cuda;
  c.cudnnMajor = img.cudnnMajor;
  c.strategy = 'cuda-base+pip';
  c.imageSeen = true;
  c.sources.push('COG-CUDA', 'USE');
  if (options.ubuntu !== undefined && img.ubuntu !== options.ubuntu) {
    c.notes.push(`nvidia/cuda has no Ubuntu ${options.ubuntu} tag for CUDA ${cuda} in the table; using Ubuntu ${img.ubuntu}.`);
  } else if (options.ubuntu === undefined && img.ubuntu === '24.04') {
    c.notes.push(`Only an Ubuntu 24.04 nvidia/cuda tag for CUDA ${cuda} is in the table.`);
  }
  c.notes.push(
    `Base ${img.image}: Python comes from Ubuntu ${img.ubuntu} (${img.ubuntu === '22.04' ? '3.10' : '3.12'}) in a virtualenv, not the project's Python.`,
  );
  return c;
}

function finish(c: GpuBaseChoice): GpuBaseChoice {
  c.minDriver = CUDA_TABLE.driverMin.toolkit[c.cuda] ?? null;
  if (c.minDriver) c.notes.push(`CUDA ${c.cuda} images want NVIDIA driver >= ${c.minDriver} on the host (CUDA release notes).`);
  c.sources = [...new Set(c.sources)];
  return c;
}

function badCuda(framework: string, version: string, wanted: string, supported: string[]): string {
  return `${framework} ${version} supports CUDA ${supported.join(', ')}; CUDA ${wanted} is not compatible`;
}

function unknownVersion(c: GpuBaseChoice, name: string, known: string, options: GpuBaseOptions): GpuBaseChoice {
  c.known = false;
  const cuda = options.cuda ?? CUDA_TABLE.defaults.generic.cuda;
  c.notes.push(
    `${name} ${c.version ?? ''} is not in ModelDock's CUDA table (known: ${known}); its CUDA support cannot be checked.` +
      (options.cuda
        ? ` Using the CUDA you chose (${options.cuda}) without verification.`
        : ` CUDA ${cuda} below is an UNVERIFIED placeholder: pick the CUDA version yourself.`),
  );
  withNvidiaBase(c, cuda, options);
  c.sources.push('MODELDOCK');
  return c;
}

function chooseTorch(version: string | null, options: GpuBaseOptions): GpuBaseChoice {
  const pinned = version !== null;
  const pin = version ? parsePin(version) : null;
  const v = pin?.version ?? CUDA_TABLE.defaults.pytorch.version;
  const c = base('pytorch', v);
  const match = findTorchRow(v);
  if (!match) {
    const r = CUDA_TABLE.torch;
    unknownVersion(c, 'torch', `${r[0]?.version}–${r[r.length - 1]?.version}`, options);
    c.pipIndexUrl = `https://download.pytorch.org/whl/${cudaTag(c.cuda)}`;
    c.installHint = `pip install torch==${v} --index-url ${c.pipIndexUrl}`;
    return finish(c);
  }
  const { row, exact } = match;
  c.sources.push(...row.sources);
  if (!pinned) c.notes.push(`torch is not pinned: defaulting to torch ${v} (${CUDA_TABLE.defaults.pytorch.reason}). Pin torch to make the image reproducible.`);
  else if (!exact) c.notes.push(`torch ${v} is not a release in the table; CUDA support is taken from the torch ${series(v)} series (row ${row.version}).`);
  const local = cudaFromLocal(pin?.local ?? null);
  const wanted = options.cuda ?? local ?? row.defaultCuda;
  const variant = row.variants.find((x) => x.cuda === wanted);
  if (!variant) {
    c.error = badCuda('torch', v, wanted, row.variants.map((x) => x.cuda));
    c.notes.push(c.error);
    c.cuda = wanted;
    return finish(c);
  }
  if (options.cuda && local && options.cuda !== local) {
    c.notes.push(`The pin says +cu${local.replace('.', '')} but CUDA ${options.cuda} was chosen; the chosen CUDA wins.`);
  }
  if (!options.cuda && !local) c.notes.push(`CUDA ${wanted} chosen by default: a stable wheel of torch ${row.version} in PyTorch's release matrix, the newest CUDA 12 one where there is one (CUDA 13 needs driver >= 580 and drops pre-Turing GPUs).`);
  if (variant.stability === 'experimental') c.notes.push(`CUDA ${wanted} is an experimental wheel for torch ${row.version} in PyTorch's release matrix.`);
  c.pipIndexUrl = variant.indexUrl;
  c.installHint = `pip install torch==${v} --index-url ${variant.indexUrl}`;
  c.cudnnMajor = row.cudnnMajor;
  const py = pythonMinor(options.python);
  if (py && !row.python.includes(py)) {
    c.notes.push(
      row.pythonExperimental.includes(py)
        ? `Python ${py} is only experimental for torch ${row.version}.`
        : `Python ${py} is not supported by torch ${row.version} (supported: ${row.python.join(', ')}).`,
    );
  }
  if (exact && options.prefer !== 'cuda-base' && variant.officialImage) {
    c.image = variant.officialImage;
    c.cuda = variant.cuda;
    c.strategy = 'official-image';
    c.imageSeen = variant.officialImageSeen;
    c.notes.push(
      variant.officialImageSeen
        ? `${variant.officialImage} was seen in public use.`
        : `${variant.officialImage} follows PyTorch's documented tag pattern but was not seen in use: check it with 'docker manifest inspect' before relying on it.`,
    );
    c.notes.push('The official PyTorch image ships its own Python (fixed per tag), which may differ from the project\'s.');
    return finish(c);
  }
  withNvidiaBase(c, variant.cuda, options);
  c.gpuPackages = [`torch==${v}`];
  if (c.error) c.notes.push(c.error);
  return finish(c);
}

function chooseTensorflow(version: string | null, options: GpuBaseOptions): GpuBaseChoice {
  const pinned = version !== null;
  const v = (version ? parsePin(version)?.version : null) ?? CUDA_TABLE.defaults.tensorflow.version;
  const c = base('tensorflow', v);
  const match = findTensorflowRow(v);
  if (!match) {
    const r = CUDA_TABLE.tensorflow;
    unknownVersion(c, 'tensorflow', `${r[0]?.version}–${r[r.length - 1]?.version}`, options);
    c.gpuPackages = [`tensorflow[and-cuda]==${v}`];
    c.installHint = `pip install "tensorflow[and-cuda]==${v}"`;
    return finish(c);
  }
  const { row, exact } = match;
  c.sources.push(...row.sources);
  c.notes.push(...row.notes);
  if (!pinned) c.notes.push(`tensorflow is not pinned: defaulting to TensorFlow ${v} (${CUDA_TABLE.defaults.tensorflow.reason}). Pin tensorflow to make the image reproducible.`);
  if (!exact) c.notes.push(`tensorflow ${v} is not a row of the tested-builds table; using the ${row.series} series row (${row.version}).`);
  const wanted = options.cuda ?? row.cuda[0] ?? '';
  if (!row.cuda.includes(wanted)) {
    c.error = badCuda('tensorflow', v, wanted, row.cuda);
    c.notes.push(c.error);
    c.cuda = wanted;
    return finish(c);
  }
  c.cuda = wanted;
  c.cudnnMajor = Number.parseInt(row.cudnn, 10);
  const py = pythonMinor(options.python);
  if (py && !row.python.includes(py)) c.notes.push(`Python ${py} is not in TensorFlow ${row.version}'s tested list (${row.python.join(', ')}).`);
  if (options.prefer === 'cuda-base' && row.andCudaExtra) {
    c.image = pythonSlimImage(options.python);
    c.strategy = 'python-base+pip-cuda';
    c.imageSeen = true;
    c.gpuPackages = [`tensorflow[and-cuda]==${v}`];
    c.installHint = `pip install "tensorflow[and-cuda]==${v}"`;
    c.notes.push(`tensorflow[and-cuda] brings CUDA ${wanted} and cuDNN ${row.cudnn} as NVIDIA pip wheels; the host needs only the driver.`);
    return finish(c);
  }
  if (options.prefer === 'cuda-base') c.notes.push(`tensorflow[and-cuda] does not exist for ${row.version}; using the official GPU image instead.`);
  c.image = row.gpuImage;
  c.strategy = 'official-image';
  c.imageSeen = row.gpuImageSeen;
  c.installHint = row.andCudaExtra ? `pip install "tensorflow[and-cuda]==${v}" (alternative to the image)` : null;
  if (exact === false || row.version !== v) c.notes.push(`The image carries TensorFlow ${row.version}; the project's pin ${v} is installed over it by the dependency layer.`);
  c.notes.push(`TensorFlow ${row.version} is built against CUDA ${wanted} / cuDNN ${row.cudnn} (tested build configurations).`);
  c.notes.push('The official TensorFlow image ships its own Python (fixed per tag), which may differ from the project\'s.');
  return finish(c);
}

function chooseJax(version: string | null, options: GpuBaseOptions): GpuBaseChoice {
  const v = version ? (parsePin(version)?.version ?? null) : null;
  const c = base('jax', v);
  c.strategy = 'python-base+pip-cuda';
  c.sources.push(...CUDA_TABLE.jax.sources);
  const py = pythonMinor(options.python);
  c.image = pythonSlimImage(py);
  c.imageSeen = true;
  if (v && !jaxKnown(v)) {
    c.known = false;
    c.cuda = options.cuda ?? '12.3';
    c.gpuPackages = [`jax[cuda${cudaMajor(c.cuda)}]==${v}`];
    c.installHint = `pip install "${c.gpuPackages[0]}"`;
    c.notes.push(
      `jax ${v} is not in ModelDock's table (known: ${CUDA_TABLE.jax.oldestKnown}–${CUDA_TABLE.jax.newestKnown}); the extra ${c.gpuPackages[0]} is an UNVERIFIED guess: check the JAX changelog.`,
    );
    return finish(c);
  }
  const rules = jaxExtras(v).filter((r) => r.extra !== 'cuda12_pip' || !jaxExtras(v).some((x) => x.extra === 'cuda12'));
  const wantedMajor = options.cuda ? cudaMajor(options.cuda) : null;
  const rule = wantedMajor !== null
    ? rules.find((r) => r.cudaMajor === wantedMajor && compareVersions(options.cuda ?? '', r.cudaMin) >= 0)
    : (rules.find((r) => r.extra === CUDA_TABLE.defaults.jax.extra) ?? rules.find((r) => r.cudaMajor === 12) ?? rules[0]);
  if (!rule) {
    const supported = cudaVersionsFor('jax', v ?? CUDA_TABLE.jax.newestKnown) ?? [];
    c.error = badCuda('jax', v ?? '(unpinned)', options.cuda ?? '?', supported);
    c.notes.push(c.error);
    c.cuda = options.cuda ?? '';
    return finish(c);
  }
  if (!v) c.notes.push(`jax is not pinned: using jax[${rule.extra}] (${CUDA_TABLE.defaults.jax.reason}). Pin jax to make the image reproducible.`);
  c.cuda = options.cuda ?? rule.builtWith;
  c.gpuPackages = [v ? `jax[${rule.extra}]==${v}` : `jax[${rule.extra}]`];
  c.installHint = `pip install "${c.gpuPackages[0]}"`;
  c.notes.push(
    `jax[${rule.extra}] installs CUDA ${rule.cudaMajor}.x and cuDNN as NVIDIA pip wheels (built with CUDA ${rule.builtWith}, works with >= ${rule.cudaMin}); the host needs driver >= ${rule.minDriver}, so a slim Python base is enough.`,
  );
  if (py) {
    const row = CUDA_TABLE.jax.python.find((r) => v !== null && compareVersions(v, r.from) >= 0 && compareVersions(v, r.to) <= 0);
    if (row && !row.python.includes(py)) c.notes.push(`Python ${py} is not supported by jax ${v} (supported: ${row.python.join(', ')}).`);
  }
  return finish(c);
}

function ortBuildFor(rule: OrtRule, cuda: string | undefined): OrtBuild | undefined {
  if (!cuda) return rule.builds[0];
  return rule.builds.find((b) => cudaMajor(b.cuda) === cudaMajor(cuda) && compareVersions(cuda, b.cuda) >= 0);
}

function chooseOnnxruntime(version: string | null, options: GpuBaseOptions): GpuBaseChoice {
  const v = version ? (parsePin(version)?.version ?? null) : null;
  const c = base('onnxruntime', v);
  c.removePackages = ['onnxruntime'];
  const rule = v ? findOrtRule(v) : (CUDA_TABLE.onnxruntime[CUDA_TABLE.onnxruntime.length - 1] ?? null);
  if (!rule) {
    const r = CUDA_TABLE.onnxruntime;
    unknownVersion(c, 'onnxruntime-gpu', `${r[0]?.from}–${r[r.length - 1]?.to}`, options);
    c.gpuPackages = [`onnxruntime-gpu==${v ?? ''}`];
    c.installHint = `pip install onnxruntime-gpu==${v ?? ''}`;
    return finish(c);
  }
  c.sources.push(...rule.sources);
  if (!v) c.notes.push(`onnxruntime is not pinned: assuming a current onnxruntime-gpu (${rule.from}+ rule: ${CUDA_TABLE.defaults.onnxruntime.reason}). Pin it to make the image reproducible.`);
  const build = ortBuildFor(rule, options.cuda);
  if (!build) {
    c.error = badCuda('onnxruntime-gpu', v ?? rule.from, options.cuda ?? '?', ortCudas(rule));
    c.notes.push(c.error);
    c.cuda = options.cuda ?? '';
    return finish(c);
  }
  let cuda = options.cuda;
  if (!cuda) {
    const def = CUDA_TABLE.defaults.onnxruntime.cuda;
    const candidates = CUDA_TABLE.nvidiaCuda.filter(
      (r) => cudaMajor(r.cuda) === cudaMajor(build.cuda) && r.cudnnMajor === build.cudnnMajor && compareVersions(r.cuda, build.cuda) >= 0,
    );
    cuda = candidates.find((r) => r.cuda === def)?.cuda ?? candidates[candidates.length - 1]?.cuda ?? build.cuda;
    if (cuda !== build.cuda) c.notes.push(`onnxruntime-gpu builds for CUDA ${cudaMajor(build.cuda)}.x run on any later minor of that major (ORT docs); CUDA ${cuda} has a runtime image with cuDNN ${build.cudnnMajor}.`);
  }
  withNvidiaBase(c, cuda, options);
  if (!c.error && c.cudnnMajor !== build.cudnnMajor) {
    const fits = CUDA_TABLE.nvidiaCuda.filter((r) => r.cudnnMajor === build.cudnnMajor && cudaMajor(r.cuda) === cudaMajor(build.cuda)).map((r) => r.cuda);
    c.error = `onnxruntime-gpu ${v ?? rule.from} needs cuDNN ${build.cudnnMajor}, but the nvidia/cuda image for CUDA ${cuda} has cuDNN ${c.cudnnMajor}; choose CUDA ${fits.join(' or ') || '(none in table)'}`;
  }
  if (c.error) c.notes.push(c.error);
  c.pipIndexUrl = build.feed;
  if (build.feed) c.notes.push(`CUDA 12 builds of onnxruntime-gpu ${rule.from}/${rule.to} come from the separate onnxruntime-cuda-12 feed (${build.feed}); PyPI's default is CUDA 11.8.`);
  c.gpuPackages = [v ? `onnxruntime-gpu==${v}` : 'onnxruntime-gpu'];
  c.installHint = `pip install ${c.gpuPackages[0]}${build.feed ? ` --extra-index-url ${build.feed}` : ''}`;
  c.notes.push('onnxruntime-gpu replaces onnxruntime (both provide the same module): the CPU package is uninstalled first.');
  return finish(c);
}

function chooseGeneric(options: GpuBaseOptions): GpuBaseChoice {
  const c = base('generic', null);
  const cuda = options.cuda ?? CUDA_TABLE.defaults.generic.cuda;
  if (!options.cuda) c.notes.push(`No CUDA framework pin to follow: CUDA ${cuda} (${CUDA_TABLE.defaults.generic.reason}).`);
  withNvidiaBase(c, cuda, options);
  if (c.error) c.notes.push(c.error);
  return finish(c);
}

/**
 * Chooses the GPU base image for a framework version. Never throws: an incompatible user CUDA
 * sets `error`, an unknown version sets `known: false`; both say why in `notes`.
 */
export function chooseGpuBase(framework: GpuFramework, version: string | null, options: GpuBaseOptions = {}): GpuBaseChoice {
  switch (framework) {
    case 'pytorch':
      return chooseTorch(version, options);
    case 'tensorflow':
      return chooseTensorflow(version, options);
    case 'jax':
      return chooseJax(version, options);
    case 'onnxruntime':
      return chooseOnnxruntime(version, options);
    case 'generic':
      return chooseGeneric(options);
  }
}

/** The CUDA versions a user may pick for a framework version, each with why (for the UI). */
export function compatibleCudaChoices(framework: GpuFramework, version: string | null): CudaChoice[] {
  const def = chooseGpuBase(framework, version);
  let cudas: string[];
  if (framework === 'generic' || !def.known) {
    cudas = CUDA_TABLE.nvidiaCuda.map((r) => r.cuda);
  } else if (framework === 'jax') {
    const v = version ? (parsePin(version)?.version ?? null) : null;
    cudas = [...new Set(jaxExtras(v).map((r) => r.builtWith))];
  } else {
    cudas = cudaVersionsFor(framework, version ?? def.version ?? '') ?? [];
  }
  const out: CudaChoice[] = [];
  for (const cuda of cudas) {
    const ch = chooseGpuBase(framework, version, { cuda });
    if (ch.error) continue;
    const why: string[] = [];
    if (!ch.known) why.push('framework version not in the table: unverified');
    if (framework === 'pytorch' && ch.known && ch.version) {
      const variant = findTorchRow(ch.version)?.row.variants.find((x) => x.cuda === cuda);
      if (variant) why.push(`${variant.stability} ${cudaTag(cuda)} wheel`);
    }
    if (framework === 'tensorflow') why.push('the CUDA TensorFlow was built and tested with');
    if (framework === 'jax') why.push(`via ${ch.gpuPackages[0] ?? 'jax'}`);
    if (framework === 'onnxruntime' && ch.pipIndexUrl) why.push('CUDA 12 feed build');
    why.push(ch.imageSeen ? `${ch.image} seen in use` : `${ch.image} by tag pattern (unchecked)`);
    if (ch.minDriver) why.push(`driver >= ${ch.minDriver}`);
    out.push({ cuda, image: ch.image, strategy: ch.strategy, recommended: cuda === def.cuda && !def.error, reason: why.join('; ') });
  }
  return out;
}
