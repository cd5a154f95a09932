// Model Metrics for a pod on the real control plane (etcd + kube-apiserver + kwok, built from
// source: test/helpers/controlPlane.ts). The pod is a kwok pod; its port-forward (through the real
// API server and kwok) reaches a real generated serve.py on the host's python3, which stands in
// for the container (kwok runs no containers). metrics.k8s.io is first absent (the real API
// server without an APIService for it, as without metrics-server), then served through a real
// APIService backed by the in-test aggregated server of test/helpers/metricsApi.ts (it stands
// in for metrics-server as the source of the figures only). Checks that the pod's metrics port is
// found from its manifest, that figures come through the port-forward, that the forwards close
// when the view would hide, and what is said when the cluster cannot help.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { MODELDOCK_METRICS as M } from '../../../src/core/metrics/figures';
import { parsePrometheusText } from '../../../src/core/metrics/prometheus';
import { planScaffold } from '../../../src/core/scaffold/index';
import { createClusterClient, loadKubeconfig, type ClusterClient } from '../../../src/kube';
import { MetricsModel, httpFetcher } from '../../../src/features/metrics/model';
import { PodTargets, formatUsage, readPodUsage } from '../../../src/features/metrics/pods';
import { startControlPlane, type ControlPlane } from '../../helpers/controlPlane';
import { startMetricsApi, type MetricsApi } from '../../helpers/metricsApi';
import { detection } from '../../unit/scaffold/fixtures';
import { request, startPython, writePlan, type PyProcess } from '../../unit/monitoring/pyserver';
import { pollFor } from '../helpers/poll';
import { parse as parseYaml } from 'yaml';

/** The target of one pod, as the view would get it. */
async function targetOf(pt: PodTargets, pod: { context: string; namespace: string; name: string }) {
  const id = pt.add(pod);
  const t = (await pt.targets()).find((x) => x.id === id);
  assert.ok(t);
  return t;
}

describe('Model Metrics: a pod through a port-forward, CPU/memory from metrics.k8s.io', () => {
  let cp: ControlPlane;
  let metricsApi: MetricsApi | undefined;
  let client: ClusterClient;
  let py: PyProcess;
  let cleanup: () => void = () => undefined;

  before(async () => {
    // The generated server, and the pod of the generated Deployment (its ports and annotations).
    const plan = planScaffold(detection({ frameworks: [{ name: 'scikit-learn', version: '1.9.1' }] }), { createEntrypoint: true, monitoring: 'prometheus', imageName: 'iris', target: 'cpu' });
    const written = writePlan(plan);
    cleanup = written.cleanup;
    py = await startPython(written.dir, ['serve.py'], { MODELDOCK_METRICS_EXPORTER: 'stdlib' });
    const dep = parseYaml(plan.files.find((f) => f.path === 'k8s/deployment.yaml')!.content) as { spec: { template: { metadata: { annotations: Record<string, string> }; spec: { containers: { ports: unknown[] }[] } } } };
    cp = await startControlPlane({ namespaces: ['ml'], aggregation: true });
    const podTemplate = dep.spec.template;
    const container = podTemplate.spec.containers[0]! as { ports: { containerPort: number }[] };
    await cp.addPod({
      name: 'iris-7d4b9',
      namespace: 'ml',
      annotations: podTemplate.metadata.annotations,
      containers: [{ name: 'iris', ports: container.ports.map((p) => p.containerPort) }],
    });
    await cp.exposePodPort('ml', 'iris-7d4b9', 8080, py.port);
    client = await createClusterClient({ kubeconfig: await loadKubeconfig({ setting: await cp.writeKubeconfig() }) });
  });

  after(async () => {
    client?.dispose();
    await metricsApi?.stop();
    await cp?.stop();
    await py?.stop();
    cleanup();
  });

  test('figures through the port-forward; forwards closed on hide; kubectl top said plainly', async () => {
    const pods = new PodTargets({ client: () => client, activeContext: () => 'test' });
    pods.add({ context: 'test', namespace: 'ml', name: 'iris-7d4b9' });
    const [target] = await pods.targets();
    assert.ok(target && !target.problem, JSON.stringify(target));
    assert.match(target.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    assert.match(target.description, /:8080\/metrics/);

    // Traffic to the "container", then two scrapes through the forward 2 s apart (a fake clock).
    let clock = 0;
    const model = new MetricsModel(httpFetcher(5000), () => undefined, 60_000, () => clock);
    model.setTargets([target]);
    await model.scrapeAll();
    for (let i = 0; i < 6; i++) await request(py.port, 'POST', '/predict', '{"inputs": [[1, 2, 3, 4]]}');
    for (let i = 0; i < 2; i++) await request(py.port, 'GET', '/healthz');
    clock += 2000;
    await model.scrapeAll();
    const state = model.targets[0]!;
    assert.equal(state.error, undefined);
    const f = state.history[state.history.length - 1]!;
    assert.equal(f.requestRate, 8 / 2);
    assert.equal(f.errorRatio, 6 / 8, 'serve.py without a model answers 500 to /predict');
    assert.ok(f.p50 !== null && f.p95 !== null);

    // No metrics-server yet: said plainly, and the metrics still come.
    assert.deepEqual(state.usage, { unavailable: 'the cluster does not serve metrics.k8s.io (install metrics-server for pod CPU/memory)' });
    // Now an APIService for metrics.k8s.io on the real API server; figures only for another pod yet.
    metricsApi = await startMetricsApi(cp);
    metricsApi.setPodMetrics('ml', 'other-pod', [{ name: 'x', cpu: '1m', memory: '1Mi' }]);
    const direct = await createClusterClient({ kubeconfig: await loadKubeconfig({ setting: await cp.writeKubeconfig({ file: `${cp.dir}/metrics.kubeconfig` }) }) });
    try {
      assert.deepEqual(await readPodUsage(direct, { context: 'test', namespace: 'ml', name: 'iris-7d4b9' }), { unavailable: 'no CPU/memory for this pod yet (metrics-server samples every 15 s or so)' });
    } finally {
      direct.dispose();
    }
    metricsApi.setPodMetrics('ml', 'iris-7d4b9', [{ name: 'iris', cpu: '250m', memory: '300Mi' }]);
    // The discovery of the group is cached per client: a new client sees the served group.
    const fresh = await createClusterClient({ kubeconfig: await loadKubeconfig({ setting: await cp.writeKubeconfig({ file: `${cp.dir}/fresh.kubeconfig` }) }) });
    try {
      const pods2 = new PodTargets({ client: () => fresh, activeContext: () => 'test' });
      pods2.add({ context: 'test', namespace: 'ml', name: 'iris-7d4b9' });
      const [t2] = await pods2.targets();
      const model2 = new MetricsModel(httpFetcher(5000), () => undefined, 60_000, () => clock);
      model2.setTargets([t2!]);
      await model2.scrapeAll();
      assert.equal(formatUsage(model2.targets[0]!.usage), 'CPU 250m · memory 300 MiB');
      assert.deepEqual(model2.targets[0]!.usageHistory?.map((u) => u?.cpuCores), [0.25]);
      pods2.dispose();
      model2.dispose();
      // The figures came through the API server's proxy, as the test's user.
      assert.ok(metricsApi.users.includes('admin'), JSON.stringify(metricsApi.users));
    } finally {
      fresh.dispose();
    }

    // The view hides: the forward closes, so the target cannot be reached any more.
    const text = parsePrometheusText(await (await fetch(target.url)).text());
    assert.ok(text.samples.some((s) => s.name === M.requests));
    pods.closeAll();
    await pollFor('the port-forward to close', async () => {
      try {
        await fetch(target.url, { signal: AbortSignal.timeout(2000) });
        return false;
      } catch {
        return true;
      }
    }, 10_000, 100);

    // Another context, a vanished pod, a pod without ports: each target says why it has no figures.
    assert.match((await targetOf(new PodTargets({ client: () => client, activeContext: () => 'prod' }), { context: 'test', namespace: 'ml', name: 'iris-7d4b9' })).problem ?? '', /context test, not the current one \(prod\)/);
    assert.match((await targetOf(pods, { context: 'test', namespace: 'ml', name: 'gone' })).problem ?? '', /no longer exists/);
    await cp.addPod({ name: 'portless', namespace: 'ml' });
    assert.match((await targetOf(pods, { context: 'test', namespace: 'ml', name: 'portless' })).problem ?? '', /declares no container port/);
    pods.dispose();
    model.dispose();
  });
});
