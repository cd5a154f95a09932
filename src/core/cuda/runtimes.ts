// Serving-runtime facts as pure functions: which TF Serving / TorchServe / Triton image serves a
// project, with what CUDA, and when none can. src/core/scaffold/runtimes.ts renders the files.
import { archNames, archRow, archVerdicts, supportsTarget, type BuildFacts } from './arch';
import { chooseGpuBase, findTorchRow, type ArchSupport } from './choose';
import { CUDA_TABLE } from './table';
import type { GpuArch, GpuTarget, TfServingRow, TritonRow } from './types';
import { compareVersions, cudaMajor, parsePin, releaseOf, series } from './version';

export interface ServingChoice {
  runtime: 'tfserving' | 'torchserve' | 'triton';
  /** Image to build FROM; empty when refused. */
  image: string;
  /** Serving release (TF Serving version, TorchServe version, Triton YY.MM). */
  release: string;
  /** CUDA of the image for GPU targets (TorchServe: of the torch build that runs); null on CPU. */
  cuda: string | null;
  cudnn: string | null;
  minDriver: string | null;
  /** Packages to install on top of the image (TorchServe: the project's torch build). */
  gpuPackages: string[];
  pipIndexUrl: string | null;
  /** Python inside the image, when the table knows it. */
  python: string | null;
  /** Set for runtimes whose project no longer ships fixes (TorchServe): show it in the UI. */
  maintenance: string | null;
  notes: string[];
  error: string | null;
  suggestion: string | null;
  verified: boolean;
  unverifiedReason: string | null;
  archs: ArchSupport;
  sources: string[];
}

export interface ServingOptions {
  gpu: boolean;
  cuda?: string | undefined;
  gpuArch?: GpuTarget | undefined;
}

function empty(runtime: ServingChoice['runtime'], release: string): ServingChoice {
  return {
    runtime,
    image: '',
    release,
    cuda: null,
    cudnn: null,
    minDriver: null,
    gpuPackages: [],
    pipIndexUrl: null,
    python: null,
    maintenance: null,
    notes: [],
    error: null,
    suggestion: null,
    verified: true,
    unverifiedReason: null,
    archs: { supported: [], unsupported: [] },
    sources: [],
  };
}

function refuse(s: ServingChoice, error: string, suggestion: string | null): ServingChoice {
  s.error = error;
  s.suggestion = suggestion;
  s.image = '';
  s.notes.push(suggestion ? `${error}. Instead: ${suggestion}.` : error);
  return s;
}

function setArchs(s: ServingChoice, build: BuildFacts): void {
  const v = archVerdicts(build);
  s.archs = { supported: v.filter((x) => x.ok).map((x) => x.arch), unsupported: v.filter((x) => !x.ok).map((x) => ({ arch: x.arch, reason: x.reason })) };
  if (s.archs.unsupported.length) s.notes.push(`No kernels for ${archNames(s.archs.unsupported.map((u) => u.arch))} GPUs in this image (${s.archs.unsupported[0]?.reason ?? ''}).`);
}

function targetCheck(s: ServingChoice, build: BuildFacts, target: GpuTarget, what: string, suggestion: string | null): boolean {
  if (target === 'any' || supportsTarget(build, target)) return true;
  const why = archVerdicts(build).find((x) => x.arch === target)?.reason ?? '';
  refuse(s, `${what} has no kernels for ${archRow(target as GpuArch).name} GPUs: ${why}`, suggestion);
  return false;
}

// ---------------------------------------------------------------- TF Serving

/** The released TF Serving image for a TensorFlow version: the same release, else the same minor's. */
export function tfServingRelease(tfVersion: string): { row: TfServingRow; exact: boolean } | null {
  const v = releaseOf(tfVersion);
  const exact = CUDA_TABLE.tfserving.find((r) => r.version === v);
  if (exact) return { row: exact, exact: true };
  const same = CUDA_TABLE.tfserving.filter((r) => series(r.version) === series(v));
  const row = same.find((r) => compareVersions(r.version, v) > 0) ?? same[same.length - 1];
  return row ? { row, exact: false } : null;
}

export function chooseTfServing(tfPin: string | null, options: ServingOptions): ServingChoice {
  const target = options.gpuArch ?? 'any';
  const pin = tfPin ? parsePin(tfPin) : null;
  const tf = pin ? releaseOf(pin.version) : CUDA_TABLE.defaults.tensorflow.version;
  const hit = tfServingRelease(tf);
  const s = empty('tfserving', hit?.row.version ?? '');
  s.sources.push('TFS-REPO', 'TFS-DOCKER');
  if (!pin) s.notes.push(`tensorflow is not pinned: serving with TF Serving ${hit?.row.version ?? '?'} (${CUDA_TABLE.defaults.tensorflow.reason}).`);
  if (!hit) {
    const rows = CUDA_TABLE.tfserving;
    const newest = rows[rows.length - 1]?.version ?? '';
    return refuse(
      s,
      `TF Serving has no release for TensorFlow ${series(tf)} (released: ${rows[0]?.version}–${newest}; none of ${series(tf)}.x)`,
      compareVersions(tf, newest) > 0 ? `serve with --runtime python, or try tensorflow/serving:${newest}-gpu if the SavedModel uses no ops newer than TensorFlow ${series(newest)}` : `pin TensorFlow ${rows[0]?.version} or later`,
    );
  }
  const row = hit.row;
  if (!hit.exact) s.notes.push(`TF Serving has no ${tf} release: tensorflow/serving:${row.version} is the released image of the ${series(tf)} series.`);
  if (!options.gpu) {
    s.image = row.cpuImage;
    return s;
  }
  if (options.cuda && options.cuda !== row.cuda) {
    return refuse(s, `tensorflow/serving:${row.version}-gpu is built with CUDA ${row.cuda} (cuDNN ${row.cudnn}); CUDA ${options.cuda} is not what it carries`, `use --cuda ${row.cuda}`);
  }
  const build: BuildFacts = { cuda: row.cuda, framework: 'tensorflow' };
  if (!targetCheck(s, build, target, `tensorflow/serving:${row.version}-gpu (CUDA ${row.cuda})`, 'no TF Serving release is built with a CUDA that has kernels for it; use --runtime python with a framework that supports the GPU')) return s;
  s.image = row.gpuImage;
  s.cuda = row.cuda;
  s.cudnn = row.cudnn;
  s.minDriver = CUDA_TABLE.driverMin.toolkit[row.cuda] ?? null;
  s.notes.push(`${row.gpuImage} carries CUDA ${row.cuda} and cuDNN ${row.cudnn} (its Dockerfile.gpu at tag ${row.version}), not the CUDA of TensorFlow's own pip build.`);
  if (s.minDriver) s.notes.push(`Host driver >= ${s.minDriver} (CUDA ${row.cuda} toolkit, NVIDIA release notes table 3).`);
  setArchs(s, build);
  return s;
}

// ---------------------------------------------------------------- TorchServe

export function chooseTorchServe(torchPin: string | null, options: ServingOptions & { companions?: { torchvision?: string | null; torchaudio?: string | null } }): ServingChoice {
  const target = options.gpuArch ?? 'any';
  const ts = CUDA_TABLE.torchserve;
  const s = empty('torchserve', ts.version);
  s.sources.push(...ts.sources);
  s.maintenance = ts.maintenance;
  s.python = ts.python;
  s.notes.push(ts.maintenance);
  const pin = torchPin ? parsePin(torchPin) : null;
  const v = pin ? releaseOf(pin.version) : null;
  const image = options.gpu ? ts.gpuImage : ts.cpuImage;
  if (options.gpu && options.cuda && options.cuda !== ts.cuda) {
    return refuse(s, `${ts.gpuImage} carries CUDA ${ts.cuda}; CUDA ${options.cuda} cannot be served by it`, `use --cuda ${ts.cuda}, or --runtime python for another CUDA`);
  }
  if (!v || v === ts.torch) {
    s.image = image;
    if (!v) s.notes.push(`torch is not pinned: ${image} serves with its own torch ${ts.torch}.`);
    if (options.gpu) {
      const build: BuildFacts = { cuda: ts.cuda, framework: 'pytorch', version: ts.torch };
      if (!targetCheck(s, build, target, `${ts.gpuImage} (torch ${ts.torch}, CUDA ${ts.cuda})`, 'use --runtime python (its image carries a torch build for that GPU)')) return s;
      s.cuda = ts.cuda;
      s.minDriver = CUDA_TABLE.driverMin.toolkit[ts.cuda] ?? null;
      if (s.minDriver) s.notes.push(`Host driver >= ${s.minDriver} (CUDA ${ts.cuda} toolkit, NVIDIA release notes table 3).`);
      setArchs(s, build);
    }
    return s;
  }
  const row = findTorchRow(v);
  if (!row?.exact) {
    s.verified = false;
    s.unverifiedReason = `torch ${v} is not in ModelDock's table`;
    return refuse(s, `torch ${v} is not in ModelDock's table, so its install on top of ${image} cannot be checked`, 'pin a released torch, or use --runtime python');
  }
  if (!row.row.python.includes(ts.python)) {
    return refuse(
      s,
      `${image} runs Python ${ts.python} (TorchServe ${ts.version}'s build default); torch ${v} has no Python ${ts.python} wheels (it has ${row.row.python.join(', ')}), so the project's torch cannot be installed on top and the image would serve with torch ${ts.torch}`,
      'use --runtime python (own server, any torch), or pin torch <= 2.8.0',
    );
  }
  if (!options.gpu) {
    s.image = image;
    s.gpuPackages = [`torch==${v}`, ...(row.row.torchvision ? [`torchvision==${row.row.torchvision}`] : []), ...(row.row.torchaudio ? [`torchaudio==${row.row.torchaudio}`] : [])];
    s.pipIndexUrl = 'https://download.pytorch.org/whl/cpu';
    s.notes.push(`torch ${v} (CPU build) is installed over the image's torch ${ts.torch}, with the matching torchvision/torchaudio.`);
    return s;
  }
  // The torch build must fit the image's CUDA 12.1 the same way any base image must (same major,
  // not newer than the image), so that the cuda-mismatch rule accepts the generated Dockerfile.
  const gpu = chooseGpuBase('pytorch', `${v}${pin?.local ? `+${pin.local}` : ''}`, { cuda: ts.cuda, gpuArch: target, prefer: 'cuda-base', ...(options.companions ? { companions: options.companions } : {}) });
  if (gpu.error) {
    return refuse(
      s,
      `torch ${v} cannot be installed into ${ts.gpuImage} (CUDA ${ts.cuda}): ${gpu.error}`,
      `use --runtime python (own server on a CUDA image for torch ${v}), or pin a torch with a CUDA 12.1 build (2.1–2.5)`,
    );
  }
  s.image = ts.gpuImage;
  s.cuda = gpu.buildCuda ?? ts.cuda;
  s.pipIndexUrl = gpu.pipIndexUrl;
  const companions = [...(row.row.torchvision ? [`torchvision==${row.row.torchvision}`] : []), ...(row.row.torchaudio ? [`torchaudio==${row.row.torchaudio}`] : [])];
  s.gpuPackages = [...gpu.gpuPackages, ...companions];
  s.notes.push(`torch ${v} (${gpu.buildCuda ? `cu${gpu.buildCuda.replace('.', '')}` : 'CUDA'} build) is installed over the image's torch ${ts.torch}, with ${companions.join(', ') || 'no companions'}, so the model is served with the project's torch.`);
  s.minDriver = CUDA_TABLE.driverMin.toolkit[ts.cuda] ?? null;
  if (s.minDriver) s.notes.push(`Host driver >= ${s.minDriver} (CUDA ${ts.cuda} toolkit, NVIDIA release notes table 3).`);
  s.sources.push(...gpu.sources);
  setArchs(s, { cuda: s.cuda, framework: 'pytorch', version: v });
  return s;
}

// ---------------------------------------------------------------- Triton

function tritonRelease(release: string): TritonRow | null {
  return CUDA_TABLE.triton.find((t) => t.release === release) ?? null;
}

export function chooseTriton(options: ServingOptions & { release?: string }): ServingChoice {
  const target = options.gpuArch ?? 'any';
  const rows = CUDA_TABLE.triton;
  let row: TritonRow | null = null;
  const s = empty('triton', '');
  s.sources.push('TRITON-COMPAT');
  if (options.release) {
    row = tritonRelease(options.release);
    if (!row) return refuse(s, `Triton ${options.release} is not in ModelDock's table (known: ${rows[0]?.release}–${rows[rows.length - 1]?.release})`, `use one of those releases`);
  } else if (options.gpu && options.cuda) {
    const cuda = options.cuda;
    row = [...rows].reverse().find((t) => t.cuda === cuda && (target === 'any' || supportsTarget({ cuda: t.cuda, framework: 'generic' }, target))) ?? null;
    if (!row) {
      const cudas = [...new Set(rows.map((t) => t.cuda))];
      return refuse(s, `no Triton release in ModelDock's table carries CUDA ${cuda} (releases carry CUDA ${cudas.join(', ')})`, `use --cuda ${cudas.filter((c) => cudaMajor(c) === cudaMajor(cuda)).pop() ?? cudas[cudas.length - 1]}`);
    }
  } else {
    row = tritonRelease(CUDA_TABLE.defaults.triton.release);
    if (options.gpu && target !== 'any' && row && !supportsTarget({ cuda: row.cuda, framework: 'generic' }, target)) {
      // The newest release of the lowest CUDA major that targets the GPU (CUDA 13 needs driver >= 580).
      const fits = rows.filter((t) => supportsTarget({ cuda: t.cuda, framework: 'generic' }, target));
      const lowestMajor = Math.min(...fits.map((t) => cudaMajor(t.cuda)));
      const pick = fits.filter((t) => cudaMajor(t.cuda) === lowestMajor).pop() ?? null;
      if (pick) s.notes.push(`Triton ${pick.release} instead of the default ${row.release}: ${archRow(target as GpuArch).name} needs CUDA >= ${archRow(target as GpuArch).minCuda}.`);
      row = pick;
    }
  }
  if (!row) return refuse(s, `no Triton release in the table fits`, null);
  s.release = row.release;
  s.image = `nvcr.io/nvidia/tritonserver:${row.release}-py3`;
  s.python = row.python;
  s.notes.push(`${s.image}: CUDA ${row.cudaFull}, driver >= ${row.minDriver} (Triton's compatibility table; data-centre GPUs can run older drivers through NVIDIA's forward-compatibility packages).`);
  if (!options.gpu) {
    s.notes.push('Triton has no CPU-only image: the same image runs the model on CPU (instance_group KIND_CPU).');
    return s;
  }
  const build: BuildFacts = { cuda: row.cuda, framework: 'generic' };
  if (!targetCheck(s, build, target, `Triton ${row.release} (CUDA ${row.cuda})`, `use a Triton release with CUDA >= ${target === 'any' ? '' : archRow(target).minCuda}`)) return s;
  s.cuda = row.cuda;
  s.minDriver = row.minDriver;
  s.notes.push(`Host driver >= ${row.minDriver} (Triton ${row.release}).`);
  setArchs(s, build);
  return s;
}
