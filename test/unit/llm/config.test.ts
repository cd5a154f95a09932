import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { estimateParameters, parseModelConfig, quantizationFromConfig } from '../../../src/core/llm/config';
import { PUBLISHED } from './fixtures';

describe('config.json → architecture', () => {
  test('Llama-3-8B: GQA with 8 KV heads of 128', () => {
    const r = parseModelConfig(JSON.stringify(PUBLISHED.llama3_8b.config));
    assert.ok(r.ok);
    assert.deepEqual(
      { l: r.value.numLayers, h: r.value.hiddenSize, q: r.value.numAttentionHeads, kv: r.value.numKeyValueHeads, d: r.value.headDim, max: r.value.maxPositionEmbeddings, dt: r.value.dtype },
      { l: 32, h: 4096, q: 32, kv: 8, d: 128, max: 8192, dt: 'bfloat16' },
    );
    assert.equal(r.value.moe, null);
    assert.equal(r.value.slidingWindow, null);
  });

  test('the config-only estimate reproduces every published count', () => {
    for (const [k, m] of Object.entries(PUBLISHED)) {
      const r = parseModelConfig(JSON.stringify(m.config));
      assert.ok(r.ok, k);
      assert.equal(estimateParameters(r.value)?.total, m.params, k);
    }
  });

  test('Mixtral: 8 experts, 2 per token; Mistral v0.1 declares a 4096-token sliding window; Qwen2.5 disables its own', () => {
    const mx = parseModelConfig(JSON.stringify(PUBLISHED.mixtral_8x7b.config));
    assert.ok(mx.ok);
    assert.deepEqual(mx.value.moe, { numExperts: 8, expertsPerToken: 2, expertIntermediateSize: 14336 });
    const mi = parseModelConfig(JSON.stringify(PUBLISHED.mistral_7b.config));
    assert.ok(mi.ok);
    assert.equal(mi.value.slidingWindow, 4096);
    const qw = parseModelConfig(JSON.stringify(PUBLISHED.qwen25_72b.config));
    assert.ok(qw.ok);
    assert.equal(qw.value.slidingWindow, null);
  });

  test('vision-language wrappers: the decoder under text_config', () => {
    const cfg = {
      architectures: ['LlavaForConditionalGeneration'],
      model_type: 'llava',
      torch_dtype: 'float16',
      text_config: { model_type: 'llama', hidden_size: 4096, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 32, intermediate_size: 11008, vocab_size: 32064, max_position_embeddings: 4096 },
      vision_config: { hidden_size: 1024, num_hidden_layers: 24, num_attention_heads: 16 },
    };
    const r = parseModelConfig(JSON.stringify(cfg));
    assert.ok(r.ok);
    assert.equal(r.value.numLayers, 32);
    assert.equal(r.value.numKeyValueHeads, 32);
    assert.equal(r.value.dtype, 'float16');
  });

  test('GPT-2 and multi-query names; newer transformers write "dtype"', () => {
    const gpt2 = parseModelConfig(JSON.stringify({ architectures: ['GPT2LMHeadModel'], n_layer: 12, n_head: 12, n_embd: 768, n_positions: 1024, vocab_size: 50257, dtype: 'float32' }));
    assert.ok(gpt2.ok);
    assert.deepEqual([gpt2.value.numLayers, gpt2.value.numKeyValueHeads, gpt2.value.headDim, gpt2.value.maxPositionEmbeddings, gpt2.value.dtype], [12, 12, 64, 1024, 'float32']);
    const mqa = parseModelConfig(JSON.stringify({ n_layer: 40, n_head: 48, n_embd: 6144, multi_query: true }));
    assert.ok(mqa.ok);
    assert.equal(mqa.value.numKeyValueHeads, 1);
  });

  test('rope scaling: YaRN multiplies the original length; llama3 type does not', () => {
    const yarn = parseModelConfig(JSON.stringify({ ...PUBLISHED.qwen25_72b.config, rope_scaling: { type: 'yarn', factor: 4.0, original_max_position_embeddings: 32768 } }));
    assert.ok(yarn.ok);
    assert.equal(yarn.value.maxPositionEmbeddings, 131072);
    const l31 = parseModelConfig(JSON.stringify({ ...PUBLISHED.llama3_8b.config, max_position_embeddings: 131072, rope_scaling: { rope_type: 'llama3', factor: 8.0, original_max_position_embeddings: 8192 } }));
    assert.ok(l31.ok);
    assert.equal(l31.value.maxPositionEmbeddings, 131072);
  });

  test('DeepSeek MLA: latent rank and rope dims; no parameter estimate', () => {
    const r = parseModelConfig(JSON.stringify({ architectures: ['DeepseekV2ForCausalLM'], model_type: 'deepseek_v2', hidden_size: 2048, num_hidden_layers: 27, num_attention_heads: 16, num_key_value_heads: 16, kv_lora_rank: 512, qk_rope_head_dim: 64, qk_nope_head_dim: 128, v_head_dim: 128, n_routed_experts: 64, num_experts_per_tok: 6, moe_intermediate_size: 1408, intermediate_size: 10944, vocab_size: 102400 }));
    assert.ok(r.ok);
    assert.deepEqual(r.value.mla, { kvLoraRank: 512, qkRopeHeadDim: 64 });
    assert.equal(estimateParameters(r.value), null);
  });

  test('hybrid layers are flagged as not modelled', () => {
    const r = parseModelConfig(JSON.stringify({ ...PUBLISHED.llama3_8b.config, layer_types: ['linear_attention', 'full_attention'] }));
    assert.ok(r.ok);
    assert.equal(r.value.unmodelled.length, 1);
  });
});

describe('quantization_config', () => {
  const q = (c: Record<string, unknown>) => quantizationFromConfig({ quantization_config: c });
  test('AWQ, GPTQ, bitsandbytes, FP8, compressed-tensors, ModelOpt', () => {
    assert.deepEqual(q({ quant_method: 'awq', bits: 4, group_size: 128 }), { method: 'awq', bits: 4, groupSize: 128, source: 'config.json quantization_config' });
    assert.equal(q({ quant_method: 'gptq', bits: 8, group_size: -1 })?.bits, 8);
    assert.equal(q({ quant_method: 'bitsandbytes', load_in_4bit: true, bnb_4bit_quant_type: 'nf4' })?.bits, 4);
    assert.equal(q({ quant_method: 'fp8', activation_scheme: 'dynamic', weight_block_size: [128, 128] })?.bits, 8);
    assert.equal(q({ quant_method: 'compressed-tensors', config_groups: { group_0: { weights: { num_bits: 4, type: 'int', group_size: 128 } } } })?.bits, 4);
    assert.equal(q({ quant_method: 'modelopt', quant_algo: 'NVFP4' })?.bits, 4);
    assert.equal(quantizationFromConfig({}), null);
  });
});

describe('hostile config.json', () => {
  for (const [name, text, re] of [
    ['not JSON', '{', /not valid JSON/],
    ['an array', '[]', /not a JSON object/],
    ['deep nesting', `{"a":${'['.repeat(200)}${']'.repeat(200)}}`, /nests deeper/],
    ['too large', `{"a":"${'x'.repeat(5 * 1024 * 1024)}"}`, /over the/],
    ['no layer count', '{"hidden_size": 8}', /lacks the layer count/],
    ['strings where numbers belong', '{"num_hidden_layers":"32","hidden_size":4096,"num_attention_heads":32}', /lacks the layer count/],
  ] as const) {
    test(name, () => {
      const r = parseModelConfig(text);
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.error, re);
    });
  }
});
