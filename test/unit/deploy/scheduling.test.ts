// The Pending-GPU-pod explanation, computed from nodes and pods as the API returns them.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { explainScheduling, podRequests, tolerates, type SchedNode, type SchedPod } from '../../../src/core/deploy/scheduling';
import { parseQuantity } from '../../../src/core/k8s/quantity';

function node(name: string, gpus: number, extra: Partial<SchedNode> = {}): SchedNode {
  const r: Record<string, string> = { cpu: '16', memory: '64Gi' };
  if (gpus > 0) r['nvidia.com/gpu'] = String(gpus);
  return { name, labels: {}, allocatable: r, capacity: r, taints: [], unschedulable: false, ready: true, ...extra };
}

function pod(name: string, gpus: number, extra: Partial<SchedPod> = {}): SchedPod {
  return {
    name,
    namespace: 'ml',
    phase: 'Pending',
    containers: [{ requests: { cpu: '1', memory: '4Gi' }, limits: gpus ? { 'nvidia.com/gpu': String(gpus) } : {} }],
    initContainers: [],
    nodeSelector: {},
    tolerations: [],
    requiredNodeAffinity: [],
    ...extra,
  };
}

describe('explainScheduling', () => {
  test('the issue\'s example: 2 GPUs needed, node-a has 1 of 4 free, 3 CPU nodes, node-b tainted', () => {
    const nodes = [
      node('node-a', 4),
      node('node-b', 8, { taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] }),
      node('cpu-1', 0),
      node('cpu-2', 0),
      node('cpu-3', 0),
    ];
    const running = [pod('busy-1', 2, { nodeName: 'node-a', phase: 'Running' }), pod('busy-2', 1, { nodeName: 'node-a', phase: 'Running' }), pod('done', 4, { nodeName: 'node-b', phase: 'Succeeded' })];
    const e = explainScheduling(pod('llm', 2), nodes, running);
    assert.equal(e.anyNodeFits, false);
    // node-b's 8 free GPUs are behind a taint the pod does not tolerate: not on offer.
    assert.equal(
      e.summary,
      'needs 2 nvidia.com/gpu; largest free on any node: 1 (node-a: 1 of 4 free); 3 nodes have no GPUs; node-b has taint nvidia.com/gpu=present:NoSchedule, not tolerated',
    );
    const a = e.nodes.find((v) => v.node === 'node-a')!;
    assert.deepEqual(a.reasons, ['has 1 of 4 nvidia.com/gpu free, needs 2']);
    assert.deepEqual(e.nodes.find((v) => v.node === 'cpu-1')!.reasons, ['has no nvidia.com/gpu']);
  });

  test('tolerating the taint makes the tainted node fit', () => {
    const nodes = [node('node-b', 8, { taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] })];
    const e = explainScheduling(pod('llm', 2, { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] }), nodes, []);
    assert.equal(e.anyNodeFits, true);
    assert.match(e.summary, /node-b could take it now/);
  });

  test('MIG resources, selectors, affinity, cordons and readiness', () => {
    const mig = 'nvidia.com/mig-1g.10gb';
    const nodes = [
      { ...node('a100', 0), allocatable: { cpu: '8', memory: '32Gi', [mig]: '7' }, labels: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' } },
      node('h100', 8, { labels: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' }, unschedulable: true }),
      node('l4', 1, { ready: false }),
    ];
    const p = pod('small', 0, {
      containers: [{ requests: {}, limits: { [mig]: '1' } }],
      nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' },
    });
    const e = explainScheduling(p, nodes, []);
    assert.match(e.summary, /needs 1 nvidia\.com\/mig-1g\.10gb; largest free on any node: 7 \(a100: 7 of 7 free\); 2 nodes have no nvidia\.com\/mig-1g\.10gb/);
    assert.match(e.summary, /a100 lacks label nvidia\.com\/gpu\.product=NVIDIA-H100-80GB-HBM3 \(nodeSelector\)/);
    assert.match(e.summary, /h100 is cordoned/);
    assert.match(e.summary, /l4 is not Ready/);
    const aff = explainScheduling(pod('x', 0, { requiredNodeAffinity: [[{ key: 'zone', operator: 'In', values: ['b'] }]] }), [node('n', 0, { labels: { zone: 'a' } })], []);
    assert.match(aff.summary, /n does not match the required node affinity/);
  });

  test('cpu and memory shortfalls are said with the most free on any node', () => {
    const e = explainScheduling(pod('big', 0, { containers: [{ requests: { cpu: '32', memory: '128Gi' }, limits: {} }] }), [node('n1', 0), node('n2', 0)], []);
    assert.match(e.summary, /needs 32 cpu; the most free on a node is 16/);
    assert.match(e.summary, /needs 128Gi memory; the most free on a node is 64Gi/);
  });
});

describe('podRequests, tolerations, quantities', () => {
  test('max(init, sum(app)); limits stand for requests of extended resources', () => {
    const r = podRequests({
      containers: [
        { requests: { cpu: '500m' }, limits: { 'nvidia.com/gpu': '1' } },
        { requests: { cpu: '250m' }, limits: {} },
      ],
      initContainers: [{ requests: { cpu: '2' }, limits: {} }],
    });
    assert.equal(r.get('cpu'), 2);
    assert.equal(r.get('nvidia.com/gpu'), 1);
  });
  test('toleration operators', () => {
    const t = { key: 'k', value: 'v', effect: 'NoSchedule' };
    assert.ok(tolerates([{ operator: 'Exists' }], t));
    assert.ok(tolerates([{ key: 'k', operator: 'Equal', value: 'v' }], t));
    assert.ok(!tolerates([{ key: 'k', operator: 'Equal', value: 'w' }], t));
    assert.ok(!tolerates([{ key: 'k', operator: 'Exists', effect: 'NoExecute' }], t));
  });
  test('quantities: suffixes, exponents, garbage, and a 40 KB string in linear time', () => {
    assert.equal(parseQuantity('500m'), 0.5);
    assert.equal(parseQuantity('1Gi'), 2 ** 30);
    assert.equal(parseQuantity('1.5G'), 1.5e9);
    assert.equal(parseQuantity('1e3'), 1000);
    assert.equal(parseQuantity('2E'), 2e18);
    assert.equal(parseQuantity('-1'), -1);
    for (const bad of ['', 'Gi', '5Gi ', '${X}', '1.2.3', '1ee3', '1Gb']) assert.equal(parseQuantity(bad), undefined, bad);
    const t0 = performance.now();
    assert.equal(parseQuantity('1'.repeat(40_000) + 'x'), undefined);
    assert.ok(performance.now() - t0 < 50);
  });
});
