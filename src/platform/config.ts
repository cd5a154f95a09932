import * as vscode from 'vscode';
import { SETTINGS, readSetting, type ModelDockConfig, type SettingKey } from './settings';

export { CONFIG_DEFAULTS, SETTINGS, readSetting, type ConfigurationSource, type ModelDockConfig, type SettingKey } from './settings';

export interface Config {
  get<K extends SettingKey>(key: K, scope?: vscode.ConfigurationScope): ModelDockConfig[K];
  onDidChange(listener: (key: SettingKey) => void): vscode.Disposable;
}

export function createConfig(defaultScope?: vscode.ConfigurationScope): Config {
  return {
    get(key, scope) {
      return readSetting(vscode.workspace.getConfiguration('modeldock', scope ?? defaultScope), key);
    },
    onDidChange(listener) {
      return vscode.workspace.onDidChangeConfiguration((e) => {
        for (const key of Object.keys(SETTINGS) as SettingKey[]) {
          if (e.affectsConfiguration(`modeldock.${key}`)) listener(key);
        }
      });
    },
  };
}
