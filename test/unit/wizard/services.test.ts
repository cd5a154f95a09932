// The reducer's real services against the repository's examples: detection → defaults, the CUDA
// table and planScaffold, the same path the panel runs (nothing is written).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { detectProject } from '../../../src/core/detect';
import { handleMessage, initialState } from '../../../src/features/wizard/handlers';
import { createServices } from '../../../src/features/wizard/services';
import type { HostToWebview } from '../../../webview/protocol';

const repo = path.resolve(__dirname, '..', '..', '..');
const templatesDir = path.join(repo, 'templates');

async function setup(example: string) {
  const root = path.join(repo, 'examples', example);
  const detection = await detectProject(root);
  const services = createServices({ root, templatesDir, defaultTarget: 'auto', port: 8080 });
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
