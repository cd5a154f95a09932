// The objects a rollout is followed from, validated at the boundary (shapes as kube-apiserver
// 1.36 returns them), their core/deploy views, the Nodes level's presentation, and the Deploy
// view's rows.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent, parseNode, parsePod, parseReplicaSet, parseWorkload } from '../../../src/kube/parse';
import { nodeGpus, presentNode, presentNodesGroup } from '../../../src/kube/present';
import { deploymentState, isUnschedulable, podState, schedPod } from '../../../src/features/deploy/objects';
import { DeploySession } from '../../../src/features/deploy/pipeline';
import { rows } from '../../../src/features/deploy/viewModel';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'iris', namespace: 'ml', uid: 'd-1', generation: 3, annotations: { 'deployment.kubernetes.io/revision': '2', 'kubernetes.io/change-cause': 'ModelDock deploy of r/iris:0.1.0' } },
  spec: {
    replicas: 2,
    progressDeadlineSeconds: 600,
    revisionHistoryLimit: 5,
    selector: { matchLabels: { 'app.kubernetes.io/name': 'iris' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '25%' } },
    template: { spec: { containers: [{ name: 'server', image: 'r/iris@sha256:' + 'a'.repeat(64) }] } },
  },
  status: { observedGeneration: 2, replicas: 3, updatedReplicas: 1, readyReplicas: 2, availableReplicas: 2, conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'ReplicaSet "iris-7d4" is progressing.' }] },
};

describe('boundary validation of the new kinds', () => {
  test('a Deployment\'s rollout fields', () => {
    const w = parseWorkload('Deployment', deployment)!;
    assert.deepEqual(w.rollout, {
      generation: 3,
      observedGeneration: 2,
      replicas: 3,
      paused: false,
      conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'ReplicaSet "iris-7d4" is progressing.' }],
      revision: '2',
      changeCause: 'ModelDock deploy of r/iris:0.1.0',
      selector: 'app.kubernetes.io/name=iris',
      images: ['r/iris@sha256:' + 'a'.repeat(64)],
      progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', maxSurge: '0', maxUnavailable: '25%' },
      revisionHistoryLimit: 5,
    });
    const s = deploymentState(w)!;
    assert.deepEqual([s.generation, s.observedGeneration, s.desired, s.updated, s.available, s.revision], [3, 2, 2, 1, 2, '2']);
    // matchExpressions cannot be a label selector string: the follower then filters by owner.
    assert.equal(parseWorkload('Deployment', { ...deployment, spec: { ...deployment.spec, selector: { matchExpressions: [{ key: 'a', operator: 'Exists' }] } } })!.rollout!.selector, undefined);
  });

  test('ReplicaSets: revision, change-cause, owner uid; Events: involved object and counts; garbage is skipped', () => {
    const rs = parseReplicaSet({
      metadata: { name: 'iris-7d4', uid: 'r-1', labels: { 'pod-template-hash': '7d4' }, annotations: { 'deployment.kubernetes.io/revision': '2' }, ownerReferences: [{ kind: 'Deployment', name: 'iris', uid: 'd-1', controller: true }] },
      spec: { replicas: 1, template: { spec: { containers: [{ name: 's', image: 'x' }] } } },
      status: { replicas: 1, readyReplicas: 1, availableReplicas: 1 },
    })!;
    assert.deepEqual([rs.revision, rs.templateHash, rs.meta.ownerUid, rs.images], [2, '7d4', 'd-1', ['x']]);
    assert.equal(parseReplicaSet({ metadata: { name: 'x', annotations: { 'deployment.kubernetes.io/revision': 'nope' } } })!.revision, 0);
    const ev = parseEvent({ metadata: { name: 'p.1', namespace: 'ml' }, involvedObject: { kind: 'Pod', name: 'iris-7d4-x' }, type: 'Warning', reason: 'FailedScheduling', message: 'm'.repeat(10_000), count: 4, lastTimestamp: '2026-01-01T00:00:00Z', source: { component: 'default-scheduler' } })!;
    assert.deepEqual([ev.involved.name, ev.type, ev.reason, ev.count, ev.lastSeen, ev.source], ['iris-7d4-x', 'Warning', 'FailedScheduling', 4, '2026-01-01T00:00:00Z', 'default-scheduler']);
    assert.equal(ev.message.length, 4097, 'a huge message is cut');
    // events.k8s.io shape (series, eventTime, regarding, note).
    const v1 = parseEvent({ metadata: { name: 'e' }, regarding: { kind: 'Pod', name: 'p' }, reason: 'BackOff', note: 'Back-off restarting failed container', series: { count: 7, lastObservedTime: '2026-01-02T00:00:00Z' }, eventTime: '2026-01-01T00:00:00Z' })!;
    assert.deepEqual([v1.message, v1.count, v1.lastSeen], ['Back-off restarting failed container', 7, '2026-01-02T00:00:00Z']);
    for (const bad of [null, 3, { metadata: {} }, { metadata: { name: 'e' } }, { metadata: { name: 'e' }, involvedObject: { kind: 'Pod' } }]) assert.equal(parseEvent(bad), undefined);
  });

  test('Nodes: capacity, allocatable, taints, readiness, cordon', () => {
    const n = parseNode({
      metadata: { name: 'node-a', labels: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' } },
      spec: { unschedulable: true, taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }, { key: 'broken' }] },
      status: { capacity: { 'nvidia.com/gpu': '4', cpu: '64' }, allocatable: { 'nvidia.com/gpu': '4', 'nvidia.com/mig-1g.10gb': 7, cpu: '63500m', junk: { x: 1 } }, conditions: [{ type: 'Ready', status: 'True' }] },
    })!;
    assert.deepEqual(n.taints, [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }]);
    assert.deepEqual(n.allocatable, { 'nvidia.com/gpu': '4', 'nvidia.com/mig-1g.10gb': '7', cpu: '63500m' });
    assert.equal(n.ready, true);
    assert.equal(n.unschedulable, true);
    assert.deepEqual(nodeGpus(n, new Map([['nvidia.com/gpu', 3]])), [
      { resource: 'nvidia.com/gpu', allocatable: 4, requested: 3 },
      { resource: 'nvidia.com/mig-1g.10gb', allocatable: 7, requested: 0 },
    ]);
    const p = presentNode(n, new Map([['nvidia.com/gpu', 3]]));
    assert.equal(p.description, 'GPU 3/4 used · mig-1g.10gb 0/7 used · NVIDIA-A100-SXM4-80GB · 1 taint · cordoned');
    assert.equal(presentNode(n, undefined).description, '4 GPU · 7 mig-1g.10gb · NVIDIA-A100-SXM4-80GB · 1 taint · cordoned', 'use unknown: allocatable only');
    assert.equal(presentNodesGroup([n], new Map([['node-a', new Map([['nvidia.com/gpu', 3]])]])).description, '1 node · 1 of 4 GPUs free');
  });

  test('Pods: requests/limits, tolerations, selector, affinity, conditions, messages; their core views', () => {
    const pod = parsePod({
      metadata: { name: 'llm-1', namespace: 'ml', ownerReferences: [{ kind: 'ReplicaSet', name: 'llm-5f', uid: 'r', controller: true }] },
      spec: {
        nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' },
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } },
        containers: [{ name: 'server', image: 'r/llm:1', resources: { requests: { cpu: '4' }, limits: { 'nvidia.com/gpu': 2, memory: '80Gi' } }, readinessProbe: { httpGet: { path: '/v2/health/ready', port: 8000 } }, env: [{ name: 'MODEL_NAME', value: 'llm' }, { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }],
      },
      status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/5 nodes are available' }], containerStatuses: [{ name: 'server', state: { waiting: { reason: 'ErrImagePull', message: 'pull access denied' } } }] },
    })!;
    assert.equal(isUnschedulable(pod), true);
    const c = pod.containers[0]!;
    assert.deepEqual([c.limits['nvidia.com/gpu'], c.requests.cpu, c.readinessPath, c.env, c.stateMessage], ['2', '4', '/v2/health/ready', { MODEL_NAME: 'llm' }, 'pull access denied']);
    const sp = schedPod(pod);
    assert.deepEqual(sp.requiredNodeAffinity, [[{ key: 'zone', operator: 'In', values: ['a'] }]]);
    assert.deepEqual(sp.containers, [{ requests: { cpu: '4' }, limits: { 'nvidia.com/gpu': '2', memory: '80Gi' } }]);
    const ps = podState(pod);
    assert.deepEqual(ps.containers[0], { name: 'server', ready: false, restartCount: 0, image: 'r/llm:1', waiting: { reason: 'ErrImagePull', message: 'pull access denied' }, memoryLimit: '80Gi' });
    assert.equal(ps.owner, 'llm-5f');
  });
});

describe('Deploy view rows', () => {
  test('steps with their details and times; the smoke answer and the open port-forward', () => {
    const s = new DeploySession('kind-gpu', 'ml', 'sklearn-iris');
    s.set('manifests', 'done', '3 file(s); serving image sklearn-iris:0.1.0', 4);
    s.set('build', 'done', 'sklearn-iris:0.1.0', 12_300);
    s.set('push', 'failed', 'unauthorized: authentication required', 800);
    const [root] = rows([s]);
    assert.equal(root!.label, 'sklearn-iris → kind-gpu/ml');
    assert.deepEqual(root!.children!.map((r) => [r.label, r.description, r.icon.id]), [
      ['Manifests', '3 file(s); serving image sklearn-iris:0.1.0 · 4 ms', 'pass-filled'],
      ['Build', 'sklearn-iris:0.1.0 · 12.3 s', 'pass-filled'],
      ['Push', 'unauthorized: authentication required · 800 ms', 'error'],
      ['Registry check', undefined, 'circle-large-outline'],
      ['Server dry run', undefined, 'circle-large-outline'],
      ['Apply', undefined, 'circle-large-outline'],
    ].map(([l, d, i]) => [l, d ?? '', i]));
    assert.equal(root!.icon.color, 'testing.iconFailed');
    s.smoke = { ok: true, pod: 'p', container: 'c', runtime: { runtime: 'python', port: 8080 }, localPort: 40123, summary: 'POST /predict → HTTP 200 in 9 ms: {"predictions": ["setosa"]}', at: 0 };
    s.forward = { localPort: 40123, target: 'p:8080', dispose: () => undefined };
    const again = rows([s])[0]!.children!;
    assert.deepEqual(again.slice(-2).map((r) => [r.label, r.description, r.contextValue]), [
      ['Smoke test', 'POST /predict → HTTP 200 in 9 ms: {"predictions": ["setosa"]}', 'modeldock.deploy.smoke'],
      ['Forwarding 127.0.0.1:40123', '→ p:8080', 'modeldock.deploy.forward'],
    ]);
    s.dispose();
  });
});
