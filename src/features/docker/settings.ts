import * as vscode from 'vscode';
import { readSetting } from '../../platform/settings';

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

/** The docker settings through the one typed config (checked and defaulted there). */
export function readDockerSettings(scope?: vscode.ConfigurationScope): DockerSettings {
  const cfg = vscode.workspace.getConfiguration('modeldock', scope);
  return {
    host: readSetting(cfg, 'docker.host'),
    builder: readSetting(cfg, 'docker.builder'),
    imageTag: readSetting(cfg, 'docker.imageTag'),
    contextWarnMB: readSetting(cfg, 'docker.contextWarnMB'),
    gpus: readSetting(cfg, 'docker.gpus'),
    shmSizeMB: readSetting(cfg, 'docker.shmSizeMB'),
    ipcHost: readSetting(cfg, 'docker.ipcHost'),
    hostPort: readSetting(cfg, 'docker.hostPort'),
    modelFolder: readSetting(cfg, 'docker.modelFolder'),
    mountHuggingFaceCache: readSetting(cfg, 'docker.mountHuggingFaceCache'),
    env: readSetting(cfg, 'docker.env'),
    pipIndexUrl: readSetting(cfg, 'docker.pipIndexUrl'),
    pipExtraIndexUrl: readSetting(cfg, 'docker.pipExtraIndexUrl'),
    pipTrustedHost: readSetting(cfg, 'docker.pipTrustedHost'),
  };
}
