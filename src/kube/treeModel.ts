import { Coalescer, DisposableStore, Emitter } from './batch';
import { KubeError } from './errors';
import type { LoadedKubeconfig } from './kubeconfig';
import { listContexts } from './kubeconfig';
import {
  presentContainer,
  presentContext,
  presentError,
  presentGroup,
  presentNamespace,
  presentNode,
  presentNodesGroup,
  presentPod,
  presentWorkload,
  presentWorkloadKind,
  type Presentation,
} from './present';
import { explainScheduling, isGpuResource, podRequests } from '../core/deploy/scheduling';
import { parseQuantity } from '../core/k8s/quantity';
import { schedPod } from './sched';
import {
  WORKLOAD_KINDS,
  type ClusterClient,
  type ContainerInfo,
  type Disposable,
  type KubeContextInfo,
  type KubeErrorInfo,
  type NamespaceInfo,
  type NodeInfo,
  type PodInfo,
  type ResourceWatch,
  type WatchableKind,
  type WorkloadInfo,
  type WorkloadKind,
} from './types';

/**
 * The Clusters tree as data: which nodes exist, what they look like, and which watches are open.
 * VS Code-free so the benchmark and unit tests drive it directly; features/cluster wraps it in a
 * TreeDataProvider. Rules it keeps:
 *  - getChildren never waits: a scope that has no data yet answers a "Loading…" node and starts
 *    its watch; data arriving fires a change for that node.
 *  - Watch events are coalesced (~100 ms) and fire only the nodes that changed: membership changes
 *    refresh the group, field changes refresh the one pod.
 *  - Every watch belongs to the node that opened it; collapsing the node or hiding the view
 *    disposes it; switching context disposes the whole context session.
 */

export type TreeNode =
  | { readonly type: 'context'; readonly id: string; readonly info: KubeContextInfo }
  | { readonly type: 'namespace'; readonly id: string; readonly name: string; ns?: NamespaceInfo; favorite: boolean }
  | { readonly type: 'group'; readonly id: string; readonly group: 'workloads' | 'pods'; readonly namespace: string }
  | { readonly type: 'workloadKind'; readonly id: string; readonly kind: WorkloadKind; readonly namespace: string }
  | { readonly type: 'workload'; readonly id: string; info: WorkloadInfo }
  | { readonly type: 'pod'; readonly id: string; info: PodInfo; containers?: TreeNode[] }
  | { readonly type: 'container'; readonly id: string; readonly pod: PodInfo; readonly info: ContainerInfo }
  /** The context's Nodes level: GPU capacity, allocatable and use per node. */
  | { readonly type: 'nodes'; readonly id: string }
  | { readonly type: 'node'; readonly id: string; info: NodeInfo }
  /** A row of facts under a node or pod (a GPU resource's numbers, a taint, why a pod is Pending). */
  | { readonly type: 'detail'; readonly id: string; readonly presentation: Presentation }
  | {
      readonly type: 'message';
      readonly id: string;
      readonly kind: MessageKind;
      readonly text: string;
      readonly error?: KubeErrorInfo;
      /** What Retry on this node restarts: a scope key, `namespaces`, or the whole session. */
      readonly retries?: string;
    };

/** `connect`: the context waits for the user to ask before ModelDock talks to the cluster. */
export type MessageKind = 'loading' | 'info' | 'error' | 'connect';

/** Where the active context stands, for the view's welcome text and for tests. */
export type ConnectionState = 'no-context' | 'needs-consent' | 'connecting' | 'connected' | 'failed';

export type NodeOf<T extends TreeNode['type']> = Extract<TreeNode, { type: T }>;

export interface TreeModelOptions {
  readonly loadKubeconfig: () => Promise<LoadedKubeconfig>;
  readonly createClient: (kubeconfig: LoadedKubeconfig, context: string) => Promise<ClusterClient>;
  /** ModelDock's own current context (extension state), overriding the file's current-context. */
  readonly activeContext?: string;
  readonly favorites?: readonly string[];
  /**
   * False in an untrusted workspace: the current context shows a "Connect" node and nothing talks
   * to a cluster (nor runs a credential plugin) until the user asks with connect().
   */
  readonly autoConnect?: boolean;
  readonly coalesceMs?: number;
  readonly now?: () => number;
  readonly trace?: (message: string) => void;
}

type Scope<T> = { watch: ResourceWatch<T>; nodes: Map<string, TreeNode>; sorted?: TreeNode[]; subs: DisposableStore };

/** Per node: what the pods bound to it request, per resource (GPUs, MIG slices, cpu, memory). */
export type NodeUsage = ReadonlyMap<string, ReadonlyMap<string, number>>;

/** The Nodes level's watches: the nodes, and every namespace's pods (what uses each node's GPUs). */
interface NodeScope {
  readonly nodes: ResourceWatch<NodeInfo>;
  readonly pods: ResourceWatch<PodInfo>;
  readonly rows: Map<string, NodeOf<'node'>>;
  readonly subs: DisposableStore;
  usage?: NodeUsage;
}

const NO_USE: ReadonlyMap<string, number> = new Map();

/** Pods that count against a node: bound, not finished. */
const holdsResources = (p: PodInfo) => !!p.nodeName && p.phase !== 'Succeeded' && p.phase !== 'Failed';

/** The scheduler said no node fits (PodScheduled=False): the pod can explain itself. */
export function isUnschedulablePod(p: PodInfo): boolean {
  return p.phase === 'Pending' && !p.nodeName && p.conditions.some((c) => c.type === 'PodScheduled' && c.status === 'False');
}

/** Everything that lives as long as one context is the active one. */
class ContextSession implements Disposable {
  readonly store = new DisposableStore();
  client: ClusterClient | undefined;
  error: KubeErrorInfo | undefined;
  starting: Promise<void> | undefined;
  namespaces: Scope<NamespaceInfo> | undefined;
  readonly scopes = new Map<string, Scope<PodInfo> | Scope<WorkloadInfo>>();
  readonly nsNodes = new Map<string, NodeOf<'namespace'>>();
  readonly groupNodes = new Map<string, TreeNode>();
  nodeScope: NodeScope | undefined;
  nodesGroup: NodeOf<'nodes'> | undefined;
  /** Why a Pending pod does not schedule, per pod uid and resourceVersion (computed from a list of nodes and pods). */
  readonly explanations = new Map<string, { rv: string; text?: string; error?: string }>();
  constructor(readonly context: string) {}
  closeNodes(): void {
    this.nodeScope?.subs.dispose();
    this.nodeScope = undefined;
  }
  dispose(): void {
    this.closeNodes();
    for (const s of this.scopes.values()) s.subs.dispose();
    this.scopes.clear();
    this.namespaces?.subs.dispose();
    this.namespaces = undefined;
    this.store.dispose();
    this.client?.dispose();
    this.client = undefined;
  }
}

const scopeKey = (kind: WatchableKind, ns: string) => `${kind}:${ns}`;

export class ClusterTreeModel implements Disposable {
  private readonly changed = new Emitter<readonly TreeNode[] | undefined>();
  readonly onDidChange = this.changed.event;
  private readonly coalescer: Coalescer<TreeNode | 'root'>;
  private kubeconfig: LoadedKubeconfig | undefined;
  private kubeconfigError: KubeErrorInfo | undefined;
  private loadingConfig: Promise<void> | undefined;
  private readonly contextNodeCache = new Map<string, NodeOf<'context'>>();
  private session: ContextSession | undefined;
  private active: string | undefined;
  private favorites: string[];
  private filter = '';
  private visible = true;
  private autoConnect: boolean;
  private consented = false;
  private readonly now: () => number;
  private readonly trace: (m: string) => void;
  /** Every node getChildren handed out: commands act only on these, never on a look-alike object. */
  private issued = new WeakSet<TreeNode>();

  constructor(private readonly options: TreeModelOptions) {
    this.active = options.activeContext;
    this.favorites = [...(options.favorites ?? [])];
    this.autoConnect = options.autoConnect ?? true;
    this.now = options.now ?? Date.now;
    this.trace = options.trace ?? (() => undefined);
    this.coalescer = new Coalescer(options.coalesceMs ?? 100, (keys) => this.flush(keys));
  }

  // ---- public controls ------------------------------------------------------------------------

  get activeContext(): string | undefined {
    return this.session?.context ?? this.active;
  }

  get client(): ClusterClient | undefined {
    return this.session?.client;
  }

  get namespaceFilter(): string {
    return this.filter;
  }

  get connection(): ConnectionState {
    const s = this.session;
    if (!this.kubeconfig || !this.contexts().some((c) => c.current)) return 'no-context';
    if (!this.autoConnect && !this.consented) return 'needs-consent';
    if (s?.error) return 'failed';
    if (s?.client) return 'connected';
    return 'connecting';
  }

  /** The user asked to connect (the Connect node): allowed from now on in this window. */
  connect(): void {
    if (this.consented) return;
    this.consented = true;
    this.changed.fire(undefined);
  }

  /** The workspace became trusted: connect without asking from now on. */
  setAutoConnect(auto: boolean): void {
    if (this.autoConnect === auto) return;
    this.autoConnect = auto;
    this.changed.fire(undefined);
  }

  /** Reload the kubeconfig and start over (the Refresh button, a settings change). */
  refresh(): void {
    this.session?.dispose();
    this.session = undefined;
    this.kubeconfig = undefined;
    this.kubeconfigError = undefined;
    this.loadingConfig = undefined;
    this.changed.fire(undefined);
  }

  switchContext(name: string): void {
    if (this.session?.context === name) return;
    this.session?.dispose();
    this.session = undefined;
    this.active = name;
    this.changed.fire(undefined);
  }

  setFavorites(list: readonly string[]): void {
    this.favorites = [...list];
    this.markNamespacesChanged();
  }

  setFilter(text: string): void {
    this.filter = text.trim();
    this.markNamespacesChanged();
  }

  /** The view hid: close every watch. Showing it again re-asks for the children it displays. */
  setVisible(visible: boolean): void {
    if (this.visible === visible) return;
    this.visible = visible;
    if (!visible) this.closeScopes(() => true, true);
    else this.changed.fire(undefined);
  }

  /** A node collapsed: its watches (and those below it) close. */
  collapsed(node: TreeNode): void {
    const s = this.session;
    if (!s) return;
    switch (node.type) {
      case 'context':
        this.closeScopes(() => true, true);
        break;
      case 'namespace':
        this.closeScopes((k) => k.endsWith(`:${node.name}`));
        break;
      case 'group':
        this.closeScopes((k) => (node.group === 'pods' ? k === scopeKey('Pod', node.namespace) : !k.startsWith('Pod:') && k.endsWith(`:${node.namespace}`)));
        break;
      case 'workloadKind':
        this.closeScopes((k) => k === scopeKey(node.kind, node.namespace));
        break;
      case 'nodes':
        s.closeNodes();
        break;
      default:
        return;
    }
    // Makes the view ask again on the next expand instead of showing a frozen snapshot.
    this.changed.fire([node]);
  }

  /** Restart what failed behind a node (after a 403 was fixed, say); no node: start over. */
  retry(node?: TreeNode): void {
    const s = this.session;
    if (!node || node.type === 'context' || !s) return this.refresh();
    if (node.type === 'message') {
      if (node.retries === 'namespaces') return s.namespaces ? s.namespaces.watch.restart() : this.refresh();
      if (node.retries === 'nodes') {
        s.nodeScope?.nodes.restart();
        s.nodeScope?.pods.restart();
        return;
      }
      const scope = node.retries === undefined ? undefined : s.scopes.get(node.retries);
      return scope ? scope.watch.restart() : this.refresh();
    }
    const ns = node.type === 'namespace' ? node.name : 'namespace' in node ? node.namespace : undefined;
    for (const [k, scope] of s.scopes) if (ns === undefined || k.endsWith(`:${ns}`)) scope.watch.restart();
    if (ns === undefined) s.namespaces?.watch.restart();
    if (node.type === 'nodes' || node.type === 'node') {
      s.nodeScope?.nodes.restart();
      s.nodeScope?.pods.restart();
    }
  }

  contexts(): KubeContextInfo[] {
    return this.kubeconfig ? listContexts(this.kubeconfig.config, this.activeContext) : [];
  }

  /** The kubeconfig as loaded (for "no kubeconfig" messages and the switch-context command). */
  get loaded(): LoadedKubeconfig | undefined {
    return this.kubeconfig;
  }

  // ---- children ---------------------------------------------------------------------------------

  getChildren(node?: TreeNode): TreeNode[] {
    const children = this.childrenOf(node);
    for (const c of children) this.issued.add(c);
    return children;
  }

  /**
   * Whether `node` is a node of this tree (handed out by getChildren), not an object that only looks
   * like one: a command link or another extension can pass any JSON as a command argument.
   */
  owns(node: unknown): node is TreeNode {
    return typeof node === 'object' && node !== null && this.issued.has(node as TreeNode);
  }

  private childrenOf(node?: TreeNode): TreeNode[] {
    if (!node) return this.rootChildren();
    switch (node.type) {
      case 'context':
        return this.contextChildren(node);
      case 'namespace':
        return this.namespaceChildren(node);
      case 'group':
        return node.group === 'pods' ? this.scopeChildren('Pod', node.namespace, node) : WORKLOAD_KINDS.map((k) => this.kindNode(node.namespace, k));
      case 'workloadKind':
        return this.scopeChildren(node.kind, node.namespace, node);
      case 'pod': {
        node.containers ??= [...node.info.initContainers, ...node.info.containers].map((c) => ({ type: 'container', id: `${node.id}/c/${c.name}`, pod: node.info, info: c }));
        const why = isUnschedulablePod(node.info) ? this.pendingExplanation(node) : undefined;
        return why ? [why, ...node.containers] : node.containers;
      }
      case 'nodes':
        return this.nodesChildren(node);
      case 'node':
        return this.nodeChildren(node);
      default:
        return [];
    }
  }

  present(node: TreeNode): Presentation {
    const now = this.now();
    switch (node.type) {
      case 'context':
        return presentContext(node.info);
      case 'namespace':
        return presentNamespace(node.name, node.ns, node.favorite, now);
      case 'group':
        return presentGroup(node.group, node.group === 'pods' ? this.session?.scopes.get(scopeKey('Pod', node.namespace))?.nodes.size : undefined);
      case 'workloadKind': {
        const scope = this.session?.scopes.get(scopeKey(node.kind, node.namespace));
        return presentWorkloadKind(node.kind, scope?.watch.state.kind === 'ready' ? scope.nodes.size : undefined);
      }
      case 'workload':
        return presentWorkload(node.info, now);
      case 'pod':
        return presentPod(node.info, now);
      case 'container':
        return presentContainer(node.info);
      case 'nodes': {
        const sc = this.session?.nodeScope;
        return presentNodesGroup(sc?.nodes.state.kind === 'ready' ? [...sc.nodes.items.values()] : undefined, sc && sc.pods.state.kind === 'ready' ? this.usage(sc) : undefined);
      }
      case 'node': {
        const sc = this.session?.nodeScope;
        return presentNode(node.info, sc && sc.pods.state.kind === 'ready' ? (this.usage(sc).get(node.info.name) ?? NO_USE) : undefined);
      }
      case 'detail':
        return node.presentation;
      case 'message':
        if (node.error) return presentError(node.error);
        return {
          label: node.text,
          ...(node.kind === 'connect' ? { tooltip: 'This workspace is not trusted: ModelDock connects with your own kubeconfig only when you ask.' } : {}),
          icon: node.kind === 'loading' ? { id: 'loading~spin' } : node.kind === 'connect' ? { id: 'plug' } : { id: 'info' },
          contextValue: `modeldock.message.${node.kind}`,
          collapsible: 'none',
        };
    }
  }

  getParent(node: TreeNode): TreeNode | undefined {
    const s = this.session;
    if (!s) return undefined;
    switch (node.type) {
      case 'namespace':
        return this.contextNodes().find((c) => c.info.name === s.context);
      case 'group':
        return s.nsNodes.get(node.namespace);
      case 'workloadKind':
        return s.groupNodes.get(`${node.namespace}/workloads`);
      case 'pod':
        if (node.id.includes('/nodes/')) return s.nodeScope?.rows.get(node.info.nodeName ?? '');
        return node.info.meta.namespace ? s.groupNodes.get(`${node.info.meta.namespace}/pods`) : undefined;
      case 'nodes':
        return this.contextNodes().find((c) => c.info.name === s.context);
      case 'node':
        return s.nodesGroup;
      default:
        return undefined;
    }
  }

  private message(id: string, kind: MessageKind, text: string, error?: KubeErrorInfo, retries?: string): TreeNode {
    return { type: 'message', id, kind, text, ...(error ? { error } : {}), ...(retries !== undefined ? { retries } : {}) };
  }

  private rootChildren(): TreeNode[] {
    if (!this.kubeconfig) {
      if (this.kubeconfigError) return [this.message('root/error', 'error', this.kubeconfigError.message, this.kubeconfigError)];
      this.loadingConfig ??= this.options.loadKubeconfig().then(
        (kc) => {
          this.kubeconfig = kc;
          this.changed.fire(undefined);
        },
        (err: unknown) => {
          this.kubeconfigError = { kind: 'no-kubeconfig', message: err instanceof Error ? err.message : String(err) };
          this.changed.fire(undefined);
        },
      );
      return [this.message('root/loading', 'loading', 'Loading kubeconfig…')];
    }
    // An empty answer lets VS Code show the contributed welcome content (how to get a cluster).
    if (this.kubeconfig.found.length === 0 || this.kubeconfig.config.contexts.length === 0) {
      return this.kubeconfig.problems.map((p, i) => this.message(`root/problem/${i}`, 'error', `${p.path}: ${p.message}`, { kind: 'no-kubeconfig', message: `${p.path}: ${p.message}` }));
    }
    const problems = this.kubeconfig.problems.map((p, i) =>
      this.message(`root/problem/${i}`, 'error', `${p.path}: ${p.message}`, { kind: 'invalid', message: `${p.path}: ${p.message}`, hint: 'Fix or remove this file.' }),
    );
    return [...this.contextNodes(), ...problems];
  }

  private contextNodes(): NodeOf<'context'>[] {
    // The same object for an unchanged context: VS Code refreshes tree items by identity, so a
    // refresh fired with the node of an earlier getChildren() must still find the one it shows.
    const seen = new Set<string>();
    const out = this.contexts().map((info) => {
      seen.add(info.name);
      const cached = this.contextNodeCache.get(info.name);
      if (cached && JSON.stringify(cached.info) === JSON.stringify(info)) return cached;
      const node: NodeOf<'context'> = { type: 'context', id: `ctx/${info.name}`, info };
      this.contextNodeCache.set(info.name, node);
      return node;
    });
    for (const name of [...this.contextNodeCache.keys()]) if (!seen.has(name)) this.contextNodeCache.delete(name);
    return out;
  }

  private ensureSession(context: string): ContextSession {
    if (this.session?.context === context) return this.session;
    this.session?.dispose();
    const s = new ContextSession(context);
    this.session = s;
    return s;
  }

  private contextChildren(node: NodeOf<'context'>): TreeNode[] {
    if (!node.info.current || !this.kubeconfig) return [];
    if (!this.autoConnect && !this.consented) return [this.message(`${node.id}/connect`, 'connect', 'Connect…')];
    const s = this.ensureSession(node.info.name);
    if (s.error) return [this.message(`${node.id}/error`, 'error', s.error.message, s.error, 'session')];
    if (!s.client) {
      const kubeconfig = this.kubeconfig;
      s.starting ??= this.options.createClient(kubeconfig, node.info.name).then(
        (client) => {
          if (this.session !== s) return client.dispose();
          s.client = client;
          this.changed.fire([node]);
        },
        (err: unknown) => {
          s.error = err instanceof KubeError ? err.info : { kind: 'server', message: err instanceof Error ? err.message : String(err) };
          this.changed.fire([node]);
        },
      );
      return [this.message(`${node.id}/loading`, 'loading', 'Connecting…')];
    }
    if (!this.visible) return [];
    const client = s.client;
    if (!s.namespaces) {
      const watch = client.watchNamespaces();
      const scope: Scope<NamespaceInfo> = { watch, nodes: new Map(), subs: new DisposableStore() };
      scope.subs.add(watch);
      scope.subs.add(watch.onChange(() => this.coalescer.add(node)));
      scope.subs.add(watch.onState(() => this.coalescer.add(node)));
      s.namespaces = scope;
    }
    const state = s.namespaces.watch.state;
    if (state.kind === 'loading') return [this.message(`${node.id}/loading`, 'loading', 'Loading namespaces…')];
    const names = new Set<string>(state.kind === 'ready' ? [...s.namespaces.watch.items.keys()] : []);
    const out: TreeNode[] = [];
    if (state.kind === 'error') {
      out.push(this.message(`${node.id}/nserror`, 'error', state.error.message, state.error, 'namespaces'));
      // Users who may not list namespaces can still work in theirs: keep the context's and favourites.
      names.add(client.defaultNamespace);
    }
    for (const f of this.favorites) names.add(f);
    if (this.filter) out.push(this.message(`${node.id}/filter`, 'info', `Filter: "${this.filter}" (Clear with the filter button)`));
    s.nodesGroup ??= { type: 'nodes', id: `${node.id}/nodes` };
    out.unshift(s.nodesGroup);
    const fav = new Set(this.favorites);
    const filtered = [...names].filter((n) => !this.filter || n.includes(this.filter) || fav.has(n));
    filtered.sort((a, b) => Number(fav.has(b)) - Number(fav.has(a)) || a.localeCompare(b));
    for (const name of filtered) {
      let n = s.nsNodes.get(name);
      if (!n) {
        n = { type: 'namespace', id: `${node.id}/ns/${name}`, name, favorite: fav.has(name) };
        s.nsNodes.set(name, n);
      }
      n.favorite = fav.has(name);
      const info = s.namespaces.watch.items.get(name);
      if (info) n.ns = info;
      else delete n.ns;
      out.push(n);
    }
    return out;
  }

  private namespaceChildren(node: NodeOf<'namespace'>): TreeNode[] {
    const s = this.session;
    if (!s) return [];
    return (['workloads', 'pods'] as const).map((group) => {
      const key = `${node.name}/${group}`;
      let g = s.groupNodes.get(key);
      if (!g) {
        g = { type: 'group', id: `${node.id}/${group}`, group, namespace: node.name };
        s.groupNodes.set(key, g);
      }
      return g;
    });
  }

  private kindNode(namespace: string, kind: WorkloadKind): TreeNode {
    const s = this.session;
    const key = `${namespace}/kind/${kind}`;
    let n = s?.groupNodes.get(key);
    if (!n) {
      n = { type: 'workloadKind', id: `ctx/${s?.context ?? ''}/ns/${namespace}/workloads/${kind}`, kind, namespace };
      s?.groupNodes.set(key, n);
    }
    return n;
  }

  private scopeChildren(kind: WatchableKind, namespace: string, owner: TreeNode): TreeNode[] {
    const s = this.session;
    const client = s?.client;
    if (!s || !client || !this.visible) return [];
    const key = scopeKey(kind, namespace);
    let scope = s.scopes.get(key);
    if (!scope) {
      scope = this.openScope(s, client, kind, namespace, owner);
      s.scopes.set(key, scope);
    }
    const state = scope.watch.state;
    if (state.kind === 'loading') return [this.message(`${owner.id}/loading`, 'loading', 'Loading…')];
    const out: TreeNode[] = [];
    if (state.kind === 'error') out.push(this.message(`${owner.id}/error`, 'error', state.error.message, state.error, key));
    scope.sorted ??= [...scope.nodes.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (state.kind === 'ready' && scope.sorted.length === 0) out.push(this.message(`${owner.id}/empty`, 'info', kind === 'Pod' ? 'No pods' : 'None'));
    return out.length ? [...out, ...scope.sorted] : scope.sorted;
  }

  private openScope(s: ContextSession, client: ClusterClient, kind: WatchableKind, namespace: string, owner: TreeNode): Scope<PodInfo> | Scope<WorkloadInfo> {
    const watch = client.watch(kind, namespace) as ResourceWatch<PodInfo | WorkloadInfo>;
    const subs = new DisposableStore();
    const scope: Scope<PodInfo | WorkloadInfo> = { watch, nodes: new Map(), subs };
    const idBase = `${owner.id}/`;
    const makeNode = (info: PodInfo | WorkloadInfo): TreeNode =>
      info.kind === 'Pod' ? { type: 'pod', id: `${idBase}${info.meta.name}`, info } : { type: 'workload', id: `${idBase}${info.meta.name}`, info };
    subs.add(watch);
    subs.add(
      watch.onChange((change) => {
        let membership = change.reset || change.deleted.length > 0;
        if (change.reset) {
          const next = new Map<string, TreeNode>();
          for (const info of change.upserted) {
            const existing = scope.nodes.get(info.meta.name);
            if (existing && (existing.type === 'pod' || existing.type === 'workload')) {
              this.updateNode(existing, info);
              next.set(info.meta.name, existing);
            } else next.set(info.meta.name, makeNode(info));
          }
          scope.nodes = next;
        } else {
          for (const name of change.deleted) scope.nodes.delete(name);
          for (const info of change.upserted) {
            const existing = scope.nodes.get(info.meta.name);
            if (existing && (existing.type === 'pod' || existing.type === 'workload')) {
              this.updateNode(existing, info);
              this.coalescer.add(existing);
            } else {
              scope.nodes.set(info.meta.name, makeNode(info));
              membership = true;
            }
          }
        }
        if (membership) {
          scope.sorted = undefined;
          this.coalescer.add(owner);
        }
      }),
    );
    subs.add(watch.onState(() => this.coalescer.add(owner)));
    return scope as Scope<PodInfo> | Scope<WorkloadInfo>;
  }

  private updateNode(node: TreeNode, info: PodInfo | WorkloadInfo): void {
    if (node.type === 'pod' && info.kind === 'Pod') {
      node.info = info;
      delete node.containers;
    } else if (node.type === 'workload' && info.kind !== 'Pod') node.info = info;
  }

  // ---- the Nodes level ----------------------------------------------------------------------------

  private usage(sc: NodeScope): NodeUsage {
    if (sc.usage) return sc.usage;
    const out = new Map<string, Map<string, number>>();
    for (const p of sc.pods.items.values()) {
      if (!holdsResources(p)) continue;
      const m = out.get(p.nodeName!) ?? new Map<string, number>();
      for (const [r, v] of podRequests(schedPod(p))) m.set(r, (m.get(r) ?? 0) + v);
      out.set(p.nodeName!, m);
    }
    sc.usage = out;
    return out;
  }

  private nodesChildren(owner: NodeOf<'nodes'>): TreeNode[] {
    const s = this.session;
    const client = s?.client;
    if (!s || !client || !this.visible) return [];
    if (!s.nodeScope) {
      const subs = new DisposableStore();
      const nodes = subs.add(client.watchNodes());
      // Pods of every namespace (bound ones): what holds each node's GPUs. Needs cluster-wide rights.
      const pods = subs.add(client.watchAllPods({ fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' }));
      const sc: NodeScope = { nodes, pods, rows: new Map(), subs };
      subs.add(nodes.onChange(() => this.coalescer.add(owner)));
      subs.add(nodes.onState(() => this.coalescer.add(owner)));
      subs.add(
        pods.onChange(() => {
          sc.usage = undefined;
          this.coalescer.add(owner);
        }),
      );
      subs.add(pods.onState(() => this.coalescer.add(owner)));
      s.nodeScope = sc;
    }
    const sc = s.nodeScope;
    const state = sc.nodes.state;
    if (state.kind === 'loading') return [this.message(`${owner.id}/loading`, 'loading', 'Loading nodes…')];
    if (state.kind === 'error') return [this.message(`${owner.id}/error`, 'error', state.error.message, state.error, 'nodes')];
    const out: TreeNode[] = [];
    const podState = sc.pods.state;
    if (podState.kind === 'error') {
      out.push(this.message(`${owner.id}/podserror`, 'info', `GPU use per node unknown: ${podState.error.message}`, undefined, 'nodes'));
    }
    const seen = new Set<string>();
    for (const info of [...sc.nodes.items.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      seen.add(info.name);
      let row = sc.rows.get(info.name);
      if (!row) {
        row = { type: 'node', id: `${owner.id}/${info.name}`, info };
        sc.rows.set(info.name, row);
      }
      row.info = info;
      out.push(row);
    }
    for (const name of [...sc.rows.keys()]) if (!seen.has(name)) sc.rows.delete(name);
    if (seen.size === 0) out.push(this.message(`${owner.id}/empty`, 'info', 'No nodes (or none you may list)'));
    return out;
  }

  private detail(id: string, p: Omit<Presentation, 'collapsible'>): TreeNode {
    return { type: 'detail', id, presentation: { ...p, collapsible: 'none' } };
  }

  private nodeChildren(node: NodeOf<'node'>): TreeNode[] {
    const s = this.session;
    const sc = s?.nodeScope;
    const n = node.info;
    const used = sc && sc.pods.state.kind === 'ready' ? (this.usage(sc).get(n.name) ?? NO_USE) : undefined;
    const out: TreeNode[] = [];
    const resources = [...new Set([...Object.keys(n.capacity), ...Object.keys(n.allocatable)])].filter(isGpuResource).sort();
    for (const r of resources) {
      const capacity = parseQuantity(n.capacity[r]) ?? 0;
      const allocatable = parseQuantity(n.allocatable[r]) ?? 0;
      const requested = used?.get(r);
      const free = requested === undefined ? undefined : Math.max(0, allocatable - requested);
      out.push(
        this.detail(`${node.id}/res/${r}`, {
          label: r,
          description: [`capacity ${capacity}`, `allocatable ${allocatable}`, requested === undefined ? 'requested: unknown' : `requested ${requested}`, free === undefined ? undefined : `${free} free`].filter(Boolean).join(' · '),
          tooltip: `${r} on ${n.name}: capacity ${capacity} (what the device plugin reports), allocatable ${allocatable} (what pods may request), requested ${requested ?? 'unknown'} by the pods bound to it.`,
          icon: { id: 'circuit-board', ...(free === 0 ? { color: 'charts.yellow' } : free !== undefined ? { color: 'testing.iconPassed' } : {}) },
          contextValue: 'modeldock.node.resource',
        }),
      );
    }
    if (resources.length === 0) out.push(this.detail(`${node.id}/nogpu`, { label: 'No GPUs', description: 'no nvidia.com/gpu, amd.com/gpu or MIG resources', icon: { id: 'circle-slash', color: 'disabledForeground' }, contextValue: 'modeldock.node.resource' }));
    for (const key of ['nvidia.com/gpu.product', 'nvidia.com/gpu.memory', 'nvidia.com/mig.strategy', 'amd.com/gpu.product-name']) {
      const v = n.labels[key];
      if (v) out.push(this.detail(`${node.id}/label/${key}`, { label: v, description: key, icon: { id: 'tag' }, contextValue: 'modeldock.node.label' }));
    }
    if (!n.ready) out.push(this.detail(`${node.id}/notready`, { label: 'NotReady', description: 'pods are not scheduled here', icon: { id: 'error', color: 'testing.iconFailed' }, contextValue: 'modeldock.node.condition' }));
    if (n.unschedulable) out.push(this.detail(`${node.id}/cordoned`, { label: 'Cordoned', description: 'spec.unschedulable', icon: { id: 'circle-slash', color: 'charts.yellow' }, contextValue: 'modeldock.node.condition' }));
    for (const [i, t] of n.taints.entries()) {
      const text = `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;
      out.push(this.detail(`${node.id}/taint/${i}`, { label: `taint ${text}`, description: 'pods need a matching toleration', icon: { id: 'shield', color: 'charts.orange' }, contextValue: 'modeldock.node.taint' }));
    }
    if (sc && sc.pods.state.kind === 'ready') {
      const holders = [...sc.pods.items.values()]
        .filter((p) => p.nodeName === n.name && holdsResources(p) && [...podRequests(schedPod(p)).keys()].some(isGpuResource))
        .sort((a, b) => `${a.meta.namespace}/${a.meta.name}`.localeCompare(`${b.meta.namespace}/${b.meta.name}`));
      for (const p of holders) out.push({ type: 'pod', id: `${node.id}/pod/${p.meta.namespace ?? ''}/${p.meta.name}`, info: p });
    }
    return out;
  }

  /** "Pending: needs 2 nvidia.com/gpu; largest free on any node: 1 (…)", computed from a list of nodes and pods. */
  private pendingExplanation(node: NodeOf<'pod'>): TreeNode | undefined {
    const s = this.session;
    const client = s?.client;
    if (!s || !client) return undefined;
    const key = node.info.meta.uid ?? `${node.info.meta.namespace}/${node.info.meta.name}`;
    const rv = node.info.meta.resourceVersion ?? '';
    const have = s.explanations.get(key);
    if (!have || have.rv !== rv) {
      s.explanations.set(key, { rv });
      const scheduler = node.info.conditions.find((c) => c.type === 'PodScheduled')?.message;
      void (async () => {
        try {
          const sc = s.nodeScope;
          const nodes = sc?.nodes.state.kind === 'ready' ? [...sc.nodes.items.values()] : await client.listNodes();
          let pods: PodInfo[];
          let partial = '';
          if (sc?.pods.state.kind === 'ready') pods = [...sc.pods.items.values()];
          else {
            pods = await client.listAllPods({ fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' }).catch(async () => {
              partial = ` (use counted in ${node.info.meta.namespace} only: cannot list pods of all namespaces)`;
              return client.list('Pod', node.info.meta.namespace ?? 'default');
            });
          }
          const e = explainScheduling(schedPod(node.info), nodes, pods.filter(holdsResources).map(schedPod));
          s.explanations.set(key, { rv, text: `${e.summary}${partial}${scheduler ? `\nThe scheduler: ${scheduler}` : ''}` });
        } catch (err) {
          s.explanations.set(key, { rv, error: err instanceof Error ? err.message : String(err) });
        }
        if (this.session === s) this.coalescer.add(node);
      })();
    }
    const cur = s.explanations.get(key)!;
    if (cur.error) return this.detail(`${node.id}/pending`, { label: `Pending: ${node.info.conditions.find((c) => c.type === 'PodScheduled')?.message ?? 'the scheduler found no node'}`, description: `(nodes unreadable: ${cur.error})`, icon: { id: 'warning', color: 'charts.yellow' }, contextValue: 'modeldock.pod.pending' });
    if (!cur.text) return this.detail(`${node.id}/pending`, { label: 'Pending: working out why…', icon: { id: 'loading~spin' }, contextValue: 'modeldock.pod.pending' });
    const [first, ...rest] = cur.text.split('\n');
    return this.detail(`${node.id}/pending`, { label: `Pending: ${first}`, tooltip: [first, ...rest].join('\n'), icon: { id: 'warning', color: 'charts.yellow' }, contextValue: 'modeldock.pod.pending' });
  }

  private closeScopes(match: (key: string) => boolean, includeNamespaces = false): void {
    const s = this.session;
    if (!s) return;
    for (const [k, scope] of [...s.scopes]) {
      if (!match(k)) continue;
      scope.subs.dispose();
      s.scopes.delete(k);
    }
    // The namespace watch belongs to the context node: closed with it or when the view hides.
    if (includeNamespaces && s.namespaces) {
      s.namespaces.subs.dispose();
      s.namespaces = undefined;
    }
    if (includeNamespaces) s.closeNodes();
  }

  private markNamespacesChanged(): void {
    const ctx = this.contextNodes().find((c) => c.info.current);
    if (ctx) this.changed.fire([ctx]);
  }

  private flush(keys: ReadonlySet<TreeNode | 'root'>): void {
    if (keys.has('root')) return this.changed.fire(undefined);
    // A group refresh re-renders its pods anyway: drop pod-level entries under a dirty group.
    const groups = new Set<string>();
    for (const k of keys) if (k !== 'root' && (k.type === 'group' || k.type === 'workloadKind' || k.type === 'context' || k.type === 'nodes')) groups.add(k.id);
    // Hundreds of row updates under one group cost the view more one by one than as one group refresh.
    const perParent = new Map<string, number>();
    for (const k of keys) {
      if (k === 'root' || (k.type !== 'pod' && k.type !== 'workload')) continue;
      const parentId = k.id.slice(0, k.id.lastIndexOf('/'));
      perParent.set(parentId, (perParent.get(parentId) ?? 0) + 1);
    }
    const promoted = new Set<string>();
    for (const [parentId, n] of perParent) if (n > 200 && !groups.has(parentId)) promoted.add(parentId);
    const nodes: TreeNode[] = [];
    for (const k of keys) {
      if (k === 'root') continue;
      const parentId = k.id.slice(0, k.id.lastIndexOf('/'));
      if (k.type === 'pod' || k.type === 'workload') {
        if (groups.has(parentId)) continue;
        const owner = promoted.has(parentId) ? this.session && [...this.session.groupNodes.values()].find((g) => g.id === parentId) : undefined;
        if (owner) {
          groups.add(parentId);
          nodes.push(owner);
          continue;
        }
      }
      nodes.push(k);
    }
    if (nodes.length) this.changed.fire(nodes);
  }

  dispose(): void {
    this.coalescer.dispose();
    this.session?.dispose();
    this.session = undefined;
    this.changed.dispose();
  }
}
