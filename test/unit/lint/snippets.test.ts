import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { lintDockerfile } from '../../../src/core/lint';
import { expandSnippet, lint, literalCuda } from './helpers';

interface Snippet {
  prefix: string | string[];
  body: string | string[];
  description: string;
}
const load = (f: string): Record<string, Snippet> => JSON.parse(readFileSync(`snippets/${f}`, 'utf8')) as Record<string, Snippet>;

describe('snippet expansion helper', () => {
  test('defaults, mirrors, choices, final tab stop', () => {
    assert.equal(expandSnippet(['a: ${1:x}', 'b: $1', 'c: ${2|p,q|}', 'd: ${1}$0']), 'a: x\nb: x\nc: p\nd: x');
  });
});

describe('snippets lint clean when expanded with their defaults', () => {
  const k8s = load('kubernetes.json');
  for (const [name, s] of Object.entries(k8s)) {
    test(name, () => {
      const text = expandSnippet(s.body);
      assert.deepEqual(lint(text, 'snippet.yaml'), [], text);
    });
  }
  for (const [name, s] of Object.entries(load('compose.json'))) {
    test(name, () => {
      const text = expandSnippet(s.body);
      assert.deepEqual(lint(text, 'compose.yaml'), [], text);
    });
  }
  for (const [name, s] of Object.entries(load('dockerfile.json'))) {
    test(name, () => {
      const text = expandSnippet(s.body);
      assert.match(text, /^FROM pytorch\/pytorch:2\.3\.1-cuda12\.1/m);
      assert.deepEqual(lintDockerfile(text, 'Dockerfile', { pins: { pytorch: '2.3.1' }, cuda: literalCuda }), []);
    });
  }
  test('the required snippets exist and are contributed in package.json', () => {
    assert.deepEqual(Object.keys(k8s).length, 5);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: { snippets: { language: string; path: string }[] } };
    const paths = pkg.contributes.snippets.map((s) => `${s.language}:${s.path}`);
    for (const p of ['yaml:./snippets/kubernetes.json', 'yaml:./snippets/compose.json', 'dockerfile:./snippets/dockerfile.json']) assert.ok(paths.includes(p), p);
  });
});
