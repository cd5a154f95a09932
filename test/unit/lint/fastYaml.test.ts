// The fast YAML path must be invisible: for every input, the nodes it builds (values, scalar types,
// ranges) and the findings of a linter using it equal those of the `yaml` package. Inputs: every
// YAML file under test/fixtures/lint, the snippets, the benchmark's documents, and a seeded
// generator of manifests in the layouts people write (comments, blank lines, flow maps, quoting,
// indentless lists, typos, wrong types) plus mutations that leave the subset.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Node } from 'yaml';
import { createEngine } from '../../../src/core/lint/engine';
import { FastYaml } from '../../../src/core/lint/fastYaml';
import { LineIndex } from '../../../src/core/lint/text';
import { documentValue } from '../../../src/core/lint/value';
import { parseChunk, splitDocuments } from '../../../src/core/lint/yamlDoc';
import { expandSnippet, goodDeployment } from './helpers';

const fastLinter = createEngine();
const slowLinter = createEngine({ fastPath: false });
const fast = new FastYaml();

/** The parts of a node the linter reads, as plain data. */
function shape(n: unknown): unknown {
  if (isMap(n) || isSeq(n)) {
    return { kind: isMap(n) ? 'map' : 'seq', flow: !!n.flow, range: n.range, items: n.items.map((it: unknown) => (isPair(it) ? { k: shape(it.key), v: shape(it.value) } : shape(it))) };
  }
  if (isScalar(n)) {
    const s = n as { format?: string; minFractionDigits?: number };
    return { kind: 'scalar', value: n.value, type: n.type, source: n.source, range: n.range, format: s.format, minFractionDigits: s.minFractionDigits };
  }
  return n === null || n === undefined ? null : String(n);
}

let fastHits = 0;
function check(text: string, file = 'manifest.yaml', label = file, allOptions = true): void {
  for (const chunk of splitDocuments(text)) {
    const f = fast.parse(chunk.text);
    if (!f) continue;
    fastHits++;
    const slow = parseChunk(chunk.text);
    assert.equal(slow.doc.errors.length, 0, `${label}: fast path accepted a document yaml rejects:\n${chunk.text}\n${slow.doc.errors.map((e) => e.message).join('\n')}`);
    assert.deepEqual(shape(f.doc.contents as Node), shape(slow.doc.contents), `${label}: node trees differ for:\n${chunk.text}`);
    assert.deepEqual(f.value, slow.doc.toJS({ maxAliasCount: 100 }), `${label}: values differ from yaml's toJS`);
    assert.deepEqual(f.value, documentValue(slow.doc, chunk.text).value, `${label}: values differ from documentValue`);
    assert.deepEqual(f.lines.lineStarts, new LineIndex(chunk.text).starts, `${label}: line starts differ`);
  }
  for (const options of allOptions ? [{}, { schema: false }, { rules: false }] : [{}]) {
    assert.deepEqual(fastLinter.lintYaml(text, file, options), slowLinter.lintYaml(text, file, options), `${label}: findings differ (${JSON.stringify(options)})`);
  }
}

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

/** mulberry32: small, seeded, good enough to vary layouts. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCALARS = ['web', 'model-7', '"quoted"', "'single'", "'it''s'", '3', '-1', '0.5', '1.50', '1e3', '0x1F', '0o17', 'true', 'False', 'null', '~', '', '500m', '2Gi', '"80"', 'registry.example.com/m:1.2.0', 'nvcr.io/nvidia/pytorch:24.01-py3', 'pytorch/pytorch:latest', 'http://x.y/z?a=b&c', 'a b  c', '.inf', '-.NaN', '"a\\"b"', '"#not-comment"', 'x #comment', 'yes', 'On', '[a, b]', '{a: 1, b: [2, 3]}', '[]', '{}', '{ a: 1 }', '[ a , b ]', '[a,b]', '{a: 1,}', 'a: b', '&anchor x', '*alias', '!!str 5', '|\n  block', '>-\n  folded', 'multi\n  line', '"two\n  lines"', '@bad', '`bad`', '- x', '? x'];
const KEYS = ['name', 'image', 'replicas', 'contianers', 'app', 'x-note', '"quoted key"', "'sq'", 'nvidia.com/gpu', 'a:b', '1', 'true', 'null', '<<', 'dup', 'dup', '__proto__', 'k with space'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

/** A random block node at `indent`; maps and sequences nest, leaves are scalars of all sorts. */
function node(r: () => number, indent: number, depth: number, lines: string[], head: string): void {
  const pad = ' '.repeat(indent);
  const comment = (): void => {
    const x = r();
    if (x < 0.04) lines.push('');
    else if (x < 0.07) lines.push(`${pad}# note`);
    else if (x < 0.08) lines.push(`${' '.repeat(Math.floor(r() * 8))}# stray`);
  };
  const leaf = (): string => {
    const s = pick(r, SCALARS);
    return r() < 0.05 ? `${s}  # trailing` : r() < 0.03 ? `${s}   ` : s;
  };
  const n = 1 + Math.floor(r() * 4);
  if (depth > 4 || r() < 0.3) {
    lines.push(`${head} ${leaf()}`.replace(/ $/, r() < 0.5 ? '' : ' '));
    return;
  }
  if (r() < 0.35) {
    // A sequence, indented under its key or indentless.
    lines.push(head);
    const ind = r() < 0.4 ? Math.max(indent - 2, 0) : indent;
    for (let i = 0; i < n; i++) {
      comment();
      if (r() < 0.5) {
        const k = pick(r, KEYS);
        node(r, ind + 2, depth + 1, lines, `${' '.repeat(ind)}- ${k}:`);
        for (let j = 0; j < Math.floor(r() * 3); j++) node(r, ind + 2, depth + 1, lines, `${' '.repeat(ind + 2)}${pick(r, KEYS)}:`);
      } else if (r() < 0.3) node(r, ind + 2, depth + 1, lines, `${' '.repeat(ind)}-`);
      else lines.push(`${' '.repeat(ind)}- ${leaf()}`);
    }
    return;
  }
  lines.push(head + (r() < 0.05 ? '  # about this' : ''));
  const used = new Set<string>();
  for (let i = 0; i < n; i++) {
    comment();
    let k = pick(r, KEYS);
    if (used.has(k) && r() < 0.9) k = `${k}${i}`;
    used.add(k);
    node(r, indent + 2, depth + 1, lines, `${pad}${k}:`);
  }
}

function manifest(seed: number): string {
  const r = rng(seed);
  const docs: string[] = [];
  for (let d = 0; d < 1 + Math.floor(r() * 3); d++) {
    if (r() < 0.5) {
      let text = goodDeployment({ image: pick(r, ['web:1.0', 'web', 'nvcr.io/nvidia/pytorch:24.01-py3', '"web:latest"']), gpu: pick(r, ['', '1', '0.5', '"2"']) });
      const ls = text.split('\n');
      // Mutate a line or two: insert a random node, a comment, or change a value.
      for (let m = 0; m < Math.floor(r() * 3); m++) {
        const at = 1 + Math.floor(r() * (ls.length - 2));
        const ind = /^ */.exec(ls[at]!)![0].length;
        const extra: string[] = [];
        const x = r();
        if (x < 0.4) node(r, ind + 2, 3, extra, `${' '.repeat(ind)}${pick(r, KEYS)}:`);
        else if (x < 0.6) extra.push(`${' '.repeat(ind)}# comment`);
        else if (x < 0.7) extra.push('');
        else ls[at] = ls[at]!.replace(/: .*$/, `: ${pick(r, SCALARS)}`);
        ls.splice(at, 0, ...extra);
      }
      text = ls.join('\n');
      docs.push(text);
    } else {
      const lines: string[] = [];
      lines.push(`apiVersion: ${pick(r, ['v1', 'apps/v1', 'batch/v1', 'example.com/v1'])}`, `kind: ${pick(r, ['Pod', 'Deployment', 'Service', 'ConfigMap', 'Job', 'Thing'])}`);
      node(r, 2, 1, lines, 'metadata:');
      node(r, 2, 1, lines, 'spec:');
      if (r() < 0.3) node(r, 2, 1, lines, 'data:');
      docs.push(lines.join('\n') + (r() < 0.8 ? '\n' : ''));
    }
  }
  const sep = (): string => pick(r, ['---\n', '---\n', '--- \n', '---  # next\n', '# between\n---\n']);
  return (r() < 0.2 ? '# leading\n' : '') + (r() < 0.2 ? '---\n' : '') + docs.join(`${docs.length ? '' : ''}${sep()}`);
}

describe('fast YAML path ≡ yaml package', () => {
  test('fixtures', () => {
    for (const f of yamlFiles('test/fixtures/lint')) check(readFileSync(f, 'utf8'), f, f);
  });
  test('snippets', () => {
    const snippets = JSON.parse(readFileSync('snippets/kubernetes.json', 'utf8')) as Record<string, { body: string | string[] }>;
    for (const [name, s] of Object.entries(snippets)) check(expandSnippet(s.body), 'manifest.yaml', name);
  });
  test('hand-picked layouts', () => {
    const cases = [
      goodDeployment(),
      goodDeployment({ gpu: '0.5', image: 'nvcr.io/nvidia/pytorch:24.01-py3' }),
      'a: 1\n\n# c\nb:\n  x: 1\n  # in\n\n  y: 2\n# out\nc: 3',
      'a:\n- x\n-   y  \n- k: v\n  j: w\nb: [1, "2", {p: q}] # t\nc: {}\nd: {x: [a]}\n',
      'k:\n  - a\n  # c\nz: 1\n',
      'a: 1\n    # deep\nb: 2\n',
      'a:   \nb: x  # hi\nc: -1\n',
      '--- # x\na: b\n',
      'services:\n  m:\n    image: app:1\n    restart: sometimes\n',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: a:1\n    args:\n    - --x\n    - "--y"\n  volumes: []\n',
      'a: 1\nb:\n',
      'a: 1\nb:',
      'a: {x: 1}',
      'a: [x, y]   ',
      '- a\n- b\n',
      'a:\n  - b: 1\n    c: 2\n  - d\n',
      'x: "a" # c\ny: \'b\'\n',
      // Colons inside flow scalars: part of the scalar unless an indicator follows.
      'c: [{name: c, image: a:1, ports: [{containerPort: 8080}]}]\n',
      'u: {url: http://x:80/p, t: a::b, z: :x}\n',
      'a: [b:, c]\n',
      'a: {b: c:}\n',
      'a: [x:[1]]\n',
      'a: {k:{v: 1}}\n',
      'a: [x:y, "q":r]\n',
      'a: [x:\n',
    ];
    for (const c of cases) check(c);
  });
  test('a few thousand generated manifests', () => {
    fastHits = 0;
    for (let seed = 1; seed <= 3000; seed++) check(manifest(seed), seed % 7 === 0 ? 'compose.yaml' : 'manifest.yaml', `seed ${seed}`, seed % 10 === 0);
    // The generator must exercise the fast path, not only the fallback.
    assert.ok(fastHits > 2000, `fast path taken for only ${fastHits} documents`);
  });
});
