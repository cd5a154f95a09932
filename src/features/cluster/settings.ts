import { readSetting, type ConfigurationSource } from '../../platform/settings';

/** The `modeldock.kube.*` settings, typed (through the one typed config, platform/config.ts). */
export interface KubeSettings {
  /** Kubeconfig path(s) from user/machine settings only; empty means KUBECONFIG, then ~/.kube/config. */
  readonly kubeconfig: readonly string[];
  readonly favoriteNamespaces: readonly string[];
  /** Also write the chosen context into the kubeconfig (off: ModelDock keeps it in its own state). */
  readonly writeCurrentContext: boolean;
  readonly logTailLines: number;
  readonly logTimestamps: boolean;
}

/**
 * The kube settings from the `modeldock` configuration section. `kubeconfig` and
 * `writeCurrentContext` are user-only (platform/config.ts): a repository's `.vscode/settings.json`
 * or `.code-workspace` never counts, trusted or not, since these choose which files are read and
 * which credential plugins run. The manifest also declares them machine-scoped and restricted;
 * this reader does not rely on VS Code honouring that.
 */
export function readKubeSettings(cfg: ConfigurationSource): KubeSettings {
  return {
    kubeconfig: readSetting(cfg, 'kube.kubeconfig'),
    favoriteNamespaces: readSetting(cfg, 'kube.favoriteNamespaces'),
    writeCurrentContext: readSetting(cfg, 'kube.writeCurrentContext'),
    logTailLines: readSetting(cfg, 'kube.logs.tailLines'),
    logTimestamps: readSetting(cfg, 'kube.logs.timestamps'),
  };
}
