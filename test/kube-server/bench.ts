/**
 * The Clusters benchmark's body (scripts/bench/kube.mjs runs it in a child process under tsx, so
 * the heap figures are this process's alone), against the real control plane
 * (test/helpers/controlPlane.ts: etcd + kube-apiserver + kwok, through the counting proxy):
 *   - PODS pods (default 5,000) in one namespace: time from expanding the namespace to the Pods
 *     group's children resolved (list pages + parse + node building + presentation of every row);
 *   - a burst of 1,000 pod status updates: how many tree refreshes they cause after coalescing;
 *   - an idle window (default 60 s; BENCH_IDLE_S to shorten): API requests made during it
 *     (target 0 beyond the watches already open) and heap growth.
 * The control plane's own setup traffic goes straight to the API server and is not counted.
 */
import { performance } from 'node:perf_hooks';
import { ClusterTreeModel, createClusterClient, loadKubeconfig, type LoadedKubeconfig, type TreeNode } from '../../src/kube';
import { flushPending, resolveChildren } from '../helpers/kubeTestApi';
import { startControlPlane } from '../helpers/controlPlane';
import { resourcePath } from '../helpers/kubeApi';

const PODS = Number(process.env.BENCH_PODS ?? 5000);
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 60);
const PARALLEL = 16;

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const heap = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
};
const podName = (i: number) => `pod-${String(i).padStart(5, '0')}`;

async function inParallel(n: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < n) await work(next++);
    }),
  );
}

export async function runBench(log: (line: string) => void = console.log): Promise<Record<string, number>> {
  const cp = await startControlPlane({ namespaces: ['big', 'small'] });
  const t00 = performance.now();
  // Pods straight through the API (no per-pod log files: the benchmark reads no logs).
  await inParallel(PODS, (i) =>
    cp.api.create(resourcePath('v1', 'pods', 'big'), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: podName(i), namespace: 'big', labels: { app: 'bench' } },
      spec: { nodeName: 'gpu-node-1', containers: [{ name: 'main', image: 'bench:1' }], terminationGracePeriodSeconds: 0 },
    }),
  );
  await cp.addPod({ name: 'lonely', namespace: 'small' });
  log(`created ${PODS} pods in ${((performance.now() - t00) / 1000).toFixed(1)} s`);
  const heapBefore = heap();

  const model = new ClusterTreeModel({
    loadKubeconfig: () => loadKubeconfig({ setting: cp.kubeconfigPath }),
    createClient: (kc: LoadedKubeconfig, context: string) => createClusterClient({ kubeconfig: kc, context }),
  });
  let refreshes = 0;
  let refreshedNodes = 0;
  model.onDidChange((nodes) => {
    refreshes++;
    refreshedNodes += nodes ? nodes.length : 1;
  });
  try {
    const roots = await resolveChildren(model, undefined, 30_000);
    const ctx = roots.find((n) => n.type === 'context' && n.info.current);
    const namespaces = await resolveChildren(model, ctx, 30_000);
    const big = namespaces.find((n) => n.type === 'namespace' && n.name === 'big');

    // "Expand namespace" → groups → expand Pods → every row built and presented.
    const t0 = performance.now();
    const groups = await resolveChildren(model, big, 30_000);
    const podsGroup = groups.find((n) => n.type === 'group' && n.group === 'pods');
    const pods = await resolveChildren(model, podsGroup, 120_000);
    for (const p of pods) model.present(p);
    const expandMs = performance.now() - t0;
    const podCount = pods.filter((n: TreeNode) => n.type === 'pod').length;
    log(`expand namespace with ${podCount} pods → children resolved and presented: ${expandMs.toFixed(0)} ms`);

    // Re-asking for the children (VS Code does on every refresh) must not rebuild them.
    const t1 = performance.now();
    for (let i = 0; i < 10; i++) model.getChildren(podsGroup);
    const rereadMs = (performance.now() - t1) / 10;
    log(`getChildren(Pods) again (cached, no rebuild): ${rereadMs.toFixed(2)} ms`);

    // Let kwok finish marking the pods Running, so the burst below is the only churn.
    const settle = performance.now();
    await new Promise<void>((resolveDone) => {
      const check = () => {
        const running = model.getChildren(podsGroup).filter((n) => n.type === 'pod' && n.info.phase === 'Running').length;
        if (running >= podCount || performance.now() - settle > 300_000) return resolveDone();
        setTimeout(check, 250);
      };
      check();
    });
    log(`kwok marked the pods Running in ${((performance.now() - settle) / 1000).toFixed(1)} s`);

    // 1,000 status updates in a burst: how many refreshes reach the view.
    flushPending(model);
    refreshes = 0;
    refreshedNodes = 0;
    const client = model.client;
    const burst = Math.min(1000, PODS);
    const t2 = performance.now();
    await inParallel(burst, (i) => cp.setPodPhase('big', podName(i), 'Succeeded'));
    await new Promise<void>((resolveDone) => {
      const deadline = Date.now() + 120_000;
      const check = () => {
        const done = model.getChildren(podsGroup).filter((n) => n.type === 'pod' && n.info.phase === 'Succeeded').length;
        if (done >= burst || Date.now() > deadline) return resolveDone();
        setTimeout(check, 10);
      };
      check();
    });
    flushPending(model);
    const burstMs = performance.now() - t2;
    log(`${burst} pod updates → ${refreshes} coalesced tree refresh(es) covering ${refreshedNodes} node(s), applied in ${burstMs.toFixed(0)} ms (including the API writes)`);

    // Idle.
    const heapLoaded = heap();
    const requestsBefore = cp.proxy.requests.length;
    const watches = cp.proxy.openStreams({ verb: 'watch' }).length;
    const stats0 = client?.stats();
    log(`idle window: ${IDLE_S} s with ${watches} open watch(es)…`);
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    const idleRequests = cp.proxy.requests.length - requestsBefore;
    const heapAfterIdle = heap();
    const stats1 = client?.stats();
    log(`requests during ${IDLE_S} s idle: ${idleRequests} (client counted ${(stats1?.requests ?? 0) - (stats0?.requests ?? 0)}); open watches ${cp.proxy.openStreams({ verb: 'watch' }).length}`);
    log(`heap: baseline ${mb(heapBefore)}, with ${podCount} pods in the tree ${mb(heapLoaded)} (+${mb(heapLoaded - heapBefore)}), after idle ${mb(heapAfterIdle)} (growth ${mb(heapAfterIdle - heapLoaded)})${(globalThis as { gc?: unknown }).gc ? '' : ' [run with --expose-gc for steadier numbers]'}`);
    return {
      pods: podCount,
      expandMs: Math.round(expandMs),
      rereadMs: Number(rereadMs.toFixed(2)),
      burstUpdates: burst,
      burstRefreshes: refreshes,
      burstMs: Math.round(burstMs),
      idleSeconds: IDLE_S,
      idleRequests,
      openWatches: watches,
      heapTreeMB: Number(((heapLoaded - heapBefore) / 1024 / 1024).toFixed(1)),
      heapIdleGrowthMB: Number(((heapAfterIdle - heapLoaded) / 1024 / 1024).toFixed(1)),
    };
  } finally {
    model.dispose();
    await cp.stop();
  }
}

if (process.argv.includes('--run')) {
  runBench().then(
    (figures) => console.log(`FIGURES ${JSON.stringify(figures)}`),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
