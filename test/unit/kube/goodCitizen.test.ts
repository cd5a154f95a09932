/**
 * The cluster client as a good citizen of a misbehaving API server: real sockets to a small local
 * HTTP server that storms 410s, closes watches early, stalls, sends oversized bodies and lines and
 * garbage events. Request counts are measured over real-time windows; the tunables are shrunk
 * through ClusterClientOptions.tuning where a default would make the test slow.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type * as http from 'node:http';
import { join } from 'node:path';
import { createClusterClient, isKubeError, ClusterTreeModel, type ClusterClient, type ResourceWatch, type TuningOverrides, type WatchState, type LoadedKubeconfig } from '../../../src/kube';
import { kubeTestApi } from '../../helpers/kubeTestApi';
import type { RawKubeconfig } from '../../../src/kube/kubeconfig';
import { event, namespaceList, pod, podList, scratch, sendJson, startMiniApi, startWatch, type MiniApi, type SeenRequest } from './miniApi';
import { promises as fs } from 'node:fs';

function kubeconfig(server: string): RawKubeconfig {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'x',
    clusters: [{ name: 'c', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'u', user: { token: 't' } }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: 'ml' } }],
  };
}

const cleanups: (() => unknown)[] = [];
// client-node takes seconds to load on a busy machine: load it before any measured window.
before(() => import('@kubernetes/client-node'));
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void): Promise<MiniApi> {
  const api = await startMiniApi(handler);
  cleanups.push(() => api.close());
  return api;
}

async function client(api: MiniApi, tuning?: TuningOverrides, trace?: (m: string) => void): Promise<ClusterClient> {
  const c = await createClusterClient({ kubeconfig: kubeconfig(api.url), ...(tuning ? { tuning } : {}), ...(trace ? { trace } : {}) });
  cleanups.push(() => c.dispose());
  return c;
}

/** Resolves when the watch's state matches; fails at the deadline with what it saw. */
function stateOf<T>(w: ResourceWatch<T>, pred: (s: WatchState) => boolean, what: string, timeoutMs = 10_000): Promise<WatchState> {
  return new Promise((resolve, reject) => {
    if (pred(w.state)) return resolve(w.state);
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for ${what}; state ${JSON.stringify(w.state)}`));
    }, timeoutMs);
    const sub = w.onState((s) => {
      if (!pred(s)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(s);
    });
  });
}

const stopped = (s: WatchState) => s.kind === 'error' && !s.retrying;
const retrying = (s: WatchState) => s.kind === 'error' && s.retrying;
const errorText = (s: WatchState) => (s.kind === 'error' ? s.error.message : '');
/** The measurement window: request counts are taken over real time. */
const windowOf = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isWatch = (r: SeenRequest) => r.watch;

/** Writes `total` bytes of `fill` with backpressure; resolves with what was accepted when the client hung up. */
function pour(res: http.ServerResponse, total: number, head = '', fill = 'a'): Promise<number> {
  const chunk = Buffer.from(fill.repeat(64 * 1024));
  let written = 0;
  return new Promise((resolve) => {
    res.on('close', () => resolve(written));
    const go = () => {
      if (head) {
        res.write(head);
        written += head.length;
        head = '';
      }
      while (written < total && !res.destroyed) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', go);
      }
      res.end();
    };
    go();
  });
}

describe('reconnect storms: one backoff for every reconnect', () => {
  test('410 storms, early closes and bookmark-only streams stay under 2 requests/s per watch (default tuning)', async () => {
    const listOk = (res: http.ServerResponse) => sendJson(res, 200, podList(['p'], '100'));
    let rv = 100;
    const scenarios: Record<string, (res: http.ServerResponse, url: URL) => void> = {
      'HTTP 410 on every watch': (res, url) => (url.searchParams.get('watch') ? sendJson(res, 410, { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' }) : listOk(res)),
      'ERROR 410 event on every watch': (res, url) => {
        if (!url.searchParams.get('watch')) return listOk(res);
        startWatch(res);
        res.end(event('ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' }));
      },
      'closed after one event': (res, url) => {
        if (!url.searchParams.get('watch')) return listOk(res);
        startWatch(res);
        res.end(event('MODIFIED', pod('p', String(++rv))));
      },
      'closed after a bookmark': (res, url) => {
        if (!url.searchParams.get('watch')) return listOk(res);
        startWatch(res);
        res.end(event('BOOKMARK', { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: String(++rv) } }));
      },
      'closed with nothing': (res, url) => {
        if (!url.searchParams.get('watch')) return listOk(res);
        startWatch(res);
        res.end();
      },
    };
    const running = await Promise.all(
      Object.entries(scenarios).map(async ([name, answer]) => {
        const api = await serve((_req, res, url) => answer(res, url));
        const w = (await client(api)).watch('Pod', 'ml');
        return { name, api, w };
      }),
    );
    const t0 = Date.now();
    await windowOf(3000);
    for (const { name, api, w } of running) {
      const total = api.count();
      const lastSecond = api.count(undefined, t0 + 2000);
      // Worst case with half jitter: requests at 0, ≥0.4 s, ≥1.2 s, ≥2.8 s (list + watch each for 410).
      assert.ok(total <= 8, `${name}: ${total} requests in 3 s`);
      assert.ok(lastSecond <= 2, `${name}: ${lastSecond} requests in the third second`);
      assert.ok(api.count(isWatch) >= 2, `${name}: it did reconnect`);
      w.dispose();
    }
  });

  test('a 410 storm spends the relist budget, then stops with the error and Retry resumes', async () => {
    let healthy = false;
    const api = await serve((_req, res, url) => {
      if (!url.searchParams.get('watch')) return sendJson(res, 200, podList(['p'], '5'));
      if (healthy) return startWatch(res);
      sendJson(res, 410, { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' });
    });
    const c = await client(api, { reconnect: { initialMs: 10, maxMs: 40, floorMs: 5, relistBudget: 3, relistWindowMs: 60_000 } });
    const w = c.watch('Pod', 'ml');
    const s = await stateOf(w, stopped, 'the watch to stop');
    assert.match(errorText(s), /expired the watch of pods 4 times within 1 min \(410 Gone\); ModelDock stopped watching/);
    assert.equal(api.count((r) => !r.watch), 4, 'the first list and three relists');
    assert.equal(api.count(isWatch), 4);
    assert.equal(w.items.size, 1, 'the last good list is still shown');
    const before = api.count();
    await windowOf(300);
    assert.equal(api.count(), before, 'a stopped watch sends nothing');
    healthy = true;
    w.restart();
    await stateOf(w, (st) => st.kind === 'ready', 'ready after Retry');
  });

  test('a server that keeps closing the watch at once: stops after maxFailures with the reason', async () => {
    const api = await serve((_req, res, url) => {
      if (!url.searchParams.get('watch')) return sendJson(res, 200, podList([], '5'));
      startWatch(res);
      res.end(event('ADDED', pod('again', '6')));
    });
    const c = await client(api, { reconnect: { initialMs: 10, maxMs: 40, floorMs: 5, maxFailures: 4 } });
    const w = c.watch('Pod', 'ml');
    const s = await stateOf(w, stopped, 'the watch to stop');
    assert.match(errorText(s), /closed the watch of pods right after opening it, 5 times in a row/);
    assert.equal(api.count(isWatch), 5);
    assert.equal(api.count((r) => !r.watch), 1, 'early closes re-watch, they do not relist');
  });

  test('a watch that stays open long enough counts as healthy: quick re-watch, backoff starts over', async () => {
    let n = 0;
    const api = await serve((_req, res, url) => {
      if (!url.searchParams.get('watch')) return sendJson(res, 200, podList([], '5'));
      startWatch(res);
      n++;
      // Every watch lives 150 ms (the server-side timeout of this test).
      setTimeout(() => res.end(event('ADDED', pod(`p${n}`, String(10 + n)))), 150);
    });
    const c = await client(api, { reconnect: { initialMs: 1000, maxMs: 5000, floorMs: 10, healthyAfterMs: 100, maxFailures: 2 } });
    const w = c.watch('Pod', 'ml');
    await new Promise<void>((resolve) => {
      const sub = w.onChange(() => {
        if (w.items.size >= 4) {
          sub.dispose();
          resolve();
        }
      });
    });
    assert.equal(w.state.kind, 'ready', 'healthy reconnects are not failures');
    w.dispose();
  });
});

describe('timeouts: nothing waits forever', () => {
  test('a server that accepts and never answers the list: an error (retrying) instead of Loading… forever', async () => {
    const held: http.ServerResponse[] = [];
    const api = await serve((_req, res) => void held.push(res));
    cleanups.push(() => held.forEach((r) => r.destroy()));
    const w = (await client(api, { requestTimeoutMs: 200 })).watch('Pod', 'ml');
    const s = await stateOf(w, retrying, 'an error', 5000);
    assert.match(errorText(s), /did not answer for list pods in ml within 200 ms/);
    if (s.kind === 'error') assert.equal(s.error.kind, 'unreachable');
  });

  test('a list that sends half its body and stops', async () => {
    const api = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '1000' });
      res.write('{"items":[');
    });
    const w = (await client(api, { requestTimeoutMs: 300 })).watch('Pod', 'ml');
    assert.match(errorText(await stateOf(w, retrying, 'an error', 5000)), /did not finish its answer for list pods/);
  });

  test('a watch that never sends headers, and one that goes silent after them', async () => {
    const held: http.ServerResponse[] = [];
    cleanups.push(() => held.forEach((r) => r.destroy()));
    const noHeaders = await serve((_req, res, url) => (url.searchParams.get('watch') ? void held.push(res) : sendJson(res, 200, podList([]))));
    const w1 = (await client(noHeaders, { headerTimeoutMs: 200 })).watch('Pod', 'ml');
    assert.match(errorText(await stateOf(w1, retrying, 'a header timeout', 5000)), /did not answer for watch pods in ml within 200 ms/);

    const silent = await serve((_req, res, url) => {
      if (!url.searchParams.get('watch')) return sendJson(res, 200, podList([]));
      startWatch(res);
      held.push(res);
    });
    const w2 = (await client(silent, { watchIdleTimeoutMs: 200, reconnect: { initialMs: 20, maxMs: 50 } })).watch('Pod', 'ml');
    assert.match(errorText(await stateOf(w2, retrying, 'an idle timeout', 5000)), /did not send anything on the open stream for watch pods/);
    await stateOf(w2, (s) => s.kind === 'ready', 'the re-watch', 5000);
    assert.ok(silent.count(isWatch) >= 2, 'the dead watch was replaced');
  });

  test('logs: a stalled log request fails at the header timeout', async () => {
    const held: http.ServerResponse[] = [];
    cleanups.push(() => held.forEach((r) => r.destroy()));
    const api = await serve((_req, res) => void held.push(res));
    const c = await client(api, { headerTimeoutMs: 200 });
    await assert.rejects(c.logs('ml', 'p', 'main', { follow: true }, () => undefined), (err: unknown) => isKubeError(err, 'unreachable') && /get pods\/log/.test(err.message));
  });

  test('a credential plugin that never answers fails the request', async () => {
    const dir = await scratch('hang');
    cleanups.push(() => dir.remove());
    const plugin = join(dir.dir, 'hang.sh');
    await fs.writeFile(plugin, '#!/bin/sh\nexec sleep 3\n', { mode: 0o755 });
    const api = await serve((_req, res) => sendJson(res, 200, namespaceList(['a'])));
    const kc = kubeconfig(api.url);
    const c = await createClusterClient({
      kubeconfig: { ...kc, users: [{ name: 'u', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' } } }] },
      tuning: { credentialTimeoutMs: 300 },
    });
    cleanups.push(() => c.dispose());
    await assert.rejects(c.listNamespaces(), (err: unknown) => isKubeError(err, 'credentials') && /did not answer within 300 ms/.test(err.message));
    assert.equal(api.count(), 0);
  });
});

describe('bounded memory', () => {
  test('a list answer over the limit is refused while it streams (default limit 64 MiB)', async () => {
    let accepted: Promise<number> | undefined;
    const api = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      // 600 MiB: more than V8 can turn into one string (the old code threw an uncaught exception).
      accepted = pour(res, 600 * 1024 * 1024, '{"items":["', 'x');
    });
    const w = (await client(api)).watch('Pod', 'ml');
    const s = await stateOf(w, stopped, 'a size error', 30_000);
    assert.match(errorText(s), /larger than 64 MiB; ModelDock stopped reading it/);
    if (s.kind === 'error') assert.equal(s.error.kind, 'too-large');
    const written = await accepted!;
    assert.ok(written < 100 * 1024 * 1024, `the server got ${Math.round(written / 1024 / 1024)} MiB out before the client hung up`);
    assert.equal(api.count(), 1, 'too large is not retried');
  });

  test('a watch line without a newline is an error at the line limit, not memory growth', async () => {
    let accepted: Promise<number> | undefined;
    const api = await serve((_req, res, url) => {
      if (!url.searchParams.get('watch')) return sendJson(res, 200, podList([]));
      startWatch(res);
      accepted = pour(res, 512 * 1024 * 1024, '{"type":"ADDED","object":{"metadata":{"name":"', 'a');
    });
    const w = (await client(api, { maxLineLength: 256 * 1024 })).watch('Pod', 'ml');
    const s = await stateOf(w, stopped, 'a line-length error', 30_000);
    assert.match(errorText(s), /watch event of pods is longer than 262144 characters/);
    const written = await accepted!;
    assert.ok(written < 32 * 1024 * 1024, `the server got ${Math.round(written / 1024 / 1024)} MiB out before the client hung up`);
  });

  test('a list whose continue token never changes is an error, not an endless list', async () => {
    const api = await serve((_req, res) => sendJson(res, 200, { kind: 'PodList', metadata: { resourceVersion: '1', continue: 'same' }, items: [] }));
    const c = await client(api);
    await assert.rejects(c.list('Pod', 'ml'), /repeated its continue token/);
    assert.equal(api.count(), 2);
  });
});

describe('watch events are validated', () => {
  test('null, wrong types, missing objects and broken JSON are logged and skipped', async () => {
    const traces: string[] = [];
    const api = await serve((_req, res, url) => {
      if (!url.searchParams.get('watch')) return sendJson(res, 200, podList(['first'], '5'));
      startWatch(res);
      res.write(['null', '42', '"text"', '[]', '{}', '{"type":"ADDED"}', '{"type":"ADDED","object":null}', '{"type":"WHAT","object":{}}', '{"type":7,"object":{}}', '{not json', '{"type":"ADDED","object":{"metadata":{}}}', ''].join('\n'));
      res.write(event('ADDED', pod('good', '9')));
      res.write(event('DELETED', 'not an object'));
    });
    const c = await client(api, undefined, (m) => traces.push(m));
    const w = c.watch('Pod', 'ml');
    await new Promise<void>((resolve) => {
      if (w.items.has('good')) return resolve();
      const sub = w.onChange(() => {
        if (!w.items.has('good')) return;
        sub.dispose();
        resolve();
      });
    });
    assert.deepEqual([...w.items.keys()].sort(), ['first', 'good']);
    assert.equal(w.state.kind, 'ready');
    const skipped = traces.filter((t) => /skipped a watch event/.test(t)).join('\n');
    assert.match(skipped, /not an object \(null\)/);
    assert.match(skipped, /not an object \(number\)/);
    assert.match(skipped, /not an object \(string\)/);
    w.dispose();
  });
});

describe('the tree: a session that cannot recover shows its error with Retry, and stops', () => {
  test('namespaces watch stops on a 410 storm; Retry on its node restarts it', async () => {
    let storm = true;
    const api = await serve((_req, res, url) => {
      if (!url.searchParams.get('watch')) return sendJson(res, 200, namespaceList(['default', 'ml'], '3'));
      if (storm) return sendJson(res, 410, { kind: 'Status', code: 410, reason: 'Expired' });
      startWatch(res);
    });
    const loaded: LoadedKubeconfig = { config: kubeconfig(api.url), problems: [], paths: [], found: ['memory'] };
    const model = new ClusterTreeModel({
      loadKubeconfig: async () => loaded,
      createClient: (kc, context) => createClusterClient({ kubeconfig: kc, context, tuning: { reconnect: { initialMs: 5, maxMs: 20, floorMs: 5, relistBudget: 2 } } }),
      coalesceMs: 5,
    });
    cleanups.push(() => model.dispose());
    const ctx = (await kubeTestApi.resolveChildren(model, undefined)).find((n) => n.type === 'context');
    assert.ok(ctx);
    const errorNode = await new Promise<ReturnType<typeof model.getChildren>[number]>((resolve) => {
      const look = () => model.getChildren(ctx).find((n) => n.type === 'message' && n.kind === 'error');
      const found = look();
      if (found) return resolve(found);
      const sub = model.onDidChange(() => {
        const n = look();
        if (!n) return;
        sub.dispose();
        resolve(n);
      });
    });
    const p = model.present(errorNode);
    assert.match(p.label, /expired the watch of namespaces/);
    assert.match(p.contextValue, /^modeldock\.error\./, 'the Retry menu matches error nodes');
    const requests = api.count();
    await windowOf(200);
    assert.equal(api.count(), requests, 'stopped');
    storm = false;
    model.retry(errorNode);
    await new Promise<void>((resolve) => {
      const ok = () => model.getChildren(ctx).some((n) => n.type === 'namespace' && n.name === 'ml');
      if (ok()) return resolve();
      const sub = model.onDidChange(() => {
        if (!ok()) return;
        sub.dispose();
        resolve();
      });
    });
    assert.ok(!model.getChildren(ctx).some((n) => n.type === 'message' && n.kind === 'error'), 'the error node went away');
  });
});
