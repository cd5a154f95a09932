// Hostile workspaces: detection reads nothing outside the folder it was given (includes, symlinks,
// links swapped in after the walk), caps what it reads whatever the options say, and its warnings
// name files (escaped) without ever repeating what a file says. Every tree is made at test time.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, realpathSync, rmSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { createDetector, detect, MAX_TEXT_BYTES, nodeFs, toReport, type DetectFs, type DetectionResult } from '../../../src/core/detect/index';
import { tempTree } from './helpers';

const SECRET = 'root:x:0:0:SECRET-LINE-4711';

/** A folder outside the project holding what must never be read, next to the project itself. */
function outsideAndProject(projectFiles: Record<string, string | Buffer>) {
  const base = tempTree({
    'outside/secret.txt': `${SECRET}\n`,
    'outside/requirements.txt': `${SECRET}\ntensorflow==2.16.1\n`,
    'outside/train.py': `import jax  # ${SECRET}\n`,
    ...Object.fromEntries(Object.entries(projectFiles).map(([k, v]) => [`project/${k}`, v])),
  });
  mkdirSync(join(base, 'project'), { recursive: true });
  return { base, root: join(base, 'project'), outside: realpathSync(join(base, 'outside')) };
}

/**
 * nodeFs that records every file it opens, as the kernel resolves it: the folders on the way
 * followed, the last component not (nodeFs.readFile never follows a link there).
 */
function recordingFs() {
  const opened: string[] = [];
  const fs: DetectFs = {
    ...nodeFs,
    readFile: (p, max) => {
      try {
        opened.push(join(realpathSync(dirname(p)), basename(p)));
      } catch {
        opened.push(p);
      }
      return nodeFs.readFile(p, max);
    },
  };
  return { fs, opened };
}

function assertNothingLeaked(r: DetectionResult, opened: readonly string[], outside: string) {
  assert.deepEqual(
    opened.filter((p) => p.startsWith(outside)),
    [],
    'no file outside the project was opened',
  );
  const everything = JSON.stringify(r);
  assert.ok(!everything.includes('SECRET-LINE'), `nothing of the outside file appears anywhere:\n${r.warnings.join('\n')}`);
  assert.ok(!r.frameworks.some((f) => f.name === 'tensorflow' || f.name === 'jax'));
}

describe('hostile workspaces: nothing outside the root is read', () => {
  test('-r ../../../etc/passwd style includes are refused by name, with an escaped warning', async () => {
    const { root, outside } = outsideAndProject({
      'requirements.txt': '-r ../outside/secret.txt\n-c ../../../../../../../../etc/passwd\n-r /etc/passwd\n-r https://example.com/reqs.txt\ntorch==2.3.1\n',
    });
    const { fs, opened } = recordingFs();
    const r = await detect(fs, root);
    assertNothingLeaked(r, opened, outside);
    assert.ok(!opened.some((p) => p.startsWith('/etc')), 'never opened /etc/passwd');
    assert.deepEqual(r.warnings, [
      'requirements.txt:1: included file ../outside/secret.txt is outside the project folder; not read',
      'requirements.txt:2: included file ../../../../../../../../etc/passwd is outside the project folder; not read',
      'requirements.txt:3: included file /etc/passwd is outside the project folder; not read',
      'requirements.txt:4: the requirements file is a URL; not fetched',
    ]);
    assert.deepEqual(r.frameworks.map((f) => [f.name, f.version]), [['pytorch', '2.3.1']]);
  });

  test('an include through a symlinked folder that leads outside is refused (the real path decides)', async () => {
    const { root, outside } = outsideAndProject({ 'requirements.txt': '-r vendor/requirements.txt\n-r vendor/secret.txt\nxgboost==2.0.3\n' });
    symlinkSync(outside, join(root, 'vendor'));
    const { fs, opened } = recordingFs();
    const r = await detect(fs, root);
    assertNothingLeaked(r, opened, outside);
    assert.ok(r.warnings.includes('vendor/requirements.txt: skipped, it resolves to a file outside the project folder (symlink)'), r.warnings.join('\n'));
    assert.ok(r.warnings.includes('vendor: skipped, a symlink to outside the project folder'), r.warnings.join('\n'));
    assert.deepEqual(r.frameworks.map((f) => f.name), ['xgboost']);
  });

  test('symlinked files and folders that point outside are neither read nor walked; links inside still are', async () => {
    const { root, outside } = outsideAndProject({ 'src/model.py': 'import torch\n', 'shared/base.txt': 'scikit-learn==1.5.0\n' });
    symlinkSync(join(outside, 'requirements.txt'), join(root, 'requirements.txt'));
    symlinkSync(join(outside, 'train.py'), join(root, 'train.py'));
    symlinkSync(outside, join(root, 'data'));
    symlinkSync('/', join(root, 'rootfs'));
    symlinkSync('shared/base.txt', join(root, 'requirements-base.txt'));
    const { fs, opened } = recordingFs();
    const r = await detect(fs, root);
    assertNothingLeaked(r, opened, outside);
    assert.deepEqual(
      r.warnings.filter((w) => w.includes('outside')).sort(),
      [
        'data: skipped, a symlink to outside the project folder',
        'requirements.txt: skipped, a symlink to outside the project folder',
        'rootfs: skipped, a symlink to outside the project folder',
        'train.py: skipped, a symlink to outside the project folder',
      ],
    );
    // The link inside the project is followed as before.
    assert.deepEqual(r.frameworks.map((f) => [f.name, f.version]), [
      ['pytorch', null],
      ['scikit-learn', '1.5.0'],
    ]);
  });

  test('a file swapped for an outside symlink after the walk is not followed by update()', async () => {
    const { root, outside } = outsideAndProject({ 'requirements.txt': 'torch==2.3.1\n' });
    const { fs, opened } = recordingFs();
    const det = createDetector(root, {}, fs);
    await det.detect();
    unlinkSync(join(root, 'requirements.txt'));
    symlinkSync(join(outside, 'requirements.txt'), join(root, 'requirements.txt'));
    // Weights swapped for a link outside: not even their size is taken.
    writeFileSync(join(outside, 'weights.pt'), Buffer.alloc(4096));
    symlinkSync(join(outside, 'weights.pt'), join(root, 'model.pt'));
    const r = await det.update(['requirements.txt', 'model.pt']);
    assertNothingLeaked(r, opened, outside);
    assert.ok(r.warnings.includes('requirements.txt: skipped, a symlink to a file outside the project folder'), r.warnings.join('\n'));
    assert.deepEqual(r.artifacts, []);
  });

  test('a FIFO planted under a requirements name is refused without blocking', { skip: process.platform === 'win32' }, async () => {
    const root = tempTree({ 'requirements.txt': '-r pipe.txt\ntorch\n' });
    execFileSync('mkfifo', [join(root, 'pipe.txt')]);
    execFileSync('mkfifo', [join(root, 'requirements-dev.txt')]);
    const t0 = Date.now();
    const r = await detect(nodeFs, root);
    assert.ok(Date.now() - t0 < 5000, 'did not hang on the FIFO');
    assert.ok(r.warnings.includes('pipe.txt: skipped, not a regular file'), r.warnings.join('\n'));
    assert.deepEqual(r.frameworks.map((f) => f.name), ['pytorch']);
  });
});

describe('hostile workspaces: sizes are capped whatever the options say', () => {
  test('maxFileBytes above the hard cap is clamped to 16 MiB: a bigger file is never read', async () => {
    const root = tempTree({ 'ok/requirements.txt': 'xgboost==2.0.3\n' });
    writeFileSync(join(root, 'requirements.txt'), 'torch==2.3.1\n');
    // Sparse: 17 MiB on paper, nothing on disk.
    truncateSync(join(root, 'requirements.txt'), MAX_TEXT_BYTES + 1024 * 1024);
    const { fs, opened } = recordingFs();
    const r = await detect(fs, root, { maxFileBytes: 1024 ** 4 });
    assert.ok(opened.some((p) => p.endsWith('/requirements.txt')));
    assert.deepEqual(r.frameworks.map((f) => f.name), ['xgboost']);
    assert.ok(r.warnings.includes('requirements.txt: skipped, 17 MiB is over the 16 MiB size limit (modeldock.detect.maxFileSizeKB)'), r.warnings.join('\n'));
  });

  test('nodeFs.readFile itself refuses more than the hard cap, whatever maxBytes it is given', async () => {
    const root = tempTree({});
    const big = join(root, 'big.txt');
    writeFileSync(big, '');
    truncateSync(big, MAX_TEXT_BYTES + 1);
    assert.deepEqual(await nodeFs.readFile(big, Number.MAX_SAFE_INTEGER), { ok: false, reason: 'too-large', size: MAX_TEXT_BYTES + 1 });
    rmSync(big);
  });

  test('nonsense options fall back or are clamped (a workspace may have written them)', async () => {
    const root = tempTree({ 'requirements.txt': 'torch\n' });
    const r = await detect(nodeFs, root, { fileBudget: Number.NaN, maxFileBytes: -5, maxSourceFiles: Infinity });
    // maxFileBytes -5 becomes 1 byte: the file is over the limit, and says so.
    assert.ok(r.warnings.some((w) => w.startsWith('requirements.txt: skipped, 6 B is over the 1 B size limit')), r.warnings.join('\n'));
    assert.equal(r.stats.truncated, false);
  });
});

describe('hostile workspaces: warnings name files, escaped, and never quote them', () => {
  test('control characters in names are escaped in warnings', async () => {
    const root = tempTree({ 'ok.txt': 'x' });
    const dir = join(root, 'evil\u001b[2J\u0007');
    mkdirSync(dir);
    writeFileSync(join(dir, 'requirements.txt'), Buffer.from([0x74, 0, 0, 1]));
    const r = await detect(nodeFs, root);
    assert.deepEqual(r.warnings, ['evil\\u001b[2J\\u0007/requirements.txt: skipped, looks like a binary file']);
    // eslint-disable-next-line no-control-regex
    assert.ok(!r.warnings.some((w) => /[\u0000-\u001f]/.test(w)));
  });

  test('undecodable and oddly encoded files: a UTF-16 freeze is read, invalid UTF-8 is read with a warning', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('torch==2.3.1\r\nnumpy==1.26.4\r\n', 'utf16le')]);
    const invalid = Buffer.concat([Buffer.from('xgboost==2.0.3\n# caf'), Buffer.from([0xe9, 0x0a])]);
    const root = tempTree({ 'requirements.txt': utf16, 'svc/requirements.txt': invalid });
    const r = await detect(nodeFs, root);
    assert.deepEqual(r.frameworks.map((f) => [f.name, f.version]), [
      ['pytorch', '2.3.1'],
      ['xgboost', '2.0.3'],
    ]);
    assert.deepEqual(r.warnings, ['svc/requirements.txt: not valid UTF-8; read with the invalid bytes replaced']);
  });

  test('parse errors, tokens in URLs and garbage never reach warnings or the report', async () => {
    const root = tempTree({
      'requirements.txt': [
        `${SECRET}`,
        '-e git+https://deploy:SECRET-LINE-token@github.com/org/private.git#egg=private',
        'private-lib @ git+https://deploy:SECRET-LINE-token@github.com/org/lib.git',
        'torch @ https://deploy:SECRET-LINE-token@pkgs.example.com/torch-2.1.0%2Bcu121-cp311-cp311-linux_x86_64.whl',
        '',
      ].join('\n'),
      'nb.ipynb': `{"cells": [${SECRET}`,
      'pyproject.toml': `[project]\nname = "${SECRET}\n`,
      'Pipfile.lock': `{"${SECRET}"`,
      'environment.yml': `dependencies:\n  - ${SECRET}: [\n`,
      '.python-version': `${SECRET}\n`,
    });
    const r = await detect(nodeFs, root);
    const report = JSON.stringify(toReport(r));
    assert.ok(!report.includes('SECRET-LINE'), report);
    assert.ok(!r.warnings.join('\n').includes('SECRET'), r.warnings.join('\n'));
    // The wheel still gives torch's version and CUDA build; its evidence hides the credentials.
    assert.deepEqual(r.frameworks.map((f) => [f.name, f.version]), [['pytorch', '2.1.0']]);
    assert.equal(r.cuda, '12.1');
    assert.match(r.frameworks[0]!.evidence[0]!.reason, /^torch @ https:\/\/\*\*\*@pkgs\.example\.com\//);
    assert.deepEqual(r.warnings, [
      '.python-version:1: not a CPython version, ignored',
      'Pipfile.lock: invalid JSON, skipped',
      'environment.yml:3: invalid YAML (BAD_INDENT), skipped',
      'nb.ipynb: notebook is not valid JSON, skipped',
      'pyproject.toml:2: invalid TOML, skipped',
      'requirements.txt:1: could not parse this requirement, skipped',
      'requirements.txt:2: skipped an editable VCS/URL requirement (not resolved)',
      "requirements.txt:3: 'private-lib' is a direct URL reference; its version is not resolved",
    ]);
  });
});

describe('hostile workspaces: worst-case inputs stay linear', () => {
  test('a .gitignore with enormous lines of blanks, slashes and globs is read in linear time', async () => {
    const n = 200_000;
    const root = tempTree({
      '.gitignore': [`${' '.repeat(n)}x`, `${'/'.repeat(n)}a/`, `${'*'.repeat(n)}b`, `${'\\ '.repeat(n)}`, 'build/'].join('\n'),
      'requirements.txt': 'torch\n',
      'build/requirements.txt': 'tensorflow\n',
    });
    const t0 = Date.now();
    const r = await detect(nodeFs, root);
    // A ceiling that only catches a quadratic blow-up (it took minutes): not a timing target.
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
    // build/ still applies; the monsters are left out, and said so.
    assert.deepEqual(r.frameworks.map((f) => f.name), ['pytorch']);
    assert.deepEqual(r.warnings, [1, 2, 3, 4].map((n) => `.gitignore:${n}: rule left out (over 1024 characters, or not a valid pattern)`));
  });

  test('a multi-megabyte requirement line and a long Python line are handled without blow-up', async () => {
    const root = tempTree({
      'requirements.txt': `torch==2.3.1\n${'a'.repeat(2_000_000)}@${' '.repeat(100_000)}x\n`,
      'x.py': `import torch; s = "${'\\\\'.repeat(500_000)}"\n${"'".repeat(300_000)}\n`,
    });
    const t0 = Date.now();
    const r = await detect(nodeFs, root, { maxFileBytes: 8 * 1024 * 1024 });
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
    assert.deepEqual(r.frameworks.map((f) => [f.name, f.version]), [['pytorch', '2.3.1']]);
  });
});
