// safetensors headers without the weights. A file is an 8-byte little-endian header length N,
// then N bytes of JSON: {"__metadata__": {str: str}, "<tensor>": {"dtype", "shape", "data_offsets": [begin, end]}},
// then the data (https://github.com/huggingface/safetensors#format). Only those 8 + N bytes are read;
// offsets may point past the end of the file (header-only or partial files) and are reported, not
// followed.
import { LlmFormatError, decodeUtf8, failure, isRecord, parseBoundedJson, readExact, u64, type ByteSource, type Parsed } from './bytes';
import type { DtypeTotal, QuantizationInfo, WeightFile, WeightsSummary } from './types';

/** Bits per element of each safetensors dtype (the Rust crate's `Dtype` enum, sub-byte FP4/FP6 included). */
export const SAFETENSORS_DTYPE_BITS: Readonly<Record<string, number>> = {
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
};

export interface SafetensorsLimits {
  /** The safetensors crate refuses headers over 100 MB (MAX_HEADER_SIZE = 100_000_000). */
  maxHeaderBytes: number;
  maxDepth: number;
  maxTensors: number;
  maxRank: number;
}

export const DEFAULT_SAFETENSORS_LIMITS: SafetensorsLimits = {
  maxHeaderBytes: 100_000_000,
  // A valid header nests three levels ({name: {shape: [...]}}); a little slack for metadata.
  maxDepth: 8,
  maxTensors: 1_000_000,
  maxRank: 16,
};

export interface SafetensorsTensor {
  name: string;
  dtype: string;
  shape: number[];
  numel: number;
  /** Offsets into the data section (after the 8 + headerBytes prefix). */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  headerBytes: number;
  /** Bytes of data the header declares (largest end offset). */
  dataBytes: number;
  tensors: SafetensorsTensor[];
  metadata: Record<string, string>;
  /** The declared data extends past the end of the source. */
  truncated: boolean;
  warnings: string[];
}

function safeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Parses the header of a safetensors file; reads 8 + N bytes and nothing else. */
export function parseSafetensorsHeader(src: ByteSource, limits: SafetensorsLimits = DEFAULT_SAFETENSORS_LIMITS): Parsed<SafetensorsHeader> {
  try {
    return { ok: true, value: parseHeader(src, limits) };
  } catch (e) {
    return failure(e);
  }
}

function parseHeader(src: ByteSource, limits: SafetensorsLimits): SafetensorsHeader {
  if (src.size < 8) throw new LlmFormatError(`it is ${src.size} bytes, too short for a safetensors header`);
  const n = u64(readExact(src, 0, 8, 'header length'), 0, 'header length');
  if (n < 2) throw new LlmFormatError(`it declares a ${n}-byte header, too short for JSON`);
  if (n > limits.maxHeaderBytes) throw new LlmFormatError(`it declares a ${n}-byte header, over the ${limits.maxHeaderBytes}-byte limit safetensors itself enforces`);
  if (8 + n > src.size) throw new LlmFormatError(`it declares a ${n}-byte header but the file has only ${src.size} bytes`);
  const raw = readExact(src, 8, n, 'header');
  if (raw[0] !== 0x7b) throw new LlmFormatError('its header does not start with "{"; this is not a safetensors file');
  const json = parseBoundedJson(decodeUtf8(raw, 'header'), { maxBytes: limits.maxHeaderBytes, maxDepth: limits.maxDepth }, 'header');
  if (!isRecord(json)) throw new LlmFormatError('its header is not a JSON object');

  const tensors: SafetensorsTensor[] = [];
  const warnings: string[] = [];
  const metadata: Record<string, string> = Object.create(null) as Record<string, string>;
  let dataBytes = 0;
  let sum = 0;
  for (const [name, entry] of Object.entries(json)) {
    if (name === '__metadata__') {
      if (!isRecord(entry)) throw new LlmFormatError('its __metadata__ is not an object');
      for (const [k, v] of Object.entries(entry)) if (typeof v === 'string') metadata[k] = v;
      continue;
    }
    if (tensors.length >= limits.maxTensors) throw new LlmFormatError(`it declares more than ${limits.maxTensors} tensors`);
    if (!isRecord(entry)) throw new LlmFormatError(`tensor ${JSON.stringify(name)} is not an object`);
    const { dtype, shape, data_offsets: offsets } = entry;
    if (typeof dtype !== 'string' || !(dtype in SAFETENSORS_DTYPE_BITS)) throw new LlmFormatError(`tensor ${JSON.stringify(name)} has an unknown dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || shape.length > limits.maxRank || !shape.every(safeInt)) throw new LlmFormatError(`tensor ${JSON.stringify(name)} has an invalid shape`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !safeInt(offsets[0]) || !safeInt(offsets[1]) || offsets[1] < offsets[0]) {
      throw new LlmFormatError(`tensor ${JSON.stringify(name)} has invalid data_offsets`);
    }
    let numel = 1;
    for (const d of shape as number[]) {
      numel *= d;
      if (!Number.isSafeInteger(numel)) throw new LlmFormatError(`tensor ${JSON.stringify(name)} has more elements than can be counted`);
    }
    const bits = SAFETENSORS_DTYPE_BITS[dtype] as number;
    const [begin, end] = offsets as [number, number];
    if ((numel * bits) % 8 !== 0 || end - begin !== (numel * bits) / 8) {
      throw new LlmFormatError(`tensor ${JSON.stringify(name)}: data_offsets span ${end - begin} bytes but ${dtype}${JSON.stringify(shape)} needs ${(numel * bits) / 8}`);
    }
    tensors.push({ name, dtype, shape: shape as number[], numel, begin, end });
    dataBytes = Math.max(dataBytes, end);
    sum += end - begin;
  }
  if (sum !== dataBytes) warnings.push(`tensor data does not tile the data section (${sum} bytes of tensors in a ${dataBytes}-byte section)`);
  return { headerBytes: n, dataBytes, tensors, metadata, truncated: 8 + n + dataBytes > src.size, warnings };
}

// ---- model.safetensors.index.json ----

export interface SafetensorsIndex {
  /** metadata.total_size: bytes of all tensors, as the writer recorded it. */
  totalSize: number | null;
  /** Shard file names, in first-seen order. */
  shards: string[];
  tensorCount: number;
}

/** Shard names must be plain file names in the same folder: the index is workspace input. */
const SHARD_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}\.safetensors$/;

export function parseSafetensorsIndex(text: string): Parsed<SafetensorsIndex> {
  try {
    const json = parseBoundedJson(text, { maxBytes: 64 * 1024 * 1024, maxDepth: 8 }, 'index');
    if (!isRecord(json) || !isRecord(json.weight_map)) throw new LlmFormatError('it has no weight_map object');
    const shards: string[] = [];
    const seen = new Set<string>();
    let tensorCount = 0;
    for (const [tensor, shard] of Object.entries(json.weight_map)) {
      if (typeof shard !== 'string' || !SHARD_NAME.test(shard) || shard.includes('..')) {
        throw new LlmFormatError(`its weight_map sends ${JSON.stringify(tensor)} to ${JSON.stringify(shard)}, which is not a shard file name in the same folder`);
      }
      tensorCount++;
      if (!seen.has(shard)) {
        seen.add(shard);
        shards.push(shard);
      }
    }
    const total = isRecord(json.metadata) ? json.metadata.total_size : undefined;
    const totalSize = safeInt(total) ? total : typeof total === 'string' && /^\d{1,16}$/.test(total) ? Number(total) : null;
    return { ok: true, value: { totalSize, shards, tensorCount } };
  } catch (e) {
    return failure(e);
  }
}

// ---- parameters and bytes ----

/** Tensors that hold quantization scales, zero points or indices: bytes on the GPU, no parameters. */
const QUANT_META_SUFFIXES = [
  '.qzeros',
  '.scales',
  '.g_idx',
  '.weight_scale',
  '.weight_scale_2',
  '.weight_scale_inv',
  '.weight_zero_point',
  '.weight_g_idx',
  '.weight_shape',
  '.weight_global_scale',
  '.input_scale',
  '.input_global_scale',
  '.output_scale',
  '.k_scale',
  '.v_scale',
  '.absmax',
  '.quant_map',
  '.nested_absmax',
  '.nested_quant_map',
  '.SCB',
  '.weight_format',
];

/** Embeddings, output head and norms: what a weight-only quantization leaves in 16-bit. */
const NOT_LINEAR = /(^|\.)(embed_tokens|wte|wpe|word_embeddings|tok_embeddings|embed_in|embed_out|lm_head|output)\.|norm|(^|\.)ln_/;

type Role = { kind: 'weight' } | { kind: 'meta' } | { kind: 'packed'; factor: number };

function roleOf(t: SafetensorsTensor, names: ReadonlySet<string>, bits: number): Role {
  const n = t.name;
  if (n.includes('.quant_state.') || QUANT_META_SUFFIXES.some((s) => n.endsWith(s))) return { kind: 'meta' };
  const dtypeBits = SAFETENSORS_DTYPE_BITS[t.dtype] ?? 8;
  if (n.endsWith('.qweight') || n.endsWith('.weight_packed')) return { kind: 'packed', factor: dtypeBits / bits };
  if (t.dtype === 'U8' && n.endsWith('.weight')) {
    // bitsandbytes 4-bit keeps the packed NF4/FP4 bytes in `.weight` beside a quant_state;
    // ModelOpt NVFP4 keeps two E2M1 values per byte beside a second-level `weight_scale_2`.
    if (names.has(`${n}.quant_state.bitsandbytes__nf4`) || names.has(`${n}.quant_state.bitsandbytes__fp4`) || names.has(`${n.slice(0, -'.weight'.length)}.weight_scale_2`)) {
      return { kind: 'packed', factor: 2 };
    }
  }
  return { kind: 'weight' };
}

export interface SafetensorsFileHeader {
  file: string;
  header: SafetensorsHeader;
  fileBytes: number | null;
}

/**
 * Logical parameters and bytes over all shards. Packed int32 words (AWQ/GPTQ `qweight`,
 * compressed-tensors `weight_packed`) count as 32 / bits weights each; scales, zero points and
 * group indices count as bytes but not as parameters, so an AWQ checkpoint reports the
 * parameter count of the model it was quantized from.
 */
export function summarizeSafetensors(files: readonly SafetensorsFileHeader[], quant: QuantizationInfo | null): WeightsSummary {
  const names = new Set<string>();
  for (const f of files) for (const t of f.header.tensors) names.add(t.name);
  const warnings: string[] = [];
  const packedPresent = [...names].some((n) => n.endsWith('.qweight') || n.endsWith('.weight_packed'));
  let bits = quant?.bits ?? null;
  let quantization = quant;
  if (packedPresent && bits === null) {
    bits = 4;
    warnings.push('packed quantized weights (qweight/weight_packed) but no bit width in config.json: assumed 4-bit');
    quantization = quant ?? { method: 'packed-int', bits: 4, groupSize: null, source: 'tensor names' };
  }
  const byDtype = new Map<string, DtypeTotal>();
  let parameters = 0;
  let bytes = 0;
  let linearParameters = 0;
  let linearBytes = 0;
  let tensorCount = 0;
  const seen = new Set<string>();
  const weightFiles: WeightFile[] = [];
  for (const f of files) {
    for (const t of f.header.tensors) {
      if (seen.has(t.name)) {
        warnings.push(`tensor ${t.name} appears in more than one shard; counted once`);
        continue;
      }
      seen.add(t.name);
      tensorCount++;
      const role = roleOf(t, names, bits ?? 4);
      const p = role.kind === 'meta' ? 0 : role.kind === 'packed' ? t.numel * role.factor : t.numel;
      const b = t.end - t.begin;
      parameters += p;
      bytes += b;
      const linear = !NOT_LINEAR.test(t.name) && (role.kind !== 'weight' || (t.shape.length === 2 && t.name.endsWith('.weight')) || t.shape.length === 3);
      if (linear) {
        linearParameters += p;
        linearBytes += b;
      }
      const d = byDtype.get(t.dtype) ?? { dtype: t.dtype, tensors: 0, parameters: 0, bytes: 0 };
      d.tensors++;
      d.parameters += p;
      d.bytes += b;
      byDtype.set(t.dtype, d);
    }
    weightFiles.push({ file: f.file, headerBytes: f.header.headerBytes, dataBytes: f.header.dataBytes, fileBytes: f.fileBytes, truncated: f.header.truncated });
    for (const w of f.header.warnings) warnings.push(`${f.file}: ${w}`);
  }
  if (!Number.isSafeInteger(parameters) || !Number.isSafeInteger(bytes)) warnings.push('totals exceed exact integer range; figures are approximate');
  return {
    format: 'safetensors',
    tensorCount,
    parameters,
    bytes,
    byDtype: [...byDtype.values()].sort((a, b) => b.bytes - a.bytes),
    linearParameters,
    linearBytes,
    quantization,
    files: weightFiles,
    warnings,
  };
}
