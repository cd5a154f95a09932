import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  CUDA_TABLE,
  archOfComputeCap,
  chooseGpuBase,
  compatibleCudaChoices,
  cudaCompat,
  cudaOfImage,
  cudaVersionsFor,
  cudnnOfImage,
  findTorchRow,
  judgeImage,
  nvidiaCudaImage,
  nvidiaImageFor,
  pickPython,
  releaseOf,
  validateChoice,
} from '../../../src/core/cuda/index';

const noteMatching = (notes: string[], re: RegExp): boolean => notes.some((n) => re.test(n));

describe('cuda table', () => {
  test('every row carries sources that resolve and a confidence', () => {
    const rows = [
      ...CUDA_TABLE.torch,
      ...CUDA_TABLE.tensorflow,
      ...CUDA_TABLE.onnxruntime,
      ...CUDA_TABLE.nvidiaCuda,
      ...CUDA_TABLE.triton,
      ...CUDA_TABLE.tfserving,
      ...CUDA_TABLE.jax.releases,
      ...CUDA_TABLE.archs,
      ...CUDA_TABLE.refused,
      CUDA_TABLE.torchserve,
    ];
    for (const r of rows) {
      assert.ok(r.sources.length > 0, JSON.stringify(r).slice(0, 80));
      for (const s of r.sources) assert.ok(CUDA_TABLE.sources[s], `unknown source ${s}`);
    }
    for (const r of [...CUDA_TABLE.torch, ...CUDA_TABLE.tensorflow, ...CUDA_TABLE.onnxruntime, ...CUDA_TABLE.triton, ...CUDA_TABLE.tfserving]) assert.ok(r.confidence);
  });

  test('torch tags follow the cuDNN switch at 2.4 and mark seen vs pattern', () => {
    for (const r of CUDA_TABLE.torch.filter((x) => x.inReleaseMatrix)) {
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

  test('released versions come from the PyPI snapshot, Python lists from its wheels', () => {
    for (const v of ['1.5.0', '2.0.0', '2.14.1', '2.15.0']) assert.ok(CUDA_TABLE.releases.pytorch.includes(v), v);
    assert.ok(CUDA_TABLE.releases.tensorflow.includes('2.16.2'));
    assert.ok(!CUDA_TABLE.releases.tensorflow.includes('2.16.0'), 'TF 2.16.0 was never released');
    assert.ok(CUDA_TABLE.releases.yanked.jax.includes('0.4.32'));
    assert.deepEqual(findTorchRow('2.15.0')?.row.python, ['3.11', '3.12', '3.13', '3.14', '3.15']);
    assert.ok(!CUDA_TABLE.ortReleases.find((r) => r.version === '1.24.1')?.python.includes('3.10'), 'onnxruntime-gpu 1.24.1 has no cp310 wheels');
  });

  test('nvidia/cuda: 12.9 and 13.2 on Ubuntu 22.04, 13.0.3 among the patches', () => {
    assert.match(nvidiaImageFor('12.9', ['3.10'])?.image ?? '', /^nvidia\/cuda:12\.9\.\d-cudnn-runtime-ubuntu22\.04$/);
    assert.match(nvidiaImageFor('13.2', ['3.10'])?.image ?? '', /^nvidia\/cuda:13\.2\.\d-cudnn-runtime-ubuntu22\.04$/);
    assert.ok(CUDA_TABLE.nvidiaCuda.find((r) => r.cuda === '13.0')?.patches.includes('13.0.3'));
    assert.equal(nvidiaCudaImage('12.4', '24.04')?.ubuntu, '22.04', 'no 12.4 Ubuntu 24.04 tag');
    assert.equal(nvidiaImageFor('12.6', ['3.12'])?.ubuntu, '24.04');
    assert.equal(nvidiaImageFor('11.8', ['3.8'])?.ubuntu, '20.04');
    assert.equal(nvidiaImageFor('12.4', ['3.12']), null, 'no Python 3.12 image for CUDA 12.4');
  });

  test('Triton reaches 25.01+ (CUDA 12.8) and 25.08+ (CUDA 13) with driver floors', () => {
    const t = (r: string) => CUDA_TABLE.triton.find((x) => x.release === r);
    assert.equal(t('25.01')?.cuda, '12.8');
    assert.equal(t('25.01')?.minDriver, '570.86.10');
    assert.equal(t('25.08')?.cuda, '13.0');
    assert.equal(t('24.08')?.cuda, '12.6');
    for (const r of CUDA_TABLE.triton) assert.match(r.minDriver, /^\d{3}\.\d+/);
  });

  test('ORT rules: build CUDA per release, settled from the wheels', () => {
    assert.deepEqual(cudaVersionsFor('onnxruntime', '1.16.3')?.filter((c) => c.startsWith('11.')), ['11.8']);
    assert.ok(cudaVersionsFor('onnxruntime', '1.17.1')?.includes('11.8'));
    assert.ok(cudaVersionsFor('onnxruntime', '1.17.1')?.includes('12.2'));
    assert.ok(!cudaVersionsFor('onnxruntime', '1.20.0')?.includes('11.8'));
    assert.deepEqual(cudaVersionsFor('onnxruntime', '1.24.1')?.[0], '12.8');
    assert.ok(cudaVersionsFor('onnxruntime', '1.27.0')?.every((c) => c.startsWith('13.')));
    assert.equal(cudaVersionsFor('onnxruntime', '1.99.0'), null);
  });
});

describe('cudaVersionsFor', () => {
  test('torch rows, patch variants and local versions', () => {
    assert.deepEqual(cudaVersionsFor('pytorch', '2.3.1'), ['11.8', '12.1']);
    assert.deepEqual(cudaVersionsFor('pytorch', '2.3.1+cu121'), ['11.8', '12.1']);
    assert.deepEqual(cudaVersionsFor('pytorch', '2.3.7'), ['11.8', '12.1']);
    assert.deepEqual(cudaVersionsFor('pytorch', '2.8.0'), ['12.6', '12.8', '12.9']);
    assert.deepEqual(cudaVersionsFor('pytorch', '2.0'), ['11.7', '11.8'], 'torch==2.0 is 2.0.0');
    assert.equal(cudaVersionsFor('pytorch', '3.0.0'), null);
    assert.equal(cudaVersionsFor('pytorch', 'garbage'), null);
  });
  test('tensorflow by series', () => {
    assert.deepEqual(cudaVersionsFor('tensorflow', '2.15.0'), ['12.2']);
    assert.deepEqual(cudaVersionsFor('tensorflow', '2.15.1'), ['12.2']);
    assert.deepEqual(cudaVersionsFor('tensorflow', '2.16.2'), ['12.3']);
    assert.deepEqual(cudaVersionsFor('tensorflow', '2.8.4'), ['11.2']);
    assert.equal(cudaVersionsFor('tensorflow', '2.22.0'), null);
  });
  test('jax extras', () => {
    const v = cudaVersionsFor('jax', '0.4.30') ?? [];
    assert.ok(v.includes('12.1') && !v.includes('11.8') && !v.includes('13.0'));
    assert.ok(cudaVersionsFor('jax', '0.4.20')?.includes('11.8'));
    assert.ok(cudaVersionsFor('jax', '0.7.2')?.includes('13.0'));
    assert.ok(!cudaVersionsFor('jax', '0.7.1')?.includes('13.0'), 'no jax-cuda13-plugin wheels before 0.7.2');
    assert.equal(cudaVersionsFor('jax', '0.99.0'), null);
  });
});

describe('images', () => {
  test('cudaOfImage for image families, NGC containers included', () => {
    assert.equal(cudaOfImage('nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04'), '12.1');
    assert.equal(cudaOfImage('docker.io/nvidia/cuda:13.0.2-cudnn-runtime-ubuntu22.04'), '13.0');
    assert.equal(cudaOfImage('pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime'), '12.1');
    assert.equal(cudaOfImage('ghcr.io/pytorch/pytorch:2.3.0-cuda11.8-cudnn8-runtime@sha256:abc'), '11.8');
    assert.equal(cudaOfImage('tensorflow/tensorflow:2.15.0-gpu'), '12.2');
    assert.equal(cudaOfImage('tensorflow/tensorflow:2.0.0-gpu-py3'), '10.0');
    assert.equal(cudaOfImage('tensorflow/serving:2.17.1-gpu'), '12.2');
    assert.equal(cudaOfImage('nvcr.io/nvidia/pytorch:25.01-py3'), '12.8');
    assert.equal(cudaOfImage('nvcr.io/nvidia/pytorch:25.12-py3'), '13.1');
    assert.equal(cudaOfImage('nvcr.io/nvidia/tritonserver:24.08-py3'), '12.6');
    assert.equal(cudaOfImage('nvcr.io/nvidia/pytorch:23.01-py3'), null, 'NGC release older than the table');
    assert.equal(cudaOfImage('tensorflow/tensorflow:2.15.0'), null);
    assert.equal(cudaOfImage('python:3.11-slim'), null);
    assert.equal(cudaOfImage('python'), null);
  });
  test('every nvidia/cuda tag in the table parses back to its CUDA and cuDNN', () => {
    for (const r of CUDA_TABLE.nvidiaCuda) {
      for (const img of [r.ubuntu2004, r.ubuntu2204, r.ubuntu2404]) {
        if (!img) continue;
        assert.equal(cudaOfImage(img), r.cuda);
        assert.equal(cudnnOfImage(img), r.cudnnMajor);
      }
    }
  });
  test('pickPython: the project Python when supported, else the closest newer one', () => {
    assert.equal(pickPython('3.11', ['3.12', '3.13']), '3.12');
    assert.equal(pickPython('3.11', ['3.9', '3.10', '3.11']), '3.11');
    assert.equal(pickPython('3.13', ['3.9', '3.10']), '3.10');
    assert.equal(pickPython(null, ['3.12', '3.13']), '3.12');
    assert.equal(pickPython('3.11', ['2.7']), null);
  });
  test('compute capability -> architecture', () => {
    assert.equal(archOfComputeCap('8.6'), 'ampere');
    assert.equal(archOfComputeCap('8.9'), 'ada');
    assert.equal(archOfComputeCap('9.0'), 'hopper');
    assert.equal(archOfComputeCap('12.0'), 'blackwell');
    assert.equal(archOfComputeCap('10.3'), 'blackwell');
    assert.equal(archOfComputeCap('sm_75'), 'turing');
    assert.equal(archOfComputeCap('3.7'), null);
    assert.equal(archOfComputeCap('junk'), null);
  });
});

describe('issue rows: PyTorch', () => {
  test('torch==2.0 is 2.0.0, not an error about CUDA 11.7', () => {
    const c = chooseGpuBase('pytorch', '2.0');
    assert.equal(c.error, null);
    assert.equal(c.version, '2.0.0');
    assert.equal(releaseOf('2.0'), '2.0.0');
    assert.deepEqual(validateChoice(c), []);
  });

  test('torch 1.5-1.12: an official image that carries the release, never a CUDA 12.6 image', () => {
    for (const v of ['1.5.0', '1.7.1', '1.8.1', '1.9.0', '1.10.0', '1.11.0', '1.12.1']) {
      const c = chooseGpuBase('pytorch', v, { python: '3.11' });
      assert.equal(c.error, null, v);
      assert.equal(c.strategy, 'official-image', v);
      assert.match(c.image, new RegExp(`^pytorch/pytorch:${v.replace(/\./g, '\\.')}-cuda`), v);
      assert.ok(!c.image.includes('12.6'));
      assert.deepEqual(validateChoice(c), [], v);
    }
    const patch = chooseGpuBase('pytorch', '1.10.2');
    assert.equal(patch.image, 'pytorch/pytorch:1.10.1-cuda11.3-cudnn8-runtime');
    assert.deepEqual(patch.gpuPackages, ['torch==1.10.2+cu113']);
    assert.equal(patch.pipFindLinks, 'https://download.pytorch.org/whl/torch_stable.html');
  });

  test('torch below 1.5 is refused with the nearest working upgrade', () => {
    const c = chooseGpuBase('pytorch', '1.4.0');
    assert.match(c.error ?? '', /before 1\.5/);
    assert.match(c.suggestion ?? '', /1\.13\.1/);
  });

  test('scaffold accepts torch 1.13.0 on CUDA 11.8 (the cu117 wheel, same major), like the lint rule', () => {
    const c = chooseGpuBase('pytorch', '1.13.0', { cuda: '11.8' });
    assert.equal(c.error, null);
    assert.equal(c.cuda, '11.8');
    assert.equal(c.buildCuda, '11.7');
    assert.equal(c.pipIndexUrl, 'https://download.pytorch.org/whl/cu117');
    assert.deepEqual(judgeImage(c.image, { pytorch: '1.13.0' }).findings, []);
  });

  test('incompatible CUDA is an error with the supported list; a +cu label must fit the image', () => {
    assert.match(chooseGpuBase('pytorch', '2.3.1', { cuda: '13.0' }).error ?? '', /supports CUDA 11\.8, 12\.1/);
    assert.match(chooseGpuBase('pytorch', '2.3.1', { cuda: '12.0' }).error ?? '', /must not be older than it/);
    assert.equal(chooseGpuBase('pytorch', '2.3.1+cu121').cuda, '12.1');
    assert.match(chooseGpuBase('pytorch', '2.3.1+cu121', { cuda: '11.8' }).error ?? '', /CUDA 12\.1 build/);
    assert.match(chooseGpuBase('pytorch', '2.3.1+cpu').error ?? '', /CPU build/);
  });

  test('torchvision / torchaudio pins: inferred torch, mismatches and mixed labels', () => {
    const inferred = chooseGpuBase('pytorch', null, { companions: { torchvision: '0.19.1' } });
    assert.equal(inferred.version, '2.4.1');
    assert.ok(noteMatching(inferred.notes, /torchvision==0\.19\.1 means torch 2\.4\.1/));
    const mismatch = chooseGpuBase('pytorch', '2.5.1', { companions: { torchvision: '0.19.1' } });
    assert.match(mismatch.error ?? '', /torchvision==0\.19\.1 is built for torch 2\.4\.1.*pin torchvision==0\.20\.1/);
    const mixed = chooseGpuBase('pytorch', '2.4.1+cu118', { companions: { torchvision: '0.19.1+cu121' } });
    assert.match(mixed.error ?? '', /different builds/);
    assert.equal(chooseGpuBase('pytorch', '2.12.0', { companions: { torchaudio: '2.11.0' } }).error, null, 'torchaudio 2.11 pairs with later torch');
  });

  test('target GPU moves the CUDA choice and the notes list what the image cannot run on', () => {
    const any = chooseGpuBase('pytorch', '2.7.1');
    assert.equal(any.cuda, '12.6');
    assert.ok(any.archs.unsupported.some((u) => u.arch === 'blackwell'));
    assert.ok(noteMatching(any.notes, /^No kernels for .*Blackwell/));
    const bw = chooseGpuBase('pytorch', '2.7.1', { gpuArch: 'blackwell' });
    assert.equal(bw.cuda, '12.8');
    assert.ok(bw.archs.supported.includes('blackwell'));
    assert.ok(noteMatching(bw.notes, /^No kernels for Maxwell, Pascal, Volta/));
    assert.equal(chooseGpuBase('pytorch', '2.13.0', { gpuArch: 'blackwell' }).cuda, '13.0');
    assert.equal(chooseGpuBase('pytorch', '2.0.1', { gpuArch: 'hopper' }).cuda, '11.8');
    assert.equal(chooseGpuBase('pytorch', '2.9.1', { gpuArch: 'volta' }).cuda, '12.6', 'cu128+ wheels start at sm_75');
    const old = chooseGpuBase('pytorch', '2.6.0', { gpuArch: 'blackwell' });
    assert.match(old.error ?? '', /no build with kernels for Blackwell/);
    assert.match(old.suggestion ?? '', /torch 2\.7\.0 with its cu128 build/);
    assert.match(chooseGpuBase('pytorch', '2.7.1', { gpuArch: 'blackwell', cuda: '12.6' }).error ?? '', /no kernels for Blackwell/);
  });

  test('torch 2.15.0 is known from its PyPI wheel: CUDA 13.2 on a Python 3.12 base', () => {
    const c = chooseGpuBase('pytorch', '2.15.0', { python: '3.11' });
    assert.equal(c.error, null);
    assert.equal(c.cuda, '13.2');
    assert.equal(c.python, '3.12');
    assert.equal(c.pipIndexUrl, null);
    assert.deepEqual(c.gpuPackages, ['torch==2.15.0']);
    assert.deepEqual(validateChoice(c), []);
  });

  test('no pin: a current default, said so', () => {
    const c = chooseGpuBase('pytorch', null);
    assert.equal(c.version, CUDA_TABLE.defaults.pytorch.version);
    assert.ok(noteMatching(c.notes, /not pinned/));
    assert.ok(!cudaOfImage(c.image)?.startsWith('13'), 'default avoids CUDA 13 driver floor');
  });
});

describe('issue rows: TensorFlow, JAX, ONNX Runtime', () => {
  test('TF 2.8 gets its own CUDA 11.2 image; TF 1.x is refused; Blackwell has no TF build', () => {
    const c = chooseGpuBase('tensorflow', '2.8.4');
    assert.equal(c.image, 'tensorflow/tensorflow:2.8.0-gpu');
    assert.equal(c.cuda, '11.2');
    assert.deepEqual(validateChoice(c), []);
    assert.match(chooseGpuBase('tensorflow', '1.15.5').error ?? '', /TensorFlow 1\.x/);
    assert.match(chooseGpuBase('tensorflow', '2.21.0', { gpuArch: 'blackwell' }).error ?? '', /no kernels for Blackwell/);
    const alt = chooseGpuBase('tensorflow', '2.21.0', { prefer: 'cuda-base', python: '3.9' });
    assert.equal(alt.image, 'python:3.10-slim', 'TF 2.21 has no cp39 wheels');
  });

  test('jax <= 0.4.25 installs from the find-links page; an explicit cuda11_pip stays', () => {
    for (const v of ['0.4.20', '0.4.23', '0.4.25']) {
      const c = chooseGpuBase('jax', v);
      assert.deepEqual(c.gpuPackages, [`jax[cuda12_pip]==${v}`]);
      assert.equal(c.pipFindLinks, 'https://storage.googleapis.com/jax-releases/jax_cuda_releases.html');
      assert.match(c.installHint ?? '', / -f https:\/\/storage\.googleapis\.com/);
    }
    const c11 = chooseGpuBase('jax', '0.4.20', { extras: ['cuda11_pip'] });
    assert.deepEqual(c11.gpuPackages, ['jax[cuda11_pip]==0.4.20']);
    assert.equal(c11.cuda, '11.8');
    assert.ok(!noteMatching(c11.notes, /cuda12/), 'no contradicting note');
    assert.match(chooseGpuBase('jax', '0.4.30', { extras: ['cuda11_pip'] }).error ?? '', /CUDA 11 support ended/);
    assert.equal(chooseGpuBase('jax', '0.4.30').pipFindLinks, null);
  });

  test('jax Python floors, build CUDA labels and one driver note', () => {
    const j11 = chooseGpuBase('jax', '0.11.0', { python: '3.11' });
    assert.equal(j11.image, 'python:3.12-slim');
    const j7 = chooseGpuBase('jax', '0.7.0', { python: '3.10' });
    assert.equal(j7.image, 'python:3.11-slim');
    assert.equal(chooseGpuBase('jax', '0.6.0').cuda, '12.8');
    assert.equal(chooseGpuBase('jax', '0.7.1').cuda, '12.9');
    assert.equal(chooseGpuBase('jax', '0.5.3').cuda, '12.3');
    for (const v of ['0.4.20', '0.6.0', '0.11.0']) {
      const c = chooseGpuBase('jax', v);
      assert.equal(c.notes.filter((n) => /driver/i.test(n)).length, 1, v);
      assert.equal(c.minDriver, '525');
    }
    assert.deepEqual(chooseGpuBase('jax', '0.8.0', { cuda: '13.0' }).gpuPackages, ['jax[cuda13]==0.8.0']);
    assert.equal(chooseGpuBase('jax', '0.8.0', { cuda: '13.0' }).minDriver, '580');
    assert.equal(chooseGpuBase('jax', '0.5.3', { gpuArch: 'blackwell' }).error !== null, true);
    assert.equal(chooseGpuBase('jax', '0.6.0', { gpuArch: 'blackwell' }).error, null);
  });

  test('ORT 1.24+ gets Ubuntu 24.04 (Python 3.12); 1.18.1 CUDA 12 needs cuDNN 9; 1.27+ is CUDA 13', () => {
    const o24 = chooseGpuBase('onnxruntime', '1.24.1');
    assert.match(o24.image, /ubuntu24\.04$/);
    assert.equal(o24.python, '3.12');
    assert.equal(o24.cuda, '12.8');
    const o181 = chooseGpuBase('onnxruntime', '1.18.1', { cuda: '12.4' });
    assert.equal(o181.error, null);
    assert.equal(o181.cudnnMajor, 9);
    assert.match(chooseGpuBase('onnxruntime', '1.18.1', { cuda: '12.1' }).error ?? '', /supports CUDA 11\.8, 12\.4/);
    assert.match(chooseGpuBase('onnxruntime', '1.18.0', { cuda: '12.4' }).error ?? '', /cuDNN 8/);
    const o27 = chooseGpuBase('onnxruntime', '1.27.0');
    assert.equal(o27.cuda, '13.0');
    assert.match(o27.image, /^nvidia\/cuda:13\.0\./);
    const o201 = chooseGpuBase('onnxruntime', '1.20.1');
    assert.deepEqual(o201.gpuPackages, ['onnxruntime-gpu==1.20.2'], 'no onnxruntime-gpu 1.20.1 exists');
    const old = chooseGpuBase('onnxruntime', '1.11.1');
    assert.equal(old.python, '3.8');
    assert.deepEqual(validateChoice(old), []);
  });

  test('unknown pins: verified false with the reason, never a silent guess', () => {
    for (const [fw, v] of [['pytorch', '2.99.0'], ['tensorflow', '2.22.0'], ['jax', '0.99.0'], ['onnxruntime', '1.99.0']] as const) {
      const c = chooseGpuBase(fw, v);
      assert.equal(c.verified, false, `${fw} ${v}`);
      assert.equal(c.known, false);
      assert.match(c.unverifiedReason ?? '', /not in ModelDock's CUDA table/);
      assert.ok(noteMatching(c.notes, /^UNVERIFIED/), `${fw} note`);
      assert.ok(validateChoice(c).some((p) => /unverified/.test(p)));
    }
    const chosen = chooseGpuBase('pytorch', '3.1.0', { cuda: '12.8' });
    assert.equal(cudaOfImage(chosen.image), '12.8');
    assert.equal(chosen.pipIndexUrl, 'https://download.pytorch.org/whl/cu128');
  });

  test('generic: a target architecture moves the CUDA', () => {
    assert.equal(cudaOfImage(chooseGpuBase('generic', null).image), CUDA_TABLE.defaults.generic.cuda);
    assert.equal(chooseGpuBase('generic', null, { gpuArch: 'blackwell' }).cuda, '12.8');
    assert.match(chooseGpuBase('generic', null, { gpuArch: 'volta', cuda: '13.0' }).error ?? '', /Volta/);
  });
});

describe('compatibleCudaChoices', () => {
  test('lists each supported CUDA with a reason and one recommendation', () => {
    const c = compatibleCudaChoices('pytorch', '2.4.1');
    assert.ok(['11.8', '12.1', '12.4'].every((cu) => c.some((x) => x.cuda === cu)));
    assert.ok(c.some((x) => x.cuda === '12.6'), 'a newer CUDA 12 image carries the cu124 wheel');
    assert.equal(c.filter((x) => x.recommended).length, 1);
    for (const x of c) assert.ok(x.reason.length > 10);
    assert.deepEqual(compatibleCudaChoices('tensorflow', '2.18.0').map((x) => x.cuda), ['12.5']);
    assert.ok(compatibleCudaChoices('pytorch', '9.0.0').every((x) => /unverified/.test(x.reason)));
    assert.ok(compatibleCudaChoices('jax', '0.7.2').length >= 2);
    assert.ok(compatibleCudaChoices('pytorch', '2.7.1', 'blackwell').every((x) => !/no kernels for .*Blackwell/.test(x.reason)));
  });
});

describe('cudaCompat (what the linter asks)', () => {
  test('legacy questions and the shared judgement', () => {
    assert.equal(cudaCompat.cudaOfImage('nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04'), '11.8');
    assert.deepEqual(cudaCompat.cudaVersionsFor('tensorflow', '2.12.0'), ['11.8']);
    assert.equal(cudaCompat.judgeImage('nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04', { pytorch: '2.5.1' }).findings.length, 0);
    assert.equal(cudaCompat.judgeImage('nvidia/cuda:13.0.2-cudnn-runtime-ubuntu22.04', { pytorch: '2.5.1' }).findings.length, 1);
    assert.equal(cudaCompat.judgeImage('nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04', { pytorch: '2.5.1+cu121' }).findings.length, 1);
    assert.equal(cudaCompat.judgeImage('nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04', { jax: '0.4.30' }).findings.length, 1);
    assert.equal(cudaCompat.judgeImage('nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04', { onnxruntime: '1.24.1' }).findings.length, 1);
    assert.match(cudaCompat.judgeImage('nvidia/cuda:12.2.2-cudnn8-runtime-ubuntu22.04', { onnxruntime: '1.21.0' }).findings[0]?.message ?? '', /cuDNN 8.*cuDNN 9/);
    assert.equal(cudaCompat.judgeImage('nvcr.io/nvidia/pytorch:24.05-py3', { pytorch: '1.13.1' }).findings.length, 1);
  });
});
