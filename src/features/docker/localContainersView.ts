import * as vscode from 'vscode';
import type { Deps } from '../../platform/deps';
import { errorMessage } from '../../platform/errors';
import type { ContainerPort, ManagedContainer } from '../../docker/types';
import type { DockerSession } from './session';

export const VIEW_ID = 'modeldock.views.localContainers';
export const OPEN_PORT_COMMAND = 'modeldock.docker.openPort';

export type ContainerTreeNode =
  | { readonly kind: 'container'; readonly container: ManagedContainer }
  | { readonly kind: 'port'; readonly container: ManagedContainer; readonly port: ContainerPort; readonly url: string | undefined }
  | { readonly kind: 'info'; readonly label: string; readonly detail?: string; readonly icon?: string };

/** True when a tree argument is a container node (commands accept it from the view's menus). */
export function isContainerNode(v: unknown): v is Extract<ContainerTreeNode, { kind: 'container' }> {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'container';
}

export function portUrl(port: ContainerPort): string | undefined {
  if (port.hostPort === undefined || port.protocol !== 'tcp') return undefined;
  const host = !port.hostIp || port.hostIp === '0.0.0.0' || port.hostIp === '::' ? '127.0.0.1' : port.hostIp;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port.hostPort}`;
}

/**
 * "Local Containers": what ModelDock started (label modeldock.managed=true). Kept current from the
 * engine's events stream, which is opened only once the view is visible or a container was started.
 */
export class LocalContainersProvider implements vscode.TreeDataProvider<ContainerTreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ContainerTreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private subscription: vscode.Disposable | undefined;
  private subscribing = false;
  private lastError: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly session: DockerSession,
    private readonly deps: Deps,
  ) {
    this.disposables.push(
      session.onDidChangeEngine(() => {
        // The old subscription belonged to the old connection, which disposed it.
        this.subscription = undefined;
        this.refresh();
      }),
      session.onDidStartContainer(() => {
        void this.ensureSubscribed();
        this.refresh();
      }),
    );
  }

  attach(view: vscode.TreeView<ContainerTreeNode>): void {
    this.disposables.push(
      view.onDidChangeVisibility((e) => {
        if (e.visible) void this.ensureSubscribed();
      }),
    );
    if (view.visible) void this.ensureSubscribed();
  }

  refresh(): void {
    this.emitter.fire(undefined);
  }

  async ensureSubscribed(): Promise<void> {
    if (this.subscription || this.subscribing) return;
    this.subscribing = true;
    try {
      const engine = await this.session.getEngine();
      const sub = await engine.events(
        (e) => {
          this.deps.log.trace(`docker event ${e.action} ${e.name ?? e.id.slice(0, 12)}`);
          this.refresh();
        },
        (err) => {
          this.deps.log.warn(`Docker events stream ended: ${err.message}`);
          this.subscription = undefined;
          this.lastError = 'Lost the engine\'s events stream; refresh to reconnect.';
          this.refresh();
        },
      );
      this.subscription = sub;
      this.session.own(sub);
      this.lastError = undefined;
    } catch (err) {
      this.lastError = errorMessage(err);
      this.refresh();
    } finally {
      this.subscribing = false;
    }
  }

  getTreeItem(node: ContainerTreeNode): vscode.TreeItem {
    if (node.kind === 'container') {
      const c = node.container;
      const item = new vscode.TreeItem(c.name, vscode.TreeItemCollapsibleState.Expanded);
      item.id = c.id;
      item.description = `${c.state} · ${c.image}${c.gpus ? ` · GPU ${c.gpus}` : ''}`;
      item.tooltip = new vscode.MarkdownString(
        [`**${c.name}** (${c.id.slice(0, 12)})`, `Image: \`${c.image}\``, `State: ${c.status || c.state}`, `Project: ${c.project ?? '—'}`, `GPUs: ${c.gpus ?? 'none (CPU)'}`].join('\n\n'),
      );
      const running = c.state === 'running';
      item.iconPath = new vscode.ThemeIcon(running ? 'vm-running' : 'vm-outline', running ? new vscode.ThemeColor('testing.iconPassed') : undefined);
      item.contextValue = running ? 'modeldock.container.running' : 'modeldock.container.stopped';
      return item;
    }
    if (node.kind === 'port') {
      const p = node.port;
      const label = p.hostPort !== undefined ? `${p.hostIp && p.hostIp !== '0.0.0.0' ? p.hostIp : 'localhost'}:${p.hostPort} → ${p.containerPort}/${p.protocol}` : `${p.containerPort}/${p.protocol} (not published)`;
      const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
      item.iconPath = new vscode.ThemeIcon('globe');
      if (node.url) {
        item.command = { command: OPEN_PORT_COMMAND, title: 'Open in Browser', arguments: [node.url] };
        item.tooltip = `Open ${node.url}`;
        item.contextValue = 'modeldock.port';
      }
      return item;
    }
    const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
    if (node.detail) item.description = node.detail;
    if (node.icon) item.iconPath = new vscode.ThemeIcon(node.icon);
    return item;
  }

  async getChildren(node?: ContainerTreeNode): Promise<ContainerTreeNode[]> {
    if (node?.kind === 'container') {
      const c = node.container;
      const out: ContainerTreeNode[] = c.ports.map((port) => ({ kind: 'port' as const, container: c, port, url: portUrl(port) }));
      out.push({ kind: 'info', label: c.gpus ? `GPU: ${c.gpus}` : 'CPU only', icon: c.gpus ? 'circuit-board' : 'chip' });
      return out;
    }
    if (node) return [];
    // First expansion is what connects to the engine.
    void this.ensureSubscribed();
    try {
      const engine = await this.session.getEngine();
      const list = await engine.listManagedContainers();
      const nodes: ContainerTreeNode[] = list.sort((a, b) => b.created - a.created).map((container) => ({ kind: 'container' as const, container }));
      if (this.lastError) nodes.unshift({ kind: 'info', label: this.lastError, icon: 'warning' });
      return nodes;
    } catch (err) {
      return [{ kind: 'info', label: errorMessage(err), detail: (err as { hint?: string }).hint, icon: 'error' }];
    }
  }

  dispose(): void {
    this.subscription?.dispose();
    for (const d of this.disposables) d.dispose();
    this.emitter.dispose();
  }
}
