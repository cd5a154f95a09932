import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { lineDiff } from '../../../src/features/wizard/diff';

const render = (d: ReturnType<typeof lineDiff>) => d?.map((l) => `${l.op}${l.text}`).join('\n');

describe('lineDiff', () => {
  test('identical texts are all context', () => {
    assert.equal(render(lineDiff('a\nb\n', 'a\nb\n')), ' a\n b');
  });

  test('a changed line is a removal followed by an addition', () => {
    assert.equal(render(lineDiff('FROM scratch\n# mine\n', 'FROM python:3.11-slim\n# mine\n')), '-FROM scratch\n+FROM python:3.11-slim\n # mine');
  });

  test('insertions and deletions in the middle keep the common lines', () => {
    assert.equal(render(lineDiff('a\nb\nc\nd', 'a\nc\nx\nd')), ' a\n-b\n c\n+x\n d');
  });

  test('from empty and to empty', () => {
    assert.equal(render(lineDiff('', 'a\nb')), '+a\n+b');
    assert.equal(render(lineDiff('a\n', '')), '-a');
  });

  test('CRLF and LF compare equal line by line', () => {
    assert.equal(render(lineDiff('a\r\nb\r\n', 'a\nb\n')), ' a\n b');
  });

  test('gives up (null) on inputs too large to diff cheaply', () => {
    const big = (p: string) => Array.from({ length: 3000 }, (_, i) => `${p}${i}`).join('\n');
    assert.equal(lineDiff(big('a'), big('b')), null);
  });
});
