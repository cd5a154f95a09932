// The pure mappings between the core's types and the webview's: runtimes, TODO notes, choices.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { detectionView, planView } from '../../../src/features/wizard/view';
import { fromScaffoldChoices, toScaffoldChoices } from '../../../src/features/containerize/choices';
import type { ScaffoldPlan } from '../../../src/core/scaffold/types';
import { DEFAULTS, onnxDetection, torchDetection } from './fixtures';

function plan(over: Partial<ScaffoldPlan> = {}): ScaffoldPlan {
  return {
    target: 'gpu',
    baseImage: 'nvcr.io/nvidia/tritonserver:24.05-py3',
    cuda: '12.4',
    runtime: 'triton',
    framework: 'pytorch',
    image: 'proj:0.1.0',
    ports: [
      { name: 'http', port: 8000 },
      { name: 'grpc', port: 8001 },
    ],
    healthPath: '/v2/health/ready',
    serving: true,
    gpu: null,
    container: { dockerfile: 'Dockerfile', gpus: { count: 1 }, shmBytes: null, env: {} },
    files: [{ path: 'model_repository/m/config.pbtxt', content: 'name: "m"\n', action: 'create' }],
    notes: ['Target GPU follows detection.', 'Triton: inputs/outputs were not read from the model; config.pbtxt has TODO markers.'],
    errors: [],
    ...over,
  };
}

describe('detectionView: runtimes', () => {
  test('python only when nothing else fits; python first then the suggestions otherwise', () => {
    assert.deepEqual(detectionView(torchDetection()).runtimes.map((r) => r.runtime), ['python']);
    const v = detectionView(onnxDetection()).runtimes;
    assert.deepEqual(v.map((r) => r.runtime), ['python', 'triton', 'kserve']);
    assert.ok(v.every((r) => r.label.length > 0 && r.reason.length > 0));
  });

  test('each runtime names the detection signal behind it', () => {
    const d = torchDetection();
    const view = (artifacts: typeof d.artifacts, entrypoint = d.entrypoint) => detectionView({ ...d, artifacts, entrypoint }).runtimes;
    assert.match(view([{ file: 'export/1', format: 'savedmodel', bytes: 1 }]).find((r) => r.runtime === 'tfserving')?.reason ?? '', /SavedModel found \(export\/1\)/);
    assert.match(view([{ file: 'ms/r.mar', format: 'torchserve-mar', bytes: 1 }]).find((r) => r.runtime === 'torchserve')?.reason ?? '', /archive found \(ms\/r\.mar\)/);
    assert.match(view([], { file: 'handler.py', kind: 'torchserve' }).find((r) => r.runtime === 'torchserve')?.reason ?? '', /handler found \(handler\.py\)/);
    assert.match(view([{ file: 'm.pt', format: 'pytorch', bytes: 1 }]).find((r) => r.runtime === 'triton')?.reason ?? '', /TorchScript/);
    assert.equal(view([], null)[0]?.label, 'Own Python server (no entrypoint detected)');
  });
});

describe('planView', () => {
  test('runtime, ports, and TODO notes apart from the others', () => {
    const v = planView(plan(), () => undefined);
    assert.equal(v.runtime, 'triton');
    assert.deepEqual(v.ports, [
      { name: 'http', port: 8000 },
      { name: 'grpc', port: 8001 },
    ]);
    assert.deepEqual(v.todos, ['Triton: inputs/outputs were not read from the model; config.pbtxt has TODO markers.']);
    assert.deepEqual(v.notes, ['Target GPU follows detection.']);
  });

  test('no TODO notes: none to warn about', () => {
    assert.deepEqual(planView(plan({ notes: ['Triton: inputs (x) read from m.onnx'] }), () => undefined).todos, []);
  });
});

describe('choices mapping', () => {
  test('the runtime goes to the scaffold; the CUDA pick only for the Python image', () => {
    assert.equal(toScaffoldChoices({ ...DEFAULTS, runtime: 'triton' }).runtime, 'triton');
    assert.equal(toScaffoldChoices({ ...DEFAULTS, cuda: '11.8' }).cuda, '11.8');
    assert.equal(toScaffoldChoices({ ...DEFAULTS, runtime: 'tfserving', cuda: '11.8' }).cuda, undefined);
  });

  test('defaults: python unless the settings say otherwise', () => {
    assert.equal(fromScaffoldChoices({}, torchDetection(), 'proj').runtime, 'python');
    assert.equal(fromScaffoldChoices({ runtime: 'kserve' }, torchDetection(), 'proj').runtime, 'kserve');
  });
});
