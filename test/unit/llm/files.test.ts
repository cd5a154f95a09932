import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectModelFolder, readSafetensorsHeaderFile, readTextFileBounded } from '../../../src/core/llm/files';
import { PUBLISHED, hfTensors, safetensorsHeaderOnly, shard } from './fixtures';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'llm-files-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const cfg = PUBLISHED.mistral_7b.config;

describe('model folders on disk', () => {
  test('a single model.safetensors without an index; the name comes from _name_or_path', () => {
    const dir = join(root, 'single');
    mkdirSync(dir);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...cfg, _name_or_path: 'mistralai/Mistral-7B-v0.1' }));
    writeFileSync(join(dir, 'model.safetensors'), safetensorsHeaderOnly(hfTensors(cfg)).bytes);
    const r = inspectModelFolder(dir);
    assert.ok(r.ok, r.ok ? '' : r.error);
    assert.equal(r.value.name, 'mistralai/Mistral-7B-v0.1');
    assert.equal(r.value.weights?.parameters, 7_241_732_096);
    assert.equal(r.value.architecture?.slidingWindow, 4096);
  });

  test('an unreadable shard becomes a warning and the figures say they are partial', () => {
    const dir = join(root, 'partial');
    mkdirSync(dir);
    const parts = shard(hfTensors(cfg), 5e9);
    parts.forEach((p, i) => writeFileSync(join(dir, `model-${i}.safetensors`), i === 1 ? Buffer.from('garbage!') : safetensorsHeaderOnly(p).bytes));
    const r = inspectModelFolder(dir);
    assert.ok(r.ok);
    assert.ok(r.value.warnings.some((w) => w.startsWith('model-1.safetensors:')));
    assert.ok(r.value.warnings.some((w) => w.includes(`1 of ${parts.length} shards could not be read`)));
    assert.ok(r.value.architecture === null && r.value.warnings.some((w) => w.startsWith('config.json:')));
  });

  test('an index whose total_size disagrees with the headers is reported', () => {
    const dir = join(root, 'mismatch');
    mkdirSync(dir);
    writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
    writeFileSync(join(dir, 'model-00001-of-00001.safetensors'), safetensorsHeaderOnly(hfTensors(cfg)).bytes);
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 123 }, weight_map: { 'lm_head.weight': 'model-00001-of-00001.safetensors' } }));
    const r = inspectModelFolder(dir);
    assert.ok(r.ok);
    assert.ok(r.value.warnings.some((w) => w.includes('the index says 123 bytes')));
  });

  test('an index pointing outside the folder is refused', () => {
    const dir = join(root, 'evil-index');
    mkdirSync(dir);
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { w: '../../etc/passwd.safetensors' } }));
    const r = inspectModelFolder(dir);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.error, /not a shard file name in the same folder/);
  });

  test('an empty folder is an error that says what is missing', () => {
    const dir = join(root, 'empty');
    mkdirSync(dir);
    const r = inspectModelFolder(dir);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.error, /neither readable safetensors weights nor a readable config.json/);
  });
});

describe('confinement and bounded reads', () => {
  test('a symlinked shard is followed inside the root (HF cache blobs) and refused outside it', () => {
    const cache = join(root, 'hub', 'models--x--y');
    mkdirSync(join(cache, 'blobs'), { recursive: true });
    mkdirSync(join(cache, 'snapshots', 'abc'), { recursive: true });
    writeFileSync(join(cache, 'blobs', 'sha1'), safetensorsHeaderOnly(hfTensors(cfg)).bytes);
    symlinkSync('../../blobs/sha1', join(cache, 'snapshots', 'abc', 'model.safetensors'));
    const inside = readSafetensorsHeaderFile(join(cache, 'snapshots', 'abc', 'model.safetensors'), { confineTo: cache });
    assert.ok(inside.ok);
    const outside = readSafetensorsHeaderFile(join(cache, 'snapshots', 'abc', 'model.safetensors'), { confineTo: join(cache, 'snapshots') });
    assert.equal(outside.ok, false);
    assert.match(outside.ok ? '' : outside.error, /outside/);
  });

  test('text files over the limit are refused unread', () => {
    const p = join(root, 'big.json');
    writeFileSync(p, Buffer.alloc(2048, 0x20));
    const r = readTextFileBounded(p, 1024);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.error, /over the 1024-byte limit/);
    const missing = readTextFileBounded(join(root, 'nope.json'), 1024);
    assert.equal(missing.ok, false);
    assert.match(missing.ok ? '' : missing.error, /ENOENT/);
  });
});

describe('inspectModelPath', () => {
  test('a folder, one of its shards, a GGUF file; anything else is refused with a reason', async () => {
    const { inspectModelPath } = await import('../../../src/core/llm/files');
    const dir = join(root, 'by-path');
    mkdirSync(dir);
    writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
    writeFileSync(join(dir, 'model.safetensors'), safetensorsHeaderOnly(hfTensors(cfg)).bytes);
    for (const p of [dir, join(dir, 'model.safetensors')]) {
      const r = inspectModelPath(p);
      assert.ok(r.ok && r.value.weights?.parameters === 7_241_732_096, p);
    }
    const other = inspectModelPath(join(dir, 'config.json'));
    assert.equal(other.ok, false);
    assert.match(other.ok ? '' : other.error, /neither a model folder/);
    assert.equal(inspectModelPath(join(dir, 'missing')).ok, false);
  });
});
