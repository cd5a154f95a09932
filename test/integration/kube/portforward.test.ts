/**
 * ClusterClient.portForward against the test server's WebSocket port-forward (channel protocol
 * v4): the test plays the container with a local TCP server registered by exposePodPort.
 *
 * Skipped against a real cluster (MODELDOCK_TEST_KUBECONFIG): it would need a pod serving a known
 * port and an image with a TCP echo, and the forbidden case needs RBAC set up by the suite.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { startHarness, eventually, REAL_KUBECONFIG, type Harness } from './harness';
import { KubeError, createClusterClient, type ClusterClient } from '../../../src/kube';

const needsServer = REAL_KUBECONFIG ? 'needs the test server: it plays the pod with a local backend (MODELDOCK_TEST_KUBECONFIG is set)' : false;

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

describe('port-forward', { skip: needsServer }, () => {
  let h: Harness;
  let client: ClusterClient;
  const backends: net.Server[] = [];
  let backendConnections = 0;

  before(async () => {
    h = await startHarness();
    client = await h.client();
    await h.addPod('pf-pod');
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
    backends.push(echo, web);
    h.server?.exposePodPort('ml', 'pf-pod', 8080, await listen(echo));
    h.server?.exposePodPort('ml', 'pf-pod', 8000, await listen(web));
  });
  after(async () => {
    // Stopping the kube server destroys its backend connections, so the backends can close.
    await h.close();
    await Promise.all(backends.map((b) => new Promise((resolve) => b.close(resolve))));
  });

  test('bytes round-trip through the forward, in order, on several connections at once', async () => {
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
      const pf = h.server?.requests.filter((r) => r.resource === 'pods/portforward') ?? [];
      assert.ok(pf.length >= 4, 'a preflight plus one WebSocket per connection');
      assert.ok(pf.every((r) => r.code === 101 && r.query === '?ports=8080' && r.namespace === 'ml'));
    } finally {
      fwd.dispose();
    }
    await eventually(() => h.server?.openPortForwards() === 0, 'port-forward WebSockets closed');
    assert.ok(backendConnections >= 3);
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
    const s = h.server;
    assert.ok(s);
    s.addPod({ name: 'pf-svc-pod', namespace: 'ml', labels: { app: 'pf' } });
    const undo = s.exposePodPort('ml', 'pf-svc-pod', 8080, (backends[0]?.address() as net.AddressInfo).port);
    await client.applyServerSide(
      [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'pf-svc', namespace: 'ml' }, spec: { selector: { app: 'pf' }, ports: [{ port: 80, targetPort: 8080 }] } }],
      { dryRun: false },
    );
    const fwd = await client.portForward({ kind: 'Service', namespace: 'ml', name: 'pf-svc', port: 80 });
    try {
      assert.equal(fwd.remotePort, 8080);
      assert.equal(fwd.target, 'service/pf-svc');
      assert.equal((await roundTrip(fwd.localPort, Buffer.from('via service'))).toString(), 'via service');
      assert.ok(s.requests.some((r) => r.path === '/api/v1/namespaces/ml/pods/pf-svc-pod/portforward' && r.code === 101));
    } finally {
      fwd.dispose();
      undo();
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
      assert.ok(traces.some((t) => /error forwarding port 9999 to pod pf-pod/.test(t)), traces.join('\n'));
      fwd.dispose();
    } finally {
      traced.dispose();
    }
  });

  test('403 on pods/portforward is a KubeError from portForward() itself', async () => {
    const undo = h.server?.forbid({ user: 'alice', namespace: 'ml', verbs: ['create'], resources: ['pods/portforward'] });
    try {
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
      const last = h.server?.requests.filter((r) => r.resource === 'pods/portforward').at(-1);
      assert.equal(last?.code, 403);
      assert.equal(last?.user, 'alice');
    } finally {
      undo?.();
    }
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

  test('the endpoint follows the API: plain GET needs an upgrade, ports are validated, subprotocol negotiated', async () => {
    const s = h.server;
    assert.ok(s?.certs);
    const get = (path: string, headers: Record<string, string> = {}) =>
      new Promise<{ code: number; body: string }>((resolve, reject) => {
        const req = https.get(
          { host: '127.0.0.1', port: s.port, path, ca: s.certs?.caCert, headers: { Authorization: 'Bearer admin-token', ...headers } },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (body += c));
            res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
      });
    const plain = await get('/api/v1/namespaces/ml/pods/pf-pod/portforward?ports=8080');
    assert.equal(plain.code, 400);
    const message = (body: string): unknown => (JSON.parse(body) as { message?: unknown }).message;
    assert.equal(message(plain.body), 'Upgrade request required');
    const upgrade = { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64') };
    const noPorts = await get('/api/v1/namespaces/ml/pods/pf-pod/portforward', { ...upgrade, 'Sec-WebSocket-Protocol': 'v4.channel.k8s.io' });
    assert.equal(noPorts.code, 400);
    assert.equal(message(noPorts.body), 'query parameter "ports" is required');
    const wrongProto = await get('/api/v1/namespaces/ml/pods/pf-pod/portforward?ports=8080', { ...upgrade, 'Sec-WebSocket-Protocol': 'v5.channel.k8s.io' });
    assert.equal(wrongProto.code, 400);
    assert.match(String(message(wrongProto.body)), /requested protocol\(s\) are not supported/);
  });
});
