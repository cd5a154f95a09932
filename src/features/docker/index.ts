import * as vscode from 'vscode';
import { registerCommands } from '../../platform/commands';
import type { Deps } from '../../platform/deps';
import { buildImageCommand } from './commands/buildImage';
import { preflightGpuCommand } from './commands/preflightGpu';
import { removeContainerCommand } from './commands/removeContainer';
import { restartContainerCommand } from './commands/restartContainer';
import { runContainerCommand } from './commands/runContainer';
import { openPortCommand, showLogsCommand } from './commands/showLogs';
import { refreshContainersCommand, showEngineCommand } from './commands/showEngine';
import { stopContainerCommand } from './commands/stopContainer';
import type { DockerFeature } from './feature';
import { LocalContainersProvider, VIEW_ID } from './localContainersView';
import { DockerSession } from './session';

/**
 * Registers the Docker commands and the Local Containers view. Nothing here talks to the engine:
 * the connection (and dockerode) is created on the first command or view expansion.
 */
export function register(context: vscode.ExtensionContext, deps: Deps): void {
  const session = new DockerSession(deps);
  const view = new LocalContainersProvider(session, deps);
  const treeView = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: view, showCollapseAll: false });
  view.attach(treeView);
  const feature: DockerFeature = { session, view, logTerminals: new Map() };
  context.subscriptions.push(session, view, treeView);
  registerCommands(context, deps, [
    buildImageCommand(feature),
    runContainerCommand(feature),
    stopContainerCommand(feature),
    removeContainerCommand(feature),
    restartContainerCommand(feature),
    showLogsCommand(feature),
    preflightGpuCommand(feature),
    showEngineCommand(feature),
    refreshContainersCommand(feature),
    openPortCommand(),
  ]);
}
