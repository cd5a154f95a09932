// Which GPU architectures a build can run on ("no kernel image is available for execution on the
// device" otherwise). Rules from the table: a toolkit floor per family (sm_86 from CUDA 11.1, sm_90
// from 11.8, sm_100/sm_120 from 12.8), CUDA 13 dropping Maxwell/Pascal/Volta, and framework floors
// measured on real wheels (Cog's gpu_compatibility.go).
import { CUDA_TABLE } from './table';
import type { ArchRow, GpuArch, GpuTarget } from './types';
import { compareVersions, cudaMajor } from './version';

export const GPU_ARCHS: readonly GpuArch[] = CUDA_TABLE.archs.map((a) => a.id);

export function archRow(arch: GpuArch): ArchRow {
  const row = CUDA_TABLE.archs.find((a) => a.id === arch);
  if (!row) throw new Error(`unknown GPU architecture ${arch}`);
  return row;
}

export function isGpuTarget(s: string): s is GpuTarget {
  return s === 'any' || (GPU_ARCHS as readonly string[]).includes(s);
}

/** `8.6` / `sm_86` / `86` -> `ampere`; null for capabilities outside the table (Kepler, future). */
export function archOfComputeCap(cap: string): GpuArch | null {
  const m = /^(?:sm_?)?(\d+)\.?(\d)$/.exec(cap.trim().toLowerCase());
  if (!m || !m[1] || !m[2]) return null;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  for (const a of CUDA_TABLE.archs) {
    for (const sm of a.sm) {
      const [ma, mi] = sm.split('.').map(Number);
      if (ma === major && mi === minor) return a.id;
    }
  }
  // Same major as a family member (e.g. sm_87 Orin, sm_103 B300, sm_121): the family of that major.
  const byMajor = CUDA_TABLE.archs.filter((a) => a.sm.some((sm) => Number(sm.split('.')[0]) === major));
  if (byMajor.length === 1) return byMajor[0]?.id ?? null;
  if (major === 8) return minor >= 9 ? 'ada' : 'ampere';
  if (major === 10 || major === 11 || major === 12) return 'blackwell';
  return null;
}

export interface ArchVerdict {
  arch: GpuArch;
  ok: boolean;
  /** Why the build has no kernels for the family (empty when ok). */
  reason: string;
}

export interface BuildFacts {
  /** The CUDA the framework build (wheel, image) was made with. */
  cuda: string;
  framework?: 'pytorch' | 'tensorflow' | 'jax' | 'onnxruntime' | 'generic';
  version?: string | null;
}

/** One verdict per architecture family for a build. */
export function archVerdicts(build: BuildFacts): ArchVerdict[] {
  return CUDA_TABLE.archs.map((a) => ({ arch: a.id, ...judgeArch(a, build) }));
}

function judgeArch(a: ArchRow, build: BuildFacts): { ok: boolean; reason: string } {
  const major = cudaMajor(build.cuda);
  if (compareVersions(build.cuda, a.minCuda) < 0) {
    return { ok: false, reason: `${a.name} (sm_${a.sm.map((s) => s.replace('.', '')).join('/sm_')}) needs a build made with CUDA >= ${a.minCuda}; this one has CUDA ${build.cuda}` };
  }
  if (a.lastCudaMajor !== null && major > a.lastCudaMajor) {
    return { ok: false, reason: `CUDA ${major} builds no longer target ${a.name} (last supported by CUDA ${a.lastCudaMajor}.x)` };
  }
  if (build.framework === 'pytorch' && build.version) {
    const floor = CUDA_TABLE.archFloors.pytorch.find((f) => f.arch === a.id);
    if (floor && (compareVersions(build.version, floor.minVersion) < 0 || compareVersions(build.cuda, floor.minCuda) < 0)) {
      return { ok: false, reason: `${a.name} needs torch >= ${floor.minVersion} built with CUDA >= ${floor.minCuda} (measured wheel kernels); this is torch ${build.version} + CUDA ${build.cuda}` };
    }
    const preTuring = a.id === 'maxwell' || a.id === 'pascal' || a.id === 'volta';
    if (preTuring && compareVersions(build.cuda, CUDA_TABLE.archFloors.pytorchPreTuringMaxCuda) > 0) {
      return { ok: false, reason: `torch wheels built with CUDA >= 12.8 ship kernels from sm_75 (Turing) up only; ${a.name} needs a CUDA <= ${CUDA_TABLE.archFloors.pytorchPreTuringMaxCuda} wheel` };
    }
  }
  return { ok: true, reason: '' };
}

export function supportsTarget(build: BuildFacts, target: GpuTarget): boolean {
  if (target === 'any') return true;
  return judgeArch(archRow(target), build).ok;
}

/** `Hopper, Blackwell` for notes. */
export function archNames(archs: readonly GpuArch[]): string {
  return archs.map((a) => archRow(a).name).join(', ');
}
