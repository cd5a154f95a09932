import * as vscode from 'vscode';

/** The `modeldock.kube.*` settings, typed; declared in contributes.json. */
export interface KubeSettings {
  /** Kubeconfig path(s); empty means KUBECONFIG, then ~/.kube/config. */
  readonly kubeconfig: readonly string[];
  readonly favoriteNamespaces: readonly string[];
  /** Also write the chosen context into the kubeconfig (off: ModelDock keeps it in its own state). */
  readonly writeCurrentContext: boolean;
  readonly logTailLines: number;
  readonly logTimestamps: boolean;
}

function strings(v: unknown): string[] {
  if (typeof v === 'string') return v.trim() ? [v.trim()] : [];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : [];
}

export function readKubeSettings(): KubeSettings {
  const cfg = vscode.workspace.getConfiguration('modeldock.kube');
  const tail = cfg.get<unknown>('logs.tailLines');
  return {
    kubeconfig: strings(cfg.get<unknown>('kubeconfig')),
    favoriteNamespaces: strings(cfg.get<unknown>('favoriteNamespaces')),
    writeCurrentContext: cfg.get<unknown>('writeCurrentContext') === true,
    logTailLines: typeof tail === 'number' && Number.isInteger(tail) && tail >= 0 ? tail : 500,
    logTimestamps: cfg.get<unknown>('logs.timestamps') === true,
  };
}
