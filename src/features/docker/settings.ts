import * as vscode from 'vscode';

/** The `modeldock.docker.*` settings, typed; declared in package.json (contributes.configuration). */
export interface DockerSettings {
  readonly host: string;
  readonly builder: 'auto' | 'buildkit' | 'classic';
  readonly imageTag: string;
  readonly contextWarnMB: number;
  readonly gpus: string;
  readonly shmSizeMB: number;
  readonly ipcHost: boolean;
  readonly hostPort: number;
  readonly modelFolder: string;
  readonly mountHuggingFaceCache: boolean;
  readonly env: Readonly<Record<string, string>>;
  /** pip mirror for image builds, passed as build arguments (never baked into the image). */
  readonly pipIndexUrl: string;
  readonly pipExtraIndexUrl: string;
  readonly pipTrustedHost: string;
}

export const DOCKER_SETTING_DEFAULTS: DockerSettings = {
  host: '',
  builder: 'auto',
  imageTag: '',
  contextWarnMB: 500,
  gpus: 'none',
  shmSizeMB: 0,
  ipcHost: false,
  hostPort: 0,
  modelFolder: '',
  mountHuggingFaceCache: false,
  env: {},
  pipIndexUrl: '',
  pipExtraIndexUrl: '',
  pipTrustedHost: '',
};

/**
 * The pip mirror settings as build arguments: generated Dockerfiles declare `ARG PIP_INDEX_URL`
 * and friends, which pip reads during `RUN pip install` and which never reach the image's ENV.
 */
export function pipBuildArgs(s: Pick<DockerSettings, 'pipIndexUrl' | 'pipExtraIndexUrl' | 'pipTrustedHost'>): Record<string, string> {
  const out: Record<string, string> = {};
  if (s.pipIndexUrl.trim()) out.PIP_INDEX_URL = s.pipIndexUrl.trim();
  if (s.pipExtraIndexUrl.trim()) out.PIP_EXTRA_INDEX_URL = s.pipExtraIndexUrl.trim();
  if (s.pipTrustedHost.trim()) out.PIP_TRUSTED_HOST = s.pipTrustedHost.trim();
  return out;
}

function pick<K extends keyof DockerSettings>(cfg: vscode.WorkspaceConfiguration, key: K): DockerSettings[K] {
  const fallback = DOCKER_SETTING_DEFAULTS[key];
  const value: unknown = cfg.get(key);
  if (key === 'env') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return fallback;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
    return out as DockerSettings[K];
  }
  if (key === 'gpus' && typeof value === 'number') return String(value) as DockerSettings[K];
  // A hand-edited settings.json can hold anything: keep the declared type.
  return (typeof value === typeof fallback ? value : fallback) as DockerSettings[K];
}

export function readDockerSettings(scope?: vscode.ConfigurationScope): DockerSettings {
  const cfg = vscode.workspace.getConfiguration('modeldock.docker', scope);
  const out = {} as Record<keyof DockerSettings, unknown>;
  for (const key of Object.keys(DOCKER_SETTING_DEFAULTS) as (keyof DockerSettings)[]) out[key] = pick(cfg, key);
  return out as unknown as DockerSettings;
}
