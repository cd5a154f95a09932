import { execFile } from 'node:child_process';
import { NVIDIA_TOOLKIT_STEPS } from './errors';
import type { GpuPreflightFacts, GpuVerdict } from './types';

export interface NvidiaSmiResult {
  readonly ok: boolean;
  readonly gpus: readonly string[];
  readonly driverVersion?: string;
  readonly error?: string;
}

/**
 * Runs `nvidia-smi` without a shell. Undefined when the binary is not on PATH (no driver, or a
 * machine without NVIDIA hardware); a result with ok=false when it exists but fails.
 */
export function runNvidiaSmi(timeoutMs = 10_000): Promise<NvidiaSmiResult | undefined> {
  return new Promise((resolve) => {
    execFile(
      'nvidia-smi',
      ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'],
      { timeout: timeoutMs, windowsHide: true },
      (err, stdout, stderr) => {
        if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return resolve(undefined);
        if (err) return resolve({ ok: false, gpus: [], error: (stderr || err.message).trim() });
        resolve(parseNvidiaSmi(stdout));
      },
    );
  });
}

export function parseNvidiaSmi(stdout: string): NvidiaSmiResult {
  const rows = stdout
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => l.split(',').map((c) => c.trim()));
  const gpus = rows.map((r) => [r[0], r[2]].filter(Boolean).join(' — '));
  const driverVersion = rows[0]?.[1];
  return driverVersion ? { ok: true, gpus, driverVersion } : { ok: true, gpus };
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
