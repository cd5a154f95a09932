import { execFile } from 'node:child_process';
import { archOfComputeCap, archRow } from '../core/cuda/arch';
import type { GpuArch } from '../core/cuda/types';
import { NVIDIA_TOOLKIT_STEPS } from './errors';
import type { GpuPreflightFacts, GpuVerdict } from './types';

export interface NvidiaSmiResult {
  readonly ok: boolean;
  readonly gpus: readonly string[];
  readonly driverVersion?: string;
  /** Compute capability per GPU (same order as `gpus`), e.g. `8.6`; absent with drivers older than R510. */
  readonly computeCaps?: readonly string[];
  readonly error?: string;
}

const SMI_FIELDS = ['name', 'driver_version', 'memory.total', 'compute_cap'];

function querySmi(fields: readonly string[], timeoutMs: number): Promise<{ err: NodeJS.ErrnoException | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('nvidia-smi', [`--query-gpu=${fields.join(',')}`, '--format=csv,noheader'], { timeout: timeoutMs, windowsHide: true }, (err, stdout, stderr) =>
      resolve({ err: err as NodeJS.ErrnoException | null, stdout, stderr }),
    );
  });
}

/**
 * Runs `nvidia-smi` without a shell. Undefined when the binary is not on PATH (no driver, or a
 * machine without NVIDIA hardware); a result with ok=false when it exists but fails. Drivers
 * before R510 do not know the `compute_cap` field: the query is repeated without it.
 */
export async function runNvidiaSmi(timeoutMs = 10_000): Promise<NvidiaSmiResult | undefined> {
  let r = await querySmi(SMI_FIELDS, timeoutMs);
  if (r.err && r.err.code === 'ENOENT') return undefined;
  if (r.err && /compute_cap/i.test(`${r.stdout}${r.stderr}`)) r = await querySmi(SMI_FIELDS.slice(0, 3), timeoutMs);
  if (r.err && r.err.code === 'ENOENT') return undefined;
  if (r.err) return { ok: false, gpus: [], error: (r.stderr || r.err.message).trim() };
  return parseNvidiaSmi(r.stdout);
}

export function parseNvidiaSmi(stdout: string): NvidiaSmiResult {
  const rows = stdout
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => l.split(',').map((c) => c.trim()));
  const gpus = rows.map((r) => [r[0], r[2]].filter(Boolean).join(' — '));
  const driverVersion = rows[0]?.[1];
  const caps = rows.map((r) => r[3] ?? '');
  const computeCaps = caps.every((c) => /^\d+\.\d+$/.test(c)) && caps.length > 0 ? caps : undefined;
  return { ok: true, gpus, ...(driverVersion ? { driverVersion } : {}), ...(computeCaps ? { computeCaps } : {}) };
}

// ---------------------------------------------------------------- image vs. this host's GPUs

/** What core/cuda says about a planned image (GpuBaseChoice / ServingChoice fields). */
export interface ImageGpuFacts {
  readonly image: string;
  /** CUDA of the build that runs in the image (GpuBaseChoice.buildCuda ?? cuda). */
  readonly cuda: string | null;
  /** Driver the image's CUDA toolkit asks for (GpuBaseChoice.minDriver). */
  readonly minDriver: string | null;
  /** Architectures the image has kernels for (GpuBaseChoice.archs.supported). */
  readonly supportedArchs: readonly GpuArch[];
}

export interface ImageGpuProblem {
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

export interface ImageGpuVerdict {
  /** False when a GPU of this host cannot run the image at all. */
  readonly ok: boolean;
  readonly problems: readonly ImageGpuProblem[];
  readonly details: readonly string[];
}

/** Oldest driver of each CUDA major under minor-version compatibility (CUDA release notes table 2). */
const FAMILY_DRIVER: Record<number, string> = { 11: '450.80.02', 12: '525.60.13', 13: '580.65.06' };

function compareDriver(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Can this host's GPUs run the image? Compares each GPU's compute capability with the
 * architectures the image has kernels for (the "no kernel image is available for execution on
 * the device" class of failure, as `cog doctor` does) and the driver with the image's CUDA.
 * Pure: the nvidia-smi result and the image facts in, a verdict out.
 */
export function judgeImageOnHost(image: ImageGpuFacts, smi: NvidiaSmiResult | undefined): ImageGpuVerdict {
  const problems: ImageGpuProblem[] = [];
  const details: string[] = [];
  if (!smi || !smi.ok) {
    details.push(smi ? `nvidia-smi failed (${smi.error ?? 'unknown error'}): the GPUs of this host could not be compared with ${image.image}.` : `No nvidia-smi on this host: its GPUs could not be compared with ${image.image}.`);
    return { ok: true, problems, details };
  }
  const caps = smi.computeCaps;
  if (!caps) details.push('nvidia-smi did not report compute capabilities (driver older than R510): GPU architectures were not compared.');
  const seen = new Set<string>();
  (caps ?? []).forEach((cap, i) => {
    const name = smi.gpus[i] ?? `GPU ${i}`;
    if (seen.has(cap)) return;
    seen.add(cap);
    const arch = archOfComputeCap(cap);
    if (!arch) {
      details.push(`${name}: compute capability ${cap} is outside ModelDock's architecture table; not compared.`);
      return;
    }
    const row = archRow(arch);
    if (image.supportedArchs.includes(arch)) {
      details.push(`${name}: compute capability ${cap} (${row.name}) has kernels in ${image.image}.`);
      return;
    }
    problems.push({
      severity: 'error',
      message: `${name} (compute capability ${cap}, ${row.name}) has no kernels in ${image.image}${image.cuda ? ` (CUDA ${image.cuda} build)` : ''}: every CUDA operation fails with "no kernel image is available for execution on the device". Regenerate for this GPU (GPU architecture: ${arch}).`,
    });
  });
  const driver = smi.driverVersion;
  if (driver && image.cuda) {
    const major = Number.parseInt(image.cuda.split('.')[0] ?? '', 10);
    const family = FAMILY_DRIVER[major];
    if (family && compareDriver(driver, family) < 0) {
      problems.push({ severity: 'error', message: `Driver ${driver} cannot run CUDA ${image.cuda} (CUDA ${major}.x needs >= ${family}): update the NVIDIA driver or choose an older CUDA.` });
    } else if (image.minDriver && compareDriver(driver, image.minDriver) < 0) {
      problems.push({
        severity: 'warning',
        message: `Driver ${driver} is older than ${image.minDriver}, the driver of CUDA ${image.cuda}: it runs through CUDA minor-version compatibility, without PTX JIT of newer kernels; update the driver if kernels fail to load.`,
      });
    } else {
      details.push(`Driver ${driver} satisfies CUDA ${image.cuda}${image.minDriver ? ` (>= ${image.minDriver})` : ''}.`);
    }
  }
  return { ok: !problems.some((p) => p.severity === 'error'), problems, details };
}

/**
 * The verdict for "can this engine run a container with --gpus?". Pure: facts in, verdict out.
 * Signals, strongest first: an `nvidia` runtime registered in /info, CDI devices the engine
 * discovered (nvidia.com/gpu=…), then the host driver. A toolkit installed only as a prestart hook
 * is invisible in /info, hence the "probably" verdict when a driver is present but nothing else.
 */
export function judgeGpuPreflight(facts: GpuPreflightFacts): GpuVerdict {
  const details: string[] = [];
  if (!facts.engineReachable || !facts.info) {
    return {
      kind: 'engine-down',
      canServeGpus: false,
      summary: 'The Docker engine is not reachable, so GPU support cannot be checked.',
      details: facts.engineError ? [facts.engineError] : [],
      remedy: ['Start Docker Desktop, or the daemon: `sudo systemctl start docker` (or `dockerd`).'],
    };
  }
  const info = facts.info;
  details.push(`Engine ${info.serverVersion} (API ${info.apiVersion}, ${info.osType}/${info.architecture}).`);
  details.push(`Runtimes: ${info.runtimes.join(', ') || 'none reported'} (default ${info.defaultRuntime ?? 'unknown'}).`);
  const nvidiaRuntime = info.runtimes.some((r) => /nvidia/i.test(r));
  const cdiGpus = (info.discoveredDevices ?? []).filter((d) => /nvidia\.com\/gpu/i.test(d.id));
  if (info.cdiSpecDirs) details.push(`CDI spec dirs: ${info.cdiSpecDirs.join(', ') || 'none'}.`);
  if (cdiGpus.length) details.push(`CDI GPU devices: ${cdiGpus.map((d) => d.id).join(', ')}.`);
  const smi = facts.nvidiaSmi;
  if (smi === undefined) details.push('nvidia-smi: not found on this host.');
  else if (smi.ok) details.push(`nvidia-smi: driver ${smi.driverVersion ?? '?'}, ${smi.gpus.length} GPU(s)${smi.gpus.length ? `: ${smi.gpus.join('; ')}` : ''}.`);
  else details.push(`nvidia-smi failed: ${smi.error ?? 'unknown error'}.`);

  const isDesktop = /docker desktop/i.test(info.name) || /desktop/i.test(info.osType);
  if (nvidiaRuntime || cdiGpus.length > 0) {
    return { kind: 'ready', canServeGpus: true, summary: nvidiaRuntime ? 'The engine has the NVIDIA runtime: GPU runs are supported.' : 'The engine discovered NVIDIA GPUs through CDI: GPU runs are supported.', details, remedy: [] };
  }
  if (smi?.ok && smi.gpus.length > 0) {
    return {
      kind: 'probably',
      canServeGpus: true,
      summary: 'An NVIDIA driver is present but the engine reports no NVIDIA runtime; GPU runs work only if the NVIDIA Container Toolkit hook is installed.',
      details,
      remedy: NVIDIA_TOOLKIT_STEPS.slice(1),
    };
  }
  if (smi === undefined && !isDesktop && facts.hostPlatform === 'linux') {
    return {
      kind: 'no-driver',
      canServeGpus: false,
      summary: 'No NVIDIA driver on this host (nvidia-smi not found) and no NVIDIA runtime in the engine: this machine cannot run GPU containers.',
      details,
      remedy: [...NVIDIA_TOOLKIT_STEPS.slice(0, 3), 'Or run on CPU instead.'],
    };
  }
  return {
    kind: 'no-toolkit',
    canServeGpus: false,
    summary: 'The engine has no NVIDIA runtime and no CDI GPU devices: install the NVIDIA Container Toolkit.',
    details,
    remedy: [...NVIDIA_TOOLKIT_STEPS, 'Or run on CPU instead.'],
  };
}
