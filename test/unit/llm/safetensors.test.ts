import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, mkdtempSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bufferByteSource, type ByteSource } from '../../../src/core/llm/bytes';
import { parseSafetensorsHeader, parseSafetensorsIndex, summarizeSafetensors } from '../../../src/core/llm/safetensors';
import { fdByteSource, inspectModelFolder, readSafetensorsHeaderFile } from '../../../src/core/llm/files';
import { PUBLISHED, awqTensors, hfTensors, safetensorsHeaderOnly, shard, tensorBytes, type Config, type TensorSpec } from './fixtures';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'llm-st-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

/** Writes a header-only HF model folder: config.json, sharded safetensors headers, index. */
function writeFolder(name: string, config: Config, tensors: TensorSpec[], maxShardBytes = 5e9): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  const shards = shard(tensors, maxShardBytes);
  const weightMap: Record<string, string> = {};
  let total = 0;
  shards.forEach((ts, i) => {
    const file = `model-${String(i + 1).padStart(5, '0')}-of-${String(shards.length).padStart(5, '0')}.safetensors`;
    writeFileSync(join(dir, file), safetensorsHeaderOnly(ts).bytes);
    for (const t of ts) {
      weightMap[t.name] = file;
      total += tensorBytes(t);
    }
  });
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }));
  return dir;
}

/** Counts the bytes a parser asks for. */
function counting(src: ByteSource): ByteSource & { bytesRead: number; maxEnd: number } {
  const c = {
    size: src.size,
    bytesRead: 0,
    maxEnd: 0,
    read(offset: number, length: number) {
      const b = src.read(offset, length);
      c.bytesRead += b.length;
      c.maxEnd = Math.max(c.maxEnd, offset + b.length);
      return b;
    },
  };
  return c;
}

describe('safetensors headers give published parameter counts', () => {
  // Each expected count is the repository's index total_size / 2 (bf16), see fixtures.PUBLISHED.
  for (const [key, m] of Object.entries(PUBLISHED)) {
    test(`${key}: ${m.params} parameters, ${2 * m.params} bytes in bf16`, () => {
      const dir = writeFolder(key, m.config, hfTensors(m.config));
      const r = inspectModelFolder(dir);
      assert.ok(r.ok, r.ok ? '' : r.error);
      const w = r.value.weights;
      assert.ok(w);
      assert.equal(w.parameters, m.params);
      assert.equal(w.bytes, 2 * m.params);
      assert.deepEqual(w.byDtype.map((d) => d.dtype), ['BF16']);
      assert.equal(w.quantization, null);
      // Header-only files: every shard is reported as truncated, not silently trusted.
      assert.ok(w.files.every((f) => f.truncated));
      assert.ok(r.value.warnings.some((x) => x.includes('header-only')));
      assert.ok(r.value.architecture);
    });
  }

  test('Llama-3-70B has 723 tensors and its linear layers are 68.45 B of the 70.55 B parameters', () => {
    const r = inspectModelFolder(writeFolder('70b-again', PUBLISHED.llama3_70b.config, hfTensors(PUBLISHED.llama3_70b.config)));
    assert.ok(r.ok && r.value.weights);
    assert.equal(r.value.weights.tensorCount, 3 + 80 * 9);
    // 80 × (q 8192² + k,v 2 × 8192×1024 + o 8192² + 3 × 8192×28672) = 80 × 855,638,016 = 68,451,041,280
    assert.equal(r.value.weights.linearParameters, 68_451_041_280);
  });

  test('a 4-bit AWQ Llama-3-8B counts its logical parameters and its packed bytes', () => {
    const cfg = { ...PUBLISHED.llama3_8b.config, torch_dtype: 'float16', quantization_config: { quant_method: 'awq', bits: 4, group_size: 128, version: 'gemm', zero_point: true } };
    const r = inspectModelFolder(writeFolder('llama3-8b-awq', cfg, awqTensors(cfg)));
    assert.ok(r.ok && r.value.weights, r.ok ? '' : r.error);
    const w = r.value.weights;
    assert.equal(w.parameters, 8_030_261_248);
    // Hand count: the 6,979,321,856 linear weights take 1/2 B (qweight) + 1/256 B (int32 zero per
    // 8 outputs per 128 inputs) + 1/64 B (fp16 scale per 128 inputs) = 133/256 B each = 3,625,975,808 B;
    // embeddings, lm_head and norms stay fp16: (2 × 525,336,576 + 266,240) × 2 = 2,101,878,784 B.
    assert.equal(w.linearParameters, 6_979_321_856);
    assert.equal(w.bytes, 3_625_975_808 + 2_101_878_784);
    assert.deepEqual(w.quantization, { method: 'awq', bits: 4, groupSize: 128, source: 'config.json quantization_config' });
    assert.deepEqual(w.byDtype.map((d) => d.dtype).sort(), ['F16', 'I32']);
  });

  test('packed weights without a declared bit width are read as 4-bit, with a warning', () => {
    const cfg = PUBLISHED.llama3_8b.config;
    const s = awqTensors(cfg);
    const h = parseSafetensorsHeader(bufferByteSource(safetensorsHeaderOnly(s).bytes));
    assert.ok(h.ok);
    const w = summarizeSafetensors([{ file: 'model.safetensors', header: h.value, fileBytes: null }], null);
    assert.equal(w.parameters, 8_030_261_248);
    assert.equal(w.quantization?.method, 'packed-int');
    assert.ok(w.warnings.some((x) => x.includes('assumed 4-bit')));
  });

  test('bitsandbytes NF4 and FP8 layouts', () => {
    // bnb 4-bit: weight U8 [n/2, 1] beside quant_state; absmax/quant_map are bytes, not parameters.
    const bnb: TensorSpec[] = [
      { name: 'l.weight', dtype: 'U8', shape: [512, 1] },
      { name: 'l.weight.absmax', dtype: 'F32', shape: [16] },
      { name: 'l.weight.quant_map', dtype: 'F32', shape: [16] },
      { name: 'l.weight.quant_state.bitsandbytes__nf4', dtype: 'U8', shape: [100] },
      { name: 'norm.weight', dtype: 'F16', shape: [32] },
    ];
    const fp8: TensorSpec[] = [
      { name: 'l.weight', dtype: 'F8_E4M3', shape: [32, 32] },
      { name: 'l.weight_scale', dtype: 'F32', shape: [1] },
      { name: 'l.input_scale', dtype: 'F32', shape: [1] },
    ];
    const read = (t: TensorSpec[]) => {
      const h = parseSafetensorsHeader(bufferByteSource(safetensorsHeaderOnly(t).bytes));
      assert.ok(h.ok);
      return summarizeSafetensors([{ file: 'x', header: h.value, fileBytes: null }], null);
    };
    assert.equal(read(bnb).parameters, 1024 + 32);
    assert.equal(read(fp8).parameters, 1024);
    assert.equal(read(fp8).bytes, 1024 + 8);
  });
});

describe('safetensors reader reads only the header', () => {
  test('a 1 TB sparse shard: 8 + N bytes read through the parser, nothing past the header', () => {
    const tensors = hfTensors(PUBLISHED.llama3_70b.config);
    const { bytes } = safetensorsHeaderOnly(tensors);
    const path = join(root, 'sparse-1tb.safetensors');
    const fd = openSync(path, 'w+');
    try {
      writeSync(fd, bytes, 0, bytes.length, 0);
      ftruncateSync(fd, 2 ** 40);
      const src = counting(fdByteSource(fd, 2 ** 40));
      const r = parseSafetensorsHeader(src);
      assert.ok(r.ok, r.ok ? '' : r.error);
      assert.equal(src.bytesRead, bytes.length);
      assert.equal(src.maxEnd, bytes.length);
      assert.equal(r.value.truncated, false); // 141 GB of declared data fits in the 1 TB file
    } finally {
      closeSync(fd);
    }
  });

  test('the file adapter reads no more than the header from the kernel (/proc/self/io rchar)', (t) => {
    if (process.platform !== 'linux') {
      t.skip('needs /proc/self/io');
      return;
    }
    const { bytes } = safetensorsHeaderOnly(hfTensors(PUBLISHED.llama3_8b.config));
    const path = join(root, 'sparse-rchar.safetensors');
    const fd = openSync(path, 'w');
    writeSync(fd, bytes, 0, bytes.length, 0);
    ftruncateSync(fd, 2 ** 40);
    closeSync(fd);
    const rchar = () => Number(/rchar: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))?.[1]);
    const before = rchar();
    const r = readSafetensorsHeaderFile(path);
    const delta = rchar() - before;
    assert.ok(r.ok);
    assert.equal(r.value.fileBytes, 2 ** 40);
    // The second /proc/self/io read itself counts too: allow one page of it.
    assert.ok(delta >= bytes.length && delta <= bytes.length + 4096, `read ${delta} bytes for a ${bytes.length}-byte header`);
  });

  test('a header declaring data far beyond the end of the file is reported truncated, never followed', () => {
    const src = counting(bufferByteSource(safetensorsHeaderOnly([{ name: 'w', dtype: 'BF16', shape: [1 << 20, 1 << 20] }]).bytes));
    const r = parseSafetensorsHeader(src);
    assert.ok(r.ok);
    assert.equal(r.value.truncated, true);
    assert.equal(r.value.dataBytes, 2 ** 41);
    assert.equal(src.maxEnd, src.size);
  });
});

describe('safetensors reader refuses hostile headers', () => {
  const withLength = (n: bigint, body = Buffer.alloc(0)) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(n);
    return bufferByteSource(Buffer.concat([b, body]));
  };
  const header = (obj: unknown) => safetensorsHeaderOnlyRaw(JSON.stringify(obj));
  function safetensorsHeaderOnlyRaw(json: string) {
    const j = Buffer.from(json);
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(j.length));
    return bufferByteSource(Buffer.concat([b, j]));
  }
  const cases: Array<[string, ByteSource, RegExp]> = [
    ['too short', bufferByteSource(Buffer.alloc(4)), /too short/],
    ['absurd length (2^63)', withLength(2n ** 63n), /too large|limit/],
    ['length over the 100 MB limit', withLength(200_000_000n, Buffer.alloc(16)), /over the 100000000-byte limit/],
    ['length past the end of the file', withLength(1000n, Buffer.from('{}')), /only 10 bytes/],
    ['not JSON', safetensorsHeaderOnlyRaw('{nope'), /not valid JSON/],
    ['not an object', safetensorsHeaderOnlyRaw('[1,2]'), /does not start/],
    ['deep nesting', safetensorsHeaderOnlyRaw(`{"a":${'['.repeat(100)}${']'.repeat(100)}}`), /nests deeper/],
    ['unknown dtype', header({ w: { dtype: 'Q4', shape: [2], data_offsets: [0, 1] } }), /unknown dtype/],
    ['negative dim', header({ w: { dtype: 'F16', shape: [-2], data_offsets: [0, 4] } }), /invalid shape/],
    ['offsets disagree with the shape', header({ w: { dtype: 'F16', shape: [4], data_offsets: [0, 4] } }), /needs 8/],
    ['reversed offsets', header({ w: { dtype: 'F16', shape: [2], data_offsets: [8, 4] } }), /invalid data_offsets/],
    ['element count overflow', header({ w: { dtype: 'F16', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 4] } }), /more elements/],
  ];
  for (const [name, src, re] of cases) {
    test(name, () => {
      const r = parseSafetensorsHeader(src);
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.error, re);
    });
  }

  test('index shard names must stay in the folder', () => {
    for (const bad of ['../x.safetensors', '/etc/passwd', 'sub/dir.safetensors', 'x.bin', '..safetensors']) {
      const r = parseSafetensorsIndex(JSON.stringify({ metadata: { total_size: 1 }, weight_map: { w: bad } }));
      assert.equal(r.ok, false, bad);
    }
    const ok = parseSafetensorsIndex(JSON.stringify({ metadata: { total_size: '16060522496' }, weight_map: { a: 'm-1.safetensors', b: 'm-2.safetensors', c: 'm-1.safetensors' } }));
    assert.ok(ok.ok);
    assert.deepEqual(ok.value, { totalSize: 16060522496, shards: ['m-1.safetensors', 'm-2.safetensors'], tensorCount: 3 });
  });

  test('a random-bytes file never throws', () => {
    let seed = 7;
    for (let i = 0; i < 300; i++) {
      const len = (i * 37) % 600;
      const buf = Buffer.alloc(len);
      for (let j = 0; j < len; j++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        buf[j] = seed & 0xff;
      }
      if (len >= 8) buf.writeBigUInt64LE(BigInt(Math.max(0, len - 8 - (i % 5))), 0);
      const r = parseSafetensorsHeader(bufferByteSource(buf));
      assert.equal(typeof r.ok, 'boolean');
    }
  });
});
