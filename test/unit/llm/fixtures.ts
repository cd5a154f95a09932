// Test-side builders, independent of src/core/llm: published configs, the tensor lists those
// configs imply (HF and llama.cpp naming), and writers for header-only safetensors and GGUF files.
// The product's readers must recover the published parameter counts from what these write.

export type Config = Record<string, unknown>;

/**
 * config.json fields of published checkpoints (values as in each model's config.json on the Hub).
 * Published parameter counts: each repository's model.safetensors.index.json metadata.total_size
 * divided by 2 (bf16): Meta-Llama-3-8B 16,060,522,496 B; Mistral-7B-v0.1 14,483,464,192 B;
 * Mixtral-8x7B-v0.1 93,405,585,408 B; Meta-Llama-3-70B 141,107,412,992 B; Qwen2.5-72B(-Instruct)
 * 145,412,407,296 B. llama.cpp reports the same 8,030,261,248 as general.parameter_count for
 * Llama-3-8B GGUFs (Ollama /api/show model_info).
 */
export const PUBLISHED = {
  llama3_8b: {
    params: 8_030_261_248,
    config: {
      architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 4096, intermediate_size: 14336, num_hidden_layers: 32,
      num_attention_heads: 32, num_key_value_heads: 8, vocab_size: 128256, max_position_embeddings: 8192, tie_word_embeddings: false,
      torch_dtype: 'bfloat16', rope_theta: 500000.0, rms_norm_eps: 1e-5,
    },
  },
  mistral_7b: {
    params: 7_241_732_096,
    config: {
      architectures: ['MistralForCausalLM'], model_type: 'mistral', hidden_size: 4096, intermediate_size: 14336, num_hidden_layers: 32,
      num_attention_heads: 32, num_key_value_heads: 8, vocab_size: 32000, max_position_embeddings: 32768, sliding_window: 4096,
      tie_word_embeddings: false, torch_dtype: 'bfloat16',
    },
  },
  mixtral_8x7b: {
    params: 46_702_792_704,
    config: {
      architectures: ['MixtralForCausalLM'], model_type: 'mixtral', hidden_size: 4096, intermediate_size: 14336, num_hidden_layers: 32,
      num_attention_heads: 32, num_key_value_heads: 8, num_local_experts: 8, num_experts_per_tok: 2, vocab_size: 32000,
      max_position_embeddings: 32768, sliding_window: null, tie_word_embeddings: false, torch_dtype: 'bfloat16',
    },
  },
  llama3_70b: {
    params: 70_553_706_496,
    config: {
      architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 8192, intermediate_size: 28672, num_hidden_layers: 80,
      num_attention_heads: 64, num_key_value_heads: 8, vocab_size: 128256, max_position_embeddings: 8192, tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
    },
  },
  qwen25_72b: {
    params: 72_706_203_648,
    config: {
      architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', hidden_size: 8192, intermediate_size: 29568, num_hidden_layers: 80,
      num_attention_heads: 64, num_key_value_heads: 8, vocab_size: 152064, max_position_embeddings: 32768, sliding_window: 131072,
      use_sliding_window: false, tie_word_embeddings: false, torch_dtype: 'bfloat16',
    },
  },
} as const;

export interface TensorSpec {
  name: string;
  dtype: string;
  shape: number[];
}

function n(c: Config, k: string): number {
  const v = c[k];
  if (typeof v !== 'number') throw new Error(`fixture config lacks ${k}`);
  return v;
}

/** The tensors a Hugging Face checkpoint of this config holds (Llama/Mistral/Mixtral/Qwen2 naming). */
export function hfTensors(c: Config, dtype = 'BF16'): TensorSpec[] {
  const h = n(c, 'hidden_size');
  const heads = n(c, 'num_attention_heads');
  const kv = n(c, 'num_key_value_heads');
  const hd = h / heads;
  const inter = n(c, 'intermediate_size');
  const v = n(c, 'vocab_size');
  const experts = typeof c.num_local_experts === 'number' ? c.num_local_experts : 0;
  const bias = c.model_type === 'qwen2';
  const t: TensorSpec[] = [{ name: 'model.embed_tokens.weight', dtype, shape: [v, h] }];
  for (let i = 0; i < n(c, 'num_hidden_layers'); i++) {
    const p = `model.layers.${i}`;
    t.push({ name: `${p}.input_layernorm.weight`, dtype, shape: [h] });
    t.push({ name: `${p}.self_attn.q_proj.weight`, dtype, shape: [heads * hd, h] });
    t.push({ name: `${p}.self_attn.k_proj.weight`, dtype, shape: [kv * hd, h] });
    t.push({ name: `${p}.self_attn.v_proj.weight`, dtype, shape: [kv * hd, h] });
    if (bias) {
      t.push({ name: `${p}.self_attn.q_proj.bias`, dtype, shape: [heads * hd] });
      t.push({ name: `${p}.self_attn.k_proj.bias`, dtype, shape: [kv * hd] });
      t.push({ name: `${p}.self_attn.v_proj.bias`, dtype, shape: [kv * hd] });
    }
    t.push({ name: `${p}.self_attn.o_proj.weight`, dtype, shape: [h, heads * hd] });
    t.push({ name: `${p}.post_attention_layernorm.weight`, dtype, shape: [h] });
    if (experts > 0) {
      t.push({ name: `${p}.block_sparse_moe.gate.weight`, dtype, shape: [experts, h] });
      for (let e = 0; e < experts; e++) {
        t.push({ name: `${p}.block_sparse_moe.experts.${e}.w1.weight`, dtype, shape: [inter, h] });
        t.push({ name: `${p}.block_sparse_moe.experts.${e}.w2.weight`, dtype, shape: [h, inter] });
        t.push({ name: `${p}.block_sparse_moe.experts.${e}.w3.weight`, dtype, shape: [inter, h] });
      }
    } else {
      t.push({ name: `${p}.mlp.gate_proj.weight`, dtype, shape: [inter, h] });
      t.push({ name: `${p}.mlp.up_proj.weight`, dtype, shape: [inter, h] });
      t.push({ name: `${p}.mlp.down_proj.weight`, dtype, shape: [h, inter] });
    }
  }
  t.push({ name: 'model.norm.weight', dtype, shape: [h] });
  if (c.tie_word_embeddings !== true) t.push({ name: 'lm_head.weight', dtype, shape: [v, h] });
  return t;
}

/**
 * AutoAWQ GEMM layout (4-bit, group 128): every linear [out, in] becomes qweight int32 [in, out/8],
 * qzeros int32 [in/128, out/8] and scales fp16 [in/128, out]; embeddings, norms and lm_head stay fp16.
 */
export function awqTensors(c: Config, group = 128): TensorSpec[] {
  const out: TensorSpec[] = [];
  for (const t of hfTensors(c, 'F16')) {
    const linear = t.shape.length === 2 && /\.(q|k|v|o|gate|up|down)_proj\.weight$/.test(t.name);
    if (!linear) {
      out.push(t);
      continue;
    }
    const [o, i] = t.shape as [number, number];
    const base = t.name.slice(0, -'.weight'.length);
    out.push({ name: `${base}.qweight`, dtype: 'I32', shape: [i, o / 8] });
    out.push({ name: `${base}.qzeros`, dtype: 'I32', shape: [i / group, o / 8] });
    out.push({ name: `${base}.scales`, dtype: 'F16', shape: [i / group, o] });
  }
  return out;
}

const BITS: Record<string, number> = { BF16: 16, F16: 16, F32: 32, I32: 32, U8: 8, I8: 8, F8_E4M3: 8 };

export function tensorBytes(t: TensorSpec): number {
  return (t.shape.reduce((a, b) => a * b, 1) * (BITS[t.dtype] ?? 0)) / 8;
}

/** A header-only safetensors file: 8-byte length, JSON header with contiguous offsets, no data. */
export function safetensorsHeaderOnly(tensors: readonly TensorSpec[], metadata: Record<string, string> = { format: 'pt' }): { bytes: Buffer; dataBytes: number } {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let off = 0;
  for (const t of tensors) {
    const b = tensorBytes(t);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + b] };
    off += b;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return { bytes: Buffer.concat([len, json]), dataBytes: off };
}

/** Splits tensors into shards of at most `maxBytes` of data each (as save_pretrained does). */
export function shard(tensors: readonly TensorSpec[], maxBytes: number): TensorSpec[][] {
  const out: TensorSpec[][] = [[]];
  let size = 0;
  for (const t of tensors) {
    const b = tensorBytes(t);
    if (size + b > maxBytes && (out[out.length - 1] as TensorSpec[]).length > 0) {
      out.push([]);
      size = 0;
    }
    (out[out.length - 1] as TensorSpec[]).push(t);
    size += b;
  }
  return out;
}

// ---- GGUF v3 writer ----

type GgufKv = [key: string, type: 'u32' | 'f32' | 'str' | 'strs' | 'i32s' | 'u64', value: number | string | string[] | number[]];

function ggufString(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(b.length));
  return Buffer.concat([len, b]);
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
}

function u64(v: number | bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v));
  return b;
}

export const GGML = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 8, Q4_K: 12, Q5_K: 13, Q6_K: 14 } as const;
/** [elements per block, bytes per block], from ggml-common.h's block structs (block_q4_K = 144 B per 256). */
const GGML_BLOCK: Record<number, [number, number]> = { 0: [1, 4], 1: [1, 2], 2: [32, 18], 8: [32, 34], 12: [256, 144], 13: [256, 176], 14: [256, 210] };

export interface GgufTensorSpec {
  name: string;
  /** ggml order: ne0 is the row length. */
  dims: number[];
  type: number;
}

export function ggufTensorBytes(t: GgufTensorSpec): number {
  const [blk, bytes] = GGML_BLOCK[t.type] as [number, number];
  return (t.dims.reduce((a, b) => a * b, 1) / blk) * bytes;
}

/** A GGUF v3 file with metadata and tensor infos and no tensor data. */
export function ggufHeaderOnly(kvs: readonly GgufKv[], tensors: readonly GgufTensorSpec[], alignment = 32): { bytes: Buffer; dataBytes: number; headerBytes: number } {
  const parts: Buffer[] = [Buffer.from('GGUF', 'latin1'), u32(3), u64(tensors.length), u64(kvs.length)];
  for (const [k, type, v] of kvs) {
    parts.push(ggufString(k));
    if (type === 'u32') parts.push(u32(4), u32(v as number));
    else if (type === 'u64') parts.push(u32(10), u64(v as number));
    else if (type === 'f32') {
      const b = Buffer.alloc(4);
      b.writeFloatLE(v as number);
      parts.push(u32(6), b);
    } else if (type === 'str') parts.push(u32(8), ggufString(v as string));
    else if (type === 'strs') {
      const arr = v as string[];
      parts.push(u32(9), u32(8), u64(arr.length));
      for (const x of arr) parts.push(ggufString(x));
    } else {
      const arr = v as number[];
      parts.push(u32(9), u32(5), u64(arr.length), ...arr.map((x) => {
        const b = Buffer.alloc(4);
        b.writeInt32LE(x);
        return b;
      }));
    }
  }
  let off = 0;
  for (const t of tensors) {
    parts.push(ggufString(t.name), u32(t.dims.length), ...t.dims.map((d) => u64(d)), u32(t.type), u64(off));
    off += Math.ceil(ggufTensorBytes(t) / alignment) * alignment;
  }
  const bytes = Buffer.concat(parts);
  return { bytes, dataBytes: off, headerBytes: bytes.length };
}

/** llama.cpp's use_more_bits (src/llama-quant.cpp): the layers Q4_K_M gives Q6_K attn_v and ffn_down. */
export function useMoreBits(i: number, n: number): boolean {
  return i < Math.floor(n / 8) || i >= Math.floor((7 * n) / 8) || (i - Math.floor(n / 8)) % 3 === 2;
}

/**
 * The tensors of a Llama-architecture GGUF quantized as Q4_K_M by llama.cpp's rules
 * (llama_tensor_get_type): output.weight Q6_K; attn_v and ffn_down Q6_K on use_more_bits layers,
 * Q4_K elsewhere; every other matrix Q4_K; norms F32.
 */
export function llamaQ4KMTensors(c: Config): GgufTensorSpec[] {
  const h = n(c, 'hidden_size');
  const heads = n(c, 'num_attention_heads');
  const kvDim = (n(c, 'num_key_value_heads') * h) / heads;
  const inter = n(c, 'intermediate_size');
  const v = n(c, 'vocab_size');
  const L = n(c, 'num_hidden_layers');
  const t: GgufTensorSpec[] = [
    { name: 'token_embd.weight', dims: [h, v], type: GGML.Q4_K },
    { name: 'output_norm.weight', dims: [h], type: GGML.F32 },
    { name: 'output.weight', dims: [h, v], type: GGML.Q6_K },
  ];
  for (let i = 0; i < L; i++) {
    const more = useMoreBits(i, L);
    t.push(
      { name: `blk.${i}.attn_norm.weight`, dims: [h], type: GGML.F32 },
      { name: `blk.${i}.attn_q.weight`, dims: [h, h], type: GGML.Q4_K },
      { name: `blk.${i}.attn_k.weight`, dims: [h, kvDim], type: GGML.Q4_K },
      { name: `blk.${i}.attn_v.weight`, dims: [h, kvDim], type: more ? GGML.Q6_K : GGML.Q4_K },
      { name: `blk.${i}.attn_output.weight`, dims: [h, h], type: GGML.Q4_K },
      { name: `blk.${i}.ffn_norm.weight`, dims: [h], type: GGML.F32 },
      { name: `blk.${i}.ffn_gate.weight`, dims: [h, inter], type: GGML.Q4_K },
      { name: `blk.${i}.ffn_up.weight`, dims: [h, inter], type: GGML.Q4_K },
      { name: `blk.${i}.ffn_down.weight`, dims: [inter, h], type: more ? GGML.Q6_K : GGML.Q4_K },
    );
  }
  return t;
}

export function llamaGgufMetadata(c: Config, name: string, fileType = 15, vocab = 0): GgufKv[] {
  const kv: GgufKv[] = [
    ['general.architecture', 'str', 'llama'],
    ['general.name', 'str', name],
    ['general.file_type', 'u32', fileType],
    ['llama.block_count', 'u32', n(c, 'num_hidden_layers')],
    ['llama.context_length', 'u32', n(c, 'max_position_embeddings')],
    ['llama.embedding_length', 'u32', n(c, 'hidden_size')],
    ['llama.feed_forward_length', 'u32', n(c, 'intermediate_size')],
    ['llama.attention.head_count', 'u32', n(c, 'num_attention_heads')],
    ['llama.attention.head_count_kv', 'u32', n(c, 'num_key_value_heads')],
    ['llama.rope.dimension_count', 'u32', n(c, 'hidden_size') / n(c, 'num_attention_heads')],
    ['llama.vocab_size', 'u32', n(c, 'vocab_size')],
    ['general.quantization_version', 'u32', 2],
  ];
  if (vocab > 0) kv.push(['tokenizer.ggml.tokens', 'strs', Array.from({ length: vocab }, (_, i) => `tok${i}`)]);
  return kv;
}
