/**
 * ClusterClient against a Kubernetes API: by default the in-repo test server (test/kube-server),
 * which gives full control (410 Gone, bookmarks, restarts, RBAC denials, dropped connections).
 *
 * Against a real cluster: MODELDOCK_TEST_KUBECONFIG=/path/to/kubeconfig node scripts/run-node-tests.mjs test/integration/kube
 * (kind/k3d/minikube; the current context is used; it needs the busybox:1.36 image). The tests
 * that need server-side control are skipped there; the rest run unchanged in a fresh namespace.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { startHarness, eventually, until, REAL_KUBECONFIG, type Harness } from './harness';
import {
  ClusterTreeModel,
  LogFollower,
  KubeError,
  createClusterClient,
  loadKubeconfig,
  resolveChildren,
  type ClusterClient,
  type LogLine,
  type PodInfo,
  type ResourceWatch,
  type TreeNode,
} from '../../../src/kube';
import type { Reflector } from '../../../src/kube/reflector';

const needsServer = REAL_KUBECONFIG ? 'needs the test server (MODELDOCK_TEST_KUBECONFIG is set)' : false;

function ready<T>(w: ResourceWatch<T>): Promise<void> {
  return until(() => w.state.kind === 'ready', (wake) => w.onState(wake), 'watch ready');
}
function has<T>(w: ResourceWatch<T>, name: string, pred: (t: T) => boolean = () => true): Promise<void> {
  return until(
    () => {
      const t = w.items.get(name);
      return t !== undefined && pred(t);
    },
    (wake) => w.onChange(wake),
    `${name} in watch`,
  );
}

describe('ClusterClient', () => {
  let h: Harness;
  let client: ClusterClient;
  before(async () => {
    h = await startHarness();
    client = await h.client();
  });
  after(async () => {
    await h.close();
  });

  test('contexts come from the kubeconfig with the current one marked', async () => {
    const ctxs = client.contexts();
    assert.ok(ctxs.length >= 1);
    assert.equal(ctxs.filter((c) => c.current).length, 1);
    assert.equal(ctxs.find((c) => c.current)?.name, client.currentContext);
  });

  test('lists namespaces, pods and workloads', async () => {
    await h.addPod('list-a');
    h.server?.addWorkload('Deployment', 'ml', 'trainer');
    h.server?.addWorkload('CronJob', 'ml', 'nightly');
    const ns = await client.listNamespaces();
    assert.ok(ns.some((n) => n.meta.name === h.namespace));
    const pods = await client.list('Pod', h.namespace);
    assert.ok(pods.some((p) => p.meta.name === 'list-a'));
    if (!h.real) {
      const deps = await client.list('Deployment', 'ml');
      assert.deepEqual(deps.map((d) => [d.meta.name, d.ready, d.desired]), [['trainer', 1, 1]]);
      const crons = await client.list('CronJob', 'ml');
      assert.equal(crons[0]?.schedule, '*/5 * * * *');
    }
  });

  test('paged list uses limit/continue', { skip: needsServer }, async () => {
    const s = h.server!;
    for (let i = 0; i < 5; i++) s.addPod({ name: `page-${i}`, namespace: 'paged' });
    const w = client.watch('Pod', 'paged', { pageSize: 2 });
    await ready(w);
    assert.equal(w.items.size, 5);
    assert.equal(s.requests.filter((r) => r.namespace === 'paged' && r.verb === 'list').length, 3);
    assert.ok(s.requests.some((r) => r.namespace === 'paged' && r.query.includes('continue=')));
    w.dispose();
  });

  test('watch sees a pod added, modified and deleted without relisting', async () => {
    const w = client.watch('Pod', h.namespace) as Reflector<PodInfo>;
    await ready(w);
    await h.addPod('watched');
    await has(w, 'watched');
    if (h.server) {
      h.server.setPodPhase('ml', 'watched', 'Succeeded');
      await has(w, 'watched', (p) => p.phase === 'Succeeded');
      h.server.deletePod('ml', 'watched');
      await until(() => !w.items.has('watched'), (wake) => w.onChange(wake), 'pod deleted');
      assert.equal(h.server.requests.filter((r) => r.namespace === 'ml' && r.verb === 'list' && r.resource === 'pods' && !r.query.includes('fieldSelector')).length >= 1, true);
    }
    assert.equal(w.lists, 1, 'one list, then only watch events');
    w.dispose();
  });

  test('410 Gone on re-watch relists and keeps the store right', { skip: needsServer }, async () => {
    const s = h.server!;
    s.addPod({ name: 'before-gone', namespace: 'gone' });
    const w = client.watch('Pod', 'gone') as Reflector<PodInfo>;
    await ready(w);
    assert.equal(w.lists, 1);
    const oldRv = Number(w.resourceVersion);
    s.compact(); // history dropped, open watches closed: the re-watch from oldRv gets ERROR 410
    s.addPod({ name: 'after-gone', namespace: 'gone' });
    await has(w, 'after-gone');
    assert.equal(w.lists, 2, 'relisted once');
    assert.ok(Number(w.resourceVersion) > oldRv);
    assert.ok(w.items.has('before-gone'));
    w.dispose();
  });

  test('bookmarks move the resourceVersion forward so compaction does not force a relist', { skip: needsServer }, async () => {
    const s = h.server!;
    s.addNamespace('quiet');
    const w = client.watch('Pod', 'quiet') as Reflector<PodInfo>;
    await ready(w);
    const start = Number(w.resourceVersion);
    for (let i = 0; i < 3; i++) s.addPod({ name: `elsewhere-${i}`, namespace: 'busy' });
    await eventually(() => s.openWatches({ namespace: 'quiet' }) === 1, 'watch open');
    s.bookmark();
    await eventually(() => w.resourceVersion === s.resourceVersion, 'bookmark applied');
    assert.ok(Number(w.resourceVersion) > start);
    s.compact({ bump: false });
    s.addPod({ name: 'late', namespace: 'quiet' });
    await has(w, 'late');
    assert.equal(w.lists, 1, 'no relist: the bookmark kept us current');
    w.dispose();
  });

  test('a dropped connection re-watches after backoff without losing events', { skip: needsServer }, async () => {
    const s = h.server!;
    s.addNamespace('flaky');
    const w = client.watch('Pod', 'flaky') as Reflector<PodInfo>;
    await ready(w);
    await eventually(() => s.openWatches({ namespace: 'flaky' }) === 1, 'watch open');
    s.dropConnections();
    s.addPod({ name: 'while-down', namespace: 'flaky' });
    await has(w, 'while-down');
    assert.equal(w.lists, 1, 're-watch from the last version replays the missed event');
    w.dispose();
  });

  test('logs: tail, timestamps, container required, previous missing', async () => {
    await h.addPod('logger', ['one', 'two', 'three']);
    if (h.real) await eventually(() => true, 'noop');
    const collect = async (opts: Parameters<ClusterClient['logs']>[3]) => {
      let text = '';
      const st = await client.logs(h.namespace, 'logger', 'main', opts, (t) => (text += t));
      await st.ended;
      return text;
    };
    if (h.server) {
      assert.equal(await collect({ tailLines: 2 }), 'two\nthree\n');
      assert.match(await collect({ timestamps: true, tailLines: 1 }), /^\d{4}-\d\d-\d\dT\S+Z three\n$/);
      await assert.rejects(collect({ previous: true }), (err: unknown) => err instanceof KubeError && /previous terminated container/.test(err.message));
      h.server.addPod({ name: 'two-c', namespace: 'ml', containers: [{ name: 'a' }, { name: 'b' }] });
      await assert.rejects(client.logs('ml', 'two-c', '', {}, () => undefined), /a container name must be specified/);
    }
  });

  test('logs follow shows a restart, then previous logs load', { skip: needsServer }, async () => {
    const s = h.server!;
    s.addPod({ name: 'trainer-0', namespace: 'ml', containers: [{ name: 'main', gpus: 1 }] });
    s.appendLog('ml', 'trainer-0', 'main', ['epoch 1 loss 0.9']);
    const lines: LogLine[] = [];
    const seen = new Set<() => void>();
    const write = (l: LogLine) => {
      lines.push(l);
      for (const w of seen) w();
    };
    const follower = new LogFollower(client, { namespace: 'ml', pod: 'trainer-0', container: 'main', follow: true, write });
    await follower.ready();
    const text = () => lines.map((l) => l.text).join('\n');
    const waitText = (re: RegExp) =>
      until(() => re.test(text()), (wake) => {
        seen.add(wake);
        return { dispose: () => seen.delete(wake) };
      }, `log ${re}`);
    await waitText(/epoch 1/);
    s.appendLog('ml', 'trainer-0', 'main', ['torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB']);
    await waitText(/CUDA out of memory/);
    assert.equal(lines.find((l) => /CUDA out of memory/.test(l.text))?.cls?.problem, 'cuda-oom');
    s.restartContainer('ml', 'trainer-0', 'main', { reason: 'OOMKilled', exitCode: 137 });
    await waitText(/restarted \(restart #1; last run ended: OOMKilled, exit code 137\)/);
    s.appendLog('ml', 'trainer-0', 'main', ['epoch 1 loss 0.8 (after restart)']);
    await waitText(/after restart/);
    const restartLine = lines.find((l) => l.meta && /restarted/.test(l.text));
    assert.equal(restartLine?.cls?.problem, 'oom-killed');
    follower.dispose();

    let previous = '';
    const st = await client.logs('ml', 'trainer-0', 'main', { previous: true }, (t) => (previous += t));
    await st.ended;
    assert.match(previous, /epoch 1 loss 0.9/);
    assert.match(previous, /CUDA out of memory/);
    assert.doesNotMatch(previous, /after restart/);
  });

  test('403 on one namespace keeps the others', { skip: needsServer }, async () => {
    const s = h.server!;
    s.addPod({ name: 'visible', namespace: 'open' });
    s.addPod({ name: 'hidden', namespace: 'secret' });
    const undo = s.forbid({ namespace: 'secret', resources: ['pods'] });
    try {
      await assert.rejects(client.list('Pod', 'secret'), (err: unknown) => {
        assert.ok(err instanceof KubeError);
        assert.equal(err.info.kind, 'forbidden');
        assert.equal(err.info.verb, 'list');
        assert.equal(err.info.resource, 'pods');
        assert.match(err.message, /cannot list resource "pods" in API group "" in the namespace "secret"/);
        return true;
      });
      const forbidden = client.watch('Pod', 'secret');
      await until(() => forbidden.state.kind === 'error', (wake) => forbidden.onState(wake), 'error state');
      assert.equal(forbidden.state.kind === 'error' && forbidden.state.retrying, false, 'a 403 is not retried in a loop');
      const open = client.watch('Pod', 'open');
      await ready(open);
      assert.ok(open.items.has('visible'));
      forbidden.dispose();
      open.dispose();
    } finally {
      undo();
    }
  });

  test('401, unreachable server and an expired exec credential are told apart', { skip: needsServer }, async () => {
    const bad = await h.client('bad');
    await assert.rejects(bad.listNamespaces(), (err: unknown) => err instanceof KubeError && err.info.kind === 'unauthorized' && !!err.info.hint);
    const dir = h.server!.dir;
    const expired = join(dir, 'expired.sh');
    await fs.writeFile(expired, '#!/bin/sh\necho "error: token expired, run: cloud login" >&2\nexit 1\n', { mode: 0o755 });
    const good = join(dir, 'good.sh');
    await fs.writeFile(
      good,
      '#!/bin/sh\necho \'{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"admin-token"}}\'\n',
      { mode: 0o755 },
    );
    const base = await loadKubeconfig({ setting: h.kubeconfigPath });
    const cluster = base.config.clusters[0]!;
    const cfg = {
      ...base,
      config: {
        ...base.config,
        users: [
          { name: 'exp', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: expired, interactiveMode: 'Never' } } },
          { name: 'ok', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: good, interactiveMode: 'Never' } } },
        ],
        clusters: [cluster, { name: 'down', cluster: { server: 'https://127.0.0.1:1' } }],
        contexts: [
          { name: 'exp', context: { cluster: cluster.name, user: 'exp' } },
          { name: 'ok', context: { cluster: cluster.name, user: 'ok' } },
          { name: 'down', context: { cluster: 'down', user: 'ok' } },
        ],
      },
    };
    const exp = await createClusterClient({ kubeconfig: cfg, context: 'exp' });
    await assert.rejects(exp.listNamespaces(), (err: unknown) => err instanceof KubeError && err.info.kind === 'credentials' && /login/.test(err.info.hint ?? ''));
    const ok = await createClusterClient({ kubeconfig: cfg, context: 'ok' });
    assert.ok((await ok.listNamespaces()).length > 0, 'exec plugin token works');
    const down = await createClusterClient({ kubeconfig: cfg, context: 'down' });
    await assert.rejects(down.listNamespaces(), (err: unknown) => err instanceof KubeError && err.info.kind === 'unreachable');
    for (const c of [exp, ok, down]) c.dispose();
  });

  test('server-side apply: dry-run returns the would-be object, then apply stores it', async () => {
    const name = 'serve';
    const manifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${h.namespace}
spec:
  replicas: 2
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers:
        - name: main
          image: busybox:1.36
          command: [sh, -c, sleep 3600]
`;
    const dry = await client.applyServerSide(manifest, { dryRun: true });
    assert.equal(dry.length, 1);
    assert.equal(dry[0]?.before, undefined);
    assert.equal((dry[0]?.after.spec as { replicas?: number }).replicas, 2);
    assert.equal(await client.get('Deployment', h.namespace, name), undefined, 'dry run stored nothing');
    const applied = await client.applyServerSide(manifest, { dryRun: false });
    const live = await client.get('Deployment', h.namespace, name);
    assert.ok(live);
    const managers = ((live.metadata.managedFields ?? []) as { manager?: string }[]).map((m) => m.manager);
    assert.ok(managers.includes('modeldock'));
    assert.equal(applied[0]?.after.metadata.name, name);
    const again = await client.applyServerSide(manifest.replace('replicas: 2', 'replicas: 3'), { dryRun: true });
    assert.equal((again[0]?.before?.spec as { replicas?: number }).replicas, 2);
    assert.equal((again[0]?.after.spec as { replicas?: number }).replicas, 3);
  });

  test('delete pod, rollout restart, scale', async () => {
    await h.addPod('doomed');
    await client.deletePod(h.namespace, 'doomed');
    if (h.server) assert.equal(h.server.getObject('pods', 'ml', 'doomed'), undefined);
    await client.applyServerSide(
      [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: h.namespace }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'main', image: 'busybox:1.36', command: ['sleep', '3600'] }] } } } }],
      { dryRun: false },
    );
    const at = new Date('2025-01-02T03:04:05Z');
    await client.restartDeployment(h.namespace, 'web', at);
    const dep = await client.get('Deployment', h.namespace, 'web');
    const ann = ((dep?.spec as { template?: { metadata?: { annotations?: Record<string, string> } } }).template?.metadata?.annotations ?? {})['kubectl.kubernetes.io/restartedAt'];
    assert.equal(ann, at.toISOString());
    await client.scale('Deployment', h.namespace, 'web', 3);
    const scaled = await client.get('Deployment', h.namespace, 'web');
    assert.equal((scaled?.spec as { replicas?: number }).replicas, 3);
    await assert.rejects(client.scale('Deployment', h.namespace, 'web', -1), /whole number/);
  });
});

describe('ClusterTreeModel over the test server', { skip: needsServer }, () => {
  let h: Harness;
  let model: ClusterTreeModel;
  before(async () => {
    h = await startHarness();
    h.server!.addPod({ name: 'p1', namespace: 'ml', containers: [{ name: 'main', gpus: 2 }], initContainers: [{ name: 'fetch-weights' }] });
    h.server!.addPod({ name: 'x', namespace: 'secret' });
    h.server!.forbid({ namespace: 'secret', resources: ['pods'] });
    model = new ClusterTreeModel({
      loadKubeconfig: () => h.kubeconfig(),
      createClient: (kc, context) => createClusterClient({ kubeconfig: kc, context }),
      favorites: ['ml'],
      coalesceMs: 20,
    });
  });
  after(async () => {
    model.dispose();
    await h.close();
  });

  const find = (nodes: TreeNode[], pred: (n: TreeNode) => boolean) => {
    const n = nodes.find(pred);
    assert.ok(n, 'node present');
    return n;
  };

  test('contexts → namespaces → groups → pods → containers; live add; 403 node; collapse closes the watch', async () => {
    const roots = await resolveChildren(model, undefined);
    const ctx = find(roots, (n) => n.type === 'context' && n.info.current);
    assert.equal(model.present(ctx).contextValue, 'modeldock.context.current');
    const namespaces = await resolveChildren(model, ctx);
    const names = namespaces.flatMap((n) => (n.type === 'namespace' ? [n.name] : []));
    assert.equal(names[0], 'ml', 'favourite first');
    assert.ok(names.includes('secret') && names.includes('default'));
    const ml = find(namespaces, (n) => n.type === 'namespace' && n.name === 'ml');
    const groups = await resolveChildren(model, ml);
    const podsGroup = find(groups, (n) => n.type === 'group' && n.group === 'pods');
    const pods = await resolveChildren(model, podsGroup);
    const p1 = find(pods, (n) => n.type === 'pod' && n.info.meta.name === 'p1');
    assert.match(model.present(p1).description ?? '', /Running · 1\/1 · 2 GPU/);
    const containers = model.getChildren(p1);
    assert.deepEqual(containers.map((c) => model.present(c).label), ['fetch-weights', 'main']);
    assert.match(model.present(containers[0]!).description ?? '', /^init · terminated: Completed/);

    // A pod added on the server appears without a refresh: one coalesced change for the group.
    const changed = new Promise<readonly TreeNode[] | undefined>((resolve) => {
      const sub = model.onDidChange((nodes) => {
        if (nodes?.some((n) => n.id === podsGroup.id)) {
          sub.dispose();
          resolve(nodes);
        }
      });
    });
    h.server!.addPod({ name: 'p2', namespace: 'ml' });
    await changed;
    assert.ok(model.getChildren(podsGroup).some((n) => n.type === 'pod' && n.info.meta.name === 'p2'));

    // The forbidden namespace shows an error node; the others keep working.
    const secret = find(namespaces, (n) => n.type === 'namespace' && n.name === 'secret');
    const secretPods = await resolveChildren(model, find(await resolveChildren(model, secret), (n) => n.type === 'group' && n.group === 'pods'));
    const err = find(secretPods, (n) => n.type === 'message' && n.kind === 'error');
    assert.equal(model.present(err).label, 'Forbidden: cannot list pods in secret');
    assert.ok(model.getChildren(podsGroup).length >= 2);

    // Collapsing closes the watch; hiding the view closes all.
    assert.equal(h.server!.openWatches({ plural: 'pods', namespace: 'ml' }), 1);
    model.collapsed(podsGroup);
    await eventually(() => h.server!.openWatches({ plural: 'pods', namespace: 'ml' }) === 0, 'pods watch closed');
    model.setVisible(false);
    await eventually(() => h.server!.openWatches() === 0, 'all watches closed');
  });
});
