import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createLinter, lintYaml, lintYamlAsync } from '../../../src/core/lint';
import type { DocumentCache } from '../../../src/core/lint';
import { byRule, goodDeployment, lint } from './helpers';

describe('multi-document files', () => {
  test('lines are file lines, each document judged by its own kind', () => {
    const text = `# leading comment\n---\n${goodDeployment()}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  n: 1\n...\n---\n${goodDeployment().replace('replicas: 2', 'replicas: two')}`;
    const f = byRule(lint(text), 'schema');
    assert.equal(f.length, 2);
    assert.equal(f[0]!.line, 38);
    assert.match(f[0]!.message, /`n` must be a string/);
    assert.equal(f[1]!.line, 46);
    assert.match(f[1]!.message, /`replicas` must be an integer/);
  });
  test('empty documents and comment-only documents are fine', () => {
    assert.deepEqual(lint('---\n---\n# nothing\n---\n'), []);
    assert.deepEqual(lint(''), []);
  });
  test('a --- inside a block scalar still splits (as the YAML spec says) and stays consistent', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: |\n    x\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\n';
    assert.deepEqual(lint(text), []);
  });
});

describe('anchors, aliases and merge keys', () => {
  test('aliases and << merges are resolved before validation and rules', () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  selector:
    matchLabels: &labels
      app: web
  template:
    metadata:
      labels: *labels
    spec:
      containers:
        - &base
          name: a
          image: app:1
          resources: &res
            requests: {cpu: 100m, memory: 1Gi}
            limits: {memory: 1Gi}
        - <<: *base
          name: b
`;
    assert.deepEqual(lint(text), []);
  });
  test('billion laughs: reported, not expanded', () => {
    const lol = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: lol}', 'data:', '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    let prev = 'a';
    for (const n of ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']) {
      lol.push(`  ${n}: &${n} [${Array(9).fill(`*${prev}`).join(',')}]`);
      prev = n;
    }
    const t0 = performance.now();
    const f = lint(`${lol.join('\n')}\n`);
    assert.ok(performance.now() - t0 < 2000);
    assert.equal(f.length, 1);
    assert.equal(f[0]!.rule, 'syntax');
    assert.match(f[0]!.message, /too many alias expansions/);
  });
});

describe('syntax and duplicate keys', () => {
  test('duplicate keys are reported on the second key', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n';
    const f = lint(text);
    assert.equal(f.length, 1);
    assert.equal(f[0]!.rule, 'duplicate-key');
    assert.deepEqual([f[0]!.line, f[0]!.column, f[0]!.endColumn], [5, 3, 7]);
    assert.match(f[0]!.message, /duplicate key `name`/);
  });
  test('syntax errors are errors with a position, and other documents still lint', () => {
    const text = `apiVersion: v1\nkind: ConfigMap\ndata: [a, b\nmetadata: x: y\n---\n${goodDeployment().replace('replicas: 2', 'replicas: "2"')}`;
    const f = lint(text);
    assert.ok(byRule(f, 'syntax').length >= 1);
    assert.ok(byRule(f, 'syntax').every((x) => x.line <= 4 && x.severity === 'error'));
    assert.equal(byRule(f, 'schema').length, 1);
    assert.equal(byRule(f, 'schema')[0]!.line, 11);
  });
});

describe('options', () => {
  test('schema: false keeps the rules, drops schema findings', () => {
    const text = goodDeployment({ image: 'web:latest' }).replace('replicas: 2', 'replicas: two');
    const all = lintYaml(text, 'a.yaml');
    assert.deepEqual(all.map((f) => f.rule).sort(), ['image-latest', 'schema']);
    assert.deepEqual(lintYaml(text, 'a.yaml', { schema: false }).map((f) => f.rule), ['image-latest']);
    assert.deepEqual(lintYaml(text, 'a.yaml', { rules: false }).map((f) => f.rule), ['schema']);
  });
});

function bigFile(docs: number): string {
  const parts: string[] = [];
  for (let i = 0; i < docs; i++) parts.push(goodDeployment().replace('name: web', `name: web-${i}`));
  return parts.join('---\n');
}

describe('incremental re-lint', () => {
  test('after a one-line edit only the edited document is re-validated; results equal a full lint', () => {
    const l = createLinter();
    const text = bigFile(100);
    const first = l.lintIncremental(undefined, text, 'big.yaml');
    assert.equal(first.cache.stats.validated, 100);
    assert.deepEqual(first.findings, []);
    const lines = text.split('\n');
    const target = lines.findIndex((x) => x === '  name: web-57');
    const replicas = target + 2;
    assert.equal(lines[replicas], '  replicas: 2');
    lines[replicas] = '  replicas: many';
    const edited = lines.join('\n');
    const t0 = performance.now();
    const second = l.lintIncremental(first.cache, edited, 'big.yaml');
    const ms = performance.now() - t0;
    assert.equal(second.cache.stats.validated, 1);
    assert.equal(second.cache.stats.reused, 99);
    assert.deepEqual(second.findings, l.lintYaml(edited, 'big.yaml'));
    assert.equal(second.findings.length, 1);
    assert.equal(second.findings[0]!.line, replicas + 1);
    assert.ok(ms < 100, `re-lint took ${ms} ms`);
  });
  test('inserting lines shifts cached findings of later documents', () => {
    const l = createLinter();
    const text = `${goodDeployment()}---\n${goodDeployment({ image: 'x:latest' })}`;
    const a = l.lintIncremental(undefined, text, 'f.yaml');
    assert.equal(a.findings[0]!.line, 48);
    const b = l.lintIncremental(a.cache, `# one\n# two\n${text}`, 'f.yaml');
    assert.equal(b.cache.stats.reused, 1);
    assert.equal(b.findings[0]!.line, 50);
    assert.equal(b.findings[0]!.fix!.edits[0]!.line, 50);
  });
  test('a cache for another file or other options is not reused', () => {
    const l = createLinter();
    const a = l.lintIncremental(undefined, goodDeployment(), 'f.yaml');
    assert.equal(l.lintIncremental(a.cache, goodDeployment(), 'g.yaml').cache.stats.reused, 0);
    assert.equal(l.lintIncremental(a.cache as DocumentCache, goodDeployment(), 'f.yaml', { schema: false }).cache.stats.reused, 0);
  });
});

describe('async variant', () => {
  test('yields between documents and returns what the sync lint returns', async () => {
    const l = createLinter();
    const text = bigFile(60).replace('replicas: 2', 'replicas: x');
    l.lintYaml(goodDeployment(), 'warm.yaml');
    let yields = 0;
    const r = await l.lintYamlAsync(text, 'big.yaml', {
      sliceMs: 0,
      yieldFn: async () => {
        yields++;
      },
    });
    assert.ok(yields >= 59);
    assert.deepEqual(r.findings, l.lintYaml(text, 'big.yaml'));
    const viaFn = await lintYamlAsync(text, 'big.yaml', { linter: l });
    assert.deepEqual(viaFn.findings, r.findings);
  });
});
