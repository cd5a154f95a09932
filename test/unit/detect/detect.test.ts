import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { detectProject, toReport, type DetectionResult } from '../../../src/core/detect/index';
import { fixture, tempTree } from './helpers';

const names = (r: DetectionResult) => r.frameworks.map((f) => [f.name, f.version]);

describe('detect on realistic projects', () => {
  test('pytorch + CUDA wheel index: version, cuda from +cu121, includes and constraints, evidence', async () => {
    const r = await detectProject(fixture('pytorch-cuda'));
    // scikit-learn is only in a -c constraints file: it pins, it does not install.
    assert.deepEqual(names(r), [['pytorch', '2.1.2']]);
    assert.equal(r.primary, 'pytorch');
    assert.equal(r.accelerator, 'gpu');
    assert.equal(r.cuda, '12.1');
    assert.equal(r.python, '3.11');
    assert.deepEqual(r.pythonEvidence, { file: '.python-version', line: 1, reason: '3.11.8' });
    assert.deepEqual(r.entrypoint, { file: 'src/api/app.py', kind: 'fastapi' });
    assert.deepEqual(r.entrypoints?.map((e) => e.kind), ['fastapi', 'script']);
    assert.deepEqual(r.artifacts, [{ file: 'models/classifier.pt', format: 'pytorch', bytes: 2048 }]);
    const ev = r.frameworks[0]!.evidence;
    assert.deepEqual(ev[0], { file: 'requirements.txt', line: 5, reason: 'torch==2.1.2+cu121' });
    assert.ok(ev.some((e) => e.file === 'src/api/app.py' && e.line === 6 && e.reason === 'import torch'));
    assert.ok(ev.some((e) => e.file === 'train.py' && e.reason === 'from torch import nn'));
    // The docstring's "import tensorflow" is not evidence.
    assert.ok(!r.frameworks.some((f) => f.name === 'tensorflow'));
    assert.deepEqual(
      r.dependencyFiles.map((d) => d.file),
      ['requirements.txt', 'requirements/base.txt', 'constraints.txt'],
    );
    assert.deepEqual(r.indexUrls, ['https://download.pytorch.org/whl/cu121']);
    assert.deepEqual(r.warnings, [
      'requirements.txt:11: skipped editable requirement ./libs/common (a local path; not resolved)',
      'requirements.txt:12: skipped a URL requirement (not resolved)',
    ]);
    const pillow = r.packages.find((p) => p.name === 'pillow');
    assert.deepEqual(pillow && [pillow.version, pillow.file, pillow.line], ['10.3.0', 'requirements/base.txt', 2]);
  });

  test('tensorflow-cpu selects CPU; keras pinned too; runtime.txt; flask', async () => {
    const r = await detectProject(fixture('tf-cpu'));
    assert.deepEqual(names(r), [
      ['tensorflow', '2.15.0'],
      ['keras', '2.15.0'],
    ]);
    assert.equal(r.accelerator, 'cpu');
    assert.equal(r.cuda, null);
    assert.equal(r.python, '3.10');
    assert.deepEqual(r.entrypoint, { file: 'serve.py', kind: 'flask' });
    assert.deepEqual(r.artifacts, [{ file: 'model.keras', format: 'keras', bytes: 3000 }]);
  });

  test('Poetry + lock: the lock wins and brings torch (+cpu build) in as the backend of transformers', async () => {
    const r = await detectProject(fixture('poetry-gradio'));
    assert.deepEqual(names(r), [
      ['pytorch', '2.3.0'],
      ['transformers', '4.41.2'],
      ['sentence-transformers', '3.0.1'],
    ]);
    assert.equal(r.primary, 'pytorch');
    assert.equal(r.accelerator, 'cpu');
    assert.equal(r.python, '3.11');
    assert.deepEqual(r.entrypoint, { file: 'app.py', kind: 'gradio' });
    // The lock's torch first; sentence-transformers (which runs on PyTorch) backs it up.
    assert.deepEqual(r.frameworks[0]!.evidence, [
      { file: 'poetry.lock', line: 18, reason: 'torch 2.3.0+cpu (locked)' },
      { file: 'poetry.lock', line: 11, reason: 'sentence-transformers 3.0.1 (locked) (runs on PyTorch)' },
      { file: 'pyproject.toml', line: 10, reason: 'sentence-transformers 3.0.1 (runs on PyTorch)' },
      { file: 'app.py', line: 2, reason: 'from sentence_transformers import SentenceTransformer (runs on PyTorch)' },
    ]);
  });

  test('uv: locked +cu118 gives the version and CUDA; onnxruntime-gpu counts as GPU', async () => {
    const r = await detectProject(fixture('uv-project'));
    assert.deepEqual(names(r), [
      ['pytorch', '2.2.2'],
      ['onnxruntime', null],
      ['lightgbm', '4.3.0'],
    ]);
    assert.equal(r.accelerator, 'gpu');
    assert.equal(r.cuda, '11.8');
    assert.equal(r.python, '3.10');
    assert.equal(r.entrypoint, null);
  });

  test('conda: pytorch-cuda=12.1, python=3.10, pip list, streamlit', async () => {
    const r = await detectProject(fixture('conda-streamlit'));
    assert.deepEqual(names(r), [
      ['pytorch', '2.1.0'],
      ['xgboost', '2.0.3'],
      ['scikit-learn', null],
    ]);
    assert.equal(r.cuda, '12.1');
    assert.equal(r.python, '3.10');
    assert.deepEqual(r.entrypoint, { file: 'dashboard.py', kind: 'streamlit' });
  });

  test('Pipfile + lock and a TorchServe handler; GPU without a CUDA pin', async () => {
    const r = await detectProject(fixture('pipenv-torchserve'));
    assert.deepEqual(names(r), [['pytorch', '2.2.1']]);
    assert.equal(r.accelerator, 'gpu');
    assert.equal(r.cuda, null);
    assert.equal(r.python, '3.9');
    assert.deepEqual(r.entrypoint, { file: 'handler.py', kind: 'torchserve' });
    assert.deepEqual(r.artifacts, [{ file: 'sentiment.mar', format: 'torchserve-mar', bytes: 4096 }]);
  });

  test('setup.py + setup.cfg: classic ML stays on CPU; primary follows the documented order', async () => {
    const r = await detectProject(fixture('setuptools-xgboost'));
    assert.deepEqual(names(r), [
      ['onnxruntime', '1.18.0'],
      ['xgboost', '2.0.3'],
      ['catboost', '1.2.5'],
      ['scikit-learn', null],
    ]);
    assert.equal(r.accelerator, 'cpu');
    assert.equal(r.python, '3.9');
    assert.deepEqual(r.entrypoint, { file: 'churn/train.py', kind: 'script' });
  });

  test('jax[cuda12] → gpu, cuda "12"', async () => {
    const r = await detectProject(fixture('jax-cuda'));
    assert.deepEqual(names(r), [['jax', '0.4.28']]);
    assert.equal(r.accelerator, 'gpu');
    assert.equal(r.cuda, '12');
  });

  test('notebooks only: frameworks from imports, with a warning that nothing declares them', async () => {
    const r = await detectProject(fixture('notebooks'));
    assert.deepEqual(names(r), [
      ['lightgbm', null],
      ['scikit-learn', null],
    ]);
    assert.equal(r.accelerator, 'cpu');
    assert.ok(r.warnings.some((w) => w.startsWith('no dependency file found')));
    assert.ok(r.warnings.some((w) => w.startsWith('truncated.ipynb: notebook is not valid JSON')));
  });

  test('broken files: every problem is a warning naming the file; the rest still counts', async () => {
    const r = await detectProject(fixture('broken'));
    // The wheel URL's file name gives torch's version and CUDA build.
    assert.deepEqual(names(r), [
      ['pytorch', '2.1.2'],
      ['xgboost', null],
      ['scikit-learn', '1.5.0'],
    ]);
    assert.equal(r.cuda, '12.1');
    assert.deepEqual(r.packages.find((p) => p.name === 'private-pkg')?.version, '1.0');
    const w = r.warnings.join('\n');
    assert.match(w, /requirements include cycle: requirements-a\.txt -> requirements-b\.txt -> requirements-a\.txt/);
    assert.equal(r.warnings.filter((x) => x.includes('cycle')).length, 1);
    assert.match(w, /requirements-b\.txt:2: included file missing\.txt not found/);
    assert.match(w, /pyproject\.toml:7: invalid TOML, skipped/);
    assert.match(w, /environment\.yml:\d+: invalid YAML \(BAD_INDENT\), skipped/);
    assert.match(w, /Pipfile\.lock: invalid JSON/);
    assert.doesNotMatch(w, /direct URL reference/);
    assert.match(w, /requirements\.txt:4: could not parse this requirement, skipped/);
    // Warnings never repeat what the files say.
    assert.doesNotMatch(w, /not a requirement|closing bracket|torch"/);
  });

  test('toReport keeps exactly the contract keys', async () => {
    const r = await detectProject(fixture('tf-cpu'));
    assert.deepEqual(Object.keys(toReport(r)), ['root', 'frameworks', 'primary', 'accelerator', 'cuda', 'python', 'entrypoint', 'artifacts', 'llm', 'warnings']);
  });
});

describe('accelerator and CUDA rule', () => {
  const run = async (files: Record<string, string>) => {
    const r = await detectProject(tempTree(files));
    return [r.accelerator, r.cuda, r.primary] as const;
  };

  test('deep-learning framework without pins → gpu, no cuda', async () => {
    assert.deepEqual(await run({ 'requirements.txt': 'torch>=2.0\n' }), ['gpu', null, 'pytorch']);
    assert.deepEqual(await run({ 'requirements.txt': 'transformers\n' }), ['gpu', null, 'transformers']);
    assert.deepEqual(await run({ 'app.py': 'import tensorflow as tf\n' }), ['gpu', null, 'tensorflow']);
  });

  test('jax without a cuda extra stays on CPU; classic ML is CPU', async () => {
    assert.deepEqual(await run({ 'requirements.txt': 'jax==0.4.28\n' }), ['cpu', null, 'jax']);
    assert.deepEqual(await run({ 'requirements.txt': 'scikit-learn\nxgboost\n' }), ['cpu', null, 'xgboost']);
    assert.deepEqual(await run({ 'requirements.txt': 'onnxruntime==1.18.0\n' }), ['cpu', null, 'onnxruntime']);
  });

  test('onnxruntime-gpu → gpu; index URL → cuda; cudatoolkit → cuda', async () => {
    assert.deepEqual(await run({ 'requirements.txt': 'onnxruntime-gpu\n' }), ['gpu', null, 'onnxruntime']);
    assert.deepEqual(await run({ 'requirements.txt': '--index-url https://download.pytorch.org/whl/cu118\ntorch\n' }), ['gpu', '11.8', 'pytorch']);
    assert.deepEqual(await run({ 'environment.yml': 'dependencies:\n  - cudatoolkit=11.8\n  - tensorflow\n' }), ['gpu', '11.8', 'tensorflow']);
  });

  test('explicit CPU builds win: /whl/cpu index, +cpu, tensorflow-cpu', async () => {
    assert.deepEqual(await run({ 'requirements.txt': '--extra-index-url https://download.pytorch.org/whl/cpu\ntorch==2.3.1\n' }), ['cpu', null, 'pytorch']);
    assert.deepEqual(await run({ 'requirements.txt': 'torch==2.3.1+cpu\ntransformers\n' }), ['cpu', null, 'pytorch']);
    assert.deepEqual(await run({ 'requirements.txt': 'tensorflow-cpu\n' }), ['cpu', null, 'tensorflow']);
  });

  test('CPU and GPU selected at once: cpu, with a warning', async () => {
    const r = await detectProject(tempTree({ 'requirements-cpu.txt': 'torch==2.3.1+cpu\n', 'requirements-gpu.txt': 'torch==2.3.1+cu121\n' }));
    assert.equal(r.accelerator, 'cpu');
    assert.equal(r.cuda, null);
    assert.ok(r.warnings.some((w) => w.startsWith('both CPU and GPU builds are selected')));
  });

  test('markers excluding Linux do not select the build or the version', async () => {
    const r = await detectProject(tempTree({ 'requirements.txt': 'torch==2.3.1+cpu ; sys_platform == "darwin"\ntorch==2.3.0+cu118 ; sys_platform == "linux"\n' }));
    assert.deepEqual([r.accelerator, r.cuda, r.frameworks[0]?.version], ['gpu', '11.8', '2.3.0']);
  });

  test('conflicting pins and CUDA versions are reported', async () => {
    const r = await detectProject(
      tempTree({ 'a/requirements.txt': 'torch==2.1.0+cu118\n', 'b/requirements.txt': 'torch==2.3.1+cu121\n' }),
    );
    assert.equal(r.frameworks[0]?.version, '2.1.0');
    assert.equal(r.cuda, '11.8');
    assert.ok(r.warnings.some((w) => w.startsWith('pytorch is pinned to different versions: 2.1.0 (a/requirements.txt:1), 2.3.1 (b/requirements.txt:1)')));
    assert.ok(r.warnings.some((w) => w.startsWith('conflicting CUDA versions: 11.8')));
  });

  test('an import that no dependency file declares is a warning', async () => {
    const r = await detectProject(tempTree({ 'requirements.txt': 'fastapi\n', 'app.py': 'import torch\n' }));
    assert.deepEqual(r.warnings, ['pytorch is imported (app.py:1) but no dependency file declares it']);
  });
});

describe('Python version precedence', () => {
  test('.python-version beats runtime.txt beats Pipfile/conda beats requires-python', async () => {
    const base = {
      'pyproject.toml': '[project]\nname = "x"\nrequires-python = ">=3.9"\n',
      'environment.yml': 'dependencies:\n  - python=3.10\n',
      'runtime.txt': 'python-3.11.9\n',
    };
    assert.equal((await detectProject(tempTree(base))).python, '3.11');
    assert.equal((await detectProject(tempTree({ ...base, '.python-version': '3.12.3\n' }))).python, '3.12');
    const { 'runtime.txt': _omit, ...noRuntime } = base;
    assert.equal((await detectProject(tempTree(noRuntime))).python, '3.10');
  });
});
