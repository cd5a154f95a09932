import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { configFilesToRead, findModelFolders, llmDependencyEvidence, scanLlmSource, type ListingEntry } from '../../../src/core/llm/detect';
import { PUBLISHED } from './fixtures';

const llamaCfg = JSON.stringify(PUBLISHED.llama3_8b.config, null, 2);

describe('model folders and GGUF files from a listing', () => {
  const listing: ListingEntry[] = [
    { path: 'models/llama/config.json' },
    { path: 'models/llama/model-00001-of-00002.safetensors', size: 10 },
    { path: 'models/llama/model-00002-of-00002.safetensors', size: 20 },
    { path: 'models/llama/model.safetensors.index.json' },
    { path: 'models/llama/tokenizer.json' },
    { path: 'models/llama/tokenizer_config.json' },
    { path: 'models/bert/config.json' },
    { path: 'models/bert/model.safetensors' },
    { path: 'app/config.json' },
    { path: 'weights/qwen2.5-7b-instruct-q4_k_m-00001-of-00002.gguf', size: 4 },
    { path: 'weights/qwen2.5-7b-instruct-q4_k_m-00002-of-00002.gguf', size: 5 },
    { path: 'weights/mmproj-model-f16.gguf' },
    { path: 'src/serve.py' },
  ];

  test('only configs beside weights or tokenizers are read', () => {
    assert.deepEqual(configFilesToRead(listing), ['models/bert/config.json', 'models/llama/config.json']);
  });

  test('a causal-LM folder with shards, index and tokenizer; BERT is not an LLM', () => {
    const configs = new Map([
      ['models/llama/config.json', llamaCfg],
      ['models/bert/config.json', JSON.stringify({ architectures: ['BertForMaskedLM'], model_type: 'bert' })],
    ]);
    const { folders, gguf } = findModelFolders(listing, configs);
    assert.equal(folders.length, 1);
    const f = folders[0];
    assert.ok(f);
    assert.equal(f.folder, 'models/llama');
    assert.equal(f.task, 'causal-lm');
    assert.deepEqual(f.architectures, ['LlamaForCausalLM']);
    assert.deepEqual(f.shards, ['models/llama/model-00001-of-00002.safetensors', 'models/llama/model-00002-of-00002.safetensors']);
    assert.equal(f.index, 'models/llama/model.safetensors.index.json');
    assert.equal(f.weightBytes, 30);
    assert.deepEqual(f.tokenizerFiles, ['models/llama/tokenizer.json', 'models/llama/tokenizer_config.json']);
    // The architectures key sits on line 2 of the pretty-printed config.
    assert.deepEqual(f.evidence[0], { file: 'models/llama/config.json', line: 2, reason: 'config.json architectures ["LlamaForCausalLM"]' });
    assert.equal(f.evidence.length, 3);
    assert.deepEqual(
      gguf.map((g) => [g.file, g.role, g.split]),
      [
        ['weights/mmproj-model-f16.gguf', 'projector', null],
        ['weights/qwen2.5-7b-instruct-q4_k_m-00001-of-00002.gguf', 'model', { part: 1, count: 2 }],
        ['weights/qwen2.5-7b-instruct-q4_k_m-00002-of-00002.gguf', 'model', { part: 2, count: 2 }],
      ],
    );
  });

  test('ForConditionalGeneration and pre-quantized configs', () => {
    const cfg = JSON.stringify({ architectures: ['Mistral3ForConditionalGeneration'], quantization_config: { quant_method: 'fp8' } });
    const { folders } = findModelFolders([{ path: 'config.json' }, { path: 'model.safetensors' }], new Map([['config.json', cfg]]));
    assert.equal(folders[0]?.folder, '.');
    assert.equal(folders[0]?.task, 'conditional-generation');
    assert.equal(folders[0]?.quantization?.bits, 8);
    assert.ok(folders[0]?.evidence.some((e) => e.reason === 'pre-quantized weights: fp8 8-bit'));
    assert.equal(folders[0]?.weightBytes, null);
  });

  test('unreadable or hostile config texts are skipped', () => {
    const configs = new Map([
      ['a/config.json', '{'],
      ['b/config.json', `{"architectures":${'['.repeat(100)}${']'.repeat(100)}}`],
      ['c/config.json', '[]'],
      ['d/notconfig.json', llamaCfg],
    ]);
    assert.deepEqual(findModelFolders([], configs).folders, []);
  });
});

describe('source and dependency evidence', () => {
  test('transformers causal LM, text-generation pipeline and runtime imports, with lines', () => {
    const src = [
      'import torch',
      'from transformers import AutoModelForCausalLM, AutoTokenizer',
      'gen = pipeline(task="text-generation", model=m)',
      'from vllm import LLM, SamplingParams',
      'import sglang as sgl',
      'from llama_cpp import Llama',
      '# pipeline("text-classification")',
    ].join('\n');
    const f = scanLlmSource('serve.py', src);
    assert.deepEqual(
      f.map((x) => [x.evidence.line, x.runtime]),
      [
        [2, null],
        [3, null],
        [4, 'vllm'],
        [5, 'sglang'],
        [6, 'llama.cpp'],
      ],
    );
  });

  test('long lines are skipped and the scan stays linear on hostile input', () => {
    const huge = `x = "${'a'.repeat(1_000_000)}" AutoModelForCausalLM\n`.repeat(5) + ' pipeline('.repeat(100_000);
    const t0 = process.hrtime.bigint();
    assert.deepEqual(scanLlmSource('big.py', huge), []);
    assert.ok(Number(process.hrtime.bigint() - t0) / 1e6 < 2000);
  });

  test('dependency names are normalized (PEP 503)', () => {
    const r = llmDependencyEvidence([
      { name: 'vLLM', file: 'requirements.txt', line: 3 },
      { name: 'llama_cpp.python', file: 'pyproject.toml' },
      { name: 'text-generation', file: 'requirements.txt', line: 9 },
      { name: 'torch', file: 'requirements.txt', line: 1 },
    ]);
    assert.deepEqual(r, [
      { runtime: 'vllm', evidence: { file: 'requirements.txt', line: 3, reason: 'depends on vllm' } },
      { runtime: 'llama.cpp', evidence: { file: 'pyproject.toml', reason: 'depends on llama-cpp-python' } },
      { runtime: 'tgi', evidence: { file: 'requirements.txt', line: 9, reason: 'depends on text-generation' } },
    ]);
  });
});
