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
  test('--crds reads CRDs for custom resources; --kubernetes-version picks the API versions served', async () => {
    const dir = 'test/fixtures/lint/crd-project';
    const alone = io();
    assert.equal(await run([`${dir}/widget.yaml`, '--json'], alone), 1);
    const a = JSON.parse(alone.stdout.join('')) as { findings: { rule: string; message: string }[] };
    assert.deepEqual(a.findings.map((f) => f.rule), ['unchecked', 'api-version']);
    assert.match(a.findings[1]!.message, /`batch\/v1beta1` CronJob was removed in Kubernetes 1\.25; use `apiVersion: batch\/v1`/);
    const withCrds = io();
    assert.equal(await run([`${dir}/widget.yaml`, '--crds', `${dir}/crds`, '--json', '--kubernetes-version', '1.30'], withCrds), 1);
    const b = JSON.parse(withCrds.stdout.join('')) as { findings: { rule: string; message: string }[] };
    assert.deepEqual(b.findings.map((f) => `${f.rule}: ${f.message.slice(0, 30)}`), ['schema: `size` must be >= 1, got the n', 'api-version: `batch/v1beta1` CronJob was re']);
    // A folder holding both: the CRD among the linted files is used too.
    const folder = io();
    await run([dir, '--json'], folder);
    assert.ok((JSON.parse(folder.stdout.join('')) as { findings: { message: string }[] }).findings.some((f) => /`size` must be >= 1/.test(f.message)));
    const text = io();
    await run([`${dir}/widget.yaml`, '--kubernetes-version=v1.33.2'], text);
    assert.match(text.stderr.join(''), /checked against Kubernetes 1\.33/);
  });
  test('usage errors exit 2', async () => {
    const badVersion = io();
    assert.equal(await run([ROOT, '--kubernetes-version', '1.12'], badVersion), 2);
    assert.match(badVersion.stderr.join(''), /not a bundled Kubernetes version \(1\.30, .*1\.37\)/);
    assert.equal(await run([], io()), 2);
    assert.equal(await run(['--bogus', ROOT], io()), 2);
    const t = io();
    assert.equal(await run([`${ROOT}/does-not-exist.yaml`], t), 2);
    assert.match(t.stderr.join(''), /no such file or folder/);
    assert.equal(await run(['--help'], io()), 0);
  });
});
