// The GPU-target choice in both front-ends (wizard reducer, Quick Picks' shared rules) and the
// question before writing an UNVERIFIED plan.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { GPU_ARCHS, archRow } from '../../../src/core/cuda/index';
import { detectProject } from '../../../src/core/detect';
import { applyChoices, gpuArchOptions, patchFromScaffoldChoices, resultingGpuArch, toScaffoldChoices } from '../../../src/features/containerize/choices';
import { createPlanner } from '../../../src/features/containerize/planner';
import { handleMessage, initialState } from '../../../src/features/wizard/handlers';
import { parsePersistedState, sanitizeChoices, type WizardChoices } from '../../../webview/protocol';
import { CUDA_OPTIONS, DEFAULTS, fakeServices, torchDetection } from './fixtures';

const FOLDER = { uri: 'file:///ws/proj', name: 'proj' };
const repo = path.resolve(__dirname, '..', '..', '..');

describe('GPU target: protocol and rules', () => {
  test('the page sends a name; the host accepts only the families the table knows', () => {
    assert.deepEqual(sanitizeChoices({ gpuArch: 'ampere' }), { gpuArch: 'ampere' });
    for (const bad of ['Ampere', 'sm_86', '', 3, null, 'a'.repeat(40)]) assert.deepEqual(sanitizeChoices({ gpuArch: bad }), {}, String(bad));
    const shaped = sanitizeChoices({ gpuArch: 'kepler' });
    const r = applyChoices(DEFAULTS, shaped ?? {}, CUDA_OPTIONS);
    assert.equal(r.choices.gpuArch, 'any');
    assert.match(r.invalid.gpuArch ?? '', /kepler is not a GPU family/);
    assert.equal(applyChoices(DEFAULTS, { gpuArch: 'hopper' }, CUDA_OPTIONS).choices.gpuArch, 'hopper');
    // State saved by an older version: no GPU target, or one this version does not know.
    const saved = { target: 'gpu', cuda: null, outputs: { dockerfile: true }, port: 8080, imageName: 'x' };
    assert.equal(parsePersistedState({ v: 1, folder: 'f', choices: saved })?.choices?.gpuArch, 'any');
    const odd = { ...DEFAULTS, gpuArch: 'volta2' } as unknown as WizardChoices;
    assert.equal(applyChoices(odd, {}, CUDA_OPTIONS).choices.gpuArch, 'any');
    assert.equal(resultingGpuArch(odd, {}), 'any');
    assert.equal(resultingGpuArch(DEFAULTS, { gpuArch: 'ada' }), 'ada');
  });

  test('the scaffold gets the GPU target for GPU plans (model servers too), not for CPU or `any`', () => {
    assert.equal(toScaffoldChoices({ ...DEFAULTS, gpuArch: 'ada' }).gpuArch, 'ada');
    assert.equal(toScaffoldChoices({ ...DEFAULTS, gpuArch: 'ada', runtime: 'triton' }).gpuArch, 'ada');
    assert.equal('gpuArch' in toScaffoldChoices({ ...DEFAULTS, gpuArch: 'ada', target: 'cpu' }), false);
    assert.equal('gpuArch' in toScaffoldChoices(DEFAULTS), false);
    const { patch, given } = patchFromScaffoldChoices({ gpuArch: 'turing' });
    assert.equal(patch.gpuArch, 'turing');
    assert.equal(given.gpuArch, true);
  });

  test('the options: `any` first, then every family of the table with its example GPUs', () => {
    const options = gpuArchOptions();
    assert.equal(options[0]?.arch, 'any');
    assert.deepEqual(options.slice(1).map((o) => o.arch), [...GPU_ARCHS]);
    for (const o of options.slice(1)) assert.ok(o.detail.startsWith(archRow(o.arch as (typeof GPU_ARCHS)[number]).examples), o.detail);
  });
});

describe('GPU target: the wizard reducer', () => {
  test('init lists the GPU targets; choosing one re-computes the CUDA list for it', () => {
    const seen: string[] = [];
    const base = fakeServices();
    const services = { ...base, cudaOptions: (d: Parameters<typeof base.cudaOptions>[0], arch?: string) => (seen.push(arch ?? 'none'), base.cudaOptions(d)) };
    const state = initialState(FOLDER, torchDetection(), null, { buildAndRun: false }, services);
    const init = handleMessage(state, { type: 'ready', state: null }, services).replies.find((r) => r.type === 'init');
    assert.ok(init?.type === 'init');
    assert.deepEqual(init.gpuArchs.map((o) => o.arch), ['any', ...GPU_ARCHS]);
    seen.length = 0;
    const step = handleMessage(state, { type: 'choose', choices: { gpuArch: 'hopper' } }, services);
    assert.equal(step.state.choices.gpuArch, 'hopper');
    assert.ok(seen.length > 0 && seen.every((a) => a === 'hopper'), seen.join(','));
  });

  test('Generate on an UNVERIFIED plan carries the reason, so the panel asks first (every time)', () => {
    const base = fakeServices();
    const services = { ...base, plan: (d: Parameters<typeof base.plan>[0], c: WizardChoices) => ({ ...base.plan(d, c), unverified: 'torch 9.9.9 is not in the table' }) };
    const state = initialState(FOLDER, torchDetection(), null, { buildAndRun: false }, services);
    const eff = handleMessage(state, { type: 'generate' }, services).effects[0];
    assert.ok(eff && eff.kind === 'write');
    assert.equal(eff.unverified, 'torch 9.9.9 is not in the table');
    const init = handleMessage(state, { type: 'ready', state: null }, services).replies.find((r) => r.type === 'init');
    assert.ok(init?.type === 'init');
    assert.equal(init.plan?.unverified, 'torch 9.9.9 is not in the table');
    const verified = handleMessage(initialState(FOLDER, torchDetection(), null, { buildAndRun: false }, base), { type: 'generate' }, base).effects[0];
    assert.ok(verified && verified.kind === 'write' && verified.unverified === null);
  });
});

describe('GPU target: the real planner on the PyTorch example (torch 2.3.1+cu121)', () => {
  test('Hopper keeps the builds that have its kernels; Blackwell has none and the plan says what would work', async () => {
    const root = path.join(repo, 'examples', 'pytorch-classifier');
    const detection = await detectProject(root);
    const services = createPlanner({ root, templatesDir: path.join(repo, 'templates'), defaultTarget: 'auto', port: 8080, allowOverrides: false });
    const state = initialState({ uri: `file://${root}`, name: 'pytorch-classifier' }, detection, null, { buildAndRun: false }, services);
    assert.equal(state.choices.target, 'gpu');

    const hopper = handleMessage(state, { type: 'choose', choices: { gpuArch: 'hopper' } }, services).state;
    assert.ok(hopper.cudaOptions.length > 0);
    assert.deepEqual(hopper.plan?.errors, []);
    assert.ok(hopper.plan?.archs?.supported.includes('hopper'));

    const blackwell = handleMessage(state, { type: 'choose', choices: { gpuArch: 'blackwell' } }, services).state;
    assert.deepEqual(blackwell.cudaOptions, []);
    assert.match(blackwell.plan?.errors.join(' ') ?? '', /Blackwell.*Instead:/);
    assert.deepEqual(blackwell.plan?.files, []);
  });
});
