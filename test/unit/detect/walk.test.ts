import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { detect, detectProject, nodeFs, type DetectFs } from '../../../src/core/detect/index';
import { fixture, tempTree } from './helpers';

/** nodeFs with call counters, to check what the walk touches. */
function spyFs() {
  const calls = { readdir: 0, stat: 0, lstat: 0, readFile: [] as string[], realpath: 0 };
  const fs: DetectFs = {
    readdir: (p) => (calls.readdir++, nodeFs.readdir(p)),
    stat: (p) => (calls.stat++, nodeFs.stat(p)),
    lstat: (p) => (calls.lstat++, nodeFs.lstat(p)),
    readFile: (p, max) => (calls.readFile.push(p), nodeFs.readFile(p, max)),
    realpath: (p) => (calls.realpath++, nodeFs.realpath(p)),
  };
  return { fs, calls };
}

describe('tree walk', () => {
  test('skips VCS, dependency trees, caches and virtualenvs (by name or by pyvenv.cfg / conda-meta)', async () => {
    const root = tempTree({
      'requirements.txt': 'scikit-learn==1.5.0\n',
      '.git/requirements.txt': 'torch\n',
      'node_modules/pkg/requirements.txt': 'torch\n',
      '.venv/lib/x.py': 'import torch\n',
      'venv/lib/x.py': 'import torch\n',
      'envs/py311/pyvenv.cfg': 'home = /usr/bin\n',
      'envs/py311/lib/site.py': 'import tensorflow\n',
      'condaenv/conda-meta/history': '',
      'condaenv/lib/y.py': 'import jax\n',
      'src/__pycache__/requirements.txt': 'torch\n',
      'lib/site-packages/torch/__init__.py': 'import torch\n',
      '.tox/py/requirements.txt': 'torch\n',
      'src/model.py': 'import sklearn\n',
    });
    mkdirSync(join(root, 'condaenv/conda-meta'), { recursive: true });
    const r = await detectProject(root);
    assert.deepEqual(
      r.frameworks.map((f) => f.name),
      ['scikit-learn'],
    );
    assert.equal(r.stats.filesSeen, 2);
    assert.deepEqual(r.warnings, []);
  });

  test('honours nested .gitignore files relative to their folder, negations included', async () => {
    const root = tempTree({
      '.gitignore': 'build/\n*.log\nexperiments/\n',
      'build/requirements.txt': 'torch\n',
      'experiments/requirements.txt': 'tensorflow\n',
      'svc/.gitignore': '/generated.py\nrequirements-*.txt\n!requirements-prod.txt\n',
      'svc/generated.py': 'import jax\n',
      'svc/deep/generated.py': 'import xgboost\n',
      'svc/requirements-dev.txt': 'lightgbm\n',
      'svc/requirements-prod.txt': 'catboost==1.2.5\n',
      'svc/debug.log': '',
    });
    const r = await detectProject(root);
    assert.deepEqual(
      r.frameworks.map((f) => f.name),
      ['xgboost', 'catboost'],
    );
    assert.deepEqual(
      r.dependencyFiles.map((d) => d.file),
      ['svc/requirements-prod.txt'],
    );
  });

  test('reports gitignored model weights as artifacts (docker build still sends them) without reading them', async () => {
    const root = tempTree({
      '.gitignore': '*.pt\n*.onnx\nnotes.py\n',
      'requirements.txt': 'torch==2.3.1\n',
      'model.pt': 'x'.repeat(2048),
      'export/model.onnx': 'y'.repeat(100),
      'notes.py': 'import tensorflow\n',
    });
    const { fs, calls } = spyFs();
    const r = await detect(fs, root);
    assert.deepEqual(
      r.artifacts.map((a) => [a.file, a.format, a.bytes]),
      [
        ['export/model.onnx', 'onnx', 100],
        ['model.pt', 'pytorch', 2048],
      ],
    );
    // Ignored sources stay ignored: no TensorFlow from notes.py, and no weights were read.
    assert.deepEqual(
      r.frameworks.map((f) => f.name),
      ['pytorch'],
    );
    assert.ok(!calls.readFile.some((p) => p.endsWith('.pt') || p.endsWith('.onnx') || p.endsWith('notes.py')));
  });

  test('extra ignore globs from the options', async () => {
    const root = tempTree({ 'requirements.txt': 'xgboost\n', 'vendor/requirements.txt': 'torch\n' });
    const r = await detectProject(root, { ignore: ['vendor/'] });
    assert.deepEqual(
      r.frameworks.map((f) => f.name),
      ['xgboost'],
    );
  });

  test('symlink loops are not followed, and say so; links to files inside are read', async () => {
    const root = tempTree({ 'a/b/requirements.txt': 'torch==2.3.1\n', 'shared/reqs.txt': 'xgboost==2.0.3\n' });
    symlinkSync('..', join(root, 'a/b/up'));
    symlinkSync('.', join(root, 'a/self'));
    symlinkSync(root, join(root, 'a/b/root-link'));
    symlinkSync('../shared/reqs.txt', join(root, 'a/requirements-shared.txt'));
    symlinkSync('does-not-exist', join(root, 'dangling.txt'));
    const r = await detectProject(root);
    assert.deepEqual(
      r.frameworks.map((f) => [f.name, f.version]),
      [
        ['pytorch', '2.3.1'],
        ['xgboost', '2.0.3'],
      ],
    );
    const loops = r.warnings.filter((w) => w.includes('symlink loop'));
    assert.deepEqual(loops.sort(), ['a/b/root-link: skipped symlink loop (points to an enclosing folder)', 'a/b/up: skipped symlink loop (points to an enclosing folder)', 'a/self: skipped symlink loop (points to an enclosing folder)']);
  });

  test('a binary file named requirements.txt and a file over the size limit are never read as text', async () => {
    const binary = Buffer.concat([Buffer.from('torch==2.3.1\n'), Buffer.from([0, 1, 2, 3]), Buffer.alloc(64)]);
    const root = tempTree({
      'requirements.txt': binary,
      'big/requirements.txt': `tensorflow==2.16.1\n${'# padding\n'.repeat(400)}`,
      'ok/requirements.txt': 'xgboost==2.0.3\n',
    });
    const r = await detectProject(root, { maxFileBytes: 2048 });
    assert.deepEqual(
      r.frameworks.map((f) => f.name),
      ['xgboost'],
    );
    assert.ok(r.warnings.includes('requirements.txt: skipped, looks like a binary file'), r.warnings.join('\n'));
    assert.ok(r.warnings.some((w) => /^big\/requirements\.txt: skipped, 3\.9 KiB is over the 2\.0 KiB size limit \(modeldock\.detect\.maxFileSizeKB\)$/.test(w)), r.warnings.join('\n'));
  });

  test('stops at the file budget, shallow files first, and says so', async () => {
    const files: Record<string, string> = { 'requirements.txt': 'torch==2.3.1\n' };
    for (let i = 0; i < 60; i++) files[`data/d${i % 6}/f${i}.csv`] = 'x\n';
    files['data/d0/deeper/requirements.txt'] = 'tensorflow\n';
    const root = tempTree(files);
    const r = await detectProject(root, { fileBudget: 25 });
    assert.equal(r.stats.truncated, true);
    assert.equal(r.stats.filesSeen, 25);
    assert.deepEqual(
      r.frameworks.map((f) => f.name),
      ['pytorch'],
    );
    assert.ok(r.warnings.some((w) => w.startsWith('stopped after 25 files (file budget reached)')));
    const full = await detectProject(root);
    assert.equal(full.stats.truncated, false);
    assert.equal(full.stats.filesSeen, 62);
  });

  test('caps the number of Python sources read and says so', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 5; i++) files[`m${i}.py`] = 'import os\n';
    files['z/late.py'] = 'import torch\n';
    const r = await detectProject(tempTree(files), { maxSourceFiles: 5 });
    assert.deepEqual(r.frameworks, []);
    assert.ok(r.warnings.some((w) => w.startsWith('read imports from the first 5 Python files')));
  });

  test('stats only artifacts, reads only files whose names matter', async () => {
    const files: Record<string, string> = { 'requirements.txt': 'torch\n', 'model.onnx': 'x'.repeat(10), 'README.md': '# hi\n' };
    for (let i = 0; i < 50; i++) files[`assets/img${i}.png`] = 'png';
    const root = tempTree(files);
    const { fs, calls } = spyFs();
    const r = await detect(fs, root);
    assert.equal(calls.stat, 1);
    assert.deepEqual(
      calls.readFile.map((p) => p.slice(root.length + 1)),
      ['requirements.txt'],
    );
    assert.deepEqual(r.artifacts, [{ file: 'model.onnx', format: 'onnx', bytes: 10 }]);
  });

  test('artifacts: formats by extension, SavedModel and Hugging Face folders as one entry with total size', async () => {
    const r = await detectProject(fixture('hf-artifacts'));
    assert.deepEqual(r.artifacts, [
      { file: 'export/onnx/model.onnx', format: 'onnx', bytes: 1234 },
      { file: 'export/saved', format: 'savedmodel', bytes: 700 + 300 + 5000 },
      { file: 'export/tiny.gguf', format: 'gguf', bytes: 100 },
      { file: 'export/weights.pth', format: 'pytorch', bytes: 50 },
      { file: 'models/bert', format: 'huggingface', bytes: 41 + 10000 + 24 },
    ]);
  });

  test('a folder that cannot be listed is a warning, not an exception', async () => {
    const root = tempTree({ 'requirements.txt': 'xgboost\n', 'sub/requirements.txt': 'torch\n' });
    const failing: DetectFs = {
      ...nodeFs,
      readdir: (p) => (p.endsWith('sub') ? Promise.reject(Object.assign(new Error('denied'), { code: 'EACCES' })) : nodeFs.readdir(p)),
    };
    const r = await detect(failing, root);
    assert.deepEqual(
      r.frameworks.map((f) => f.name),
      ['xgboost'],
    );
    assert.deepEqual(r.warnings, ['could not read folder sub: EACCES']);
  });
});
