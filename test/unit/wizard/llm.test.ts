// The wizard with an LLM project: the planner's defaults pick an LLM server, the choices are
// validated like the others, the plan carries the sizing and the view shows its arithmetic.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { detectProject } from '../../../src/core/detect';
import { GPU_CATALOG } from '../../../src/core/llm/gpus';
import { LLM_GPU_IDS, SETTINGS } from '../../../src/platform/settings';
import { LLM_DEFAULTS, applyChoices, toScaffoldChoices } from '../../../src/features/containerize/choices';
import { createPlanner } from '../../../src/features/containerize/planner';
import { handleMessage, initialState } from '../../../src/features/wizard/handlers';
import { detectionView, planView } from '../../../src/features/wizard/view';
import { parsePersistedState, sanitizeChoices, type HostToWebview, type WizardChoices } from '../../../webview/protocol';
import { PUBLISHED } from '../llm/fixtures';
import { writeHfFolder } from '../llm/modelFolders';
import { DEFAULTS } from './fixtures';

const templatesDir = path.resolve(__dirname, '..', '..', '..', 'templates');
let root = '';

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-wizard-llm-'));
  writeHfFolder(path.join(root, 'models', 'Meta-Llama-3-70B'), PUBLISHED.llama3_70b.config);
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

function planOf(replies: HostToWebview[]) {
  const r = replies.find((x) => x.type === 'plan' || x.type === 'init');
  assert.ok(r && (r.type === 'plan' || r.type === 'init'));
  return r;
}

describe('wizard with an LLM project', () => {
  test('defaults: vLLM, the settings\' GPU type and load; the plan is sized and shown', async () => {
    const detection = await detectProject(root);
    const services = createPlanner({ root, templatesDir, defaultTarget: 'auto', port: 8080, allowOverrides: false, llm: { gpu: 'h100-80gb', contextLength: 8192, concurrency: 4 } });
    const state = initialState({ uri: `file://${root}`, name: 'llm' }, detection, null, { buildAndRun: false }, services);
    assert.equal(state.choices.runtime, 'vllm');
    assert.deepEqual(state.choices.llm, { gpu: 'h100-80gb', contextLength: 8192, concurrency: 4, modelId: '', autoscale: false });
    assert.ok(state.plan, state.planError ?? 'no plan');
    assert.deepEqual(state.plan.errors, []);
    const v = planView(state.plan, () => undefined).llm!;
    assert.equal(v.fits, true);
    assert.equal(v.gpuText, '4 × NVIDIA H100 80 GB (SXM5, HBM3), tensor parallel 4');
    assert.ok(v.rows.some((r) => r.label === 'Weights' && r.value === '131.42 GiB'));
    assert.deepEqual(
      v.rows.filter((r) => r.verdict).map((r) => `${r.label} ${r.verdict}`).slice(0, 4),
      ['1 × h100-80gb no', '2 × h100-80gb no', '3 × h100-80gb invalid', '4 × h100-80gb fits'],
    );
    assert.equal(v.gpuOptions[0]!.id, 'auto');
    assert.equal(v.gpuOptions.length, GPU_CATALOG.length + 1);
    const d = detectionView(detection);
    assert.equal(d.llm?.models[0]?.what, 'LlamaForCausalLM');
    assert.ok(d.runtimes.some((r) => r.runtime === 'vllm'));

    // The user asks for 8 sequences on L4: it does not fit, the plan says what would.
    const step = handleMessage(state, { type: 'choose', choices: { llm: { gpu: 'l4', concurrency: 8 } } }, services);
    const plan = planOf(step.replies).plan!;
    assert.equal(plan.llm?.fits, false);
    assert.match(plan.errors.join(' '), /does not fit on up to 8 × NVIDIA L4/);
    assert.ok(plan.llm!.alternatives.some((a) => /B200/.test(a)));
    // Back to auto: the type needing the fewest GPUs, with what was considered.
    const auto = planOf(handleMessage(step.state, { type: 'choose', choices: { llm: { gpu: 'auto' } } }, services).replies).plan!;
    assert.equal(auto.llm?.fits, true);
    assert.match(auto.llm!.gpuText, /^1 × NVIDIA B200/);
    assert.ok(auto.llm!.candidates.some((c) => c.id === 'l4' && c.gpuCount === null));
  });

  test('choices are validated: bad GPU type, context, concurrency and model id keep the old value', () => {
    const start: WizardChoices = { ...DEFAULTS, runtime: 'vllm', llm: { ...LLM_DEFAULTS } };
    const r = applyChoices(start, { llm: { gpu: 'v100', contextLength: 3, concurrency: 0, modelId: '../x' } }, []);
    assert.deepEqual(r.choices.llm, LLM_DEFAULTS);
    assert.deepEqual(Object.keys(r.invalid).sort(), ['concurrency', 'contextLength', 'llmGpu', 'modelId']);
    const ok = applyChoices(start, { llm: { gpu: 'h200', contextLength: 32768, concurrency: 2, modelId: ' Qwen/Qwen2.5-72B-Instruct ', autoscale: true } }, []);
    assert.deepEqual(ok.invalid, {});
    assert.deepEqual(ok.choices.llm, { gpu: 'h200', contextLength: 32768, concurrency: 2, modelId: 'Qwen/Qwen2.5-72B-Instruct', autoscale: true });
    const s = toScaffoldChoices(ok.choices);
    assert.deepEqual(s.llm, { gpu: 'h200', contextLength: 32768, concurrency: 2, autoscale: true, source: 'hub', modelId: 'Qwen/Qwen2.5-72B-Instruct' });
    assert.equal(toScaffoldChoices({ ...ok.choices, runtime: 'python' }).llm, undefined, 'only LLM servers get LLM choices');
  });

  test('the webview\'s messages and saved state carry the LLM choices, checked', () => {
    assert.deepEqual(sanitizeChoices({ llm: { gpu: 'l4', contextLength: 4096, concurrency: 'x', extra: 1 } }), { llm: { gpu: 'l4', contextLength: 4096 } });
    const saved = parsePersistedState({ v: 1, folder: 'file:///x', open: [], choices: { ...DEFAULTS, runtime: 'sglang', llm: { gpu: 'auto', contextLength: 8192, concurrency: 4 } } });
    assert.deepEqual(saved?.choices?.llm, { gpu: 'auto', contextLength: 8192, concurrency: 4, modelId: '', autoscale: false });
    assert.equal(saved?.choices?.runtime, 'sglang');
  });

  test('settings: the GPU types offered are the catalog\'s, defaults as documented', () => {
    assert.deepEqual([...LLM_GPU_IDS], GPU_CATALOG.map((g) => g.id));
    assert.equal(SETTINGS['llm.gpu'].default, 'auto');
    assert.equal(SETTINGS['llm.contextLength'].default, LLM_DEFAULTS.contextLength);
    assert.equal(SETTINGS['llm.concurrency'].default, LLM_DEFAULTS.concurrency);
    assert.equal(SETTINGS['llm.gpu'].parse('h100-80gb'), 'h100-80gb');
    assert.equal(SETTINGS['llm.gpu'].parse('v100'), undefined);
  });
});
