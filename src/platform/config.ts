import * as vscode from 'vscode';

/** Every setting ModelDock reads, with its type. Keys mirror package.json `contributes.configuration`. */
export interface ModelDockConfig {
  'detect.fileBudget': number;
  'detect.maxFileSizeKB': number;
  'scaffold.defaultTarget': 'auto' | 'cpu' | 'gpu';
  'scaffold.port': number;
  'containerize.ui': 'wizard' | 'quickPick';
}

export const CONFIG_DEFAULTS: ModelDockConfig = {
  'detect.fileBudget': 20000,
  'detect.maxFileSizeKB': 1024,
  'scaffold.defaultTarget': 'auto',
  'scaffold.port': 8080,
  'containerize.ui': 'wizard',
};

export interface Config {
  get<K extends keyof ModelDockConfig>(key: K): ModelDockConfig[K];
  onDidChange(listener: (key: keyof ModelDockConfig) => void): vscode.Disposable;
}

export function createConfig(scope?: vscode.ConfigurationScope): Config {
  return {
    get(key) {
      const value: unknown = vscode.workspace.getConfiguration('modeldock', scope).get(key);
      const fallback = CONFIG_DEFAULTS[key];
      // A hand-edited settings.json can hold anything: keep the declared type.
      return (typeof value === typeof fallback ? value : fallback) as ModelDockConfig[typeof key];
    },
    onDidChange(listener) {
      return vscode.workspace.onDidChangeConfiguration((e) => {
        for (const key of Object.keys(CONFIG_DEFAULTS) as (keyof ModelDockConfig)[]) {
          if (e.affectsConfiguration(`modeldock.${key}`)) listener(key);
        }
      });
    },
  };
}
