// Framework version -> CUDA -> base image decisions, read from the committed table only.
// Nothing here guesses silently: a released version gets a plan whose image, Python and CUDA fit
// the table, or a refusal (`error`) that says why and what would work; a version the table does
// not know gets `verified: false` with the reason, and the caller decides whether to go on.
import { archNames, archRow, archVerdicts, supportsTarget, type BuildFacts } from './arch';
import { checkTorchFamily } from './companions';
import { cudaOfImage, nvidiaCudaRow, nvidiaImageFor, pickPython, pythonSlimImage, slimPythons, type Ubuntu } from './images';
import { CUDA_TABLE } from './table';
import type { GpuArch, GpuTarget, JaxExtra, JaxRelease, OrtBuild, OrtRule, TensorflowRow, TorchCudaVariant, TorchRow } from './types';
import { compareVersions, cudaFromLocal, cudaMajor, cudaTag, parsePin, pythonMinor, releaseOf, series } from './version';

export type CudaFramework = 'pytorch' | 'tensorflow' | 'jax' | 'onnxruntime';
export type GpuFramework = CudaFramework | 'generic';
/**
 * - official-image: the framework's own GPU image (pytorch/pytorch, tensorflow/tensorflow:-gpu)
 * - cuda-base+pip: nvidia/cuda runtime+cuDNN image, Python from the distro, framework from pip
 * - python-base+pip-cuda: python:3.X-slim; CUDA/cuDNN arrive as NVIDIA pip wheels (jax[cudaNN], tensorflow[and-cuda])
 */
export type GpuStrategy = 'official-image' | 'cuda-base+pip' | 'python-base+pip-cuda';

export interface GpuBaseOptions {
  /** User-chosen CUDA major.minor of the image; validated against the table. */
  cuda?: string;
  /** Detected project Python (any string containing X.Y). */
  python?: string | null;
  /** Prefer the framework's official image (default) or an nvidia/cuda base + pip. */
  prefer?: 'official-image' | 'cuda-base';
  /** Ubuntu of nvidia/cuda bases; 22.04 by default, another where the framework's Python needs it. */
  ubuntu?: Ubuntu;
  /** The GPU the image must have kernels for (`--gpu-arch`); `any` (default) only reports. */
  gpuArch?: GpuTarget;
  /** Extras declared on the framework package, e.g. ['cuda11_pip'] for `jax[cuda11_pip]==0.4.20`. */
  extras?: readonly string[];
  /** torchvision / torchaudio pins of the project: checked against the torch pin, or used to infer it. */
  companions?: { torchvision?: string | null; torchaudio?: string | null };
}

export interface ArchSupport {
  supported: GpuArch[];
  unsupported: { arch: GpuArch; reason: string }[];
}

export interface GpuBaseChoice {
  framework: GpuFramework;
  /** The framework version the choice is for (the default one when the project pins none). */
  version: string | null;
  image: string;
  /** CUDA major.minor of the image (for pip-CUDA strategies: of the CUDA wheels). */
  cuda: string;
  cudnnMajor: number | null;
  strategy: GpuStrategy;
  /** Human-readable install line, e.g. `pip install torch==2.3.1 --index-url https://download.pytorch.org/whl/cu121`. */
  installHint: string | null;
  /** Extra pip index the dependency install must see (torch cuXYZ index, ORT CUDA 12 feed). */
  pipIndexUrl: string | null;
  /** pip `-f` page the GPU packages come from (jax <= 0.4.25 CUDA jaxlib, torch < 1.11 `+cuXYZ` wheels). */
  pipFindLinks: string | null;
  /** Requirements the GPU image installs on top of the project's (e.g. `jax[cuda12]==0.4.30`). */
  gpuPackages: string[];
  /** Packages to remove first because the GPU package replaces them (onnxruntime -> onnxruntime-gpu). */
  removePackages: string[];
  /** The image tag was seen in public use (true) or only follows a documented pattern (false). */
  imageSeen: boolean;
  /** Linux driver the host needs (one number; the note says where it comes from). */
  minDriver: string | null;
  notes: string[];
  /** False when the framework version is not in the table: the choice is a placeholder. */
  known: boolean;
  /** False when any fact the choice rests on is a guess; `unverifiedReason` says which. */
  verified: boolean;
  unverifiedReason: string | null;
  /** Set when no image can carry the request (incompatible CUDA, architecture, Python...): a refusal. */
  error: string | null;
  /** With `error`: the nearest configuration that works. */
  suggestion: string | null;
  /** Python the image runs the project with; null for official images (fixed per tag). */
  python: string | null;
  /** CUDA of the framework build inside the image (a cu117 torch wheel in a CUDA 11.8 image: 11.7). */
  buildCuda: string | null;
  target: GpuTarget;
  archs: ArchSupport;
  sources: string[];
}

export interface CudaChoice {
  cuda: string;
  image: string;
  strategy: GpuStrategy;
  recommended: boolean;
  reason: string;
}

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
  const v = releaseOf(pin.version);
  const exact = CUDA_TABLE.torch.find((r) => r.version === v);
  if (exact) return { row: exact, exact: true };
  const same = CUDA_TABLE.torch.filter((r) => series(r.version) === series(v));
  const last = same[same.length - 1];
  return last ? { row: last, exact: false } : null;
}

export function findTensorflowRow(version: string): RowMatch<TensorflowRow> | null {
  const pin = parsePin(version);
  if (!pin) return null;
  const v = releaseOf(pin.version);
  const exact = CUDA_TABLE.tensorflow.find((r) => r.version === v);
  if (exact) return { row: exact, exact: true };
  const row = CUDA_TABLE.tensorflow.find((r) => r.series === series(v));
  return row ? { row, exact: false } : null;
}

export function findJaxRelease(version: string): JaxRelease | null {
  const pin = parsePin(version);
  if (!pin) return null;
  const v = releaseOf(pin.version);
  return CUDA_TABLE.jax.releases.find((r) => r.version === v) ?? null;
}

export function findOrtRule(version: string): OrtRule | null {
  const pin = parsePin(version);
  if (!pin) return null;
  const v = releaseOf(pin.version);
  const hit = CUDA_TABLE.onnxruntime.find((r) => compareVersions(v, r.from) >= 0 && compareVersions(v, r.to) <= 0);
  if (hit) return hit;
  // A patch between two released ones (1.20.1 has no onnxruntime-gpu build) follows its minor's rule.
  return CUDA_TABLE.onnxruntime.find((r) => compareVersions(series(v), series(r.from)) >= 0 && compareVersions(series(v), series(r.to)) <= 0) ?? null;
}

type ReleaseStatus =
  | { kind: 'released' }
  | { kind: 'refused'; reason: string; suggestion: string; sources: string[] }
  | { kind: 'unknown'; reason: string };

function releaseStatus(framework: CudaFramework, version: string): ReleaseStatus {
  const rel = CUDA_TABLE.releases;
  if (rel.yanked[framework].includes(version)) {
    return { kind: 'refused', reason: `${pipName(framework)} ${version} was yanked from PyPI (the release is withdrawn)`, suggestion: `pin another ${pipName(framework)} release`, sources: ['PYPI'] };
  }
  const rule = CUDA_TABLE.refused.find((r) => r.framework === framework && compareVersions(version, r.below) < 0);
  if (rule && (rel[framework].includes(version) || compareVersions(version, rule.below) < 0)) {
    return { kind: 'refused', reason: `${pipName(framework)} ${version}: ${rule.reason}`, suggestion: rule.suggestion, sources: rule.sources };
  }
  if (rel[framework].includes(version)) return { kind: 'released' };
  return { kind: 'unknown', reason: `${pipName(framework)} ${version} is not in ModelDock's CUDA table (not a release on PyPI as of ${rel.fetched}), so its CUDA builds are unknown` };
}

function pipName(framework: CudaFramework): string {
  return framework === 'pytorch' ? 'torch' : framework === 'onnxruntime' ? 'onnxruntime-gpu' : framework;
}

function minorsFrom(major: number, min: string): string[] {
  return knownCudaMinors().filter((c) => cudaMajor(c) === major && compareVersions(c, min) >= 0);
}

function ortCudas(rule: OrtRule): string[] {
  const out = new Set<string>();
  for (const b of rule.builds) for (const c of minorsFrom(cudaMajor(b.cuda), b.cuda)) out.add(c);
  return [...out].sort(compareVersions);
}

/** CPython versions with wheels for a framework release (null when the table has no list). */
export function pythonsFor(framework: GpuFramework, version: string | null): string[] | null {
  if (!version) return null;
  switch (framework) {
    case 'pytorch':
      return CUDA_TABLE.torch.find((r) => r.version === version)?.python ?? null;
    case 'tensorflow': {
      const w = CUDA_TABLE.tensorflowWheels[version];
      if (w && w.length) return w;
      return findTensorflowRow(version)?.row.python ?? null;
    }
    case 'jax':
      return findJaxRelease(version)?.python ?? null;
    case 'onnxruntime':
      return CUDA_TABLE.ortReleases.find((r) => r.version === version)?.python ?? null;
    case 'generic':
      return null;
  }
}

// ---------------------------------------------------------------- public: supported CUDA per release

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
      const r = findJaxRelease(version);
      if (!r) return null;
      const out = new Set<string>();
      for (const e of r.extras) for (const c of minorsFrom(e.cudaMajor, e.cudaMin)) out.add(c);
      return [...out].sort(compareVersions);
    }
    case 'onnxruntime': {
      const rule = findOrtRule(version);
      return rule ? ortCudas(rule) : null;
    }
  }
}

// ---------------------------------------------------------------- building a choice

function base(framework: GpuFramework, version: string | null, target: GpuTarget): GpuBaseChoice {
  return {
    framework,
    version,
    image: '',
    cuda: '',
    cudnnMajor: null,
    strategy: 'cuda-base+pip',
    installHint: null,
    pipIndexUrl: null,
    pipFindLinks: null,
    gpuPackages: [],
    removePackages: [],
    imageSeen: false,
    minDriver: null,
    notes: [],
    known: true,
    verified: true,
    unverifiedReason: null,
    error: null,
    suggestion: null,
    python: null,
    buildCuda: null,
    target,
    archs: { supported: [], unsupported: [] },
    sources: [],
  };
}

function refuse(c: GpuBaseChoice, error: string, suggestion: string | null): GpuBaseChoice {
  c.error = error;
  c.suggestion = suggestion;
  c.notes.push(suggestion ? `${error}. Instead: ${suggestion}.` : error);
  c.sources = [...new Set(c.sources)];
  return c;
}

function unverified(c: GpuBaseChoice, reason: string): void {
  c.known = false;
  c.verified = false;
  c.unverifiedReason = reason;
  c.sources.push('MODELDOCK');
}

/** Sets an nvidia/cuda base; false when the table has no tag for that CUDA with a fitting Python. */
function withNvidiaBase(c: GpuBaseChoice, cuda: string, options: GpuBaseOptions, pythons: readonly string[] = []): boolean {
  const img = nvidiaImageFor(cuda, pythons, options.ubuntu);
  if (!img) return false;
  c.image = img.image;
  c.cuda = cuda;
  c.cudnnMajor = img.cudnnMajor;
  c.strategy = 'cuda-base+pip';
  c.imageSeen = img.seen;
  c.python = img.python;
  c.sources.push('COG-CUDA', 'USE');
  if (options.ubuntu !== undefined && img.ubuntu !== options.ubuntu) {
    c.notes.push(`nvidia/cuda for CUDA ${cuda} has no Ubuntu ${options.ubuntu} tag with a Python ${c.framework} supports; using Ubuntu ${img.ubuntu}.`);
  }
  const project = pythonMinor(options.python);
  c.notes.push(
    `Base ${img.image}: Python ${img.python} comes from Ubuntu ${img.ubuntu} in a virtualenv${project && project !== img.python ? ` (the project declares ${project})` : ''}${img.seen ? '' : '; this tag is the runtime twin of a scraped devel tag, not seen in use'}.`,
  );
  const row = nvidiaCudaRow(cuda);
  if (row?.atRisk) c.notes.push(`NVIDIA deletes nvidia/cuda tags six months after a CUDA release's end of life; CUDA ${cuda} tags are next.`);
  return true;
}

function noNvidiaBase(cuda: string, pythons: readonly string[]): string {
  const row = nvidiaCudaRow(cuda);
  if (!row) return `nvidia/cuda has no runtime+cuDNN image for CUDA ${cuda} (end-of-life tags are deleted from Docker Hub)`;
  const offered = [row.ubuntu2004 && '20.04 (Python 3.8)', row.ubuntu2204 && '22.04 (Python 3.10)', row.ubuntu2404 && '24.04 (Python 3.12)'].filter(Boolean).join(', ');
  return `nvidia/cuda for CUDA ${cuda} exists for Ubuntu ${offered}, none of whose Python versions can install this release (it has wheels for Python ${pythons.join(', ')})`;
}

function setArchs(c: GpuBaseChoice, build: BuildFacts): void {
  const verdicts = archVerdicts(build);
  c.archs = {
    supported: verdicts.filter((v) => v.ok).map((v) => v.arch),
    unsupported: verdicts.filter((v) => !v.ok).map((v) => ({ arch: v.arch, reason: v.reason })),
  };
}

function finish(c: GpuBaseChoice, driver?: { min: string; why: string }): GpuBaseChoice {
  if (driver) c.minDriver = driver.min;
  else c.minDriver = CUDA_TABLE.driverMin.toolkit[c.cuda] ?? null;
  if (c.minDriver) {
    c.notes.push(driver ? `Host driver >= ${c.minDriver} (${driver.why}).` : `Host driver >= ${c.minDriver} (CUDA ${c.cuda} toolkit, NVIDIA release notes table 3).`);
  }
  if (c.archs.unsupported.length) {
    c.notes.push(
      `No kernels for ${archNames(c.archs.unsupported.map((u) => u.arch))} GPUs in this image (${c.archs.unsupported[0]?.reason ?? ''}${c.archs.unsupported.length > 1 ? '; …' : ''}); it runs on ${archNames(c.archs.supported) || 'no listed architecture'}.`,
    );
  }
  c.sources = [...new Set(c.sources)];
  return c;
}

function badCuda(framework: string, version: string, wanted: string, supported: string[], rule: string): string {
  return `${framework} ${version} supports CUDA ${supported.join(', ')}; CUDA ${wanted} is not compatible (${rule})`;
}

function targetName(target: GpuTarget): string {
  return target === 'any' ? 'any GPU' : `${archRow(target).name} (${archRow(target).examples})`;
}

// ---------------------------------------------------------------- PyTorch

function pickTorchDefault(fits: TorchCudaVariant[], row: TorchRow): TorchCudaVariant | undefined {
  const def = fits.find((v) => v.cuda === row.defaultCuda);
  if (def) return def;
  const byCuda = (a: TorchCudaVariant, b: TorchCudaVariant): number => compareVersions(a.cuda, b.cuda);
  const stable = fits.filter((v) => v.stability === 'stable').sort(byCuda);
  const twelve = stable.filter((v) => cudaMajor(v.cuda) === 12);
  return twelve[twelve.length - 1] ?? stable[stable.length - 1] ?? [...fits].sort(byCuda)[fits.length - 1];
}

/** The nearest torch release (at or after `from`) with a build that has kernels for the target. */
function nearestTorchFor(target: GpuTarget, from: string): string | null {
  const rows = CUDA_TABLE.torch.filter((r) => r.inReleaseMatrix || r.variants.some((v) => v.officialImage));
  const ordered = [...rows.filter((r) => compareVersions(r.version, from) >= 0), ...rows.filter((r) => compareVersions(r.version, from) < 0).reverse()];
  for (const r of ordered) {
    const v = r.variants.find((x) => supportsTarget({ cuda: x.cuda, framework: 'pytorch', version: r.version }, target));
    if (v) return `torch ${r.version} with its ${cudaTag(v.cuda)} build`;
  }
  return null;
}

function torchRequirement(version: string, variant: TorchCudaVariant): string {
  // find-links pages list every build: only the local label picks the CUDA one.
  return variant.findLinks && variant.localLabel ? `torch==${version}+${variant.localLabel}` : `torch==${version}`;
}

function torchInstall(c: GpuBaseChoice, version: string, variant: TorchCudaVariant): void {
  c.pipIndexUrl = variant.indexUrl;
  c.pipFindLinks = variant.findLinks;
  const req = torchRequirement(version, variant);
  c.installHint = `pip install ${req}${variant.indexUrl ? ` --index-url ${variant.indexUrl}` : ''}${variant.findLinks ? ` -f ${variant.findLinks}` : ''}`;
}

function chooseTorch(version: string | null, options: GpuBaseOptions): GpuBaseChoice {
  const target = options.gpuArch ?? 'any';
  const pin = version ? parsePin(version) : null;
  const family = checkTorchFamily({ torch: version, ...(options.companions ?? {}) });
  const v = pin ? releaseOf(pin.version) : (family.torch ?? CUDA_TABLE.defaults.pytorch.version);
  const c = base('pytorch', v, target);
  c.notes.push(...family.notes);
  if (family.errors.length) return refuse(c, family.errors.join('; '), null);
  if (!pin && !family.torch) c.notes.push(`torch is not pinned: defaulting to torch ${v} (${CUDA_TABLE.defaults.pytorch.reason}). Pin torch to make the image reproducible.`);
  if (version && pin && pin.version !== v && !/^\d+\.\d+\.\d+/.test(pin.version)) c.notes.push(`torch==${pin.version} means torch ${v} to pip.`);

  const status = releaseStatus('pytorch', v);
  if (status.kind === 'refused') {
    c.sources.push(...status.sources);
    return refuse(c, status.reason, status.suggestion);
  }
  const match = findTorchRow(v);
  const row = match?.exact ? match.row : null;
  if (!row) return unknownTorch(c, v, match?.row ?? null, status.kind === 'unknown' ? status.reason : `torch ${v} is not in ModelDock's table`, options);
  c.sources.push(...row.sources);
  c.notes.push(...row.notes);

  const localRaw = pin?.local ?? (family.cudaLabel ? cudaTag(family.cudaLabel) : null);
  if (localRaw === 'cpu') return refuse(c, `torch==${v}+cpu is the CPU build: a GPU image cannot use it`, `drop the +cpu label (or pick the CPU target)`);
  const local = cudaFromLocal(localRaw);
  const cudas = row.variants.map((x) => x.cuda);
  let variant: TorchCudaVariant | undefined;
  const imageCuda = options.cuda ?? null;
  if (local) {
    variant = row.variants.find((x) => x.cuda === local);
    if (!variant) return refuse(c, `torch ${v}+${localRaw} is not a build PyTorch published (builds: ${row.variants.map((x) => cudaTag(x.cuda)).join(', ')})`, `pin one of those labels`);
    if (imageCuda && (cudaMajor(imageCuda) !== cudaMajor(local) || compareVersions(imageCuda, local) < 0)) {
      return refuse(c, `the pin torch==${v}+${localRaw} is a CUDA ${local} build; a CUDA ${imageCuda} image cannot carry it (same CUDA major, not older, is needed)`, `use --cuda ${local} or drop the +${localRaw} label`);
    }
  } else if (imageCuda) {
    // The wheel bundles its CUDA runtime: any image of the same major, not older than the wheel, runs it.
    const same = row.variants.filter((x) => cudaMajor(x.cuda) === cudaMajor(imageCuda) && compareVersions(x.cuda, imageCuda) <= 0);
    variant = row.variants.find((x) => x.cuda === imageCuda) ?? same.sort((a, b) => compareVersions(a.cuda, b.cuda))[same.length - 1];
    if (!variant) {
      return refuse(c, badCuda('torch', v, imageCuda, cudas, 'the image needs the CUDA major of a torch build and must not be older than it'), `use --cuda ${row.defaultCuda}`);
    }
    if (variant.cuda !== imageCuda) c.notes.push(`torch ${v} has no ${cudaTag(imageCuda)} wheel: its ${cudaTag(variant.cuda)} wheel runs in the CUDA ${imageCuda} image (the wheel bundles its CUDA ${variant.cuda} runtime; same major).`);
  } else {
    const fits = row.variants.filter((x) => supportsTarget({ cuda: x.cuda, framework: 'pytorch', version: v }, target));
    variant = pickTorchDefault(fits, row);
    if (!variant) {
      const why = archVerdicts({ cuda: row.variants[row.variants.length - 1]?.cuda ?? '0', framework: 'pytorch', version: v }).find((x) => x.arch === target)?.reason ?? '';
      return refuse(c, `torch ${v} has no build with kernels for ${targetName(target)}: ${why}`, nearestTorchFor(target, v));
    }
    if (target !== 'any' && variant.cuda !== row.defaultCuda) c.notes.push(`CUDA ${variant.cuda} chosen for ${archRow(target as GpuArch).name}: torch ${v}'s default ${cudaTag(row.defaultCuda)} build has no kernels for it.`);
    else if (target === 'any') {
      c.notes.push(
        row.inReleaseMatrix
          ? `CUDA ${variant.cuda} chosen by default: a stable wheel of torch ${v} in PyTorch's release matrix, the newest CUDA 12 one where there is one (CUDA 13 needs driver >= 580 and drops pre-Turing GPUs).`
          : `CUDA ${variant.cuda} chosen by default: ${row.variants.some((x) => x.officialImageSeen) ? 'the build of the pytorch/pytorch image seen in use for this series' : 'the only build the table knows for this release'}.`,
      );
    }
  }
  const build: BuildFacts = { cuda: variant.cuda, framework: 'pytorch', version: v };
  if (target !== 'any' && !supportsTarget(build, target)) {
    const why = archVerdicts(build).find((x) => x.arch === target)?.reason ?? '';
    const other = row.variants.find((x) => supportsTarget({ cuda: x.cuda, framework: 'pytorch', version: v }, target));
    return refuse(c, `torch ${v} with CUDA ${variant.cuda} has no kernels for ${targetName(target)}: ${why}`, other ? `use --cuda ${other.cuda}` : nearestTorchFor(target, v));
  }
  if (variant.stability === 'experimental') c.notes.push(`CUDA ${variant.cuda} is an experimental wheel for torch ${v} in PyTorch's release matrix.`);
  c.buildCuda = variant.cuda;
  c.cudnnMajor = variant.cudnnMajor;
  setArchs(c, build);
  torchInstall(c, v, variant);

  const cudaForImage = imageCuda ?? variant.cuda;
  const project = pythonMinor(options.python);
  if (project && !row.python.includes(project)) {
    c.notes.push(`torch ${v} has no wheels for the project's Python ${project} (it has ${row.python.join(', ')}).`);
  }
  // The framework's own image for this build: the exact tag, or a same-series one with the pin installed on top.
  const official = cudaForImage === variant.cuda ? officialTorchImage(row, v, variant) : null;
  const chosen = variant;
  const useOfficial = (o: { image: string; seen: boolean; sibling: string | null }): GpuBaseChoice => {
    const variant = chosen;
    c.image = o.image;
    c.cuda = variant.cuda;
    c.strategy = 'official-image';
    c.imageSeen = o.seen;
    c.python = null;
    if (o.sibling) {
      c.gpuPackages = [torchRequirement(v, variant)];
      c.notes.push(`No pytorch/pytorch image of torch ${v} is known: ${o.image} (torch ${o.sibling}, same CUDA ${variant.cuda} build) is the base and torch ${v} is installed over it.`);
    } else {
      c.notes.push(
        o.seen
          ? `${o.image} was seen in public use.`
          : `${o.image} follows PyTorch's documented tag pattern but was not seen in use: check it with 'docker manifest inspect' before relying on it.`,
      );
    }
    c.notes.push("The official PyTorch image ships its own Python and torch (fixed per tag), which may differ from the project's.");
    return finish(c);
  };
  if (official && options.prefer !== 'cuda-base') return useOfficial(official);
  if (withNvidiaBase(c, cudaForImage, options, row.python)) {
    c.gpuPackages = [torchRequirement(v, variant)];
    return finish(c);
  }
  if (official) {
    c.notes.push(`${noNvidiaBase(cudaForImage, row.python)}: using the official image instead.`);
    return useOfficial(official);
  }
  const alt = row.variants.find((x) => x.officialImage || nvidiaImageFor(x.cuda, row.python));
  return refuse(c, `no image can carry torch ${v} with CUDA ${cudaForImage}: ${noNvidiaBase(cudaForImage, row.python)}`, alt ? `use --cuda ${alt.cuda}` : `upgrade to torch 1.13.1 or later`);
}

function officialTorchImage(row: TorchRow, v: string, variant: TorchCudaVariant): { image: string; seen: boolean; sibling: string | null } | null {
  if (variant.officialImage) return { image: variant.officialImage, seen: variant.officialImageSeen, sibling: null };
  const sibling = CUDA_TABLE.torch
    .filter((r) => series(r.version) === series(v) && r.version !== row.version)
    .flatMap((r) => r.variants.filter((x) => x.cuda === variant.cuda && x.officialImageSeen && x.officialImage).map((x) => ({ r, x })))
    .pop();
  return sibling?.x.officialImage ? { image: sibling.x.officialImage, seen: true, sibling: sibling.r.version } : null;
}

function unknownTorch(c: GpuBaseChoice, v: string, seriesRow: TorchRow | null, reason: string, options: GpuBaseOptions): GpuBaseChoice {
  const rows = CUDA_TABLE.torch;
  unverified(c, `${reason}; the CUDA below is a placeholder (known releases: ${rows[0]?.version}–${rows[rows.length - 1]?.version})`);
  const cuda = options.cuda ?? seriesRow?.defaultCuda ?? CUDA_TABLE.defaults.generic.cuda;
  const variant = seriesRow?.variants.find((x) => x.cuda === cuda);
  c.notes.push(`UNVERIFIED: ${c.unverifiedReason}. ${options.cuda ? `Using the CUDA you chose (${options.cuda}) without verification.` : `CUDA ${cuda} is a guess: pick the CUDA version yourself.`}`);
  if (!withNvidiaBase(c, cuda, { ...options, ubuntu: options.ubuntu ?? '24.04' })) {
    return refuse(c, noNvidiaBase(cuda, []), `choose another --cuda (${CUDA_TABLE.nvidiaCuda.map((r) => r.cuda).join(', ')})`);
  }
  c.buildCuda = cuda;
  c.pipIndexUrl = variant?.indexUrl ?? `https://download.pytorch.org/whl/${cudaTag(cuda)}`;
  c.gpuPackages = [`torch==${v}`];
  c.installHint = `pip install torch==${v} --index-url ${c.pipIndexUrl}`;
  setArchs(c, { cuda, framework: 'pytorch', version: v });
  return finish(c);
}

// ---------------------------------------------------------------- TensorFlow

const TF_AND_CUDA_DRIVER = '525.60.13';

function nearestTensorflowFor(target: GpuTarget, from: string): string | null {
  const rows = CUDA_TABLE.tensorflow;
  const ordered = [...rows.filter((r) => compareVersions(r.version, from) >= 0), ...rows.filter((r) => compareVersions(r.version, from) < 0).reverse()];
  const hit = ordered.find((r) => supportsTarget({ cuda: r.cuda[0] ?? '0', framework: 'tensorflow' }, target));
  return hit ? `TensorFlow ${hit.version} (CUDA ${hit.cuda[0]})` : null;
}

function chooseTensorflow(version: string | null, options: GpuBaseOptions): GpuBaseChoice {
  const target = options.gpuArch ?? 'any';
  const pin = version ? parsePin(version) : null;
  const v = pin ? releaseOf(pin.version) : CUDA_TABLE.defaults.tensorflow.version;
  const c = base('tensorflow', v, target);
  if (!pin) c.notes.push(`tensorflow is not pinned: defaulting to TensorFlow ${v} (${CUDA_TABLE.defaults.tensorflow.reason}). Pin tensorflow to make the image reproducible.`);
  const status = releaseStatus('tensorflow', v);
  if (status.kind === 'refused') {
    c.sources.push(...status.sources);
    return refuse(c, status.reason, status.suggestion);
  }
  const match = findTensorflowRow(v);
  if (!match) {
    const r = CUDA_TABLE.tensorflow;
    unverified(c, `${status.kind === 'unknown' ? status.reason : `tensorflow ${v} is not in the tested-build table`} (known: ${r[0]?.version}–${r[r.length - 1]?.version})`);
    const cuda = options.cuda ?? '12.5';
    c.notes.push(`UNVERIFIED: ${c.unverifiedReason}. tensorflow[and-cuda]==${v} on slim Python is a guess: check TensorFlow's tested build configurations.`);
    c.python = pickPython(options.python, slimPythons().filter((p) => compareVersions(p, '3.10') >= 0)) ?? '3.12';
    c.image = pythonSlimImage(c.python);
    c.imageSeen = true;
    c.strategy = 'python-base+pip-cuda';
    c.cuda = cuda;
    c.buildCuda = cuda;
    c.gpuPackages = [`tensorflow[and-cuda]==${v}`];
    c.installHint = `pip install "tensorflow[and-cuda]==${v}"`;
    setArchs(c, { cuda, framework: 'tensorflow' });
    return finish(c, { min: TF_AND_CUDA_DRIVER, why: 'tensorflow[and-cuda], TensorFlow pip install guide' });
  }
  const { row, exact } = match;
  if (status.kind === 'unknown') unverified(c, `${status.reason}; facts of the ${row.series} series are used`);
  c.sources.push(...row.sources);
  c.notes.push(...row.notes);
  if (!exact) c.notes.push(`tensorflow ${v} is not a row of the tested-build table; using the ${row.series} series row (${row.version}).`);
  const tfCuda = row.cuda[0] ?? '';
  const wanted = options.cuda ?? tfCuda;
  if (!row.cuda.includes(wanted)) {
    return refuse(c, badCuda('tensorflow', v, wanted, row.cuda, 'TensorFlow links the CUDA and cuDNN of its tested build: the image must carry exactly that CUDA'), `use --cuda ${tfCuda}`);
  }
  const build: BuildFacts = { cuda: wanted, framework: 'tensorflow' };
  if (target !== 'any' && !supportsTarget(build, target)) {
    const why = archVerdicts(build).find((x) => x.arch === target)?.reason ?? '';
    const nearest = nearestTensorflowFor(target, v);
    return refuse(
      c,
      `TensorFlow ${v} (CUDA ${wanted}) has no kernels for ${targetName(target)}: ${why}`,
      nearest ?? `no TensorFlow release in the tested-build table is built with CUDA >= ${archRow(target as GpuArch).minCuda}; use another framework for ${archRow(target as GpuArch).name} GPUs`,
    );
  }
  c.cuda = wanted;
  c.buildCuda = wanted;
  c.cudnnMajor = Number.parseInt(row.cudnn, 10);
  setArchs(c, build);
  const wheelsPy = pythonsFor('tensorflow', v) ?? row.python;
  const project = pythonMinor(options.python);
  if (project && !wheelsPy.includes(project)) c.notes.push(`TensorFlow ${v} has no wheels for the project's Python ${project} (it has ${wheelsPy.join(', ')}).`);
  if (options.prefer === 'cuda-base' && row.andCudaExtra) {
    const py = pickPython(options.python, wheelsPy);
    if (py) {
      c.python = py;
      c.image = pythonSlimImage(py);
      c.strategy = 'python-base+pip-cuda';
      c.imageSeen = true;
      c.gpuPackages = [`tensorflow[and-cuda]==${v}`];
      c.installHint = `pip install "tensorflow[and-cuda]==${v}"`;
      if (project && py !== project) c.notes.push(`Python ${py} instead of the project's ${project}: TensorFlow ${v} has wheels for ${wheelsPy.join(', ')}.`);
      c.notes.push(`tensorflow[and-cuda] brings CUDA ${wanted} and cuDNN ${row.cudnn} as NVIDIA pip wheels; the host needs only the driver.`);
      return finish(c, { min: TF_AND_CUDA_DRIVER, why: 'tensorflow[and-cuda], TensorFlow pip install guide' });
    }
  }
  if (options.prefer === 'cuda-base') c.notes.push(`tensorflow[and-cuda] does not exist for ${row.version}; using the official GPU image instead.`);
  c.image = row.gpuImage;
  c.strategy = 'official-image';
  c.imageSeen = row.gpuImageSeen;
  c.installHint = row.andCudaExtra ? `pip install "tensorflow[and-cuda]==${v}" (alternative to the image)` : null;
  if (row.version !== v) c.notes.push(`The image carries TensorFlow ${row.version}; the project's pin ${v} is installed over it by the dependency layer (same CUDA ${wanted} build).`);
  c.notes.push(`TensorFlow ${row.version} is built against CUDA ${wanted} / cuDNN ${row.cudnn} (tested build configurations).`);
  c.notes.push("The official TensorFlow image ships its own Python (fixed per tag), which may differ from the project's.");
  return finish(c);
}

// ---------------------------------------------------------------- JAX

const JAX_CUDA_EXTRA = /^cuda(\d+)?(?:_pip|_local|-local)?$|^cuda\d+_cudnn\d+$/;

/** `cuda12_pip` -> {12, pip}; `cuda12-local` / `cuda11_cudnn86` -> {major, local}; `cuda` -> the release's default. */
function parseJaxExtra(extra: string): { major: number | null; pip: boolean; local: boolean } {
  const m = /^cuda(\d+)?(_pip|_local|-local|_cudnn\d+)?$/.exec(extra);
  const major = m?.[1] ? Number(m[1]) : null;
  const suffix = m?.[2] ?? '';
  return { major, pip: suffix === '_pip', local: suffix === '_local' || suffix === '-local' || suffix.startsWith('_cudnn') };
}

function jaxExtraSupports(e: JaxExtra, target: GpuTarget): boolean {
  return supportsTarget({ cuda: e.builtWith, framework: 'jax' }, target);
}

function chooseJax(version: string | null, options: GpuBaseOptions): GpuBaseChoice {
  const target = options.gpuArch ?? 'any';
  const pin = version ? parsePin(version) : null;
  const newest = CUDA_TABLE.jax.releases[CUDA_TABLE.jax.releases.length - 1];
  const v = pin ? releaseOf(pin.version) : (newest?.version ?? '0.0.0');
  const c = base('jax', pin ? v : null, target);
  c.strategy = 'python-base+pip-cuda';
  c.sources.push(...CUDA_TABLE.jax.sources);
  const declared = (options.extras ?? []).filter((e) => JAX_CUDA_EXTRA.test(e));
  const status = releaseStatus('jax', v);
  if (status.kind === 'refused') return refuse(c, status.reason, status.suggestion);
  const rel = findJaxRelease(v);
  if (!rel) {
    const major = options.cuda ? cudaMajor(options.cuda) : 12;
    unverified(c, `${status.kind === 'unknown' ? status.reason : `jax ${v} is not in the table`} (known: ${CUDA_TABLE.jax.releases[0]?.version}–${newest?.version})`);
    c.python = pickPython(options.python, newest?.python ?? ['3.12']) ?? '3.12';
    c.image = pythonSlimImage(c.python);
    c.imageSeen = true;
    c.cuda = options.cuda ?? (major === 13 ? '13.0' : '12.9');
    c.buildCuda = c.cuda;
    c.gpuPackages = [`jax[cuda${major}]==${v}`];
    c.installHint = `pip install "${c.gpuPackages[0]}"`;
    c.notes.push(`UNVERIFIED: ${c.unverifiedReason}. The extra ${c.gpuPackages[0]} is a guess: check the JAX changelog.`);
    setArchs(c, { cuda: c.cuda, framework: 'jax' });
    return finish(c, { min: major === 13 ? '580' : '525', why: `JAX installation guide, CUDA ${major} wheels` });
  }
  c.sources.push(...rel.sources);
  if (!pin) c.notes.push(`jax is not pinned: the GPU install pins jax ${v}, the newest release in the table. Pin jax in the project to make this explicit.`);

  let extra: JaxExtra | undefined;
  let local = false;
  if (declared.length) {
    const want = declared[0] ?? '';
    const parsed = parseJaxExtra(want);
    const major = parsed.major ?? (rel.extras.find((e) => e.extra === CUDA_TABLE.defaults.jax.extra) ?? rel.extras[0])?.cudaMajor ?? 12;
    local = parsed.local;
    extra = parsed.local
      ? (rel.extras.find((e) => e.cudaMajor === major && !e.extra.endsWith('_pip')) ?? rel.extras.find((e) => e.cudaMajor === major))
      : rel.extras.find((e) => e.extra === (parsed.major === null ? CUDA_TABLE.defaults.jax.extra : `cuda${major}${parsed.pip ? '_pip' : ''}`));
    if (!extra) {
      return refuse(
        c,
        `jax ${v} has no jax[${want}] extra (its CUDA extras: ${rel.extras.map((e) => e.extra).join(', ')})${major === 11 ? '; CUDA 11 support ended with jax 0.4.25' : ''}${major === 13 ? '; jax-cuda13-plugin wheels exist from jax 0.7.2' : ''}`,
        `use jax[${(rel.extras.find((e) => e.extra === CUDA_TABLE.defaults.jax.extra) ?? rel.extras[0])?.extra ?? 'cuda12'}]${major === 11 ? ' or pin jax<=0.4.25' : ''}`,
      );
    }
    if (options.cuda && cudaMajor(options.cuda) !== extra.cudaMajor) {
      return refuse(c, `jax[${want}] is a CUDA ${extra.cudaMajor} build; --cuda ${options.cuda} asks for CUDA ${cudaMajor(options.cuda)}`, `drop --cuda or use --cuda ${extra.builtWith}`);
    }
    c.notes.push(`Keeping the project's jax[${want}] extra.`);
  } else if (options.cuda) {
    const wanted = options.cuda;
    extra = rel.extras.filter((e) => e.cudaMajor === cudaMajor(wanted) && compareVersions(wanted, e.cudaMin) >= 0 && jaxExtraSupports(e, target))[0];
    if (!extra) {
      const supported = cudaVersionsFor('jax', v) ?? [];
      return refuse(c, badCuda('jax', v, wanted, supported, 'the CUDA major of a jax CUDA extra, not older than its minimum'), `use --cuda ${rel.extras[0]?.builtWith ?? '12'}`);
    }
  } else {
    const fits = rel.extras.filter((e) => jaxExtraSupports(e, target));
    extra = fits.find((e) => e.extra === CUDA_TABLE.defaults.jax.extra) ?? fits.find((e) => e.cudaMajor === 12 && !e.findLinks) ?? fits.find((e) => e.cudaMajor === 12) ?? fits[0];
    if (!extra) {
      const why = archVerdicts({ cuda: rel.extras[rel.extras.length - 1]?.builtWith ?? '0', framework: 'jax' }).find((x) => x.arch === target)?.reason ?? '';
      const next = CUDA_TABLE.jax.releases.find((r) => compareVersions(r.version, v) > 0 && r.extras.some((e) => jaxExtraSupports(e, target)));
      return refuse(c, `jax ${v} has no CUDA build with kernels for ${targetName(target)}: ${why}`, next ? `upgrade to jax ${next.version} or later` : null);
    }
  }
  if (target !== 'any' && !jaxExtraSupports(extra, target)) {
    const why = archVerdicts({ cuda: extra.builtWith, framework: 'jax' }).find((x) => x.arch === target)?.reason ?? '';
    return refuse(c, `jax[${extra.extra}]==${v} (built with CUDA ${extra.builtWith}) has no kernels for ${targetName(target)}: ${why}`, null);
  }
  const py = pickPython(options.python, rel.python);
  if (!py) return refuse(c, `jax ${v} has CUDA wheels for Python ${rel.python.join(', ')}, none of which has a python:X.Y-slim image in the table`, null);
  const project = pythonMinor(options.python);
  if (project && py !== project) c.notes.push(`Python ${py} instead of the project's ${project}: jax ${v} has CUDA wheels for Python ${rel.python.join(', ')} only.`);
  c.cuda = extra.builtWith;
  c.buildCuda = extra.builtWith;
  c.cudnnMajor = Number.parseInt(extra.cudnn, 10);
  const extraName = local ? `cuda${extra.cudaMajor}${compareVersions(v, '0.6.0') >= 0 ? '-local' : '_local'}` : extra.extra;
  c.gpuPackages = [`jax[${extraName}]==${v}`];
  c.pipFindLinks = extra.findLinks;
  c.installHint = `pip install "${c.gpuPackages[0]}"${extra.findLinks ? ` -f ${extra.findLinks}` : ''}`;
  setArchs(c, { cuda: extra.builtWith, framework: 'jax' });
  if (local) {
    // _local extras use the system CUDA: an nvidia/cuda base with the build's cuDNN major.
    const row = CUDA_TABLE.nvidiaCuda.find((r) => cudaMajor(r.cuda) === extra?.cudaMajor && compareVersions(r.cuda, extra.builtWith) >= 0 && r.cudnnMajor === c.cudnnMajor && nvidiaImageFor(r.cuda, rel.python));
    if (!row || !withNvidiaBase(c, row.cuda, options, rel.python)) {
      return refuse(c, `jax[${extraName}] needs a system CUDA ${extra.cudaMajor}.x >= ${extra.builtWith} with cuDNN ${extra.cudnn}, and no nvidia/cuda image in the table has it with a Python jax ${v} supports`, `use jax[${extra.extra}] (CUDA from pip wheels)`);
    }
    c.notes.push(`jax[${extraName}] uses the CUDA ${c.cuda} libraries of the nvidia/cuda image.`);
    return finish(c);
  }
  c.python = py;
  c.image = pythonSlimImage(py);
  c.imageSeen = true;
  c.notes.push(
    `jax[${extra.extra}] installs CUDA ${extra.cudaMajor}.x and cuDNN as NVIDIA pip wheels (jaxlib built with CUDA ${extra.builtWith}, runs with CUDA >= ${extra.cudaMin})${extra.findLinks ? `; its jaxlib CUDA wheels are only on ${extra.findLinks} (pip -f)` : ''}: a slim Python base is enough.`,
  );
  if (extra.confidence !== 'high') c.notes.push(`jax ${v} is newer than the JAX sources read for the table: its extras come from the PyPI metadata and the build CUDA is assumed unchanged since 0.11.0.`);
  return finish(c, { min: extra.minDriver, why: `JAX installation guide, CUDA ${extra.cudaMajor} wheels` });
}

// ---------------------------------------------------------------- ONNX Runtime

/** onnxruntime-gpu releases are sparser than onnxruntime's: the nearest one of the same minor. */
export function nearestOrtGpuRelease(version: string): { version: string; exact: boolean } | null {
  const v = releaseOf(version);
  const all = CUDA_TABLE.releases.onnxruntime;
  if (all.includes(v)) return { version: v, exact: true };
  const same = all.filter((r) => series(r) === series(v));
  const up = same.find((r) => compareVersions(r, v) > 0);
  const pick = up ?? same[same.length - 1];
  return pick ? { version: pick, exact: false } : null;
}

function ortImageCudas(build: OrtBuild): string[] {
  return CUDA_TABLE.nvidiaCuda
    .filter((r) => cudaMajor(r.cuda) === cudaMajor(build.cuda) && compareVersions(r.cuda, build.cuda) >= 0 && r.cudnnMajor === build.cudnnMajor)
    .map((r) => r.cuda);
}

function chooseOnnxruntime(version: string | null, options: GpuBaseOptions): GpuBaseChoice {
  const target = options.gpuArch ?? 'any';
  const pin = version ? parsePin(version) : null;
  const newest = CUDA_TABLE.releases.onnxruntime[CUDA_TABLE.releases.onnxruntime.length - 1] ?? '';
  let v = pin ? releaseOf(pin.version) : newest;
  const c = base('onnxruntime', pin ? v : null, target);
  c.removePackages = ['onnxruntime'];
  if (!pin) c.notes.push(`onnxruntime is not pinned: the GPU install pins onnxruntime-gpu ${v}, the newest release in the table. Pin it in the project to make this explicit.`);
  const status0 = releaseStatus('onnxruntime', v);
  if (status0.kind === 'refused') return refuse(c, status0.reason, status0.suggestion);
  if (status0.kind === 'unknown') {
    const near = nearestOrtGpuRelease(v);
    if (near && !near.exact && findOrtRule(near.version)) {
      c.notes.push(`onnxruntime-gpu has no ${v} release: using onnxruntime-gpu ${near.version}, the nearest release of the ${series(v)} series (the CPU package's ${v} is replaced).`);
      v = near.version;
      c.version = v;
    }
  }
  const rule = findOrtRule(v);
  const status = releaseStatus('onnxruntime', v);
  if (!rule || status.kind === 'unknown') {
    const r = CUDA_TABLE.onnxruntime;
    unverified(c, `${status.kind === 'unknown' ? status.reason : `onnxruntime-gpu ${v} is not in the table`} (known: ${r[0]?.from}–${r[r.length - 1]?.to})`);
    const cuda = options.cuda ?? '13.0';
    c.notes.push(`UNVERIFIED: ${c.unverifiedReason}. CUDA ${cuda} is a guess (onnxruntime-gpu >= 1.27 is built with CUDA 13.0).`);
    if (!withNvidiaBase(c, cuda, { ...options, ubuntu: options.ubuntu ?? '24.04' })) return refuse(c, noNvidiaBase(cuda, []), null);
    c.buildCuda = cuda;
    c.gpuPackages = [`onnxruntime-gpu==${v}`];
    c.installHint = `pip install onnxruntime-gpu==${v}`;
    setArchs(c, { cuda, framework: 'onnxruntime' });
    return finish(c);
  }
  c.sources.push(...rule.sources);
  const pythons = pythonsFor('onnxruntime', v) ?? [];
  const fitsTarget = (b: OrtBuild): boolean => supportsTarget({ cuda: b.cuda, framework: 'onnxruntime' }, target);
  let build: OrtBuild | undefined;
  if (options.cuda) {
    const wanted = options.cuda;
    build = rule.builds.find((b) => cudaMajor(b.cuda) === cudaMajor(wanted) && compareVersions(wanted, b.cuda) >= 0);
    if (!build) {
      return refuse(c, badCuda('onnxruntime-gpu', v, wanted, ortCudas(rule), 'a build of the same CUDA major, not newer than the image'), `use --cuda ${ortImageCudas(rule.builds[0] as OrtBuild)[0] ?? rule.builds[0]?.cuda}`);
    }
  } else {
    build = rule.builds.find((b) => fitsTarget(b) && ortImageCudas(b).some((cu) => nvidiaImageFor(cu, pythons)));
    if (!build) {
      const b0 = rule.builds[rule.builds.length - 1];
      const why = archVerdicts({ cuda: b0?.cuda ?? '0', framework: 'onnxruntime' }).find((x) => x.arch === target)?.reason ?? 'no nvidia/cuda image fits';
      const next = CUDA_TABLE.onnxruntime.find((r) => compareVersions(r.from, v) > 0 && r.builds.some(fitsTarget));
      return refuse(c, `onnxruntime-gpu ${v} has no build ModelDock can place on an image with kernels for ${targetName(target)}: ${why}`, next ? `upgrade to onnxruntime-gpu ${next.from} or later` : null);
    }
  }
  if (target !== 'any' && !fitsTarget(build)) {
    const why = archVerdicts({ cuda: build.cuda, framework: 'onnxruntime' }).find((x) => x.arch === target)?.reason ?? '';
    const next = CUDA_TABLE.onnxruntime.find((r) => compareVersions(r.from, v) > 0 && r.builds.some(fitsTarget));
    return refuse(c, `onnxruntime-gpu ${v} (CUDA ${build.cuda} build) has no kernels for ${targetName(target)}: ${why}`, next ? `upgrade to onnxruntime-gpu ${next.from} or later` : null);
  }
  let cuda = options.cuda;
  if (!cuda) {
    const candidates = ortImageCudas(build).filter((cu) => nvidiaImageFor(cu, pythons));
    const def = CUDA_TABLE.defaults.onnxruntime.cuda;
    cuda = candidates.find((cu) => cu === def) ?? candidates[0] ?? build.cuda;
    if (cuda !== build.cuda) c.notes.push(`onnxruntime-gpu ${v} is built with CUDA ${build.cuda}; CUDA ${cuda} (same major, not older) has a runtime image with cuDNN ${build.cudnnMajor}.`);
  }
  const row = nvidiaCudaRow(cuda);
  if (row && row.cudnnMajor !== build.cudnnMajor) {
    const fits = ortImageCudas(build);
    return refuse(
      c,
      `onnxruntime-gpu ${v}'s CUDA ${cudaMajor(build.cuda)} build needs cuDNN ${build.cudnnMajor}, but the nvidia/cuda image for CUDA ${cuda} has cuDNN ${row.cudnnMajor}`,
      fits.length ? `use --cuda ${fits.join(' or ')}` : rule.builds.length > 1 ? `use --cuda ${rule.builds[0]?.cuda} (the PyPI build)` : `upgrade onnxruntime-gpu`,
    );
  }
  if (!withNvidiaBase(c, cuda, options, pythons)) {
    return refuse(c, `no image can carry onnxruntime-gpu ${v} with CUDA ${cuda}: ${noNvidiaBase(cuda, pythons)}`, ortImageCudas(build).filter((cu) => nvidiaImageFor(cu, pythons)).map((cu) => `use --cuda ${cu}`)[0] ?? null);
  }
  c.buildCuda = build.cuda;
  setArchs(c, { cuda: build.cuda, framework: 'onnxruntime' });
  c.pipIndexUrl = build.feed;
  if (build.feed) c.notes.push(`The CUDA ${cudaMajor(build.cuda)} build of onnxruntime-gpu ${v} comes from the separate onnxruntime-cuda-12 feed (${build.feed}); PyPI's default is CUDA 11.8.`);
  const project = pythonMinor(options.python);
  if (project && !pythons.includes(project)) c.notes.push(`onnxruntime-gpu ${v} has no wheels for the project's Python ${project} (it has ${pythons.join(', ')}); the image's Python ${c.python} is used.`);
  c.gpuPackages = [`onnxruntime-gpu==${v}`];
  c.installHint = `pip install onnxruntime-gpu==${v}${build.feed ? ` --extra-index-url ${build.feed}` : ''}`;
  c.notes.push('onnxruntime-gpu replaces onnxruntime (both provide the same module): the CPU package is uninstalled first.');
  return finish(c);
}

// ---------------------------------------------------------------- generic

function chooseGeneric(options: GpuBaseOptions): GpuBaseChoice {
  const target = options.gpuArch ?? 'any';
  const c = base('generic', null, target);
  let cuda = options.cuda ?? CUDA_TABLE.defaults.generic.cuda;
  if (!options.cuda && target !== 'any' && !supportsTarget({ cuda, framework: 'generic' }, target)) {
    const next = CUDA_TABLE.nvidiaCuda.find((r) => supportsTarget({ cuda: r.cuda, framework: 'generic' }, target) && nvidiaImageFor(r.cuda));
    if (next) {
      c.notes.push(`CUDA ${next.cuda} instead of ${cuda}: ${archRow(target as GpuArch).name} needs CUDA >= ${archRow(target as GpuArch).minCuda}.`);
      cuda = next.cuda;
    }
  }
  if (!options.cuda && cuda === CUDA_TABLE.defaults.generic.cuda) c.notes.push(`No CUDA framework pin to follow: CUDA ${cuda} (${CUDA_TABLE.defaults.generic.reason}).`);
  if (target !== 'any' && !supportsTarget({ cuda, framework: 'generic' }, target)) {
    const why = archVerdicts({ cuda, framework: 'generic' }).find((x) => x.arch === target)?.reason ?? '';
    return refuse(c, `CUDA ${cuda} cannot target ${targetName(target)}: ${why}`, `use --cuda ${archRow(target as GpuArch).minCuda}`);
  }
  if (!withNvidiaBase(c, cuda, options)) return refuse(c, noNvidiaBase(cuda, []), `choose one of CUDA ${CUDA_TABLE.nvidiaCuda.map((r) => r.cuda).join(', ')}`);
  c.buildCuda = cuda;
  setArchs(c, { cuda, framework: 'generic' });
  c.notes.push('Kernels are whatever the project builds or installs: the architecture list below is what CUDA ' + cuda + ' can target.');
  return finish(c);
}

/**
 * Chooses the GPU base image for a framework version. Never throws: an impossible request sets
 * `error` (and `suggestion`), an unknown version sets `verified: false`; both say why in `notes`.
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
export function compatibleCudaChoices(framework: GpuFramework, version: string | null, gpuArch: GpuTarget = 'any'): CudaChoice[] {
  const def = chooseGpuBase(framework, version, { gpuArch });
  const candidates = new Set<string>(CUDA_TABLE.nvidiaCuda.map((r) => r.cuda));
  if (framework === 'pytorch') {
    const row = def.version ? findTorchRow(def.version)?.row : null;
    for (const x of row?.variants ?? []) candidates.add(x.cuda);
  } else if (framework === 'tensorflow') {
    for (const cu of cudaVersionsFor('tensorflow', def.version ?? '') ?? []) candidates.add(cu);
  } else if (framework === 'jax') {
    candidates.clear();
    for (const e of findJaxRelease(def.version ?? CUDA_TABLE.jax.releases[CUDA_TABLE.jax.releases.length - 1]?.version ?? '')?.extras ?? []) if (!e.extra.endsWith('_local')) candidates.add(e.builtWith);
  }
  const out: CudaChoice[] = [];
  for (const cuda of [...candidates].sort(compareVersions)) {
    const ch = chooseGpuBase(framework, version, { cuda, gpuArch });
    if (ch.error) continue;
    const why: string[] = [];
    if (!ch.verified) why.push('framework version not in the table: unverified');
    if (framework === 'pytorch' && ch.known && ch.version) {
      const variant = findTorchRow(ch.version)?.row.variants.find((x) => x.cuda === ch.buildCuda);
      if (variant) why.push(`${variant.stability} ${cudaTag(variant.cuda)} wheel`);
    }
    if (framework === 'tensorflow') why.push('the CUDA TensorFlow was built and tested with');
    if (framework === 'jax') why.push(`via ${ch.gpuPackages[0] ?? 'jax'}`);
    if (framework === 'onnxruntime' && ch.pipIndexUrl) why.push('CUDA 12 feed build');
    why.push(ch.imageSeen ? `${ch.image} seen in use` : `${ch.image} by tag pattern (unchecked)`);
    if (ch.minDriver) why.push(`driver >= ${ch.minDriver}`);
    if (ch.archs.unsupported.length) why.push(`no kernels for ${archNames(ch.archs.unsupported.map((u) => u.arch))}`);
    out.push({ cuda, image: ch.image, strategy: ch.strategy, recommended: cuda === def.cuda && !def.error, reason: why.join('; ') });
  }
  return out;
}

export { cudaOfImage };
