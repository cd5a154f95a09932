import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  parseCondaEnv,
  parseCondaSpec,
  parsePipfile,
  parsePipfileLock,
  parsePoetryLock,
  parsePyproject,
  parseSetupCfg,
  parseSetupPy,
  parseUvLock,
} from '../../../src/core/detect/index';
import { fixture } from './helpers';

const read = (p: string) => readFileSync(fixture(p), 'utf8');
const pkgs = (f: { packages: Array<{ name: string; version: string | null; line?: number }> }) => f.packages.map((p) => [p.name, p.version, p.line]);

describe('pyproject.toml', () => {
  test('PEP 621 dependencies, optional-dependencies, PEP 735 groups, requires-python, uv index', () => {
    const f = parsePyproject(read('uv-project/pyproject.toml'), 'pyproject.toml');
    assert.deepEqual(pkgs(f), [
      ['torch', null, 6],
      ['lightgbm', '4.3.0', 7],
      ['onnxruntime-gpu', null, 8],
      ['onnx', null, 12],
      ['skl2onnx', null, 12],
      ['pytest', null, 15],
      ['ruff', '0.4.4', 16],
    ]);
    assert.equal(f.packages[2]?.marker, 'platform_system == "Linux"');
    assert.equal(f.packages[2]?.linux, true);
    assert.deepEqual(f.python && [f.python.version, f.python.line], ['3.10', 4]);
    assert.deepEqual(f.indexUrls, [{ url: 'https://download.pytorch.org/whl/cu118', line: 20 }]);
    assert.deepEqual(f.warnings, []);
  });

  test('Poetry: bare versions are exact, carets are not, python is the interpreter, groups count', () => {
    const f = parsePyproject(read('poetry-gradio/pyproject.toml'), 'pyproject.toml');
    assert.deepEqual(pkgs(f), [
      ['transformers', null, 9],
      ['sentence-transformers', '3.0.1', 10],
      ['gradio', null, 11],
      ['pytest', null, 14],
    ]);
    assert.deepEqual(f.packages[2]?.extras, ['oauth']);
    assert.equal(f.python?.version, '3.11');
    assert.equal(f.python?.reason, 'python = "^3.11"');
    assert.deepEqual(f.indexUrls.map((u) => u.url), ['https://download.pytorch.org/whl/cpu']);
  });

  test('PDM dev-dependencies', () => {
    const f = parsePyproject('[project]\nname="x"\ndependencies=[]\n[tool.pdm.dev-dependencies]\ntest = ["pytest", "xgboost==2.1.0"]\n', 'pyproject.toml');
    assert.deepEqual(pkgs(f), [
      ['pytest', null, 5],
      ['xgboost', '2.1.0', 5],
    ]);
  });

  test('malformed TOML is a warning naming the file and the line, not the text', () => {
    const f = parsePyproject(read('broken/pyproject.toml'), 'broken/pyproject.toml');
    assert.deepEqual(f.packages, []);
    assert.deepEqual(f.warnings, ['broken/pyproject.toml:7: invalid TOML, skipped']);
  });
});

describe('setup.cfg and setup.py', () => {
  test('setup.cfg install_requires (multi-line), extras and python_requires', () => {
    const f = parseSetupCfg(read('setuptools-xgboost/setup.cfg'), 'setup.cfg');
    assert.deepEqual(pkgs(f), [
      ['joblib', null, 7],
      ['catboost', '1.2.5', 8],
      ['ruff', null, 12],
    ]);
    assert.equal(f.packages[1]?.marker, 'python_version >= "3.9"');
    assert.equal(f.python?.version, '3.9');
  });

  test('setup.py literal lists through a module-level name; comments and strings are not code', () => {
    const f = parseSetupPy(read('setuptools-xgboost/setup.py'), 'setup.py');
    assert.deepEqual(pkgs(f), [
      ['xgboost', '2.0.3', 5],
      ['pandas', null, 6],
      ['scikit-learn', null, 7],
      ['fastapi', null, 17],
      ['uvicorn', null, 17],
      ['onnxruntime', '1.18.0', 18],
    ]);
    assert.equal(f.python?.version, '3.9');
    assert.ok(!f.packages.some((p) => p.name === 'not-a-real-dep'));
  });

  test('setup.py that computes its requirements yields nothing rather than guessing', () => {
    const f = parseSetupPy('from setuptools import setup\nsetup(install_requires=open("requirements.txt").read().splitlines())\n', 'setup.py');
    assert.deepEqual(f.packages, []);
    assert.deepEqual(f.warnings, []);
  });
});

describe('Pipfile and lock files', () => {
  test('Pipfile packages, dev-packages, python_version, non-PyPI sources', () => {
    const f = parsePipfile(read('pipenv-torchserve/Pipfile'), 'Pipfile');
    assert.deepEqual(pkgs(f), [
      ['torch', '2.2.1', 7],
      ['torchserve', null, 8],
      ['torch-model-archiver', null, 9],
      ['pytest', null, 12],
    ]);
    assert.deepEqual(f.python && [f.python.version, f.python.line], ['3.9', 15]);
    assert.deepEqual(f.indexUrls, []);
  });

  test('Pipfile.lock versions (== stripped) and python_version', () => {
    const f = parsePipfileLock(read('pipenv-torchserve/Pipfile.lock'), 'Pipfile.lock');
    assert.deepEqual(
      f.packages.map((p) => [p.name, p.version, p.origin]),
      [
        ['torch', '2.2.1', 'locked'],
        ['torchserve', '0.10.0', 'locked'],
        ['pytest', '8.2.0', 'locked'],
      ],
    );
    assert.equal(f.packages[0]?.line, 9);
    assert.equal(f.python?.version, '3.9');
  });

  test('poetry.lock: exact versions, local version label and the legacy source URL', () => {
    const f = parsePoetryLock(read('poetry-gradio/poetry.lock'), 'poetry.lock');
    const torch = f.packages.find((p) => p.name === 'torch');
    assert.equal(torch?.version, '2.3.0');
    assert.equal(torch?.local, 'cpu');
    assert.equal(torch?.line, 18);
    assert.equal(torch?.reason, 'torch 2.3.0+cpu (locked)');
    assert.deepEqual(f.indexUrls.map((u) => u.url), ['https://download.pytorch.org/whl/cpu']);
  });

  test('uv.lock: registry URL of the PyTorch index, +cu118 local version', () => {
    const f = parseUvLock(read('uv-project/uv.lock'), 'uv.lock');
    const torch = f.packages.find((p) => p.name === 'torch');
    assert.deepEqual([torch?.version, torch?.local, torch?.line], ['2.2.2', 'cu118', 15]);
    assert.deepEqual(f.indexUrls.map((u) => u.url), ['https://download.pytorch.org/whl/cu118']);
  });

  test('a truncated Pipfile.lock is a warning', () => {
    const f = parsePipfileLock(read('broken/Pipfile.lock'), 'Pipfile.lock');
    assert.deepEqual(f.packages, []);
    assert.match(f.warnings[0] ?? '', /^Pipfile\.lock: invalid JSON, skipped/);
  });
});

describe('conda environment.yml', () => {
  test('conda match specs', () => {
    assert.deepEqual(parseCondaSpec('pytorch::pytorch=2.1.0=py3.10_cuda12.1_cudnn8.9.2_0'), {
      channel: 'pytorch',
      name: 'pytorch',
      version: '2.1.0',
      versionText: '2.1.0',
      build: 'py3.10_cuda12.1_cudnn8.9.2_0',
    });
    assert.equal(parseCondaSpec('numpy 1.26.*')?.version, null);
    assert.equal(parseCondaSpec('scikit-learn>=1.3')?.version, null);
    assert.equal(parseCondaSpec('xgboost==2.0.3')?.version, '2.0.3');
  });

  test('python, pytorch-cuda, channel-qualified packages and the nested pip list', () => {
    const f = parseCondaEnv(read('conda-streamlit/environment.yml'), 'environment.yml');
    assert.deepEqual(f.python && [f.python.version, f.python.line], ['3.10', 7]);
    assert.deepEqual(f.hints, [{ cuda: '12.1', reason: 'pytorch-cuda 12.1', line: 10 }]);
    assert.deepEqual(pkgs(f), [
      ['torch', '2.1.0', 8],
      ['torchvision', null, 9],
      ['pytorch-cuda', '12.1', 10],
      ['scikit-learn', null, 11],
      ['pip', null, 12],
      ['streamlit', '1.35.0', 14],
      ['xgboost', '2.0.3', 15],
    ]);
  });

  test('cudatoolkit, cpuonly and CUDA build strings are selection hints', () => {
    const f = parseCondaEnv('dependencies:\n  - cudatoolkit=11.8\n  - cpuonly\n  - pytorch=2.0.1=py3.10_cuda11.7_cudnn8.5.0_0\n', 'env.yml');
    assert.deepEqual(
      f.hints.map((h) => [h.cuda ?? null, h.cpu ?? false, h.line]),
      [
        ['11.8', false, 2],
        [null, true, 3],
        ['11.7', false, 4],
      ],
    );
  });

  test('malformed YAML is a warning with the line, never an exception', () => {
    const f = parseCondaEnv(read('broken/environment.yml'), 'broken/environment.yml');
    assert.deepEqual(f.packages, []);
    assert.match(f.warnings[0] ?? '', /^broken\/environment\.yml:\d+: invalid YAML \([A-Z_]+\), skipped$/);
    const g = parseCondaEnv('- just\n- a list\n', 'environment.yml');
    assert.match(g.warnings[0] ?? '', /not a conda environment file/);
  });
});
