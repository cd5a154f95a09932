import type * as vscode from 'vscode';

/** The `modeldock.kube.*` settings, typed; declared in package.json (and contributes.json). */
export interface KubeSettings {
  /** Kubeconfig path(s) from user/machine settings only; empty means KUBECONFIG, then ~/.kube/config. */
  readonly kubeconfig: readonly string[];
  readonly favoriteNamespaces: readonly string[];
  /** Also write the chosen context into the kubeconfig (off: ModelDock keeps it in its own state). */
  readonly writeCurrentContext: boolean;
  readonly logTailLines: number;
  readonly logTimestamps: boolean;
}

/** What `vscode.workspace.getConfiguration('modeldock.kube')` offers that the reader needs. */
export type KubeConfiguration = Pick<vscode.WorkspaceConfiguration, 'get' | 'inspect'>;

function strings(v: unknown): string[] {
  if (typeof v === 'string') return v.trim() ? [v.trim()] : [];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : [];
}

/**
 * The value the user set for themselves (user or remote-machine settings), else the default. A
 * repository's `.vscode/settings.json` or `.code-workspace` (workspaceValue, workspaceFolderValue)
 * never counts, trusted or not: these settings choose which files are read and which credential
 * plugins run. The manifest also declares them machine-scoped and restricted; this reader does not
 * rely on VS Code honouring that.
 */
export function userValue(cfg: KubeConfiguration, key: string): unknown {
  const i = cfg.inspect<unknown>(key);
  if (!i) return undefined;
  return i.globalValue !== undefined ? i.globalValue : i.defaultValue;
}

export function readKubeSettings(cfg: KubeConfiguration): KubeSettings {
  const tail = cfg.get<unknown>('logs.tailLines');
  return {
    kubeconfig: strings(userValue(cfg, 'kubeconfig')),
    favoriteNamespaces: strings(cfg.get<unknown>('favoriteNamespaces')),
    writeCurrentContext: userValue(cfg, 'writeCurrentContext') === true,
    logTailLines: typeof tail === 'number' && Number.isInteger(tail) && tail >= 0 ? tail : 500,
    logTimestamps: cfg.get<unknown>('logs.timestamps') === true,
  };
}
