import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createDetector, nodeFs, type DetectFs } from '../../../src/core/detect/index';
import { tempTree } from './helpers';

function countingFs() {
  const counts = { readdir: 0, readFile: 0 };
  const fs: DetectFs = {
    ...nodeFs,
    readdir: (p) => (counts.readdir++, nodeFs.readdir(p)),
    readFile: (p, m) => (counts.readFile++, nodeFs.readFile(p, m)),
  };
  return { fs, counts };
}

describe('incremental detector', () => {
  test('a changed requirements file is re-read alone, without a walk, and the report follows it', async () => {
    const root = tempTree({
      'requirements.txt': 'torch==2.1.0\n',
      'src/app.py': 'from fastapi import FastAPI\napp = FastAPI()\n',
      'src/util.py': 'import os\n',
    });
    const { fs, counts } = countingFs();
    const det = createDetector(root, {}, fs);
    const first = await det.detect();
    assert.deepEqual(first.frameworks.map((f) => [f.name, f.version]), [['pytorch', '2.1.0']]);
    const walkReads = counts.readdir;

    writeFileSync(join(root, 'requirements.txt'), 'torch==2.3.1+cu121\nxgboost==2.0.3\n');
    counts.readFile = 0;
    const next = await det.update(['requirements.txt']);
    assert.equal(counts.readdir, walkReads, 'no folder was listed again');
    assert.equal(counts.readFile, 1);
    assert.deepEqual(next.frameworks.map((f) => [f.name, f.version]), [
      ['pytorch', '2.3.1'],
      ['xgboost', '2.0.3'],
    ]);
    assert.equal(next.cuda, '12.1');
    assert.deepEqual(next.entrypoint, { file: 'src/app.py', kind: 'fastapi' });
  });

  test('irrelevant changes cost nothing; new and deleted dependency files are picked up', async () => {
    const root = tempTree({ 'requirements.txt': 'torch\n', 'svc/README.md': '# svc\n' });
    const { fs, counts } = countingFs();
    const det = createDetector(root, {}, fs);
    await det.detect();
    counts.readFile = 0;
    await det.update(['svc/README.md', 'node_modules/x/requirements.txt']);
    assert.equal(counts.readFile, 0);

    writeFileSync(join(root, 'svc/requirements-gpu.txt'), 'tensorflow==2.16.1\n');
    let r = await det.update([join(root, 'svc/requirements-gpu.txt')]);
    assert.deepEqual(r.frameworks.map((f) => f.name), ['pytorch', 'tensorflow']);

    rmSync(join(root, 'requirements.txt'));
    r = await det.update(['requirements.txt']);
    assert.deepEqual(r.frameworks.map((f) => f.name), ['tensorflow']);
    assert.deepEqual(r.dependencyFiles.map((d) => d.file), ['svc/requirements-gpu.txt']);
  });

  test('included files are tracked: editing an include target updates the report', async () => {
    const root = tempTree({ 'requirements.txt': '-r shared/base.in\n', 'shared/base.in': 'scikit-learn==1.4.0\n' });
    const det = createDetector(root);
    assert.equal((await det.detect()).frameworks[0]?.version, '1.4.0');
    writeFileSync(join(root, 'shared/base.in'), 'scikit-learn==1.5.1\n');
    assert.equal((await det.update(['shared/base.in'])).frameworks[0]?.version, '1.5.1');
  });

  test('a new folder or a .gitignore change falls back to a full walk', async () => {
    const root = tempTree({ 'requirements.txt': 'xgboost\n', '.gitignore': 'legacy/\n', 'legacy/requirements.txt': 'torch\n' });
    const { fs, counts } = countingFs();
    const det = createDetector(root, {}, fs);
    assert.deepEqual((await det.detect()).frameworks.map((f) => f.name), ['xgboost']);
    const before = counts.readdir;

    writeFileSync(join(root, '.gitignore'), '');
    const r = await det.update(['.gitignore']);
    assert.ok(counts.readdir > before);
    assert.deepEqual(r.frameworks.map((f) => f.name), ['pytorch', 'xgboost']);

    mkdirSync(join(root, 'newsvc'));
    writeFileSync(join(root, 'newsvc/requirements.txt'), 'lightgbm\n');
    assert.deepEqual((await det.update(['newsvc/requirements.txt'])).frameworks.map((f) => f.name), ['pytorch', 'xgboost', 'lightgbm']);
  });

  test('concurrent calls are serialised and each sees a consistent state', async () => {
    const root = tempTree({ 'requirements.txt': 'torch==2.1.0\n' });
    const det = createDetector(root);
    const full = det.detect();
    writeFileSync(join(root, 'requirements.txt'), 'torch==2.2.0\n');
    const upd = det.update(['requirements.txt']);
    const [, after] = await Promise.all([full, upd]);
    assert.equal(after.frameworks[0]?.version, '2.2.0');
  });

  test('update() before detect() runs a full detection', async () => {
    const det = createDetector(tempTree({ 'requirements.txt': 'catboost==1.2.5\n' }));
    assert.deepEqual((await det.update(['requirements.txt'])).frameworks.map((f) => [f.name, f.version]), [['catboost', '1.2.5']]);
  });
});
