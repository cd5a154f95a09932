// The held-out grid: every version PyPI lists for each framework (most of them are not rows of
// the table: patch releases, old releases, releases newer than the research snapshot) x every GPU
// target x both base strategies. Each cell is either a plan that passes the table's own
// consistency checks (image known, CUDA of the image = CUDA of the plan, Python with wheels,
// cuda-mismatch clean, one driver floor, target architecture supported) or a refusal with a reason.
// No cell may be a placeholder.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  CUDA_TABLE,
  GPU_ARCHS,
  chooseGpuBase,
  chooseTfServing,
  chooseTorchServe,
  chooseTriton,
  compareVersions,
  cudaOfImage,
  judgeImage,
  nvidiaImageFor,
  validateChoice,
  type CudaFramework,
  type GpuTarget,
} from '../../../src/core/cuda/index';

const FRAMEWORKS: CudaFramework[] = ['pytorch', 'tensorflow', 'jax', 'onnxruntime'];
const TARGETS: GpuTarget[] = ['any', ...GPU_ARCHS];
const PYTHONS = ['3.11', '3.9', null];

function refusedByRule(fw: CudaFramework, v: string): boolean {
  if (CUDA_TABLE.releases.yanked[fw].includes(v)) return true;
  return CUDA_TABLE.refused.some((r) => r.framework === fw && compareVersions(v, r.below) < 0);
}

describe('held-out grid: released versions x GPU targets', () => {
  for (const fw of FRAMEWORKS) {
    const releases = CUDA_TABLE.releases[fw];
    test(`${fw}: ${releases.length} releases x ${TARGETS.length} targets x 2 strategies x ${PYTHONS.length} project Pythons`, () => {
      const problems: string[] = [];
      let plans = 0;
      let refusals = 0;
      for (const v of releases) {
        for (const gpuArch of TARGETS) {
          for (const prefer of ['official-image', 'cuda-base'] as const) {
            for (const python of PYTHONS) {
              const c = chooseGpuBase(fw, v, { gpuArch, prefer, python });
              const where = `${fw} ${v} ${gpuArch} ${prefer} py${python ?? '-'}`;
              for (const p of validateChoice(c)) problems.push(`${where}: ${p}`);
              if (c.error) {
                refusals++;
                if (gpuArch === 'any' && !refusedByRule(fw, v)) problems.push(`${where}: refused for any GPU: ${c.error}`);
                if (gpuArch !== 'any' && !refusedByRule(fw, v) && !c.error.includes(CUDA_TABLE.archs.find((a) => a.id === gpuArch)?.name ?? '?')) {
                  problems.push(`${where}: refusal does not name the architecture: ${c.error}`);
                }
              } else {
                plans++;
                if (c.version !== v && !(fw === 'onnxruntime')) problems.push(`${where}: plan is for ${c.version}`);
              }
            }
          }
        }
      }
      assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems`);
      assert.ok(plans > 0 && refusals >= 0);
    });
  }

  test('every release that is not refused by rule has a plan for some GPU of each generation it can run on', () => {
    for (const fw of FRAMEWORKS) {
      for (const v of CUDA_TABLE.releases[fw]) {
        if (refusedByRule(fw, v)) continue;
        const c = chooseGpuBase(fw, v);
        assert.equal(c.error, null, `${fw} ${v}: ${c.error}`);
        assert.ok(c.archs.supported.length > 0, `${fw} ${v}: runs on no architecture`);
        for (const arch of c.archs.supported) assert.equal(chooseGpuBase(fw, v, { gpuArch: arch }).error, null, `${fw} ${v} on ${arch}`);
      }
    }
  });
});

describe('scaffold and the cuda-mismatch judgement agree', () => {
  test('every torch release x every nvidia/cuda minor: accepted by --cuda exactly when the image passes cuda-mismatch', () => {
    const disagreements: string[] = [];
    for (const row of CUDA_TABLE.torch) {
      for (const n of CUDA_TABLE.nvidiaCuda) {
        const img = nvidiaImageFor(n.cuda, row.python);
        if (!img) continue;
        const c = chooseGpuBase('pytorch', row.version, { cuda: n.cuda, prefer: 'cuda-base' });
        const lint = judgeImage(img.image, { pytorch: row.version }).findings.length === 0;
        if ((c.error === null) !== lint) disagreements.push(`torch ${row.version} on CUDA ${n.cuda}: scaffold ${c.error ?? 'ok'}, lint ${lint ? 'ok' : 'mismatch'}`);
      }
    }
    assert.deepEqual(disagreements, []);
  });

  test('every TensorFlow, JAX and ORT release x every nvidia/cuda minor agree the same way', () => {
    const disagreements: string[] = [];
    for (const fw of ['tensorflow', 'onnxruntime', 'jax'] as const) {
      for (const v of CUDA_TABLE.releases[fw]) {
        if (refusedByRule(fw, v)) continue;
        for (const n of CUDA_TABLE.nvidiaCuda) {
          const c = chooseGpuBase(fw, v, { cuda: n.cuda, prefer: 'cuda-base' });
          if (c.error && /no image can carry|none of whose Python/.test(c.error)) continue;
          const image = c.error ? (n.ubuntu2204 ?? n.ubuntu2404 ?? '') : c.image;
          const judged = c.strategy === 'python-base+pip-cuda' && !c.error ? image : image;
          const lint = cudaOfImage(judged) === null || judgeImage(judged, { [fw]: c.version ?? v }).findings.length === 0;
          if (c.strategy === 'python-base+pip-cuda' && !c.error) continue; // slim Python: no image CUDA to judge
          if ((c.error === null) !== lint) disagreements.push(`${fw} ${v} on CUDA ${n.cuda}: scaffold ${c.error ?? 'ok'}, lint ${lint ? 'ok' : 'mismatch'}`);
        }
      }
    }
    assert.deepEqual(disagreements.slice(0, 10), [], `${disagreements.length} disagreements`);
  });
});

describe('serving runtimes over the grid', () => {
  test('TF Serving: every TensorFlow release maps to a released serving image of its minor or a refusal', () => {
    const released = new Set(CUDA_TABLE.tfserving.map((r) => r.version));
    for (const v of CUDA_TABLE.releases.tensorflow) {
      for (const gpuArch of TARGETS) {
        const s = chooseTfServing(v, { gpu: true, gpuArch });
        if (s.error) {
          assert.ok(s.error.length > 10);
          continue;
        }
        assert.ok(released.has(s.release), `${v}: ${s.release}`);
        assert.equal(s.release.split('.').slice(0, 2).join('.'), v.split('.').slice(0, 2).join('.'));
        assert.equal(s.image, `tensorflow/serving:${s.release}-gpu`);
        assert.equal(cudaOfImage(s.image), s.cuda);
        if (gpuArch !== 'any') assert.ok(s.archs.supported.includes(gpuArch));
      }
    }
  });

  test('TorchServe: every torch release is served with that torch installed, or refused with the reason', () => {
    for (const v of CUDA_TABLE.releases.pytorch) {
      for (const gpu of [true, false]) {
        const s = chooseTorchServe(v, { gpu });
        assert.ok(s.maintenance && /Limited Maintenance/.test(s.maintenance));
        if (s.error) {
          assert.ok(s.suggestion, `${v}: refusal without a way out`);
          continue;
        }
        if (v !== CUDA_TABLE.torchserve.torch) assert.ok(s.gpuPackages.some((p) => p.startsWith(`torch==${v}`)), `${v}: serves with another torch`);
        if (gpu) assert.deepEqual(judgeImage(s.image, { pytorch: v }).findings, [], `${v}: cuda-mismatch on ${s.image}`);
      }
    }
  });

  test('Triton: every CUDA a release carries and every target has a release or a refusal', () => {
    for (const cuda of [...new Set(CUDA_TABLE.triton.map((t) => t.cuda))]) {
      const s = chooseTriton({ gpu: true, cuda });
      assert.equal(s.error, null);
      assert.equal(cudaOfImage(s.image), cuda);
    }
    for (const gpuArch of TARGETS) {
      const s = chooseTriton({ gpu: true, gpuArch });
      assert.equal(s.error, null, gpuArch);
      if (gpuArch !== 'any') assert.ok(s.archs.supported.includes(gpuArch), gpuArch);
    }
  });
});
