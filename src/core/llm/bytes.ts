// Byte-level helpers shared by the safetensors and GGUF readers: a random-access source that a
// file adapter can back with positioned reads (so a 1 TB shard costs the bytes of its header),
// bounded little-endian reads, and a JSON parse that refuses deep or oversized input before
// handing it to JSON.parse.

/** Random access to the bytes of a file (an in-memory buffer, or a file read on demand). */
export interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes at `offset` (fewer only at the end of the source). May throw on I/O. */
  read(offset: number, length: number): Uint8Array;
}

export function bufferByteSource(buf: Uint8Array): ByteSource {
  return {
    size: buf.length,
    read(offset, length) {
      return buf.subarray(offset, Math.min(buf.length, offset + length));
    },
  };
}

/** A parse failure with a sentence for the user; readers catch it and return it as data. */
export class LlmFormatError extends Error {
  override readonly name = 'LlmFormatError';
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export function failure(e: unknown): { ok: false; error: string } {
  if (e instanceof LlmFormatError) return { ok: false, error: e.message };
  if (e instanceof RangeError) return { ok: false, error: `it is malformed (${e.message})` };
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return { ok: false, error: code ? `it cannot be read (${code})` : `it cannot be read (${String(e)})` };
}

/** Reads exactly `length` bytes at `offset` or throws: short reads mean a truncated file. */
export function readExact(src: ByteSource, offset: number, length: number, what: string): Uint8Array {
  if (offset + length > src.size) throw new LlmFormatError(`it ends inside its ${what} (needs ${offset + length} bytes, the file has ${src.size})`);
  const b = src.read(offset, length);
  if (b.length !== length) throw new LlmFormatError(`it ends inside its ${what} (short read at byte ${offset})`);
  return b;
}

/** An unsigned 64-bit little-endian integer that must fit a JS number exactly. */
export function u64(b: Uint8Array, at: number, what: string): number {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new LlmFormatError(`its ${what} (${v}) is too large to be real`);
  return Number(v);
}

export interface JsonLimits {
  maxBytes: number;
  maxDepth: number;
}

/**
 * Scans for nesting depth without recursion (strings and escapes honoured), then JSON.parse.
 * Linear in the input; refuses before parsing so a hostile header cannot build a deep tree.
 */
export function parseBoundedJson(text: string, limits: JsonLimits, what: string): unknown {
  if (text.length > limits.maxBytes) throw new LlmFormatError(`its ${what} is ${text.length} characters, over the ${limits.maxBytes} limit`);
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limits.maxDepth) throw new LlmFormatError(`its ${what} nests deeper than ${limits.maxDepth} levels`);
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new LlmFormatError(`its ${what} is not valid JSON (${(e as Error).message})`);
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8(b: Uint8Array, what: string): string {
  try {
    return utf8.decode(b);
  } catch {
    throw new LlmFormatError(`its ${what} is not valid UTF-8`);
  }
}

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;
