import * as vscode from 'vscode';
import { registerCommands } from '../../platform/commands';
import type { Deps } from '../../platform/deps';
import type { DetectionResult } from '../../core/detect/types';
import { createDockerApi, type DockerApi } from './api';
import { buildImageCommand } from './commands/buildImage';
import { preflightGpuCommand } from './commands/preflightGpu';
import { removeContainerCommand } from './commands/removeContainer';
import { restartContainerCommand } from './commands/restartContainer';
import { runContainerCommand } from './commands/runContainer';
import { pushImageCommand } from './commands/pushImage';
import { openPortCommand, showLogsCommand } from './commands/showLogs';
import { refreshContainersCommand, showEngineCommand } from './commands/showEngine';
import { stopContainerCommand } from './commands/stopContainer';
import type { DockerFeature } from './feature';
import { LocalContainersProvider, VIEW_ID } from './localContainersView';
import { DockerSession } from './session';

/** What the Docker feature needs from others, passed in at wiring time. */
export interface DockerFeatureDeps {
  /** A folder's detection result, when detection has run (framework for a palette Run). */
  detection(folder: vscode.Uri): DetectionResult | undefined;
}

/**
 * Registers the Docker commands and the Local Containers view, and returns the typed API other
 * features use. Nothing here talks to the engine: the connection (and dockerode) is created on
 * the first command or view expansion.
 */
export function register(context: vscode.ExtensionContext, deps: Deps, others: DockerFeatureDeps): DockerApi {
  const session = new DockerSession(deps);
  const view = new LocalContainersProvider(session, deps);
  const treeView = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: view, showCollapseAll: false });
  view.attach(treeView);
  const feature: DockerFeature = { session, view, logTerminals: new Map() };
  context.subscriptions.push(session, view, treeView);
  // The commands and the API share the same specs; each reaches the other only through the API
  // (the closures run after `api` exists).
  const build = buildImageCommand(feature, (request) => api.run(request));
  const run = runContainerCommand(feature, { build: (request) => api.build(request), detection: others.detection });
  const connection = {
    list: async () => (await session.getEngine()).listManagedContainers(),
    onDidStartContainer: session.onDidStartContainer,
  };
  const api: DockerApi = createDockerApi(deps, { build, run, push: pushImageCommand(feature) }, connection, (base, rel) => vscode.Uri.joinPath(base, ...rel.split('/')));
  registerCommands(context, deps, [
    build,
    run,
    stopContainerCommand(feature),
    removeContainerCommand(feature),
    restartContainerCommand(feature),
    showLogsCommand(feature),
    preflightGpuCommand(feature),
    showEngineCommand(feature),
    refreshContainersCommand(feature),
    openPortCommand(),
  ]);
  return api;
}
