import type * as vscode from 'vscode';
import { registerCommands } from '../../platform/commands';
import type { Deps } from '../../platform/deps';
import { showLog } from './showLog';

export function register(context: vscode.ExtensionContext, deps: Deps): void {
  registerCommands(context, deps, [showLog]);
}
