// Image references: what the table knows about nvidia/cuda, framework and NGC images.
import { CUDA_TABLE } from './table';
import type { NvidiaCudaRow } from './types';
import { compareVersions, cudaMajor, pythonMinor, series } from './version';

export type Ubuntu = '20.04' | '22.04' | '24.04';
export const UBUNTUS: readonly Ubuntu[] = ['22.04', '24.04', '20.04'];

/** The distribution Python of an nvidia/cuda image's Ubuntu (what `apt-get install python3` gives). */
export function ubuntuPython(ubuntu: Ubuntu): string {
  return CUDA_TABLE.defaults.ubuntuPython[ubuntu];
}

export function nvidiaCudaRow(cuda: string): NvidiaCudaRow | null {
  return CUDA_TABLE.nvidiaCuda.find((r) => r.cuda === cuda) ?? null;
}

function tagFor(row: NvidiaCudaRow, ubuntu: Ubuntu): string | null {
  return ubuntu === '20.04' ? row.ubuntu2004 : ubuntu === '22.04' ? row.ubuntu2204 : row.ubuntu2404;
}

export interface NvidiaImage {
  image: string;
  ubuntu: Ubuntu;
  python: string;
  cudnnMajor: number;
  seen: boolean;
}

/**
 * The runtime+cuDNN nvidia/cuda tag for a CUDA minor whose Ubuntu Python is one of `pythons`
 * (any Python when the list is empty). The preferred Ubuntu first, then 22.04, 24.04, 20.04.
 */
export function nvidiaImageFor(cuda: string, pythons: readonly string[] = [], preferred?: Ubuntu): NvidiaImage | null {
  const row = nvidiaCudaRow(cuda);
  if (!row) return null;
  const order = preferred ? [preferred, ...UBUNTUS.filter((u) => u !== preferred)] : [...UBUNTUS];
  for (const ubuntu of order) {
    const image = tagFor(row, ubuntu);
    const python = ubuntuPython(ubuntu);
    if (image && (pythons.length === 0 || pythons.includes(python))) {
      return { image, ubuntu, python, cudnnMajor: row.cudnnMajor, seen: row.seenTags.includes(image) };
    }
  }
  return null;
}

/** Back-compatible lookup: the tag for a CUDA minor, preferring an Ubuntu, any Python. */
export function nvidiaCudaImage(cuda: string, ubuntu: '22.04' | '24.04' = '22.04'): { image: string; ubuntu: Ubuntu; cudnnMajor: number } | null {
  const hit = nvidiaImageFor(cuda, [], ubuntu);
  if (!hit) return null;
  // 20.04 only as a last resort for the old API (it never returned one).
  if (hit.ubuntu === '20.04') return null;
  return { image: hit.image, ubuntu: hit.ubuntu, cudnnMajor: hit.cudnnMajor };
}

export function slimPythons(): string[] {
  return [...CUDA_TABLE.defaults.slimPythons];
}

/**
 * The Python to run: the project's when the framework supports it, otherwise the closest supported
 * one (the lowest newer one, else the newest older one). Null when nothing fits.
 */
export function pickPython(project: string | null | undefined, supported: readonly string[], available: readonly string[] = slimPythons()): string | null {
  const pool = supported.filter((p) => available.includes(p)).sort(compareVersions);
  if (!pool.length) return null;
  const want = pythonMinor(project);
  if (want && pool.includes(want)) return want;
  if (want) {
    const newer = pool.find((p) => compareVersions(p, want) > 0);
    if (newer) return newer;
    return pool[pool.length - 1] ?? null;
  }
  // No project Python: 3.11 where supported (the ecosystem's broadest), else the closest.
  return pool.includes('3.11') ? '3.11' : (pool.find((p) => compareVersions(p, '3.11') > 0) ?? pool[pool.length - 1] ?? null);
}

export function pythonSlimImage(python: string | null | undefined): string {
  return `python:${pythonMinor(python) ?? '3.11'}-slim`;
}

export function splitImage(image: string): { repo: string; tag: string } | null {
  const ref = image.trim().split('@')[0] ?? '';
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon <= slash) return null;
  let repo = ref.slice(0, colon).toLowerCase();
  repo = repo.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '').replace(/^library\//, '');
  return { repo, tag: ref.slice(colon + 1) };
}

/** NGC containers of one YY.MM release share a CUDA (Triton's compatibility table lists it). */
function ngcReleaseCuda(tag: string): string | null {
  const m = /^(\d\d\.\d\d)-/.exec(tag);
  return (m && CUDA_TABLE.triton.find((t) => t.release === m[1])?.cuda) ?? null;
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
    const m = /^(\d+\.\d+\.\d+)-gpu(?:-py3)?(?:-jupyter)?$/.exec(tag);
    if (!m || !m[1]) return null;
    const row = CUDA_TABLE.tensorflow.find((r) => r.series === series(m[1] ?? ''));
    return row ? (row.cuda[0] ?? null) : null;
  }
  if (repo === 'tensorflow/serving') {
    const m = /^(\d+\.\d+\.\d+)-gpu$/.exec(tag);
    return (m && CUDA_TABLE.tfserving.find((r) => r.version === m[1])?.cuda) ?? null;
  }
  if (repo === 'pytorch/torchserve') {
    return /^0\.12\.0-gpu$/.test(tag) ? CUDA_TABLE.torchserve.cuda : null;
  }
  if (repo === 'nvcr.io/nvidia/tritonserver' || repo === 'nvcr.io/nvidia/pytorch' || repo === 'nvcr.io/nvidia/tensorflow' || repo === 'nvcr.io/nvidia/jax') {
    return ngcReleaseCuda(tag);
  }
  return null;
}

/** cuDNN major of an nvidia/cuda tag (`cudnn8`, `cudnn9`, bare `cudnn` = 9); null when it has none. */
export function cudnnOfImage(image: string): number | null {
  const ref = splitImage(image);
  if (!ref || (ref.repo !== 'nvidia/cuda' && ref.repo !== 'nvcr.io/nvidia/cuda')) return null;
  const m = /-cudnn(\d*)-/.exec(ref.tag);
  if (!m) return null;
  return m[1] ? Number(m[1]) : 9;
}

/** Every image reference the table can produce for a GPU plan (for consistency checks). */
export function knownImage(image: string): boolean {
  if (CUDA_TABLE.nvidiaCuda.some((r) => r.ubuntu2004 === image || r.ubuntu2204 === image || r.ubuntu2404 === image)) return true;
  if (CUDA_TABLE.torch.some((r) => r.variants.some((v) => v.officialImage === image))) return true;
  if (CUDA_TABLE.tensorflow.some((r) => r.gpuImage === image)) return true;
  if (CUDA_TABLE.defaults.slimPythons.some((p) => image === `python:${p}-slim`)) return true;
  return false;
}

export function cudaMajorOfImage(image: string): number | null {
  const c = cudaOfImage(image);
  return c ? cudaMajor(c) : null;
}
