import * as os from 'node:os';
import * as vscode from 'vscode';
import type { CommandSpec } from '../../platform/commands';
import { registerCommands } from '../../platform/commands';
import type { Deps } from '../../platform/deps';
import { CancelledError, UserError } from '../../platform/errors';
import {
  ClusterTreeModel,
  KubeError,
  createClusterClient,
  forDiff,
  loadKubeconfig,
  writeCurrentContext,
  type ClusterClient,
  type LoadedKubeconfig,
  type NodeOf,
  type PortForwardHandle,
  type TreeNode,
} from '../../kube';
import { KubeDocumentProvider, SCHEME } from './describe';
import { PodLogs, type PodLogSession } from './logs';
import { readKubeSettings as readSettings, type KubeSettings } from './settings';
import { ClusterTreeProvider } from './tree';

export { ClusterTreeProvider, ClusterTreeItem } from './tree';
export { PodLogs, PodLogSession, formatLogLine } from './logs';
export { KubeDocumentProvider, SCHEME } from './describe';

export const VIEW_ID = 'modeldock.views.cluster';
const ACTIVE_CONTEXT_KEY = 'modeldock.kube.activeContext';

export interface ClusterFeatureOptions {
  /** Tests point the view at the test server, or at a fake client. */
  readonly createClient?: (kubeconfig: LoadedKubeconfig, context: string) => Promise<ClusterClient>;
  readonly loadKubeconfig?: () => Promise<LoadedKubeconfig>;
  readonly coalesceMs?: number;
}

export interface ClusterFeature extends vscode.Disposable {
  readonly model: ClusterTreeModel;
  readonly provider: ClusterTreeProvider;
  readonly view: vscode.TreeView<TreeNode>;
  readonly logs: PodLogs;
  readonly documents: KubeDocumentProvider;
  portForwards(): readonly PortForwardHandle[];
}

const readKubeSettings = (): KubeSettings => readSettings(vscode.workspace.getConfiguration('modeldock.kube'));

function node<T extends TreeNode['type']>(arg: unknown, ...types: T[]): NodeOf<T> {
  const n = arg as TreeNode | undefined;
  if (!n || typeof n !== 'object' || !types.includes(n.type as T)) {
    throw new UserError('Run this command from an item in the Clusters view.');
  }
  return n as NodeOf<T>;
}

function toUserError(err: unknown): unknown {
  if (err instanceof KubeError) return new UserError(err.info.message, err.info.hint, { cause: err });
  return err;
}

/**
 * Builds the Clusters view with everything it owns. `register` is the production entry; tests call
 * this with options to inject a kubeconfig loader or a client factory.
 */
export function createClusterFeature(context: vscode.ExtensionContext, deps: Deps, options: ClusterFeatureOptions = {}): ClusterFeature {
  const trace = (m: string) => deps.log.debug(`kube: ${m}`);
  const load =
    options.loadKubeconfig ??
    (() =>
      loadKubeconfig({
        setting: readKubeSettings().kubeconfig,
        ...(process.env.KUBECONFIG !== undefined ? { env: process.env.KUBECONFIG } : {}),
        home: os.homedir(),
        workspaceFolders: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
      }));
  const createClient =
    options.createClient ?? ((kubeconfig: LoadedKubeconfig, ctx: string) => createClusterClient({ kubeconfig, context: ctx, trace }));
  const storedContext = context.globalState.get<string>(ACTIVE_CONTEXT_KEY);
  const model = new ClusterTreeModel({
    loadKubeconfig: load,
    createClient,
    ...(storedContext ? { activeContext: storedContext } : {}),
    favorites: readKubeSettings().favoriteNamespaces,
    autoConnect: vscode.workspace.isTrusted,
    ...(options.coalesceMs !== undefined ? { coalesceMs: options.coalesceMs } : {}),
    trace,
  });
  const provider = new ClusterTreeProvider(model);
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  const logs = new PodLogs();
  const documents = new KubeDocumentProvider(model);
  let forwards: PortForwardHandle[] = [];
  let lastContext = model.activeContext;

  const subs: vscode.Disposable[] = [
    view,
    provider,
    logs,
    documents,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, documents),
    view.onDidCollapseElement((e) => model.collapsed(e.element)),
    view.onDidChangeVisibility((e) => model.setVisible(e.visible)),
    // Context switch: logs and port-forwards of the old context go with its client.
    provider.onDidChangeTreeData(() => {
      if (model.activeContext !== lastContext) {
        lastContext = model.activeContext;
        logs.clear();
        forwards = [];
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => model.setAutoConnect(true)),
    // Which files count as the workspace's changed: their credentials are judged again.
    vscode.workspace.onDidChangeWorkspaceFolders(() => model.refresh()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('modeldock.kube.kubeconfig') || e.affectsConfiguration('modeldock.kube.writeCurrentContext')) model.refresh();
      else if (e.affectsConfiguration('modeldock.kube.favoriteNamespaces')) model.setFavorites(readKubeSettings().favoriteNamespaces);
    }),
    { dispose: () => model.dispose() },
  ];
  model.setVisible(view.visible);

  const requireClient = (): ClusterClient => {
    const c = model.client;
    if (!c) throw new UserError('No cluster is connected.', 'Expand the current context in the Clusters view first.');
    return c;
  };

  const wrap =
    (run: (...args: unknown[]) => Promise<unknown>) =>
    async (_deps: Deps, ...args: unknown[]): Promise<unknown> => {
      try {
        return await run(...args);
      } catch (err) {
        throw toUserError(err);
      }
    };

  const specs: CommandSpec[] = [
    { id: 'modeldock.kube.refresh', title: 'Refresh Clusters', run: wrap(async () => model.refresh()) },
    // In an untrusted workspace the view waits for this: the user's own kubeconfig, on request.
    { id: 'modeldock.kube.connect', title: 'Connect to Cluster', run: wrap(async () => model.connect()) },
    {
      id: 'modeldock.kube.switchContext',
      title: 'Switch Kubernetes Context',
      run: wrap(async (arg) => {
        let name: string | undefined = arg ? node(arg, 'context').info.name : undefined;
        if (!name) {
          const picked = await vscode.window.showQuickPick(
            model.contexts().map((c) => ({ label: c.name, description: c.current ? 'current' : (c.server ?? ''), detail: `cluster ${c.cluster} · user ${c.user}` })),
            { placeHolder: 'Kubernetes context for ModelDock' },
          );
          if (!picked) throw new CancelledError();
          name = picked.label;
        }
        model.switchContext(name);
        await context.globalState.update(ACTIVE_CONTEXT_KEY, name);
        if (readKubeSettings().writeCurrentContext && model.loaded) {
          const file = await writeCurrentContext(model.loaded.found, name);
          if (file) deps.log.info(`kube: wrote current-context ${name} to ${file}`);
        }
        return name;
      }),
    },
    {
      id: 'modeldock.kube.filterNamespaces',
      title: 'Filter Namespaces',
      run: wrap(async () => {
        const text = await vscode.window.showInputBox({ prompt: 'Show namespaces containing…', value: model.namespaceFilter });
        if (text === undefined) throw new CancelledError();
        model.setFilter(text);
      }),
    },
    { id: 'modeldock.kube.clearFilter', title: 'Clear Namespace Filter', run: wrap(async () => model.setFilter('')) },
    {
      id: 'modeldock.kube.toggleFavorite',
      title: 'Toggle Favourite Namespace',
      run: wrap(async (arg) => {
        const ns = node(arg, 'namespace');
        const current = readKubeSettings().favoriteNamespaces;
        const next = current.includes(ns.name) ? current.filter((n) => n !== ns.name) : [...current, ns.name];
        await vscode.workspace.getConfiguration('modeldock.kube').update('favoriteNamespaces', next, vscode.ConfigurationTarget.Global);
        model.setFavorites(next);
      }),
    },
    {
      id: 'modeldock.kube.retry',
      title: 'Retry',
      run: wrap(async (arg) => model.retry(arg as TreeNode | undefined)),
    },
    {
      id: 'modeldock.kube.showError',
      title: 'Show Error Details',
      run: wrap(async (arg) => {
        const n = node(arg, 'message');
        const e = n.error;
        const action = await vscode.window.showErrorMessage(e ? `${e.message}${e.hint ? `\n\n${e.hint}` : ''}` : n.text, 'Retry');
        if (action === 'Retry') model.retry(n);
      }),
    },
    {
      id: 'modeldock.kube.followLogs',
      title: 'Follow Logs',
      run: wrap(async (arg): Promise<PodLogSession> => {
        const n = node(arg, 'pod', 'container');
        const pod = n.type === 'pod' ? n.info : n.pod;
        const s = readKubeSettings();
        return logs.open(requireClient(), {
          namespace: pod.meta.namespace ?? 'default',
          pod: pod.meta.name,
          ...(n.type === 'container' ? { container: n.info.name } : {}),
          tailLines: s.logTailLines,
          timestamps: s.logTimestamps,
        });
      }),
    },
    {
      id: 'modeldock.kube.previousLogs',
      title: 'Show Previous Logs (Last Crashed Run)',
      run: wrap(async (arg): Promise<PodLogSession> => {
        const n = node(arg, 'pod', 'container');
        const pod = n.type === 'pod' ? n.info : n.pod;
        const container =
          n.type === 'container' ? n.info.name : ([...pod.containers].sort((a, b) => b.restartCount - a.restartCount)[0]?.name ?? pod.containers[0]?.name);
        if (!container) throw new UserError(`Pod ${pod.meta.name} has no containers.`);
        return logs.open(requireClient(), { namespace: pod.meta.namespace ?? 'default', pod: pod.meta.name, container, previous: true, timestamps: readKubeSettings().logTimestamps });
      }),
    },
    {
      id: 'modeldock.kube.describe',
      title: 'Describe (YAML)',
      run: wrap(async (arg) => {
        const n = node(arg, 'pod', 'workload', 'namespace', 'container');
        const client = requireClient();
        const [kind, ns, name] =
          n.type === 'namespace'
            ? ['Namespace', undefined, n.name]
            : n.type === 'container'
              ? ['Pod', n.pod.meta.namespace, n.pod.meta.name]
              : [n.info.kind, n.info.meta.namespace, n.info.meta.name];
        const uri = KubeDocumentProvider.describeUri(client.currentContext, ns, kind, name);
        documents.reload(uri);
        const doc = await vscode.workspace.openTextDocument(uri);
        await vscode.languages.setTextDocumentLanguage(doc, 'yaml');
        await vscode.window.showTextDocument(doc, { preview: true });
        return uri;
      }),
    },
    {
      id: 'modeldock.kube.deletePod',
      title: 'Delete Pod',
      requiresTrust: true,
      run: wrap(async (arg, confirmed) => {
        const n = node(arg, 'pod');
        const client = requireClient();
        const ns = n.info.meta.namespace ?? 'default';
        if (confirmed !== true) {
          const owner = n.info.meta.ownerKind ? ` Its ${n.info.meta.ownerKind} will replace it.` : ' It has no controller: it will not come back.';
          const ok = await vscode.window.showWarningMessage(`Delete pod ${ns}/${n.info.meta.name} in ${client.currentContext}?`, { modal: true, detail: owner.trim() }, 'Delete');
          if (ok !== 'Delete') throw new CancelledError();
        }
        await client.deletePod(ns, n.info.meta.name);
      }),
    },
    {
      id: 'modeldock.kube.restartDeployment',
      title: 'Restart Deployment (Rollout Restart)',
      requiresTrust: true,
      run: wrap(async (arg) => {
        const n = node(arg, 'workload');
        if (n.info.kind !== 'Deployment') throw new UserError('Rollout restart applies to Deployments.');
        await requireClient().restartDeployment(n.info.meta.namespace ?? 'default', n.info.meta.name);
        void vscode.window.showInformationMessage(`Restarting deployment ${n.info.meta.name}.`);
      }),
    },
    {
      id: 'modeldock.kube.scale',
      title: 'Scale…',
      requiresTrust: true,
      run: wrap(async (arg, replicasArg) => {
        const n = node(arg, 'workload');
        if (n.info.kind !== 'Deployment' && n.info.kind !== 'StatefulSet') throw new UserError('Only Deployments and StatefulSets scale.');
        let replicas = typeof replicasArg === 'number' ? replicasArg : undefined;
        if (replicas === undefined) {
          const text = await vscode.window.showInputBox({
            prompt: `Replicas for ${n.info.kind} ${n.info.meta.name}`,
            value: String(n.info.desired ?? 1),
            validateInput: (v) => (/^\d+$/.test(v.trim()) ? undefined : 'A whole number ≥ 0'),
          });
          if (text === undefined) throw new CancelledError();
          replicas = Number.parseInt(text.trim(), 10);
        }
        await requireClient().scale(n.info.kind, n.info.meta.namespace ?? 'default', n.info.meta.name, replicas);
      }),
    },
    {
      id: 'modeldock.kube.portForward',
      title: 'Port-Forward…',
      requiresTrust: true,
      run: wrap(async (arg, remoteArg, localArg) => {
        const n = node(arg, 'pod', 'container');
        const pod = n.type === 'pod' ? n.info : n.pod;
        const ports = (n.type === 'container' ? [n.info] : pod.containers).flatMap((c) => c.ports);
        let remote = typeof remoteArg === 'number' ? remoteArg : undefined;
        if (remote === undefined) {
          const text = await vscode.window.showInputBox({
            prompt: `Pod port to forward from ${pod.meta.name}`,
            value: String(ports[0]?.containerPort ?? 8080),
            validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) > 0 && Number(v) < 65536 ? undefined : 'A port number'),
          });
          if (text === undefined) throw new CancelledError();
          remote = Number.parseInt(text, 10);
        }
        const handle = await requireClient().portForward(
          { kind: 'Pod', namespace: pod.meta.namespace ?? 'default', name: pod.meta.name, port: remote },
          typeof localArg === 'number' ? localArg : remote,
        );
        forwards.push(handle);
        const open = await vscode.window.showInformationMessage(`Forwarding 127.0.0.1:${handle.localPort} → ${handle.target}:${handle.remotePort}`, 'Open in Browser', 'Stop');
        if (open === 'Open in Browser') await vscode.env.openExternal(vscode.Uri.parse(`http://127.0.0.1:${handle.localPort}`));
        if (open === 'Stop') handle.dispose();
        return handle.localPort;
      }),
    },
    {
      id: 'modeldock.kube.stopPortForwards',
      title: 'Stop All Port-Forwards',
      run: wrap(async () => {
        for (const f of forwards) f.dispose();
        forwards = [];
      }),
    },
    {
      id: 'modeldock.kube.apply',
      title: 'Apply Manifest to Cluster (Server-Side)',
      requiresTrust: true,
      run: wrap(async (arg, confirmArg) => {
        const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
        if (!uri) throw new UserError('Open a Kubernetes YAML manifest first.');
        const doc = await vscode.workspace.openTextDocument(uri);
        const client = requireClient();
        const dry = await client.applyServerSide(doc.getText(), { dryRun: true });
        if (dry.length === 0) throw new UserError('The file holds no Kubernetes objects.');
        const id = `${Date.now().toString(36)}`;
        const left = documents.put(`/apply/${id}/live.yaml`, dry.map((r) => forDiff(r.before) || `# ${r.kind} ${r.name}: does not exist yet\n`).join('---\n'));
        const right = documents.put(`/apply/${id}/dry-run.yaml`, dry.map((r) => forDiff(r.after)).join('---\n'));
        await vscode.commands.executeCommand('vscode.diff', left, right, `Live ↔ Server Dry-Run: ${vscode.workspace.asRelativePath(uri)} (${client.currentContext})`, { preview: true });
        const summary = dry.map((r) => `${r.before ? 'update' : 'create'} ${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`).join('\n');
        if (confirmArg !== true) {
          const ok = await vscode.window.showWarningMessage(`Apply ${dry.length} object(s) to ${client.currentContext}?`, { modal: true, detail: summary }, 'Apply');
          if (ok !== 'Apply') throw new CancelledError();
        }
        const applied = await client.applyServerSide(doc.getText(), { dryRun: false });
        void vscode.window.showInformationMessage(`Applied ${applied.length} object(s) to ${client.currentContext} (field manager "modeldock").`);
        return applied.map((a) => `${a.kind}/${a.name}`);
      }),
    },
  ];
  registerCommands(context, deps, specs);
  context.subscriptions.push(...subs);

  return {
    model,
    provider,
    view,
    logs,
    documents,
    portForwards: () => forwards,
    dispose: () => {
      for (const f of forwards) f.dispose();
      for (const s of subs.reverse()) s.dispose();
    },
  };
}

/** Wires the Clusters view. client-node is imported only when the view first connects. */
export function register(context: vscode.ExtensionContext, deps: Deps): ClusterFeature {
  return createClusterFeature(context, deps);
}
