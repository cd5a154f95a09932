// checkWriteTarget against real symlinks on disk: every way a crafted repository could make a
// write leave the project.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnsafePathError, checkWriteTarget, printable, realPathInside } from '../../../src/core/safePath';

let base: string;
let root: string;
let outside: string;

before(() => {
  base = mkdtempSync(join(tmpdir(), 'modeldock-safepath-'));
  root = join(base, 'project');
  outside = join(base, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  mkdirSync(join(root, 'inner'));
  writeFileSync(join(root, 'Dockerfile.old'), 'x');
  symlinkSync(outside, join(root, 'k8s'));
  symlinkSync(join(root, 'inner'), join(root, 'alias'));
  symlinkSync('../../.bash_aliases', join(root, 'Dockerfile'));
  writeFileSync(join(outside, 'victim'), 'keep');
  symlinkSync(join(outside, 'victim'), join(root, 'compose.yaml'));
  symlinkSync(join(root, 'inner', 'target.txt'), join(root, 'inside-link'));
  writeFileSync(join(root, 'inner', 'target.txt'), 'x');
  writeFileSync(join(root, 'afile'), 'x');
});
after(() => rmSync(base, { recursive: true, force: true }));

function refused(rel: string, pattern: RegExp): void {
  assert.throws(() => checkWriteTarget(root, rel), (err: unknown) => err instanceof UnsafePathError && pattern.test(err.message), rel);
}

describe('checkWriteTarget', () => {
  test('a plain new file and an existing regular file are allowed', () => {
    assert.deepEqual(checkWriteTarget(root, 'new.txt'), { rel: 'new.txt', abs: join(root, 'new.txt'), exists: false });
    assert.equal(checkWriteTarget(root, 'Dockerfile.old').exists, true);
    assert.equal(checkWriteTarget(root, 'deep/new/folder/file.yaml').abs, join(root, 'deep', 'new', 'folder', 'file.yaml'));
  });
  test('a folder symlink leading outside the project is refused', () => refused('k8s/deployment.yaml', /leads outside the project/));
  test('a folder symlink inside the project is followed', () => {
    assert.equal(checkWriteTarget(root, 'alias/x.yaml').abs, join(root, 'inner', 'x.yaml'));
  });
  test('a dangling symlink as the file is refused (it would create its target)', () => refused('Dockerfile', /symlink/));
  test('a symlink to a file outside is refused (overwrite would change the target)', () => refused('compose.yaml', /symlink/));
  test('a symlink to a file inside is refused too: never write through a link', () => refused('inside-link', /symlink/));
  test('traversal, absolute paths, control characters', () => {
    refused('../escape', /'\.\.' component/);
    refused('a/../../escape', /'\.\.' component/);
    refused('/etc/passwd', /relative/);
    refused('bad\nname', /control characters/);
    refused('a//b', /empty/);
  });
  test('a file in the way of a folder is refused', () => refused('afile/x', /not a folder/));
});

describe('realPathInside and printable', () => {
  test('inside, outside, missing', () => {
    assert.equal(realPathInside(root, join(root, 'alias', 'target.txt')), join(root, 'inner', 'target.txt'));
    assert.equal(realPathInside(root, join(root, 'compose.yaml')), null);
    assert.equal(realPathInside(root, join(root, 'missing')), null);
  });
  test('control characters are escaped, long names cut', () => {
    assert.equal(printable('a\nb\u2028'), 'a\\u000ab\\u2028');
    assert.equal(printable('x'.repeat(300)).length, 201);
  });
});
