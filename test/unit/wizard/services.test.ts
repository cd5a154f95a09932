// The reducer's real services against the repository's examples: detection → defaults, the CUDA
// table and planScaffold, the same path the panel runs (nothing is written).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { detectProject } from '../../../src/core/detect';
import { handleMessage, initialState } from '../../../src/features/wizard/handlers';
import { createPlanner } from '../../../src/features/containerize/planner';
import type { HostToWebview } from '../../../webview/protocol';
import { ONNX, initializer, model, valueInfo } from '../scaffold/protobuf';

const repo = path.resolve(__dirname, '..', '..', '..');
const templatesDir = path.join(repo, 'templates');

async function setup(example: string) {
  const root = path.join(repo, 'examples', example);
  const detection = await detectProject(root);
  const services = createPlanner({ root, templatesDir, defaultTarget: 'auto', port: 8080, allowOverrides: true });
  const state = initialState({ uri: `file://${root}`, name: example }, detection, null, { buildAndRun: false }, services);
  return { detection, services, state };
}

function planOf(replies: HostToWebview[]) {
  const r = replies.find((x) => x.type === 'plan' || x.type === 'init');
  assert.ok(r && (r.type === 'plan' || r.type === 'init'));
  return r;
}

describe('wizard services on the PyTorch example', () => {
  test('GPU by default with compatible CUDA choices; CPU switches to a slim Python base', async () => {
    const { services, state } = await setup('pytorch-classifier');
    assert.equal(state.choices.target, 'gpu');
    assert.ok(state.cudaOptions.length > 0, 'CUDA options');
    assert.ok(state.cudaOptions.some((o) => o.recommended));
    assert.ok(state.plan, state.planError ?? 'no plan');
    assert.match(state.plan.baseImage ?? '', /pytorch\/pytorch|nvidia\/cuda/);
    assert.ok(state.cudaOptions.some((o) => o.cuda === state.plan?.cuda), `plan CUDA ${state.plan.cuda} among the options`);

    const cpu = handleMessage(state, { type: 'choose', choices: { target: 'cpu' } }, services);
    const p = planOf(cpu.replies);
    assert.match(p.plan?.baseImage ?? '', /^python:3\.\d+-slim$/);
    assert.deepEqual(p.cudaOptions, []);
    assert.ok(p.plan?.files.some((f) => f.path === 'Dockerfile'));
  });

  test('each compatible CUDA choice plans without errors and carries that CUDA', async () => {
    const { services, state } = await setup('pytorch-classifier');
    for (const o of state.cudaOptions) {
      const step = handleMessage(state, { type: 'choose', choices: { cuda: o.cuda } }, services);
      assert.deepEqual(step.state.plan?.errors, [], o.cuda);
      assert.equal(step.state.plan?.cuda, o.cuda);
    }
  });
});

describe('wizard services on the scikit-learn example', () => {
  test('CPU, no CUDA options, and the page is told why GPU is off', async () => {
    const { services, state } = await setup('sklearn-iris');
    assert.equal(state.choices.target, 'cpu');
    assert.deepEqual(services.cudaOptions(state.detection!), []);
    const init = handleMessage(state, { type: 'ready', state: null }, services).replies[0];
    assert.ok(init?.type === 'init');
    assert.equal(init.detection?.primaryDisplay, 'scikit-learn');
    assert.equal(init.detection?.gpu.available, false);
    assert.match(init.detection?.gpu.reason ?? '', /does not use a GPU/);
    assert.ok(init.detection?.frameworks[0]?.evidence.some((e) => e.file === 'requirements.txt' && e.line !== null));
  });
});

describe('wizard services: Triton reads the ONNX model', () => {
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-wizard-onnx-'));
    fs.writeFileSync(path.join(dir, 'requirements.txt'), 'onnxruntime==1.18.0\n');
    fs.mkdirSync(path.join(dir, 'models'));
    fs.writeFileSync(
      path.join(dir, 'models', 'detector.onnx'),
      model({ initializers: [initializer('w')], inputs: [valueInfo('images', ONNX.FLOAT, ['batch', 3, 640, 640])], outputs: [valueInfo('boxes', ONNX.FLOAT, ['batch', 100, 4])] }),
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function triton() {
    const detection = await detectProject(dir);
    const services = createPlanner({ root: dir, templatesDir, defaultTarget: 'cpu', port: 8080, allowOverrides: true });
    const state = initialState({ uri: `file://${dir}`, name: 'onnx' }, detection, null, { buildAndRun: false }, services);
    assert.ok(state.detection?.artifacts.some((a) => a.format === 'onnx'), 'the ONNX model is detected');
    return handleMessage(state, { type: 'choose', choices: { runtime: 'triton' } }, services);
  }

  test('choosing Triton re-plans: its image, ports and a config.pbtxt with the model inputs/outputs', async () => {
    const step = await triton();
    const p = planOf(step.replies).plan;
    assert.equal(p?.runtime, 'triton');
    assert.match(p?.baseImage ?? '', /^nvcr\.io\/nvidia\/tritonserver:\d\d\.\d\d-py3$/);
    assert.deepEqual(p?.ports.map((x) => x.port), [8000, 8001, 8002]);
    const cfg = p?.files.find((f) => f.path === 'model_repository/detector/config.pbtxt')?.content ?? '';
    assert.match(cfg, /name: "images"\n {2}data_type: TYPE_FP32\n {2}dims: \[ -1, 3, 640, 640 \]/);
    assert.match(cfg, /name: "boxes"/);
    assert.deepEqual(p?.todos, []);
  });

  test('a model that does not parse: TODO markers, and the page gets a TODO warning saying why', async () => {
    fs.writeFileSync(path.join(dir, 'models', 'detector.onnx'), 'not a model');
    const p = planOf((await triton()).replies).plan;
    assert.match(p?.files.find((f) => f.path === 'model_repository/detector/config.pbtxt')?.content ?? '', /TODO\(modeldock\)/);
    assert.equal(p?.todos.length, 1);
    assert.match(p?.todos[0] ?? '', /models\/detector\.onnx: not a readable ONNX model/);
  });
});
