/**
 * ClusterClient and the tree model against a real kube-apiserver (etcd, RBAC, kwok nodes and pods:
 * test/helpers/controlPlane.ts), reached through a fault proxy that counts requests and drops or
 * ends connections on demand. 410s are the API server's own: etcd is compacted and the watch cache
 * re-initialises (ControlPlane.expireResourceVersions).
 *
 * Against an existing cluster: MODELDOCK_TEST_KUBECONFIG=/path/to/kubeconfig node scripts/run-node-tests.mjs test/integration/kube
 * (kind/k3d/minikube; the current context is used; it needs the busybox:1.36 image). The tests
 * that need control of the cluster are skipped there; the rest run unchanged in a fresh namespace.
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
  type ClusterClient,
  type LogLine,
  type PodInfo,
  type ResourceWatch,
  type TreeNode,
} from '../../../src/kube';
import type { Reflector } from '../../../src/kube/reflector';
import { resourcePath } from '../../helpers/kubeApi';
import { resolveChildren } from '../../helpers/kubeTestApi';

const needsControlPlane = REAL_KUBECONFIG ? 'needs the test control plane (MODELDOCK_TEST_KUBECONFIG is set)' : false;

function ready<T>(w: ResourceWatch<T>): Promise<void> {
  return until(() => w.state.kind === 'ready', (wake) => w.onState(wake), 'watch ready');
}
function has<T>(w: ResourceWatch<T>, name: string, pred: (t: T) => boolean = () => true, timeoutMs?: number): Promise<void> {
  return until(
    () => {
      const t = w.items.get(name);
      return t !== undefined && pred(t);
    },
    (wake) => w.onChange(wake),
    `${name} in watch`,
    timeoutMs,
  );
}

let h: Harness;
before(async () => {
  h = await startHarness({ namespaces: ['paged', 'gone', 'quiet', 'busy', 'flaky'] });
});
after(async () => {
  await h?.close();
});

describe('ClusterClient', () => {
  let client: ClusterClient;
  before(async () => {
    client = await h.client();
  });

  test('contexts come from the kubeconfig with the current one marked', async () => {
    const ctxs = client.contexts();
    assert.ok(ctxs.length >= 1);
    assert.equal(ctxs.filter((c) => c.current).length, 1);
    assert.equal(ctxs.find((c) => c.current)?.name, client.currentContext);
  });

  test('lists namespaces, pods and workloads', async () => {
    await h.addPod('list-a');
    const cp = h.cp;
    if (cp) {
      await cp.api.create(resourcePath('apps/v1', 'deployments', 'ml'), {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'trainer', namespace: 'ml' },
        spec: { replicas: 1, selector: { matchLabels: { app: 'trainer' } }, template: { metadata: { labels: { app: 'trainer' } }, spec: { containers: [{ name: 'main', image: 'trainer:1' }] } } },
      });
      // No controller-manager runs: report the rollout through the status subresource, as the deployment controller does.
      const dep = await cp.api.get(resourcePath('apps/v1', 'deployments', 'ml', 'trainer'));
      await cp.api.put(resourcePath('apps/v1', 'deployments', 'ml', 'trainer', 'status'), { ...dep, status: { observedGeneration: 1, replicas: 1, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 1 } });
      await cp.api.create(resourcePath('batch/v1', 'cronjobs', 'ml'), {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'nightly', namespace: 'ml' },
        spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'job:1' }] } } } } },
      });
    }
    const ns = await client.listNamespaces();
    assert.ok(ns.some((n) => n.meta.name === h.namespace));
    const pods = await client.list('Pod', h.namespace);
    assert.ok(pods.some((p) => p.meta.name === 'list-a'));
    if (cp) {
      const deps = await client.list('Deployment', 'ml');
      assert.deepEqual(deps.map((d) => [d.meta.name, d.ready, d.desired]), [['trainer', 1, 1]]);
      const crons = await client.list('CronJob', 'ml');
      assert.equal(crons[0]?.schedule, '*/5 * * * *');
    }
  });

  test('paged list uses limit/continue', { skip: needsControlPlane }, async () => {
    const cp = h.cp!;
    for (let i = 0; i < 5; i++) await cp.addPod({ name: `page-${i}`, namespace: 'paged', wait: false });
    const w = client.watch('Pod', 'paged', { pageSize: 2 });
    await ready(w);
    assert.equal(w.items.size, 5);
    const lists = cp.proxy.filter({ namespace: 'paged', verb: 'list', resource: 'pods' });
    assert.equal(lists.length, 3, lists.map((r) => r.query).join('\n'));
    assert.ok(lists.every((r) => r.params.get('limit') === '2' && r.status === 200));
    assert.equal(lists.filter((r) => r.params.has('continue')).length, 2);
    w.dispose();
  });

  test('watch sees a pod added, modified and deleted without relisting', async () => {
    const cp = h.cp;
    const listsBefore = cp?.proxy.count({ namespace: h.namespace, verb: 'list', resource: 'pods' }) ?? 0;
    const w = client.watch('Pod', h.namespace) as Reflector<PodInfo>;
    await ready(w);
    await h.addPod('watched');
    await has(w, 'watched');
    if (cp) {
      await cp.setPodPhase('ml', 'watched', 'Succeeded');
      await has(w, 'watched', (p) => p.phase === 'Succeeded');
      await cp.api.delete(resourcePath('v1', 'pods', 'ml', 'watched'));
      await until(() => !w.items.has('watched'), (wake) => w.onChange(wake), 'pod deleted');
      assert.equal(cp.proxy.count({ namespace: h.namespace, verb: 'list', resource: 'pods' }) - listsBefore, 1, 'one list request');
      assert.ok(cp.proxy.count({ namespace: h.namespace, verb: 'watch', resource: 'pods' }) >= 1);
    }
    assert.equal(w.lists, 1, 'one list, then only watch events');
    w.dispose();
  });

  test('410 Gone on re-watch relists and keeps the store right', { skip: needsControlPlane }, async () => {
    const cp = h.cp!;
    await cp.addPod({ name: 'before-gone', namespace: 'gone' });
    const w = client.watch('Pod', 'gone') as Reflector<PodInfo>;
    await ready(w);
    assert.equal(w.lists, 1);
    const oldRv = Number(w.resourceVersion);
    // The real thing: etcd compacted past every version the watch caches hold, then the API
    // server's link to etcd blips. The caches cannot resume, list again and end their watches;
    // our re-watch from oldRv gets 429 while they list, then 410 Expired, and we must relist.
    await cp.expireResourceVersions();
    await eventually(() => cp.proxy.filter({ namespace: 'gone', verb: 'watch' }).some((r) => (r.events.ERROR ?? 0) > 0), 'a watch answered with ERROR (410)', 60_000);
    await cp.addPod({ name: 'after-gone', namespace: 'gone', wait: false });
    await has(w, 'after-gone', () => true, 60_000);
    assert.equal(w.lists, 2, 'relisted once');
    assert.ok(Number(w.resourceVersion) > oldRv);
    assert.ok(w.items.has('before-gone'));
    w.dispose();
  });

  test('a BOOKMARK moves the resourceVersion forward; the re-watch after a drop starts there', { skip: needsControlPlane }, async () => {
    const cp = h.cp!;
    // A short server-side timeout: the watch cache sends a bookmark 2 s before it ends a watch.
    const quiet = await h.client();
    const w = quiet.watch('Pod', 'quiet', { timeoutSeconds: 6 }) as Reflector<PodInfo>;
    await ready(w);
    const start = Number(w.resourceVersion);
    for (let i = 0; i < 3; i++) await cp.addPod({ name: `elsewhere-${i}`, namespace: 'busy', wait: false });
    await eventually(() => cp.proxy.filter({ namespace: 'quiet', verb: 'watch' }).some((r) => r.lastBookmark !== undefined), 'a BOOKMARK on the quiet watch', 30_000);
    const bookmark = cp.proxy.filter({ namespace: 'quiet', verb: 'watch' }).find((r) => r.lastBookmark !== undefined)!.lastBookmark!;
    assert.ok(Number(bookmark) > start, `bookmark ${bookmark} is past the list's ${start}`);
    await eventually(() => Number(w.resourceVersion) >= Number(bookmark), 'reflector at the bookmark');
    const before = cp.proxy.count({ namespace: 'quiet', verb: 'watch' });
    cp.proxy.dropConnections({ namespace: 'quiet', verb: 'watch' });
    await cp.addPod({ name: 'late', namespace: 'quiet', wait: false });
    await has(w, 'late');
    const rewatch = cp.proxy.filter({ namespace: 'quiet', verb: 'watch' })[before];
    assert.ok(rewatch, 'a re-watch was made');
    assert.ok(Number(rewatch.params.get('resourceVersion')) >= Number(bookmark), `re-watch from ${rewatch.params.get('resourceVersion')}, bookmark ${bookmark}`);
    assert.equal(w.lists, 1, 'no relist: the bookmark kept us current');
    w.dispose();
  });

  test('a dropped connection re-watches after backoff without losing events', { skip: needsControlPlane }, async () => {
    const cp = h.cp!;
    const w = client.watch('Pod', 'flaky') as Reflector<PodInfo>;
    await ready(w);
    await eventually(() => cp.proxy.openStreams({ namespace: 'flaky', verb: 'watch' }).length === 1, 'watch open');
    cp.proxy.dropConnections();
    await cp.addPod({ name: 'while-down', namespace: 'flaky', wait: false });
    await has(w, 'while-down');
    assert.equal(w.lists, 1, 're-watch from the last version replays the missed event');
    assert.ok(cp.proxy.count({ namespace: 'flaky', verb: 'watch' }) >= 2);
    w.dispose();
  });

  test('logs: tail, timestamps, container required, previous missing', async () => {
    await h.addPod('logger', ['one', 'two', 'three']);
    const collect = async (opts: Parameters<ClusterClient['logs']>[3], pod = 'logger', container = 'main') => {
      let text = '';
      const st = await client.logs(h.namespace, pod, container, opts, (t) => (text += t));
      await st.ended;
      return text;
    };
    if (h.cp) {
      assert.equal(await collect({ tailLines: 2 }), 'two\nthree\n');
      assert.match(await collect({ timestamps: true, tailLines: 1 }), /^\d{4}-\d\d-\d\dT\S+Z three\n$/);
      // A kubelet answers 400 "previous terminated container … not found"; kwok answers 400 with
      // its own text (no previous-log file yet). The product must surface it as an error either way.
      await assert.rejects(collect({ previous: true }), (err: unknown) => err instanceof KubeError && err.info.code === 400);
      await h.cp.addPod({ name: 'two-c', namespace: 'ml', containers: [{ name: 'a' }, { name: 'b' }] });
      // The API server's own validation.
      await assert.rejects(client.logs('ml', 'two-c', '', {}, () => undefined), /a container name must be specified for pod two-c, choose one of: \[a b\]/);
    }
  });

  test('logs follow shows a restart, then previous logs load', { skip: needsControlPlane }, async () => {
    const cp = h.cp!;
    await cp.addPod({ name: 'trainer-0', namespace: 'ml', containers: [{ name: 'main', gpus: 1 }] });
    await cp.appendLog('ml', 'trainer-0', 'main', ['epoch 1 loss 0.9']);
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
    await cp.appendLog('ml', 'trainer-0', 'main', ['torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB']);
    await waitText(/CUDA out of memory/);
    assert.equal(lines.find((l) => /CUDA out of memory/.test(l.text))?.cls?.problem, 'cuda-oom');
    await cp.restartContainer('ml', 'trainer-0', 'main', { reason: 'OOMKilled', exitCode: 137 });
    await waitText(/restarted \(restart #1; last run ended: OOMKilled, exit code 137\)/);
    await cp.appendLog('ml', 'trainer-0', 'main', ['epoch 1 loss 0.8 (after restart)']);
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

  test('403 on one namespace keeps the others (RBAC: alice works in her team namespaces only)', { skip: needsControlPlane }, async () => {
    const cp = h.cp!;
    await cp.addPod({ name: 'visible', namespace: 'open' });
    await cp.addPod({ name: 'hidden', namespace: 'secret' });
    const alice = await h.client('alice');
    await assert.rejects(alice.list('Pod', 'secret'), (err: unknown) => {
      assert.ok(err instanceof KubeError);
      assert.equal(err.info.kind, 'forbidden');
      assert.equal(err.info.verb, 'list');
      assert.equal(err.info.resource, 'pods');
      assert.match(err.message, /User "alice" cannot list resource "pods" in API group "" in the namespace "secret"/);
      return true;
    });
    const forbidden = alice.watch('Pod', 'secret');
    await until(() => forbidden.state.kind === 'error', (wake) => forbidden.onState(wake), 'error state');
    assert.equal(forbidden.state.kind === 'error' && forbidden.state.retrying, false, 'a 403 is not retried in a loop');
    const open = alice.watch('Pod', 'open');
    await ready(open);
    assert.ok(open.items.has('visible'));
    forbidden.dispose();
    open.dispose();
  });

  test('a user without pods/log gets a 403 for logs and keeps the rest', { skip: needsControlPlane }, async () => {
    const bob = await h.client('bob');
    assert.ok((await bob.list('Pod', 'ml')).length > 0);
    await assert.rejects(bob.logs('ml', 'logger', 'main', {}, () => undefined), (err: unknown) => {
      assert.ok(err instanceof KubeError);
      assert.equal(err.info.kind, 'forbidden');
      assert.match(err.message, /User "bob" cannot get resource "pods\/log"/);
      return true;
    });
  });

  test('401, unreachable server and an expired exec credential are told apart', { skip: needsControlPlane }, async () => {
    const bad = await h.client('bad');
    await assert.rejects(bad.listNamespaces(), (err: unknown) => err instanceof KubeError && err.info.kind === 'unauthorized' && !!err.info.hint);
    const dir = h.cp!.dir;
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
    if (h.cp) assert.ok(h.cp.proxy.filter({ method: 'PATCH', resource: 'deployments', name }).some((r) => r.params.get('dryRun') === 'All' && r.status === 201));
    const applied = await client.applyServerSide(manifest, { dryRun: false });
    const live = await client.get('Deployment', h.namespace, name);
    assert.ok(live);
    const managers = ((live.metadata.managedFields ?? []) as { manager?: string; operation?: string }[]).map((m) => `${m.manager}/${m.operation}`);
    assert.ok(managers.includes('modeldock/Apply'), managers.join(', '));
    assert.equal(applied[0]?.after.metadata.name, name);
    const again = await client.applyServerSide(manifest.replace('replicas: 2', 'replicas: 3'), { dryRun: true });
    assert.equal((again[0]?.before?.spec as { replicas?: number }).replicas, 2);
    assert.equal((again[0]?.after.spec as { replicas?: number }).replicas, 3);
  });

  test('delete pod, rollout restart, scale', async () => {
    await h.addPod('doomed');
    await client.deletePod(h.namespace, 'doomed');
    const cp = h.cp;
    // kwok removes the pod once the API server marked it for deletion, as a kubelet would.
    if (cp) await eventually(async () => (await cp.getPod('ml', 'doomed')) === undefined, 'pod doomed gone');
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
    if (cp) assert.ok(cp.proxy.count({ resource: 'deployments/scale', name: 'web', verb: 'patch' }) + cp.proxy.count({ resource: 'deployments/scale', name: 'web', verb: 'update' }) >= 1, 'scaled through the scale subresource');
    await assert.rejects(client.scale('Deployment', h.namespace, 'web', -1), /whole number/);
  });
});

describe('ClusterTreeModel over the control plane (as alice: RBAC per namespace)', { skip: needsControlPlane }, () => {
  let model: ClusterTreeModel;
  let kubeconfig: string;
  before(async () => {
    const cp = h.cp!;
    await cp.addPod({ name: 'p1', namespace: 'ml', containers: [{ name: 'main', gpus: 2 }], initContainers: [{ name: 'fetch-weights' }] });
    await cp.addPod({ name: 'x', namespace: 'secret' });
    kubeconfig = await cp.writeKubeconfig({ file: join(cp.dir, 'alice.kubeconfig'), current: 'alice' });
    model = new ClusterTreeModel({
      loadKubeconfig: () => h.kubeconfig(kubeconfig),
      createClient: (kc, context) => createClusterClient({ kubeconfig: kc, context }),
      favorites: ['ml'],
      coalesceMs: 20,
    });
  });
  after(() => {
    model?.dispose();
  });

  test('a rejected token shows a 401 node under the context; a user without pods/log keeps the tree', async () => {
    const cp = h.cp!;
    for (const [current, expect] of [
      ['bad', /^Unauthorized \(401\): credentials rejected$/],
      ['bob', undefined],
    ] as const) {
      const file = await cp.writeKubeconfig({ file: join(cp.dir, `${current}.kubeconfig`), current });
      const m = new ClusterTreeModel({
        loadKubeconfig: () => h.kubeconfig(file),
        createClient: (kc, context) => createClusterClient({ kubeconfig: kc, context }),
        coalesceMs: 20,
      });
      try {
        const ctx = find(await resolveChildren(m, undefined), (n) => n.type === 'context' && n.info.current);
        const children = await resolveChildren(m, ctx);
        if (expect) {
          const err = find(children, (n) => n.type === 'message' && n.kind === 'error');
          assert.match(m.present(err).label, expect);
          assert.ok(cp.proxy.filter({ resource: 'namespaces', verb: 'list' }).some((r) => r.status === 401));
        } else {
          const ml = find(children, (n) => n.type === 'namespace' && n.name === 'ml');
          const pods = await resolveChildren(m, find(await resolveChildren(m, ml), (n) => n.type === 'group' && n.group === 'pods'));
          assert.ok(pods.some((n) => n.type === 'pod' && n.info.meta.name === 'p1'), 'bob reads pods');
        }
      } finally {
        m.dispose();
      }
    }
  });

  test(
    'a context that finishes connecting after the root was asked again refreshes the node the view holds',
    async () => {
      const fresh = new ClusterTreeModel({
        loadKubeconfig: () => h.kubeconfig(kubeconfig),
        createClient: (kc, context) => createClusterClient({ kubeconfig: kc, context }),
      });
      try {
        await resolveChildren(fresh, undefined);
        const first = fresh.getChildren(undefined).find((n) => n.type === 'context' && n.info.current)!;
        const fired = new Promise<readonly TreeNode[] | undefined>((resolve) => {
          const sub = fresh.onDidChange((nodes) => {
            sub.dispose();
            resolve(nodes);
          });
        });
        assert.equal(fresh.getChildren(first)[0]?.type, 'message', 'Connecting… while the client starts');
        // The view asks for the root again meanwhile (a settings or kubeconfig change, a refresh of the root).
        const again = fresh.getChildren(undefined).find((n) => n.type === 'context' && n.info.current)!;
        const nodes = await fired;
        assert.ok(nodes?.some((n) => n === again), 'the refresh names the context node the view holds now (same object, not only the same id)');
      } finally {
        fresh.dispose();
      }
    },
  );

  const find = (nodes: TreeNode[], pred: (n: TreeNode) => boolean) => {
    const n = nodes.find(pred);
    assert.ok(n, 'node present');
    return n;
  };

  test('contexts → namespaces → groups → pods → containers; live add; 403 node; collapse closes the watch', async () => {
    const cp = h.cp!;
    const roots = await resolveChildren(model, undefined);
    const ctx = find(roots, (n) => n.type === 'context' && n.info.current);
    assert.equal(model.present(ctx).contextValue, 'modeldock.context.current');
    const namespaces = await resolveChildren(model, ctx);
    const names = namespaces.flatMap((n) => (n.type === 'namespace' ? [n.name] : []));
    assert.equal(names[0], 'ml', 'favourite first');
    assert.ok(names.includes('secret') && names.includes('default') && names.includes('kube-system'));
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
    await cp.addPod({ name: 'p2', namespace: 'ml', wait: false });
    await changed;
    assert.ok(model.getChildren(podsGroup).some((n) => n.type === 'pod' && n.info.meta.name === 'p2'));

    // The forbidden namespace shows an error node; the others keep working.
    const secret = find(namespaces, (n) => n.type === 'namespace' && n.name === 'secret');
    const secretPods = await resolveChildren(model, find(await resolveChildren(model, secret), (n) => n.type === 'group' && n.group === 'pods'));
    const err = find(secretPods, (n) => n.type === 'message' && n.kind === 'error');
    assert.equal(model.present(err).label, 'Forbidden: cannot list pods in secret');
    assert.ok(model.getChildren(podsGroup).length >= 2);

    // Collapsing closes the watch; hiding the view closes all.
    const aliceWatches = (m: Parameters<typeof cp.proxy.openStreams>[0] = {}) => cp.proxy.openStreams({ user: 'alice', verb: 'watch', ...m }).length;
    await eventually(() => aliceWatches({ resource: 'pods', namespace: 'ml' }) === 1, 'one pods watch open in ml');
    model.collapsed(podsGroup);
    await eventually(() => aliceWatches({ resource: 'pods', namespace: 'ml' }) === 0, 'pods watch closed');
    model.setVisible(false);
    await eventually(() => aliceWatches() === 0, 'all watches closed');
  });
});
