/**
 * metrics.k8s.io on the real kube-apiserver of test/helpers/controlPlane.ts (started with
 * `aggregation: true`): an APIService v1beta1.metrics.k8s.io backed by a small HTTPS server this
 * helper runs, reached by the API server through an ExternalName Service (localhost), with the
 * API server's CA bundle check (serving cert for `<service>.<namespace>.svc`) and the
 * front-proxy client certificate verified here, as an aggregated server does.
 *
 * It stands in for metrics-server only as the source of figures (no kubelet scraping: the test
 * says what CPU/memory each pod uses); discovery, routing, authentication, RBAC and errors are
 * the real API server's. PodMetrics objects are shaped as metrics-server's v1beta1.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pollFor } from '../shared/poll';
import type { ControlPlane } from './controlPlane';

const run = promisify(execFile);

const GROUP = 'metrics.k8s.io';
const VERSION = 'v1beta1';
const SERVICE = { name: 'modeldock-metrics', namespace: 'kube-system' };

export interface ContainerUsage {
  readonly name: string;
  /** Quantity strings as metrics-server writes them: `250m`, `300Mi`. */
  readonly cpu: string;
  readonly memory: string;
}

export interface MetricsApi {
  /** Figures for one pod; a pod with none answers 404, as metrics-server before its first sample. */
  setPodMetrics(namespace: string, pod: string, containers: readonly ContainerUsage[]): void;
  /** Users the API server proxied requests for (X-Remote-User), newest last. */
  readonly users: readonly string[];
  /** Deletes the APIService and the Service and stops the server. */
  stop(): Promise<void>;
}

async function servingCert(cp: ControlPlane, dir: string): Promise<{ cert: string; key: string }> {
  const p = (f: string) => join(dir, f);
  const host = `${SERVICE.name}.${SERVICE.namespace}.svc`;
  await run('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', p('metrics.key'), '-out', p('metrics.csr'), '-subj', `/CN=${host}`]);
  await fs.writeFile(p('metrics.ext'), `extendedKeyUsage=serverAuth\nsubjectAltName=DNS:${host},DNS:localhost,IP:127.0.0.1\nkeyUsage=critical,digitalSignature,keyEncipherment\n`);
  await run('openssl', [
    'x509', '-req', '-in', p('metrics.csr'), '-CA', join(cp.dir, 'ca.crt'), '-CAkey', join(cp.dir, 'ca.key'), '-set_serial', `0x${randomBytes(8).toString('hex')}`,
    '-out', p('metrics.crt'), '-days', '2', '-extfile', p('metrics.ext'),
  ]);
  return { cert: await fs.readFile(p('metrics.crt'), 'utf8'), key: await fs.readFile(p('metrics.key'), 'utf8') };
}

/** Starts the server, registers the APIService and waits until the API server reports it Available and serves the group. */
export async function startMetricsApi(cp: ControlPlane): Promise<MetricsApi> {
  const agg = cp.aggregation;
  if (!agg) throw new Error('startMetricsApi needs a control plane started with { aggregation: true }');
  const dir = await fs.mkdtemp(join(cp.dir, 'metrics-api-'));
  const { cert, key } = await servingCert(cp, dir);
  const pods = new Map<string, { containers: readonly ContainerUsage[]; at: string }>();
  const users: string[] = [];
  const send = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
  const podMetrics = (ns: string, name: string, e: { containers: readonly ContainerUsage[]; at: string }) => ({
    kind: 'PodMetrics',
    apiVersion: `${GROUP}/${VERSION}`,
    metadata: { name, namespace: ns, creationTimestamp: new Date().toISOString(), labels: {} },
    timestamp: e.at,
    window: '15s',
    containers: e.containers.map((c) => ({ name: c.name, usage: { cpu: c.cpu, memory: c.memory } })),
  });

  const server = https.createServer({ cert, key, ca: agg.frontProxyCa, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    // Only the API server's proxied requests: a client certificate from the front-proxy CA with the allowed name.
    const sock = req.socket as TLSSocket;
    const peer = sock.getPeerCertificate();
    if (!sock.authorized || peer.subject?.CN !== agg.clientName) return send(res, 401, status(401, 'Unauthorized', 'not the API server'));
    users.push(String(req.headers['x-remote-user'] ?? ''));
    const path = new URL(req.url ?? '/', 'https://x').pathname.replace(/\/+$/, '');
    if (req.method !== 'GET') return send(res, 405, status(405, 'MethodNotAllowed', `${req.method} is not supported`));
    if (path === '/apis') {
      const gv = { groupVersion: `${GROUP}/${VERSION}`, version: VERSION };
      return send(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: GROUP, versions: [gv], preferredVersion: gv }] });
    }
    if (path === `/apis/${GROUP}`) {
      const gv = { groupVersion: `${GROUP}/${VERSION}`, version: VERSION };
      return send(res, 200, { kind: 'APIGroup', apiVersion: 'v1', name: GROUP, versions: [gv], preferredVersion: gv });
    }
    if (path === `/apis/${GROUP}/${VERSION}`) {
      return send(res, 200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: `${GROUP}/${VERSION}`,
        resources: [
          { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
          { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
        ],
      });
    }
    const one = new RegExp(`^/apis/${GROUP.replace(/\./g, '\\.')}/${VERSION}/namespaces/([^/]+)/pods/([^/]+)$`).exec(path);
    if (one) {
      const [ns, name] = [decodeURIComponent(one[1]!), decodeURIComponent(one[2]!)];
      const e = pods.get(`${ns}/${name}`);
      return e ? send(res, 200, podMetrics(ns, name, e)) : send(res, 404, { ...status(404, 'NotFound', `podmetrics.metrics.k8s.io "${name}" not found`), details: { name, group: GROUP, kind: 'pods' } });
    }
    const list = new RegExp(`^/apis/${GROUP.replace(/\./g, '\\.')}/${VERSION}(?:/namespaces/([^/]+))?/pods$`).exec(path);
    if (list) {
      const ns = list[1] ? decodeURIComponent(list[1]) : undefined;
      const items = [...pods.entries()].filter(([k]) => !ns || k.startsWith(`${ns}/`)).map(([k, e]) => podMetrics(k.split('/')[0]!, k.split('/')[1]!, e));
      return send(res, 200, { kind: 'PodMetricsList', apiVersion: `${GROUP}/${VERSION}`, metadata: {}, items });
    }
    return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  await cp.api.apply(`/api/v1/namespaces/${SERVICE.namespace}/services/${SERVICE.name}`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: SERVICE.name, namespace: SERVICE.namespace },
    // No kubelet or kube-proxy here: the API server dials the ExternalName (its service resolver's ExternalName case).
    spec: { type: 'ExternalName', externalName: 'localhost', ports: [{ name: 'https', port, protocol: 'TCP' }] },
  });
  const apiService = `${VERSION}.${GROUP}`;
  await cp.api.apply(`/apis/apiregistration.k8s.io/v1/apiservices/${apiService}`, {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: apiService },
    spec: {
      group: GROUP,
      version: VERSION,
      service: { name: SERVICE.name, namespace: SERVICE.namespace, port },
      caBundle: Buffer.from(cp.caCert).toString('base64'),
      groupPriorityMinimum: 100,
      versionPriority: 100,
    },
  });
  let last = '';
  try {
    await pollFor(() => `APIService ${apiService} Available and serving: ${last}`, async () => {
      const svc = await cp.api.find<{ status?: { conditions?: { type: string; status: string; message?: string }[] } }>(`/apis/apiregistration.k8s.io/v1/apiservices/${apiService}`);
      const available = svc?.status?.conditions?.find((c) => c.type === 'Available');
      last = JSON.stringify(available ?? null);
      if (available?.status !== 'True') return false;
      const r = await cp.api.request('GET', `/apis/${GROUP}/${VERSION}`);
      last += ` GET /apis/${GROUP}/${VERSION}: ${r.status}`;
      return r.status === 200;
    }, 60_000, 200);
  } catch (err) {
    server.close();
    throw err;
  }

  return {
    setPodMetrics(namespace, pod, containers) {
      pods.set(`${namespace}/${pod}`, { containers, at: new Date().toISOString() });
    },
    users,
    async stop() {
      await cp.api.delete(`/apis/apiregistration.k8s.io/v1/apiservices/${apiService}`).catch(() => undefined);
      await cp.api.delete(`/api/v1/namespaces/${SERVICE.namespace}/services/${SERVICE.name}`).catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
