import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { handleMessage, initialState, safeRelative, type Step } from '../../../src/features/wizard/handlers';
import { allowedRuntimes, applyChoices } from '../../../src/features/containerize/choices';
import type { HostToWebview, WizardChoices } from '../../../webview/protocol';
import { CUDA_OPTIONS, DEFAULTS, fakeServices, onnxDetection, torchDetection } from './fixtures';

const FOLDER = { uri: 'file:///ws/proj', name: 'proj' };

function start(disk: Record<string, string> = {}, calls: WizardChoices[] = []) {
  const services = fakeServices(disk, calls);
  const state = initialState(FOLDER, torchDetection(), null, { buildAndRun: false }, services);
  return { services, state };
}

function reply<T extends HostToWebview['type']>(step: Step, type: T): Extract<HostToWebview, { type: T }> {
  const r = step.replies.find((x) => x.type === type);
  assert.ok(r, `no ${type} reply in ${JSON.stringify(step.replies.map((x) => x.type))}`);
  return r as Extract<HostToWebview, { type: T }>;
}

describe('initialState and ready', () => {
  test('defaults follow detection and the first plan is made at once', () => {
    const { state } = start();
    assert.equal(state.choices.target, 'gpu');
    assert.equal(state.plan?.baseImage, 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime');
    assert.deepEqual(state.cudaOptions, CUDA_OPTIONS);
  });

  test('ready answers with the whole picture: detection (with evidence), choices, CUDA options, plan', () => {
    const { state, services } = start();
    const step = handleMessage(state, { type: 'ready', state: null }, services);
    const init = reply(step, 'init');
    assert.equal(init.detection?.primaryDisplay, 'PyTorch');
    assert.deepEqual(init.detection?.frameworks[0]?.evidence[0], { file: 'requirements.txt', line: 2, reason: 'torch==2.3.1+cu121' });
    assert.equal(init.detection?.artifacts[0]?.size, '5.0 MiB');
    assert.deepEqual(init.detection?.entrypoint, { file: 'serve.py', kind: 'fastapi', line: 9 });
    assert.equal(init.plan?.files.length, 3);
    assert.deepEqual(step.effects, []);
  });

  test('ready without a detection asks for one', () => {
    const services = fakeServices();
    const state = initialState(FOLDER, null, null, { buildAndRun: false }, services);
    const step = handleMessage(state, { type: 'ready', state: null }, services);
    assert.equal(reply(step, 'init').detection, null);
    assert.deepEqual(step.effects, [{ kind: 'detect' }]);
  });

  test('state persisted by the webview is restored (after a reload) only for the same folder', () => {
    const { state, services } = start();
    const saved = { ...DEFAULTS, target: 'cpu' as const, port: 9000 };
    const same = handleMessage(state, { type: 'ready', state: { v: 1, folder: FOLDER.uri, choices: saved, open: [] } }, services);
    assert.equal(same.state.choices.port, 9000);
    assert.equal(reply(same, 'init').plan?.baseImage, 'python:3.11-slim');
    const other = handleMessage(state, { type: 'ready', state: { v: 1, folder: 'file:///elsewhere', choices: saved, open: [] } }, services);
    assert.equal(other.state.choices.port, 8080);
  });

  test('a restored CUDA the table no longer allows falls back to the recommended one', () => {
    const services = fakeServices();
    const restored = { v: 1 as const, folder: FOLDER.uri, choices: { ...DEFAULTS, cuda: '10.2' }, open: [] };
    const state = initialState(FOLDER, torchDetection(), restored, { buildAndRun: false }, services);
    assert.equal(state.choices.cuda, null);
  });
});

describe('choose', () => {
  test('switching GPU → CPU re-plans: base image changes and CUDA options go away', () => {
    const { state, services } = start();
    const step = handleMessage(state, { type: 'choose', choices: { target: 'cpu' } }, services);
    const plan = reply(step, 'plan');
    assert.equal(plan.plan?.baseImage, 'python:3.11-slim');
    assert.deepEqual(plan.cudaOptions, []);
    const back = handleMessage(step.state, { type: 'choose', choices: { target: 'gpu' } }, services);
    assert.equal(reply(back, 'plan').plan?.baseImage, 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime');
    assert.equal(reply(back, 'plan').cudaOptions.length, 2);
  });

  test('a compatible CUDA is taken; an incompatible one is refused with a reason', () => {
    const { state, services } = start();
    const ok = handleMessage(state, { type: 'choose', choices: { cuda: '11.8' } }, services);
    assert.equal(ok.state.choices.cuda, '11.8');
    assert.match(reply(ok, 'plan').plan?.baseImage ?? '', /cuda11\.8/);
    const bad = handleMessage(ok.state, { type: 'choose', choices: { cuda: '9.0' } }, services);
    assert.equal(bad.state.choices.cuda, '11.8');
    assert.match(reply(bad, 'plan').invalid.cuda ?? '', /not compatible/);
  });

  test('invalid port, image name and GPU count keep the last valid value and say why', () => {
    const { state, services } = start();
    const step = handleMessage(state, { type: 'choose', choices: { port: 0, imageName: 'Bad Name', gpuCount: 99 } }, services);
    assert.equal(step.state.choices.port, 8080);
    assert.equal(step.state.choices.imageName, 'proj');
    assert.equal(step.state.choices.gpuCount, 1);
    const inv = reply(step, 'plan').invalid;
    assert.ok(inv.port && inv.imageName && inv.gpuCount, JSON.stringify(inv));
    const fixed = handleMessage(step.state, { type: 'choose', choices: { port: 9000 } }, services);
    assert.deepEqual(reply(fixed, 'plan').invalid, {});
    assert.equal(fixed.state.choices.port, 9000);
  });

  test('outputs patch merges: unticking one output removes its file from the plan', () => {
    const { state, services } = start();
    const step = handleMessage(state, { type: 'choose', choices: { outputs: { compose: false } } }, services);
    assert.equal(step.state.choices.outputs.dockerfile, true);
    assert.deepEqual(reply(step, 'plan').plan?.files.map((f) => f.path), ['Dockerfile', 'serve.py']);
  });

  test('a planner that throws is reported as a plan error, not a crash', () => {
    const { state, services } = start();
    const broken = { ...services, plan: () => { throw new Error('template common/x.tmpl: unknown name'); } };
    const step = handleMessage(state, { type: 'choose', choices: { port: 9001 } }, broken);
    assert.deepEqual(reply(step, 'plan').plan?.errors, ['template common/x.tmpl: unknown name']);
    assert.match(reply(handleMessage(step.state, { type: 'generate' }, broken), 'error').message, /no plan/);
  });
});

describe('preview of existing files', () => {
  test('a file on disk that differs is marked overwrite with a line diff; an equal one is unchanged', () => {
    const disk = { Dockerfile: 'FROM scratch\nEXPOSE 8080\n', 'compose.yaml': 'services:\n  proj: {}\n' };
    const { state, services } = start(disk);
    const init = reply(handleMessage(state, { type: 'ready', state: null }, services), 'init');
    const df = init.plan?.files.find((f) => f.path === 'Dockerfile');
    assert.equal(df?.action, 'overwrite');
    assert.equal(df?.exists, true);
    assert.deepEqual(df?.diff?.map((l) => l.op + l.text), ['-FROM scratch', '+FROM pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime', ' EXPOSE 8080']);
    const compose = init.plan?.files.find((f) => f.path === 'compose.yaml');
    assert.equal(compose?.action, 'unchanged');
    assert.equal(compose?.diff, null);
    assert.equal(init.plan?.files.find((f) => f.path === 'serve.py')?.action, 'skip');
  });

  test('Open diff sends the planned content to the diff effect; unknown paths are refused', () => {
    const { state, services } = start();
    const step = handleMessage(state, { type: 'openDiff', path: 'Dockerfile' }, services);
    assert.deepEqual(step.effects, [{ kind: 'openDiff', path: 'Dockerfile', content: 'FROM pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime\nEXPOSE 8080\n' }]);
    assert.equal(reply(handleMessage(state, { type: 'openDiff', path: '/etc/passwd' }, services), 'error').type, 'error');
  });
});

describe('openFile', () => {
  test('evidence links open inside the project only', () => {
    const { state, services } = start();
    assert.deepEqual(handleMessage(state, { type: 'openFile', file: 'requirements.txt', line: 2 }, services).effects, [
      { kind: 'openFile', file: 'requirements.txt', line: 2 },
    ]);
    for (const bad of ['../secret', '/etc/passwd', 'C:/x', 'a/../../b', '']) {
      const step = handleMessage(state, { type: 'openFile', file: bad, line: null }, services);
      assert.deepEqual(step.effects, [], bad);
    }
    assert.equal(safeRelative('k8s\\deployment.yaml'), 'k8s/deployment.yaml');
  });
});

describe('generate', () => {
  test('writes the plan without the user-owned (skip) files, asking by default', () => {
    const { state, services } = start();
    const step = handleMessage(state, { type: 'generate' }, services);
    assert.equal(step.state.writing, true);
    assert.equal(reply(step, 'busy').busy, true);
    const eff = step.effects[0];
    assert.ok(eff && eff.kind === 'write');
    assert.equal(eff.policy, 'ask');
    assert.deepEqual(eff.files.map((f) => f.path), ['Dockerfile', 'compose.yaml']);
    // A second click while writing is refused, not queued.
    assert.equal(reply(handleMessage(step.state, { type: 'generate' }, services), 'error').type, 'error');
  });

  test('the explicit overwrite checkbox turns into the overwrite policy', () => {
    const { state, services } = start();
    const chosen = handleMessage(state, { type: 'choose', choices: { overwrite: true } }, services).state;
    const eff = handleMessage(chosen, { type: 'generate' }, services).effects[0];
    assert.ok(eff && eff.kind === 'write' && eff.policy === 'overwrite');
  });

  test('after the write the plan is recomputed against disk and the outcome is reported', () => {
    const disk: Record<string, string> = {};
    const { state, services } = start(disk);
    const writing = handleMessage(state, { type: 'generate' }, services).state;
    disk['Dockerfile'] = 'FROM pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime\nEXPOSE 8080\n';
    const outcome = { created: ['Dockerfile'], overwritten: [], skipped: [], unchanged: [] };
    const done = handleMessage(writing, { type: 'written', outcome, then: 'none' }, services);
    assert.equal(done.state.writing, false);
    const g = reply(done, 'generated');
    assert.deepEqual(g.outcome, outcome);
    assert.equal(g.plan?.files.find((f) => f.path === 'Dockerfile')?.action, 'unchanged');
    assert.equal(reply(done, 'busy').busy, false);
    assert.deepEqual(done.effects, []);
  });

  test('a cancelled overwrite question is silent; a failure is shown', () => {
    const { state, services } = start();
    const writing = handleMessage(state, { type: 'generate' }, services).state;
    const cancelled = handleMessage(writing, { type: 'writeFailed', message: 'Cancelled', cancelled: true }, services);
    assert.equal(cancelled.state.writing, false);
    assert.ok(!cancelled.replies.some((r) => r.type === 'error'));
    const failed = handleMessage(writing, { type: 'writeFailed', message: 'read-only', cancelled: false }, services);
    assert.equal(reply(failed, 'error').message, 'read-only');
  });

  test('plans with errors are never written', () => {
    const { state, services } = start();
    const withErrors = { ...state, plan: { ...state.plan!, errors: ['CUDA 9.0 is not compatible'] } };
    const step = handleMessage(withErrors, { type: 'generate' }, services);
    assert.deepEqual(step.effects, []);
    assert.match(reply(step, 'error').message, /CUDA 9\.0/);
  });
});

describe('build & run', () => {
  test('refused without the Docker build command', () => {
    const { state, services } = start();
    const step = handleMessage(state, { type: 'buildAndRun' }, services);
    assert.deepEqual(step.effects, []);
    assert.match(reply(step, 'error').message, /Docker/);
  });

  test('with it: write first, then build the Dockerfile with the plan image', () => {
    const { state, services } = start();
    const cap = handleMessage(state, { type: 'capabilities', capabilities: { buildAndRun: true } }, services);
    assert.equal(reply(cap, 'init').capabilities.buildAndRun, true);
    const step = handleMessage(cap.state, { type: 'buildAndRun' }, services);
    const eff = step.effects[0];
    assert.ok(eff && eff.kind === 'write' && eff.then === 'build');
    const done = handleMessage(step.state, { type: 'written', outcome: { created: ['Dockerfile'], overwritten: [], skipped: [], unchanged: [] }, then: 'build' }, services);
    // The whole plan is handed to Build & Run (tag, ports, GPUs, shm), not a tag and a path.
    assert.equal(done.effects.length, 1);
    const build = done.effects[0]!;
    assert.ok(build.kind === 'build');
    assert.equal(build.plan, done.state.plan);
    assert.equal(build.plan.image, 'proj:0.1.0');
    assert.equal(build.plan.container.dockerfile, 'Dockerfile');
  });
});

describe('detection updates', () => {
  test('a new detection re-plans and keeps choices the user made', () => {
    const { state, services } = start();
    const chosen = handleMessage(state, { type: 'choose', choices: { port: 9999 } }, services).state;
    const step = handleMessage(chosen, { type: 'detected', detection: { ...torchDetection(), python: '3.12' } }, services);
    assert.equal(step.state.choices.port, 9999);
    assert.equal(reply(step, 'init').detection?.python, '3.12');
  });

  test('before any choice, defaults follow the new detection', () => {
    const services = fakeServices();
    const state = initialState(FOLDER, null, null, { buildAndRun: false }, services);
    assert.equal(state.choices.target, 'cpu');
    const step = handleMessage(state, { type: 'detected', detection: torchDetection() }, services);
    assert.equal(step.state.choices.target, 'gpu');
    assert.ok(step.state.plan);
  });

  test('redetect asks for a detection and says so', () => {
    const { state, services } = start();
    const step = handleMessage(state, { type: 'redetect' }, services);
    assert.deepEqual(step.effects, [{ kind: 'detect' }]);
    assert.equal(reply(step, 'busy').label, 'Detecting…');
  });
});

describe('applyChoices', () => {
  test('image names follow the registry grammar', () => {
    for (const ok of ['iris', 'team/iris-model', 'a.b_c', 'registry.local/team/m']) assert.deepEqual(applyChoices(DEFAULTS, { imageName: ok }, []).invalid, {}, ok);
    for (const bad of ['Iris', '-x', 'x-', 'a//b', 'a b', '']) assert.ok(applyChoices(DEFAULTS, { imageName: bad }, []).invalid.imageName, bad);
  });
});

describe('runtime choice', () => {
  function startOnnx(calls: WizardChoices[] = []) {
    const services = fakeServices({}, calls);
    const state = initialState(FOLDER, onnxDetection(), null, { buildAndRun: false }, services);
    return { services, state };
  }

  test('the page is offered python first, then the runtimes detection suggests, each with a reason', () => {
    const { state, services } = startOnnx();
    const init = reply(handleMessage(state, { type: 'ready', state: null }, services), 'init');
    const runtimes = init.detection?.runtimes ?? [];
    assert.deepEqual(runtimes.map((r) => r.runtime), ['python', 'triton', 'kserve']);
    assert.equal(runtimes[0]?.label, 'Own Python server (serve.py)');
    assert.match(runtimes[1]?.reason ?? '', /ONNX model found \(export\/model\.onnx\)/);
    assert.match(runtimes[2]?.reason ?? '', /onnx runtime/);
    assert.equal(init.choices.runtime, 'python');
  });

  test('choosing a suggested runtime re-plans with it; model servers get no CUDA list', () => {
    const calls: WizardChoices[] = [];
    const { state, services } = startOnnx(calls);
    assert.ok(state.cudaOptions.length > 0, 'python on GPU: the framework CUDA list');
    const step = handleMessage(state, { type: 'choose', choices: { runtime: 'triton' } }, services);
    assert.equal(step.state.choices.runtime, 'triton');
    assert.equal(calls.at(-1)?.runtime, 'triton');
    const plan = reply(step, 'plan');
    assert.equal(plan.plan?.runtime, 'triton');
    assert.deepEqual(plan.cudaOptions, []);
    assert.deepEqual(plan.invalid, {});
    const back = handleMessage(step.state, { type: 'choose', choices: { runtime: 'python' } }, services);
    assert.equal(reply(back, 'plan').cudaOptions.length, 2);
  });

  test('a runtime detection does not suggest is refused with a reason', () => {
    const { state, services } = startOnnx();
    const step = handleMessage(state, { type: 'choose', choices: { runtime: 'tfserving' } }, services);
    assert.equal(step.state.choices.runtime, 'python');
    assert.match(reply(step, 'plan').invalid.runtime ?? '', /TF Serving does not fit/);
    // Without an ONNX model Triton is not offered either.
    const { state: plain, services: s2 } = start();
    assert.match(reply(handleMessage(plain, { type: 'choose', choices: { runtime: 'triton' } }, s2), 'plan').invalid.runtime ?? '', /Triton/);
  });

  test('a new detection without the model falls back to python; restored state is checked too', () => {
    const { state, services } = startOnnx();
    const triton = handleMessage(state, { type: 'choose', choices: { runtime: 'triton' } }, services).state;
    const gone = handleMessage(triton, { type: 'detected', detection: torchDetection() }, services);
    assert.equal(gone.state.choices.runtime, 'python');
    assert.equal(reply(gone, 'init').plan?.runtime, 'python');

    const restored = { v: 1 as const, folder: FOLDER.uri, choices: { ...DEFAULTS, runtime: 'kserve' as const }, open: [] };
    assert.equal(initialState(FOLDER, onnxDetection(), restored, { buildAndRun: false }, services).choices.runtime, 'kserve');
    assert.equal(initialState(FOLDER, torchDetection(), restored, { buildAndRun: false }, services).choices.runtime, 'python');
    // Before detection there is nothing to check against: the restored runtime is kept.
    assert.equal(applyChoices({ ...DEFAULTS, runtime: 'triton' }, {}, [], allowedRuntimes(null)).choices.runtime, 'triton');
  });

  test('TODO notes travel apart from the other notes, so the page can warn', () => {
    const { state, services } = startOnnx();
    const plan = reply(handleMessage(state, { type: 'choose', choices: { runtime: 'triton' } }, services), 'plan').plan;
    assert.deepEqual(plan?.todos, ['Triton: config.pbtxt has TODO markers']);
    assert.ok(!plan?.notes.some((n) => /TODO/.test(n)));
  });
});
