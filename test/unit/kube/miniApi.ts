/**
 * A tiny programmable HTTP server on a real socket for the cluster client's unit tests: each test
 * says how the "API server" answers (storms of 410, early closes, stalls, oversized lines, garbage
 * events) and reads back what the client asked for and when. Not a Kubernetes API server: the
 * in-repo test server (test/kube-server) and a real kube-apiserver cover the protocol.
 */
import * as http from 'node:http';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import YAML from 'yaml';

export interface SeenRequest {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly watch: boolean;
  readonly authorization?: string;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void;

export interface MiniApi {
  readonly url: string;
  readonly requests: SeenRequest[];
  count(pred?: (r: SeenRequest) => boolean, sinceMs?: number): number;
  /** Bytes the handlers wrote, per response, in order. */
  close(): Promise<void>;
}

export async function startMiniApi(handler: Handler): Promise<MiniApi> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({
      at: Date.now(),
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      watch: url.searchParams.get('watch') === '1' || url.searchParams.get('watch') === 'true',
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    handler(req, res, url);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (!addr || typeof addr !== 'object') throw new Error('no address');
  return {
    url: `http://127.0.0.1:${addr.port}`,
    requests,
    count: (pred = () => true, sinceMs = 0) => requests.filter((r) => r.at >= sinceMs && pred(r)).length,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function namespaceList(names: readonly string[], rv = '10'): unknown {
  return {
    kind: 'NamespaceList',
    apiVersion: 'v1',
    metadata: { resourceVersion: rv },
    items: names.map((name, i) => ({ metadata: { name, resourceVersion: String(i + 1) }, status: { phase: 'Active' } })),
  };
}

export function podList(names: readonly string[], rv = '10'): unknown {
  return {
    kind: 'PodList',
    apiVersion: 'v1',
    metadata: { resourceVersion: rv },
    items: names.map((name, i) => ({ metadata: { name, namespace: 'ml', resourceVersion: String(i + 1) }, spec: { containers: [{ name: 'main' }] }, status: { phase: 'Running' } })),
  };
}

export function startWatch(res: http.ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
}

export function event(type: string, object: unknown): string {
  return `${JSON.stringify({ type, object })}\n`;
}

export function pod(name: string, rv: string): unknown {
  return { kind: 'Pod', apiVersion: 'v1', metadata: { name, namespace: 'ml', resourceVersion: rv }, spec: { containers: [{ name: 'main' }] }, status: { phase: 'Running' } };
}

/** A scratch directory, removed by the returned function. */
export async function scratch(prefix: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await fs.mkdtemp(join(tmpdir(), `modeldock-kube-${prefix}-`));
  return { dir, remove: () => fs.rm(dir, { recursive: true, force: true }) };
}

export interface KubeconfigSpec {
  readonly current?: string;
  readonly clusters?: Record<string, Record<string, unknown>>;
  readonly users?: Record<string, Record<string, unknown>>;
  readonly contexts?: Record<string, { cluster: string; user: string; namespace?: string }>;
}

export async function writeKubeconfig(file: string, spec: KubeconfigSpec, mode = 0o600): Promise<string> {
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    ...(spec.current ? { 'current-context': spec.current } : {}),
    clusters: Object.entries(spec.clusters ?? {}).map(([name, cluster]) => ({ name, cluster })),
    users: Object.entries(spec.users ?? {}).map(([name, user]) => ({ name, user })),
    contexts: Object.entries(spec.contexts ?? {}).map(([name, context]) => ({ name, context })),
  };
  await fs.writeFile(file, YAML.stringify(doc), { mode });
  await fs.chmod(file, mode);
  return file;
}

/** An exec credential plugin that leaves a marker file when it runs and prints a token. */
export async function markerPlugin(dir: string, name: string, token = 'plugin-token'): Promise<{ command: string; ran(): Promise<boolean> }> {
  const marker = join(dir, `${name}.ran`);
  const command = join(dir, `${name}.sh`);
  await fs.writeFile(
    command,
    `#!/bin/sh\ntouch '${marker}'\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${token}"}}'\n`,
    { mode: 0o755 },
  );
  return {
    command,
    ran: () =>
      fs.access(marker).then(
        () => true,
        () => false,
      ),
  };
}
