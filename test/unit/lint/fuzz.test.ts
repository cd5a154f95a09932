// Robustness: thousands of deterministic mutations of real manifests through the linter.
// No crash (every input returns findings), no hang (each input is timed), bounded memory.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createLinter, lintDockerfile } from '../../../src/core/lint';
import type { Finding } from '../../../src/core/lint';
import { expandSnippet, goodDeployment, literalCuda } from './helpers';

/** mulberry32: tiny, seedable, good enough to pick mutations reproducibly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const snippets = JSON.parse(readFileSync('snippets/kubernetes.json', 'utf8')) as Record<string, { body: string[] }>;
const CORPUS = [
  goodDeployment(),
  goodDeployment({ image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime', gpu: '0.5' }),
  ...Object.values(snippets).map((s) => expandSnippet(s.body)),
  'services:\n  m:\n    image: app:latest\n    deploy: {resources: {reservations: {devices: [{driver: nvidia, count: all, capabilities: [gpu]}]}}}\n',
  'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]\n',
  'a: &a [1, 2]\nb: *a\nc:\n  <<: {x: 1}\n  y: "2"\n',
];
const NOISE = ['\u0000', '\t', ':', '-', '---', '[', ']', '{', '}', '&a', '*a', '<<:', '!!str', '"', "'", '|', '>', '#', '\n', '  ', '\u{1F600}', '\uFEFF', '%YAML 1.2', '? ', '@', '`', '\r\n'];

function mutate(rand: () => number, text: string): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const at = Math.floor(rand() * (text.length + 1));
  switch (Math.floor(rand() * 8)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return text.slice(0, at) + pick(NOISE) + text.slice(at);
    case 2: {
      let s = '';
      const n = 1 + Math.floor(rand() * 32);
      for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(rand() * 0x3000));
      return text.slice(0, at) + s + text.slice(at + Math.floor(rand() * 8));
    }
    case 3: {
      const lines = text.split('\n');
      const i = Math.floor(rand() * lines.length);
      lines.splice(Math.floor(rand() * lines.length), 0, lines[i] ?? '');
      return lines.join('\n');
    }
    case 4: {
      const lines = text.split('\n');
      const i = Math.floor(rand() * lines.length);
      lines[i] = ' '.repeat(Math.floor(rand() * 6)) + (lines[i] ?? '').trimStart();
      return lines.join('\n');
    }
    case 5:
      return `${text}---\n${text.slice(at)}`;
    case 6:
      return text.replace(/: (\S+)/, (_m, v: string) => `: ${pick(['~', 'null', '1e999', '-0', '0x1F', '.inf', '"', '[]', '{}', `*${v}`, 'yes'])}`);
    default:
      return text.slice(at) + text.slice(0, at);
  }
}

function deepFlow(n: number): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: ${'['.repeat(n)}${']'.repeat(n)}\n`;
}
function deepBlock(n: number): string {
  let s = 'apiVersion: v1\nkind: Pod\nmetadata:\n';
  for (let i = 0; i < n; i++) s += `${' '.repeat(i + 2)}k${i}:\n`;
  return s;
}
function laughs(levels: number): string {
  const out = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: lol}', 'data:', '  l0: &l0 "lol"'];
  for (let i = 1; i < levels; i++) out.push(`  l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(', ')}]`);
  return `${out.join('\n')}\n`;
}

describe('fuzz', () => {
  test('thousands of mutated manifests: no crash, no hang, bounded memory', { timeout: 120_000 }, () => {
    const linter = createLinter();
    const rand = prng(0x5eed);
    const heapBefore = process.memoryUsage().heapUsed;
    let worst = 0;
    let total = 0;
    const check = (text: string, file: string): Finding[] => {
      const t0 = performance.now();
      const f = linter.lintYaml(text, file);
      const ms = performance.now() - t0;
      worst = Math.max(worst, ms);
      total++;
      assert.ok(Array.isArray(f));
      for (const x of f) {
        assert.ok(x.line >= 1 && x.column >= 1 && x.endLine >= x.line, JSON.stringify(x));
        assert.equal(typeof x.message, 'string');
      }
      return f;
    };
    for (let i = 0; i < 3000; i++) {
      let text = CORPUS[Math.floor(rand() * CORPUS.length)]!;
      const rounds = 1 + Math.floor(rand() * 4);
      for (let r = 0; r < rounds; r++) text = mutate(rand, text);
      check(text, rand() < 0.2 ? 'compose.yaml' : 'k8s.yaml');
      if (i % 10 === 0) lintDockerfile(text, 'Dockerfile', { pins: { pytorch: '2.3.1' }, cuda: literalCuda });
    }
    for (const n of [100, 1000, 5000]) {
      check(deepFlow(n), 'deep.yaml');
      check(deepBlock(n), 'deep.yaml');
    }
    for (const levels of [5, 9, 12]) {
      const f = check(laughs(levels), 'lol.yaml');
      if (levels >= 9) assert.ok(f.some((x) => /alias/.test(x.message)));
    }
    // 10 MB on one line: as a scalar value, and as garbage.
    const big = 'x'.repeat(10 * 1024 * 1024);
    check(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  blob: ${big}\n`, 'big.yaml');
    check(`${big}: [\n`, 'big.yaml');
    lintDockerfile(`FROM ${big}\n`, 'Dockerfile', { pins: { pytorch: '2.3.1' }, cuda: literalCuda });

    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    assert.ok(total > 3000);
    assert.ok(worst < 10_000, `slowest input took ${worst.toFixed(0)} ms`);
    assert.ok(heapGrowth < 512 * 1024 * 1024, `heap grew ${(heapGrowth / 2 ** 20).toFixed(0)} MiB`);
  });
});
