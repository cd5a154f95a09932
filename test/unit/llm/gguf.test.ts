import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bufferByteSource, type ByteSource } from '../../../src/core/llm/bytes';
import { DEFAULT_GGUF_LIMITS, GGML_TYPES, ggufArchitecture, parseGgufHeader, summarizeGguf } from '../../../src/core/llm/gguf';
import { fdByteSource, inspectGgufFile, readGgufHeaderFile } from '../../../src/core/llm/files';
import { GGML, PUBLISHED, ggufHeaderOnly, ggufTensorBytes, llamaGgufMetadata, llamaQ4KMTensors, useMoreBits } from './fixtures';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'llm-gguf-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

function counting(src: ByteSource): ByteSource & { maxEnd: number } {
  const c = {
    size: src.size,
    maxEnd: 0,
    read(offset: number, length: number) {
      const b = src.read(offset, length);
      c.maxEnd = Math.max(c.maxEnd, offset + b.length);
      return b;
    },
  };
  return c;
}

const cfg = PUBLISHED.llama3_8b.config;

describe('GGUF: Llama-3-8B Q4_K_M', () => {
  // A vocabulary as large as Llama 3's (128,256 tokens) makes the metadata ~1.6 MB, like real files.
  const { bytes, headerBytes } = ggufHeaderOnly(llamaGgufMetadata(cfg, 'Meta Llama 3 8B', 15, 128256), llamaQ4KMTensors(cfg));

  test('gives the published parameter count and the Q4_K_M byte count', () => {
    const h = parseGgufHeader(bufferByteSource(bytes));
    assert.ok(h.ok, h.ok ? '' : h.error);
    const w = summarizeGguf(h.value, 'llama3-8b.Q4_K_M.gguf', bytes.length);
    assert.equal(w.parameters, 8_030_261_248);
    // Hand count with ggml's block sizes (Q4_K: 144 B per 256 weights, Q6_K: 210 B per 256):
    //   token_embd Q4_K 525,336,576/256×144 = 295,501,824; output Q6_K = 430,940,160; 65 F32 norms × 16,384 B = 1,064,960
    //   per layer, all Q4_K: q 9,437,184 + k 2,359,296 + v 2,359,296 + o 9,437,184 + gate/up/down 3 × 33,030,144 = 122,683,392
    //   16 of 32 layers (use_more_bits) have attn_v and ffn_down in Q6_K: +1,081,344 + 15,138,816 each
    //   = 727,506,944 + 32 × 122,683,392 + 16 × 16,220,160 = 4,912,898,048 B
    // llama.cpp's server reports the same pair for a Llama-3.1-8B Q4_K_M (/v1/models meta: n_params 8030261248, size 4912898048).
    assert.equal(w.bytes, 4_912_898_048);
    const by = Object.fromEntries(w.byDtype.map((d) => [d.dtype, d.tensors]));
    assert.deepEqual(by, { Q4_K: 193, Q6_K: 33, F32: 65 });
    assert.equal([...Array(32).keys()].filter((i) => useMoreBits(i, 32)).length, 16);
    assert.equal(w.quantization?.method, 'gguf Q4_K_M');
    assert.equal(w.quantization?.bits, 4);
  });

  test('architecture from metadata: 32 layers, 8 KV heads of 128, 8192 context', () => {
    const h = parseGgufHeader(bufferByteSource(bytes));
    assert.ok(h.ok);
    const a = ggufArchitecture(h.value.metadata);
    assert.ok(a.ok);
    assert.equal(a.value.numLayers, 32);
    assert.equal(a.value.numKeyValueHeads, 8);
    assert.equal(a.value.headDim, 128);
    assert.equal(a.value.maxPositionEmbeddings, 8192);
    assert.equal(a.value.vocabSize, 128256);
    // Large arrays keep only their length.
    const tokens = h.value.metadata['tokenizer.ggml.tokens'];
    assert.ok(typeof tokens === 'object' && tokens.length === 128256 && tokens.values === undefined);
  });

  test('reads the metadata and tensor infos, and at most one 64 KiB window beyond them, of a sparse 1 TB file', () => {
    const path = join(root, 'sparse.gguf');
    const fd = openSync(path, 'w+');
    try {
      writeSync(fd, bytes, 0, bytes.length, 0);
      ftruncateSync(fd, 2 ** 40);
      const src = counting(fdByteSource(fd, 2 ** 40));
      const h = parseGgufHeader(src);
      assert.ok(h.ok);
      assert.equal(h.value.headerBytes, headerBytes);
      assert.ok(src.maxEnd <= headerBytes + 64 * 1024, `read up to byte ${src.maxEnd} of a ${headerBytes}-byte header`);
      assert.equal(h.value.truncated, false);
    } finally {
      closeSync(fd);
    }
    const f = inspectGgufFile(path);
    assert.ok(f.ok);
    assert.equal(f.value.name, 'Meta Llama 3 8B');
    assert.equal(f.value.weights?.parameters, 8_030_261_248);
  });

  test('a header-only file is reported truncated; data offsets are aligned to 32', () => {
    const h = parseGgufHeader(bufferByteSource(bytes));
    assert.ok(h.ok);
    assert.equal(h.value.truncated, true);
    assert.equal(h.value.dataOffset % 32, 0);
    assert.ok(h.value.tensors.every((t) => t.offset % 32 === 0));
  });
});

describe('GGUF details', () => {
  test('the ggml type table matches the block structs (bytes per block)', () => {
    // ggml-common.h static_asserts: q4_0 = 2 + 16, q8_0 = 2 + 32, q4_K = 4 + 12 + 128, q5_K = 4 + 12 + 32 + 128,
    // q6_K = 128 + 64 + 16 + 2, q2_K = 16 + 64 + 4, q3_K = 32 + 64 + 12 + 2, iq4_xs = 2 + 2 + 4 + 128, mxfp4 = 1 + 16.
    const expect: Record<string, [number, number]> = { Q4_0: [32, 18], Q8_0: [32, 34], Q4_K: [256, 144], Q5_K: [256, 176], Q6_K: [256, 210], Q2_K: [256, 84], Q3_K: [256, 110], IQ4_XS: [256, 136], MXFP4: [32, 17], BF16: [1, 2] };
    for (const [name, bb] of Object.entries(expect)) {
      const t = Object.values(GGML_TYPES).find((x) => x[0] === name);
      assert.deepEqual(t?.slice(1), bb, name);
    }
  });

  test('rope_freqs is loaded but is not a parameter; split files are summed', () => {
    const t = [
      { name: 'rope_freqs.weight', dims: [64], type: GGML.F32 },
      { name: 'blk.0.attn_q.weight', dims: [256, 256], type: GGML.Q8_0 },
    ];
    const meta = [['general.architecture', 'str', 'llama'] as const, ['split.count', 'u32', 2] as const];
    const a = ggufHeaderOnly(meta.map((x) => [...x]) as never, t);
    const b = ggufHeaderOnly([['split.count', 'u32', 2]], [{ name: 'blk.0.ffn_up.weight', dims: [256, 512], type: GGML.Q8_0 }]);
    writeFileSync(join(root, 'm-00001-of-00002.gguf'), a.bytes);
    writeFileSync(join(root, 'm-00002-of-00002.gguf'), b.bytes);
    const f = inspectGgufFile(join(root, 'm-00001-of-00002.gguf'));
    assert.ok(f.ok, f.ok ? '' : f.error);
    assert.equal(f.value.weights?.parameters, 256 * 256 + 256 * 512);
    assert.equal(f.value.weights?.bytes, 256 + ggufTensorBytes(t[1] as never) + (256 * 512 * 34) / 32);
    assert.equal(f.value.weights?.files.length, 2);
    assert.ok(!f.value.warnings.some((w) => w.includes('split')));
  });
});

describe('GGUF reader refuses hostile headers', () => {
  const good = () => Buffer.from(ggufHeaderOnly(llamaGgufMetadata(cfg, 'x'), llamaQ4KMTensors(cfg).slice(0, 3)).bytes);
  const u64 = (v: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(v);
    return b;
  };
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    return b;
  };
  const head = (tensors: bigint, kvs: bigint) => Buffer.concat([Buffer.from('GGUF'), u32(3), u64(tensors), u64(kvs)]);
  const key = (k: string) => Buffer.concat([u64(BigInt(k.length)), Buffer.from(k)]);
  const cases: Array<[string, () => Buffer, RegExp]> = [
    ['bad magic', () => Buffer.concat([Buffer.from('GGML'), good().subarray(4)]), /magic/],
    ['version 1', () => Buffer.concat([Buffer.from('GGUF'), u32(1), good().subarray(8)]), /version 1/],
    ['big-endian', () => Buffer.concat([Buffer.from('GGUF'), Buffer.from([0, 0, 0, 3]), good().subarray(8)]), /big-endian/],
    ['tensor count over the limit', () => Buffer.concat([head(10_000_000n, 0n), Buffer.alloc(16)]), /tensors, over/],
    ['absurd string length', () => Buffer.concat([head(0n, 1n), u64(2n ** 40n), Buffer.alloc(16)]), /over the 16777216-byte limit/],
    ['array count the file cannot hold', () => Buffer.concat([head(0n, 1n), key('a'), u32(9), u32(0), u64(1_000_000_000n), Buffer.alloc(8)]), /more than the file can hold/],
    ['string array count the file cannot hold', () => Buffer.concat([head(0n, 1n), key('a'), u32(9), u32(8), u64(1000n), Buffer.alloc(64)]), /more than the file can hold/],
    ['nested arrays', () => Buffer.concat([head(0n, 1n), key('a'), u32(9), ...Array.from({ length: 6 }, () => Buffer.concat([u32(9), u64(1n)])), Buffer.alloc(32)]), /nests arrays deeper than 4/],
    ['unknown value type', () => Buffer.concat([head(0n, 1n), key('a'), u32(77), Buffer.alloc(16)]), /unknown value type 77/],
    ['five dimensions', () => Buffer.concat([head(1n, 0n), key('t'), u32(5), Buffer.alloc(64)]), /5 dimensions/],
    ['unknown ggml type', () => Buffer.concat([head(1n, 0n), key('t'), u32(1), u64(32n), u32(99), u64(0n)]), /ggml type 99/],
    ['misaligned offset', () => Buffer.concat([head(1n, 0n), key('t'), u32(1), u64(32n), u32(0), u64(7n)]), /not a multiple/],
    ['row not a multiple of the block', () => Buffer.concat([head(1n, 0n), key('t'), u32(1), u64(100n), u32(12), u64(0n)]), /not a multiple of the Q4_K block/],
    ['truncated', () => good().subarray(0, 200), /ends inside/],
    ['bad alignment', () => Buffer.concat([head(0n, 1n), key('general.alignment'), u32(4), u32(24)]), /power of two/],
  ];
  for (const [name, make, re] of cases) {
    test(name, () => {
      const r = parseGgufHeader(bufferByteSource(make()));
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.error, re);
    });
  }

  test('a header larger than the limit is refused', () => {
    const r = parseGgufHeader(bufferByteSource(good()), { ...DEFAULT_GGUF_LIMITS, maxHeaderBytes: 300 });
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.error, /300-byte limit/);
  });

  test('FIFOs and folders are refused without blocking', async (t) => {
    if (process.platform === 'win32') {
      t.skip('no FIFOs');
      return;
    }
    const { execFileSync } = await import('node:child_process');
    const fifo = join(root, 'pipe.gguf');
    execFileSync('mkfifo', [fifo]);
    const r = readGgufHeaderFile(fifo);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.error, /not a regular file/);
    const d = readGgufHeaderFile(root);
    assert.equal(d.ok, false);
  });

  test('random bytes after a valid magic never throw', () => {
    let seed = 11;
    for (let i = 0; i < 300; i++) {
      const len = 24 + ((i * 53) % 700);
      const buf = Buffer.alloc(len);
      for (let j = 0; j < len; j++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        buf[j] = (seed >> 8) & 0xff;
      }
      buf.write('GGUF', 0, 'latin1');
      buf.writeUInt32LE(3, 4);
      const r = parseGgufHeader(bufferByteSource(buf));
      assert.equal(typeof r.ok, 'boolean');
    }
  });
});
