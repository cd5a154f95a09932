import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../../src/cli/lint';
import type { CliIo } from '../../../src/cli/io';

const ROOT = 'test/fixtures/lint/project';

function io(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (s) => stdout.push(s), err: (s) => stderr.push(s), cwd: process.cwd() };
}

describe('modeldock lint', () => {
  test('--json over a folder: recursive, skips node_modules, exit 1 on errors', async () => {
    const t = io();
    const code = await run([ROOT, '--json'], t);
    assert.equal(code, 1);
    const out = JSON.parse(t.stdout.join('')) as { findings: Record<string, unknown>[] };
    assert.deepEqual(out.findings.map((f) => `${String(f.file)}:${String(f.line)} ${String(f.rule)}`), [
      `${ROOT}/bad.yaml:6 schema`,
      `${ROOT}/nested/warn.yml:8 image-latest`,
    ]);
    assert.deepEqual(Object.keys(out.findings[0]!), ['file', 'line', 'column', 'endLine', 'endColumn', 'severity', 'rule', 'message']);
    assert.equal(out.findings[0]!.message, '`replicas` must be an integer, got the string "three"');
  });
  test('text mode: file:line:col severity rule message; warnings only → exit 0', async () => {
    const t = io();
    const code = await run([`${ROOT}/nested/warn.yml`], t);
    assert.equal(code, 0);
    assert.match(t.stdout[0]!, /^test\/fixtures\/lint\/project\/nested\/warn\.yml:8:14 warning image-latest image `busybox`/);
  });
  test('Dockerfiles: cuda-mismatch from the pins detected in the project folder', async () => {
    const t = io();
    const code = await run(['test/fixtures/lint/torch-project', '--json'], t);
    assert.equal(code, 1);
    const out = JSON.parse(t.stdout.join('')) as { findings: { file: string; line: number; column: number; rule: string; message: string }[] };
    assert.equal(out.findings.length, 1);
    assert.equal(out.findings[0]!.file, 'test/fixtures/lint/torch-project/Dockerfile');
    assert.equal(out.findings[0]!.rule, 'cuda-mismatch');
    assert.deepEqual([out.findings[0]!.line, out.findings[0]!.column], [1, 6]);
    assert.match(out.findings[0]!.message, /CUDA 11\.7 cannot run torch 2\.5\.1/);
  });
  test('usage errors exit 2', async () => {
    assert.equal(await run([], io()), 2);
    assert.equal(await run(['--bogus', ROOT], io()), 2);
    const t = io();
    assert.equal(await run([`${ROOT}/does-not-exist.yaml`], t), 2);
    assert.match(t.stderr.join(''), /no such file or folder/);
    assert.equal(await run(['--help'], io()), 0);
  });
});
