import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { runWith } from '../../../src/cli/scaffold';
import type { CliIo } from '../../../src/cli/io';
import { detection, frameworkProject } from './fixtures';
import { ONNX, initializer, model, valueInfo } from './protobuf';

function io(cwd: string): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { cwd, out: (s) => stdout.push(s), err: (s) => stderr.push(s), stdout, stderr };
}

describe('modeldock scaffold (CLI)', () => {
  let dir = '';
  const deps = { detect: async (root: string) => ({ ...frameworkProject('pytorch', '2.3.1'), root }) };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'modeldock-scaffold-'));
    mkdirSync(join(dir, 'proj'));
    writeFileSync(join(dir, 'proj', 'requirements.txt'), 'torch==2.3.1\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('--dry-run writes nothing; --json shape', async () => {
    const t = io(dir);
    assert.equal(await runWith(['proj', '--target', 'gpu', '--cuda', '12.1', '--dry-run', '--json'], t, deps), 0);
    assert.deepEqual(readdirSync(join(dir, 'proj')), ['requirements.txt']);
    const j = JSON.parse(t.stdout.join('')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(j).sort(), ['archs', 'baseImage', 'container', 'cuda', 'errors', 'files', 'healthPath', 'image', 'metrics', 'notes', 'predictRoute', 'runtime', 'target', 'verified']);
    assert.equal(j.runtime, 'python');
    assert.equal(j.image, 'proj:0.1.0');
    assert.deepEqual(j.errors, []);
    assert.deepEqual((j.container as { gpus: unknown }).gpus, { count: 1 });
    assert.equal(j.target, 'gpu');
    assert.equal(j.cuda, '12.1');
    assert.equal(j.baseImage, 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime');
    for (const f of j.files as { path: string; action: string }[]) {
      assert.deepEqual(Object.keys(f).sort(), ['action', 'path']);
      assert.equal(f.action, 'create');
    }
    assert.ok(Array.isArray(j.notes));
  });

  test('writes, then skips existing, then overwrites with --force', async () => {
    assert.equal(await runWith(['proj', '--target', 'cpu'], io(dir), deps), 0);
    assert.ok(existsSync(join(dir, 'proj', 'Dockerfile')));
    assert.ok(existsSync(join(dir, 'proj', 'k8s', 'deployment.yaml')));
    let t = io(dir);
    await runWith(['proj', '--target', 'cpu', '--json'], t, deps);
    assert.ok((JSON.parse(t.stdout.join('')).files as { action: string }[]).every((f) => f.action === 'unchanged'));
    writeFileSync(join(dir, 'proj', 'Dockerfile'), 'FROM scratch\n');
    t = io(dir);
    await runWith(['proj', '--target', 'cpu', '--json'], t, deps);
    assert.equal(JSON.parse(t.stdout.join('')).files[0].action, 'skip');
    assert.equal(readFileSync(join(dir, 'proj', 'Dockerfile'), 'utf8'), 'FROM scratch\n');
    await runWith(['proj', '--target', 'cpu', '--force'], io(dir), deps);
    assert.match(readFileSync(join(dir, 'proj', 'Dockerfile'), 'utf8'), /^FROM python:3\.11-slim$/m);
  });

  test('--out writes elsewhere and compose points back at the project', async () => {
    assert.equal(await runWith(['proj', '--out', 'deploy'], io(dir), deps), 0);
    const compose = parseYaml(readFileSync(join(dir, 'deploy', 'compose.yaml'), 'utf8')) as { services: Record<string, { build: { context: string; dockerfile: string } }> };
    assert.deepEqual(compose.services.proj?.build, { context: '../proj', dockerfile: '../deploy/Dockerfile' });
  });

  test('incompatible --cuda exits 1 with the reason and writes nothing', async () => {
    const t = io(dir);
    assert.equal(await runWith(['proj', '--target', 'gpu', '--cuda', '13.0', '--out', 'bad'], t, deps), 1);
    assert.match(t.stderr.join('\n'), /supports CUDA 11\.8, 12\.1/);
    assert.equal(existsSync(join(dir, 'bad')), false);
  });

  test('--gpu-arch: kernels for that GPU, and the families the image runs on in --json', async () => {
    let t = io(dir);
    assert.equal(await runWith(['proj', '--target', 'gpu', '--gpu-arch', 'hopper', '--dry-run', '--json'], t, deps), 0);
    const j = JSON.parse(t.stdout.join('')) as { verified: boolean; archs: { supported: string[]; unsupported: { arch: string; reason: string }[] } };
    assert.equal(j.verified, true);
    assert.ok(j.archs.supported.includes('hopper'));
    assert.ok(j.archs.unsupported.every((u) => typeof u.reason === 'string' && u.reason.length > 0));
    // torch 2.3.1 has no Blackwell build: refused with what would work.
    t = io(dir);
    assert.equal(await runWith(['proj', '--target', 'gpu', '--gpu-arch', 'blackwell', '--out', 'bw'], t, deps), 1);
    assert.match(t.stderr.join('\n'), /no build with kernels for Blackwell.*Instead: torch 2\.7\.0/);
    assert.equal(existsSync(join(dir, 'bw')), false);
    // CPU: nothing to judge.
    t = io(dir);
    await runWith(['proj', '--target', 'cpu', '--dry-run', '--json'], t, deps);
    assert.equal(JSON.parse(t.stdout.join('')).archs, null);
  });

  test('an UNVERIFIED plan is refused before writing unless --allow-unverified', async () => {
    mkdirSync(join(dir, 'future'), { recursive: true });
    const future = { detect: async (root: string) => ({ ...frameworkProject('pytorch', '9.9.9'), root }) };
    let t = io(dir);
    assert.equal(await runWith(['future', '--target', 'gpu'], t, future), 1);
    assert.match(t.stderr.join('\n'), /UNVERIFIED: torch 9\.9\.9 is not in ModelDock's CUDA table.*--allow-unverified/);
    assert.deepEqual(readdirSync(join(dir, 'future')), []);
    t = io(dir);
    assert.equal(await runWith(['future', '--target', 'gpu', '--json'], t, future), 1);
    const refused = JSON.parse(t.stdout.join('')) as { verified: boolean; errors: string[] };
    assert.equal(refused.verified, false);
    assert.match(refused.errors.join(' '), /--allow-unverified/);
    t = io(dir);
    assert.equal(await runWith(['future', '--target', 'gpu', '--allow-unverified'], t, future), 0);
    assert.match(t.stdout.join('\n'), /UNVERIFIED/);
    assert.match(readFileSync(join(dir, 'future', 'Dockerfile'), 'utf8'), /^# UNVERIFIED: torch 9\.9\.9/m);
  });

  test('usage errors exit 2', async () => {
    for (const argv of [[], ['a', 'b'], ['proj', '--target', 'tpu'], ['proj', '--cuda', 'twelve'], ['proj', '--gpu-arch', 'kepler'], ['proj', '--port', '0'], ['proj', '--runtime', 'bento'], ['proj', '--bogus'], ['missing-dir'], ['proj', '--tag', 'latest']]) {
      const t = io(dir);
      assert.equal(await runWith(argv, t, deps), 2, argv.join(' '));
      assert.ok(t.stderr.join('').length > 0);
    }
  });

  test('--runtime selects a serving runtime', async () => {
    const t = io(dir);
    assert.equal(await runWith(['proj', '--runtime', 'triton', '--dry-run', '--json'], t, deps), 0);
    const j = JSON.parse(t.stdout.join(''));
    assert.equal(j.runtime, 'triton');
    assert.ok((j.files as { path: string }[]).some((f) => f.path.endsWith('config.pbtxt')));
  });

  test('--runtime triton reads inputs/outputs from the detected ONNX model', async () => {
    mkdirSync(join(dir, 'onnxproj', 'models'), { recursive: true });
    const bytes = model({ initializers: [initializer('w', 1024)], inputs: [valueInfo('input_ids', ONNX.INT64, ['batch', 'seq'])], outputs: [valueInfo('logits', ONNX.FLOAT16, ['batch', 2])] });
    writeFileSync(join(dir, 'onnxproj', 'models', 'clf.onnx'), bytes);
    const onnxDeps = (file: string) => ({
      detect: async (root: string) => detection({ root, frameworks: [{ name: 'onnxruntime', version: '1.18.0' }], artifacts: [{ file, format: 'onnx', bytes: bytes.length }] }),
    });
    assert.equal(await runWith(['onnxproj', '--runtime', 'triton'], io(dir), onnxDeps('models/clf.onnx')), 0);
    const cfg = readFileSync(join(dir, 'onnxproj', 'model_repository', 'clf', 'config.pbtxt'), 'utf8');
    assert.match(cfg, /name: "input_ids"\n {2}data_type: TYPE_INT64\n {2}dims: \[ -1, -1 \]/);
    assert.match(cfg, /name: "logits"\n {2}data_type: TYPE_FP16\n {2}dims: \[ -1, 2 \]/);
    assert.doesNotMatch(cfg, /TODO/);

    // A file that is not a model: TODO markers stay and the notes say why.
    writeFileSync(join(dir, 'onnxproj', 'models', 'bad.onnx'), 'garbage');
    const t = io(dir);
    assert.equal(await runWith(['onnxproj', '--runtime', 'triton', '--dry-run', '--json'], t, onnxDeps('models/bad.onnx')), 0);
    const notes = JSON.parse(t.stdout.join('')).notes as string[];
    assert.ok(notes.some((n) => /models\/bad\.onnx: not a readable ONNX model.*TODO markers/.test(n)), notes.join('\n'));
  });
});
