// Hugging Face config.json → the architecture facts sizing needs. Field names vary by family
// (Llama/Mistral/Qwen use num_hidden_layers…, GPT-2 n_layer/n_head/n_embd, MPT n_layers/d_model,
// ChatGLM num_layers/multi_query_group_num/kv_channels); vision-language wrappers keep the language
// model's fields under text_config. The text is workspace input: parsed with size and depth limits.
import { LlmFormatError, failure, isRecord, parseBoundedJson, type Parsed } from './bytes';
import type { MlaInfo, ModelArchitecture, MoeInfo, QuantizationInfo } from './types';

export const CONFIG_MAX_BYTES = 4 * 1024 * 1024;

type Obj = Record<string, unknown>;

function pick(o: Obj, ...keys: string[]): number | null {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v;
  }
  return null;
}

function str(o: Obj, k: string): string | null {
  const v = o[k];
  return typeof v === 'string' ? v : null;
}

/** quantization_config (or compression_config) → method, bits, group size. */
export function quantizationFromConfig(cfg: Obj): QuantizationInfo | null {
  const q = isRecord(cfg.quantization_config) ? cfg.quantization_config : isRecord(cfg.compression_config) ? cfg.compression_config : null;
  if (!q) return null;
  const method = (str(q, 'quant_method') ?? str(q, 'quant_algo') ?? 'unknown').toLowerCase();
  let bits = pick(q, 'bits', 'w_bit', 'num_bits');
  const groupSize = pick(q, 'group_size', 'q_group_size');
  if (method === 'bitsandbytes') bits = q.load_in_4bit === true ? 4 : q.load_in_8bit === true ? 8 : bits;
  if (method === 'fp8' || method === 'fbgemm_fp8') bits = bits ?? 8;
  if (method === 'compressed-tensors' && bits === null && isRecord(q.config_groups)) {
    // compressed-tensors: {config_groups: {group_0: {weights: {num_bits, group_size, type}}}}
    for (const g of Object.values(q.config_groups)) {
      if (isRecord(g) && isRecord(g.weights)) {
        bits = pick(g.weights, 'num_bits');
        if (bits !== null) break;
      }
    }
  }
  if (method === 'modelopt') {
    const algo = (str(q, 'quant_algo') ?? (isRecord(q.quantization) ? str(q.quantization, 'quant_algo') : null) ?? '').toUpperCase();
    bits = algo.includes('FP4') ? 4 : algo.includes('FP8') ? 8 : bits;
  }
  return { method, bits, groupSize, source: 'config.json quantization_config' };
}

function maxLen(o: Obj): number | null {
  const base = pick(o, 'max_position_embeddings', 'n_positions', 'max_sequence_length', 'seq_length', 'max_seq_len');
  if (base === null) return null;
  // vLLM scales the limit for rope scaling it applies on top (linear/dynamic/yarn); Llama 3's
  // "llama3" type and longrope already state the scaled length in max_position_embeddings.
  const rs = isRecord(o.rope_scaling) ? o.rope_scaling : null;
  const type = rs ? (str(rs, 'rope_type') ?? str(rs, 'type')) : null;
  const factor = rs ? pick(rs, 'factor') : null;
  if (rs && factor && type && ['linear', 'dynamic', 'yarn'].includes(type)) {
    const orig = pick(rs, 'original_max_position_embeddings');
    return Math.floor((orig ?? base) * factor);
  }
  return base;
}

function parseArch(cfg: Obj): ModelArchitecture {
  const architectures = Array.isArray(cfg.architectures) ? cfg.architectures.filter((a): a is string => typeof a === 'string').slice(0, 16) : [];
  const modelType = str(cfg, 'model_type');
  // Vision-language wrappers (Llava, Mistral3, Gemma3, Llama4…) keep the decoder under text_config.
  const text = isRecord(cfg.text_config) && pick(cfg, 'num_hidden_layers', 'n_layer', 'num_layers', 'n_layers') === null ? cfg.text_config : cfg;
  const numLayers = pick(text, 'num_hidden_layers', 'n_layer', 'num_layers', 'n_layers');
  const hiddenSize = pick(text, 'hidden_size', 'n_embd', 'd_model');
  const heads = pick(text, 'num_attention_heads', 'n_head', 'n_heads', 'num_heads');
  if (numLayers === null || hiddenSize === null || heads === null) {
    throw new LlmFormatError('it lacks the layer count, hidden size or attention head count (num_hidden_layers, hidden_size, num_attention_heads)');
  }
  let kvHeads = pick(text, 'num_key_value_heads', 'num_kv_heads', 'multi_query_group_num', 'n_head_kv');
  if (kvHeads === null && (text.multi_query === true || text.multi_query_attention === true)) kvHeads = 1;
  const headDim = pick(text, 'head_dim', 'kv_channels', 'attention_head_size') ?? hiddenSize / heads;
  const unmodelled: string[] = [];
  const numExperts = pick(text, 'num_local_experts', 'num_experts', 'n_routed_experts', 'moe_num_experts');
  const moe: MoeInfo | null =
    numExperts !== null && numExperts > 1
      ? {
          numExperts,
          expertsPerToken: pick(text, 'num_experts_per_tok', 'moe_top_k', 'top_k', 'num_experts_per_token') ?? 1,
          expertIntermediateSize: pick(text, 'moe_intermediate_size', 'intermediate_size', 'ffn_hidden_size') ?? 0,
        }
      : null;
  const kvLoraRank = pick(text, 'kv_lora_rank');
  const rope = pick(text, 'qk_rope_head_dim');
  const mla: MlaInfo | null = kvLoraRank !== null && rope !== null ? { kvLoraRank, qkRopeHeadDim: rope } : null;
  const layerTypes = Array.isArray(text.layer_types) ? text.layer_types.filter((x): x is string => typeof x === 'string') : [];
  const sliding = pick(text, 'sliding_window');
  const slidingUsed = sliding !== null && (text.use_sliding_window !== false || layerTypes.includes('sliding_attention'));
  if (layerTypes.some((t) => t !== 'full_attention' && t !== 'sliding_attention') || text.mamba_d_state !== undefined || text.ssm_cfg !== undefined) {
    unmodelled.push('hybrid attention/state-space layers: KV is sized as if every layer had full attention (an over-estimate)');
  }
  const dtypeRaw = str(cfg, 'torch_dtype') ?? str(cfg, 'dtype') ?? str(text, 'torch_dtype') ?? str(text, 'dtype');
  return {
    source: 'config.json',
    modelType,
    architectures,
    numLayers,
    hiddenSize,
    numAttentionHeads: heads,
    numKeyValueHeads: kvHeads ?? heads,
    headDim,
    intermediateSize: pick(text, 'intermediate_size', 'ffn_hidden_size', 'n_inner'),
    vocabSize: pick(text, 'vocab_size', 'padded_vocab_size'),
    maxPositionEmbeddings: maxLen(text),
    tieWordEmbeddings: (text.tie_word_embeddings ?? cfg.tie_word_embeddings) === true,
    dtype: dtypeRaw ? dtypeRaw.toLowerCase() : null,
    moe,
    mla,
    slidingWindow: slidingUsed ? sliding : null,
    quantization: quantizationFromConfig(cfg) ?? (isRecord(text) && text !== cfg ? quantizationFromConfig(text) : null),
    unmodelled,
  };
}

/** Parses config.json text (bounded) into the architecture facts. */
export function parseModelConfig(text: string): Parsed<ModelArchitecture> {
  try {
    const cfg = parseBoundedJson(text, { maxBytes: CONFIG_MAX_BYTES, maxDepth: 32 }, 'config.json');
    if (!isRecord(cfg)) throw new LlmFormatError('config.json is not a JSON object');
    return { ok: true, value: parseArch(cfg) };
  } catch (e) {
    return failure(e);
  }
}

/** Bytes per element of a torch dtype name (bfloat16/float16 → 2). */
export function dtypeBytes(dtype: string | null): number | null {
  switch (dtype) {
    case 'bfloat16':
    case 'float16':
    case 'half':
    case 'bf16':
    case 'fp16':
      return 2;
    case 'float32':
    case 'float':
    case 'fp32':
      return 4;
    case 'float8_e4m3fn':
    case 'float8_e5m2':
    case 'fp8':
      return 1;
    default:
      return null;
  }
}

export interface ParamEstimate {
  embedding: number;
  lmHead: number;
  /** Attention, MLP/expert and router matrices: what weight-only quantization shrinks. */
  linear: number;
  /** Norm weights and biases. */
  other: number;
  total: number;
}

/**
 * Parameter count of a standard decoder from its config alone (no weights at hand): embedding,
 * per-layer q/k/v/o, gated MLP (gate/up/down) or experts + router, RMSNorm weights, and lm_head
 * unless tied. Families with biases on q/k/v (Qwen2) are recognised by model_type. An estimate
 * for other families; the weights' headers are the authority when present.
 */
export function estimateParameters(a: ModelArchitecture): ParamEstimate | null {
  // MLA attention (DeepSeek) and shared experts have other shapes: no estimate rather than a wrong one.
  if (a.mla || a.vocabSize === null || (a.intermediateSize === null && a.moe === null)) return null;
  const h = a.hiddenSize;
  const qDim = a.numAttentionHeads * a.headDim;
  const kvDim = a.numKeyValueHeads * a.headDim;
  const qkvBias = a.modelType === 'qwen2' || a.modelType === 'qwen2_moe' ? qDim + 2 * kvDim : 0;
  const attn = h * qDim + 2 * h * kvDim + qDim * h;
  const mlp = a.moe
    ? a.moe.numExperts * 3 * h * a.moe.expertIntermediateSize + h * a.moe.numExperts
    : 3 * h * (a.intermediateSize ?? 0);
  const linear = a.numLayers * (attn + mlp);
  const other = a.numLayers * (2 * h + qkvBias) + h;
  const embedding = a.vocabSize * h;
  const lmHead = a.tieWordEmbeddings ? 0 : a.vocabSize * h;
  return { embedding, lmHead, linear, other, total: embedding + lmHead + linear + other };
}
