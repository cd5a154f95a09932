// Reads the graph inputs and outputs of an ONNX model (a protobuf ModelProto) so Triton's
// config.pbtxt can declare them instead of TODO markers. Dependency-free on purpose: the
// extension bundle must not carry protobufjs/onnx just for a dozen fields.
//
// Only the fields below are interpreted; everything else is skipped by its wire type:
//   ModelProto.graph (7) → GraphProto.input (11) / output (12) / initializer (5) / sparse_initializer (15)
//   ValueInfoProto.name (1), type (2) → TypeProto.tensor_type (1) → elem_type (1), shape (2)
//   TensorShapeProto.dim (1) → dim_value (1) | dim_param (2)
//   TensorProto.name (8); SparseTensorProto.values (1)
//
// Bounded by design: the reader works on a random-access ByteSource and never copies the model.
// Initializers (the weights, often hundreds of MB) are stepped over by their length prefix; only
// their small header is looked at for the name. So the cost is in the number of fields, not the
// file size, and a file-backed source reads a few KB of a large model. Malformed input never
// throws out of here: the result is null with a reason.
import type { ModelTensorSpec } from './types';

export interface ModelIo {
  inputs: ModelTensorSpec[];
  outputs: ModelTensorSpec[];
}

export type OnnxIoResult = { io: ModelIo; reason: null } | { io: null; reason: string };

/** Random access to the bytes of a model (an in-memory buffer, or a file read on demand). */
export interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes at `offset` (fewer only at the end). May throw (I/O): reported, not rethrown. */
  read(offset: number, length: number): Uint8Array;
}

/**
 * Protobuf caps a message at 2 GiB; larger ONNX models keep their weights in external data
 * files, so a bigger .onnx is not a model this reader (or onnxruntime) can load.
 */
export const ONNX_MAX_BYTES = 2 ** 31 - 1;

export interface OnnxLimits {
  /** Refuse sources larger than this (default ONNX_MAX_BYTES). */
  maxBytes: number;
  /** Protobuf fields visited in all (bounds the time on adversarial input). */
  maxFields: number;
  /** One ValueInfoProto is read whole; a bigger one is not a real input declaration. */
  maxValueInfoBytes: number;
  /** Graph inputs + outputs declared. */
  maxTensors: number;
  maxRank: number;
}

export const DEFAULT_ONNX_LIMITS: OnnxLimits = {
  maxBytes: ONNX_MAX_BYTES,
  maxFields: 4_000_000,
  maxValueInfoBytes: 1 << 20,
  maxTensors: 4096,
  maxRank: 32,
};

/** TensorProto.DataType → Triton data type; absent: no Triton equivalent (complex, float8, int4). */
const TRITON_TYPES: Record<number, string> = {
  1: 'TYPE_FP32',
  2: 'TYPE_UINT8',
  3: 'TYPE_INT8',
  4: 'TYPE_UINT16',
  5: 'TYPE_INT16',
  6: 'TYPE_INT32',
  7: 'TYPE_INT64',
  8: 'TYPE_STRING',
  9: 'TYPE_BOOL',
  10: 'TYPE_FP16',
  11: 'TYPE_FP64',
  12: 'TYPE_UINT32',
  13: 'TYPE_UINT64',
  16: 'TYPE_BF16',
};

const ONNX_TYPE_NAMES: Record<number, string> = { 0: 'UNDEFINED', 14: 'COMPLEX64', 15: 'COMPLEX128', 17: 'FLOAT8E4M3FN', 18: 'FLOAT8E4M3FNUZ', 19: 'FLOAT8E5M2', 20: 'FLOAT8E5M2FNUZ', 21: 'UINT4', 22: 'INT4' };

/** The Triton data type of an ONNX element type, or null when Triton has none. */
export function tritonDataType(elemType: number): string | null {
  return TRITON_TYPES[elemType] ?? null;
}

/** A source over bytes already in memory (no copy: reads are subarray views). */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)) };
}

/** Malformed input, caught at the entry points and turned into a reason. */
class Malformed extends Error {}

// Protobuf wire types.
const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;
const FIXED32 = 5;

type Field = { no: number; wire: typeof VARINT; value: number } | { no: number; wire: typeof LEN; start: number; end: number } | { no: number; wire: typeof FIXED64 | typeof FIXED32 };

/** Walks the fields of one message in [start, end) without reading length-delimited payloads. */
class Reader {
  private visited = 0;

  constructor(
    private readonly src: ByteSource,
    private readonly limits: OnnxLimits,
  ) {}

  private varint(pos: number, end: number): { value: number; next: number } {
    const buf = this.src.read(pos, Math.min(10, end - pos));
    let value = 0;
    let scale = 1;
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i]!;
      // Multiplication, not shifts: JS bit operators are 32-bit. Values past 2^53 lose precision,
      // which only matters for negative int64s (10 bytes), and those are treated as "unknown".
      value += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return { value, next: pos + i + 1 };
    }
    throw new Malformed(`truncated or overlong varint at byte ${pos}`);
  }

  *fields(start: number, end: number): Generator<Field> {
    let pos = start;
    while (pos < end) {
      if (++this.visited > this.limits.maxFields) throw new Malformed(`more than ${this.limits.maxFields} protobuf fields`);
      const tag = this.varint(pos, end);
      pos = tag.next;
      const no = Math.floor(tag.value / 8);
      const wire = tag.value % 8;
      if (no < 1 || no > 536_870_911) throw new Malformed(`bad field number ${no} at byte ${pos}`);
      switch (wire) {
        case VARINT: {
          const v = this.varint(pos, end);
          pos = v.next;
          yield { no, wire: VARINT, value: v.value };
          break;
        }
        case FIXED64:
        case FIXED32: {
          pos += wire === FIXED64 ? 8 : 4;
          if (pos > end) throw new Malformed('truncated fixed-width field');
          yield { no, wire: wire === FIXED64 ? FIXED64 : FIXED32 };
          break;
        }
        case LEN: {
          const len = this.varint(pos, end);
          const s = len.next;
          if (len.value > end - s) throw new Malformed(`field ${no} is longer (${len.value} bytes) than its message`);
          pos = s + len.value;
          yield { no, wire: LEN, start: s, end: pos };
          break;
        }
        default:
          // 3/4 are proto2 groups, which ONNX never uses; 6/7 do not exist.
          throw new Malformed(`unsupported wire type ${wire} (field ${no}) at byte ${pos}`);
      }
    }
  }

  bytes(start: number, end: number): Uint8Array {
    const b = this.src.read(start, end - start);
    if (b.length !== end - start) throw new Malformed('short read');
    return b;
  }

  string(start: number, end: number, max = 64 * 1024): string {
    if (end - start > max) throw new Malformed(`a name longer than ${max} bytes`);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(this.bytes(start, end));
    } catch (e) {
      if (e instanceof Malformed) throw e;
      throw new Malformed('a name that is not UTF-8');
    }
  }
}

interface Range {
  start: number;
  end: number;
}

function expectLen(f: Field, what: string): Range {
  if (f.wire !== LEN) throw new Malformed(`${what} (field ${f.no}) has wire type ${f.wire}, expected length-delimited`);
  return f;
}

function textOf(r: Reader, x: Range): string {
  return r.string(x.start, x.end);
}

/** TensorProto.name (8); used for initializers, whose payload is skipped unread. */
function tensorName(r: Reader, t: Range): string | null {
  let name: string | null = null;
  for (const f of r.fields(t.start, t.end)) if (f.no === 8) name = textOf(r, expectLen(f, 'TensorProto.name'));
  return name;
}

function sparseTensorName(r: Reader, t: Range): string | null {
  let name: string | null = null;
  for (const f of r.fields(t.start, t.end)) if (f.no === 1) name = tensorName(r, expectLen(f, 'SparseTensorProto.values')) ?? name;
  return name;
}

function dims(r: Reader, start: number, end: number, limits: OnnxLimits, what: string): number[] {
  const out: number[] = [];
  for (const f of r.fields(start, end)) {
    if (f.no !== 1) continue;
    const d = expectLen(f, 'TensorShapeProto.dim');
    if (out.length >= limits.maxRank) throw new Malformed(`${what} has more than ${limits.maxRank} dimensions`);
    let dim = -1;
    for (const g of r.fields(d.start, d.end)) {
      if (g.no === 1 && g.wire === VARINT) {
        // A symbolic or negative dimension is dynamic; Triton spells dynamic as -1.
        dim = Number.isSafeInteger(g.value) && g.value <= 2 ** 31 - 1 ? g.value : -1;
      } else if (g.no === 2 && g.wire === LEN) {
        dim = -1;
      }
    }
    out.push(dim);
  }
  return out;
}

/** Why a ValueInfoProto cannot be a Triton tensor (thrown as a plain reason, not Malformed). */
class Unsupported extends Error {}

function valueInfo(r: Reader, start: number, end: number, limits: OnnxLimits, kind: 'input' | 'output'): ModelTensorSpec {
  let name: string | null = null;
  let typeRange: Range | null = null;
  for (const f of r.fields(start, end)) {
    if (f.no === 1) name = textOf(r, expectLen(f, 'ValueInfoProto.name'));
    else if (f.no === 2) typeRange = expectLen(f, 'ValueInfoProto.type');
  }
  if (!name) throw new Malformed(`a graph ${kind} without a name`);
  const what = `${kind} "${name}"`;
  if (!typeRange) throw new Unsupported(`${what} declares no type`);
  let tensor: Range | null = null;
  let other: string | null = null;
  for (const f of r.fields(typeRange.start, typeRange.end)) {
    if (f.no === 1) tensor = expectLen(f, 'TypeProto.tensor_type');
    else if (f.no === 4) other = 'a sequence';
    else if (f.no === 5) other = 'a map';
    else if (f.no === 8) other = 'a sparse tensor';
    else if (f.no === 9) other = 'an optional';
  }
  if (!tensor) throw new Unsupported(`${what} is ${other ?? 'not a tensor'}, which a Triton config cannot declare`);
  let elem = 0;
  let shape: number[] | null = null;
  for (const f of r.fields(tensor.start, tensor.end)) {
    if (f.no === 1 && f.wire === VARINT) elem = f.value;
    else if (f.no === 2) {
      const s = expectLen(f, 'TypeProto.Tensor.shape');
      shape = dims(r, s.start, s.end, limits, what);
    }
  }
  const dataType = tritonDataType(elem);
  if (!dataType) throw new Unsupported(`${what} has element type ${ONNX_TYPE_NAMES[elem] ?? elem}, which Triton does not support`);
  if (shape === null) throw new Unsupported(`${what} has no shape (unknown rank)`);
  if (shape.length === 0) throw new Unsupported(`${what} is a scalar; Triton needs dims [ 1 ] with reshape { shape: [ ] }`);
  return { name, dataType, dims: shape };
}

function walk(src: ByteSource, limits: OnnxLimits): ModelIo {
  const r = new Reader(src, limits);
  const graphs: Range[] = [];
  let irVersion: number | null = null;
  for (const f of r.fields(0, src.size)) {
    if (f.no === 1 && f.wire === VARINT) irVersion = f.value;
    // Protobuf merges repeated occurrences of a message field, so every graph field counts.
    else if (f.no === 7) graphs.push(expectLen(f, 'ModelProto.graph'));
  }
  if (graphs.length === 0) throw new Malformed(irVersion === null ? 'not an ONNX model (no ir_version, no graph)' : 'the model has no graph');

  const inputs: Range[] = [];
  const outputs: Range[] = [];
  const initializers = new Set<string>();
  for (const g of graphs) {
    for (const f of r.fields(g.start, g.end)) {
      if (f.no === 11) inputs.push(expectLen(f, 'GraphProto.input'));
      else if (f.no === 12) outputs.push(expectLen(f, 'GraphProto.output'));
      else if (f.no === 5) {
        const n = tensorName(r, expectLen(f, 'GraphProto.initializer'));
        if (n !== null) initializers.add(n);
      } else if (f.no === 15) {
        const n = sparseTensorName(r, expectLen(f, 'GraphProto.sparse_initializer'));
        if (n !== null) initializers.add(n);
      }
      if (inputs.length + outputs.length > limits.maxTensors) throw new Unsupported(`the graph declares more than ${limits.maxTensors} inputs and outputs`);
    }
  }

  const parse = (range: Range, kind: 'input' | 'output'): ModelTensorSpec => {
    if (range.end - range.start > limits.maxValueInfoBytes) throw new Malformed(`a graph ${kind} declaration of ${range.end - range.start} bytes`);
    // Small and read once: parse it from an in-memory copy instead of many tiny source reads.
    const local = new Reader(bytesSource(r.bytes(range.start, range.end)), limits);
    return valueInfo(local, 0, range.end - range.start, limits, kind);
  };
  // Before IR version 4 every initializer was also listed as a graph input; those are weights,
  // not something a client sends.
  const ins = inputs.map((x) => parse(x, 'input')).filter((t) => !initializers.has(t.name));
  const outs = outputs.map((x) => parse(x, 'output'));
  if (ins.length === 0) throw new Unsupported('the graph has no inputs besides its initializers');
  if (outs.length === 0) throw new Unsupported('the graph declares no outputs');
  return { inputs: ins, outputs: outs };
}

/** Graph inputs (initializers excluded) and outputs of an ONNX model, or null and why not. */
export function readOnnxModelIo(src: ByteSource, limits: Partial<OnnxLimits> = {}): OnnxIoResult {
  const l: OnnxLimits = { ...DEFAULT_ONNX_LIMITS, ...limits };
  if (src.size > l.maxBytes) return { io: null, reason: `the model is ${src.size} bytes, over the ${l.maxBytes}-byte limit` };
  if (src.size === 0) return { io: null, reason: 'the file is empty' };
  try {
    return { io: walk(src, l), reason: null };
  } catch (e) {
    if (e instanceof Malformed) return { io: null, reason: `not a readable ONNX model: ${e.message}` };
    if (e instanceof Unsupported) return { io: null, reason: e.message };
    return { io: null, reason: `the model could not be read: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** readOnnxModelIo over bytes in memory. */
export function parseOnnxModelIo(bytes: Uint8Array, limits: Partial<OnnxLimits> = {}): OnnxIoResult {
  return readOnnxModelIo(bytesSource(bytes), limits);
}
