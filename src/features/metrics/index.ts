// "Model Metrics": live figures of the model servers ModelDock started and of the pods the user
// picked in the Clusters view, scraped from their /metrics while the view is visible (never when
// hidden): request rate, p50/p95 latency, error ratio, in-flight and queued requests, GPU memory,
// each with a small sparkline; for pods also CPU/memory from metrics.k8s.io ("kubectl top").
// Pods are reached through a port-forward that is open only while the view is visible.
import * as vscode from 'vscode';
import { formatBytes } from '../../core/format';
import { formatSeconds, sparkline, type Figures } from '../../core/metrics/figures';
import { metricsUrl } from '../../core/metrics/targets';
import { registerCommands } from '../../platform/commands';
import type { Deps } from '../../platform/deps';
import { UserError, errorMessage } from '../../platform/errors';
import type { ClusterApi } from '../cluster/api';
import type { DockerApi } from '../docker/api';
import { MetricsModel, httpFetcher, type MetricsTarget, type TargetState } from './model';
import { PodTargets, formatUsage } from './pods';

export const METRICS_VIEW_ID = 'modeldock.views.metrics';
export const WATCH_POD_COMMAND = 'modeldock.metrics.watchPod';
export const UNWATCH_COMMAND = 'modeldock.metrics.unwatch';

type Node = { kind: 'target'; state: TargetState } | { kind: 'figure'; label: string; value: string; spark: string; tooltip?: string } | { kind: 'info'; label: string; detail?: string };

function rows(s: TargetState): Node[] {
  const out: Node[] = [];
  if (s.target.kind === 'pod') {
    const u = s.usage;
    const h = s.usageHistory ?? [];
    if (u && 'usage' in u) {
      out.push({ kind: 'figure', label: 'Pod CPU / memory', value: formatUsage(u), spark: sparkline(h.map((x) => x?.cpuCores ?? null)), tooltip: `kubectl top pod (metrics.k8s.io)${u.usage.window ? `, averaged over ${u.usage.window}` : ''}` });
    } else {
      out.push({ kind: 'info', label: 'Pod CPU / memory', detail: u ? formatUsage(u) : 'reading metrics.k8s.io…' });
    }
  }
  if (s.error && s.scrapes === 0) return [...out, { kind: 'info', label: 'No metrics yet', detail: s.error }];
  const h = s.history;
  const last: Figures | undefined = h[h.length - 1];
  const series = (pick: (f: Figures) => number | null) => sparkline(h.map(pick));
  if (s.error) out.push({ kind: 'info', label: 'Last scrape failed', detail: s.error });
  if (!last) return [...out, { kind: 'info', label: 'Waiting for the first scrape…' }];
  const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(v < 0.01 ? 2 : 1)} %`);
  out.push({ kind: 'figure', label: 'Requests', value: last.requestRate === null ? '– (needs two scrapes)' : `${last.requestRate.toFixed(2)}/s`, spark: series((f) => f.requestRate) });
  out.push({ kind: 'figure', label: 'Latency p50 / p95', value: `${formatSeconds(last.p50)} / ${formatSeconds(last.p95)}`, spark: series((f) => f.p95 ?? f.p50) });
  out.push({ kind: 'figure', label: 'Errors', value: pct(last.errorRatio), spark: series((f) => f.errorRatio) });
  if (last.inFlight !== null) out.push({ kind: 'figure', label: 'In flight', value: String(last.inFlight), spark: series((f) => f.inFlight) });
  if (last.queued !== null) out.push({ kind: 'figure', label: 'Queued', value: String(last.queued), spark: series((f) => f.queued) });
  if (last.gpuMemoryTotalBytes !== null || last.gpuMemoryUsedBytes !== null) {
    out.push({
      kind: 'figure',
      label: 'GPU memory',
      value: `${last.gpuMemoryUsedBytes === null ? '–' : formatBytes(last.gpuMemoryUsedBytes)} / ${last.gpuMemoryTotalBytes === null ? '–' : formatBytes(last.gpuMemoryTotalBytes)}`,
      spark: series((f) => f.gpuMemoryUsedBytes),
    });
  } else {
    out.push({ kind: 'info', label: 'GPU memory', detail: 'not exported (no GPU in this container, or the server does not report it)' });
  }
  return out;
}

class MetricsTreeProvider implements vscode.TreeDataProvider<Node> {
  constructor(
    private readonly model: MetricsModel,
    readonly onDidChangeTreeData: vscode.Event<Node | undefined>,
  ) {}

  getChildren(node?: Node): Node[] {
    if (!node) {
      const targets = this.model.targets;
      if (targets.length === 0) return [{ kind: 'info', label: 'No running model server', detail: 'Start one with Run Container or the wizard\'s Build & Run, or pick a pod in the Clusters view (Show Model Metrics).' }];
      return targets.map((state) => ({ kind: 'target', state }));
    }
    return node.kind === 'target' ? rows(node.state) : [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'target') {
      const item = new vscode.TreeItem(node.state.target.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `metrics:${node.state.target.id}`;
      item.description = node.state.target.description;
      item.tooltip = node.state.target.url || node.state.target.problem;
      item.iconPath = new vscode.ThemeIcon(node.state.error ? 'warning' : 'pulse');
      item.contextValue = node.state.target.kind === 'pod' ? 'modeldock.metricsTarget.pod' : 'modeldock.metricsTarget';
      return item;
    }
    if (node.kind === 'figure') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.description = node.spark ? `${node.value}  ${node.spark}` : node.value;
      item.tooltip = node.tooltip ?? `${node.label}: ${node.value}`;
      return item;
    }
    const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
    item.description = node.detail;
    item.tooltip = node.detail;
    item.iconPath = new vscode.ThemeIcon('info');
    return item;
  }
}

/** Containers ModelDock started, as metrics targets (one per container with a published port). */
async function containerTargets(docker: DockerApi): Promise<MetricsTarget[]> {
  const list = await docker.listContainers();
  const out: MetricsTarget[] = [];
  for (const c of list) {
    if (c.state !== 'running') continue;
    const url = metricsUrl(c.ports);
    if (url) out.push({ id: c.id, label: c.name, description: `container · ${c.image}`, url, kind: 'container' });
  }
  return out;
}

export function register(context: vscode.ExtensionContext, deps: Deps, docker: DockerApi, cluster: ClusterApi): void {
  const changed = new vscode.EventEmitter<Node | undefined>();
  const model = new MetricsModel(httpFetcher(), () => changed.fire(undefined));
  const pods = new PodTargets({ client: () => cluster.model.client, activeContext: () => cluster.model.activeContext });
  const provider = new MetricsTreeProvider(model, changed.event);
  const view = vscode.window.createTreeView(METRICS_VIEW_ID, { treeDataProvider: provider });
  let listing: Promise<void> = Promise.resolve();
  const updateTargets = () => {
    // One listing at a time: port-forwards are opened here.
    listing = listing.then(async () => {
      let containers: MetricsTarget[] = [];
      try {
        containers = await containerTargets(docker);
      } catch (err) {
        deps.log.debug(`metrics: cannot list containers: ${errorMessage(err)}`);
      }
      const failed = new Set(model.targets.filter((t) => t.target.kind === 'pod' && t.error !== undefined && t.target.problem === undefined).map((t) => t.target.id));
      const podTargets = view.visible ? await pods.targets(failed) : [];
      model.setTargets([...containers, ...podTargets]);
    });
    return listing;
  };
  // Scrape only while someone looks: the timer starts with the view and stops when it hides,
  // and the pods' port-forwards close with it.
  let relist: ReturnType<typeof setInterval> | undefined;
  const follow = (visible: boolean) => {
    clearInterval(relist);
    if (!visible) {
      model.stop();
      pods.closeAll();
      return;
    }
    void updateTargets().then(() => {
      if (view.visible) model.start();
    });
    relist = setInterval(() => void updateTargets(), 15_000);
  };
  context.subscriptions.push(
    view,
    model,
    changed,
    { dispose: () => clearInterval(relist) },
    { dispose: () => pods.dispose() },
    view.onDidChangeVisibility((e) => follow(e.visible)),
    docker.onDidStartContainer(() => {
      if (view.visible) void updateTargets();
    }),
  );
  registerCommands(context, deps, [
    {
      id: WATCH_POD_COMMAND,
      title: 'Show Model Metrics',
      requiresTrust: true,
      async run(_deps, arg) {
        // Only a pod node the Clusters view handed out: a command link can pass any JSON.
        if (!cluster.model.owns(arg) || arg.type !== 'pod') throw new UserError('Run this command on a pod in the Clusters view.');
        const ctx = cluster.model.activeContext;
        if (!ctx || !cluster.model.client) throw new UserError('No cluster is connected.', 'Expand the current context in the Clusters view first.');
        const id = pods.add({ context: ctx, namespace: arg.info.meta.namespace ?? 'default', name: arg.info.meta.name });
        await vscode.commands.executeCommand(`${METRICS_VIEW_ID}.focus`);
        await updateTargets();
        if (view.visible) model.start();
        return id;
      },
    },
    {
      id: UNWATCH_COMMAND,
      title: 'Stop Watching',
      async run(_deps, arg) {
        const id = typeof arg === 'object' && arg !== null && (arg as Node).kind === 'target' ? (arg as { state: TargetState }).state.target.id : undefined;
        if (!id || !pods.remove(id)) throw new UserError('Run this command on a pod in the Model Metrics view.');
        await updateTargets();
        return id;
      },
    },
  ]);
  if (view.visible) follow(true);
}
