#!/usr/bin/env node
// Regenerates src/core/cuda/table.ts, ModelDock's committed framework <-> CUDA <-> base-image table.
//
// Usage:
//   node scripts/refresh-cuda-table.mjs [PATH/TO/cuda-matrix.json] [--check]
//
//   PATH defaults to ../shared/reference/cuda-matrix.json (relative to the repository root), the
//   research snapshot whose human-readable twin, cuda-matrix.md, cites every source.
//   --check writes nothing and exits 1 when the committed table differs from what would be
//   generated (for CI).
//
// How to refresh the facts themselves (the JSON is a research snapshot, not a live scrape):
//   1. PyTorch: RELEASE.md "Release Compatibility Matrix" (https://github.com/pytorch/pytorch/blob/main/RELEASE.md)
//      gives the stable/experimental CUDA wheels, bundled cuDNN and Python per release;
//      https://pytorch.org/get-started/previous-versions/ gives the `--index-url .../whl/cuXYZ` lines;
//      `pytorch/pytorch:<ver>-cuda<X.Y>-cudnn<N>-runtime` tags follow docker.Makefile and are
//      listed on https://hub.docker.com/r/pytorch/pytorch/tags.
//   2. TensorFlow: the "Tested build configurations - GPU" table at
//      https://www.tensorflow.org/install/source#gpu, and https://www.tensorflow.org/install/pip for `[and-cuda]`.
//   3. JAX: https://docs.jax.dev/en/latest/installation.html and CHANGELOG.md (extras per release).
//   4. nvidia/cuda: https://hub.docker.com/r/nvidia/cuda/tags (runtime + cuDNN tags per CUDA minor).
//   5. ONNX Runtime: https://onnxruntime.ai/docs/execution-providers/CUDA-ExecutionProvider.html#requirements
//      (cuda-matrix.md section 7; the JSON has no ORT section, so the rules live below in ORT_RULES).
//   Update cuda-matrix.json (and .md) with the new rows and their sources, then run this script
//   and commit src/core/cuda/table.ts together with the test results.
//
// Facts that are not in cuda-matrix.json (ORT rules, Triton / TF Serving / TorchServe image
// choices, defaults) are kept in this file with their own sources and confidence, so that the
// generated table stays the single place the code reads from.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const check = args.includes('--check');
const positional = args.filter((a) => !a.startsWith('--'));
const matrixPath = resolve(positional[0] ?? join(repo, '..', 'shared', 'reference', 'cuda-matrix.json'));
const outPath = join(repo, 'src', 'core', 'cuda', 'table.ts');

if (!existsSync(matrixPath)) {
  console.error(`refresh-cuda-table: ${matrixPath} not found (pass the path to cuda-matrix.json)`);
  process.exit(2);
}
const m = JSON.parse(readFileSync(matrixPath, 'utf8'));

const SOURCES = {
  'PT-REL': 'PyTorch RELEASE.md release compatibility matrix, https://github.com/pytorch/pytorch/blob/main/RELEASE.md#release-compatibility-matrix (<=2.3 read in the English original at aa6104e; 2.4+ read through verbatim mirrors)',
  'PT-PREV': 'https://pytorch.org/get-started/previous-versions/',
  'COG-TORCH': 'Replicate Cog torch_compatibility.json @6110c91 (scrape of previous-versions + download.pytorch.org)',
  PYG: 'PyG wheel index https://data.pyg.org/whl/nightly/ (torch+CUDA builds mirrored)',
  'PT-DOCKER': 'pytorch/pytorch docker.Makefile tag pattern <ver>-cuda<X.Y>-cudnn<N>-runtime; https://hub.docker.com/r/pytorch/pytorch/tags',
  'TF-SRC': 'TensorFlow tested build configurations (GPU), https://www.tensorflow.org/install/source#gpu (docs @7c36502, 2026-03-11)',
  'TF-PIP': 'https://www.tensorflow.org/install/pip (tensorflow[and-cuda] from 2.14)',
  'TF-DOCKER': 'https://www.tensorflow.org/install/docker (tensorflow/tensorflow:<ver>-gpu)',
  JAX: 'https://docs.jax.dev/en/latest/installation.html, jax CHANGELOG.md and setup.py per tag',
  'NV-RN': 'CUDA Toolkit release notes, tables 2 and 3 (driver minimums)',
  'COG-CUDA': 'Replicate Cog cuda_compatibility.json @6110c91 (Docker Hub scrape of nvidia/cuda tags)',
  'NV-POLICY': 'NVIDIA CUDA container support policy (EOL tags deleted 6 months after EOL)',
  USE: 'tag seen in public Dockerfiles / pins (evidence of use, not a registry listing)',
  ORT: 'https://onnxruntime.ai/docs/execution-providers/CUDA-ExecutionProvider.html#requirements (cuda-matrix.md section 7)',
  'ORT-20409': 'https://github.com/microsoft/onnxruntime/issues/20409 (CUDA 12 builds of 1.17/1.18 on the onnxruntime-cuda-12 feed)',
  'ORT-21769': 'https://github.com/microsoft/onnxruntime/issues/21769 (1.19+: CUDA 12.* and cuDNN 9.*)',
  'NGC-MATRIX': 'NVIDIA Frameworks Support Matrix (Triton container yy.mm -> CUDA); NOT in cuda-matrix.md: unverified here',
  'TFS-DOCKER': 'https://www.tensorflow.org/tfx/serving/docker (tensorflow/serving:<ver>[-gpu]); tag per version NOT in cuda-matrix.md',
  'TS-DOCKER': 'https://github.com/pytorch/serve/tree/master/docker (pytorch/torchserve:<ver>-cpu|-gpu); NOT in cuda-matrix.md',
  MODELDOCK: 'ModelDock policy choice (not a fact about a framework)',
};

/** CUDA 12 is preferred over 13 for defaults: 13.x needs driver >= 580 and drops pre-Turing GPUs. */
function defaultTorchCuda(stable, all) {
  const pool = stable.length ? stable : all;
  const twelve = pool.filter((c) => c.startsWith('12.'));
  const pick = (twelve.length ? twelve : pool).slice().sort(cmpVer);
  return pick[pick.length - 1];
}

function cmpVer(a, b) {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

const torch = Object.entries(m.torch).map(([version, r]) => {
  const cudnnMajor = Number(Object.values(r.cudnn_bundled)[0].split('.')[0]);
  const reliable = cmpVer(version, '2.4.0') < 0;
  const sources = reliable ? ['PT-REL', 'PT-PREV', 'PT-DOCKER', 'USE'] : ['PT-REL', 'COG-TORCH', 'PT-DOCKER', 'USE'];
  if (cmpVer(version, '2.10.0') >= 0) sources.push('PYG');
  return {
    version,
    variants: r.cuda.map((cuda, i) => {
      const tag = r.pytorch_docker_runtime_tags.find((t) => t.includes(`-cuda${cuda}-`)) ?? null;
      return {
        cuda,
        stability: r.release_matrix_experimental_cuda.includes(cuda) ? 'experimental' : 'stable',
        indexUrl: r.wheel_index_urls[i],
        cudnnBundled: String(r.cudnn_bundled[cuda] ?? '').replace(/\s*\(.*\)$/, '') || null,
        officialImage: tag,
        officialImageSeen: tag !== null && r.pytorch_docker_tags_seen_in_use.includes(tag),
      };
    }),
    defaultCuda: defaultTorchCuda(r.release_matrix_stable_cuda, r.cuda),
    cudnnMajor,
    python: r.python,
    pythonExperimental: r.python_experimental,
    torchvision: r.torchvision,
    pypiDefaultCuda: r.pypi_default_cuda ?? null,
    confidence: r.confidence,
    sources,
    notes: [r.notes, reliable ? null : 'Rows 2.4+ of RELEASE.md were read through mirrors of the English table.'].filter(Boolean),
  };
});

const tensorflow = Object.entries(m.tensorflow).map(([version, r]) => ({
  version,
  series: version.split('.').slice(0, 2).join('.'),
  cuda: r.cuda,
  cudnn: r.cudnn,
  python: r.python,
  gpuImage: r.docker_gpu_tag,
  gpuImageSeen: r.docker_gpu_tag_seen_in_use === true,
  andCudaExtra: r.pip_and_cuda_extra === true,
  confidence: 'high',
  sources: ['TF-SRC', 'TF-DOCKER', 'USE', ...(r.pip_and_cuda_extra ? ['TF-PIP'] : [])],
  notes: [
    r.notes,
    r.cuda.includes('12.3') && r.cudnn.startsWith('8')
      ? 'No nvidia/cuda image pairs CUDA 12.3 with cuDNN 8 (COG-CUDA lists only 12.3.2-cudnn9): use the TF image or tensorflow[and-cuda].'
      : null,
  ].filter(Boolean),
}));

const jaxPython = Object.entries(m.jax.python_by_version).map(([range, python]) => {
  const [from, to] = range.split('-');
  return { from, to: to ?? from, python };
});
const jax = {
  // Extras per release range (inclusive). cuda12 from 0.4.26 is inferred from the CUDA-11 drop
  // (jaxlib 0.4.26) and the plugin-wheel switch; confidence marked per rule.
  extras: [
    { extra: 'cuda11_pip', from: '0.4.0', to: '0.4.25', cudaMajor: 11, cudaMin: '11.8', builtWith: '11.8', minDriver: '520', confidence: 'high', sources: ['JAX'] },
    { extra: 'cuda12_pip', from: '0.4.0', to: '0.5.3', cudaMajor: 12, cudaMin: '12.1', builtWith: '12.3', minDriver: '525', confidence: 'high', sources: ['JAX'] },
    { extra: 'cuda12', from: '0.4.26', to: null, cudaMajor: 12, cudaMin: '12.1', builtWith: '12.3', minDriver: m.jax.cuda12_wheel.min_driver, confidence: 'medium', sources: ['JAX'] },
    { extra: 'cuda13', from: '0.7.0', to: null, cudaMajor: 13, cudaMin: '13.0', builtWith: '13.0', minDriver: m.jax.cuda13_wheel.min_driver, confidence: 'high', sources: ['JAX'] },
  ],
  python: jaxPython,
  newestKnown: jaxPython.map((r) => r.to).sort(cmpVer).at(-1),
  oldestKnown: jaxPython.map((r) => r.from).sort(cmpVer)[0],
  cuda12Wheel: m.jax.cuda12_wheel,
  cuda13Wheel: m.jax.cuda13_wheel,
  sources: ['JAX'],
};

// cuda-matrix.md section 7 (the JSON has no ORT section). The brief's shorter rule
// ("1.17/1.18 CUDA 12 with cuDNN 8") disagrees: the matrix says 11.8 is the PyPI default for
// 1.17/1.18 and CUDA 12 builds come from a separate feed; the matrix wins and says why.
const ORT_CUDA12_FEED = 'https://aiinfra.pkgs.visualstudio.com/PublicPackages/_packaging/onnxruntime-cuda-12/pypi/simple/';
const ORT_RULES = [
  { from: '1.13', to: '1.14', builds: [{ cuda: '11.6', cudnnMajor: 8, feed: null }], confidence: 'high', sources: ['ORT'] },
  { from: '1.15', to: '1.16', builds: [{ cuda: '11.8', cudnnMajor: 8, feed: null }], confidence: 'high', sources: ['ORT'] },
  {
    from: '1.17',
    to: '1.18',
    builds: [
      { cuda: '11.8', cudnnMajor: 8, feed: null },
      { cuda: '12.0', cudnnMajor: 8, feed: ORT_CUDA12_FEED },
    ],
    confidence: 'medium',
    sources: ['ORT', 'ORT-20409'],
  },
  // Upper bound: the matrix could not tell whether PyPI 1.27 moved to CUDA 13, so 1.27+ is unknown.
  { from: '1.19', to: '1.26', builds: [{ cuda: '12.0', cudnnMajor: 9, feed: null }], confidence: 'high', sources: ['ORT', 'ORT-21769'] },
];

const nvidiaCuda = Object.entries(m.nvidia_cuda.runtime_cudnn_tags).map(([cuda, r]) => {
  const first = (v) => (Array.isArray(v) ? v[v.length - 1] : (v ?? null));
  const u22 = first(r['ubuntu22.04']);
  const u24 = first(r['ubuntu24.04']);
  const sample = u22 ?? u24;
  const cudnnMajor = /-cudnn8-/.test(sample) ? 8 : 9;
  return { cuda, cudnnMajor, ubuntu2204: u22, ubuntu2404: u24, seen: true, sources: ['COG-CUDA', 'USE', 'NV-POLICY'] };
});

// Triton (NGC yy.mm) -> CUDA. Not part of cuda-matrix.md: from memory of NVIDIA's support matrix,
// confidence low, surfaced as such in every plan that uses it.
const triton = [
  { release: '24.08', cuda: '12.6', confidence: 'low', sources: ['NGC-MATRIX'] },
  { release: '24.05', cuda: '12.4', confidence: 'low', sources: ['NGC-MATRIX'] },
];

const defaults = {
  pytorch: {
    version: '2.11.0',
    reason: 'newest torch release in the table with at least medium-high confidence; CUDA 12.8 is its newest stable CUDA 12 wheel (driver >= 570)',
  },
  tensorflow: {
    version: '2.20.0',
    reason: 'newest TensorFlow with a tested-build row and no open breakage report (2.21.0-gpu has one report of a cuDNN failure)',
  },
  jax: { extra: 'cuda12', reason: 'jax[cuda12] runs on drivers >= 525 and any GPU from SM 5.2; jax[cuda13] needs driver >= 580 and SM >= 7.5' },
  onnxruntime: { cuda: '12.6', reason: 'onnxruntime-gpu 1.19+ is built for CUDA 12 + cuDNN 9; 12.6 has nvidia/cuda runtime images on Ubuntu 22.04 and 24.04' },
  generic: { cuda: '12.6', reason: 'a CUDA 12 runtime with cuDNN 9 available on Ubuntu 22.04 and 24.04 and supported by drivers >= 560' },
  tfserving: { note: 'tensorflow/serving tags follow the TensorFlow version (<ver> and <ver>-gpu); per-version tags are not in the shared table', sources: ['TFS-DOCKER'] },
  torchserve: { version: '0.12.0', confidence: 'low', sources: ['TS-DOCKER'] },
  triton: { release: '24.08' },
};

const table = {
  generatedFrom: 'cuda-matrix.json (research snapshot; sources cited in cuda-matrix.md)',
  sources: SOURCES,
  torch,
  tensorflow,
  jax,
  onnxruntime: ORT_RULES,
  nvidiaCuda,
  driverMin: { family: m.driver_min.family_min_linux, toolkit: m.driver_min.toolkit_driver_linux },
  triton,
  defaults,
};

const body = `// GENERATED by scripts/refresh-cuda-table.mjs from cuda-matrix.json: do not edit by hand.
// Every row carries its sources (keys into CUDA_TABLE.sources) and a confidence mark.
import type { CudaTable } from './types';

export const CUDA_TABLE: CudaTable = ${JSON.stringify(table, null, 2)};
`;

if (check) {
  const current = existsSync(outPath) ? readFileSync(outPath, 'utf8') : '';
  if (current !== body) {
    console.error('refresh-cuda-table: src/core/cuda/table.ts is out of date; run node scripts/refresh-cuda-table.mjs');
    process.exit(1);
  }
  console.log('refresh-cuda-table: up to date');
} else {
  writeFileSync(outPath, body);
  console.log(`refresh-cuda-table: wrote ${outPath} (${torch.length} torch, ${tensorflow.length} tensorflow rows)`);
}
