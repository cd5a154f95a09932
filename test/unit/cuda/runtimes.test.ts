import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { CUDA_TABLE, chooseTfServing, chooseTorchServe, chooseTriton, cudaOfImage, judgeImage } from '../../../src/core/cuda/index';

describe('TF Serving', () => {
  test('only released serving images, the nearest of the same minor, said so', () => {
    const s150 = chooseTfServing('2.15.0', { gpu: true });
    assert.equal(s150.image, 'tensorflow/serving:2.15.1-gpu');
    assert.ok(s150.notes.some((n) => /no 2\.15\.0 release/.test(n)));
    assert.equal(chooseTfServing('2.16.2', { gpu: true }).image, 'tensorflow/serving:2.16.1-gpu');
    assert.equal(chooseTfServing('2.19.0', { gpu: false }).image, 'tensorflow/serving:2.19.0');
    const s21 = chooseTfServing('2.21.0', { gpu: true });
    assert.match(s21.error ?? '', /no release for TensorFlow 2\.21/);
    assert.match(s21.suggestion ?? '', /--runtime python/);
    for (const v of CUDA_TABLE.releases.tensorflow) {
      const s = chooseTfServing(v, { gpu: true });
      for (const bad of ['2.15.0', '2.16.2', '2.21.0']) assert.notEqual(s.release, bad);
    }
  });

  test('the CUDA of the serving image, not TensorFlow\'s: 12.2 for 2.15.1-2.19.x, 12.5 for 2.20', () => {
    for (const v of ['2.16.1', '2.17.0', '2.18.0', '2.19.0']) {
      const s = chooseTfServing(v, { gpu: true });
      assert.equal(s.cuda, '12.2', v);
      assert.equal(s.cudnn, '8.9', v);
      assert.equal(cudaOfImage(s.image), '12.2');
    }
    assert.equal(chooseTfServing('2.17.0', { gpu: true, cuda: '12.2' }).error, null);
    assert.match(chooseTfServing('2.17.0', { gpu: true, cuda: '12.5' }).error ?? '', /CUDA 12\.2/);
    assert.equal(chooseTfServing('2.20.0', { gpu: true }).cuda, '12.5');
    assert.equal(chooseTfServing('2.13.1', { gpu: true }).cuda, '11.8');
    assert.match(chooseTfServing('2.20.0', { gpu: true, gpuArch: 'blackwell' }).error ?? '', /Blackwell/);
  });
});

describe('TorchServe', () => {
  test('in maintenance: said on every choice', () => {
    const s = chooseTorchServe(null, { gpu: true });
    assert.match(s.maintenance ?? '', /Limited Maintenance/);
    assert.equal(s.image, 'pytorch/torchserve:0.12.0-gpu');
    assert.ok(s.notes.some((n) => /own torch 2\.4\.0/.test(n)));
  });

  test('the project\'s torch is installed on top with its torchvision/torchaudio, or the choice is refused', () => {
    const s = chooseTorchServe('2.4.1', { gpu: true });
    assert.equal(s.error, null);
    assert.deepEqual(s.gpuPackages, ['torch==2.4.1', 'torchvision==0.19.1', 'torchaudio==2.4.1']);
    assert.equal(s.pipIndexUrl, 'https://download.pytorch.org/whl/cu121');
    assert.deepEqual(judgeImage(s.image, { pytorch: '2.4.1' }).findings, []);
    const newer = chooseTorchServe('2.9.1', { gpu: true });
    assert.match(newer.error ?? '', /Python 3\.9.*torch 2\.9\.1 has no Python 3\.9 wheels.*serve with torch 2\.4\.0/);
    assert.match(newer.suggestion ?? '', /--runtime python/);
    assert.match(chooseTorchServe('2.7.1', { gpu: true }).error ?? '', /CUDA 12\.1/);
    assert.match(chooseTorchServe('2.4.0', { gpu: true, cuda: '12.8' }).error ?? '', /carries CUDA 12\.1/);
    const cpu = chooseTorchServe('2.7.1', { gpu: false });
    assert.equal(cpu.pipIndexUrl, 'https://download.pytorch.org/whl/cpu');
    assert.deepEqual(cpu.gpuPackages, ['torch==2.7.1', 'torchvision==0.22.1', 'torchaudio==2.7.1']);
    assert.match(chooseTorchServe('2.4.0', { gpu: true, gpuArch: 'blackwell' }).error ?? '', /Blackwell/);
  });
});

describe('Triton', () => {
  test('releases through 26.08, with their CUDA and driver; the GPU target moves the release', () => {
    const def = chooseTriton({ gpu: true });
    assert.equal(def.release, CUDA_TABLE.defaults.triton.release);
    assert.ok(def.archs.unsupported.some((u) => u.arch === 'blackwell'));
    const bw = chooseTriton({ gpu: true, gpuArch: 'blackwell' });
    assert.equal(bw.cuda, '12.9');
    assert.equal(bw.release, '25.07');
    assert.equal(bw.minDriver, '575.51.03');
    assert.equal(chooseTriton({ gpu: true, cuda: '12.8' }).release, '25.03');
    assert.equal(chooseTriton({ gpu: true, cuda: '13.0' }).release, '25.11');
    assert.equal(chooseTriton({ gpu: true, cuda: '13.0' }).image, 'nvcr.io/nvidia/tritonserver:25.11-py3');
    assert.match(chooseTriton({ gpu: true, cuda: '12.3' }).error ?? '', /no Triton release/);
    assert.match(chooseTriton({ gpu: true, release: '26.08', gpuArch: 'volta' }).error ?? '', /Volta/);
    assert.equal(chooseTriton({ gpu: false }).cuda, null);
  });
});

describe('the committed table is what the refresh script generates', () => {
  const repo = resolve(__dirname, '..', '..', '..');
  test('refresh-cuda-table --check (from the committed snapshot in src/core/cuda/facts)', () => {
    const r = spawnSync(process.execPath, [join(repo, 'scripts', 'refresh-cuda-table.mjs'), '--check'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr || r.stdout);
  });
});
