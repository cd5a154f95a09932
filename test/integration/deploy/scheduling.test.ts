// GPU scheduling made visible and rollout failures explained, on a real kube-apiserver with the
// real scheduler and deployment/replicaset controllers, simulated GPU nodes (kwok) with
// `nvidia.com/gpu` and MIG capacity, and a local registry:
//  - a Pending GPU pod explains itself in numbers (the issue's sentence), next to the scheduler's
//    own FailedScheduling message; the Nodes level shows capacity, allocatable, requested, product
//    labels, taints and the pods holding GPUs; MIG slices are counted; tolerating the taint
//    lets the rollout complete;
//  - ImagePullBackOff shows the kubelet's words and the registry's own answer; CrashLoopBackOff
//    shows the previous run's last lines with the ML failure highlighted; OOMKilled names the limit.
// kwok does not pull images or run containers: for the pull failure the test is the kubelet of a
// node kwok does not manage (it writes the pod status and the Failed event a kubelet writes); for
// the crash loop it writes the restarted container's status on a kwok node, whose logs (current
// and previous run) kwok serves from files. Everything ModelDock reads comes from the API server.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { checkImageAccess } from '../../../src/docker/index';
import { ClusterTreeModel, createClusterClient, loadKubeconfig, type ClusterClient, type NodeOf, type TreeNode } from '../../../src/kube';
import { kubeTestApi } from '../../helpers/kubeTestApi';
import { RolloutFollower, type RolloutSnapshot } from '../../../src/features/deploy/follower';
import { pollFor } from '../helpers/poll';
import { DeployCluster, LocalRegistry } from './cluster';

const NS = 'ml';
const ISSUE_SENTENCE = 'needs 2 nvidia.com/gpu; largest free on any node: 1 (node-a: 1 of 4 free); 3 nodes have no GPUs; node-b has taint nvidia.com/gpu=present:NoSchedule, not tolerated';

function deployment(name: string, o: { gpus?: number; mig?: number; image?: string; memory?: string; nodeSelector?: Record<string, string>; tolerations?: unknown[]; deadline?: number } = {}): Record<string, unknown> {
  const limits: Record<string, string> = { cpu: '1', memory: o.memory ?? '2Gi' };
  if (o.gpus) limits['nvidia.com/gpu'] = String(o.gpus);
  if (o.mig) limits['nvidia.com/mig-1g.10gb'] = String(o.mig);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: {
      replicas: 1,
      ...(o.deadline ? { progressDeadlineSeconds: o.deadline } : {}),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
          ...(o.tolerations ? { tolerations: o.tolerations } : {}),
          terminationGracePeriodSeconds: 0,
          containers: [{ name: 'server', image: o.image ?? 'registry.invalid/modeldock/llm:1', resources: { requests: { cpu: '1', memory: o.memory ?? '2Gi' }, limits } }],
        },
      },
    },
  };
}

function until(f: RolloutFollower, what: string, ok: (s: RolloutSnapshot) => boolean, ms = 60_000): Promise<RolloutSnapshot> {
  return pollFor(() => `${what}; last snapshot: ${JSON.stringify(f.snapshot, null, 1).slice(0, 3000)}`, () => (ok(f.snapshot) ? f.snapshot : undefined), ms, 100);
}

describe('GPU scheduling made visible and rollout failures explained (real control plane)', () => {
  let cluster: DeployCluster;
  let registry: LocalRegistry;
  let client: ClusterClient;
  let model: ClusterTreeModel;

  before(async () => {
    [registry, cluster] = await Promise.all([
      LocalRegistry.start(),
      DeployCluster.start({
        namespaces: [NS],
        gpuNodes: [
          { name: 'node-a', gpus: 4, labels: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB', 'nvidia.com/gpu.present': 'true' } },
          { name: 'node-b', gpus: 8, labels: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' }, taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] },
          { name: 'cpu-1' },
          { name: 'cpu-2' },
          { name: 'cpu-3' },
        ],
      }),
    ]);
    // node-a: 3 of its 4 GPUs held by pods already running there.
    await cluster.cp.addPod({ name: 'busy-1', namespace: NS, nodeName: 'node-a', containers: [{ name: 'main', gpus: 2 }] });
    await cluster.cp.addPod({ name: 'busy-2', namespace: NS, nodeName: 'node-a', containers: [{ name: 'main', gpus: 1 }] });
    const kc = await loadKubeconfig({ setting: cluster.cp.kubeconfigPath, home: tmpdir() });
    client = await createClusterClient({ kubeconfig: kc, context: 'test' });
    model = new ClusterTreeModel({ loadKubeconfig: async () => kc, createClient: (k, ctx) => createClusterClient({ kubeconfig: k, context: ctx }), coalesceMs: 20 });
  });

  after(async () => {
    model?.dispose();
    client?.dispose();
    await cluster?.stop();
    await registry?.stop();
  });

  async function nodesLevel(): Promise<{ group: NodeOf<'nodes'>; rows: NodeOf<'node'>[] }> {
    const ctx = (await kubeTestApi.resolveChildren(model, undefined)).find((n) => n.type === 'context' && n.info.current);
    const group = (await kubeTestApi.resolveChildren(model, ctx, 30_000)).find((n): n is NodeOf<'nodes'> => n.type === 'nodes');
    assert.ok(group, 'the context has a Nodes level');
    const rows = (await kubeTestApi.resolveChildren(model, group, 30_000)).filter((n): n is NodeOf<'node'> => n.type === 'node');
    return { group, rows };
  }

  const label = (n: TreeNode) => model.present(n).label;
  const desc = (n: TreeNode) => model.present(n).description ?? '';

  test('a Pending GPU pod explains itself in numbers, next to the scheduler\'s own reason', async () => {
    await client.applyServerSide([deployment('llm', { gpus: 2 }) as never], { dryRun: false });
    const f = new RolloutFollower({ namespace: NS, name: 'llm' }, { client, coalesceMs: 20 });
    try {
      const s = await until(f, 'the pending pod explained', (x) => x.scheduling.length > 0 && x.problems.some((p) => p.kind === 'unschedulable'));
      assert.equal(s.phase, 'progressing');
      assert.equal(s.scheduling[0]!.summary, ISSUE_SENTENCE);
      const scheduler = s.problems.find((p) => p.kind === 'unschedulable')!;
      // The scheduler's own words, from the pod's PodScheduled condition.
      assert.match(scheduler.message, /^0\/5 nodes are available: /);
      assert.match(scheduler.message, /Insufficient nvidia\.com\/gpu/);
      assert.match(scheduler.message, /untolerated taint/);
      assert.ok(s.events.some((e) => e.reason === 'FailedScheduling'), 'the FailedScheduling event is shown');
      assert.equal(s.pods[0]!.phase, 'Pending');
    } finally {
      f.dispose();
    }
  });

  test('the Nodes level: GPU capacity, allocatable, requested, product, taints, the pods holding GPUs; the Pending pod explains itself in the tree', async () => {
    const { group, rows } = await nodesLevel();
    assert.deepEqual(rows.map(label), ['cpu-1', 'cpu-2', 'cpu-3', 'node-a', 'node-b']);
    const a = rows.find((r) => r.info.name === 'node-a')!;
    const b = rows.find((r) => r.info.name === 'node-b')!;
    await pollFor('GPU use counted from the pods', () => desc(a).startsWith('GPU 3/4 used'), 30_000);
    assert.equal(desc(a), 'GPU 3/4 used · NVIDIA-A100-SXM4-80GB');
    assert.equal(desc(b), 'GPU 0/8 used · NVIDIA-H100-80GB-HBM3 · 1 taint');
    assert.equal(desc(rows[0]!), 'no GPUs');
    assert.equal(desc(group), '5 nodes · 9 of 12 GPUs free');

    const aRows = model.getChildren(a);
    const gpu = aRows.find((n) => n.type === 'detail' && label(n) === 'nvidia.com/gpu')!;
    assert.equal(desc(gpu), 'capacity 4 · allocatable 4 · requested 3 · 1 free');
    assert.ok(aRows.some((n) => n.type === 'detail' && label(n) === 'NVIDIA-A100-SXM4-80GB' && desc(n) === 'nvidia.com/gpu.product'));
    assert.deepEqual(aRows.filter((n) => n.type === 'pod').map(label), ['busy-1', 'busy-2']);
    const bRows = model.getChildren(b);
    assert.ok(bRows.some((n) => n.type === 'detail' && label(n) === 'taint nvidia.com/gpu=present:NoSchedule'));

    // The Pending pod in its namespace: its first child says why, in numbers.
    const ctx = (await kubeTestApi.resolveChildren(model, undefined)).find((n) => n.type === 'context' && n.info.current);
    const ml = (await kubeTestApi.resolveChildren(model, ctx)).find((n) => n.type === 'namespace' && n.name === NS)!;
    const podsGroup = (await kubeTestApi.resolveChildren(model, ml)).find((n) => n.type === 'group' && n.group === 'pods')!;
    const pending = (await kubeTestApi.resolveChildren(model, podsGroup)).find((n) => n.type === 'pod' && n.info.meta.name.startsWith('llm-'))!;
    const why = await pollFor('the explanation row', () => {
      const first = model.getChildren(pending)[0];
      return first && label(first).startsWith('Pending: needs') ? first : undefined;
    }, 30_000);
    assert.equal(label(why), `Pending: ${ISSUE_SENTENCE}`);
    assert.match(model.present(why).tooltip ?? '', /The scheduler: 0\/5 nodes are available/);
  });

  test('MIG slices: a pod asking for nvidia.com/mig-1g.10gb lands on the MIG node, and the Nodes level counts it', async () => {
    await cluster.addNode({ name: 'mig-a100', extended: { 'nvidia.com/mig-1g.10gb': '7' }, labels: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-40GB', 'nvidia.com/mig.strategy': 'mixed' } });
    await client.applyServerSide([deployment('mig-small', { mig: 1 }) as never], { dryRun: false });
    const f = new RolloutFollower({ namespace: NS, name: 'mig-small' }, { client, coalesceMs: 20 });
    const done = await f.done;
    f.dispose();
    assert.equal(done.phase, 'complete', done.summary);
    assert.equal(done.pods[0]!.node, 'mig-a100');
    const { rows } = await nodesLevel();
    const mig = rows.find((r) => r.info.name === 'mig-a100')!;
    await pollFor('the MIG slice counted', () => desc(mig).startsWith('mig-1g.10gb 1/7 used'), 30_000);
    assert.equal(desc(mig), 'mig-1g.10gb 1/7 used · NVIDIA-A100-SXM4-40GB');
    const slice = model.getChildren(mig).find((n) => n.type === 'detail' && label(n) === 'nvidia.com/mig-1g.10gb')!;
    assert.equal(desc(slice), 'capacity 7 · allocatable 7 · requested 1 · 6 free');
    assert.ok(model.getChildren(mig).some((n) => n.type === 'pod' && label(n).startsWith('mig-small-')));
  });

  test('tolerating the taint: the pending rollout completes on node-b, and node-b\'s GPUs count it', async () => {
    const fixed = deployment('llm', { gpus: 2, tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] });
    await client.applyServerSide([fixed as never], { dryRun: false });
    const f = new RolloutFollower({ namespace: NS, name: 'llm' }, { client, coalesceMs: 20 });
    const done = await f.done;
    f.dispose();
    assert.equal(done.phase, 'complete', done.summary);
    assert.equal(done.pods.find((p) => p.isNew)!.node, 'node-b');
    assert.deepEqual(done.scheduling, [], 'nothing pending any more');
    const { rows } = await nodesLevel();
    await pollFor('node-b counts the new pod', () => desc(rows.find((r) => r.info.name === 'node-b')!).startsWith('GPU 2/8 used'), 30_000);
  });

  test('ImagePullBackOff: the kubelet\'s words and the registry\'s own answer; the progress deadline fails the rollout', async () => {
    await cluster.addManualNode('kubelet-sim', { 'modeldock.test/kubelet': 'simulated' });
    const image = `${registry.host}/ml/llm@sha256:${'0'.repeat(64)}`;
    await client.applyServerSide([deployment('puller', { image, nodeSelector: { 'modeldock.test/kubelet': 'simulated' }, deadline: 20 }) as never], { dryRun: false });
    const pod = await pollFor('the pod bound to kubelet-sim', async () => (await client.list('Pod', NS, { labelSelector: 'app=puller' })).find((p) => p.nodeName === 'kubelet-sim'), 60_000, 200);
    // What a kubelet writes when the registry has no such manifest (containerd's words).
    const pullError = `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`;
    await cluster.cp.updatePodStatus(NS, pod.meta.name, (st) => {
      st.phase = 'Pending';
      st.conditions = [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False', reason: 'ContainersNotReady' }];
      st.containerStatuses = [{ name: 'server', image, imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } } }];
    });
    await cluster.addEvent(NS, { name: pod.meta.name, ...(pod.meta.uid ? { uid: pod.meta.uid } : {}) }, { type: 'Warning', reason: 'Failed', message: `Failed to pull image "${image}": ${pullError}` });
    const f = new RolloutFollower({ namespace: NS, name: 'puller' }, {
      client,
      coalesceMs: 20,
      inspectImage: async (ref) => {
        const c = await checkImageAccess(ref, { configDir: tmpdir() });
        return c.ok ? undefined : c.message;
      },
    });
    try {
      const s = await until(f, 'the pull failure explained with the registry\'s answer', (x) => x.problems.some((p) => p.kind === 'image-pull' && p.message.includes('the registry answers')));
      const p = s.problems.find((x) => x.kind === 'image-pull')!;
      assert.match(p.message, new RegExp(`^ImagePullBackOff for ${image.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: Failed to pull image`));
      assert.match(p.message, /; the registry answers: MANIFEST_UNKNOWN: manifest unknown$/);
      assert.match(p.hint, /pushed to this registry/);
      // The Deployment's progress deadline (20 s) passes: the controller marks it failed, and so does ModelDock.
      const done = await f.done;
      assert.equal(done.phase, 'failed');
      assert.match(done.summary, /^puller exceeded its progress deadline: ImagePullBackOff for /);
    } finally {
      f.dispose();
    }
  });

  test('CrashLoopBackOff: the previous run\'s last lines with the ML failure highlighted; OOMKilled with the memory limit', async () => {
    await client.applyServerSide([deployment('crasher', { memory: '8Gi', nodeSelector: { 'kubernetes.io/hostname': 'cpu-1' } }) as never], { dryRun: false });
    const pod = await pollFor('the crasher pod Running (kwok)', async () => (await client.list('Pod', NS, { labelSelector: 'app=crasher' })).find((p) => p.phase === 'Running'), 60_000, 200);
    await cluster.servePodLogs(NS, pod.meta.name, 'server', {
      current: ['loading model'],
      previous: ['loading model from /models/llm', 'Traceback (most recent call last):', '  File "/app/serve.py", line 12, in <module>', 'torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 15.78 GiB total capacity)'],
    });
    const crash = (reason: string, exitCode: number, restarts: number) =>
      cluster.cp.updatePodStatus(NS, pod.meta.name, (st) => {
        const now = new Date().toISOString();
        st.conditions = [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False', reason: 'ContainersNotReady' }];
        st.containerStatuses = [{ name: 'server', image: 'registry.invalid/modeldock/llm:1', imageID: '', ready: false, restartCount: restarts, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=server' } }, lastState: { terminated: { reason, exitCode, startedAt: now, finishedAt: now } } }];
      });
    await crash('Error', 1, 3);
    const f = new RolloutFollower({ namespace: NS, name: 'crasher' }, { client, coalesceMs: 20 });
    try {
      const s = await until(f, 'the crash loop with the previous run\'s lines', (x) => x.crashLogs.some((l) => l.lines.length > 0));
      assert.match(s.problems.find((p) => p.kind === 'crash-loop')!.message, /^server restarted 3 time\(s\); last exit: Error \(code 1\)$/);
      const log = s.crashLogs[0]!;
      assert.equal(log.restartCount, 3);
      assert.deepEqual(log.lines.map((l) => l.text).slice(-2), ['  File "/app/serve.py", line 12, in <module>', 'torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 15.78 GiB total capacity)']);
      assert.equal(log.lines.find((l) => l.text.startsWith('torch.cuda'))?.cls?.problem, 'cuda-oom');
      assert.equal(log.lines.find((l) => l.text.startsWith('Traceback'))?.cls?.problem, 'traceback');

      await crash('OOMKilled', 137, 4);
      const oom = await until(f, 'the OOM kill named with the limit', (x) => x.problems.some((p) => p.kind === 'oom-killed'));
      assert.equal(oom.problems.find((p) => p.kind === 'oom-killed')!.message, 'server was OOMKilled at its memory limit of 8.0 GiB (8Gi)');
      // One read of the previous logs per restart, not per change.
      assert.ok(oom.requests < 25, `requests while following: ${oom.requests}`);
    } finally {
      f.dispose();
    }
  });
});
