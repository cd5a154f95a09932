import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { bufferByteSource, GiB } from '../../../src/core/llm/bytes';
import { parseModelConfig } from '../../../src/core/llm/config';
import { ggufArchitecture, parseGgufHeader, summarizeGguf } from '../../../src/core/llm/gguf';
import { GPU_CATALOG, cudaVisibleBytes, findGpu } from '../../../src/core/llm/gpus';
import { parseSafetensorsHeader, summarizeSafetensors } from '../../../src/core/llm/safetensors';
import { formatSizingReport, kvBytesPerToken, sizeLlm, tensorParallelProblem, type SizingOptions, type SizingReport } from '../../../src/core/llm/sizing';
import type { ModelFacts } from '../../../src/core/llm/types';
import { PUBLISHED, awqTensors, ggufHeaderOnly, hfTensors, llamaGgufMetadata, llamaQ4KMTensors, safetensorsHeaderOnly, type Config, type TensorSpec } from './fixtures';

function facts(name: string, config: Config, tensors: TensorSpec[] | null = hfTensors(config)): ModelFacts {
  const a = parseModelConfig(JSON.stringify(config));
  assert.ok(a.ok);
  if (!tensors) return { name, weights: null, architecture: a.value, warnings: [] };
  const h = parseSafetensorsHeader(bufferByteSource(safetensorsHeaderOnly(tensors).bytes));
  assert.ok(h.ok);
  return { name, weights: summarizeSafetensors([{ file: 'model.safetensors', header: h.value, fileBytes: null }], a.value.quantization), architecture: a.value, warnings: [] };
}

function size(m: ModelFacts, o: SizingOptions): SizingReport {
  const r = sizeLlm(m, o);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.value;
}

const llama8 = facts('Llama-3-8B', PUBLISHED.llama3_8b.config);
const llama70 = facts('Llama-3-70B', PUBLISHED.llama3_70b.config);
// L4: (23,034 − 512) MiB = 23,616,028,672 B visible to CUDA; × 0.90 = 21,254,425,804.8 B usable.
const L4_USABLE = 21_254_425_804.8;

describe('sizing, checked by hand', () => {
  test('Llama-3-8B bf16, 8k context, 1 sequence: one L4', () => {
    const r = size(llama8, { gpu: 'l4', contextLength: 8192 });
    // KV per token = 2 × 32 layers × 8 KV heads × 128 × 2 B = 131,072 B.
    // Overhead = 0.5 GiB + 2,048-token chunk × 2 B × (6 × 4,096 + 4 × 14,336) = 536,870,912 + 335,544,320 = 872,415,232 B.
    // KV budget = 21,254,425,804.8 − 16,060,522,496 − 872,415,232 = 4,321,488,076.8 B → 32,970 tokens → 32,960 in 16-token blocks.
    assert.equal(r.model.kvBytesPerToken, 131_072);
    assert.equal(r.model.weightBytes, 16_060_522_496);
    assert.ok(r.fits);
    const o = r.chosen;
    assert.ok(o);
    assert.equal(o.usableBytesPerGpu, L4_USABLE);
    assert.equal(o.overheadBytesPerGpu, 872_415_232);
    assert.ok(Math.abs(o.kvBudgetBytesPerGpu - 4_321_488_076.8) < 1);
    assert.equal(o.kvTokens, 32_960);
    assert.equal(o.maxConcurrency, 4);
    assert.deepEqual(r.recommendation, { runtime: 'vllm', gpuType: 'l4', gpuCount: 1, tensorParallel: 1, maxModelLen: 8192, gpuMemoryUtilization: 0.9, concurrency: 1, kvCacheDtype: 'auto', quantization: null });
    assert.deepEqual(r.alternatives, []);
    const row = r.rows.find((x) => x.label === 'KV cache per token');
    assert.equal(row?.value, '128 KiB');
    assert.equal(row?.detail, '2 × 32 layers × 8 KV heads × 128 head dim × 2 B');
  });

  test('…8 sequences need two L4s (tensor parallel 2), and the report says they have no NVLink', () => {
    const r = size(llama8, { gpu: 'l4', contextLength: 8192, concurrency: 8 });
    // TP1: 32,960 tokens < 65,536. TP2: weights 8,030,261,248 B per GPU; overhead 1 GiB + 2,048 × 2 × (24,576 + 28,672)
    // = 1,291,845,632 B; KV = 21,254,425,804.8 − 8,030,261,248 − 1,291,845,632 = 11,932,318,924.8 B over 65,536 B
    // per token per GPU (4 of the 8 KV heads) = 182,072 → 182,064 tokens.
    assert.equal(r.options[0]?.fits, false);
    assert.equal(r.recommendation?.tensorParallel, 2);
    assert.equal(r.chosen?.kvTokens, 182_064);
    assert.equal(r.chosen?.kvBytesPerTokenPerGpu, 65_536);
    assert.equal(r.chosen?.maxConcurrency, 22);
    assert.ok(r.sentences.some((s) => s.includes('no NVLink')));
    assert.match(r.options[2]?.invalid ?? '', /32 attention heads are not divisible by 3/);
  });

  test('Llama-3-70B bf16, 8k × 4 on H100 80GB: TP2 holds one sequence, TP4 is needed', () => {
    const r = size(llama70, { gpu: 'h100-80gb', contextLength: 8192, concurrency: 4 });
    // H100: (81,559 − 512) MiB = 84,983,939,072 B; × 0.9 = 76,485,545,164.8 B. Chunk 8,192 tokens (≥ 70 GiB, not A100).
    // TP2: 70,553,706,496 B weights; overhead 1 GiB + 8,192 × 2 × (49,152 + 57,344) = 2,818,572,288;
    //      KV 3,113,266,380.8 B / 163,840 B per token (4 KV heads) = 19,001 → 18,992 tokens: 2 × 8,192, not 4.
    // TP4: 35,276,853,248 B weights; overhead 2,348,810,240; KV 38,859,881,676.8 B / 81,920 = 474,363 → 474,352 tokens.
    assert.equal(r.options[1]?.kvTokens, 18_992);
    assert.equal(r.options[1]?.fits, false);
    assert.equal(r.recommendation?.tensorParallel, 4);
    assert.equal(r.chosen?.kvTokens, 474_352);
    assert.ok((r.options[0]?.kvBudgetBytesPerGpu ?? 0) < 0);
  });

  test('Llama-3-70B bf16 does not fit 8 × L4 at 8k × 8, and the report says what would', () => {
    const r = size(llama70, { gpu: 'l4', contextLength: 8192, concurrency: 8 });
    // 8 × L4: weights 17,638,426,624 B per GPU; KV per token per GPU = 2 × 80 × 1 × 128 × 2 = 40,960 B;
    // KV budget ≈ 2.13 GiB → 55,712 tokens < 65,536 needed (6 sequences of 8,192).
    assert.equal(r.fits, false);
    assert.equal(r.recommendation, null);
    assert.equal(r.chosen?.gpuCount, 8);
    assert.equal(r.chosen?.kvTokens, 55_712);
    const kinds = r.alternatives.map((a) => a.kind);
    for (const k of ['gpu', 'shorter-context', 'fewer-sequences', 'fp8-kv-cache', 'fp8-weights', 'int4-weights']) assert.ok(kinds.includes(k as never), k);
    // 55,712 tokens / 8 sequences = 6,964 → 6,144 (whole KiB of tokens); 55,712 / 8,192 = 6 sequences.
    assert.equal(r.alternatives.find((a) => a.kind === 'shorter-context')?.contextLength, 6144);
    assert.equal(r.alternatives.find((a) => a.kind === 'fewer-sequences')?.concurrency, 6);
    // An FP8 KV cache halves 40,960 B to 20,480 B per token: ~111k tokens on the same 8 GPUs.
    assert.equal(r.alternatives.find((a) => a.kind === 'fp8-kv-cache')?.gpuCount, 8);
    // int4: 68,451,041,280 linear weights × 133/256 B + 2,102,665,216 × 2 B ≈ 37.04 GiB: fits 4 × L4.
    assert.equal(r.alternatives.find((a) => a.kind === 'int4-weights')?.gpuCount, 4);
    for (const a of r.alternatives) {
      const again = sizeLlm(llama70, { gpu: a.gpu, contextLength: a.contextLength, concurrency: a.concurrency, kvCacheDtype: a.kind === 'fp8-kv-cache' ? 'fp8' : 'auto' });
      if (a.kind === 'gpu' || a.kind === 'shorter-context' || a.kind === 'fewer-sequences' || a.kind === 'fp8-kv-cache') {
        assert.ok(again.ok && again.value.fits && again.value.recommendation?.gpuCount === a.gpuCount, `${a.kind}: ${a.text}`);
      }
    }
    assert.ok(r.sentences.some((s) => s.startsWith('Does not fit on up to 8 × NVIDIA L4')));
    assert.ok(r.sentences.filter((s) => s.startsWith('What would:')).length === r.alternatives.length);
  });

  test('Mixtral-8x7B on A100 80GB, 4k × 16: two GPUs; activations use the 2 active experts', () => {
    const r = size(facts('Mixtral-8x7B', PUBLISHED.mixtral_8x7b.config), { gpu: 'a100-80gb', contextLength: 4096, concurrency: 16 });
    // A100 80GB: (81,920 − 512) MiB = 85,361,426,432 B; × 0.9 = 76,825,283,788.8 B; chunk 2,048 (A100 keeps vLLM's small default).
    // TP1: 93,405,585,408 B of weights do not fit. TP2: 46,702,792,704 B per GPU; overhead 1 GiB + 2,048 × 2 ×
    // (6 × 4,096 + 4 × 14,336 × 2 experts / 2) = 1,409,286,144 B; KV 28,713,204,940.8 B / 65,536 B = 438,128 tokens ≥ 65,536.
    assert.equal(r.options[0]?.fits, false);
    assert.equal(r.recommendation?.tensorParallel, 2);
    assert.equal(r.chosen?.overheadBytesPerGpu, 1_409_286_144);
    assert.equal(r.chosen?.kvTokens, 438_128);
  });

  test('calibration: within 0.5 GiB of vLLM logged KV budgets (Llama-3.1-8B: 54.62 GiB on H100, 4.60 GiB on L4)', () => {
    const h = size(llama8, { gpu: 'h100-80gb', contextLength: 8192 });
    assert.ok(Math.abs(h.chosen!.kvBudgetBytesPerGpu / GiB - 54.62) < 0.5, String(h.chosen!.kvBudgetBytesPerGpu / GiB));
    const l = size(llama8, { gpu: 'l4', contextLength: 8192 });
    const kvL4 = l.chosen!.kvBudgetBytesPerGpu / GiB;
    // The L4 log came from an older vLLM (2,048-token chunk, 0.05 GiB non-torch): ours is lower, never higher.
    assert.ok(kvL4 <= 4.6 && kvL4 > 4.6 - 0.75, String(kvL4));
  });

  test('GGUF Q4_K_M on one L4 with llama.cpp: 8k × 4 slots', () => {
    const c = PUBLISHED.llama3_8b.config;
    const h = parseGgufHeader(bufferByteSource(ggufHeaderOnly(llamaGgufMetadata(c, 'llama3'), llamaQ4KMTensors(c)).bytes));
    assert.ok(h.ok);
    const a = ggufArchitecture(h.value.metadata);
    assert.ok(a.ok);
    const m: ModelFacts = { name: 'llama3 Q4_K_M', weights: summarizeGguf(h.value, 'x.gguf', null), architecture: a.value, warnings: [] };
    const r = size(m, { gpu: 'l4', contextLength: 8192, concurrency: 4 });
    // llama.cpp plans 0.95 × 23,616,028,672 = 22,435,227,238.4 B; weights 4,912,898,048 B; overhead 0.5 GiB
    // + 512 × 2 × (24,576 + 57,344) + 512 × 128,256 × 4 (f32 logits) = 883,425,280 B; KV (f16) 131,072 B per token:
    // 16,638,903,910.4 / 131,072 = 126,944 tokens ≥ 32,768.
    assert.equal(r.runtime, 'llama.cpp');
    assert.equal(r.chosen?.kvTokens, 126_944);
    assert.deepEqual(r.recommendation, { runtime: 'llama.cpp', gpuType: 'l4', gpuCount: 1, tensorParallel: null, maxModelLen: 8192, gpuMemoryUtilization: null, concurrency: 4, kvCacheDtype: 'auto', quantization: null });
    assert.equal(sizeLlm(m, { gpu: 'l4', runtime: 'vllm' }).ok, false);
  });

  test('AWQ 4-bit Llama-3-8B fits a T4 with 8k × 4; no quantization alternatives are offered for it', () => {
    const cfg = { ...PUBLISHED.llama3_8b.config, torch_dtype: 'float16', quantization_config: { quant_method: 'awq', bits: 4, group_size: 128 } };
    const m = facts('llama3-awq', cfg, awqTensors(cfg));
    const r = size(m, { gpu: 't4', contextLength: 8192, concurrency: 4 });
    assert.equal(r.model.weightBytes, 5_727_854_592);
    assert.ok(r.fits);
    const big = size(m, { gpu: 't4', contextLength: 8192, concurrency: 64 });
    assert.equal(big.alternatives.some((a) => a.kind === 'int4-weights' || a.kind === 'fp8-weights'), false);
  });

  test('config-only sizing estimates the same bf16 weights and flags the estimate', () => {
    const r = size(facts('Llama-3-8B', PUBLISHED.llama3_8b.config, null), { gpu: 'l4', contextLength: 8192 });
    assert.equal(r.model.weightsFrom, 'config estimate');
    assert.equal(r.model.weightBytes, 16_060_522_496);
    assert.ok(r.assumptions.some((a) => a.includes('estimated from config.json')));
    assert.equal(r.chosen?.kvTokens, 32_960);
  });

  test('SGLang gets its static fraction; TGI its memory fraction', () => {
    // (21,254,425,804.8 − 872,415,232) / 23,616,028,672 = 0.863 → 0.86 (weights + KV only).
    assert.equal(size(llama8, { gpu: 'l4', contextLength: 8192, runtime: 'sglang' }).recommendation?.gpuMemoryUtilization, 0.86);
    assert.equal(size(llama8, { gpu: 'l4', contextLength: 8192, runtime: 'tgi' }).recommendation?.gpuMemoryUtilization, 0.9);
    assert.ok(size(llama8, { gpu: 'l4', runtime: 'tgi' }).sentences.some((s) => s.includes('maintenance mode')));
  });

  test('context defaults to min(8192, model max) and is capped at the model max', () => {
    assert.equal(size(llama8, { gpu: 'h100-80gb' }).contextLength, 8192);
    const r = size(llama8, { gpu: 'h100-80gb', contextLength: 100_000 });
    assert.equal(r.contextLength, 8192);
    assert.ok(r.sentences[0]?.includes('supports at most 8,192'));
  });

  test('an FP8 KV cache halves the bytes per token', () => {
    assert.equal(size(llama8, { gpu: 'l4', kvCacheDtype: 'fp8' }).model.kvBytesPerToken, 65_536);
  });

  test('the report formats as a table with assumptions and what is not modelled', () => {
    const text = formatSizingReport(size(facts('Mistral-7B', PUBLISHED.mistral_7b.config), { gpu: 'a10g', contextLength: 4096, concurrency: 2 }));
    assert.match(text, /^Weights +13\.49 GiB/m);
    assert.match(text, /Assumptions:/);
    assert.match(text, /sliding-window attention \(window 4,096\)/);
  });

  test('input errors are data, not exceptions', () => {
    for (const o of [{ gpu: 'tpu-v5' }, { gpu: 'l4', gpuMemoryUtilization: 1.5 }, { gpu: 'l4', concurrency: 0 }, { gpu: 'l4', contextLength: 4 }, { gpu: 'l4', maxGpus: 0 }]) {
      const r = sizeLlm(llama8, o);
      assert.equal(r.ok, false, JSON.stringify(o));
    }
    assert.match((sizeLlm({ name: 'x', weights: null, architecture: null, warnings: [] }, { gpu: 'l4' }) as { error: string }).error, /cannot be sized/);
    assert.equal(sizeLlm(llama8, { gpu: 'l4', runtime: 'llama.cpp' }).ok, false);
  });
});

describe('KV cache and tensor-parallel rules', () => {
  const arch = (c: Config) => {
    const a = parseModelConfig(JSON.stringify(c));
    assert.ok(a.ok);
    return a.value;
  };

  test('MLA caches one latent per token and layer, on every GPU', () => {
    const ds = arch({ architectures: ['DeepseekV2ForCausalLM'], hidden_size: 2048, num_hidden_layers: 27, num_attention_heads: 16, num_key_value_heads: 16, kv_lora_rank: 512, qk_rope_head_dim: 64 });
    // 27 layers × (512 + 64) × 2 B = 31,104 B per token, replicated (not split) over TP ranks.
    assert.equal(kvBytesPerToken(ds, 2), 31_104);
    assert.equal(kvBytesPerToken(ds, 2, 4), 31_104);
  });

  test('KV heads are replicated when TP exceeds them (vLLM) but must divide (TGI)', () => {
    const a = arch({ num_hidden_layers: 2, hidden_size: 4096, num_attention_heads: 32, num_key_value_heads: 2, intermediate_size: 11008 });
    assert.equal(tensorParallelProblem(a, 4, 'vllm'), null);
    assert.equal(kvBytesPerToken(a, 2, 4), 2 * 2 * 1 * 128 * 2);
    assert.match(tensorParallelProblem(a, 4, 'tgi') ?? '', /TGI does not replicate/);
    assert.match(tensorParallelProblem(a, 3, 'vllm') ?? '', /32 attention heads are not divisible by 3/);
    const w = arch({ num_hidden_layers: 2, hidden_size: 4096, num_attention_heads: 32, num_key_value_heads: 8, intermediate_size: 11004 });
    assert.match(tensorParallelProblem(w, 8, 'vllm') ?? '', /MLP width 11004 is not divisible by 8/);
    assert.equal(tensorParallelProblem(a, 8, 'llama.cpp'), null);
    const odd = arch({ num_hidden_layers: 2, hidden_size: 3584, num_attention_heads: 28, num_key_value_heads: 4, intermediate_size: 18944 });
    assert.equal(tensorParallelProblem(odd, 4, 'vllm'), null);
    assert.match(tensorParallelProblem(odd, 7, 'vllm') ?? '', /not a multiple of the 4 KV heads/);
  });

  test('every catalog GPU has a plausible memory figure', () => {
    for (const g of GPU_CATALOG) {
      assert.ok(g.memoryMiB > 15000 && g.memoryMiB < 200000, g.id);
      assert.ok(cudaVisibleBytes(g) < g.memoryMiB * 1048576);
      assert.equal(findGpu(g.id.toUpperCase()), g);
    }
    assert.equal(findGpu('h200')?.memoryMiB, 143771);
  });
});
