import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  CUDA_TABLE,
  chooseGpuBase,
  compatibleCudaChoices,
  cudaCompat,
  cudaOfImage,
  cudaVersionsFor,
  findTorchRow,
  nvidiaCudaImage,
} from '../../../src/core/cuda/index';

describe('cuda table', () => {
  test('every row carries sources that resolve and a confidence', () => {
    const rows = [...CUDA_TABLE.torch, ...CUDA_TABLE.tensorflow, ...CUDA_TABLE.onnxruntime, ...CUDA_TABLE.nvidiaCuda];
    for (const r of rows) {
      assert.ok(r.sources.length > 0);
      for (const s of r.sources) assert.ok(CUDA_TABLE.sources[s], `unknown source ${s}`);
    }
    for (const r of [...CUDA_TABLE.torch, ...CUDA_TABLE.tensorflow]) assert.ok(r.confidence);
  });

  test('torch tags follow the cuDNN switch at 2.4 and mark seen vs pattern', () => {
    for (const r of CUDA_TABLE.torch) {
      const cudnn = r.version.startsWith('1.') || /^2\.[0-3]\./.test(r.version) ? 8 : 9;
      assert.equal(r.cudnnMajor, cudnn, r.version);
      for (const v of r.variants) {
        assert.equal(v.officialImage, `pytorch/pytorch:${r.version}-cuda${v.cuda}-cudnn${cudnn}-runtime`);
        assert.equal(v.indexUrl, `https://download.pytorch.org/whl/cu${v.cuda.replace('.', '')}`);
      }
    }
    assert.equal(findTorchRow('2.3.1')?.row.variants.find((v) => v.cuda === '12.1')?.officialImageSeen, true);
    assert.equal(findTorchRow('2.3.1')?.row.variants.find((v) => v.cuda === '11.8')?.officialImageSeen, false);
  });

  test('ORT rules follow cuda-matrix.md section 7', () => {
    assert.deepEqual(cudaVersionsFor('onnxruntime', '1.16.3'), ['11.8']);
    assert.ok(cudaVersionsFor('onnxruntime', '1.17.1')?.includes('11.8'));
    assert.ok(cudaVersionsFor('onnxruntime', '1.17.1')?.includes('12.1'));
    assert.ok(!cudaVersionsFor('onnxruntime', '1.20.0')?.includes('11.8'));
    assert.equal(cudaVersionsFor('onnxruntime', '1.27.0'), null);
  });
});

describe('cudaVersionsFor', () => {
  test('torch rows, patch variants and local versions', () => {
    assert.deepEqual(cudaVersionsFor('pytorch', '2.3.1'), ['11.8', '12.1']);
    assert.deepEqual(cudaVersionsFor('pytorch', '2.3.1+cu121'), ['11.8', '12.1']);
    assert.deepEqual(cudaVersionsFor('pytorch', '2.3.7'), ['11.8', '12.1']);
    assert.deepEqual(cudaVersionsFor('pytorch', '2.8.0'), ['12.6', '12.8', '12.9']);
    assert.equal(cudaVersionsFor('pytorch', '3.0.0'), null);
    assert.equal(cudaVersionsFor('pytorch', 'garbage'), null);
  });
  test('tensorflow by series', () => {
    assert.deepEqual(cudaVersionsFor('tensorflow', '2.15.0'), ['12.2']);
    assert.deepEqual(cudaVersionsFor('tensorflow', '2.15.1'), ['12.2']);
    assert.deepEqual(cudaVersionsFor('tensorflow', '2.16.2'), ['12.3']);
    assert.equal(cudaVersionsFor('tensorflow', '2.22.0'), null);
  });
  test('jax extras', () => {
    const v = cudaVersionsFor('jax', '0.4.30') ?? [];
    assert.ok(v.includes('12.1') && !v.includes('11.8') && !v.includes('13.0'));
    assert.ok(cudaVersionsFor('jax', '0.4.20')?.includes('11.8'));
    assert.ok(cudaVersionsFor('jax', '0.7.2')?.includes('13.0'));
    assert.equal(cudaVersionsFor('jax', '0.12.0'), null);
  });
});

describe('cudaOfImage', () => {
  test('known image families', () => {
    assert.equal(cudaOfImage('nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04'), '12.1');
    assert.equal(cudaOfImage('docker.io/nvidia/cuda:13.0.2-cudnn-runtime-ubuntu22.04'), '13.0');
    assert.equal(cudaOfImage('pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime'), '12.1');
    assert.equal(cudaOfImage('ghcr.io/pytorch/pytorch:2.3.0-cuda11.8-cudnn8-runtime@sha256:abc'), '11.8');
    assert.equal(cudaOfImage('tensorflow/tensorflow:2.15.0-gpu'), '12.2');
    assert.equal(cudaOfImage('tensorflow/tensorflow:2.15.0'), null);
    assert.equal(cudaOfImage('python:3.11-slim'), null);
    assert.equal(cudaOfImage('python'), null);
    assert.equal(cudaCompat.cudaOfImage('nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04'), '11.8');
    assert.deepEqual(cudaCompat.cudaVersionsFor('tensorflow', '2.12.0'), ['11.8']);
  });
  test('every nvidia/cuda tag in the table parses back to its CUDA', () => {
    for (const r of CUDA_TABLE.nvidiaCuda) {
      for (const img of [r.ubuntu2204, r.ubuntu2404]) if (img) assert.equal(cudaOfImage(img), r.cuda);
    }
  });
});

describe('chooseGpuBase', () => {
  test('every torch version: the GPU image carries a CUDA that version supports', () => {
    for (const r of CUDA_TABLE.torch) {
      const c = chooseGpuBase('pytorch', r.version);
      assert.equal(c.error, null, r.version);
      assert.equal(c.known, true);
      assert.equal(c.strategy, 'official-image');
      assert.ok(cudaVersionsFor('pytorch', r.version)?.includes(cudaOfImage(c.image) ?? ''), `${r.version} -> ${c.image}`);
      assert.equal(cudaOfImage(c.image), c.cuda);
      assert.ok(!c.image.endsWith(':latest'));
      for (const v of r.variants) {
        const pick = chooseGpuBase('pytorch', r.version, { cuda: v.cuda });
        assert.equal(cudaOfImage(pick.image), v.cuda);
        assert.equal(pick.pipIndexUrl, v.indexUrl);
        const base = chooseGpuBase('pytorch', r.version, { cuda: v.cuda, prefer: 'cuda-base' });
        if (!base.error) assert.equal(cudaOfImage(base.image), v.cuda);
      }
    }
  });

  test('every TensorFlow version: the GPU image carries a CUDA that version supports', () => {
    for (const r of CUDA_TABLE.tensorflow) {
      const c = chooseGpuBase('tensorflow', r.version);
      assert.equal(c.error, null);
      assert.equal(c.image, `tensorflow/tensorflow:${r.version}-gpu`);
      assert.ok(r.cuda.includes(cudaOfImage(c.image) ?? ''), r.version);
      const alt = chooseGpuBase('tensorflow', r.version, { prefer: 'cuda-base', python: '3.11' });
      if (r.andCudaExtra) {
        assert.equal(alt.strategy, 'python-base+pip-cuda');
        assert.deepEqual(alt.gpuPackages, [`tensorflow[and-cuda]==${r.version}`]);
      } else assert.equal(alt.strategy, 'official-image');
    }
  });

  test('no pin: a current default, said so', () => {
    const c = chooseGpuBase('pytorch', null);
    assert.equal(c.version, CUDA_TABLE.defaults.pytorch.version);
    assert.ok(c.notes.some((n) => /not pinned/.test(n)));
    assert.ok(!cudaOfImage(c.image)?.startsWith('13'), 'default avoids CUDA 13 driver floor');
    const tf = chooseGpuBase('tensorflow', null);
    assert.ok(tf.notes.some((n) => /not pinned/.test(n)));
  });

  test('unknown pin: known false and a clear note, never a silent guess', () => {
    for (const [fw, v] of [['pytorch', '3.1.0'], ['tensorflow', '2.22.0'], ['jax', '0.99.0'], ['onnxruntime', '1.30.0']] as const) {
      const c = chooseGpuBase(fw, v);
      assert.equal(c.known, false, `${fw} ${v}`);
      assert.ok(c.notes.some((n) => /not in ModelDock's/.test(n)), `${fw} note`);
    }
    const chosen = chooseGpuBase('pytorch', '3.1.0', { cuda: '12.8' });
    assert.equal(chosen.known, false);
    assert.equal(cudaOfImage(chosen.image), '12.8');
    assert.equal(chosen.pipIndexUrl, 'https://download.pytorch.org/whl/cu128');
  });

  test('incompatible user CUDA is an error with the supported list', () => {
    const c = chooseGpuBase('pytorch', '2.3.1', { cuda: '12.4' });
    assert.match(c.error ?? '', /supports CUDA 11\.8, 12\.1/);
    assert.match(chooseGpuBase('tensorflow', '2.15.0', { cuda: '11.8' }).error ?? '', /12\.2/);
    assert.ok(chooseGpuBase('jax', '0.4.30', { cuda: '11.8' }).error);
    assert.ok(chooseGpuBase('onnxruntime', '1.20.0', { cuda: '11.8' }).error);
  });

  test('local +cuXYZ pin selects that CUDA', () => {
    assert.equal(chooseGpuBase('pytorch', '2.3.1+cu121').cuda, '12.1');
  });

  test('jax, onnxruntime and generic strategies', () => {
    const j = chooseGpuBase('jax', '0.4.30', { python: '3.11' });
    assert.equal(j.strategy, 'python-base+pip-cuda');
    assert.equal(j.image, 'python:3.11-slim');
    assert.deepEqual(j.gpuPackages, ['jax[cuda12]==0.4.30']);
    assert.deepEqual(chooseGpuBase('jax', '0.8.0', { cuda: '13.0' }).gpuPackages, ['jax[cuda13]==0.8.0']);
    assert.deepEqual(chooseGpuBase('jax', '0.4.20').gpuPackages, ['jax[cuda12_pip]==0.4.20']);
    const o = chooseGpuBase('onnxruntime', '1.18.0', { cuda: '12.1' });
    assert.equal(o.cudnnMajor, 8);
    assert.ok(o.pipIndexUrl?.includes('onnxruntime-cuda-12'));
    assert.ok(chooseGpuBase('onnxruntime', '1.18.0', { cuda: '12.6' }).error, 'no cuDNN 8 image for 12.6');
    const o2 = chooseGpuBase('onnxruntime', '1.20.1');
    assert.equal(o2.cudnnMajor, 9);
    assert.deepEqual(o2.removePackages, ['onnxruntime']);
    assert.equal(cudaOfImage(chooseGpuBase('generic', null).image), CUDA_TABLE.defaults.generic.cuda);
  });

  test('nvidia/cuda falls back to 24.04 where 22.04 has no tag', () => {
    assert.equal(nvidiaCudaImage('13.2')?.ubuntu, '24.04');
    assert.equal(nvidiaCudaImage('12.1', '24.04')?.ubuntu, '22.04');
  });
});

describe('compatibleCudaChoices', () => {
  test('lists each supported CUDA with a reason and one recommendation', () => {
    const c = compatibleCudaChoices('pytorch', '2.4.1');
    assert.deepEqual(c.map((x) => x.cuda), ['11.8', '12.1', '12.4']);
    assert.equal(c.filter((x) => x.recommended).length, 1);
    for (const x of c) assert.ok(x.reason.length > 10);
    assert.deepEqual(compatibleCudaChoices('tensorflow', '2.18.0').map((x) => x.cuda), ['12.5']);
    assert.ok(compatibleCudaChoices('pytorch', '9.0.0').every((x) => /unverified/.test(x.reason)));
    assert.ok(compatibleCudaChoices('jax', '0.7.2').length >= 2);
  });
});
