/**
 * ClusterClient.portForward against a real kube-apiserver: the WebSocket (v4.channel.k8s.io) goes
 * through the fault proxy to the API server, which proxies it to kwok's kubelet endpoint; kwok
 * dials the local TCP server the test plays the container with (a PortForward resource).
 *
 * Skipped against an existing cluster (MODELDOCK_TEST_KUBECONFIG): it would need a pod serving a
 * known port and an image with a TCP echo, and the forbidden case needs the suite's RBAC users.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { startHarness, eventually, REAL_KUBECONFIG, type Harness } from './harness';
import { KubeError, createClusterClient, type ClusterClient } from '../../../src/kube';
import type { ControlPlane } from '../../helpers/controlPlane';

const needsControlPlane = REAL_KUBECONFIG ? 'needs the test control plane: it plays the pod with a local backend (MODELDOCK_TEST_KUBECONFIG is set)' : false;

async function listen(server: net.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address();
  assert.ok(addr && typeof addr === 'object');
  return addr.port;
}

/** Writes `payload` to a fresh connection to `port` and collects `expect` bytes back. */
async function roundTrip(port: number, payload: Buffer, expect = payload.length): Promise<Buffer> {
  const socket = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  let got = 0;
  const done = new Promise<Buffer>((resolve, reject) => {
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      got += c.length;
      if (got >= expect) resolve(Buffer.concat(chunks));
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`closed after ${got} of ${expect} bytes`)));
  });
  socket.write(payload);
  try {
    return await done;
  } finally {
    socket.destroy();
  }
}

describe('port-forward', { skip: needsControlPlane }, () => {
  let h: Harness;
  let cp: ControlPlane;
  let client: ClusterClient;
  const backends: net.Server[] = [];
  let backendConnections = 0;
  let refused = 0;

  before(async () => {
    h = await startHarness();
    cp = h.cp!;
    client = await h.client();
    await cp.addPod({ name: 'pf-pod', namespace: 'ml', containers: [{ name: 'main', ports: [8080, 8000] }] });
    const echo = net.createServer((s) => {
      backendConnections++;
      s.on('error', () => undefined);
      s.pipe(s);
    });
    const web = http.createServer((req, res) => {
      const text = `hello from the pod: ${req.method ?? ''} ${req.url ?? ''}`;
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    });
    // A port that was listening once and is closed now: connecting to it is refused.
    const closed = net.createServer();
    refused = await listen(closed);
    await new Promise((r) => closed.close(r));
    backends.push(echo, web);
    await cp.exposePodPort('ml', 'pf-pod', 8080, await listen(echo));
    await cp.exposePodPort('ml', 'pf-pod', 8000, await listen(web));
    await cp.exposePodPort('ml', 'pf-pod', 9999, refused);
  });
  after(async () => {
    await h?.close();
    await Promise.all(backends.map((b) => new Promise((resolve) => b.close(resolve))));
  });

  test('bytes round-trip through the forward, in order, on several connections at once', async () => {
    const before = cp.proxy.count({ resource: 'pods/portforward' });
    const connectionsBefore = backendConnections;
    const fwd = await client.portForward({ kind: 'Pod', namespace: 'ml', name: 'pf-pod', port: 8080 });
    try {
      assert.equal(fwd.remotePort, 8080);
      assert.equal(fwd.target, 'pod/pf-pod');
      assert.ok(fwd.localPort > 0);
      assert.deepEqual(await roundTrip(fwd.localPort, Buffer.from('ping\n')), Buffer.from('ping\n'));
      // Large enough to span many WebSocket frames and TCP reads; random so order errors show.
      const big = randomBytes(512 * 1024);
      const [a, b] = await Promise.all([roundTrip(fwd.localPort, big), roundTrip(fwd.localPort, Buffer.from('second'))]);
      assert.ok(a.equals(big), 'the 512 KiB payload came back intact');
      assert.equal(b.toString(), 'second');
      const pf = cp.proxy.filter({ resource: 'pods/portforward' }).slice(before);
      assert.ok(pf.length >= 3, `one WebSocket per connection (saw ${pf.length})`);
      assert.ok(pf.every((r) => r.upgrade && r.status === 101 && r.query === '?ports=8080' && r.namespace === 'ml' && r.verb === 'create'), JSON.stringify(pf.map((r) => [r.status, r.query])));
    } finally {
      fwd.dispose();
    }
    await eventually(() => cp.proxy.openStreams({ resource: 'pods/portforward' }).length === 0, 'port-forward WebSockets closed');
    assert.ok(backendConnections - connectionsBefore >= 3);
  });

  test('an HTTP GET through the forward; the local connection ends when the pod side closes', async () => {
    const fwd = await client.portForward({ kind: 'Pod', namespace: 'ml', name: 'pf-pod', port: 8000 });
    try {
      // A raw socket read to its end: proves the forward ends the local connection when the
      // backend closes (Connection: close), not just that the body arrived.
      const socket = net.connect(fwd.localPort, '127.0.0.1');
      socket.setEncoding('utf8');
      let response = '';
      socket.on('data', (c: string) => (response += c));
      socket.write('GET /healthz HTTP/1.1\r\nHost: pf-pod\r\nConnection: close\r\n\r\n');
      await once(socket, 'end');
      socket.destroy();
      assert.match(response, /^HTTP\/1\.1 200 OK\r\n/);
      const body = response.slice(response.indexOf('\r\n\r\n') + 4);
      assert.equal(body, 'hello from the pod: GET /healthz');
    } finally {
      fwd.dispose();
    }
  });

  test('a Service forwards to a running pod behind it, on the targetPort', async () => {
    await cp.addPod({ name: 'pf-svc-pod', namespace: 'ml', labels: { app: 'pf' }, containers: [{ name: 'main', ports: [8080] }] });
    const undo = await cp.exposePodPort('ml', 'pf-svc-pod', 8080, (backends[0]?.address() as net.AddressInfo).port);
    await client.applyServerSide(
      [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'pf-svc', namespace: 'ml' }, spec: { selector: { app: 'pf' }, ports: [{ port: 80, targetPort: 8080 }] } }],
      { dryRun: false },
    );
    const fwd = await client.portForward({ kind: 'Service', namespace: 'ml', name: 'pf-svc', port: 80 });
    try {
      assert.equal(fwd.remotePort, 8080);
      assert.equal(fwd.target, 'service/pf-svc');
      assert.equal((await roundTrip(fwd.localPort, Buffer.from('via service'))).toString(), 'via service');
      assert.ok(cp.proxy.requests.some((r) => r.path === '/api/v1/namespaces/ml/pods/pf-svc-pod/portforward' && r.status === 101));
    } finally {
      fwd.dispose();
      await undo();
    }
  });

  test('a port nothing listens on: the local connection is closed, the reason traced', async () => {
    const traces: string[] = [];
    const traced = await createClusterClient({ kubeconfig: await h.kubeconfig(), trace: (m) => traces.push(m) });
    try {
      const fwd = await traced.portForward({ kind: 'Pod', namespace: 'ml', name: 'pf-pod', port: 9999 });
      const socket = net.connect(fwd.localPort, '127.0.0.1');
      socket.on('error', () => undefined);
      await once(socket, 'close');
      // The kubelet streaming library's words (kwok uses it): "error forwarding port 9999 to pod pf-pod/ml, uid : failed to dial …: connection refused".
      assert.ok(traces.some((t) => /error forwarding port 9999 to pod pf-pod\b.*connection refused/.test(t)), traces.join('\n'));
      fwd.dispose();
    } finally {
      traced.dispose();
    }
  });

  test('403 on pods/portforward is a KubeError from portForward() itself', async () => {
    // alice may read pods in ml but has no pods/portforward: the API server's RBAC says no.
    const alice = await h.client('alice');
    await assert.rejects(alice.portForward({ kind: 'Pod', namespace: 'ml', name: 'pf-pod', port: 8080 }), (err: unknown) => {
      assert.ok(err instanceof KubeError);
      assert.equal(err.info.kind, 'forbidden');
      assert.equal(err.info.code, 403);
      assert.equal(err.info.verb, 'create');
      assert.equal(err.info.resource, 'pods/portforward');
      assert.equal(err.info.namespace, 'ml');
      assert.match(err.message, /pods\/portforward/);
      return true;
    });
    const last = cp.proxy.filter({ resource: 'pods/portforward' }).at(-1);
    assert.equal(last?.status, 403);
    assert.equal(last?.user, 'alice');
  });

  test('an unknown pod is a not-found KubeError; a bad token is unauthorized', async () => {
    await assert.rejects(client.portForward({ kind: 'Pod', namespace: 'ml', name: 'no-such-pod', port: 8080 }), (err: unknown) => {
      assert.ok(err instanceof KubeError);
      assert.equal(err.info.kind, 'not-found');
      assert.match(err.message, /ml\/no-such-pod/);
      return true;
    });
    const bad = await h.client('bad');
    await assert.rejects(bad.portForward({ kind: 'Pod', namespace: 'ml', name: 'pf-pod', port: 8080 }), (err: unknown) => {
      assert.ok(err instanceof KubeError);
      assert.equal(err.info.kind, 'unauthorized');
      return true;
    });
  });
});
