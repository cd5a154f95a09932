/**
 * Faults a real API server does not produce on demand, injected by the proxy in front of it
 * (test/helpers/faultProxy.ts): storms of 410s and 500s, watches closed at once, stalls before and
 * after the headers, an oversized and a malformed watch line. What a demanding user expects: the
 * client never spins (at most 2 requests per second per watch once the first retries are past),
 * never hangs on a silent connection, and its memory stays bounded whatever the server sends.
 *
 * The client's timeouts and limits default to minutes and megabytes (src/kube/tuning.ts, checked
 * by unit tests); this suite shrinks them through ClusterClientOptions.tuning, as a fault proxy
 * run must, and checks the behaviour: a stalled watch is given up and reopened, an oversized line
 * is refused with bounded memory.
 */
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, eventually, until, REAL_KUBECONFIG, type Harness } from './harness';
import type { ClusterClient, PodInfo, ResourceWatch } from '../../../src/kube';
import type { Reflector } from '../../../src/kube/reflector';
import type { ControlPlane } from '../../helpers/controlPlane';
import type { RequestRecord } from '../../helpers/faultProxy';

const skip = REAL_KUBECONFIG ? 'needs the test control plane and its fault proxy (MODELDOCK_TEST_KUBECONFIG is set)' : false;

const status410 = JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version: 1 (2)', reason: 'Expired', code: 410 } });
const status500 = JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'etcdserver: request timed out', reason: 'InternalError', code: 500 } });

function ready<T>(w: ResourceWatch<T>, timeoutMs?: number): Promise<void> {
  return until(() => w.state.kind === 'ready', (wake) => w.onState(wake), 'watch ready', timeoutMs);
}
function has<T>(w: ResourceWatch<T>, name: string, timeoutMs?: number): Promise<void> {
  return until(() => w.items.has(name), (wake) => w.onChange(wake), `${name} in watch`, timeoutMs);
}

/** Runs for `ms`, then the request rate (per second) after the first `grace` requests. */
async function rateAfter(cp: ControlPlane, namespace: string, ms: number, grace = 5): Promise<{ rate: number; total: number; records: RequestRecord[] }> {
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, ms));
  const records = cp.proxy.filter({ namespace, resource: 'pods' }).filter((r) => r.startedAt >= t0 - 60_000);
  const end = Date.now();
  if (records.length <= grace) return { rate: 0, total: records.length, records };
  const from = records[grace - 1]!.startedAt;
  return { rate: (records.length - grace) / Math.max(1, (end - from) / 1000), total: records.length, records };
}

const summary = (rs: RequestRecord[]) => rs.slice(0, 40).map((r) => `${r.verb}${r.status ? ` ${r.status}` : ''} +${r.startedAt - rs[0]!.startedAt}ms`).join(', ');

describe('watch faults from the proxy', { skip }, () => {
  let h: Harness;
  let cp: ControlPlane;
  let client: ClusterClient;
  // Each test's watch is disposed when the test ends: a client spinning or chewing on an
  // oversized line must not starve the tests after it.
  const watches: ResourceWatch<unknown>[] = [];
  const open = <T>(w: ResourceWatch<T>) => {
    watches.push(w as ResourceWatch<unknown>);
    return w;
  };
  afterEach(() => {
    for (const w of watches.splice(0)) w.dispose();
  });

  before(async () => {
    h = await startHarness({ namespaces: ['storm', 'errors', 'early', 'stall-body', 'stall-head', 'big', 'junk'] });
    cp = h.cp!;
    client = await h.client(undefined, undefined, {
      headerTimeoutMs: 4_000,
      watchIdleTimeoutMs: 6_000,
      maxLineLength: 4 * 1024 * 1024,
    });
  });
  after(async () => {
    for (const w of watches) w.dispose();
    await h?.close();
  });

  test('a storm of 410s: each relist backs off, ≤ 2 requests/s after the first few', async () => {
    await cp.addPod({ name: 'storm-0', namespace: 'storm', wait: false });
    const storm = cp.proxy.addFault({ namespace: 'storm', verb: 'watch' }, { kind: 'respond', status: 200, body: `${status410}\n` });
    try {
      const w = open(client.watch('Pod', 'storm'));
      const { rate, records } = await rateAfter(cp, 'storm', 10_000);
      assert.ok(rate <= 2, `${rate.toFixed(1)} requests/s: ${summary(records)}`);
      assert.ok(w.items.has('storm-0'), 'the store stays right through the relists');
    } finally {
      storm.dispose();
    }
  });

  test('a watch answered with ERROR 500 every time retries with backoff, ≤ 2 requests/s', async () => {
    await cp.addPod({ name: 'err-0', namespace: 'errors', wait: false });
    const fault = cp.proxy.addFault({ namespace: 'errors', verb: 'watch' }, { kind: 'respond', status: 200, body: `${status500}\n` });
    try {
      const w = open(client.watch('Pod', 'errors'));
      const { rate, records } = await rateAfter(cp, 'errors', 8_000);
      assert.ok(rate <= 2, `${rate.toFixed(1)} requests/s: ${summary(records)}`);
      assert.equal(w.state.kind === 'error' && w.state.retrying, true, 'shown as retrying');
    } finally {
      fault.dispose();
    }
  });

  test('watches the server ends at once (no events) are retried with backoff, ≤ 2 requests/s', async () => {
    const fault = cp.proxy.addFault({ namespace: 'early', verb: 'watch' }, { kind: 'close' });
    try {
      open(client.watch('Pod', 'early'));
      const { rate, records } = await rateAfter(cp, 'early', 8_000);
      assert.ok(rate <= 2, `${rate.toFixed(1)} requests/s: ${summary(records)}`);
    } finally {
      fault.dispose();
    }
  });

  test('a watch that goes silent after its headers is abandoned after timeoutSeconds and re-established', async () => {
    const stall = cp.proxy.addFault({ namespace: 'stall-body', verb: 'watch' }, { kind: 'stall-body' }, 1);
    try {
      const w = open(client.watch('Pod', 'stall-body', { timeoutSeconds: 3 })) as Reflector<PodInfo>;
      await ready(w);
      await eventually(() => stall.hits === 1, 'the first watch stalled');
      // The server promised to end the watch after 3 s; a client that hears nothing for much
      // longer must assume the connection is dead (no FIN on a half-open TCP connection).
      await eventually(() => cp.proxy.count({ namespace: 'stall-body', verb: 'watch' }) >= 2, 'a second watch', 20_000);
      await cp.addPod({ name: 'after-stall', namespace: 'stall-body', wait: false });
      await has(w, 'after-stall');
    } finally {
      stall.dispose();
    }
  });

  test('a watch request that gets no answer at all is given up and retried', async () => {
    const stall = cp.proxy.addFault({ namespace: 'stall-head', verb: 'watch' }, { kind: 'stall-request' }, 1);
    try {
      const w = open(client.watch('Pod', 'stall-head', { timeoutSeconds: 3 })) as Reflector<PodInfo>;
      await ready(w);
      await eventually(() => cp.proxy.count({ namespace: 'stall-head', verb: 'watch' }) >= 2, 'a second watch', 20_000);
      await cp.addPod({ name: 'after-stall', namespace: 'stall-head', wait: false });
      await has(w, 'after-stall');
    } finally {
      stall.dispose();
    }
  });

  test('a malformed watch line is skipped or restarts the watch; later events still arrive', async () => {
    const junk = cp.proxy.addFault({ namespace: 'junk', verb: 'watch' }, { kind: 'inject', data: () => ['{"type":"ADDED","object":{"metadata":\n', 'not json at all\n', '\u0000\u00ff\n'] }, 1);
    try {
      const w = open(client.watch('Pod', 'junk')) as Reflector<PodInfo>;
      await ready(w);
      await eventually(() => junk.hits === 1, 'junk injected');
      await cp.addPod({ name: 'after-junk', namespace: 'junk', wait: false });
      await has(w, 'after-junk');
      assert.equal(w.state.kind, 'ready');
      assert.ok(![...w.items.keys()].some((k) => !/^after-junk$/.test(k)), 'nothing invented from the junk');
    } finally {
      junk.dispose();
    }
  });
  test('an oversized watch line (128 MiB, no newline) is refused with bounded memory; the watch recovers', async () => {
    const MiB = 1024 * 1024;
    const chunk = Buffer.alloc(MiB, 0x78);
    const big = cp.proxy.addFault({ namespace: 'big', verb: 'watch' }, { kind: 'inject', data: function* () {
      yield '{"type":"ADDED","object":{"metadata":{"name":"';
      for (let i = 0; i < 128; i++) yield chunk;
    } }, 1);
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 20);
    try {
      const w = open(client.watch('Pod', 'big')) as Reflector<PodInfo>;
      await ready(w);
      const sent = () => cp.proxy.filter({ namespace: 'big', verb: 'watch' })[0]?.bytes ?? 0;
      // Refused: the watch stops with the error on its node (the user's Retry reopens it), or it
      // is reopened on its own. Either way the line is not buffered to its end.
      const refused = () => w.state.kind === 'error' && /longer than/.test(w.state.error.message);
      await eventually(() => refused() || cp.proxy.count({ namespace: 'big', verb: 'watch' }) >= 2, 'the oversized line refused', 30_000).catch(() => {
        assert.fail(`after 30 s the client had taken ${(sent() / MiB).toFixed(1)} MiB of the 128 MiB line (heap +${((peak - baseline) / MiB).toFixed(0)} MiB) and neither refused it nor re-watched`);
      });
      assert.ok(sent() < 64 * MiB, `the client read ${(sent() / MiB).toFixed(0)} MiB of a line it should have refused at 4 MiB`);
      if (refused()) w.restart();
      await cp.addPod({ name: 'after-big', namespace: 'big', wait: false });
      await has(w, 'after-big', 30_000);
      const growth = (peak - baseline) / MiB;
      assert.ok(growth < 48, `heap grew by ${growth.toFixed(0)} MiB while a 128 MiB line arrived`);
    } finally {
      clearInterval(sampler);
      big.dispose();
    }
  });

});
