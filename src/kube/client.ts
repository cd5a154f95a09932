import * as net from 'node:net';
import { Writable, PassThrough } from 'node:stream';
import YAML from 'yaml';
import { KubeError, errorFromStatus, errorFromTransport, isKubeError, type RequestDescription } from './errors';
import { createTransport, type Transport } from './http';
import { kubeconfigText, listContexts, refusalFor, type LoadedKubeconfig, type RawKubeconfig } from './kubeconfig';
import { isKubeObject, parseNamespace, parsePod, parseWorkload } from './parse';
import { Reflector } from './reflector';
import { resolveTuning, type TuningOverrides } from './tuning';
import {
  builtinType,
  collectionPath,
  groupVersionPath,
  objectPath,
  splitApiVersion,
  watchableType,
  type ResourceType,
} from './resources';
import type {
  ApplyResult,
  ClusterClient,
  InfoOf,
  KubeObject,
  LogStream,
  NamespaceInfo,
  PortForwardHandle,
  ResourceWatch,
  WatchableKind,
  WatchOptions,
} from './types';

export const FIELD_MANAGER = 'modeldock';

export interface ClusterClientOptions {
  readonly kubeconfig: RawKubeconfig | LoadedKubeconfig;
  /** The context to talk to; defaults to the kubeconfig's current-context. */
  readonly context?: string;
  /** Diagnostics sink; messages never contain credentials (we never format headers). */
  readonly trace?: (message: string) => void;
  readonly watchTimeoutSeconds?: number;
  /** Timeouts, size limits and the reconnect policy; the defaults are what users get. */
  readonly tuning?: TuningOverrides;
}

function rawConfig(k: RawKubeconfig | LoadedKubeconfig): RawKubeconfig {
  return 'config' in k ? k.config : k;
}

function parserFor(kind: WatchableKind | 'Namespace'): (raw: unknown) => unknown {
  switch (kind) {
    case 'Pod':
      return parsePod;
    case 'Namespace':
      return parseNamespace;
    default:
      return (raw) => parseWorkload(kind, raw);
  }
}

/** Splits a YAML stream into objects, rejecting documents that are not Kubernetes objects. */
export function parseManifests(text: string): KubeObject[] {
  const out: KubeObject[] = [];
  const docs = YAML.parseAllDocuments(text);
  for (const [i, doc] of docs.entries()) {
    if (doc.errors.length > 0) throw new KubeError({ kind: 'invalid', message: `YAML document ${i + 1}: ${doc.errors[0]?.message ?? 'invalid'}` });
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isKubeObject(value)) {
      throw new KubeError({ kind: 'invalid', message: `YAML document ${i + 1} is not a Kubernetes object (apiVersion, kind and metadata.name are required).` });
    }
    out.push(value);
  }
  return out;
}

/**
 * client-node rejects a failed port-forward WebSocket with ws's ErrorEvent: an HTTP refusal only
 * as the text "Unexpected server response: 403" (the Status body is not exposed), a network or
 * TLS failure with the socket error in `.error`.
 */
function portForwardError(err: unknown, server: string, request: RequestDescription, pod: string): KubeError {
  const ev = (typeof err === 'object' && err !== null ? err : {}) as { message?: unknown; error?: unknown };
  const code = /Unexpected server response: (\d{3})/.exec(typeof ev.message === 'string' ? ev.message : '')?.[1];
  if (code === '404') return new KubeError({ kind: 'not-found', code: 404, message: `Pod ${request.namespace ?? ''}/${pod} not found (port-forward).` });
  if (code) return errorFromStatus(Number(code), undefined, request);
  return errorFromTransport(ev.error ?? err, server);
}

/** A writable that drops what it gets (the preflight's streams). */
const discard = () => new Writable({ write: (_chunk, _enc, cb) => cb() });

/**
 * Loads @kubernetes/client-node (ESM-only, about 4 MB bundled) on first use: ModelDock users who
 * never open the Clusters view never pay for it.
 */
export async function createClusterClient(options: ClusterClientOptions): Promise<ClusterClient> {
  const config = rawConfig(options.kubeconfig);
  const contextName = options.context ?? config['current-context'] ?? config.contexts[0]?.name;
  if (!contextName) throw new KubeError({ kind: 'no-kubeconfig', message: 'The kubeconfig has no contexts.' });
  if (!config.contexts.some((c) => c.name === contextName)) {
    throw new KubeError({ kind: 'no-kubeconfig', message: `Context "${contextName}" is not in the kubeconfig.` });
  }
  // Before client-node sees the config: it would run the credential plugin on the first request.
  const refusal = refusalFor(options.kubeconfig, contextName);
  if (refusal) throw new KubeError({ kind: 'untrusted-config', message: refusal.message, hint: refusal.hint });
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  try {
    kc.loadFromString(kubeconfigText(config, contextName));
  } catch (err) {
    throw new KubeError({ kind: 'no-kubeconfig', message: `The kubeconfig could not be loaded: ${err instanceof Error ? err.message : String(err)}` });
  }
  const tuning = resolveTuning(options.tuning);
  const transport = createTransport(kc, tuning);
  const ctx = listContexts(config, contextName).find((c) => c.name === contextName);
  const defaultNamespace = ctx?.namespace ?? 'default';
  const trace = options.trace ?? (() => undefined);
  const owned = new Set<{ dispose(): void }>();
  const discovery = new Map<string, Promise<ResourceType[]>>();

  function track<T extends { dispose(): void }>(d: T): T {
    owned.add(d);
    const original = d.dispose.bind(d);
    d.dispose = () => {
      owned.delete(d);
      original();
    };
    return d;
  }

  async function discover(apiVersion: string): Promise<ResourceType[]> {
    let p = discovery.get(apiVersion);
    if (!p) {
      const { group, version } = splitApiVersion(apiVersion);
      p = transport.json('GET', groupVersionPath(group, version), { describe: { verb: 'get', resource: `discovery ${apiVersion}` } }).then((body) => {
        const resources = (body as { resources?: unknown } | null)?.resources;
        if (!Array.isArray(resources)) return [];
        return resources.flatMap((r: unknown) => {
          const o = r as { name?: unknown; kind?: unknown; namespaced?: unknown };
          if (typeof o.name !== 'string' || o.name.includes('/') || typeof o.kind !== 'string') return [];
          return [{ group, version, kind: o.kind, plural: o.name, namespaced: o.namespaced === true }];
        });
      });
      discovery.set(apiVersion, p);
      p.catch(() => discovery.delete(apiVersion));
    }
    return p;
  }

  async function typeOf(kind: string, apiVersion?: string): Promise<ResourceType> {
    const known = builtinType(kind, apiVersion);
    if (known) return known;
    if (!apiVersion) throw new KubeError({ kind: 'invalid', message: `Unknown kind ${kind}: give its apiVersion.` });
    const found = (await discover(apiVersion)).find((t) => t.kind === kind);
    if (!found) throw new KubeError({ kind: 'not-found', message: `The cluster does not serve ${kind} in ${apiVersion}.` });
    return found;
  }

  async function getObject(kind: string, namespace: string | undefined, name: string, apiVersion?: string): Promise<KubeObject | undefined> {
    const t = await typeOf(kind, apiVersion);
    try {
      const body = await transport.json('GET', objectPath(t, t.namespaced ? (namespace ?? defaultNamespace) : undefined, name), {
        describe: { verb: 'get', resource: t.plural, ...(namespace ? { namespace } : {}) },
      });
      if (!isKubeObject(body)) throw new KubeError({ kind: 'server', message: `get ${kind} ${name}: unexpected response` });
      return body;
    } catch (err) {
      if (isKubeError(err, 'not-found')) return undefined;
      throw err;
    }
  }

  function makeWatch<T>(kind: WatchableKind | 'Namespace', namespace: string | undefined, opts: WatchOptions = {}): ResourceWatch<T> {
    const t = watchableType(kind);
    return track(
      new Reflector<T>({
        transport,
        path: collectionPath(t, namespace),
        resource: t.plural,
        ...(namespace ? { namespace } : {}),
        parse: parserFor(kind) as (raw: unknown) => T | undefined,
        key: (item) => (item as { meta: { name: string } }).meta.name,
        timeoutSeconds: opts.timeoutSeconds ?? options.watchTimeoutSeconds ?? 300,
        tuning,
        ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
        ...(opts.fieldSelector ? { fieldSelector: opts.fieldSelector } : {}),
        onInvalid: () => trace(`${t.plural}: skipped an object that failed validation`),
        onTrace: trace,
      }),
    );
  }

  async function listAll<T>(kind: WatchableKind | 'Namespace', namespace: string | undefined, labelSelector?: string): Promise<T[]> {
    const t = watchableType(kind);
    const parse = parserFor(kind);
    const out: T[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      if (++pages > tuning.maxListPages) throw new KubeError({ kind: 'too-large', message: `list ${t.plural}: more than ${tuning.maxListPages} pages; ModelDock stopped listing.` });
      const body = (await transport.json('GET', collectionPath(t, namespace), {
        query: { limit: 500, continue: cont, labelSelector },
        describe: { verb: 'list', resource: t.plural, ...(namespace ? { namespace } : {}) },
      })) as { items?: unknown; metadata?: { continue?: unknown } } | null;
      for (const raw of Array.isArray(body?.items) ? body.items : []) {
        const item = parse(raw);
        if (item !== undefined) out.push(item as T);
      }
      const nextCont = typeof body?.metadata?.continue === 'string' && body.metadata.continue ? body.metadata.continue : undefined;
      if (nextCont !== undefined && nextCont === cont) throw new KubeError({ kind: 'server', message: `list ${t.plural}: the server repeated its continue token` });
      cont = nextCont;
    } while (cont);
    return out;
  }

  async function resolveForwardTarget(target: { kind: 'Pod' | 'Service'; namespace: string; name: string; port: number }): Promise<{ pod: string; port: number }> {
    if (target.kind === 'Pod') return { pod: target.name, port: target.port };
    const svc = await getObject('Service', target.namespace, target.name, 'v1');
    if (!svc) throw new KubeError({ kind: 'not-found', message: `Service ${target.namespace}/${target.name} not found.` });
    const spec = (svc.spec ?? {}) as { selector?: Record<string, unknown>; ports?: { port?: unknown; targetPort?: unknown }[] };
    const selector = Object.entries(spec.selector ?? {})
      .filter(([, v]) => typeof v === 'string')
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(',');
    if (!selector) throw new KubeError({ kind: 'invalid', message: `Service ${target.name} has no selector; forward to a pod instead.` });
    const svcPort = (spec.ports ?? []).find((p) => p.port === target.port);
    const targetPort = svcPort?.targetPort ?? target.port;
    const pods = await listAll<InfoOf<'Pod'>>('Pod', target.namespace, selector);
    const pod = pods.find((p) => p.phase === 'Running' && p.readyCount === p.containers.length) ?? pods.find((p) => p.phase === 'Running');
    if (!pod) throw new KubeError({ kind: 'not-found', message: `No running pod behind service ${target.name}.` });
    let port: number | undefined = typeof targetPort === 'number' ? targetPort : Number.parseInt(String(targetPort), 10);
    if (typeof targetPort === 'string' && !Number.isFinite(port)) {
      port = pod.containers.flatMap((c) => c.ports).find((p) => p.name === targetPort)?.containerPort;
    }
    if (port === undefined || !Number.isFinite(port)) throw new KubeError({ kind: 'invalid', message: `Cannot resolve target port ${String(targetPort)} on pod ${pod.meta.name}.` });
    return { pod: pod.meta.name, port };
  }

  const client: ClusterClient = {
    currentContext: contextName,
    defaultNamespace,
    contexts: () => listContexts(config, contextName),
    async listNamespaces() {
      return listAll<NamespaceInfo>('Namespace', undefined);
    },
    async list<K extends WatchableKind>(kind: K, namespace: string) {
      return listAll<InfoOf<K>>(kind, namespace);
    },
    watchNamespaces(opts?: WatchOptions) {
      return makeWatch<NamespaceInfo>('Namespace', undefined, opts);
    },
    watch<K extends WatchableKind>(kind: K, namespace: string, opts?: WatchOptions) {
      return makeWatch<InfoOf<K>>(kind, namespace, opts);
    },
    async logs(namespace, pod, container, opts, sink): Promise<LogStream> {
      const handle = await transport.stream(
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`,
        {
          query: {
            container,
            follow: opts.follow ? true : undefined,
            tailLines: opts.tailLines,
            sinceSeconds: opts.sinceSeconds,
            timestamps: opts.timestamps ? true : undefined,
            previous: opts.previous ? true : undefined,
          },
          describe: { verb: 'get', resource: 'pods/log', namespace },
        },
        sink,
      );
      return track({ ended: handle.ended.then(() => undefined), dispose: () => handle.abort() });
    },
    async deletePod(namespace, name) {
      await transport.json('DELETE', objectPath(watchableType('Pod'), namespace, name), {
        describe: { verb: 'delete', resource: 'pods', namespace },
      });
    },
    async restartDeployment(namespace, name, at = new Date()) {
      // What `kubectl rollout restart` does: a changed template annotation makes a new ReplicaSet.
      const body = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at.toISOString() } } } } };
      await transport.json('PATCH', objectPath(watchableType('Deployment'), namespace, name), {
        body: JSON.stringify(body),
        contentType: 'application/strategic-merge-patch+json',
        query: { fieldManager: FIELD_MANAGER },
        describe: { verb: 'patch', resource: 'deployments', namespace },
      });
    },
    async scale(kind, namespace, name, replicas) {
      if (!Number.isInteger(replicas) || replicas < 0) throw new KubeError({ kind: 'invalid', message: `Replicas must be a whole number ≥ 0, not ${replicas}.` });
      const t = watchableType(kind);
      await transport.json('PATCH', `${objectPath(t, namespace, name)}/scale`, {
        body: JSON.stringify({ spec: { replicas } }),
        contentType: 'application/merge-patch+json',
        query: { fieldManager: FIELD_MANAGER },
        describe: { verb: 'patch', resource: `${t.plural}/scale`, namespace },
      });
    },
    async portForward(target, localPort = 0): Promise<PortForwardHandle> {
      const { pod, port } = await resolveForwardTarget(target);
      const forwarder = new k8s.PortForward(kc, true);
      const request: RequestDescription = { verb: 'create', resource: 'pods/portforward', namespace: target.namespace };
      const apiServer = kc.getCurrentCluster()?.server ?? '';
      const label = `port-forward ${target.namespace}/${pod}:${port}`;
      // client-node opens one WebSocket per local connection, so a 401/403/404 would otherwise
      // only show as a dropped local socket. One WebSocket opened and closed now surfaces it as a
      // KubeError, as kubectl fails up front. Cost: the kubelet dials the pod's port once.
      const probeInput = new PassThrough();
      const probe = await forwarder.portForward(target.namespace, pod, [port], discard(), discard(), probeInput, 0).catch((err: unknown) => {
        throw portForwardError(err, apiServer, request, pod);
      });
      if (typeof probe !== 'function') probe.close();
      probeInput.destroy();
      const sockets = new Set<net.Socket>();
      const server = net.createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        // A reset from the local application must not become an uncaught 'error'.
        socket.on('error', (err) => trace(`${label}: local connection: ${err.message}`));
        // The error channel: the kubelet's reason when it cannot reach the port (the WebSocket
        // closes right after, which ends the socket below). Its first, empty frame is the port.
        const errors = new Writable({
          write(chunk: Buffer, _enc, cb) {
            if (chunk.length > 0) trace(`${label}: ${chunk.toString('utf8')}`);
            cb();
          },
        });
        forwarder.portForward(target.namespace, pod, [port], socket, errors, socket, 0).then(
          (ws) => {
            if (typeof ws === 'function') return; // only with retries, which we do not ask for
            // The pod side closed (or the API server dropped us): end the local connection too,
            // after the bytes already written, or the application would wait forever.
            ws.on('close', () => socket.end());
            if (socket.destroyed) ws.close();
            else socket.on('close', () => ws.close());
          },
          (err: unknown) => {
            trace(`${label} failed: ${portForwardError(err, apiServer, request, pod).message}`);
            socket.destroy();
          },
        );
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(localPort, '127.0.0.1', () => resolve());
      });
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : localPort;
      return track({
        localPort: bound,
        remotePort: port,
        target: `${target.kind.toLowerCase()}/${target.name}`,
        dispose() {
          for (const s of sockets) s.destroy();
          server.close();
        },
      });
    },
    async applyServerSide(manifests, opts): Promise<ApplyResult[]> {
      const objects = typeof manifests === 'string' ? parseManifests(manifests) : manifests;
      const results: ApplyResult[] = [];
      for (const obj of objects) {
        const t = await typeOf(obj.kind, obj.apiVersion);
        const namespace = t.namespaced ? (obj.metadata.namespace ?? defaultNamespace) : undefined;
        const body = t.namespaced ? { ...obj, metadata: { ...obj.metadata, namespace } } : obj;
        const before = await getObject(obj.kind, namespace, obj.metadata.name, obj.apiVersion);
        const after = await transport.json('PATCH', objectPath(t, namespace, obj.metadata.name), {
          // JSON is YAML, and the API server accepts it under the apply content type.
          body: JSON.stringify(body),
          contentType: 'application/apply-patch+yaml',
          query: { fieldManager: FIELD_MANAGER, dryRun: opts.dryRun ? 'All' : undefined, force: opts.force ? true : undefined },
          describe: { verb: 'patch', resource: t.plural, ...(namespace ? { namespace } : {}) },
        });
        if (!isKubeObject(after)) throw new KubeError({ kind: 'server', message: `apply ${obj.kind} ${obj.metadata.name}: unexpected response` });
        results.push({ kind: obj.kind, name: obj.metadata.name, ...(namespace ? { namespace } : {}), ...(before ? { before } : {}), after });
      }
      return results;
    },
    get: getObject,
    async delete(kind, namespace, name, apiVersion) {
      const t = await typeOf(kind, apiVersion);
      const ns = t.namespaced ? (namespace ?? defaultNamespace) : undefined;
      await transport.json('DELETE', objectPath(t, ns, name), { describe: { verb: 'delete', resource: t.plural, ...(ns ? { namespace: ns } : {}) } });
    },
    stats: () => transport.stats(),
    dispose() {
      for (const d of [...owned]) d.dispose();
      transport.dispose();
    },
  };
  return client;
}

export type { Transport };
