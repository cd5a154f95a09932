// Rollout status and failure reasons from Deployment/Pod/Event objects in the shapes the API
// returns them (status fields and messages as kubelets and schedulers write them).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { podProblems, rolloutHistory, rolloutStatus, type DeploymentState, type PodState } from '../../../src/core/deploy/rollout';

const dep = (over: Partial<DeploymentState> = {}): DeploymentState => ({
  name: 'iris',
  generation: 2,
  observedGeneration: 2,
  desired: 2,
  replicas: 2,
  updated: 2,
  ready: 2,
  available: 2,
  paused: false,
  conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }],
  revision: '2',
  ...over,
});

const pod = (over: Partial<PodState> = {}): PodState => ({ name: 'iris-abc', phase: 'Running', conditions: [], containers: [], ...over });

describe('rolloutStatus', () => {
  test('kubectl\'s stages: observed, updated, old pending termination, available, complete', () => {
    assert.equal(rolloutStatus(dep({ generation: 3 }), [], []).phase, 'waiting');
    assert.match(rolloutStatus(dep({ updated: 1 }), [], []).summary, /^1 of 2 updated replicas$/);
    assert.match(rolloutStatus(dep({ replicas: 3 }), [], []).summary, /1 old replica\(s\) pending termination/);
    assert.match(rolloutStatus(dep({ available: 1 }), [], []).summary, /1 of 2 updated replicas available/);
    assert.equal(rolloutStatus(dep(), [], []).phase, 'complete');
    assert.equal(rolloutStatus(dep({ paused: true }), [], []).phase, 'paused');
  });

  test('a progress deadline is a failure that names the first problem', () => {
    const p = pod({ containers: [{ name: 'server', ready: false, restartCount: 0, image: 'reg:5000/iris:0.1.0', waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "reg:5000/iris:0.1.0"' } }] });
    const events = [{ object: 'iris-abc', type: 'Warning', reason: 'Failed', count: 3, message: 'Failed to pull image "reg:5000/iris:0.1.0": rpc error: code = NotFound desc = failed to resolve reference "reg:5000/iris:0.1.0": reg:5000/iris:0.1.0: not found' }];
    const s = rolloutStatus(dep({ available: 0, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] }), [p], events);
    assert.equal(s.phase, 'failed');
    assert.match(s.summary, /ImagePullBackOff for reg:5000\/iris:0\.1\.0: Failed to pull image .*not found/);
    assert.equal(s.problems[0]!.kind, 'image-pull');
  });
});

describe('podProblems', () => {
  test('crash loop with the last exit; OOMKilled with the memory limit', () => {
    const p = pod({
      containers: [
        { name: 'server', ready: false, restartCount: 4, image: 'x', waiting: { reason: 'CrashLoopBackOff' }, lastTerminated: { reason: 'Error', exitCode: 1 } },
        { name: 'llm', ready: false, restartCount: 1, image: 'y', memoryLimit: '8Gi', lastTerminated: { reason: 'OOMKilled', exitCode: 137 } },
      ],
    });
    const found = podProblems(p, []);
    assert.deepEqual(found.map((x) => x.kind), ['crash-loop', 'oom-killed']);
    assert.match(found[0]!.message, /restarted 4 time\(s\); last exit: Error \(code 1\)/);
    assert.equal(found[1]!.message, 'llm was OOMKilled at its memory limit of 8.0 GiB (8Gi)');
  });
  test('unschedulable with the scheduler\'s message; failing probes; missing config', () => {
    const pending = pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient nvidia.com/gpu.' }] });
    assert.deepEqual(podProblems(pending, []).map((p) => [p.kind, p.message]), [['unschedulable', '0/3 nodes are available: 3 Insufficient nvidia.com/gpu.']]);
    const probe = podProblems(pod(), [{ object: 'iris-abc', type: 'Warning', reason: 'Unhealthy', count: 7, message: 'Readiness probe failed: HTTP probe failed with statuscode: 503' }]);
    assert.equal(probe[0]!.kind, 'probe');
    const cfg = podProblems(pod({ containers: [{ name: 's', ready: false, restartCount: 0, image: 'x', waiting: { reason: 'CreateContainerConfigError', message: 'secret "hf-token" not found' } }] }), []);
    assert.match(cfg[0]!.message, /secret "hf-token" not found/);
  });
});

describe('rolloutHistory', () => {
  test('newest first, the current revision marked', () => {
    const h = rolloutHistory({ revision: '2' }, [
      { name: 'a', revision: 1, images: ['iris@sha256:aaa'], changeCause: 'ModelDock deploy 0.1.0', replicas: 0 },
      { name: 'b', revision: 2, images: ['iris@sha256:bbb'], changeCause: 'ModelDock deploy 0.1.1', replicas: 2 },
    ]);
    assert.deepEqual(h.map((e) => [e.revision, e.current]), [[2, true], [1, false]]);
  });
});
