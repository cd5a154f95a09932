// A tiny protobuf encoder for tests: builds .onnx bytes by hand so the reader is checked against
// the wire format itself, not against another parser.

/** number/bigint → varint (wire 0), string → UTF-8 (wire 2), Uint8Array → bytes or a message (wire 2). */
export type PbField = [no: number, value: number | bigint | string | Uint8Array];

function varint(v: bigint): number[] {
  // Negative int64s are 10 bytes of two's complement, as protobuf encodes them.
  let x = v < 0n ? (1n << 64n) + v : v;
  const out: number[] = [];
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x > 0n) b |= 0x80;
    out.push(b);
  } while (x > 0n);
  return out;
}

export function msg(...fields: PbField[]): Uint8Array {
  const out: number[] = [];
  for (const [no, value] of fields) {
    if (typeof value === 'number' || typeof value === 'bigint') {
      out.push(...varint(BigInt(no) << 3n), ...varint(BigInt(value)));
    } else {
      const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
      out.push(...varint((BigInt(no) << 3n) | 2n), ...varint(BigInt(bytes.length)));
      for (const b of bytes) out.push(b);
    }
  }
  return Uint8Array.from(out);
}

/** A raw field of another wire type (fixed32 = 5, fixed64 = 1, groups = 3): tag + payload. */
export function raw(no: number, wire: number, payload: number[]): Uint8Array {
  return Uint8Array.from([...varint((BigInt(no) << 3n) | BigInt(wire)), ...payload]);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// ------------------------------------------------------------------ ONNX messages

/** TensorProto.DataType values used by the tests. */
export const ONNX = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, FLOAT16: 10, DOUBLE: 11, COMPLEX64: 14, BFLOAT16: 16 } as const;

/** A dimension: a number is dim_value, a string dim_param, null neither (unknown). */
export type Dim = number | string | null;

export function typeProto(elem: number, dims: Dim[] | null): Uint8Array {
  const shape = dims === null ? [] : ([[2, msg(...dims.map((d): PbField => [1, d === null ? new Uint8Array(0) : typeof d === 'string' ? msg([2, d]) : msg([1, d])]))]] as PbField[]);
  return msg([1, msg([1, elem], ...shape)]);
}

export function valueInfo(name: string, elem: number, dims: Dim[] | null): Uint8Array {
  return msg([1, name], [2, typeProto(elem, dims)], [3, `doc of ${name}`]);
}

/** TensorProto with raw_data: the weights the reader must skip. */
export function initializer(name: string, bytes = 16): Uint8Array {
  return msg([1, 4], [2, ONNX.FLOAT], [8, name], [9, new Uint8Array(bytes)]);
}

export interface ModelSpec {
  ir?: number;
  inputs: Uint8Array[];
  outputs: Uint8Array[];
  initializers?: Uint8Array[];
  sparseInitializers?: string[];
}

export function graph(s: ModelSpec): Uint8Array {
  return msg(
    [1, msg([1, 'x'], [2, 'y'], [4, 'Relu'])],
    [2, 'main_graph'],
    // Weights first, as exporters write them: the reader has to step over them to the inputs.
    ...(s.initializers ?? []).map((t): PbField => [5, t]),
    ...(s.sparseInitializers ?? []).map((n): PbField => [15, msg([1, initializer(n, 8)], [2, msg([1, 1])], [3, 4])]),
    ...s.inputs.map((v): PbField => [11, v]),
    ...s.outputs.map((v): PbField => [12, v]),
  );
}

export function model(s: ModelSpec): Uint8Array {
  return msg([1, s.ir ?? 8], [2, 'pytorch'], [3, '2.3.1'], [7, graph(s)], [8, msg([1, ''], [2, 17])]);
}
