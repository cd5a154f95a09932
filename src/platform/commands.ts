import * as vscode from 'vscode';
import type { Deps } from './deps';
import { UserError, errorMessage, isCancellation } from './errors';

/** One contributed command: its id, the title used in messages, and its handler. */
export interface CommandSpec {
  readonly id: string;
  readonly title: string;
  /** Builds, runs and applies change the machine: refuse them in an untrusted workspace. */
  readonly requiresTrust?: boolean;
  run(deps: Deps, ...args: unknown[]): Promise<unknown>;
}

export const SHOW_LOG = 'Show Log';

/**
 * Runs a handler the way every ModelDock command runs: logged, errors turned into one short
 * message with a "Show Log" action, and silence on cancellation.
 */
export async function runCommand(spec: CommandSpec, deps: Deps, args: unknown[]): Promise<unknown> {
  const started = Date.now();
  deps.log.debug(`command ${spec.id} started`);
  try {
    if (spec.requiresTrust && !vscode.workspace.isTrusted) {
      throw new UserError(
        `"${spec.title}" is disabled in an untrusted workspace.`,
        'Trust this folder (Workspaces: Manage Workspace Trust) to build, run or apply.',
      );
    }
    const result = await spec.run(deps, ...args);
    deps.log.debug(`command ${spec.id} finished in ${Date.now() - started} ms`);
    return result;
  } catch (err) {
    if (isCancellation(err)) {
      deps.log.debug(`command ${spec.id} cancelled`);
      return undefined;
    }
    if (err instanceof UserError) {
      deps.log.warn(`${spec.id}: ${err.message}${err.hint ? ` (${err.hint})` : ''}`);
      void showError(deps, err.hint ? `${err.message} ${err.hint}` : err.message);
    } else {
      deps.log.error(err instanceof Error ? err : new Error(String(err)));
      void showError(deps, `${spec.title} failed: ${errorMessage(err)}`);
    }
    return undefined;
  }
}

async function showError(deps: Deps, message: string): Promise<void> {
  const choice = await vscode.window.showErrorMessage(message, SHOW_LOG);
  if (choice === SHOW_LOG) deps.log.show(true);
}

export function registerCommands(context: vscode.ExtensionContext, deps: Deps, specs: readonly CommandSpec[]): void {
  for (const spec of specs) {
    context.subscriptions.push(vscode.commands.registerCommand(spec.id, (...args: unknown[]) => runCommand(spec, deps, args)));
  }
}
