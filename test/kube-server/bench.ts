/**
 * The Clusters benchmark's body (scripts/bench/kube.mjs runs it in a child process under tsx, so
 * the heap figures are this process's alone):
 *   - PODS pods (default 5,000) in one namespace: time from expanding the namespace to the Pods
 *     group's children resolved (list pages + parse + node building + presentation of every row);
 *   - a burst of 1,000 pod updates: how many tree refreshes they cause after coalescing;
 *   - an idle window (default 60 s; BENCH_IDLE_S to shorten): API requests made during it
 *     (target 0 beyond the watches already open) and heap growth.
 */
import { performance } from 'node:perf_hooks';
import { ClusterTreeModel, createClusterClient, loadKubeconfig, resolveChildren, type LoadedKubeconfig, type TreeNode } from '../../src/kube';
import { startKubeTestServer } from './server';

const PODS = Number(process.env.BENCH_PODS ?? 5000);
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 60);

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const heap = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
};

export async function runBench(log: (line: string) => void = console.log): Promise<Record<string, number>> {
  const server = await startKubeTestServer();
  const kubeconfigPath = await server.writeKubeconfig();
  server.addPods('big', PODS);
  server.addPod({ name: 'lonely', namespace: 'small' });
  const heapBefore = heap();

  const model = new ClusterTreeModel({
    loadKubeconfig: () => loadKubeconfig({ setting: kubeconfigPath }),
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
    const pods = await resolveChildren(model, podsGroup, 60_000);
    for (const p of pods) model.present(p);
    const expandMs = performance.now() - t0;
    const podCount = pods.filter((n: TreeNode) => n.type === 'pod').length;
    log(`expand namespace with ${podCount} pods → children resolved and presented: ${expandMs.toFixed(0)} ms`);

    // Re-asking for the children (VS Code does on every refresh) must not rebuild them.
    const t1 = performance.now();
    for (let i = 0; i < 10; i++) model.getChildren(podsGroup);
    const rereadMs = (performance.now() - t1) / 10;
    log(`getChildren(Pods) again (cached, no rebuild): ${rereadMs.toFixed(2)} ms`);

    // 1,000 updates in a burst: how many refreshes reach the view.
    refreshes = 0;
    refreshedNodes = 0;
    const client = model.client;
    const burst = 1000;
    const t2 = performance.now();
    for (let i = 0; i < burst; i++) server.setPodPhase('big', `pod-${String(i).padStart(5, '0')}`, i % 2 ? 'Succeeded' : 'Running');
    await new Promise<void>((resolveDone) => {
      const deadline = Date.now() + 30_000;
      const check = () => {
        const last = model.getChildren(podsGroup).find((n) => n.type === 'pod' && n.info.meta.name === `pod-${String(burst - 1).padStart(5, '0')}`);
        if ((last?.type === 'pod' && last.info.phase === 'Succeeded') || Date.now() > deadline) return resolveDone();
        setTimeout(check, 10);
      };
      check();
    });
    model.flushPending();
    const burstMs = performance.now() - t2;
    log(`${burst} pod updates → ${refreshes} coalesced tree refresh(es) covering ${refreshedNodes} node(s), applied in ${burstMs.toFixed(0)} ms`);

    // Idle.
    const heapLoaded = heap();
    const requestsBefore = server.requests.length;
    const watches = server.openWatches();
    const stats0 = client?.stats();
    log(`idle window: ${IDLE_S} s with ${watches} open watch(es)…`);
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    const idleRequests = server.requests.length - requestsBefore;
    const heapAfterIdle = heap();
    const stats1 = client?.stats();
    log(`requests during ${IDLE_S} s idle: ${idleRequests} (client counted ${(stats1?.requests ?? 0) - (stats0?.requests ?? 0)}); open watches ${server.openWatches()}`);
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
    await server.stop();
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
