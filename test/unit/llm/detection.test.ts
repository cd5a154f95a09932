// LLM detection wired into the real detector: model folders decided by their config.json
// architectures, GGUF files (split parts counted once), LLM code, serving runtimes from the
// dependencies, Hugging Face ids the code loads, and the limits (links out of the project,
// oversized configs) that hold for every file detection reads.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDetector, detectProject, toReport } from '../../../src/core/detect/index';
import { scanLlmFacts } from '../../../src/core/detect/llm';
import { PUBLISHED } from './fixtures';
import { writeHfFolder, writeLlamaGguf } from './modelFolders';

let root = '';
const dir = (...p: string[]) => join(root, ...p);

before(() => {
  root = mkdtempSync(join(tmpdir(), 'modeldock-llm-detect-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('LLM detection', () => {
  test('a Hugging Face causal-LM folder: architectures, quantization, shards, tokenizer as evidence', async () => {
    const p = dir('hf');
    writeHfFolder(join(p, 'models', 'llama'), { ...PUBLISHED.llama3_8b.config, quantization_config: { quant_method: 'awq', bits: 4, group_size: 128 } }, { shardBytes: 2e9 });
    const r = await detectProject(p);
    const m = r.llm?.models[0];
    assert.ok(m, 'model found');
    assert.equal(m.kind, 'huggingface');
    assert.equal(m.path, 'models/llama');
    assert.deepEqual(m.architectures, ['LlamaForCausalLM']);
    assert.equal(m.modelType, 'llama');
    assert.deepEqual(m.quantization, { method: 'awq', bits: 4 });
    const reasons = m.evidence.map((e) => `${e.file}${e.line ? `:${e.line}` : ''} ${e.reason}`);
    assert.ok(reasons.some((x) => /^models\/llama\/config.json:\d+ config.json architectures \["LlamaForCausalLM"\]$/.test(x)), reasons.join('\n'));
    assert.ok(reasons.some((x) => /model.safetensors.index.json safetensors index over 9 shard files/.test(x)), reasons.join('\n'));
    assert.ok(reasons.some((x) => /tokenizer/.test(x)));
    assert.ok(reasons.some((x) => /pre-quantized weights: awq 4-bit/.test(x)));
    assert.equal(r.accelerator, 'gpu', 'weights alone are served on GPUs');
    assert.deepEqual(Object.keys(toReport(r)), ['root', 'frameworks', 'primary', 'accelerator', 'cuda', 'python', 'entrypoint', 'artifacts', 'llm', 'warnings']);
  });

  test('a model folder of another task (sequence classification) is not an LLM', async () => {
    const p = dir('bert');
    mkdirSync(p);
    writeFileSync(join(p, 'config.json'), JSON.stringify({ architectures: ['BertForSequenceClassification'], model_type: 'bert' }));
    writeFileSync(join(p, 'model.safetensors'), Buffer.from([2, 0, 0, 0, 0, 0, 0, 0, 123, 125]));
    writeFileSync(join(p, 'tokenizer.json'), '{}');
    const r = await detectProject(p);
    assert.equal(r.artifacts[0]?.format, 'huggingface');
    assert.equal(r.llm, null);
    assert.equal(toReport(r).llm, null, 'the key is always in the JSON');
    assert.equal(r.accelerator, 'cpu');
  });

  test('GGUF: a split model counts once with all its bytes; a projector is not a model', async () => {
    const p = dir('gguf');
    mkdirSync(p);
    writeLlamaGguf(join(p, 'qwen-00001-of-00002.gguf'), PUBLISHED.llama3_8b.config, 'q');
    writeFileSync(join(p, 'qwen-00002-of-00002.gguf'), Buffer.alloc(1000));
    writeFileSync(join(p, 'mmproj-qwen.gguf'), Buffer.alloc(10));
    const r = await detectProject(p);
    const models = r.llm?.models ?? [];
    assert.equal(models.length, 1);
    assert.equal(models[0]!.path, 'qwen-00001-of-00002.gguf');
    const bytes = r.artifacts.filter((a) => a.file.startsWith('qwen-')).reduce((n, a) => n + a.bytes, 0);
    assert.equal(models[0]!.bytes, bytes);
    assert.match(models[0]!.evidence[0]!.reason, /part 1 of 2/);
  });

  test('code and dependencies: runtimes with evidence, LLM code, Hub ids', async () => {
    const p = dir('code');
    mkdirSync(join(p, 'tests'), { recursive: true });
    writeFileSync(join(p, 'requirements.txt'), 'torch==2.9.0\nsglang[all]==0.5.16\nLlama_CPP.python==0.3.16\ntext-generation==0.7.0\n');
    writeFileSync(
      join(p, 'serve.py'),
      [
        'import vllm',
        'from transformers import pipeline, AutoModelForCausalLM',
        'gen = pipeline("text-generation", model="mistralai/Mistral-7B-Instruct-v0.3")',
        'llm = vllm.LLM(model="meta-llama/Llama-3.1-8B-Instruct")',
        'm = AutoModelForCausalLM.from_pretrained(\'Qwen/Qwen2.5-0.5B\')',
        'print("a string that mentions sglang but imports nothing")',
        '',
      ].join('\n'),
    );
    writeFileSync(join(p, 'tests', 'test_x.py'), 'from vllm import LLM\nAutoModelForCausalLM.from_pretrained("tests/only")\n');
    const r = await detectProject(p);
    const l = r.llm!;
    assert.deepEqual(
      l.runtimes.map((x) => x.name),
      ['vllm', 'sglang', 'tgi', 'llama.cpp'],
    );
    const ev = (name: string) => l.runtimes.find((x) => x.name === name)!.evidence.map((e) => `${e.file}:${e.line} ${e.reason}`);
    assert.deepEqual(ev('vllm'), ['serve.py:1 imports vllm']);
    assert.deepEqual(ev('sglang'), ['requirements.txt:2 depends on sglang']);
    assert.deepEqual(ev('llama.cpp'), ['requirements.txt:3 depends on llama-cpp-python']);
    assert.deepEqual(ev('tgi'), ['requirements.txt:4 depends on text-generation']);
    assert.deepEqual(
      l.code.map((e) => `${e.file}:${e.line}`),
      ['serve.py:2', 'serve.py:3', 'serve.py:5'],
    );
    assert.deepEqual(
      l.hubModels.map((h) => `${h.id} ${h.file}:${h.line}`),
      ['mistralai/Mistral-7B-Instruct-v0.3 serve.py:3', 'meta-llama/Llama-3.1-8B-Instruct serve.py:4', 'Qwen/Qwen2.5-0.5B serve.py:5'],
    );
    assert.deepEqual(l.models, []);
  });

  test('notebooks count too', async () => {
    const p = dir('nb');
    mkdirSync(p);
    const nb = { cells: [{ cell_type: 'code', source: ['from transformers import AutoModelForCausalLM\n', 'm = AutoModelForCausalLM.from_pretrained("google/gemma-2-2b")\n'] }] };
    writeFileSync(join(p, 'explore.ipynb'), JSON.stringify(nb, null, 1));
    const r = await detectProject(p);
    assert.ok(r.llm?.code.length);
    assert.equal(r.llm?.hubModels[0]?.id, 'google/gemma-2-2b');
  });

  test('a config.json linked from outside the project is not read (and says so)', async () => {
    const p = dir('link');
    const outside = dir('outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'config.json'), JSON.stringify({ architectures: ['LlamaForCausalLM'] }));
    mkdirSync(join(p, 'm'), { recursive: true });
    symlinkSync(join(outside, 'config.json'), join(p, 'm', 'config.json'));
    writeFileSync(join(p, 'm', 'model.safetensors'), Buffer.from([2, 0, 0, 0, 0, 0, 0, 0, 123, 125]));
    const r = await detectProject(p);
    assert.equal(r.llm, null);
    assert.ok(r.warnings.some((w) => /m\/config.json: not read/.test(w)), r.warnings.join('\n'));
  });

  test('a config.json over the size limit is not read', async () => {
    const p = dir('big');
    mkdirSync(p);
    writeFileSync(join(p, 'config.json'), `{"architectures":["LlamaForCausalLM"],"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`);
    writeFileSync(join(p, 'model.safetensors'), Buffer.from([2, 0, 0, 0, 0, 0, 0, 0, 123, 125]));
    const r = await detectProject(p);
    assert.equal(r.llm, null);
    assert.ok(r.warnings.some((w) => /config.json: not read/.test(w)));
  });

  test('an edit to config.json is seen by the incremental detector', async () => {
    const p = dir('incr');
    writeHfFolder(join(p, 'm'), { ...PUBLISHED.mistral_7b.config, architectures: ['MistralForSequenceClassification'] });
    const det = createDetector(p);
    assert.equal((await det.detect()).llm, null);
    writeFileSync(join(p, 'm', 'config.json'), JSON.stringify(PUBLISHED.mistral_7b.config));
    const r = await det.update([join(p, 'm', 'config.json')]);
    assert.deepEqual(r.llm?.models.map((m) => m.architectures[0]), ['MistralForCausalLM']);
  });

  test('scanLlmFacts: hostile lines stay linear and ids are validated by shape', () => {
    const long = `x = AutoModelForCausalLM.from_pretrained("${'a'.repeat(200_000)}/b")`;
    const t0 = performance.now();
    const r = scanLlmFacts('a.py', `${long}\n${'pipeline(' + 'model='.repeat(50_000)}\n`);
    assert.ok(performance.now() - t0 < 1000, 'well under a second (hang guard)');
    assert.deepEqual(r.hubModels, []);
    assert.deepEqual(scanLlmFacts('b.py', 'LLM("not an id")\n').hubModels, []);
    assert.deepEqual(scanLlmFacts('c.py', 'print(1)\n'), { llm: [], hubModels: [] });
  });
});
