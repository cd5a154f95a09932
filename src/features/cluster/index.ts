import * as os from 'node:os';
import * as vscode from 'vscode';
import { registerCommands } from '../../platform/commands';
import type { Deps } from '../../platform/deps';
import { ClusterTreeModel, createClusterClient, listContexts, loadKubeconfig } from '../../kube';
import type { ClusterApi } from './api';
import { CLUSTER_COMMANDS } from './commands';
import { KubeDocumentProvider, SCHEME } from './describe';
import { ACTIVE_CONTEXT_KEY, Confirmations, PortForwards, VIEW_ID, currentSettings, type ClusterFeature, type ClusterServices, type RolloutStarted } from './feature';
import { PodLogs } from './logs';
import { ClusterTreeProvider } from './tree';

export { ClusterTreeProvider, ClusterTreeItem } from './tree';
export { PodLogs, PodLogSession, formatLogLine, type LogWrite } from './logs';
export { KubeDocumentProvider, SCHEME } from './describe';
export { VIEW_ID, type ClusterFeature, type ClusterServices, type Question, type RolloutStarted } from './feature';
export type { ClusterApi } from './api';

/** What register() hands back: the public API (ModelDockApi.cluster) and the services other features use. */
export interface ClusterRegistration {
  readonly api: ClusterApi;
  readonly services: ClusterServices;
}

/** The workspace's own folders on disk: a kubeconfig inside one is the repository's, not the user's. */
function workspaceFolders(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

/**
 * Wires the Clusters view: the tree model, its provider and view, the log and document providers,
 * and the commands (one file each under ./commands, registered from one table). Nothing talks to a
 * cluster here; client-node is imported when the view first connects, and in an untrusted
 * workspace only after the user asks (the Connect node).
 */
export function register(context: vscode.ExtensionContext, deps: Deps): ClusterRegistration {
  const trace = (m: string) => deps.log.debug(`kube: ${m}`);
  const storedContext = context.globalState.get<unknown>(ACTIVE_CONTEXT_KEY);
  const readKubeconfig = () =>
    loadKubeconfig({
      setting: currentSettings().kubeconfig,
      ...(process.env.KUBECONFIG !== undefined ? { env: process.env.KUBECONFIG } : {}),
      home: os.homedir(),
      workspaceFolders: workspaceFolders(),
    });
  const model = new ClusterTreeModel({
    loadKubeconfig: readKubeconfig,
    createClient: (kubeconfig, ctx) => createClusterClient({ kubeconfig, context: ctx, trace }),
    ...(typeof storedContext === 'string' && storedContext ? { activeContext: storedContext } : {}),
    favorites: currentSettings().favoriteNamespaces,
    autoConnect: vscode.workspace.isTrusted,
    trace,
  });
  const provider = new ClusterTreeProvider(model);
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  const logs = new PodLogs();
  const documents = new KubeDocumentProvider(model);
  const forwards = new PortForwards();
  const confirmations = new Confirmations(deps.prompts);
  const rollouts = new vscode.EventEmitter<RolloutStarted>();
  const feature: ClusterFeature = { model, view, logs, documents, forwards, confirmations, globalState: context.globalState, settings: currentSettings, rolloutStarted: (r) => rollouts.fire(r) };
  let lastContext = model.activeContext;

  context.subscriptions.push(
    { dispose: () => model.dispose() },
    rollouts,
    view,
    provider,
    logs,
    documents,
    forwards,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, documents),
    view.onDidCollapseElement((e) => model.collapsed(e.element)),
    view.onDidChangeVisibility((e) => model.setVisible(e.visible)),
    // Context switch: logs and port-forwards of the old context went with its client.
    provider.onDidChangeTreeData(() => {
      if (model.activeContext === lastContext) return;
      lastContext = model.activeContext;
      logs.clear();
      forwards.forget();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => model.setAutoConnect(true)),
    // Which files count as the workspace's changed: their credentials are judged again.
    vscode.workspace.onDidChangeWorkspaceFolders(() => model.refresh()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('modeldock.kube.kubeconfig') || e.affectsConfiguration('modeldock.kube.writeCurrentContext')) model.refresh();
      else if (e.affectsConfiguration('modeldock.kube.favoriteNamespaces')) model.setFavorites(currentSettings().favoriteNamespaces);
    }),
  );
  model.setVisible(view.visible);
  registerCommands(context, deps, CLUSTER_COMMANDS.map((make) => make(feature)));
  const services: ClusterServices = {
    async contexts() {
      const kc = await readKubeconfig();
      return listContexts(kc.config, model.activeContext);
    },
    async connect(name) {
      // Same files, same trust rules as the view: a workspace's kubeconfig never runs a plugin.
      const kc = await readKubeconfig();
      return createClusterClient({ kubeconfig: kc, context: name, trace });
    },
    documents,
    onDidStartRollout: rollouts.event,
  };
  return { api: { model, view, logs }, services };
}
