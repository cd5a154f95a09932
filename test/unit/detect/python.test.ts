import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { IMPORT_FRAMEWORKS, parseNotebook, parsePythonSource, parsePythonVersionFile, parseRuntimeTxt } from '../../../src/core/detect/index';
import { fixture } from './helpers';

const read = (p: string) => readFileSync(fixture(p), 'utf8');

describe('Python sources', () => {
  test('imports: plain, aliased, dotted, from-imports, several per line; relative ones skipped', () => {
    const src = [
      'import os, torch as T',
      'import tensorflow.keras.layers',
      'from sklearn.ensemble import RandomForestClassifier',
      'from . import utils',
      'from .models import Net',
      'import numpy as np; import xgboost',
      'def f():',
      '    import lightgbm  # lazy import still counts',
      'try:',
      '    import onnxruntime',
      'except ImportError:',
      '    pass',
    ].join('\n');
    const f = parsePythonSource(src, 'm.py');
    assert.deepEqual(
      f.imports.map((i) => [i.module, i.line]),
      [
        ['os', 1],
        ['torch', 1],
        ['tensorflow', 2],
        ['sklearn', 3],
        ['numpy', 6],
        ['xgboost', 6],
        ['lightgbm', 8],
        ['onnxruntime', 10],
      ],
    );
    assert.equal(f.imports[3]?.reason, 'from sklearn.ensemble import RandomForestClassifier');
  });

  test('text inside docstrings, strings and comments is not an import', () => {
    const src = ['"""Module doc.', 'import torch', '"""', "x = 'import jax'", '# import tensorflow', "s = '''one-line''' ; import keras", 'y = """', 'from vllm import LLM', '"""'].join(
      '\n',
    );
    const f = parsePythonSource(src, 'm.py');
    assert.deepEqual(
      f.imports.map((i) => i.module),
      ['keras'],
    );
  });

  test('entrypoints of each kind with their line', () => {
    const kinds = (src: string) => parsePythonSource(src, 'x.py').entrypoints.map((e) => [e.kind, e.line]);
    assert.deepEqual(kinds(read('pytorch-cuda/src/api/app.py')), [['fastapi', 9]]);
    assert.deepEqual(kinds(read('tf-cpu/serve.py')), [['flask', 5]]);
    assert.deepEqual(kinds(read('poetry-gradio/app.py')), [
      ['gradio', 11],
      ['script', 13],
    ]);
    assert.deepEqual(kinds(read('conda-streamlit/dashboard.py')), [['streamlit', 1]]);
    assert.deepEqual(kinds(read('pipenv-torchserve/handler.py')), [['torchserve', 5]]);
    assert.deepEqual(kinds("import sys\n\nif __name__ == '__main__':\n    sys.exit(0)\n"), [['script', 3]]);
  });

  test('files that mention no framework or server are skipped whole; every framework import still counts', () => {
    assert.deepEqual(parsePythonSource('import os\nimport numpy as np\n\ndef f():\n    return 1\n', 'x.py').imports, []);
    // The quick pre-check must let every module the report knows through.
    for (const module of [...Object.keys(IMPORT_FRAMEWORKS), 'fastapi', 'flask', 'gradio', 'streamlit', 'cog', 'bentoml', 'optax', 'haiku', 'equinox', 'tensorflow_datasets']) {
      assert.deepEqual(parsePythonSource(`import ${module}\n`, 'x.py').imports.map((i) => i.module), [module], module);
    }
  });

  test('no entrypoint without the framework import, or when __main__ is only mentioned in a string', () => {
    assert.deepEqual(parsePythonSource('app = FastAPI()\n', 'x.py').entrypoints, []);
    assert.deepEqual(parsePythonSource('doc = """\nif __name__ == "__main__":\n"""\n', 'x.py').entrypoints, []);
    assert.deepEqual(parsePythonSource('class Handler(object):\n    pass\n', 'x.py').entrypoints, []);
  });
});

describe('notebooks', () => {
  test('imports from code cells only; magics and shell escapes ignored; cell positions in the reason', () => {
    const f = parseNotebook(read('notebooks/explore.ipynb'), 'explore.ipynb');
    assert.deepEqual(
      f.imports.map((i) => i.module),
      ['pandas', 'sklearn', 'lightgbm'],
    );
    assert.equal(f.imports[1]?.reason, 'from sklearn.ensemble import RandomForestClassifier (cell 2, line 4)');
    assert.equal(f.imports[2]?.line, undefined);
    assert.deepEqual(f.warnings, []);
  });

  test('a notebook that is not JSON, or has no cells, is a warning', () => {
    const f = parseNotebook(read('notebooks/truncated.ipynb'), 'notebooks/truncated.ipynb');
    assert.deepEqual(f.imports, []);
    assert.match(f.warnings[0] ?? '', /^notebooks\/truncated\.ipynb: notebook is not valid JSON, skipped/);
    assert.match(parseNotebook('{"nbformat": 4}', 'n.ipynb').warnings[0] ?? '', /no 'cells' list/);
  });
});

describe('Python version files', () => {
  test('.python-version and runtime.txt reduce to major.minor with their line', () => {
    assert.deepEqual(parsePythonVersionFile('# pyenv\n3.11.8\n', '.python-version').python, { version: '3.11', rank: 1, line: 2, reason: '3.11.8' });
    assert.equal(parseRuntimeTxt('python-3.10.13\n', 'runtime.txt').python?.version, '3.10');
    assert.equal(parsePythonVersionFile('pypy3.10\n', '.python-version').python, undefined);
    assert.equal(parsePythonVersionFile('pypy3.10\n', '.python-version').warnings.length, 1);
  });
});
