// The scaffold's use of core/cuda: the GPU family, `+cuXYZ` labels, companions, JAX extras,
// find-links pages, refusals with what would work, UNVERIFIED plans, and the serving runtimes'
// images (TF Serving, TorchServe, Triton) with their CUDA.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CUDA_TABLE, chooseGpuBase } from '../../../src/core/cuda/index';
import { planScaffold, type ScaffoldPlan } from '../../../src/core/scaffold/index';
import { detection, frameworkProject } from './fixtures';
import { checkPlan, file } from './helpers';

/** The RUN steps of a Dockerfile that call pip install, joined continuation lines included. */
function pipSteps(plan: ScaffoldPlan): string[] {
  const df = file(plan, 'Dockerfile').replace(/ \\\n/g, ' ');
  return df.split('\n').filter((l) => l.startsWith('RUN ')).flatMap((l) => l.slice(4).split(' && ').map((x) => x.trim())).filter((s) => /pip install/.test(s));
}

describe('GPU family (--gpu-arch)', () => {
  test('a torch release without kernels for the GPU is refused with what would work; no files around an empty FROM', () => {
    const plan = planScaffold(frameworkProject('pytorch', '2.3.1'), { target: 'gpu', gpuArch: 'blackwell' });
    assert.equal(plan.errors.length, 1);
    assert.match(plan.errors[0]!, /^torch 2\.3\.1 has no build with kernels for Blackwell .*\. Instead: torch 2\.7\.0 with its cu128 build\.$/);
    // The refusal is said once: in errors, not again among the notes.
    assert.ok(!plan.notes.some((n) => n.startsWith('torch 2.3.1 has no build')), plan.notes.join('\n'));
    assert.deepEqual(plan.files, []);
    assert.equal(plan.baseImage, null);
  });

  test('the chosen build has kernels for the GPU, and the plan lists the families it runs on', () => {
    const plan = planScaffold(frameworkProject('pytorch', '2.8.0'), { target: 'gpu', gpuArch: 'pascal' });
    assert.deepEqual(plan.errors, []);
    checkPlan(plan);
    assert.ok(plan.archs?.supported.includes('pascal'), JSON.stringify(plan.archs));
    // torch wheels built with CUDA >= 12.8 dropped pre-Turing kernels: Pascal needs an older one.
    assert.ok(Number(plan.cuda) <= Number(CUDA_TABLE.archFloors.pytorchPreTuringMaxCuda), plan.cuda ?? '');
    const any = planScaffold(frameworkProject('pytorch', '2.8.0'), { target: 'gpu' });
    assert.ok(any.archs?.unsupported.some((u) => u.arch === 'pascal' || u.arch === 'blackwell'), JSON.stringify(any.archs));
  });

  test('Triton moves to a release whose CUDA targets the GPU', () => {
    const plan = planScaffold(frameworkProject('onnxruntime', '1.18.0'), { target: 'gpu', runtime: 'triton', gpuArch: 'blackwell' });
    assert.deepEqual(plan.errors, []);
    assert.ok(plan.archs?.supported.includes('blackwell'));
    assert.ok(Number(plan.cuda) >= 12.8, plan.cuda ?? '');
    assert.match(plan.baseImage ?? '', /^nvcr\.io\/nvidia\/tritonserver:\d\d\.\d\d-py3$/);
    assert.notEqual(plan.baseImage, `nvcr.io/nvidia/tritonserver:${CUDA_TABLE.defaults.triton.release}-py3`);
  });
});

describe('what the project pins decides the build', () => {
  test('a +cu121 label picks that build without --cuda (the table\'s default for 2.3.1 is another)', () => {
    const d = frameworkProject('pytorch', '2.3.1', { packages: [{ name: 'torch', version: '2.3.1', local: 'cu121' }, { name: 'fastapi' }, { name: 'uvicorn' }] });
    assert.notEqual(CUDA_TABLE.torch.find((r) => r.version === '2.3.1')?.defaultCuda, '12.1');
    const plan = planScaffold(d, { target: 'gpu' });
    assert.deepEqual(plan.errors, []);
    assert.equal(plan.cuda, '12.1');
    assert.equal(plan.baseImage, 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime');
    const clash = planScaffold(d, { target: 'gpu', cuda: '11.8' });
    assert.match(clash.errors[0] ?? '', /torch==2\.3\.1\+cu121 is a CUDA 12\.1 build; a CUDA 11\.8 image cannot carry it.*Instead: use --cuda 12\.1/);
  });

  test('torchvision / torchaudio pins are checked against torch', () => {
    const d = frameworkProject('pytorch', '2.3.1', { packages: [{ name: 'torch', version: '2.3.1' }, { name: 'torchvision', version: '0.19.1' }] });
    const plan = planScaffold(d, { target: 'gpu' });
    assert.match(plan.errors.join(' '), /torchvision==0\.19\.1 is built for torch 2\.4\.1, but torch is pinned to 2\.3\.1; pin torchvision==0\.18\.1/);
    // torch unpinned: the companion names the release.
    const inferred = planScaffold(frameworkProject('pytorch', null, { packages: [{ name: 'torch' }, { name: 'torchvision', version: '0.18.1' }] }), { target: 'gpu' });
    assert.deepEqual(inferred.errors, []);
    assert.equal(inferred.gpu?.version, '2.3.1');
  });

  test('a JAX extra is kept, and its find-links page is given to the GPU step only', () => {
    const d = detection({ frameworks: [{ name: 'jax', version: '0.4.20' }], packages: [{ name: 'jax', version: '0.4.20', extras: ['cuda11_pip'] }], accelerator: 'gpu' });
    const plan = planScaffold(d, { target: 'gpu' });
    assert.deepEqual(plan.errors, []);
    checkPlan(plan);
    assert.equal(plan.cuda?.split('.')[0], '11');
    const steps = pipSteps(plan);
    const links = CUDA_TABLE.jax.findLinks;
    assert.equal(steps.length, 2, steps.join('\n'));
    assert.ok(!steps[0]!.includes('--find-links'), steps[0]);
    assert.equal(steps[1], `python3 -m pip install --no-cache-dir --find-links ${links} 'jax[cuda11_pip]==0.4.20'`);
  });

  test('torch < 1.11 installed over a sibling image: the +cuXYZ wheel from the find-links page, in the GPU step only', () => {
    // No pytorch/pytorch image of 1.10.2 exists: the 1.10.1 image is the base and 1.10.2 goes over it.
    const plan = planScaffold(frameworkProject('pytorch', '1.10.2'), { target: 'gpu' });
    assert.deepEqual(plan.errors, []);
    const gpu = chooseGpuBase('pytorch', '1.10.2', { python: '3.11' });
    assert.ok(gpu.pipFindLinks, 'the table serves torch 1.10 from a find-links page');
    const steps = pipSteps(plan);
    assert.ok(!steps[0]!.includes('--find-links'), steps[0]);
    assert.ok(steps.some((s) => s.includes(`--find-links ${gpu.pipFindLinks}`) && /torch==1\.10\.2\+cu\d+/.test(s)), steps.join('\n'));
  });

  test('a detected CUDA major alone picks a build of that major', () => {
    // torch 2.3.1's default build is CUDA 11.8; a project that says CUDA 12 gets its CUDA 12 build.
    const plan = planScaffold(frameworkProject('pytorch', '2.3.1', { cuda: '12' }), { target: 'gpu' });
    assert.deepEqual(plan.errors, []);
    assert.equal(plan.cuda, '12.1');
    assert.ok(plan.notes.some((n) => /asks for CUDA 12 \(major only\)/.test(n)), plan.notes.join('\n'));
  });

  test('a data-only framework does not pick the image', () => {
    const d = detection({
      frameworks: [{ name: 'jax', version: '0.4.30' }, { name: 'tensorflow', version: '2.15.0' }],
      packages: [{ name: 'jax', version: '0.4.30', extras: ['cuda12'] }, { name: 'tensorflow', version: '2.15.0' }],
      accelerator: 'gpu',
    });
    d.frameworks[1]!.role = 'data';
    const plan = planScaffold(d, { target: 'gpu' });
    assert.deepEqual(plan.errors, []);
    assert.equal(plan.gpu?.framework, 'jax');
    assert.doesNotMatch(plan.baseImage ?? '', /tensorflow/);
  });
});

describe('UNVERIFIED plans', () => {
  test('a torch pin the table does not know is marked, with the reason, in the plan and the Dockerfile', () => {
    const plan = planScaffold(frameworkProject('pytorch', '9.9.9'), { target: 'gpu' });
    assert.deepEqual(plan.errors, []);
    assert.match(plan.unverified ?? '', /torch 9\.9\.9 is not in ModelDock's CUDA table/);
    assert.match(file(plan, 'Dockerfile'), /^# UNVERIFIED: torch 9\.9\.9 is not in ModelDock's CUDA table/m);
  });
  test('a known pin is verified; a CPU plan has nothing to verify', () => {
    assert.equal(planScaffold(frameworkProject('pytorch', '2.3.1'), { target: 'gpu' }).unverified, null);
    assert.equal(planScaffold(frameworkProject('pytorch', '9.9.9'), { target: 'cpu' }).unverified, null);
  });
});

describe('serving runtimes take their image facts from the table', () => {
  test('TorchServe: the project\'s torch replaces the image\'s, from the build\'s index, as root then back to 1000', () => {
    const d = detection({ frameworks: [{ name: 'pytorch', version: '2.3.1' }], packages: [{ name: 'torch', version: '2.3.1' }], artifacts: [{ file: 'model_store/resnet.mar', format: 'torchserve-mar', bytes: 10 }] });
    const plan = planScaffold(d, { runtime: 'torchserve', target: 'gpu' });
    assert.deepEqual(plan.errors, []);
    checkPlan(plan);
    assert.equal(plan.baseImage, CUDA_TABLE.torchserve.gpuImage);
    assert.equal(plan.cuda, '12.1');
    const df = file(plan, 'Dockerfile');
    const root = df.indexOf('USER root');
    const install = df.indexOf('RUN python3 -m pip install --no-cache-dir torch==2.3.1 torchvision==0.18.1 torchaudio==2.3.1');
    const back = df.search(/^USER 1000$/m);
    assert.ok(root > 0 && install > root && back > install, df);
    assert.match(df, /^ARG PIP_EXTRA_INDEX_URL=https:\/\/download\.pytorch\.org\/whl\/cu121$/m);
    assert.ok(plan.notes.some((n) => /Limited Maintenance/.test(n)));
    // The image's own torch: nothing to install.
    const same = planScaffold(detection({ frameworks: [{ name: 'pytorch', version: CUDA_TABLE.torchserve.torch }], packages: [{ name: 'torch', version: CUDA_TABLE.torchserve.torch }], artifacts: d.artifacts }), { runtime: 'torchserve', target: 'gpu' });
    assert.doesNotMatch(file(same, 'Dockerfile'), /USER root|pip install/);
  });

  test('TorchServe: a CUDA its image does not carry is refused with what would work, and nothing is generated', () => {
    const plan = planScaffold(frameworkProject('pytorch', '2.3.1'), { runtime: 'torchserve', target: 'gpu', cuda: '11.8' });
    assert.deepEqual(plan.errors, [`${CUDA_TABLE.torchserve.gpuImage} carries CUDA ${CUDA_TABLE.torchserve.cuda}; CUDA 11.8 cannot be served by it. Instead: use --cuda ${CUDA_TABLE.torchserve.cuda}, or --runtime python for another CUDA.`]);
    assert.deepEqual(plan.files, []);
    assert.ok(!plan.notes.some((n) => n.includes('cannot be checked')));
  });

  test('TF Serving: the released image of the series, its CUDA from its Dockerfile.gpu; a TensorFlow with no TF Serving release is refused', () => {
    const tf = (v: string) => detection({ frameworks: [{ name: 'tensorflow', version: v }], artifacts: [{ file: 'export/clf', format: 'savedmodel', bytes: 1 }] });
    const plan = planScaffold(tf('2.16.1'), { runtime: 'tfserving', target: 'gpu' });
    assert.deepEqual(plan.errors, []);
    const row = CUDA_TABLE.tfserving.find((r) => r.version === '2.16.1')!;
    assert.equal(plan.baseImage, row.gpuImage);
    assert.equal(plan.cuda, row.cuda);
    const refused = planScaffold(tf('2.99.0'), { runtime: 'tfserving', target: 'gpu' });
    assert.match(refused.errors[0] ?? '', /TF Serving has no release for TensorFlow 2\.99 .*Instead: serve with --runtime python/);
    assert.deepEqual(refused.files, []);
  });

  test('the TorchServe label says it is in limited maintenance', async () => {
    const { runtimeOptions } = await import('../../../src/core/scaffold/index');
    const d = detection({ frameworks: [{ name: 'pytorch', version: '2.3.1' }], artifacts: [{ file: 'm.mar', format: 'torchserve-mar', bytes: 1 }] });
    assert.equal(runtimeOptions(d).find((o) => o.runtime === 'torchserve')?.label, 'TorchServe (limited maintenance)');
  });
});
