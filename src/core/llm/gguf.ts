// GGUF headers without the tensor data (format: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md).
// Layout: magic "GGUF", u32 version, u64 tensor_count, u64 metadata_kv_count, the key/value pairs
// (u64-length strings, u32 value type, typed value; arrays carry an element type and a u64 count),
// then per tensor: name, u32 n_dims, u64 dims[n_dims], u32 ggml type, u64 offset. Data starts at the
// next multiple of general.alignment (default 32). The reader walks that prefix sequentially through
// a 64 KiB read-ahead window and stops at the last tensor info, so it touches the metadata (the
// tokenizer's vocabulary is most of it) and at most one window past it, never the weights.
import { LlmFormatError, decodeUtf8, failure, type ByteSource, type Parsed } from './bytes';
import type { DtypeTotal, MlaInfo, ModelArchitecture, QuantizationInfo, WeightsSummary } from './types';

/**
 * ggml tensor types: [name, elements per block, bytes per block]. From ggml/include/ggml.h
 * `enum ggml_type` and the block structs' static_asserts in ggml/src/ggml-common.h (llama.cpp).
 */
export const GGML_TYPES: Readonly<Record<number, readonly [string, number, number]>> = {
  0: ['F32', 1, 4],
  1: ['F16', 1, 2],
  2: ['Q4_0', 32, 18],
  3: ['Q4_1', 32, 20],
  6: ['Q5_0', 32, 22],
  7: ['Q5_1', 32, 24],
  8: ['Q8_0', 32, 34],
  9: ['Q8_1', 32, 36],
  10: ['Q2_K', 256, 84],
  11: ['Q3_K', 256, 110],
  12: ['Q4_K', 256, 144],
  13: ['Q5_K', 256, 176],
  14: ['Q6_K', 256, 210],
  15: ['Q8_K', 256, 292],
  16: ['IQ2_XXS', 256, 66],
  17: ['IQ2_XS', 256, 74],
  18: ['IQ3_XXS', 256, 98],
  19: ['IQ1_S', 256, 50],
  20: ['IQ4_NL', 32, 18],
  21: ['IQ3_S', 256, 110],
  22: ['IQ2_S', 256, 82],
  23: ['IQ4_XS', 256, 136],
  24: ['I8', 1, 1],
  25: ['I16', 1, 2],
  26: ['I32', 1, 4],
  27: ['I64', 1, 8],
  28: ['F64', 1, 8],
  29: ['IQ1_M', 256, 56],
  30: ['BF16', 1, 2],
  34: ['TQ1_0', 256, 54],
  35: ['TQ2_0', 256, 66],
  39: ['MXFP4', 32, 17],
  40: ['NVFP4', 64, 36],
  41: ['Q1_0', 128, 18],
};

/** llama.h `enum llama_ftype` (general.file_type): the mixture a quantizer was asked for. */
export const LLAMA_FILE_TYPES: Readonly<Record<number, string>> = {
  0: 'F32', 1: 'F16', 2: 'Q4_0', 3: 'Q4_1', 7: 'Q8_0', 8: 'Q5_0', 9: 'Q5_1', 10: 'Q2_K', 11: 'Q3_K_S', 12: 'Q3_K_M',
  13: 'Q3_K_L', 14: 'Q4_K_S', 15: 'Q4_K_M', 16: 'Q5_K_S', 17: 'Q5_K_M', 18: 'Q6_K', 19: 'IQ2_XXS', 20: 'IQ2_XS',
  21: 'Q2_K_S', 22: 'IQ3_XS', 23: 'IQ3_XXS', 24: 'IQ1_S', 25: 'IQ4_NL', 26: 'IQ3_S', 27: 'IQ3_M', 28: 'IQ2_S',
  29: 'IQ2_M', 30: 'IQ4_XS', 31: 'IQ1_M', 32: 'BF16', 36: 'TQ1_0', 37: 'TQ2_0', 38: 'MXFP4_MOE',
};

export interface GgufLimits {
  /** Metadata plus tensor infos; a Llama-3 tokenizer makes ~8 MB of it. */
  maxHeaderBytes: number;
  maxStringBytes: number;
  maxTensors: number;
  maxKeyValues: number;
  maxArrayDepth: number;
  /** Arrays up to this length keep their values; longer ones only their length. */
  keepArrayValues: number;
}

export const DEFAULT_GGUF_LIMITS: GgufLimits = {
  maxHeaderBytes: 512 * 1024 * 1024,
  maxStringBytes: 16 * 1024 * 1024,
  maxTensors: 1_000_000,
  maxKeyValues: 100_000,
  maxArrayDepth: 4,
  keepArrayValues: 1024,
};

export type GgufScalar = number | string | boolean;
export interface GgufArray {
  elementType: string;
  length: number;
  /** Present when length <= keepArrayValues and the elements are scalars. */
  values?: GgufScalar[];
}
export type GgufValue = GgufScalar | GgufArray;

export interface GgufTensorInfo {
  name: string;
  dims: number[];
  type: string;
  numel: number;
  bytes: number;
  offset: number;
}

export interface GgufHeader {
  version: number;
  metadata: Record<string, GgufValue>;
  tensors: GgufTensorInfo[];
  alignment: number;
  /** Where tensor data starts (end of the header, aligned). */
  dataOffset: number;
  /** Bytes the header region occupies (up to the last tensor info). */
  headerBytes: number;
  dataBytes: number;
  truncated: boolean;
}

const VALUE_TYPES = ['UINT8', 'INT8', 'UINT16', 'INT16', 'UINT32', 'INT32', 'FLOAT32', 'BOOL', 'STRING', 'ARRAY', 'UINT64', 'INT64', 'FLOAT64'];
const FIXED_SIZE: Readonly<Record<number, number>> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const WINDOW = 64 * 1024;

class Cursor {
  pos = 0;
  private winStart = 0;
  private win: Uint8Array = new Uint8Array(0);
  private readonly end: number;
  constructor(
    private readonly src: ByteSource,
    limit: number,
  ) {
    this.end = Math.min(limit, src.size);
  }

  /** Bytes left before the header limit or the end of the file, whichever is first. */
  left(): number {
    return this.end - this.pos;
  }

  take(n: number, what: string): Uint8Array {
    if (n > this.left()) throw new LlmFormatError(this.end < this.src.size ? `its header runs past the ${this.end}-byte limit (while reading ${what})` : `it ends inside its header (while reading ${what})`);
    const rel = this.pos - this.winStart;
    let out: Uint8Array;
    if (rel >= 0 && rel + n <= this.win.length) out = this.win.subarray(rel, rel + n);
    else if (n > WINDOW) out = this.src.read(this.pos, n);
    else {
      this.winStart = this.pos;
      this.win = this.src.read(this.pos, Math.min(WINDOW, this.left()));
      out = this.win.subarray(0, n);
    }
    if (out.length !== n) throw new LlmFormatError(`it ends inside its header (short read while reading ${what})`);
    this.pos += n;
    return out;
  }

  skip(n: number, what: string): void {
    if (n > this.left()) throw new LlmFormatError(`it ends inside its header (while skipping ${what})`);
    this.pos += n;
  }

  view(n: number, what: string): DataView {
    const b = this.take(n, what);
    return new DataView(b.buffer, b.byteOffset, n);
  }

  u32(what: string): number {
    return this.view(4, what).getUint32(0, true);
  }

  u64(what: string): number {
    const v = this.view(8, what).getBigUint64(0, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new LlmFormatError(`its ${what} (${v}) is too large to be real`);
    return Number(v);
  }
}

/** Longest string value kept in the metadata (chat templates and licences are dropped, not kept). */
const KEEP_STRING = 1024;

function readString(c: Cursor, limits: GgufLimits, what: string): string {
  const n = c.u64(`${what} length`);
  if (n > limits.maxStringBytes) throw new LlmFormatError(`its ${what} claims ${n} bytes, over the ${limits.maxStringBytes}-byte limit`);
  return decodeUtf8(c.take(n, what), what);
}

function readScalar(c: Cursor, type: number, limits: GgufLimits, what: string): GgufScalar {
  switch (type) {
    case 0:
      return c.view(1, what).getUint8(0);
    case 1:
      return c.view(1, what).getInt8(0);
    case 2:
      return c.view(2, what).getUint16(0, true);
    case 3:
      return c.view(2, what).getInt16(0, true);
    case 4:
      return c.view(4, what).getUint32(0, true);
    case 5:
      return c.view(4, what).getInt32(0, true);
    case 6:
      return c.view(4, what).getFloat32(0, true);
    case 7: {
      const b = c.view(1, what).getUint8(0);
      if (b > 1) throw new LlmFormatError(`its ${what} is a BOOL with value ${b}`);
      return b === 1;
    }
    case 8:
      return readString(c, limits, what);
    case 10: {
      const v = c.view(8, what).getBigUint64(0, true);
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
    }
    case 11: {
      const v = c.view(8, what).getBigInt64(0, true);
      return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
    }
    case 12:
      return c.view(8, what).getFloat64(0, true);
    default:
      throw new LlmFormatError(`its ${what} has unknown value type ${type}`);
  }
}

function readValue(c: Cursor, type: number, limits: GgufLimits, what: string, depth: number): GgufValue {
  if (type !== 9) return readScalar(c, type, limits, what);
  if (depth >= limits.maxArrayDepth) throw new LlmFormatError(`its ${what} nests arrays deeper than ${limits.maxArrayDepth}`);
  const elem = c.u32(`${what} element type`);
  if (elem > 12) throw new LlmFormatError(`its ${what} has unknown element type ${elem}`);
  const length = c.u64(`${what} length`);
  // Every element takes at least one byte (a string eight, an array twelve): a count the file
  // cannot hold is refused before looping over it.
  const minSize = elem === 8 ? 8 : elem === 9 ? 12 : (FIXED_SIZE[elem] ?? 1);
  if (length * minSize > c.left()) throw new LlmFormatError(`its ${what} claims ${length} elements, more than the file can hold`);
  const keep = length <= limits.keepArrayValues && elem !== 9;
  const fixed = FIXED_SIZE[elem];
  const values: GgufScalar[] = [];
  if (!keep && fixed !== undefined) c.skip(length * fixed, what);
  else if (!keep && elem === 8) {
    // Vocabularies: step over each string by its length without decoding it.
    for (let i = 0; i < length; i++) {
      const n = c.u64(`${what} element length`);
      if (n > limits.maxStringBytes) throw new LlmFormatError(`its ${what} has a ${n}-byte element, over the ${limits.maxStringBytes}-byte limit`);
      c.skip(n, what);
    }
  } else {
    for (let i = 0; i < length; i++) {
      const v = readValue(c, elem, limits, what, depth + 1);
      if (keep) values.push(v as GgufScalar);
    }
  }
  const out: GgufArray = { elementType: VALUE_TYPES[elem] ?? String(elem), length };
  if (keep) out.values = values;
  return out;
}

/** Parses the metadata and tensor infos of a GGUF file (v2 or v3, little-endian). */
export function parseGgufHeader(src: ByteSource, limits: GgufLimits = DEFAULT_GGUF_LIMITS): Parsed<GgufHeader> {
  try {
    return { ok: true, value: parseHeader(src, limits) };
  } catch (e) {
    return failure(e);
  }
}

function parseHeader(src: ByteSource, limits: GgufLimits): GgufHeader {
  const c = new Cursor(src, limits.maxHeaderBytes);
  if (src.size < 24) throw new LlmFormatError(`it is ${src.size} bytes, too short for a GGUF header`);
  const magic = c.take(4, 'magic');
  if (magic[0] !== 0x47 || magic[1] !== 0x47 || magic[2] !== 0x55 || magic[3] !== 0x46) throw new LlmFormatError('it does not start with the GGUF magic');
  const version = c.u32('version');
  if (version > 0xffff) throw new LlmFormatError('it is a big-endian GGUF file, which this reader does not handle');
  if (version !== 2 && version !== 3) throw new LlmFormatError(`it is GGUF version ${version}; only versions 2 and 3 are read`);
  const tensorCount = c.u64('tensor count');
  const kvCount = c.u64('metadata count');
  if (tensorCount > limits.maxTensors) throw new LlmFormatError(`it declares ${tensorCount} tensors, over the ${limits.maxTensors} limit`);
  if (kvCount > limits.maxKeyValues) throw new LlmFormatError(`it declares ${kvCount} metadata entries, over the ${limits.maxKeyValues} limit`);

  const metadata: Record<string, GgufValue> = Object.create(null) as Record<string, GgufValue>;
  for (let i = 0; i < kvCount; i++) {
    const key = readString(c, limits, 'metadata key');
    const type = c.u32(`type of ${key}`);
    const value = readValue(c, type, limits, key, 0);
    if (typeof value === 'string' && value.length > KEEP_STRING) continue;
    metadata[key] = value;
  }
  const alignRaw = metadata['general.alignment'];
  const alignment = alignRaw === undefined ? 32 : alignRaw;
  if (typeof alignment !== 'number' || !Number.isInteger(alignment) || alignment < 1 || alignment > 1 << 20 || (alignment & (alignment - 1)) !== 0) {
    throw new LlmFormatError(`its general.alignment ${JSON.stringify(alignRaw)} is not a power of two`);
  }

  const tensors: GgufTensorInfo[] = [];
  let dataBytes = 0;
  for (let i = 0; i < tensorCount; i++) {
    const name = readString(c, limits, 'tensor name');
    const nDims = c.u32(`dimension count of ${name}`);
    if (nDims < 1 || nDims > 4) throw new LlmFormatError(`tensor ${JSON.stringify(name)} has ${nDims} dimensions (GGML_MAX_DIMS is 4)`);
    const dims: number[] = [];
    let numel = 1;
    for (let d = 0; d < nDims; d++) {
      const v = c.u64(`dimension of ${name}`);
      dims.push(v);
      numel *= v;
      if (!Number.isSafeInteger(numel)) throw new LlmFormatError(`tensor ${JSON.stringify(name)} has more elements than can be counted`);
    }
    const typeId = c.u32(`type of ${name}`);
    const t = GGML_TYPES[typeId];
    if (!t) throw new LlmFormatError(`tensor ${JSON.stringify(name)} has ggml type ${typeId}, which this reader does not know`);
    const [typeName, block, blockBytes] = t;
    if ((dims[0] as number) % block !== 0) throw new LlmFormatError(`tensor ${JSON.stringify(name)}: its first dimension ${dims[0]} is not a multiple of the ${typeName} block (${block})`);
    const bytes = (numel / block) * blockBytes;
    const offset = c.u64(`offset of ${name}`);
    if (offset % alignment !== 0) throw new LlmFormatError(`tensor ${JSON.stringify(name)} starts at ${offset}, not a multiple of the ${alignment}-byte alignment`);
    tensors.push({ name, dims, type: typeName, numel, bytes, offset });
    dataBytes = Math.max(dataBytes, offset + bytes);
  }
  const headerBytes = c.pos;
  const dataOffset = Math.ceil(headerBytes / alignment) * alignment;
  return { version, metadata, tensors, alignment, dataOffset, headerBytes, dataBytes, truncated: dataOffset + dataBytes > src.size };
}

// ---- architecture and weights from GGUF metadata ----

function num(v: GgufValue | undefined): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (v !== undefined && typeof v === 'object' && v.values && v.values.length > 0) {
    const nums = v.values.filter((x): x is number => typeof x === 'number');
    return nums.length > 0 ? Math.max(...nums) : null;
  }
  return null;
}

export function ggufQuantization(meta: Readonly<Record<string, GgufValue>>): QuantizationInfo | null {
  const ft = meta['general.file_type'];
  if (typeof ft !== 'number') return null;
  const label = LLAMA_FILE_TYPES[ft] ?? `file type ${ft}`;
  if (label === 'F32' || label === 'F16' || label === 'BF16') return null;
  const bits = /^(?:I?Q|TQ)(\d)/.exec(label);
  return { method: `gguf ${label}`, bits: bits ? Number(bits[1]) : null, groupSize: null, source: 'GGUF general.file_type' };
}

/** The fields sizing needs, from `<arch>.*` keys (llama.cpp's LLM_KV names). */
export function ggufArchitecture(meta: Readonly<Record<string, GgufValue>>): Parsed<ModelArchitecture> {
  const arch = meta['general.architecture'];
  if (typeof arch !== 'string' || !/^[a-z0-9_-]{1,64}$/i.test(arch)) return { ok: false, error: 'it has no general.architecture' };
  const k = (s: string): GgufValue | undefined => meta[`${arch}.${s}`];
  const numLayers = num(k('block_count'));
  const hiddenSize = num(k('embedding_length'));
  const heads = num(k('attention.head_count'));
  if (!numLayers || !hiddenSize || !heads) return { ok: false, error: `its metadata lacks ${arch}.block_count, embedding_length or attention.head_count` };
  const kvRaw = k('attention.head_count_kv');
  const kvHeads = num(kvRaw) ?? heads;
  const unmodelled: string[] = [];
  if (typeof kvRaw === 'object' && kvRaw.values && new Set(kvRaw.values).size > 1) {
    unmodelled.push(`${arch}.attention.head_count_kv varies by layer (hybrid model); KV is sized with the largest value on every layer`);
  }
  const keyLen = num(k('attention.key_length')) ?? hiddenSize / heads;
  const valueLen = num(k('attention.value_length')) ?? keyLen;
  const expertCount = num(k('expert_count'));
  const kvLora = num(k('attention.kv_lora_rank'));
  const rope = num(k('rope.dimension_count'));
  const mla: MlaInfo | null = kvLora && rope ? { kvLoraRank: kvLora, qkRopeHeadDim: rope } : null;
  const tokens = meta['tokenizer.ggml.tokens'];
  const vocab = num(k('vocab_size')) ?? (typeof tokens === 'object' ? tokens.length : null);
  const ff = num(k('feed_forward_length'));
  const sliding = num(k('attention.sliding_window'));
  return {
    ok: true,
    value: {
      source: 'gguf',
      modelType: arch,
      architectures: [],
      numLayers,
      hiddenSize,
      numAttentionHeads: heads,
      numKeyValueHeads: kvHeads,
      // K and V widths may differ (llama.cpp caches both); their mean keeps 2 × layers × heads × dim exact.
      headDim: (keyLen + valueLen) / 2,
      intermediateSize: ff,
      vocabSize: vocab,
      maxPositionEmbeddings: num(k('context_length')),
      tieWordEmbeddings: false,
      dtype: null,
      moe: expertCount && expertCount > 1 ? { numExperts: expertCount, expertsPerToken: num(k('expert_used_count')) ?? 1, expertIntermediateSize: num(k('expert_feed_forward_length')) ?? ff ?? 0 } : null,
      mla,
      slidingWindow: sliding,
      quantization: ggufQuantization(meta),
      unmodelled,
    },
  };
}

const GGUF_NOT_LINEAR = /^(token_embd|output|rope_freqs|position_embd)\.|norm/;

/** Parameters and bytes of a GGUF file; GGUF dims are logical, so a Q4_K tensor counts its full weights. */
export function summarizeGguf(header: GgufHeader, file: string, fileBytes: number | null): WeightsSummary {
  const byDtype = new Map<string, DtypeTotal>();
  let parameters = 0;
  let bytes = 0;
  let linearParameters = 0;
  let linearBytes = 0;
  for (const t of header.tensors) {
    // rope_freqs holds precomputed RoPE factors (Llama 3.1): loaded, but not a learned parameter.
    const p = /(^|\.)rope_freqs\./.test(t.name) ? 0 : t.numel;
    parameters += p;
    bytes += t.bytes;
    if (!GGUF_NOT_LINEAR.test(t.name) && t.dims.length >= 2) {
      linearParameters += p;
      linearBytes += t.bytes;
    }
    const d = byDtype.get(t.type) ?? { dtype: t.type, tensors: 0, parameters: 0, bytes: 0 };
    d.tensors++;
    d.parameters += p;
    d.bytes += t.bytes;
    byDtype.set(t.type, d);
  }
  const warnings: string[] = [];
  const declared = header.metadata['general.parameter_count'];
  if (typeof declared === 'number' && declared !== parameters) warnings.push(`general.parameter_count says ${declared}; the tensors hold ${parameters}`);
  const split = header.metadata['split.count'];
  if (typeof split === 'number' && split > 1) warnings.push(`this is one of ${split} GGUF split files; the figures cover this file only`);
  return {
    format: 'gguf',
    tensorCount: header.tensors.length,
    parameters,
    bytes,
    byDtype: [...byDtype.values()].sort((a, b) => b.bytes - a.bytes),
    linearParameters,
    linearBytes,
    quantization: ggufQuantization(header.metadata),
    files: [{ file, headerBytes: header.dataOffset, dataBytes: header.dataBytes, fileBytes, truncated: header.truncated }],
    warnings,
  };
}
