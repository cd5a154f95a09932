import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parsePod, parseWorkload, parseNamespace } from '../../../src/kube/parse';
import { formatAge, presentContainer, presentPod, presentWorkload, presentError, presentContext } from '../../../src/kube/present';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const crashing = {
  metadata: { name: 'train-0', namespace: 'ml', creationTimestamp: '2025-06-01T10:00:00Z', ownerReferences: [{ kind: 'Job', name: 'train', controller: true }] },
  spec: {
    nodeName: 'gpu-node-3',
    initContainers: [{ name: 'weights', image: 'busybox', resources: { limits: { 'nvidia.com/gpu': '1' } } }],
    containers: [
      { name: 'trainer', image: 'pytorch:2.3', resources: { limits: { 'nvidia.com/gpu': '2' } }, ports: [{ containerPort: 8080, name: 'http' }] },
      { name: 'sidecar', image: 'envoy' },
    ],
  },
  status: {
    phase: 'Running',
    initContainerStatuses: [{ name: 'weights', ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
    containerStatuses: [
      {
        name: 'trainer',
        ready: false,
        restartCount: 3,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: '2025-06-01T11:59:00Z' } },
      },
      { name: 'sidecar', ready: true, restartCount: 0, state: { running: { startedAt: '2025-06-01T10:00:05Z' } } },
    ],
  },
};

describe('objects → tree model', () => {
  test('pod: status like kubectl, GPUs, restarts, containers with last termination', () => {
    const pod = parsePod(crashing);
    assert.ok(pod);
    assert.equal(pod.status, 'CrashLoopBackOff');
    assert.equal(pod.gpus, 2);
    assert.equal(pod.restarts, 3);
    assert.equal(pod.readyCount, 1);
    assert.equal(pod.meta.ownerKind, 'Job');
    const p = presentPod(pod, NOW);
    assert.equal(p.description, 'CrashLoopBackOff · 1/2 · ↻3 · 2 GPU · 2h · gpu-node-3');
    assert.equal(p.icon.id, 'error');
    assert.equal(p.contextValue, 'modeldock.pod');
    const trainer = presentContainer(pod.containers[0]!);
    assert.equal(trainer.description, 'waiting: CrashLoopBackOff · ↻3 · last: OOMKilled (137) · 2 GPU');
    assert.equal(trainer.contextValue, 'modeldock.container.restarted');
    assert.match(trainer.tooltip ?? '', /port 8080\/TCP \(http\)/);
    const init = presentContainer(pod.initContainers[0]!);
    assert.equal(init.description, 'init · terminated: Completed · 1 GPU');
    assert.equal(presentContainer(pod.containers[1]!).icon.id, 'pass-filled');
  });

  test('validation: garbage is rejected, missing fields default', () => {
    assert.equal(parsePod(null), undefined);
    assert.equal(parsePod({ metadata: { name: 7 } }), undefined);
    const bare = parsePod({ metadata: { name: 'x' }, spec: { containers: 'nope' }, status: { containerStatuses: [{ name: 3 }] } });
    assert.ok(bare);
    assert.equal(bare.status, 'Pending');
    assert.deepEqual(bare.containers, []);
    assert.equal(parseNamespace({ metadata: { name: 'ns' } })?.phase, 'Active');
  });

  test('workloads: ready x/y, jobs, cronjobs', () => {
    const dep = parseWorkload('Deployment', {
      metadata: { name: 'serve', creationTimestamp: '2025-05-30T12:00:00Z' },
      spec: { replicas: 3, template: { spec: { containers: [{ name: 'm', resources: { requests: { 'nvidia.com/gpu': 1 } } }] } } },
      status: { readyReplicas: 2 },
    });
    assert.ok(dep);
    assert.equal(presentWorkload(dep, NOW).description, 'ready 2/3 · 3 GPU · 2d');
    assert.equal(presentWorkload(dep, NOW).icon.color, 'charts.yellow');
    const job = parseWorkload('Job', { metadata: { name: 'j' }, spec: { completions: 1 }, status: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } });
    assert.equal(presentWorkload(job!, NOW).description, '1/1 done');
    const cron = parseWorkload('CronJob', { metadata: { name: 'c' }, spec: { schedule: '0 * * * *', suspend: true }, status: { lastScheduleTime: '2025-06-01T11:00:00Z' } });
    assert.equal(presentWorkload(cron!, NOW).description, '0 * * * * · suspended · last 60m');
  });

  test('age like kubectl', () => {
    assert.equal(formatAge('2025-06-01T11:59:30Z', NOW), '30s');
    assert.equal(formatAge('2025-06-01T11:00:00Z', NOW), '60m');
    assert.equal(formatAge('2025-05-31T12:00:00Z', NOW), '24h');
    assert.equal(formatAge(undefined, NOW), '');
  });

  test('errors and contexts read at a glance', () => {
    const e = presentError({ kind: 'forbidden', message: 'pods is forbidden: …', verb: 'list', resource: 'pods', namespace: 'secret', hint: 'ask an admin' });
    assert.equal(e.label, 'Forbidden: cannot list pods in secret');
    assert.equal(e.contextValue, 'modeldock.error.forbidden');
    assert.match(e.tooltip ?? '', /ask an admin/);
    const c = presentContext({ name: 'kind-ml', cluster: 'kind', user: 'me', current: true, server: 'https://127.0.0.1:6443' });
    assert.equal(c.description, 'current · https://127.0.0.1:6443');
    assert.equal(c.collapsible, 'expanded');
  });
});
