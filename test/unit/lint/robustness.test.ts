// Never freeze, never loop: the inputs that hung the linter, positions after rejected tokens,
// capped messages and quick fixes that must not add errors. The ceilings are generous: they catch
// hangs (these inputs took 7–40 s before), they do not benchmark.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { applyFix, createLinter } from '../../../src/core/lint';
import type { Finding } from '../../../src/core/lint';
import { scanQuantity } from '../../../src/core/lint/rules';
import { LineIndex, clip } from '../../../src/core/lint/text';
import { byRule, goodDeployment, lint } from './helpers';

function cpu<T>(fn: () => T): { value: T; ms: number } {
  const c0 = process.cpuUsage();
  const value = fn();
  const c = process.cpuUsage(c0);
  return { value, ms: (c.user + c.system) / 1000 };
}

/** Every range inside the text, in source order. */
function assertRanges(text: string, findings: Finding[]): void {
  const lines = text.split('\n');
  for (const f of findings) {
    for (const [l, c] of [[f.line, f.column], [f.endLine, f.endColumn]] as const) {
      assert.ok(l >= 1 && l <= lines.length, `line ${l} outside ${lines.length} lines: ${JSON.stringify(f)}`);
      assert.ok(c >= 1 && c <= lines[l - 1]!.length + 1, `column ${c} outside line ${l} (${lines[l - 1]!.length} chars): ${JSON.stringify(f)}`);
    }
  }
  for (let i = 1; i < findings.length; i++) {
    const a = findings[i - 1]!;
    const b = findings[i]!;
    assert.ok(a.line < b.line || (a.line === b.line && a.column <= b.column), 'findings out of source order');
  }
}

describe('hostile inputs stay linear', () => {
  test('nested flow collections used as a key', () => {
    for (const n of [100, 219, 275, 325]) {
      const text = `${'[{'.repeat(n)}${'}]'.repeat(n)}: x\n`;
      const { value, ms } = cpu(() => lint(text));
      assert.ok(ms < 1000, `${text.length} B took ${ms.toFixed(0)} ms`);
      assertRanges(text, value);
    }
    const deep = lint(`a: ${'['.repeat(300)}${']'.repeat(300)}\n`);
    assert.deepEqual(deep.map((f) => f.rule), ['syntax']);
    assert.match(deep[0]!.message, /nested more than 256 levels/);
  });

  test('a 40 KB almost-quantity is scanned in one pass', () => {
    const v = `${'1'.repeat(40_000)}x`;
    const { value, ms } = cpu(() => scanQuantity(v));
    assert.equal(value, undefined);
    assert.ok(ms < 100, `${ms} ms`);
    assert.equal(scanQuantity('1.5Gi'), 1.5 * 2 ** 30);
    assert.equal(scanQuantity('500m'), 0.5);
    assert.equal(scanQuantity('1e3'), 1000);
    assert.equal(scanQuantity('+.5'), 0.5);
    for (const bad of ['', '5Gi ', ' 5Gi', '1.2.3', 'Gi', '1e', '1Kii', 'toString', '${X}']) assert.equal(scanQuantity(bad), undefined, bad);
  });

  test('40,000 keys with an anchor: duplicates found in one pass', () => {
    const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: big}', 'data:', '  first: &a "1"'];
    for (let i = 0; i < 40_000; i++) lines.push(`  k${i}: ${i % 1000 === 0 ? '*a' : `"${i}"`}`);
    lines.push('  k7: "again"');
    const text = `${lines.join('\n')}\n`;
    const { value, ms } = cpu(() => lint(text));
    assert.ok(ms < 5000, `${ms.toFixed(0)} ms`);
    const dup = byRule(value, 'duplicate-key');
    assert.equal(dup.length, 1);
    assert.deepEqual([dup[0]!.line, dup[0]!.column, dup[0]!.endColumn], [lines.length, 3, 5]);
  });

  test('4,000 Services × 4,000 Pods: indexed, and a real mismatch is still found', () => {
    const docs: string[] = [];
    for (let i = 0; i < 4000; i++) {
      docs.push(`apiVersion: v1\nkind: Service\nmetadata: {name: s${i}}\nspec:\n  selector: {app: a${i}}\n  ports: [{port: 80, targetPort: ${i === 1234 ? 9999 : 8080}}]\n`);
      docs.push(`apiVersion: v1\nkind: Pod\nmetadata: {name: p${i}, labels: {app: a${i}}}\nspec:\n  containers: [{name: c, image: "a:1", ports: [{containerPort: 8080}], resources: {limits: {memory: 1Gi}}}]\n`);
    }
    const text = docs.join('---\n');
    const { value, ms } = cpu(() => lint(text));
    assert.ok(ms < 10_000, `${ms.toFixed(0)} ms`);
    const ports = byRule(value, 'port-mismatch');
    assert.equal(ports.length, 1);
    assert.match(ports[0]!.message, /targetPort 9999 .* exposes 8080/);
  });

  test('billion laughs in any YAML document is metered, not expanded', () => {
    const out = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: lol}', 'data:', '  l0: &l0 "lol"'];
    for (let i = 1; i < 12; i++) out.push(`  l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(', ')}]`);
    const { value, ms } = cpu(() => lint(`${out.join('\n')}\n`));
    assert.ok(ms < 2000);
    assert.ok(value.some((f) => /too many alias expansions/.test(f.message)));
  });

  test('aliases: unresolved and self-referencing ones are errors, not crashes', () => {
    assert.match(lint('a: *nope\n')[0]!.message, /refers to no anchor/);
    assert.match(lint('a: &x [1, *x]\n')[0]!.message, /contains it/);
  });
});

describe('positions are computed from the text', () => {
  test('after a rejected token, findings stay on their lines', () => {
    const text = '" :\n0\n  p\n  q\n  r\nx: [\n';
    const f = lint(text);
    assert.ok(f.length >= 1);
    assertRanges(text, f);
  });
  test('a finding after a multi-line syntax error lands on its own line', () => {
    const text = `a: "unclosed\n  b\n  c\n---\n${goodDeployment({ image: 'web:latest' })}`;
    const f = lint(text);
    assertRanges(text, f);
    const latest = byRule(f, 'image-latest');
    assert.equal(latest.length, 1);
    assert.equal(text.split('\n')[latest[0]!.line - 1]!.trim(), 'image: web:latest');
  });
  test('LineIndex: offsets and positions round-trip, CRLF counted as text', () => {
    const t = 'ab\r\ncd\n\nef';
    const idx = new LineIndex(t);
    for (let o = 0; o <= t.length; o++) {
      const p = idx.position(o);
      assert.equal(idx.offset(p.line, p.col), o);
    }
    assert.deepEqual(idx.position(4), { line: 2, col: 1 });
  });
});

describe('messages are capped', () => {
  test('a 500 KB image is quoted in 200 characters', () => {
    const image = `registry.example.com/${'x'.repeat(500_000)}`;
    const f = byRule(lint(goodDeployment({ image })), 'image-latest');
    assert.equal(f.length, 1);
    assert.ok(f[0]!.message.length < 500, `${f[0]!.message.length} characters`);
    assert.match(f[0]!.message, /…/);
  });
  test('a huge unknown key is clipped', () => {
    const key = 'k'.repeat(100_000);
    const f = lint(goodDeployment().replace('replicas: 2', `${key}: 2`));
    assert.ok(f.length >= 1);
    for (const x of f) assert.ok(x.message.length <= 1000);
  });
  test('clip never splits a surrogate pair', () => {
    const s = `${'a'.repeat(198)}😀😀`;
    const c = clip(s, 200);
    assert.ok(!/[\ud800-\udbff]…$/.test(c));
  });
});

describe('quick fixes add no errors', () => {
  const errors = (fs: Finding[]): string[] => fs.filter((f) => f.severity === 'error').map((f) => f.rule).sort();
  const labelsCase = (labels: string): string =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:${labels}\n    spec:\n      containers:\n        - name: c\n          image: web:1\n          resources: {limits: {memory: 1Gi}}\n`;
  for (const [name, labels] of [['empty', ''], ['null', ' ~'], ['flow', ' {}'], ['flow with others', ' {tier: x}']] as const) {
    test(`align labels on ${name} labels: no second labels key`, () => {
      const text = labelsCase(labels);
      const f = byRule(lint(text), 'selector-mismatch');
      assert.equal(f.length, 1);
      assert.ok(f[0]!.fix, 'a fix is offered');
      const fixed = applyFix(text, f[0]!.fix!);
      assert.deepEqual(errors(lint(fixed)), []);
      assert.equal(fixed.match(/labels:/g)?.length, 1);
    });
  }
  test('GPU limit for a fractional request is rounded up', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: a:1\n      resources:\n        requests:\n          nvidia.com/gpu: 0.5\n';
    const f = byRule(lint(text), 'gpu-request-mismatch');
    assert.equal(f.length, 1);
    const fixed = applyFix(text, f[0]!.fix!);
    assert.match(fixed, /limits:\n {10}nvidia\.com\/gpu: 1\n/);
    assert.deepEqual(errors(lint(fixed)), ['gpu-fractional']);
  });
  test('a fix whose result yaml reads differently is not offered', () => {
    // After `limits:` comes a line that yaml reads as a sibling only while limits is empty.
    const text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: t\n      image: app:1\n      resources:\n        requests:\n          nvidia.com/gpu: 1\n        limits:\n\n[{[{a}]}]: x\n';
    for (const f of lint(text)) {
      if (!f.fix) continue;
      const before = errors(lint(text));
      const after = errors(lint(applyFix(text, f.fix, '1.2.3')));
      for (const r of new Set(after)) assert.ok(after.filter((x) => x === r).length <= before.filter((x) => x === r).length, `${f.rule} fix adds ${r}`);
    }
  });
  test('the linter is deterministic across calls (no state leaks between documents)', () => {
    const l = createLinter();
    const text = goodDeployment({ gpu: '0.5', image: 'pytorch/pytorch:latest' });
    const first = l.lintYaml(text, 'a.yaml');
    for (let i = 0; i < 5; i++) l.lintYaml(`${'['.repeat(200)}\n${text}`, 'b.yaml');
    assert.deepEqual(l.lintYaml(text, 'a.yaml'), first);
  });
});
