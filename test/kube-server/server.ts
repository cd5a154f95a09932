import * as https from 'node:https';
import * as net from 'node:net';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import YAML from 'yaml';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { generateCerts, type TestCerts } from './certs';

/**
 * A Kubernetes API server double for ModelDock's tests: real HTTPS with a generated CA, bearer
 * tokens, RBAC denials, resourceVersion'd lists with limit/continue, watch streams with bookmarks
 * and 410 Gone, pod logs (follow/tail/previous/container, chunked), server-side apply with
 * dryRun=All, DELETE, the scale subresource and pod port-forward over WebSocket (channel protocol
 * v4, relayed to a local TCP backend the test registers with exposePodPort). Shapes follow the API conventions (Status objects,
 * `PodList` kinds, string resourceVersions, list items without kind/apiVersion). What it does NOT
 * do: controllers (a Deployment never makes pods), field-ownership conflicts in apply, protobuf,
 * exec/attach (the other websocket subresources). See README.md.
 */

type Rec = Record<string, unknown>;

interface ResourceDef {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly scale?: boolean;
}

const RESOURCES: readonly ResourceDef[] = [
  { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false },
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true },
  { group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true },
  { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true },
  { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true, scale: true },
  { group: 'apps', version: 'v1', plural: 'statefulsets', kind: 'StatefulSet', namespaced: true, scale: true },
  { group: 'batch', version: 'v1', plural: 'jobs', kind: 'Job', namespaced: true },
  { group: 'batch', version: 'v1', plural: 'cronjobs', kind: 'CronJob', namespaced: true },
];

const apiVersionOf = (d: ResourceDef) => (d.group ? `${d.group}/${d.version}` : d.version);

export interface ForbidRule {
  readonly user?: string;
  readonly namespace?: string;
  /** list, watch, get, create, patch, update, delete */
  readonly verbs?: readonly string[];
  /** e.g. pods, pods/log, deployments/scale */
  readonly resources?: readonly string[];
}

export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly user?: string;
  readonly verb?: string;
  readonly resource?: string;
  readonly namespace?: string;
  readonly watch: boolean;
  code: number;
}

interface LogLineRec {
  readonly time: string;
  readonly text: string;
}

interface ContainerLogs {
  current: LogLineRec[];
  previous?: LogLineRec[];
  followers: Set<{ res: ServerResponse; timestamps: boolean }>;
}

interface Watcher {
  readonly def: ResourceDef;
  readonly namespace?: string;
  readonly fieldSelector: (o: Rec) => boolean;
  readonly labelSelector: (o: Rec) => boolean;
  readonly bookmarks: boolean;
  readonly res: ServerResponse;
  timer?: ReturnType<typeof setTimeout>;
}

interface HistoryEvent {
  readonly rv: number;
  readonly plural: string;
  readonly namespace?: string;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: Rec;
}

export interface PodSpecInput {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  readonly containers?: readonly { name: string; image?: string; gpus?: number; ports?: number[] }[];
  readonly initContainers?: readonly { name: string; image?: string }[];
  readonly phase?: string;
  readonly nodeName?: string;
  readonly ownerDeployment?: string;
}

/**
 * WebSocket subprotocols the port-forward endpoint speaks, in our order of preference. The
 * kubelet's websocket port-forward speaks `v4.channel.k8s.io`; `portforward.k8s.io` is accepted
 * as an alias (see README.md: a real server tunnels SPDY under that name, we do not).
 */
const PORT_FORWARD_PROTOCOLS = ['v4.channel.k8s.io', 'portforward.k8s.io'] as const;

interface PortForwardSession {
  readonly ws: WebSocket;
  readonly backends: Set<Socket>;
}

function rawDataToBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** `ports` as the API server takes it: repeated and/or comma-separated, each 1..65535. */
function parseForwardPorts(url: URL): number[] {
  const raw = url.searchParams.getAll('ports').flatMap((v) => v.split(','));
  if (raw.length === 0) throw new HttpError(400, 'BadRequest', 'query parameter "ports" is required');
  return raw.map((p) => {
    const n = /^\d+$/.test(p.trim()) ? Number.parseInt(p, 10) : Number.NaN;
    if (!(n >= 1 && n <= 65535)) throw new HttpError(400, 'BadRequest', `invalid port value "${p}": must be in the range 1..65535`);
    return n;
  });
}

export interface KubeTestServerOptions {
  /** Tokens and the user each authenticates as. Default: `admin-token` → admin. */
  readonly tokens?: Record<string, string>;
  /** History kept for watch replay; older versions answer 410 Gone. */
  readonly historyLimit?: number;
}

const clone = <T>(v: T): T => structuredClone(v);
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const nowIso = () => new Date().toISOString();

function statusBody(code: number, reason: string, message: string, details?: Rec): Rec {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Rec,
  ) {
    super(message);
  }
}

/** Deep merge for apply/merge-patch: maps merge, arrays and scalars replace, null deletes. */
function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isRec(patch)) return clone(patch);
  const out: Rec = isRec(base) ? clone(base) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = deepMerge(out[k], v);
  }
  return out;
}

function parseSelector(sel: string | null, field: boolean): (o: Rec) => boolean {
  if (!sel) return () => true;
  const reqs = sel.split(',').map((r) => {
    const neq = r.includes('!=');
    const [k, v] = r.split(neq ? '!=' : r.includes('==') ? '==' : '=');
    return { k: (k ?? '').trim(), v: (v ?? '').trim(), neq };
  });
  return (o) =>
    reqs.every(({ k, v, neq }) => {
      let actual: unknown;
      if (field) {
        actual = k.split('.').reduce<unknown>((acc, part) => (isRec(acc) ? acc[part] : undefined), o);
      } else {
        const labels = isRec(o.metadata) && isRec(o.metadata.labels) ? o.metadata.labels : {};
        actual = labels[k];
      }
      return neq ? actual !== v : actual === v;
    });
}

export class KubeTestServer {
  private server: https.Server | undefined;
  private readonly sockets = new Set<Socket>();
  private rvCounter = 100;
  private compactedRv = 0;
  private readonly store = new Map<string, Map<string, Rec>>();
  private history: HistoryEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly logs = new Map<string, ContainerLogs>();
  private readonly rules: ForbidRule[] = [];
  private readonly tokens: Map<string, string>;
  private readonly historyLimit: number;
  /** `ns/pod/port` → 127.0.0.1 port of the test's backend that stands in for the container. */
  private readonly exposed = new Map<string, number>();
  private readonly forwards = new Set<PortForwardSession>();
  /** metrics.k8s.io (metrics-server): absent (404, as without the APIService) until servePodMetrics(). */
  private podMetrics: Map<string, Rec> | undefined;
  // noServer: upgrades are routed by our own 'upgrade' handler, after auth and RBAC.
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (offered) => PORT_FORWARD_PROTOCOLS.find((p) => offered.has(p)) ?? false,
  });
  readonly requests: RequestRecord[] = [];
  port = 0;
  certs: TestCerts | undefined;
  dir = '';

  constructor(options: KubeTestServerOptions = {}) {
    this.tokens = new Map(Object.entries(options.tokens ?? { 'admin-token': 'admin' }));
    this.historyLimit = options.historyLimit ?? 50_000;
    for (const d of RESOURCES) this.store.set(d.plural, new Map());
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  get resourceVersion(): string {
    return String(this.rvCounter);
  }

  async start(): Promise<this> {
    this.dir = await fs.mkdtemp(join(tmpdir(), 'modeldock-kube-'));
    this.certs = await generateCerts(this.dir);
    this.server = https.createServer({ cert: this.certs.serverCert, key: this.certs.serverKey }, (req, res) => {
      void this.handle(req, res);
    });
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', () => resolve()));
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
    this.addNamespace('default');
    return this;
  }

  async stop(): Promise<void> {
    for (const w of this.watchers) this.endWatcher(w);
    for (const f of this.forwards) {
      f.ws.terminate();
      for (const b of f.backends) b.destroy();
    }
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    if (this.dir) await fs.rm(this.dir, { recursive: true, force: true });
  }

  /** Writes a kubeconfig for this server; contexts: `test` (the token), plus any extra users. */
  async writeKubeconfig(options: { token?: string; extraUsers?: Record<string, string>; file?: string; namespace?: string } = {}): Promise<string> {
    const file = options.file ?? join(this.dir, 'kubeconfig');
    const users = { test: options.token ?? 'admin-token', ...(options.extraUsers ?? {}) };
    const doc = {
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'test',
      clusters: [{ name: 'test-cluster', cluster: { server: this.url, 'certificate-authority-data': Buffer.from(this.certs?.caCert ?? '').toString('base64') } }],
      users: Object.entries(users).map(([name, token]) => ({ name, user: { token } })),
      contexts: Object.keys(users).map((name) => ({
        name,
        context: { cluster: 'test-cluster', user: name, namespace: options.namespace ?? 'default' },
      })),
    };
    await fs.writeFile(file, YAML.stringify(doc), { mode: 0o600 });
    return file;
  }

  // ---- state mutation API for tests -------------------------------------------------------

  addToken(token: string, user: string): void {
    this.tokens.set(token, user);
  }

  /** Deny a verb/resource/namespace (any field left out matches everything). Returns an undo. */
  forbid(rule: ForbidRule): () => void {
    this.rules.push(rule);
    return () => {
      const i = this.rules.indexOf(rule);
      if (i >= 0) this.rules.splice(i, 1);
    };
  }

  /**
   * Serves metrics.k8s.io/v1beta1 from now on, as metrics-server does, with `containers`' usage
   * (quantities such as `250m` and `512Mi`) for the pod. Before the first call the group is absent.
   */
  servePodMetrics(namespace: string, pod: string, containers: readonly { name: string; cpu: string; memory: string }[]): void {
    this.podMetrics ??= new Map();
    this.podMetrics.set(`${namespace}/${pod}`, {
      kind: 'PodMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { name: pod, namespace, creationTimestamp: nowIso() },
      timestamp: nowIso(),
      window: '15s',
      containers: containers.map((c) => ({ name: c.name, usage: { cpu: c.cpu, memory: c.memory } })),
    });
  }

  private metricsApi(res: ServerResponse, rec: RequestRecord, parts: string[], user: string): void {
    const notFound = () => new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    if (!this.podMetrics || parts[2] !== 'v1beta1') throw notFound();
    if (parts.length === 3) {
      const verbs = ['get', 'list'];
      this.send(res, rec, 200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: 'metrics.k8s.io/v1beta1',
        resources: [
          { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs },
          { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs },
        ],
      });
      return;
    }
    // /apis/metrics.k8s.io/v1beta1/namespaces/{ns}/pods/{name}
    const [, , , nsWord, namespace, plural, name] = parts;
    if (nsWord !== 'namespaces' || plural !== 'pods' || !namespace || !name || parts.length !== 7) throw notFound();
    Object.assign(rec, { verb: 'get', resource: 'pods', namespace });
    this.authorize(user, 'get', 'pods', namespace, 'metrics.k8s.io');
    const m = this.podMetrics.get(`${namespace}/${name}`);
    if (!m) throw new HttpError(404, 'NotFound', `podmetrics.metrics.k8s.io "${name}" not found`, { name, group: 'metrics.k8s.io', kind: 'pods' });
    this.send(res, rec, 200, m);
  }

  addNamespace(name: string): Rec {
    return this.put('namespaces', undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  }

  addPod(input: PodSpecInput): Rec {
    const ns = input.namespace ?? 'default';
    if (!this.get('namespaces', undefined, ns)) this.addNamespace(ns);
    const containers = input.containers ?? [{ name: 'main' }];
    const phase = input.phase ?? 'Running';
    const running = phase === 'Running';
    const started = nowIso();
    const pod: Rec = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: input.name,
        namespace: ns,
        labels: input.labels ?? {},
        ...(input.ownerDeployment
          ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${input.ownerDeployment}-5d9f7c`, uid: randomUUID(), controller: true }] }
          : {}),
      },
      spec: {
        nodeName: input.nodeName ?? 'node-1',
        containers: containers.map((c) => ({
          name: c.name,
          image: c.image ?? 'python:3.11-slim',
          ...(c.ports ? { ports: c.ports.map((p) => ({ containerPort: p, protocol: 'TCP' })) } : {}),
          resources: c.gpus ? { limits: { 'nvidia.com/gpu': String(c.gpus) }, requests: { 'nvidia.com/gpu': String(c.gpus) } } : {},
        })),
        ...(input.initContainers ? { initContainers: input.initContainers.map((c) => ({ name: c.name, image: c.image ?? 'busybox' })) } : {}),
      },
      status: {
        phase,
        podIP: '10.0.0.' + ((this.rvCounter % 250) + 1),
        startTime: started,
        ...(input.initContainers
          ? {
              initContainerStatuses: input.initContainers.map((c) => ({
                name: c.name,
                ready: true,
                restartCount: 0,
                image: c.image ?? 'busybox',
                state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: started, finishedAt: started } },
              })),
            }
          : {}),
        containerStatuses: containers.map((c) => ({
          name: c.name,
          ready: running,
          restartCount: 0,
          image: c.image ?? 'python:3.11-slim',
          started: running,
          state: running ? { running: { startedAt: started } } : { waiting: { reason: 'ContainerCreating' } },
        })),
      },
    };
    for (const c of [...containers, ...(input.initContainers ?? [])]) this.logs.set(this.logKey(ns, input.name, c.name), { current: [], followers: new Set() });
    return this.put('pods', ns, pod);
  }

  /** Adds many pods with a single history entry each but without per-pod overhead beyond that. */
  addPods(namespace: string, count: number, prefix = 'pod'): void {
    for (let i = 0; i < count; i++) this.addPod({ name: `${prefix}-${String(i).padStart(5, '0')}`, namespace });
  }

  addWorkload(kind: 'Deployment' | 'StatefulSet' | 'Job' | 'CronJob', namespace: string, name: string, extra: Rec = {}): Rec {
    const def = RESOURCES.find((d) => d.kind === kind);
    if (!def) throw new Error(kind);
    const template = { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'python:3.11-slim' }] } };
    const spec: Rec =
      kind === 'CronJob'
        ? { schedule: '*/5 * * * *', jobTemplate: { spec: { template } } }
        : kind === 'Job'
          ? { completions: 1, template }
          : { replicas: 1, selector: { matchLabels: { app: name } }, template };
    const status: Rec = kind === 'Job' ? { active: 1 } : kind === 'CronJob' ? {} : { replicas: 1, readyReplicas: 1, updatedReplicas: 1, availableReplicas: 1 };
    return this.put(def.plural, namespace, deepMerge({ apiVersion: apiVersionOf(def), kind, metadata: { name, namespace, generation: 1 }, spec, status }, extra) as Rec);
  }

  updatePod(namespace: string, name: string, mutate: (pod: Rec) => void): Rec {
    const pod = this.get('pods', namespace, name);
    if (!pod) throw new Error(`no pod ${namespace}/${name}`);
    const next = clone(pod);
    mutate(next);
    return this.put('pods', namespace, next);
  }

  setPodPhase(namespace: string, name: string, phase: string): Rec {
    return this.updatePod(namespace, name, (p) => {
      (p.status as Rec).phase = phase;
    });
  }

  appendLog(namespace: string, pod: string, container: string, lines: readonly string[]): void {
    const logs = this.logs.get(this.logKey(namespace, pod, container));
    if (!logs) throw new Error(`no container ${container} in ${namespace}/${pod}`);
    for (const text of lines) {
      const line = { time: nowIso(), text };
      logs.current.push(line);
      for (const f of logs.followers) f.res.write(this.formatLine(line, f.timestamps));
    }
  }

  /**
   * The container exits and the kubelet starts it again: its log becomes `previous`, followers'
   * streams end (as they do when a container dies), restartCount goes up and lastState records why.
   */
  restartContainer(namespace: string, pod: string, container: string, last: { reason?: string; exitCode?: number } = {}): Rec {
    const logs = this.logs.get(this.logKey(namespace, pod, container));
    if (!logs) throw new Error(`no container ${container}`);
    logs.previous = logs.current;
    logs.current = [];
    for (const f of logs.followers) f.res.end();
    logs.followers.clear();
    const now = nowIso();
    return this.updatePod(namespace, pod, (p) => {
      const statuses = ((p.status as Rec).containerStatuses ?? []) as Rec[];
      const cs = statuses.find((s) => s.name === container);
      if (!cs) return;
      const startedAt = isRec(cs.state) && isRec(cs.state.running) ? cs.state.running.startedAt : now;
      cs.restartCount = Number(cs.restartCount ?? 0) + 1;
      cs.lastState = {
        terminated: { exitCode: last.exitCode ?? 1, reason: last.reason ?? 'Error', startedAt, finishedAt: now },
      };
      cs.state = { running: { startedAt: now } };
      cs.ready = true;
    });
  }

  /**
   * Makes `port` of the pod reachable through port-forward: connections land on the test's
   * server at 127.0.0.1:`targetPort` (standing in for the container's port). Returns an undo.
   */
  exposePodPort(namespace: string, pod: string, port: number, targetPort: number): () => void {
    const key = `${namespace}/${pod}/${port}`;
    this.exposed.set(key, targetPort);
    return () => {
      if (this.exposed.get(key) === targetPort) this.exposed.delete(key);
    };
  }

  /** Port-forward WebSockets currently open (each carries one TCP connection per port). */
  openPortForwards(): number {
    return this.forwards.size;
  }

  deletePod(namespace: string, name: string): void {
    this.remove('pods', namespace, name);
  }

  /** Sends a BOOKMARK carrying the current resourceVersion to every watch that asked for them. */
  bookmark(): void {
    for (const w of this.watchers) {
      if (!w.bookmarks) continue;
      this.writeEvent(w, 'BOOKMARK', { kind: w.def.kind, apiVersion: apiVersionOf(w.def), metadata: { resourceVersion: this.resourceVersion } });
    }
  }

  /**
   * Compacts history like etcd: every version before now becomes "too old" (410 on watch), and
   * open watches are closed so clients must re-watch. With `bump`, one unrelated write happens
   * first, so even a client that saw the very latest event is now behind.
   */
  compact(options: { bump?: boolean } = {}): void {
    if (options.bump ?? true) this.rvCounter++;
    this.compactedRv = this.rvCounter;
    this.history = [];
    this.closeWatches();
  }

  /** Ends every open watch cleanly, as the server's own timeout would. */
  closeWatches(): void {
    for (const w of [...this.watchers]) this.endWatcher(w);
  }

  /** Cuts every connection (a network drop): clients see an error, not a clean end. */
  dropConnections(): void {
    for (const w of [...this.watchers]) {
      if (w.timer) clearTimeout(w.timer);
      this.watchers.delete(w);
    }
    for (const s of this.sockets) s.destroy();
  }

  openWatches(filter?: { plural?: string; namespace?: string }): number {
    let n = 0;
    for (const w of this.watchers) if ((!filter?.plural || w.def.plural === filter.plural) && (!filter?.namespace || w.namespace === filter.namespace)) n++;
    return n;
  }

  countRequests(filter: Partial<Pick<RequestRecord, 'verb' | 'resource' | 'namespace' | 'method'>> = {}): number {
    return this.requests.filter((r) => Object.entries(filter).every(([k, v]) => r[k as keyof RequestRecord] === v)).length;
  }

  getObject(plural: string, namespace: string | undefined, name: string): Rec | undefined {
    const o = this.get(plural, namespace, name);
    return o ? clone(o) : undefined;
  }

  // ---- storage --------------------------------------------------------------------------------

  private key(namespace: string | undefined, name: string): string {
    return `${namespace ?? ''}/${name}`;
  }

  private logKey(ns: string, pod: string, container: string): string {
    return `${ns}/${pod}/${container}`;
  }

  private get(plural: string, namespace: string | undefined, name: string): Rec | undefined {
    return this.store.get(plural)?.get(this.key(namespace, name));
  }

  private put(plural: string, namespace: string | undefined, obj: Rec): Rec {
    const def = RESOURCES.find((d) => d.plural === plural);
    if (!def) throw new Error(plural);
    const md = obj.metadata as Rec;
    const existing = this.get(plural, namespace, String(md.name));
    this.rvCounter++;
    md.resourceVersion = String(this.rvCounter);
    md.uid ??= isRec(existing?.metadata) ? existing.metadata.uid : randomUUID();
    md.creationTimestamp ??= isRec(existing?.metadata) ? existing.metadata.creationTimestamp : nowIso();
    if (def.namespaced) md.namespace = namespace;
    obj.apiVersion = apiVersionOf(def);
    obj.kind = def.kind;
    this.store.get(plural)?.set(this.key(namespace, String(md.name)), obj);
    if (plural === 'pods' && namespace && isRec(obj.spec)) {
      for (const c of [...((obj.spec.containers ?? []) as Rec[]), ...((obj.spec.initContainers ?? []) as Rec[])]) {
        const k = this.logKey(namespace, String(md.name), String(c.name));
        if (!this.logs.has(k)) this.logs.set(k, { current: [], followers: new Set() });
      }
    }
    this.record({ rv: this.rvCounter, plural, ...(namespace ? { namespace } : {}), type: existing ? 'MODIFIED' : 'ADDED', object: clone(obj) });
    return clone(obj);
  }

  private remove(plural: string, namespace: string | undefined, name: string): Rec | undefined {
    const existing = this.get(plural, namespace, name);
    if (!existing) return undefined;
    this.store.get(plural)?.delete(this.key(namespace, name));
    this.rvCounter++;
    const obj = clone(existing);
    (obj.metadata as Rec).resourceVersion = String(this.rvCounter);
    if (plural === 'pods' && namespace) {
      for (const [k, logs] of this.logs) {
        if (!k.startsWith(`${namespace}/${name}/`)) continue;
        for (const f of logs.followers) f.res.end();
        this.logs.delete(k);
      }
    }
    this.record({ rv: this.rvCounter, plural, ...(namespace ? { namespace } : {}), type: 'DELETED', object: obj });
    return obj;
  }

  private record(ev: HistoryEvent): void {
    this.history.push(ev);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compactedRv = dropped[dropped.length - 1]?.rv ?? this.compactedRv;
    }
    for (const w of this.watchers) {
      if (w.def.plural !== ev.plural || (w.namespace !== undefined && w.namespace !== ev.namespace)) continue;
      if (!w.fieldSelector(ev.object) || !w.labelSelector(ev.object)) continue;
      this.writeEvent(w, ev.type, ev.object);
    }
  }

  private writeEvent(w: Watcher, type: string, object: Rec): void {
    w.res.write(JSON.stringify({ type, object }) + '\n');
  }

  private endWatcher(w: Watcher): void {
    if (w.timer) clearTimeout(w.timer);
    this.watchers.delete(w);
    w.res.end();
  }

  private formatLine(line: LogLineRec, timestamps: boolean): string {
    return `${timestamps ? `${line.time} ` : ''}${line.text}\n`;
  }

  // ---- HTTP -------------------------------------------------------------------------------------

  private send(res: ServerResponse, rec: RequestRecord, code: number, body: unknown): void {
    rec.code = code;
    const text = JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  private async readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  private authorize(user: string, verb: string, resource: string, namespace: string | undefined, group: string): void {
    const denied = this.rules.some(
      (r) =>
        (r.user === undefined || r.user === user) &&
        (r.namespace === undefined || r.namespace === namespace) &&
        (r.verbs === undefined || r.verbs.includes(verb)) &&
        (r.resources === undefined || r.resources.includes(resource)),
    );
    if (!denied) return;
    const [plural, sub] = resource.split('/');
    const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
    throw new HttpError(
      403,
      'Forbidden',
      `${resource} is forbidden: User "${user}" cannot ${verb} resource "${plural}"${sub ? ` subresource "${sub}"` : ''} in API group "${group}" ${scope}`,
      { kind: plural, group },
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const rec: RequestRecord = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search,
      watch: url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1',
      code: 0,
    };
    this.requests.push(rec);
    try {
      const auth = req.headers.authorization ?? '';
      const m = /^Bearer\s+(.+)$/i.exec(auth);
      const user = m ? this.tokens.get(m[1] ?? '') : undefined;
      if (!user) throw new HttpError(401, 'Unauthorized', 'Unauthorized');
      Object.assign(rec, { user });
      await this.route(req, res, url, rec, user);
    } catch (err) {
      if (res.headersSent) {
        res.end();
        return;
      }
      if (err instanceof HttpError) this.send(res, rec, err.code, statusBody(err.code, err.reason, err.message, err.details));
      else this.send(res, rec, 500, statusBody(500, 'InternalError', String(err)));
    }
  }

  private discovery(res: ServerResponse, rec: RequestRecord, parts: string[]): boolean {
    const path = '/' + parts.join('/');
    if (path === '/version') {
      this.send(res, rec, 200, { major: '1', minor: '30', gitVersion: 'v1.30.0-modeldock-test', platform: 'linux/amd64' });
      return true;
    }
    if (path === '/api') {
      this.send(res, rec, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
      return true;
    }
    if (path === '/apis') {
      const groups = [...new Set(RESOURCES.filter((d) => d.group).map((d) => d.group))];
      this.send(res, rec, 200, {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: groups.map((g) => ({ name: g, versions: [{ groupVersion: `${g}/v1`, version: 'v1' }], preferredVersion: { groupVersion: `${g}/v1`, version: 'v1' } })),
      });
      return true;
    }
    const gv = path === '/api/v1' ? 'v1' : parts.length === 3 && parts[0] === 'apis' ? `${parts[1]}/${parts[2]}` : undefined;
    if (!gv) return false;
    const defs = RESOURCES.filter((d) => apiVersionOf(d) === gv);
    if (defs.length === 0) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
    this.send(res, rec, 200, {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: gv,
      resources: defs.flatMap((d) => [
        { name: d.plural, singularName: d.kind.toLowerCase(), namespaced: d.namespaced, kind: d.kind, verbs },
        ...(d.scale ? [{ name: `${d.plural}/scale`, singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] }] : []),
        ...(d.plural === 'pods'
          ? [
              { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] },
              { name: 'pods/portforward', singularName: '', namespaced: true, kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
            ]
          : []),
      ]),
    });
    return true;
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL, rec: RequestRecord, user: string): Promise<void> {
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (req.method === 'GET' && parts[0] === 'apis' && parts[1] === 'metrics.k8s.io') return this.metricsApi(res, rec, parts, user);
    if (req.method === 'GET' && this.discovery(res, rec, parts)) return;
    // /api/v1/... or /apis/{group}/{version}/...
    let group: string;
    let rest: string[];
    if (parts[0] === 'api' && parts[1] === 'v1') {
      group = '';
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts.length >= 3) {
      group = parts[1] ?? '';
      rest = parts.slice(3);
    } else throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [plural, name, sub] = rest;
    const def = RESOURCES.find((d) => d.plural === plural && d.group === group);
    if (!def || rest.length > 3) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    if (!def.namespaced && namespace !== undefined) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    const method = req.method ?? 'GET';
    const watch = rec.watch;
    const verb =
      method === 'GET' ? (name ? 'get' : watch ? 'watch' : 'list') : method === 'PATCH' ? 'patch' : method === 'PUT' ? 'update' : method === 'DELETE' ? 'delete' : 'create';
    const resource = sub ? `${def.plural}/${sub}` : def.plural;
    Object.assign(rec, { verb, resource, ...(namespace ? { namespace } : {}) });
    this.authorize(user, verb, resource, namespace, group);
    if (namespace !== undefined && def.plural !== 'namespaces' && !this.get('namespaces', undefined, namespace) && method !== 'GET') {
      throw new HttpError(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' });
    }
    if (!name) {
      if (method === 'GET') return watch ? this.watch(res, rec, def, namespace, url) : this.list(res, rec, def, namespace, url);
      if (method === 'POST') {
        const obj = YAML.parse(await this.readBody(req)) as Rec;
        const md = isRec(obj.metadata) ? obj.metadata : {};
        if (typeof md.name !== 'string') throw new HttpError(422, 'Invalid', `${def.kind} is invalid: metadata.name: Required value`);
        if (this.get(def.plural, namespace, md.name)) throw new HttpError(409, 'AlreadyExists', `${def.plural} "${md.name}" already exists`, { name: md.name, kind: def.plural });
        if (url.searchParams.get('dryRun') === 'All') return this.send(res, rec, 201, obj);
        return this.send(res, rec, 201, this.put(def.plural, namespace, obj));
      }
      throw new HttpError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    }
    if (sub === 'log' && def.plural === 'pods' && namespace) return this.podLog(res, rec, namespace, name, url);
    if (sub === 'scale' && def.scale && namespace) return this.scale(req, res, rec, def, namespace, name);
    if (sub === 'portforward' && def.plural === 'pods' && namespace) {
      // Reached only without an Upgrade header (upgrades go to upgrade()): the API server checks
      // RBAC and the pod, then refuses, as its upgrade-required proxy handler does.
      if (!this.get('pods', namespace, name)) throw new HttpError(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' });
      throw new HttpError(400, 'BadRequest', 'Upgrade request required');
    }
    if (sub) throw new HttpError(404, 'NotFound', `the server could not find the requested resource (${def.plural}/${sub})`);
    const existing = this.get(def.plural, namespace, name);
    const notFound = () => new HttpError(404, 'NotFound', `${def.plural}${def.group ? `.${def.group}` : ''} "${name}" not found`, { name, group: def.group, kind: def.plural });
    switch (method) {
      case 'GET':
        if (!existing) throw notFound();
        return this.send(res, rec, 200, existing);
      case 'DELETE': {
        if (!existing) throw notFound();
        if (url.searchParams.get('dryRun') === 'All') return this.send(res, rec, 200, existing);
        return this.send(res, rec, 200, this.remove(def.plural, namespace, name));
      }
      case 'PATCH':
        return this.patch(req, res, rec, def, namespace, name, existing, url);
      default:
        throw new HttpError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    }
  }

  private list(res: ServerResponse, rec: RequestRecord, def: ResourceDef, namespace: string | undefined, url: URL): void {
    const field = parseSelector(url.searchParams.get('fieldSelector'), true);
    const label = parseSelector(url.searchParams.get('labelSelector'), false);
    const limit = Number.parseInt(url.searchParams.get('limit') ?? '0', 10) || 0;
    const cont = url.searchParams.get('continue');
    let after = '';
    let listRv = this.rvCounter;
    if (cont) {
      let token: { rv?: unknown; after?: unknown };
      try {
        token = JSON.parse(Buffer.from(cont, 'base64url').toString('utf8')) as { rv?: unknown; after?: unknown };
      } catch {
        throw new HttpError(400, 'BadRequest', 'continue key is not valid: illegal base64 data');
      }
      if (typeof token.rv !== 'number' || typeof token.after !== 'string') throw new HttpError(400, 'BadRequest', 'continue key is not valid');
      if (token.rv < this.compactedRv) {
        throw new HttpError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
      }
      after = token.after;
      listRv = token.rv;
    }
    const all = [...(this.store.get(def.plural)?.entries() ?? [])]
      .filter(([k, o]) => (namespace === undefined || k.startsWith(`${namespace}/`)) && k > after && field(o) && label(o))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const page = limit > 0 ? all.slice(0, limit) : all;
    const more = limit > 0 && all.length > limit;
    const lastKey = page[page.length - 1]?.[0] ?? '';
    const items = page.map(([, o]) => {
      // List items carry no kind/apiVersion, as in the real API.
      const { kind: _k, apiVersion: _a, ...rest } = o;
      return rest;
    });
    this.send(res, rec, 200, {
      kind: `${def.kind}List`,
      apiVersion: apiVersionOf(def),
      metadata: {
        resourceVersion: String(listRv),
        ...(more ? { continue: Buffer.from(JSON.stringify({ rv: listRv, after: lastKey })).toString('base64url'), remainingItemCount: all.length - page.length } : {}),
      },
      items,
    });
  }

  private watch(res: ServerResponse, rec: RequestRecord, def: ResourceDef, namespace: string | undefined, url: URL): void {
    const rvParam = url.searchParams.get('resourceVersion');
    const w: Watcher = {
      def,
      ...(namespace !== undefined ? { namespace } : {}),
      fieldSelector: parseSelector(url.searchParams.get('fieldSelector'), true),
      labelSelector: parseSelector(url.searchParams.get('labelSelector'), false),
      bookmarks: url.searchParams.get('allowWatchBookmarks') === 'true',
      res,
    };
    rec.code = 200;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    // Like the API server: headers go out at once, before any event, so clients see the 200.
    res.flushHeaders();
    const matches = (ns: string | undefined, o: Rec) => (namespace === undefined || ns === namespace) && w.fieldSelector(o) && w.labelSelector(o);
    if (!rvParam || rvParam === '0') {
      for (const [k, o] of this.store.get(def.plural) ?? []) {
        const ns = k.slice(0, k.indexOf('/')) || undefined;
        if (matches(ns, o)) this.writeEvent(w, 'ADDED', o);
      }
    } else {
      const rv = Number.parseInt(rvParam, 10);
      if (!Number.isFinite(rv) || rv < this.compactedRv) {
        this.writeEvent(w, 'ERROR', statusBody(410, 'Expired', `too old resource version: ${rvParam} (${this.compactedRv})`));
        res.end();
        return;
      }
      for (const ev of this.history) if (ev.rv > rv && ev.plural === def.plural && matches(ev.namespace, ev.object)) this.writeEvent(w, ev.type, ev.object);
    }
    this.watchers.add(w);
    const timeout = Number.parseInt(url.searchParams.get('timeoutSeconds') ?? '', 10);
    if (Number.isFinite(timeout) && timeout > 0) w.timer = setTimeout(() => this.endWatcher(w), timeout * 1000);
    res.on('close', () => {
      if (w.timer) clearTimeout(w.timer);
      this.watchers.delete(w);
    });
  }

  private podLog(res: ServerResponse, rec: RequestRecord, namespace: string, name: string, url: URL): void {
    const pod = this.get('pods', namespace, name);
    if (!pod) throw new HttpError(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' });
    const spec = pod.spec as Rec;
    const names = [...((spec.containers ?? []) as Rec[]), ...((spec.initContainers ?? []) as Rec[])].map((c) => String(c.name));
    const mainNames = ((spec.containers ?? []) as Rec[]).map((c) => String(c.name));
    let container = url.searchParams.get('container') ?? '';
    if (!container) {
      if (mainNames.length !== 1) {
        throw new HttpError(400, 'BadRequest', `a container name must be specified for pod ${name}, choose one of: [${mainNames.join(' ')}]`);
      }
      container = mainNames[0] ?? '';
    }
    if (!names.includes(container)) throw new HttpError(400, 'BadRequest', `container ${container} is not valid for pod ${name}`);
    const logs = this.logs.get(this.logKey(namespace, name, container));
    if (!logs) throw new HttpError(400, 'BadRequest', `container ${container} is not valid for pod ${name}`);
    const previous = url.searchParams.get('previous') === 'true';
    const follow = url.searchParams.get('follow') === 'true' && !previous;
    const timestamps = url.searchParams.get('timestamps') === 'true';
    let lines: LogLineRec[];
    if (previous) {
      if (!logs.previous) throw new HttpError(400, 'BadRequest', `previous terminated container "${container}" in pod "${name}" not found`);
      lines = logs.previous;
    } else {
      const statuses = [...(((pod.status as Rec).containerStatuses ?? []) as Rec[]), ...(((pod.status as Rec).initContainerStatuses ?? []) as Rec[])];
      const st = statuses.find((s) => s.name === container);
      const waiting = isRec(st?.state) && isRec(st.state.waiting) ? st.state.waiting : undefined;
      if (waiting && logs.current.length === 0) {
        throw new HttpError(400, 'BadRequest', `container "${container}" in pod "${name}" is waiting to start: ${String(waiting.reason ?? 'ContainerCreating')}`);
      }
      lines = logs.current;
    }
    const since = Number.parseInt(url.searchParams.get('sinceSeconds') ?? '', 10);
    if (Number.isFinite(since) && since > 0) {
      const cutoff = Date.now() - since * 1000;
      lines = lines.filter((l) => Date.parse(l.time) >= cutoff);
    }
    const tail = Number.parseInt(url.searchParams.get('tailLines') ?? '', 10);
    if (Number.isFinite(tail) && tail >= 0) lines = tail === 0 ? [] : lines.slice(-tail);
    rec.code = 200;
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    for (const l of lines) res.write(this.formatLine(l, timestamps));
    if (!follow) {
      res.end();
      return;
    }
    const follower = { res, timestamps };
    logs.followers.add(follower);
    res.on('close', () => logs.followers.delete(follower));
  }

  // ---- port-forward (WebSocket) -------------------------------------------------------------

  /**
   * An HTTP Upgrade request. Everything that can fail is checked before upgrading and answered
   * as a plain HTTP error with a Status body, as the API server does (401, 403, 404, 400).
   */
  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // The client may reset the connection at any point; that must not crash the test process.
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'https://localhost');
    const rec: RequestRecord = { method: req.method ?? 'GET', path: url.pathname, query: url.search, watch: false, code: 0 };
    this.requests.push(rec);
    let target: { namespace: string; pod: string; ports: number[] };
    try {
      const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
      const user = m ? this.tokens.get(m[1] ?? '') : undefined;
      if (!user) throw new HttpError(401, 'Unauthorized', 'Unauthorized');
      Object.assign(rec, { user });
      const path = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/.exec(url.pathname);
      if (!path || (req.method !== 'GET' && req.method !== 'POST')) {
        throw new HttpError(400, 'BadRequest', `this test server upgrades only pods/{name}/portforward, not ${req.method ?? ''} ${url.pathname}`);
      }
      const namespace = decodeURIComponent(path[1] ?? '');
      const pod = decodeURIComponent(path[2] ?? '');
      Object.assign(rec, { verb: 'create', resource: 'pods/portforward', namespace });
      // A WebSocket upgrade is a GET, which RBAC sees as `get`; newer API servers also require
      // `create` (what kubectl's SPDY POST always needed). Deny if either is denied.
      this.authorize(user, 'get', 'pods/portforward', namespace, '');
      this.authorize(user, 'create', 'pods/portforward', namespace, '');
      if (!this.get('pods', namespace, pod)) throw new HttpError(404, 'NotFound', `pods "${pod}" not found`, { name: pod, kind: 'pods' });
      const ports = parseForwardPorts(url);
      const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
      if (!PORT_FORWARD_PROTOCOLS.some((p) => offered.includes(p))) {
        throw new HttpError(400, 'BadRequest', `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${PORT_FORWARD_PROTOCOLS.join(' ')}]`);
      }
      target = { namespace, pod, ports };
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(500, 'InternalError', String(err));
      rec.code = e.code;
      const text = JSON.stringify(statusBody(e.code, e.reason, e.message, e.details));
      socket.end(
        `HTTP/1.1 ${e.code} ${STATUS_CODES[e.code] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      rec.code = 101;
      this.forward(ws, target.namespace, target.pod, target.ports);
    });
  }

  /**
   * The kubelet's side of channel protocol v4 for port-forward: port i uses data channel 2i and
   * error channel 2i+1; every message is [channel byte, payload]. Each channel first carries the
   * port as uint16 little-endian; then the data channel relays a TCP connection made now (one
   * per WebSocket, as the kubelet dials on connect) and the error channel carries a text message
   * if that connection fails. The WebSocket closes once every port's connection has closed.
   */
  private forward(ws: WebSocket, namespace: string, pod: string, ports: readonly number[]): void {
    const session: PortForwardSession = { ws, backends: new Set() };
    this.forwards.add(session);
    const frame = (channel: number, payload: Buffer) => Buffer.concat([Buffer.from([channel]), payload]);
    for (const [i, port] of ports.entries()) {
      const portBytes = Buffer.alloc(2);
      portBytes.writeUInt16LE(port);
      ws.send(frame(2 * i, portBytes));
      ws.send(frame(2 * i + 1, portBytes));
    }
    let open = ports.length;
    const portClosed = () => {
      open--;
      if (open === 0) ws.close(1000);
    };
    const conns: (Socket | undefined)[] = [];
    for (const [i, port] of ports.entries()) {
      const fail = (reason: string) =>
        ws.send(frame(2 * i + 1, Buffer.from(`error forwarding port ${port} to pod ${pod}, uid : failed to connect to localhost:${port} inside namespace "${namespace}": ${reason}`)));
      const targetPort = this.exposed.get(`${namespace}/${pod}/${port}`);
      if (targetPort === undefined) {
        // Nothing listens on that container port: what the kubelet reports, after the upgrade.
        fail('connect: connection refused');
        portClosed();
        continue;
      }
      const conn = net.connect(targetPort, '127.0.0.1');
      conns[i] = conn;
      session.backends.add(conn);
      let connected = false;
      let failure: string | undefined;
      conn.on('connect', () => (connected = true));
      // Bytes go out unthrottled: the tests move kilobytes, not enough to need backpressure.
      conn.on('data', (chunk: Buffer) => ws.send(frame(2 * i, chunk)));
      conn.on('error', (err) => {
        if (!connected) failure = err.message;
      });
      conn.on('close', () => {
        session.backends.delete(conn);
        if (failure !== undefined) fail(failure);
        portClosed();
      });
    }
    ws.on('message', (data) => {
      const buf = rawDataToBuffer(data);
      const channel = buf[0];
      // Only data channels carry client bytes; the kubelet ignores writes to error channels.
      if (channel === undefined || channel % 2 !== 0) return;
      conns[channel / 2]?.write(buf.subarray(1));
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      this.forwards.delete(session);
      for (const b of session.backends) b.destroy();
    });
  }

  private async scale(req: IncomingMessage, res: ServerResponse, rec: RequestRecord, def: ResourceDef, namespace: string, name: string): Promise<void> {
    const obj = this.get(def.plural, namespace, name);
    if (!obj) throw new HttpError(404, 'NotFound', `${def.plural}.${def.group} "${name}" not found`, { name, group: def.group, kind: def.plural });
    const toScale = (o: Rec): Rec => ({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name, namespace, resourceVersion: (o.metadata as Rec).resourceVersion, uid: (o.metadata as Rec).uid },
      spec: { replicas: (o.spec as Rec).replicas ?? 1 },
      status: { replicas: (o.status as Rec | undefined)?.replicas ?? 0, selector: `app=${name}` },
    });
    if (req.method === 'GET') return this.send(res, rec, 200, toScale(obj));
    const text = await this.readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new HttpError(400, 'BadRequest', 'invalid JSON body');
    }
    const replicas = isRec(body) && isRec(body.spec) ? body.spec.replicas : undefined;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw new HttpError(422, 'Invalid', `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: must be greater than or equal to 0`);
    }
    const next = clone(obj);
    (next.spec as Rec).replicas = replicas;
    // No controllers here: pretend the rollout finished at once so the tree shows the new count.
    next.status = { ...((next.status as Rec | undefined) ?? {}), replicas, readyReplicas: replicas, updatedReplicas: replicas, availableReplicas: replicas };
    this.send(res, rec, 200, toScale(this.put(def.plural, namespace, next)));
  }

  private async patch(
    req: IncomingMessage,
    res: ServerResponse,
    rec: RequestRecord,
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    existing: Rec | undefined,
    url: URL,
  ): Promise<void> {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim();
    const text = await this.readBody(req);
    const dryRun = url.searchParams.get('dryRun');
    if (dryRun !== null && dryRun !== 'All') throw new HttpError(400, 'BadRequest', `dryRun: Unsupported value: "${dryRun}": supported values: "All"`);
    let patch: unknown;
    try {
      patch = type === 'application/apply-patch+yaml' ? YAML.parse(text) : JSON.parse(text);
    } catch (err) {
      throw new HttpError(400, 'BadRequest', `error decoding patch: ${String(err)}`);
    }
    if (!isRec(patch)) throw new HttpError(400, 'BadRequest', 'patch body must be an object');
    let next: Rec;
    if (type === 'application/apply-patch+yaml') {
      const manager = url.searchParams.get('fieldManager');
      if (!manager) throw new HttpError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
      if (patch.apiVersion !== apiVersionOf(def) || patch.kind !== def.kind) {
        throw new HttpError(400, 'BadRequest', `apply patch: apiVersion/kind ${String(patch.apiVersion)}/${String(patch.kind)} do not match ${apiVersionOf(def)}/${def.kind}`);
      }
      const md = isRec(patch.metadata) ? patch.metadata : {};
      if (md.name !== name) throw new HttpError(400, 'BadRequest', `the name of the object (${String(md.name)}) does not match the name on the URL (${name})`);
      if (def.namespaced && md.namespace !== undefined && md.namespace !== namespace) {
        throw new HttpError(400, 'BadRequest', `the namespace of the provided object does not match the namespace sent on the request`);
      }
      const base: Rec = existing ? clone(existing) : { apiVersion: apiVersionOf(def), kind: def.kind, metadata: { name, ...(namespace ? { namespace } : {}) } };
      next = deepMerge(base, patch) as Rec;
      const nmd = next.metadata as Rec;
      const others = Array.isArray(nmd.managedFields) ? (nmd.managedFields as Rec[]).filter((f) => f.manager !== manager) : [];
      nmd.managedFields = [...others, { manager, operation: 'Apply', apiVersion: apiVersionOf(def), time: nowIso(), fieldsType: 'FieldsV1', fieldsV1: {} }];
    } else if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json') {
      if (!existing) throw new HttpError(404, 'NotFound', `${def.plural}${def.group ? `.${def.group}` : ''} "${name}" not found`, { name, group: def.group, kind: def.plural });
      next = deepMerge(existing, patch) as Rec;
    } else {
      throw new HttpError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
    }
    if (existing && JSON.stringify(existing.spec) !== JSON.stringify(next.spec)) {
      const nmd = next.metadata as Rec;
      nmd.generation = Number(nmd.generation ?? 1) + 1;
    }
    if (!existing && !('generation' in (next.metadata as Rec))) (next.metadata as Rec).generation = 1;
    if (dryRun === 'All') {
      // The would-be object, not stored: no event, no new resourceVersion.
      const nmd = next.metadata as Rec;
      nmd.uid ??= randomUUID();
      nmd.creationTimestamp ??= nowIso();
      if (def.namespaced) nmd.namespace = namespace;
      return this.send(res, rec, existing ? 200 : 201, next);
    }
    this.send(res, rec, existing ? 200 : 201, this.put(def.plural, namespace, next));
  }
}

export async function startKubeTestServer(options?: KubeTestServerOptions): Promise<KubeTestServer> {
  return new KubeTestServer(options).start();
}
