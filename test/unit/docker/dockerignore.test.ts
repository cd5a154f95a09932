import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { PatternMatcher, cleanPath, parseDockerignore, trimBuildFilesFromExcludes } from '../../../src/docker/dockerignore';

const m = (patterns: string[]) => new PatternMatcher(patterns);

describe('.dockerignore with the Docker CLI semantics', () => {
  test('parsing: comments, whitespace, leading slash, cleaning, negation', () => {
    assert.deepEqual(parseDockerignore('\uFEFF# c\n  foo/  \n/abs\n!/neg/./x\n ! spaced \n./a/../b\n\n  #not-a-comment\n/\n'), ['foo', 'abs', '!neg/x', '!spaced', 'b', '#not-a-comment', '/']);
  });

  test('cleanPath is Go\'s path.Clean', () => {
    assert.equal(cleanPath('a//b/./c/..'), 'a/b');
    assert.equal(cleanPath('../x'), '../x');
    assert.equal(cleanPath('/../x'), '/x');
    assert.equal(cleanPath(''), '.');
  });

  test('* and ? never cross a slash; a pattern matching a directory excludes its contents', () => {
    assert.equal(m(['*.log']).matches('a.log'), true);
    assert.equal(m(['*.log']).matches('sub/a.log'), false);
    assert.equal(m(['data']).matches('data/x/y.bin'), true);
    assert.equal(m(['?.txt']).matches('ab.txt'), false);
    assert.equal(m(['docs/*.md']).matches('docs/sub/c.md'), false);
  });

  test('** matches any number of directories, including none', () => {
    const p = m(['**/*.log']);
    assert.equal(p.matches('a.log'), true);
    assert.equal(p.matches('x/y/z.log'), true);
    assert.equal(m(['data/**']).matches('data/a/b'), true);
    assert.equal(m(['a/**/b']).matches('a/b'), true);
    assert.equal(m(['a/**/b']).matches('a/x/y/b'), true);
    assert.equal(m(['**']).matches('anything/at/all'), true);
  });

  test('negation: the last matching pattern wins', () => {
    const p = m(['*.log', '!important.log']);
    assert.equal(p.matches('debug.log'), true);
    assert.equal(p.matches('important.log'), false);
    assert.equal(m(['!important.log', '*.log']).matches('important.log'), true);
  });

  test('regex specials in names are literal', () => {
    assert.equal(m(['a+b.txt']).matches('a+b.txt'), true);
    assert.equal(m(['a+b.txt']).matches('aab.txt'), false);
    assert.equal(m(['(x)']).matches('(x)'), true);
    assert.equal(m(['file.txt']).matches('fileXtxt'), false);
  });

  test('descending into excluded directories follows the CLI\'s textual prefix rule', () => {
    const p = m(['data', '!data/keep/one.txt']);
    assert.equal(p.mustDescend('data'), true);
    assert.equal(p.mustDescend('data/keep'), true);
    // A wildcard negation does not rescue files inside an excluded directory.
    assert.equal(m(['cache', '!**/rescued.txt']).mustDescend('cache'), false);
    assert.equal(m(['cache']).mustDescend('cache'), false);
  });

  test('Dockerfile and .dockerignore are always sent', () => {
    assert.deepEqual(trimBuildFilesFromExcludes(['*'], 'Dockerfile'), ['*', '!.dockerignore', '!Dockerfile']);
    assert.deepEqual(trimBuildFilesFromExcludes(['*.py'], 'Dockerfile'), ['*.py']);
    assert.deepEqual(trimBuildFilesFromExcludes(['docker'], 'docker/Dockerfile.gpu'), ['docker', '!docker/Dockerfile.gpu']);
  });

  test('a lone "!" is an error', () => {
    assert.throws(() => m(['!']), /Illegal exclusion pattern/);
    assert.throws(() => m(['[abc']), /unbalanced/);
  });
});
