import { createServer } from 'node:net';
import type { ContainerCreateSpec, GpuRequest, RunOptions } from './types';

export const MANAGED_LABEL = 'modeldock.managed';
export const PROJECT_LABEL = 'modeldock.project';
export const GPUS_LABEL = 'modeldock.gpus';
export const ONE_GIB = 1024 * 1024 * 1024;
export const HF_CACHE_IN_CONTAINER = '/root/.cache/huggingface';

/** How a GPU request reads in labels, the tree and messages: 'all', '2', 'device=0,1'. */
export function describeGpus(gpus: GpuRequest | undefined): string | undefined {
  if (!gpus || gpus.kind === 'none') return undefined;
  if (gpus.kind === 'all') return 'all';
  if (gpus.kind === 'count') return String(gpus.count);
  return `device=${gpus.ids.join(',')}`;
}

/** Parses the `modeldock.docker.gpus` setting / a `--gpus`-style value. */
export function parseGpuRequest(value: string | number | undefined): GpuRequest {
  if (value === undefined) return { kind: 'none' };
  const text = String(value).trim().toLowerCase();
  if (text === '' || text === 'none' || text === '0' || text === 'cpu') return { kind: 'none' };
  if (text === 'all' || text === '-1') return { kind: 'all' };
  if (/^\d+$/.test(text)) return { kind: 'count', count: Number(text) };
  const m = /^(?:device=)?([\w.,:-]+)$/.exec(text);
  if (m && text.startsWith('device=')) return { kind: 'devices', ids: (m[1] ?? '').split(',').filter(Boolean) };
  throw new Error(`Unrecognised GPU request "${value}": use none, all, a count, or device=0,1`);
}

/** Container names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*. */
export function sanitizeName(raw: string): string {
  const cleaned = raw.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^[^a-z0-9]+/, '').replace(/-+$/, '');
  return cleaned || 'modeldock';
}

/**
 * The ContainerCreate body for a run, as data: everything the engine will be asked for is
 * visible here and unit-testable. Host ports must already be resolved (see pickFreePort).
 */
export function planRun(options: RunOptions): ContainerCreateSpec {
  const gpus = options.gpus ?? { kind: 'none' };
  const gpuLabel = describeGpus(gpus);
  const labels: Record<string, string> = {
    ...(options.labels ?? {}),
    [MANAGED_LABEL]: 'true',
    [PROJECT_LABEL]: options.project,
  };
  if (gpuLabel) labels[GPUS_LABEL] = gpuLabel;

  const env: Record<string, string> = { ...(options.env ?? {}) };
  const binds: string[] = [];
  for (const m of options.mounts ?? []) binds.push(`${m.hostPath}:${m.containerPath}${m.readOnly ? ':ro' : ''}`);
  if (options.hfCacheDir) {
    binds.push(`${options.hfCacheDir}:${HF_CACHE_IN_CONTAINER}`);
    env.HF_HOME ??= HF_CACHE_IN_CONTAINER;
  }

  const spec: ContainerCreateSpec = { Image: options.image, Labels: labels, Tty: false, HostConfig: {} };
  if (options.name) spec.name = sanitizeName(options.name);
  const envList = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  if (envList.length) spec.Env = envList;
  if (options.cmd?.length) spec.Cmd = [...options.cmd];

  if (options.ports?.length) {
    spec.ExposedPorts = {};
    spec.HostConfig.PortBindings = {};
    for (const p of options.ports) {
      const key = `${p.containerPort}/${p.protocol ?? 'tcp'}`;
      spec.ExposedPorts[key] = {};
      const list = (spec.HostConfig.PortBindings[key] ??= []);
      list.push({ HostIp: p.hostIp ?? '127.0.0.1', HostPort: String(p.hostPort) });
    }
  }
  if (binds.length) spec.HostConfig.Binds = binds;

  const pytorch = /torch/i.test(options.framework ?? '');
  const shm = options.shmSizeBytes ?? (pytorch ? ONE_GIB : undefined);
  if (shm !== undefined) spec.HostConfig.ShmSize = shm;
  if (options.ipcHost) {
    spec.HostConfig.IpcMode = 'host';
    // /dev/shm is then the host's own: a ShmSize would not apply and only confuses the inspect output.
    delete spec.HostConfig.ShmSize;
  }
  if (options.autoRemove) spec.HostConfig.AutoRemove = true;

  // The same request `docker run --gpus …` sends.
  if (gpus.kind === 'all') {
    spec.HostConfig.DeviceRequests = [{ Driver: '', Count: -1, DeviceIDs: null, Capabilities: [['gpu']], Options: {} }];
  } else if (gpus.kind === 'count') {
    spec.HostConfig.DeviceRequests = [{ Driver: '', Count: gpus.count, DeviceIDs: null, Capabilities: [['gpu']], Options: {} }];
  } else if (gpus.kind === 'devices') {
    spec.HostConfig.DeviceRequests = [{ Driver: '', Count: 0, DeviceIDs: [...gpus.ids], Capabilities: [['gpu']], Options: {} }];
  }
  return spec;
}

/** Whether a TCP port on `host` can be bound right now. */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    // Not unref'd: the probe is closed at once, and an unref'd server lets a caller's event loop
    // finish while the listen is still pending (seen under node:test).
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The preferred port when free, else the next free one above it, else one the OS assigns. */
export async function pickFreePort(preferred: number, host = '127.0.0.1', attempts = 20): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const port = preferred + i;
    if (port > 65535) break;
    if (await isPortFree(port, host)) return port;
  }
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host }, () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      server.close(() => resolve(port));
    });
  });
}
