import { UserError } from '../platform/errors';

export type DockerErrorKind =
  | 'engine-down'
  | 'permission-denied'
  | 'image-not-found'
  | 'port-in-use'
  | 'gpu-unavailable'
  | 'container-not-found'
  | 'context-too-large'
  | 'build-failed'
  | 'push-failed';

/** A UserError the glue can branch on (e.g. offer "Run on CPU" for `gpu-unavailable`). */
export class DockerUserError extends UserError {
  constructor(
    readonly kind: DockerErrorKind,
    message: string,
    hint: string,
    options?: { cause?: unknown },
  ) {
    super(message, hint, options);
    this.name = 'DockerUserError';
  }
}

export const NVIDIA_TOOLKIT_STEPS: readonly string[] = [
  'Install the NVIDIA driver on the host (check with `nvidia-smi`).',
  'Install the NVIDIA Container Toolkit: https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/install-guide.html (Debian/Ubuntu: add the nvidia-container-toolkit apt repository, then `sudo apt-get install -y nvidia-container-toolkit`).',
  'Register it with Docker: `sudo nvidia-ctk runtime configure --runtime=docker`, then `sudo systemctl restart docker`.',
  'Docker Desktop: enable GPU support under Settings → Resources (WSL 2 backend on Windows).',
];

export interface ErrorContext {
  /** e.g. unix:///var/run/docker.sock */
  readonly address: string;
  readonly image?: string;
  readonly hostPorts?: readonly number[];
}

function props(err: unknown): { code?: string; message: string; statusCode?: number; syscall?: string; address?: string; json?: unknown } {
  if (typeof err !== 'object' || err === null) return { message: String(err) };
  const e = err as Record<string, unknown>;
  return {
    code: typeof e.code === 'string' ? e.code : undefined,
    message: typeof e.message === 'string' ? e.message : String(err),
    statusCode: typeof e.statusCode === 'number' ? e.statusCode : undefined,
    syscall: typeof e.syscall === 'string' ? e.syscall : undefined,
    address: typeof e.address === 'string' ? e.address : undefined,
    json: e.json,
  };
}

function engineMessage(p: ReturnType<typeof props>): string {
  const json = p.json;
  if (typeof json === 'object' && json !== null && typeof (json as { message?: unknown }).message === 'string') {
    return (json as { message: string }).message;
  }
  return p.message;
}

const GPU_DRIVER_RE = /could not select device driver "[^"]*" with capabilities: \[\[gpu\]\]/;

/**
 * Maps a raw engine/transport error to one a person can act on. Returns the original error when
 * it is not one of the known cases, so nothing is hidden.
 */
export function translateDockerError(err: unknown, ctx: ErrorContext): unknown {
  if (err instanceof UserError) return err;
  const p = props(err);
  const msg = engineMessage(p);

  if (p.code === 'EACCES' || p.code === 'EPERM') {
    return new DockerUserError(
      'permission-denied',
      `Permission denied on the Docker socket ${ctx.address}.`,
      'Add yourself to the docker group: `sudo usermod -aG docker $USER`, then log out and in again (or use rootless Docker).',
      { cause: err },
    );
  }
  if (p.code === 'ECONNREFUSED' || p.code === 'ENOENT' || p.code === 'EHOSTUNREACH' || p.code === 'ENOTFOUND' || (p.code === 'ECONNRESET' && p.syscall === 'connect')) {
    return new DockerUserError(
      'engine-down',
      `Cannot reach the Docker engine at ${ctx.address}.`,
      'Start Docker Desktop, or the daemon: `sudo systemctl start docker` (or run `dockerd`). Set modeldock.docker.host if your engine listens elsewhere.',
      { cause: err },
    );
  }
  if (GPU_DRIVER_RE.test(msg)) {
    return new DockerUserError(
      'gpu-unavailable',
      'Docker cannot give this container a GPU: the NVIDIA Container Toolkit is not set up for this engine (could not select device driver "" with capabilities: [[gpu]]).',
      NVIDIA_TOOLKIT_STEPS.join(' '),
      { cause: err },
    );
  }
  if (/port is already allocated|address already in use|bind: address already/i.test(msg)) {
    const ports = ctx.hostPorts?.length ? ` ${ctx.hostPorts.join(', ')}` : '';
    return new DockerUserError(
      'port-in-use',
      `The host port${ports} is already in use.`,
      'Stop whatever listens there (`ss -ltnp`) or choose another port; ModelDock picks a free one when the default is taken.',
      { cause: err },
    );
  }
  if ((p.statusCode === 404 && /no such image|image .* not found/i.test(msg)) || /pull access denied|repository does not exist|No such image/i.test(msg)) {
    return new DockerUserError(
      'image-not-found',
      `The image ${ctx.image ?? ''} is not on this engine.`.replace('image  is', 'image is'),
      'Build it first (ModelDock: Build Image), or check the tag; `docker images` lists what the engine has.',
      { cause: err },
    );
  }
  if (p.statusCode === 404 && /no such container/i.test(msg)) {
    return new DockerUserError('container-not-found', 'That container no longer exists.', 'Refresh the Local Containers view.', { cause: err });
  }
  return err;
}
