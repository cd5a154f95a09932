import * as vscode from 'vscode';
import { createConfig } from './platform/config';
import type { Deps } from './platform/deps';
import { createLogger } from './platform/log';
import { register as registerCore } from './features/core';

/** What activate() returns: read by the extension-host tests (activation timing). */
export interface ModelDockApi {
  readonly activationMs: number;
}

// Wiring only: logger, config, then one register(context, deps) per feature. Each feature
// defers its heavy modules (dockerode, client-node, the linter's schemas) to first use.
export function activate(context: vscode.ExtensionContext): ModelDockApi {
  const started = performance.now();
  const { channel, log } = createLogger();
  context.subscriptions.push(channel);
  const deps: Deps = { log, config: createConfig(), extensionUri: context.extensionUri };

  registerCore(context, deps);

  const activationMs = performance.now() - started;
  log.info(`ModelDock ${String(context.extension.packageJSON.version)} activated in ${activationMs.toFixed(1)} ms`);
  return { activationMs };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
