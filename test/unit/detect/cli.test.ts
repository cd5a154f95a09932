import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { main } from '../../../src/cli';
import type { CliIo } from '../../../src/cli/io';
import { fixture, tempTree } from './helpers';

function capture(cwd = process.cwd()) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (s) => out.push(s), err: (s) => err.push(s), cwd };
  return { io, out, err };
}

const REPO = resolve(__dirname, '../../..');

describe('modeldock detect', () => {
  test('--json prints exactly the contract object', async () => {
    const { io, out, err } = capture();
    const code = await main(['detect', fixture('pytorch-cuda'), '--json'], io);
    assert.equal(code, 0);
    assert.deepEqual(err, []);
    assert.equal(out.length, 1);
    const report = JSON.parse(out[0]!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(report), ['root', 'frameworks', 'primary', 'accelerator', 'cuda', 'python', 'entrypoint', 'artifacts', 'llm', 'warnings']);
    assert.equal(report.root, fixture('pytorch-cuda'));
    assert.equal(report.primary, 'pytorch');
    assert.equal(report.accelerator, 'gpu');
    assert.equal(report.cuda, '12.1');
    assert.equal(report.python, '3.11');
    assert.deepEqual(report.entrypoint, { file: 'src/api/app.py', kind: 'fastapi' });
    const fw = (report.frameworks as Array<{ name: string; version: string | null; evidence: Array<Record<string, unknown>> }>)[0]!;
    assert.deepEqual(Object.keys(fw), ['name', 'version', 'evidence']);
    assert.deepEqual(fw.evidence[0], { file: 'requirements.txt', line: 5, reason: 'torch==2.1.2+cu121' });
    assert.match(out[0]!, /^\{\n {2}"root"/, 'pretty-printed');
  });

  test('DIR is resolved against the io cwd', async () => {
    const { io, out } = capture(fixture('.'));
    assert.equal(await main(['detect', 'tf-cpu', '--json'], io), 0);
    assert.equal((JSON.parse(out[0]!) as { root: string }).root, fixture('tf-cpu'));
  });

  test('the readable summary names framework, version, evidence, target, artifacts with sizes, warnings', async () => {
    const { io, out } = capture();
    assert.equal(await main(['detect', fixture('pytorch-cuda')], io), 0);
    const text = out.join('\n');
    assert.match(text, /Framework: pytorch 2\.1\.2 \(primary\)/);
    assert.match(text, /requirements\.txt:5 {2}torch==2\.1\.2\+cu121/);
    assert.match(text, /Accelerator: gpu \(CUDA 12\.1\)/);
    assert.match(text, /Python: 3\.11/);
    assert.match(text, /Entrypoint: src\/api\/app\.py \(fastapi\)/);
    assert.match(text, /models\/classifier\.pt {2}pytorch {2}2\.0 KB/);
    assert.match(text, /Warnings:\n {2}- requirements\.txt:11: skipped editable requirement/);
  });

  test('usage errors exit 2 with a message: no DIR, unknown flag, not a folder, missing folder', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['detect'], /missing DIR/],
      [['detect', '.', '--yaml'], /unknown option --yaml/],
      [['detect', fixture('tf-cpu/serve.py')], /not a folder/],
      [['detect', '/definitely/not/here'], /no such folder/],
      [['detect', 'a', 'b'], /expected exactly one DIR/],
    ];
    for (const [argv, re] of cases) {
      const { io, out, err } = capture();
      assert.equal(await main(argv, io), 2, argv.join(' '));
      assert.deepEqual(out, []);
      assert.match(err.join('\n'), re);
    }
  });

  test('an empty folder is a valid (empty) report', async () => {
    const { io, out } = capture();
    assert.equal(await main(['detect', tempTree({}), '--json'], io), 0);
    const r = JSON.parse(out[0]!) as { frameworks: unknown[]; primary: unknown; accelerator: string; entrypoint: unknown };
    assert.deepEqual([r.frameworks, r.primary, r.accelerator, r.entrypoint], [[], null, 'cpu', null]);
  });

  test('--file-budget is passed on and checked', async () => {
    const { io, out } = capture();
    assert.equal(await main(['detect', fixture('pytorch-cuda'), '--json', '--file-budget', '3'], io), 0);
    assert.match((JSON.parse(out[0]!) as { warnings: string[] }).warnings.join('\n'), /stopped after 3 files/);
    for (const bad of ['0', 'abc', '1e3', '2000000']) {
      const c = capture();
      assert.equal(await main(['detect', '.', '--file-budget', bad], c.io), 2, bad);
      assert.match(c.err.join('\n'), /--file-budget must be a whole number from 1 to 1000000/);
    }
  });

  test('the summary shows data-only frameworks, the served object, system packages; names are escaped', async () => {
    const { io, out } = capture();
    assert.equal(await main(['detect', fixture('cog-maxim')], io), 0);
    const text = out.join('\n');
    assert.match(text, /Framework: jax \(version not pinned\) \(primary\)/);
    assert.match(text, /Framework: tensorflow 2\.8\.0 \(data pipeline only: not the model framework\)/);
    assert.match(text, /Entrypoint: maxim\/predict\.py \(cog, Predictor\)/);
    assert.match(text, /System packages: libgl1-mesa-glx libglib2\.0-0 \(cog\.yaml\)/);

    const root = tempTree({ 'ok.txt': '' });
    const evil = join(root, 'x\u001b]0;pwned\u0007');
    mkdirSync(evil);
    writeFileSync(join(evil, 'requirements.txt'), Buffer.from([0, 1]));
    const c = capture();
    assert.equal(await main(['detect', root], c.io), 0);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(c.out.join('\n'), /[\u0000-\u0008\u000b-\u001f]/);
    assert.match(c.out.join('\n'), /x\\u001b\]0;pwned\\u0007\/requirements\.txt: skipped/);
  });

  test('the CLI entry loads a subcommand only when it runs (`--help` loads no detection code)', () => {
    const probe = [
      "const { main } = require('./src/cli.ts');",
      "main(['--help'], { out() {}, err() {}, cwd: '.' }).then(() => {",
      "  const loaded = Object.keys(require.cache).filter((k) => /src[\\/\\\\](core|cli)[\\/\\\\]/.test(k));",
      '  process.stdout.write(JSON.stringify(loaded));',
      '});',
    ].join('\n');
    const res = spawnSync(process.execPath, ['--import', 'tsx', '-e', probe], { cwd: REPO, encoding: 'utf8' });
    assert.equal(res.status, 0, res.stderr);
    assert.deepEqual(JSON.parse(res.stdout), []);
  });

  test('the real entry point works as a process', () => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'detect', fixture('conda-streamlit'), '--json'], { cwd: REPO, encoding: 'utf8' });
    assert.equal(res.status, 0, res.stderr);
    const r = JSON.parse(res.stdout) as { primary: string; cuda: string; python: string };
    assert.deepEqual([r.primary, r.cuda, r.python], ['pytorch', '12.1', '3.10']);
  });
});
