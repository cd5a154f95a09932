// The lint worker as the extension runs it: the real worker script (bundled by esbuild, as
// scripts/build.mjs does) in a real worker thread, driven by LintWorkerClient.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { createLinter } from '../../../src/core/lint';
import { LintWorkerClient } from '../../../src/features/lint/workerClient';
import type { LintOutcome } from '../../../src/features/lint/workerClient';
import { goodDeployment } from './helpers';

let dir: string;
let script: string;

function findings(o: LintOutcome): NonNullable<Exclude<LintOutcome, 'superseded'>>['findings'] {
  assert.notEqual(o, 'superseded');
  return (o as Exclude<LintOutcome, 'superseded'>).findings;
}

function bigConfigMap(keys: number): string {
  const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: big}', 'data:', '  first: &a "x"'];
  for (let i = 0; i < keys; i++) lines.push(`  k${i}: ${i % 100 === 0 ? '*a' : `"${i}"`}`);
  return `${lines.join('\n')}\n`;
}

describe('lint worker', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'modeldock-lint-worker-'));
    script = join(dir, 'lint.js');
    await build({ entryPoints: ['src/features/lint/worker.ts'], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: script, logLevel: 'silent' });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('YAML findings equal the in-process linter; an edit re-validates one document', async () => {
    const client = new LintWorkerClient({ script });
    try {
      const text = `${goodDeployment()}---\n${goodDeployment().replace('replicas: 2', 'replicas: two')}---\n${goodDeployment({ image: 'pytorch/pytorch:latest' })}`;
      const first = await client.lintYaml('file:///a.yaml', 'a.yaml', text, true);
      assert.deepEqual(findings(first), createLinter().lintYaml(text, 'a.yaml'));
      assert.ok(findings(first).some((f) => f.rule === 'schema'));
      const edited = text.replace('replicas: two', 'replicas: 3');
      const second = await client.lintYaml('file:///a.yaml', 'a.yaml', edited, true);
      assert.deepEqual(findings(second), createLinter().lintYaml(edited, 'a.yaml'));
      assert.deepEqual((second as { stats?: unknown }).stats, { documents: 3, reused: 2, validated: 1 });
      // schema: false drops schema findings, as when Red Hat YAML validates the file.
      const noSchema = await client.lintYaml('file:///a.yaml', 'a.yaml', text, false);
      assert.ok(!findings(noSchema).some((f) => f.rule === 'schema'));
      assert.equal(client.starts, 1);
    } finally {
      client.dispose();
    }
  });

  test('Dockerfiles are linted in the worker too', async () => {
    const client = new LintWorkerClient({ script });
    try {
      const text = readFileSync('test/fixtures/lint/torch-project/Dockerfile', 'utf8');
      const out = findings(await client.lintDockerfile('file:///Dockerfile', 'Dockerfile', text, { pytorch: '2.3.1' }));
      assert.deepEqual(out.map((f) => f.rule), ['cuda-mismatch']);
    } finally {
      client.dispose();
    }
  });

  test('a queued request is superseded by a newer one for the same document', async () => {
    const client = new LintWorkerClient({ script });
    try {
      const slow = client.lintYaml('file:///big.yaml', 'big.yaml', bigConfigMap(20_000), true);
      const stale = client.lintYaml('file:///a.yaml', 'a.yaml', 'a: 1\n', true);
      const fresh = client.lintYaml('file:///a.yaml', 'a.yaml', 'a: 1\na: 2\n', true);
      assert.equal(await stale, 'superseded');
      assert.deepEqual(findings(await fresh).map((f) => f.rule), ['duplicate-key']);
      findings(await slow);
    } finally {
      client.dispose();
    }
  });

  test('over the soft budget: the linter stops between documents and says so', async () => {
    const client = new LintWorkerClient({ script, budgetMs: 1, graceMs: 60_000 });
    try {
      const text = Array.from({ length: 3000 }, (_, i) => goodDeployment().replace('name: web', `name: web-${i}`)).join('---\n');
      const out = findings(await client.lintYaml('file:///many.yaml', 'many.yaml', text, true));
      const budget = out.filter((f) => f.rule === 'too-complex');
      assert.equal(budget.length, 1);
      assert.match(budget[0]!.message, /after checking \d+ of its 3000 documents/);
      assert.equal(client.starts, 1, 'a soft stop keeps the worker');
    } finally {
      client.dispose();
    }
  });

  test('over the hard budget: the worker is terminated, the file gets one finding, the next request gets a new worker', async () => {
    // One document of 300,000 keys cannot stop between documents and takes seconds; a small one takes milliseconds.
    const client = new LintWorkerClient({ script, budgetMs: 1, graceMs: 1000 });
    try {
      const t0 = performance.now();
      const out = findings(await client.lintYaml('file:///big.yaml', 'big.yaml', bigConfigMap(300_000), true));
      // A generous ceiling against hangs: the whole lint of this file takes far longer than the budget.
      assert.ok(performance.now() - t0 < 30_000, 'the budget did not stop the worker');
      assert.equal(out.length, 1);
      assert.equal(out[0]!.rule, 'too-complex');
      assert.equal(out[0]!.file, 'big.yaml');
      assert.match(out[0]!.message, /too complex to check fully/);
      const next = findings(await client.lintYaml('file:///a.yaml', 'a.yaml', 'a: 1\na: 2\n', true));
      assert.deepEqual(next.map((f) => f.rule), ['duplicate-key']);
      assert.equal(client.starts, 2);
    } finally {
      client.dispose();
    }
  });

  test('a worker script that fails to start rejects the request instead of retrying forever', async () => {
    const client = new LintWorkerClient({ script: join(dir, 'missing.js') });
    try {
      await assert.rejects(client.lintYaml('file:///a.yaml', 'a.yaml', 'a: 1\n', true));
      assert.equal(client.starts, 1);
    } finally {
      client.dispose();
    }
  });
});
