#!/usr/bin/env node
// Regenerates src/core/cuda/table.ts, ModelDock's committed framework <-> CUDA <-> base-image table.
//
// Usage:
//   node scripts/refresh-cuda-table.mjs [PATH/TO/cuda-matrix.json] [--check]
//   node scripts/refresh-cuda-table.mjs --pypi DIR      (refresh the PyPI snapshot first, see below)
//
//   PATH defaults to the committed copy, src/core/cuda/facts/cuda-matrix.json (with cog-compat/ beside
//   it), of the research snapshot shared/reference/cuda-matrix.json, whose human-readable twin,
//   cuda-matrix.md, cites every source. Passing a newer snapshot's path regenerates the table from
//   it and copies it (and the cog-compat/cuda_compatibility*.json beside it) into facts/.
//   --check writes nothing and exits 1 when the committed table differs from what would be
//   generated (for CI).
//
// Inputs, each with its sources:
//   1. cuda-matrix.json (shared reference): PyTorch 1.13-2.14 rows (RELEASE.md release matrix,
//      pytorch.org previous versions, docker.Makefile tag pattern), TensorFlow 2.10-2.21 tested
//      builds, nvidia/cuda runtime tags seen in use, NVIDIA driver tables.
//   2. src/core/cuda/facts/pypi.json (committed): released versions and the CPython versions that
//      have Linux x86_64 wheels, per package, read from PyPI's JSON API. Refresh it with
//        mkdir /tmp/pypi && for p in torch torchvision torchaudio tensorflow jax jaxlib \
//          jax-cuda12-plugin jax-cuda13-plugin onnxruntime-gpu; do
//          curl -s -o /tmp/pypi/$p.json https://pypi.org/pypi/$p/json; done
//        node scripts/refresh-cuda-table.mjs --pypi /tmp/pypi
//   3. The curated constants below (older PyTorch/TensorFlow, JAX extras per release, ONNX Runtime
//      builds, TF Serving, TorchServe, Triton, GPU architectures). Each row names its sources
//      (keys of SOURCES) and a confidence; the header of each constant says how it was read.
//
// How to refresh the facts themselves:
//   - PyTorch: RELEASE.md "Release Compatibility Matrix" (https://github.com/pytorch/pytorch/blob/main/RELEASE.md)
//     and https://pytorch.org/get-started/previous-versions/ ; a new release's default wheel CUDA is
//     in the `nvidia-cuda-runtime-*` / `cuda-toolkit[...]` pins of its PyPI wheel METADATA.
//   - TensorFlow: "Tested build configurations - GPU" at https://www.tensorflow.org/install/source#gpu
//     (tensorflow/docs site/en/install/source.md).
//   - JAX: setup.py at each jax-vX.Y.Z tag (extras, python_requires), .bazelrc (HERMETIC_CUDA_VERSION),
//     CHANGELOG.md, docs/installation.md.
//   - ONNX Runtime: https://onnxruntime.ai/docs/execution-providers/CUDA-ExecutionProvider.html#requirements ;
//     from 1.21 every onnxruntime-gpu wheel says its build CUDA in onnxruntime/capi/build_and_package_info.py.
//   - TF Serving: git tags of tensorflow/serving and tensorflow_serving/tools/docker/Dockerfile.gpu at each tag.
//   - TorchServe: pytorch/serve docker/build_image.sh and requirements/torch_cu121_linux.txt at the release tag.
//   - Triton: triton-inference-server/server docs/introduction/compatibility.md (CUDA + driver per release).
//   - nvidia/cuda: https://hub.docker.com/r/nvidia/cuda/tags (Cog's cuda_compatibility.json scrapes it).
//   Docker Hub and NGC cannot be queried from ModelDock's build machines: image tags are either
//   "seen in use" in public Dockerfiles or follow a documented pattern, and the table says which.
//   Update the inputs, run this script, and commit src/core/cuda/table.ts with the test results.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const check = args.includes('--check');
const pypiAt = args.indexOf('--pypi');
const pypiDir = pypiAt >= 0 ? args[pypiAt + 1] : null;
const positional = args.filter((a, i) => !a.startsWith('--') && !(pypiAt >= 0 && i === pypiAt + 1));
const outPath = join(repo, 'src', 'core', 'cuda', 'table.ts');
const pypiPath = join(repo, 'src', 'core', 'cuda', 'facts', 'pypi.json');

// ---------------------------------------------------------------- version helpers

function cmpVer(a, b) {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}
const series = (v) => v.split('.').slice(0, 2).join('.');
const cuTag = (cuda) => `cu${cuda.replace('.', '')}`;

// ---------------------------------------------------------------- PyPI snapshot (--pypi DIR)

const PYPI_PACKAGES = ['torch', 'torchvision', 'torchaudio', 'tensorflow', 'jax', 'jaxlib', 'jax-cuda12-plugin', 'jax-cuda13-plugin', 'onnxruntime-gpu'];

function snapshotFromPypi(dir) {
  const packages = {};
  for (const name of PYPI_PACKAGES) {
    const file = join(dir, `${name}.json`);
    if (!existsSync(file)) throw new Error(`${file} missing (curl -s -o ${file} https://pypi.org/pypi/${name}/json)`);
    const data = JSON.parse(readFileSync(file, 'utf8'));
    if (!data || typeof data !== 'object' || !data.releases || typeof data.releases !== 'object') throw new Error(`${file}: not a PyPI JSON document`);
    const releases = {};
    const yanked = [];
    for (const [version, files] of Object.entries(data.releases)) {
      // Final releases only: pip does not pick pre-releases for `==X.Y.Z` pins of final versions.
      if (!/^\d+(\.\d+)*$/.test(version) || !Array.isArray(files) || files.length === 0) continue;
      if (files.every((f) => f && f.yanked === true)) {
        yanked.push(version);
        continue;
      }
      const pythons = new Set();
      for (const f of files) {
        const m = /-cp(\d)(\d+)-(cp\d+m?u?|abi3|none)-[^ ]*(manylinux[^ ]*x86_64|linux_x86_64)\.whl$/.exec(String(f?.filename ?? ''));
        if (m) pythons.add(`${m[1]}.${m[2]}`);
        else if (/-py3-none-any\.whl$/.test(String(f?.filename ?? ''))) pythons.add('any');
      }
      releases[version] = [...pythons].sort(cmpVer);
    }
    packages[name] = { releases, yanked: yanked.sort(cmpVer) };
  }
  return {
    source: 'https://pypi.org/pypi/<package>/json (final releases; CPython versions with Linux x86_64 wheels; "any" = pure-Python wheel)',
    fetched: new Date().toISOString().slice(0, 10),
    packages,
  };
}

if (pypiDir) {
  const snap = snapshotFromPypi(resolve(pypiDir));
  writeFileSync(pypiPath, `${JSON.stringify(snap, null, 1)}\n`);
  console.log(`refresh-cuda-table: wrote ${pypiPath} (${Object.keys(snap.packages).length} packages, fetched ${snap.fetched})`);
}

// The research snapshot is committed next to pypi.json (src/core/cuda/facts/cuda-matrix.json), so
// --check runs on any clone; refresh it by passing the shared reference's newer cuda-matrix.json,
// which is then copied in.
const committedMatrix = join(repo, 'src', 'core', 'cuda', 'facts', 'cuda-matrix.json');
function findMatrix() {
  return positional[0] ? resolve(positional[0]) : committedMatrix;
}
const matrixPath = findMatrix();
if (!existsSync(matrixPath)) {
  console.error(`refresh-cuda-table: ${matrixPath} not found (pass the path to cuda-matrix.json)`);
  process.exit(2);
}
const m = JSON.parse(readFileSync(matrixPath, 'utf8'));
const pypi = JSON.parse(readFileSync(pypiPath, 'utf8'));
const wheels = (pkg) => pypi.packages[pkg]?.releases ?? {};
const released = (pkg) => Object.keys(wheels(pkg)).sort(cmpVer);

// Cog's scrape of nvidia/cuda devel tags (shared/reference/cog-compat), when present beside the matrix.
function cogCudaTags() {
  const dir = join(dirname(matrixPath), 'cog-compat');
  if (!existsSync(dir)) return [];
  const out = new Map();
  for (const f of readdirSync(dir).filter((x) => /^cuda_compatibility.*\.json$/.test(x))) {
    for (const r of JSON.parse(readFileSync(join(dir, f), 'utf8'))) if (r && typeof r.Tag === 'string') out.set(r.Tag, r);
  }
  return [...out.values()];
}

// ---------------------------------------------------------------- sources

const SOURCES = {
  'PT-REL': 'PyTorch RELEASE.md release compatibility matrix, https://github.com/pytorch/pytorch/blob/main/RELEASE.md#release-compatibility-matrix (<=2.3 read in the English original at aa6104e; 2.4+ read through verbatim mirrors)',
  'PT-PREV': 'https://pytorch.org/get-started/previous-versions/ (install lines per release and CUDA)',
  'COG-TORCH': 'Replicate Cog torch_compatibility.json @6110c91 + PR #3016 (scrape of previous-versions + download.pytorch.org; torch/torchvision/torchaudio pairs)',
  PYG: 'PyG wheel index https://data.pyg.org/whl/nightly/ (torch+CUDA builds mirrored)',
  'PT-DOCKER': 'pytorch/pytorch docker.Makefile tag pattern <ver>-cuda<X.Y>-cudnn<N>-runtime; https://hub.docker.com/r/pytorch/pytorch/tags',
  'TF-SRC': 'TensorFlow tested build configurations (GPU), https://www.tensorflow.org/install/source#gpu (tensorflow/docs site/en/install/source.md @7c36502, 2026-03-11)',
  'TF-PIP': 'https://www.tensorflow.org/install/pip (tensorflow[and-cuda] from 2.14)',
  'TF-DOCKER': 'https://www.tensorflow.org/install/docker (tensorflow/tensorflow:<ver>-gpu; 2.0/2.1 used <ver>-gpu-py3)',
  JAX: 'jax-ml/jax setup.py and .bazelrc at each jax-vX.Y.Z tag, CHANGELOG.md, docs/installation.md (git snapshot up to jax-v0.11.0)',
  'NV-RN': 'CUDA Toolkit release notes, tables 2 and 3 (driver minimums)',
  'COG-CUDA': 'Replicate Cog cuda_compatibility.json @6110c91 + PR #3016 (Docker Hub scrape of nvidia/cuda *-cudnn*-devel-* tags; runtime twins assumed)',
  'NV-POLICY': 'NVIDIA CUDA container support policy (EOL tags deleted 6 months after EOL)',
  USE: 'tag seen in public Dockerfiles / pins (evidence of use, not a registry listing)',
  PYPI: 'PyPI JSON API https://pypi.org/pypi/<package>/json: released versions and CPython versions with Linux x86_64 wheels (src/core/cuda/facts/pypi.json)',
  'PYPI-WHEEL': 'the PyPI wheel itself: METADATA Requires-Dist (nvidia-*-cuXX / cuda-toolkit pins) or onnxruntime/capi/build_and_package_info.py (cuda_version), read 2026-11-30',
  ORT: 'https://onnxruntime.ai/docs/execution-providers/CUDA-ExecutionProvider.html#requirements (CUDA 12.x / CUDA 11.x tables; copies of 2024-2025 versions of the page)',
  'ORT-20409': 'https://github.com/microsoft/onnxruntime/issues/20409 (CUDA 12 builds of 1.17/1.18 on the onnxruntime-cuda-12 feed)',
  'ORT-21769': 'https://github.com/microsoft/onnxruntime/issues/21769 (1.19+: CUDA 12.* and cuDNN 9.*)',
  'TRITON-COMPAT': 'triton-inference-server/server docs/introduction/compatibility.md (CUDA and driver per release, vllm-python-py3 table; same NGC base as -py3)',
  'NGC-RN': 'NVIDIA framework container release notes, e.g. https://docs.nvidia.com/deeplearning/frameworks/pytorch-release-notes/rel-25-12.html (25.12 = CUDA 13.1.0)',
  'TFS-REPO': 'tensorflow/serving git tags and tensorflow_serving/tools/docker/Dockerfile.gpu at each tag (snapshot 2026-07-30)',
  'TFS-DOCKER': 'https://www.tensorflow.org/tfx/serving/docker (tensorflow/serving:<ver>-gpu built per release tag)',
  'TS-REPO': 'pytorch/serve at tag v0.12.0: docker/build_image.sh (nvidia/cuda:12.1.1-base-ubuntu20.04, PYTHON_VERSION=3.9), requirements/torch_cu121_linux.txt (torch 2.4.0+cu121), README "Limited Maintenance"',
  'COG-DOCTOR': 'Replicate Cog pkg/doctor/gpu_compatibility.go (measured torch wheel arch lists: 2.7.0+cu128 sm_75..sm_120; 2.0.1+cu118 up to sm_90; 1.13.1+cu117 up to sm_86)',
  'NV-ARCH': 'NVIDIA CUDA release notes: sm_80 from CUDA 11.0, sm_86 from 11.1, sm_89/sm_90 from 11.8, sm_100/sm_120 from 12.8; CUDA 13.0 removed offline compilation for Maxwell, Pascal and Volta',
  MODELDOCK: 'ModelDock policy choice (not a fact about a framework)',
};

// ---------------------------------------------------------------- GPU architectures

const ARCHS = [
  { id: 'maxwell', name: 'Maxwell', sm: ['5.0', '5.2'], examples: 'GTX 9xx, Tesla M40', minCuda: '6.5', lastCudaMajor: 12 },
  { id: 'pascal', name: 'Pascal', sm: ['6.0', '6.1'], examples: 'Tesla P100/P4, GTX 10xx', minCuda: '8.0', lastCudaMajor: 12 },
  { id: 'volta', name: 'Volta', sm: ['7.0'], examples: 'Tesla V100', minCuda: '9.0', lastCudaMajor: 12 },
  { id: 'turing', name: 'Turing', sm: ['7.5'], examples: 'T4, RTX 20xx', minCuda: '10.0', lastCudaMajor: null },
  // sm_80 arrived in CUDA 11.0, sm_86 in 11.1: the family needs 11.1.
  { id: 'ampere', name: 'Ampere', sm: ['8.0', '8.6'], examples: 'A100, A10, RTX 30xx', minCuda: '11.1', lastCudaMajor: null },
  // sm_86 cubins run on sm_89 (same major), so Ada runs what Ampere runs.
  { id: 'ada', name: 'Ada Lovelace', sm: ['8.9'], examples: 'L4, L40S, RTX 40xx', minCuda: '11.1', lastCudaMajor: null },
  { id: 'hopper', name: 'Hopper', sm: ['9.0'], examples: 'H100, H200', minCuda: '11.8', lastCudaMajor: null },
  { id: 'blackwell', name: 'Blackwell', sm: ['10.0', '12.0'], examples: 'B200, RTX 50xx', minCuda: '12.8', lastCudaMajor: null },
].map((a) => ({ ...a, sources: ['NV-ARCH', 'COG-DOCTOR'] }));

// Framework floors beyond the toolkit's (Cog measured the torch wheels' arch lists).
const ARCH_FLOORS = {
  pytorch: [
    { arch: 'hopper', minVersion: '2.0.1', minCuda: '11.8', sources: ['COG-DOCTOR'] },
    { arch: 'blackwell', minVersion: '2.7.0', minCuda: '12.8', sources: ['COG-DOCTOR'] },
  ],
  // torch 2.7.0+cu128 ships cubins from sm_75 only: CUDA >= 12.8 builds of torch drop Maxwell, Pascal, Volta.
  pytorchPreTuringMaxCuda: '12.6',
};

// ---------------------------------------------------------------- PyTorch

/** CUDA 12 is preferred over 13 for defaults: 13.x needs driver >= 580 and drops pre-Turing GPUs. */
function defaultTorchCuda(stable, all) {
  const pool = stable.length ? stable : all;
  const twelve = pool.filter((c) => c.startsWith('12.'));
  const pick = (twelve.length ? twelve : pool).slice().sort(cmpVer);
  return pick[pick.length - 1];
}

// torch -> torchvision / torchaudio (COG-TORCH for 1.11+, PT-PREV install lines for older releases).
const TORCH_COMPANIONS = {
  '1.5.0': ['0.6.0', '0.5.0'], '1.5.1': ['0.6.1', '0.5.1'], '1.6.0': ['0.7.0', '0.6.0'], '1.7.0': ['0.8.1', '0.7.0'],
  '1.7.1': ['0.8.2', '0.7.2'], '1.8.0': ['0.9.0', '0.8.0'], '1.8.1': ['0.9.1', '0.8.1'], '1.9.0': ['0.10.0', '0.9.0'],
  '1.9.1': ['0.10.1', '0.9.1'], '1.10.0': ['0.11.1', '0.10.0'], '1.10.1': ['0.11.2', '0.10.1'], '1.10.2': ['0.11.3', '0.10.2'],
  '1.11.0': ['0.12.0', '0.11.0'], '1.12.0': ['0.13.0', '0.12.0'], '1.12.1': ['0.13.1', '0.12.1'], '1.13.0': ['0.14.0', '0.13.0'],
  '1.13.1': ['0.14.1', '0.13.1'], '2.0.0': ['0.15.1', '2.0.1'], '2.0.1': ['0.15.2', '2.0.2'], '2.1.0': ['0.16.0', '2.1.0'],
  '2.1.1': ['0.16.1', '2.1.1'], '2.1.2': ['0.16.2', '2.1.2'], '2.2.0': ['0.17.0', '2.2.0'], '2.2.1': ['0.17.1', '2.2.1'],
  '2.2.2': ['0.17.2', '2.2.2'], '2.3.0': ['0.18.0', '2.3.0'], '2.3.1': ['0.18.1', '2.3.1'], '2.4.0': ['0.19.0', '2.4.0'],
  '2.4.1': ['0.19.1', '2.4.1'], '2.5.0': ['0.20.0', '2.5.0'], '2.5.1': ['0.20.1', '2.5.1'], '2.6.0': ['0.21.0', '2.6.0'],
  '2.7.0': ['0.22.0', '2.7.0'], '2.7.1': ['0.22.1', '2.7.1'], '2.8.0': ['0.23.0', '2.8.0'], '2.9.0': ['0.24.0', '2.9.0'],
  '2.9.1': ['0.24.1', '2.9.1'], '2.10.0': ['0.25.0', '2.10.0'], '2.11.0': ['0.26.0', '2.11.0'],
  // torchaudio stopped at 2.11.x: later torch releases are paired with torchaudio 2.11.0 (COG-TORCH PR #3016, pins seen in use).
  '2.12.0': ['0.27.0', '2.11.0'], '2.12.1': ['0.27.1', '2.11.0'], '2.13.0': ['0.28.0', '2.11.0'], '2.14.0': ['0.29.0', '2.11.0'],
  '2.14.1': ['0.29.1', '2.11.0'],
};

// Releases older than the shared matrix (gpu-release-facts.md "Older PyTorch", PT-PREV). Wheels of
// these live on find-links pages with `+cuXYZ` local versions; 1.11/1.12 also on per-CUDA indexes.
// `images` are the pytorch/pytorch runtime tags found in public Dockerfiles (USE).
const OLD_TORCH = [
  { version: '1.5.0', cuda: ['9.2', '10.1', '10.2'], pypi: '10.2', images: { '10.1': 'pytorch/pytorch:1.5.0-cuda10.1-cudnn7-runtime' } },
  { version: '1.5.1', cuda: ['9.2', '10.1', '10.2'], pypi: '10.2', images: { '10.1': 'pytorch/pytorch:1.5.1-cuda10.1-cudnn7-runtime' } },
  { version: '1.6.0', cuda: ['9.2', '10.1', '10.2'], pypi: '10.2', images: { '10.1': 'pytorch/pytorch:1.6.0-cuda10.1-cudnn7-runtime' } },
  { version: '1.7.0', cuda: ['9.2', '10.1', '10.2', '11.0'], pypi: '10.2', images: { '11.0': 'pytorch/pytorch:1.7.0-cuda11.0-cudnn8-runtime' } },
  { version: '1.7.1', cuda: ['9.2', '10.1', '10.2', '11.0'], pypi: '10.2', images: { '11.0': 'pytorch/pytorch:1.7.1-cuda11.0-cudnn8-runtime' } },
  { version: '1.8.0', cuda: ['10.2', '11.1'], pypi: '10.2', images: { '11.1': 'pytorch/pytorch:1.8.0-cuda11.1-cudnn8-runtime' } },
  { version: '1.8.1', cuda: ['10.2', '11.1'], pypi: '10.2', images: { '11.1': 'pytorch/pytorch:1.8.1-cuda11.1-cudnn8-runtime' } },
  { version: '1.9.0', cuda: ['10.2', '11.1'], pypi: '10.2', images: { '11.1': 'pytorch/pytorch:1.9.0-cuda11.1-cudnn8-runtime' } },
  { version: '1.9.1', cuda: ['10.2', '11.1'], pypi: '10.2', images: { '11.1': 'pytorch/pytorch:1.9.1-cuda11.1-cudnn8-runtime' } },
  { version: '1.10.0', cuda: ['10.2', '11.1', '11.3'], pypi: '10.2', images: { '11.3': 'pytorch/pytorch:1.10.0-cuda11.3-cudnn8-runtime' } },
  { version: '1.10.1', cuda: ['10.2', '11.1', '11.3'], pypi: '10.2', images: { '11.3': 'pytorch/pytorch:1.10.1-cuda11.3-cudnn8-runtime' } },
  { version: '1.10.2', cuda: ['10.2', '11.1', '11.3'], pypi: '10.2', images: {} },
  { version: '1.11.0', cuda: ['10.2', '11.3'], pypi: '10.2', images: { '11.3': 'pytorch/pytorch:1.11.0-cuda11.3-cudnn8-runtime' } },
  { version: '1.12.0', cuda: ['10.2', '11.3', '11.6'], pypi: '10.2', images: { '11.3': 'pytorch/pytorch:1.12.0-cuda11.3-cudnn8-runtime' } },
  { version: '1.12.1', cuda: ['10.2', '11.3', '11.6'], pypi: '10.2', images: { '11.3': 'pytorch/pytorch:1.12.1-cuda11.3-cudnn8-runtime' } },
];

// PyPI's own torch wheel: CUDA of its nvidia-cuda-runtime / cuda-toolkit pin (PYPI-WHEEL).
const TORCH_PYPI_CUDA = [
  ['1.13.0', '11.7'], ['2.1.0', '12.1'], ['2.5.0', '12.4'], ['2.7.0', '12.6'], ['2.8.0', '12.8'], ['2.11.0', '13.0'], ['2.15.0', '13.2'],
];
function torchPypiCuda(v) {
  let out = null;
  for (const [from, cuda] of TORCH_PYPI_CUDA) if (cmpVer(v, from) >= 0) out = cuda;
  return out;
}

const pythonsOf = (pkg, v) => (wheels(pkg)[v] ?? []).filter((p) => p !== 'any');

const torchRows = [];
for (const o of OLD_TORCH) {
  const findLinks = cmpVer(o.version, '1.11.0') < 0 ? 'https://download.pytorch.org/whl/torch_stable.html' : null;
  torchRows.push({
    version: o.version,
    variants: o.cuda.map((cuda) => ({
      cuda,
      stability: 'stable',
      indexUrl: findLinks ? null : `https://download.pytorch.org/whl/${cuTag(cuda)}`,
      findLinks,
      localLabel: cuTag(cuda),
      cudnnBundled: null,
      cudnnMajor: cmpVer(cuda, '11.0') >= 0 ? 8 : 7,
      officialImage: o.images[cuda] ?? null,
      officialImageSeen: o.images[cuda] !== undefined,
    })),
    defaultCuda: Object.keys(o.images)[0] ?? o.cuda[o.cuda.length - 1],
    cudnnMajor: 8,
    python: pythonsOf('torch', o.version),
    pythonExperimental: [],
    torchvision: TORCH_COMPANIONS[o.version]?.[0] ?? null,
    torchaudio: TORCH_COMPANIONS[o.version]?.[1] ?? null,
    pypiDefaultCuda: o.pypi,
    inReleaseMatrix: false,
    confidence: 'medium',
    sources: ['PT-PREV', 'PYPI', 'USE'],
    notes: ['Older than the shared release matrix: CUDA wheels from pytorch.org previous versions; images seen in public Dockerfiles.'],
  });
}
for (const [version, r] of Object.entries(m.torch)) {
  const reliable = cmpVer(version, '2.4.0') < 0;
  const sources = reliable ? ['PT-REL', 'PT-PREV', 'PT-DOCKER', 'USE', 'PYPI'] : ['PT-REL', 'COG-TORCH', 'PT-DOCKER', 'USE', 'PYPI'];
  if (cmpVer(version, '2.10.0') >= 0) sources.push('PYG');
  const variants = r.cuda.map((cuda, i) => {
    const tag = r.pytorch_docker_runtime_tags.find((t) => t.includes(`-cuda${cuda}-`)) ?? null;
    return {
      cuda,
      stability: r.release_matrix_experimental_cuda.includes(cuda) ? 'experimental' : 'stable',
      indexUrl: r.wheel_index_urls[i],
      findLinks: null,
      localLabel: cuTag(cuda),
      cudnnBundled: String(r.cudnn_bundled[cuda] ?? '').replace(/\s*\(.*\)$/, '') || null,
      cudnnMajor: Number(String(Object.values(r.cudnn_bundled)[0]).split('.')[0]),
      officialImage: tag,
      officialImageSeen: tag !== null && r.pytorch_docker_tags_seen_in_use.includes(tag),
    };
  });
  const pyWheels = pythonsOf('torch', version);
  torchRows.push({
    version,
    variants,
    defaultCuda: defaultTorchCuda(r.release_matrix_stable_cuda, r.cuda),
    cudnnMajor: variants[0].cudnnMajor,
    python: pyWheels.length ? pyWheels : r.python,
    pythonExperimental: r.python_experimental,
    torchvision: TORCH_COMPANIONS[version]?.[0] ?? r.torchvision,
    torchaudio: TORCH_COMPANIONS[version]?.[1] ?? null,
    pypiDefaultCuda: torchPypiCuda(version),
    inReleaseMatrix: true,
    confidence: r.confidence,
    sources,
    notes: [r.notes, reliable ? null : 'Rows 2.4+ of RELEASE.md were read through mirrors of the English table.'].filter(Boolean),
  });
}
// Releases on PyPI that the shared matrix does not have yet.
const NEW_TORCH = [
  {
    // Same build as 2.14.0 (its PyPI wheel pins the same cuDNN 9.24.0.43 and cuda-toolkit 13.0.3);
    // the per-CUDA indexes carry patch releases, pytorch/pytorch tags for it were not seen.
    version: '2.14.1',
    from: '2.14.0',
    notes: ['Patch release of 2.14.0 with the same CUDA builds (PyPI wheel metadata); pytorch/pytorch:2.14.1-* tags were not seen, so an nvidia/cuda base is used.'],
  },
];
for (const n of NEW_TORCH) {
  const base = torchRows.find((r) => r.version === n.from);
  torchRows.push({
    ...base,
    version: n.version,
    variants: base.variants.map((v) => ({ ...v, officialImage: null, officialImageSeen: false })),
    python: pythonsOf('torch', n.version),
    torchvision: TORCH_COMPANIONS[n.version]?.[0] ?? null,
    torchaudio: TORCH_COMPANIONS[n.version]?.[1] ?? null,
    inReleaseMatrix: false,
    confidence: 'medium-low',
    sources: ['PYPI', 'PYPI-WHEEL', 'PT-REL'],
    notes: n.notes,
  });
}
// torch 2.15.0: only PyPI's own build is known (cuda-toolkit 13.2.2, cuDNN 9.26.0.51, Python >= 3.11).
torchRows.push({
  version: '2.15.0',
  variants: [
    { cuda: '13.2', stability: 'stable', indexUrl: null, findLinks: null, localLabel: null, cudnnBundled: '9.26.0.51', cudnnMajor: 9, officialImage: null, officialImageSeen: false },
  ],
  defaultCuda: '13.2',
  cudnnMajor: 9,
  python: pythonsOf('torch', '2.15.0'),
  pythonExperimental: [],
  torchvision: null,
  torchaudio: null,
  pypiDefaultCuda: '13.2',
  inReleaseMatrix: false,
  confidence: 'medium-low',
  sources: ['PYPI', 'PYPI-WHEEL'],
  notes: [
    'torch 2.15.0 is newer than the shared release matrix: only the PyPI wheel is known (CUDA 13.2 via cuda-toolkit 13.2.2, cuDNN 9.26); the download.pytorch.org CUDA variants and pytorch/pytorch tags were not checked.',
  ],
});
torchRows.sort((a, b) => cmpVer(a.version, b.version));

// ---------------------------------------------------------------- TensorFlow

// TF 2.0-2.9 from the same tested-build table (TF-SRC); 2.0/2.1 images used the -gpu-py3 suffix.
const OLD_TF = [
  ['2.0.0', '10.0', '7.4', ['3.5', '3.6', '3.7'], 'tensorflow/tensorflow:2.0.0-gpu-py3'],
  ['2.1.0', '10.1', '7.6', ['3.5', '3.6', '3.7'], 'tensorflow/tensorflow:2.1.0-gpu-py3'],
  ['2.2.0', '10.1', '7.6', ['3.5', '3.6', '3.7', '3.8'], 'tensorflow/tensorflow:2.2.0-gpu'],
  ['2.3.0', '10.1', '7.6', ['3.5', '3.6', '3.7', '3.8'], 'tensorflow/tensorflow:2.3.0-gpu'],
  ['2.4.0', '11.0', '8.0', ['3.6', '3.7', '3.8'], 'tensorflow/tensorflow:2.4.0-gpu'],
  ['2.5.0', '11.2', '8.1', ['3.6', '3.7', '3.8', '3.9'], 'tensorflow/tensorflow:2.5.0-gpu'],
  ['2.6.0', '11.2', '8.1', ['3.6', '3.7', '3.8', '3.9'], 'tensorflow/tensorflow:2.6.0-gpu'],
  ['2.7.0', '11.2', '8.1', ['3.7', '3.8', '3.9'], 'tensorflow/tensorflow:2.7.0-gpu'],
  ['2.8.0', '11.2', '8.1', ['3.7', '3.8', '3.9', '3.10'], 'tensorflow/tensorflow:2.8.0-gpu'],
  ['2.9.0', '11.2', '8.1', ['3.7', '3.8', '3.9', '3.10'], 'tensorflow/tensorflow:2.9.0-gpu'],
];
const tfRows = [
  ...OLD_TF.map(([version, cuda, cudnn, python, image]) => ({
    version,
    series: series(version),
    cuda: [cuda],
    cudnn,
    python,
    gpuImage: image,
    gpuImageSeen: true,
    andCudaExtra: false,
    confidence: 'high',
    sources: ['TF-SRC', 'TF-DOCKER', 'USE', 'PYPI'],
    notes: [],
  })),
  ...Object.entries(m.tensorflow).map(([version, r]) => ({
    version,
    series: series(version),
    cuda: r.cuda,
    cudnn: r.cudnn,
    python: r.python,
    gpuImage: r.docker_gpu_tag,
    gpuImageSeen: r.docker_gpu_tag_seen_in_use === true,
    andCudaExtra: r.pip_and_cuda_extra === true,
    confidence: 'high',
    sources: ['TF-SRC', 'TF-DOCKER', 'USE', 'PYPI', ...(r.pip_and_cuda_extra ? ['TF-PIP'] : [])],
    notes: [
      r.notes,
      r.cuda.includes('12.3') && r.cudnn.startsWith('8')
        ? 'No nvidia/cuda image pairs CUDA 12.3 with cuDNN 8 (COG-CUDA lists only 12.3.2-cudnn9): use the TF image or tensorflow[and-cuda].'
        : null,
    ].filter(Boolean),
  })),
];

// ---------------------------------------------------------------- JAX (per release)

// Read from setup.py / .bazelrc at each jax-vX.Y.Z tag (JAX). Releases after 0.11.0 come from PyPI
// only: jax 0.12.0's METADATA has the cuda12/cuda13 extras; their build CUDA is assumed unchanged.
const JAX_FIND_LINKS = 'https://storage.googleapis.com/jax-releases/jax_cuda_releases.html';
function jaxBuiltWith12(v) {
  if (cmpVer(v, '0.4.24') < 0) return '12.2';
  if (cmpVer(v, '0.6.0') < 0) return '12.3';
  if (cmpVer(v, '0.7.1') < 0) return '12.8';
  return '12.9';
}
function jaxExtrasFor(v) {
  const out = [];
  const after = cmpVer(v, '0.11.0') > 0;
  const conf = after ? 'medium-low' : 'high';
  if (cmpVer(v, '0.4.25') <= 0) {
    out.push({ extra: 'cuda11_pip', cudaMajor: 11, cudaMin: '11.8', builtWith: '11.8', cudnn: '8.6', findLinks: JAX_FIND_LINKS, plugin: null, minDriver: '520', confidence: conf });
    out.push({ extra: 'cuda12_pip', cudaMajor: 12, cudaMin: cmpVer(v, '0.4.24') < 0 ? '12.2' : '12.3', builtWith: jaxBuiltWith12(v), cudnn: '8.9', findLinks: JAX_FIND_LINKS, plugin: null, minDriver: '525', confidence: conf });
    return out;
  }
  out.push({ extra: 'cuda12', cudaMajor: 12, cudaMin: '12.1', builtWith: jaxBuiltWith12(v), cudnn: '9', findLinks: null, plugin: 'jax-cuda12-plugin', minDriver: '525', confidence: conf });
  if (cmpVer(v, '0.4.29') <= 0) {
    // cuda12_pip still resolved to the jaxlib+cuda12.cudnn89 wheel on the find-links page.
    out.push({ extra: 'cuda12_pip', cudaMajor: 12, cudaMin: '12.1', builtWith: jaxBuiltWith12(v), cudnn: '8.9', findLinks: JAX_FIND_LINKS, plugin: null, minDriver: '525', confidence: conf });
  } else if (cmpVer(v, '0.5.3') <= 0) {
    out.push({ extra: 'cuda12_pip', cudaMajor: 12, cudaMin: '12.1', builtWith: jaxBuiltWith12(v), cudnn: '9', findLinks: null, plugin: 'jax-cuda12-plugin', minDriver: '525', confidence: conf });
  }
  // The cuda13 extra is in setup.py from 0.7.0, but jax-cuda13-plugin wheels are on PyPI from 0.7.2.
  if (cmpVer(v, '0.7.2') >= 0) out.push({ extra: 'cuda13', cudaMajor: 13, cudaMin: '13.0', builtWith: '13.0', cudnn: '9', findLinks: null, plugin: 'jax-cuda13-plugin', minDriver: '580', confidence: conf });
  return out;
}
function jaxPython(v) {
  // <= 0.4.25: CUDA jaxlib wheels on the find-links page; setup.py classifiers list 3.9-3.11.
  if (cmpVer(v, '0.4.25') <= 0) return ['3.9', '3.10', '3.11'];
  // jax-only releases (0.4.37, 0.5.2) pin the previous jaxlib/plugin (`_current_jaxlib_version` in setup.py).
  const plugin = released('jax-cuda12-plugin').filter((x) => cmpVer(x, v) <= 0).at(-1);
  return plugin ? pythonsOf('jax-cuda12-plugin', plugin) : [];
}
const jaxReleases = released('jax')
  .filter((v) => cmpVer(v, '0.4.20') >= 0)
  .map((v) => ({ version: v, python: jaxPython(v), extras: jaxExtrasFor(v), sources: cmpVer(v, '0.11.0') > 0 ? ['PYPI', 'PYPI-WHEEL'] : ['JAX', 'PYPI'] }));

// ---------------------------------------------------------------- ONNX Runtime (per release range)

const ORT_CUDA12_FEED = 'https://aiinfra.pkgs.visualstudio.com/PublicPackages/_packaging/onnxruntime-cuda-12/pypi/simple/';
// `cuda` = the CUDA the build was made with; ModelDock pairs it with an image of the same major and
// not an older minor (an older libcudart can lack symbols the build links against).
const ORT_RULES = [
  { from: '1.11.0', to: '1.12.1', builds: [{ cuda: '11.4', cudnnMajor: 8, feed: null }], confidence: 'high', sources: ['ORT', 'PYPI'] },
  { from: '1.13.0', to: '1.14.1', builds: [{ cuda: '11.6', cudnnMajor: 8, feed: null }], confidence: 'high', sources: ['ORT', 'PYPI'] },
  { from: '1.15.0', to: '1.16.3', builds: [{ cuda: '11.8', cudnnMajor: 8, feed: null }], confidence: 'high', sources: ['ORT', 'PYPI'] },
  {
    from: '1.17.0',
    to: '1.17.3',
    builds: [
      { cuda: '11.8', cudnnMajor: 8, feed: null },
      { cuda: '12.2', cudnnMajor: 8, feed: ORT_CUDA12_FEED },
    ],
    confidence: 'high',
    sources: ['ORT', 'ORT-20409', 'PYPI'],
  },
  {
    // The docs' CUDA 12 table: 1.18.0 = 12.x with cuDNN 8 (built with 12.4); no nvidia/cuda image has both.
    from: '1.18.0',
    to: '1.18.0',
    builds: [
      { cuda: '11.8', cudnnMajor: 8, feed: null },
      { cuda: '12.4', cudnnMajor: 8, feed: ORT_CUDA12_FEED },
    ],
    confidence: 'medium-high',
    sources: ['ORT', 'ORT-20409', 'PYPI'],
  },
  {
    // "1.18.1 | 12.x | 9.x | cuDNN 9 is required" (ORT CUDA 12.x table).
    from: '1.18.1',
    to: '1.18.1',
    builds: [
      { cuda: '11.8', cudnnMajor: 8, feed: null },
      { cuda: '12.4', cudnnMajor: 9, feed: ORT_CUDA12_FEED },
    ],
    confidence: 'high',
    sources: ['ORT', 'PYPI'],
  },
  { from: '1.19.0', to: '1.20.2', builds: [{ cuda: '12.0', cudnnMajor: 9, feed: null }], confidence: 'high', sources: ['ORT', 'ORT-21769', 'PYPI'] },
  // From here the wheel's build_and_package_info.py says its CUDA (PYPI-WHEEL): 1.21-1.23 = 12.2,
  // 1.24-1.26 = 12.8, 1.27-1.31 = 13.0 (CUDA 13 is the PyPI default from 1.27); cuDNN 9 (`cudnn` extra: nvidia-cudnn-cuXX~=9.0).
  { from: '1.21.0', to: '1.23.2', builds: [{ cuda: '12.2', cudnnMajor: 9, feed: null }], confidence: 'high', sources: ['PYPI-WHEEL', 'ORT', 'PYPI'] },
  { from: '1.24.0', to: '1.26.0', builds: [{ cuda: '12.8', cudnnMajor: 9, feed: null }], confidence: 'high', sources: ['PYPI-WHEEL', 'PYPI'] },
  { from: '1.27.0', to: '1.31.1', builds: [{ cuda: '13.0', cudnnMajor: 9, feed: null }], confidence: 'high', sources: ['PYPI-WHEEL', 'PYPI'] },
];
const ortReleases = released('onnxruntime-gpu').map((v) => ({ version: v, python: pythonsOf('onnxruntime-gpu', v) }));

// ---------------------------------------------------------------- nvidia/cuda

const seenRuntime = new Set();
for (const r of Object.values(m.nvidia_cuda.runtime_cudnn_tags)) {
  for (const v of Object.values(r)) for (const t of Array.isArray(v) ? v : v ? [v] : []) seenRuntime.add(t.replace(/^nvidia\/cuda:/, ''));
}
const cogTags = cogCudaTags();
const byMinor = new Map();
for (const t of cogTags) {
  if (!t.IsDevel || !/^\d+\.\d+\.\d+$/.test(t.CUDA)) continue;
  const minor = series(t.CUDA);
  if (cmpVer(minor, '11.8') < 0) continue; // EOL tags are deleted (NV-POLICY)
  const e = byMinor.get(minor) ?? { patches: new Set(), tags: [] };
  e.patches.add(t.CUDA);
  e.tags.push(t);
  byMinor.set(minor, e);
}
const nvidiaCuda = [...byMinor.entries()]
  .sort(([a], [b]) => cmpVer(a, b))
  .map(([cuda, e]) => {
    const pick = (ubuntu) => {
      const runtime = e.tags
        .filter((t) => t.Ubuntu === ubuntu)
        .map((t) => ({ patch: t.CUDA, tag: t.Tag.replace('-devel-', '-runtime-'), cudnn: Number(t.CuDNN) }))
        .sort((a, b) => cmpVer(b.patch, a.patch));
      // Prefer the newest patch whose runtime tag was seen in use; else the newest scraped patch.
      return runtime.find((r) => seenRuntime.has(r.tag)) ?? runtime[0] ?? null;
    };
    const u20 = pick('20.04');
    const u22 = pick('22.04');
    const u24 = pick('24.04');
    const any = u22 ?? u24 ?? u20;
    return {
      cuda,
      cudnnMajor: any.cudnn,
      ubuntu2004: u20 ? `nvidia/cuda:${u20.tag}` : null,
      ubuntu2204: u22 ? `nvidia/cuda:${u22.tag}` : null,
      ubuntu2404: u24 ? `nvidia/cuda:${u24.tag}` : null,
      seenTags: [u20, u22, u24].filter((x) => x && seenRuntime.has(x.tag)).map((x) => `nvidia/cuda:${x.tag}`),
      patches: [...e.patches].sort(cmpVer),
      seen: [u20, u22, u24].some((x) => x && seenRuntime.has(x.tag)),
      atRisk: cuda === '11.8',
      sources: ['COG-CUDA', 'USE', 'NV-POLICY'],
    };
  });

// ---------------------------------------------------------------- Triton and NGC framework containers

// TRITON-COMPAT (vllm-python-py3 table: the release's CUDA and driver). 24.04/24.05 also in the shared facts.
const TRITON = [
  ['24.04', '12.4.1', '550.54.15', '3.10'], ['24.05', '12.4.1', '550.54.15', '3.10'], ['24.06', '12.5.0', '555.42.02', '3.10'],
  ['24.07', '12.5.1', '555.42.06', '3.10'], ['24.08', '12.6.0', '560.35.03', '3.10'], ['24.09', '12.6.1', '560.35.03', '3.10'],
  ['24.10', '12.6.2', '560.35.03', '3.10'], ['24.11', '12.6.3', '560.35.05', '3.12'], ['24.12', '12.6.3', '560.35.05', '3.12'],
  ['25.01', '12.8.0', '570.86.10', '3.12'], ['25.02', '12.8.0', '570.86.10', '3.12'], ['25.03', '12.8.1', '570.124.06', '3.12'],
  ['25.04', '12.9.0', '575.51.02', '3.12'], ['25.05', '12.9.0', '575.51.03', '3.12'], ['25.06', '12.9.0', '575.51.03', '3.12'],
  ['25.07', '12.9.0', '575.51.03', '3.12'], ['25.08', '13.0.1', '580.82.07', '3.12'], ['25.09', '13.0.1', '580.82.07', '3.12'],
  ['25.10', '13.0.2', '580.95.05', '3.12'], ['25.11', '13.0.2', '580.95.05', '3.12'], ['25.12', '13.1.0', '590.44.01', '3.12'],
  ['26.01', '13.1.1', '590.48.01', '3.12'], ['26.02', '13.1.1', '590.48.01', '3.12'], ['26.03', '13.2.0', '595.45.04', '3.12'],
  ['26.04', '13.2.1', '595.58.03', '3.12'], ['26.05', '13.2.1', '595.58.03', '3.12'], ['26.06', '13.3.0', '610.43.02', '3.12'],
  ['26.07', '13.3.0', '610.43.02', '3.12'], ['26.08', '13.4.1', '615.61', '3.12'],
];
const triton = TRITON.map(([release, cudaFull, driver, python]) => ({
  release,
  cuda: series(cudaFull),
  cudaFull,
  minDriver: driver,
  python,
  confidence: 'medium-high',
  sources: ['TRITON-COMPAT'],
}));

// ---------------------------------------------------------------- TF Serving and TorchServe

// TFS-REPO: released tags and the CUDA/cuDNN of tensorflow_serving/tools/docker/Dockerfile.gpu at each.
const TF_SERVING = [
  ['2.8.4', '11.2', '8.1'], ['2.9.0', '11.2', '8.1'], ['2.9.1', '11.2', '8.1'], ['2.9.2', '11.2', '8.1'], ['2.9.3', '11.2', '8.1'],
  ['2.10.0', '11.2', '8.1'], ['2.10.1', '11.2', '8.1'], ['2.11.0', '11.2', '8.1'], ['2.11.1', '11.2', '8.1'],
  ['2.12.0', '11.8', '8.6'], ['2.12.1', '11.8', '8.6'], ['2.12.2', '11.8', '8.6'], ['2.13.0', '11.8', '8.6'], ['2.13.1', '11.8', '8.6'],
  ['2.14.0', '11.8', '8.6'], ['2.14.1', '11.8', '8.6'], ['2.15.1', '12.2', '8.9'], ['2.16.1', '12.2', '8.9'], ['2.17.0', '12.2', '8.9'],
  ['2.17.1', '12.2', '8.9'], ['2.18.0', '12.2', '8.9'], ['2.18.1', '12.2', '8.9'], ['2.19.0', '12.2', '8.9'], ['2.19.1', '12.2', '8.9'],
  ['2.20.0', '12.5', '9.3'],
];
const tfserving = TF_SERVING.map(([version, cuda, cudnn]) => ({
  version,
  cuda,
  cudnn,
  gpuImage: `tensorflow/serving:${version}-gpu`,
  cpuImage: `tensorflow/serving:${version}`,
  confidence: 'high',
  sources: ['TFS-REPO', 'TFS-DOCKER'],
}));

const torchserve = {
  version: '0.12.0',
  gpuImage: 'pytorch/torchserve:0.12.0-gpu',
  cpuImage: 'pytorch/torchserve:0.12.0-cpu',
  cuda: '12.1',
  python: '3.9',
  torch: '2.4.0',
  torchvision: '0.19.0',
  torchaudio: '2.4.0',
  maintenance: 'TorchServe is in Limited Maintenance: no planned updates, bug fixes, new features or security patches (pytorch/serve README); 0.12.0 is its last release.',
  confidence: 'high',
  sources: ['TS-REPO'],
};

// Toolkit drivers of CUDA releases older than the shared table (NV-RN table 3, GA releases; 11.0 as
// quoted with 11.0.3 in a copy of that table), for the images of older torch/TF releases.
const OLD_TOOLKIT_DRIVERS = {
  '9.2': '396.26', '10.0': '410.48', '10.1': '418.39', '10.2': '440.33', '11.0': '450.36.06',
  '11.1': '455.23', '11.2': '460.27.03', '11.3': '465.19.01', '11.4': '470.42.01', '11.5': '495.29.05',
};

// ---------------------------------------------------------------- refusals (released, not buildable)

const REFUSED = [
  {
    framework: 'pytorch',
    below: '1.5.0',
    reason: 'torch releases before 1.5 need CUDA 9/10.0 images that NVIDIA deleted from Docker Hub (EOL policy), and ModelDock has no pytorch/pytorch tag for them',
    suggestion: 'upgrade to torch 1.13.1 (pytorch/pytorch:1.13.1-cuda11.7-cudnn8-runtime) or a 2.x release',
    sources: ['NV-POLICY', 'PT-PREV'],
  },
  {
    framework: 'tensorflow',
    below: '2.0.0',
    reason: 'TensorFlow 1.x (CUDA 10.0, Python <= 3.7) is past end of life and its CUDA images are gone from Docker Hub',
    suggestion: 'upgrade to TensorFlow 2.x (2.15.1 or later can use tensorflow[and-cuda])',
    sources: ['TF-SRC', 'NV-POLICY'],
  },
  {
    framework: 'jax',
    below: '0.4.20',
    reason: 'jax releases before 0.4.20 paired jaxlib CUDA wheels with cuDNN 8.2-8.8 builds that ModelDock has no verified facts for',
    suggestion: 'upgrade to jax 0.4.26 or later (jax[cuda12] from PyPI)',
    sources: ['JAX'],
  },
  {
    framework: 'onnxruntime',
    below: '1.11.0',
    reason: 'onnxruntime-gpu before 1.11 was built for CUDA 10.x/11.0-11.4 images that are no longer published',
    suggestion: 'upgrade to onnxruntime-gpu 1.19 or later (CUDA 12 + cuDNN 9)',
    sources: ['ORT', 'NV-POLICY'],
  },
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
  onnxruntime: { cuda: '12.6', reason: 'a CUDA 12 runtime with cuDNN 9 on Ubuntu 22.04 and 24.04, for onnxruntime-gpu builds made with CUDA <= 12.6' },
  generic: { cuda: '12.6', reason: 'a CUDA 12 runtime with cuDNN 9 available on Ubuntu 22.04 and 24.04 and supported by drivers >= 560' },
  triton: { release: '24.12', reason: 'newest Triton release on CUDA 12.6 (driver >= 560); --gpu-arch blackwell moves to a CUDA 12.8+ release' },
  // Kept for src/core/scaffold/runtimes.ts until it calls chooseTfServing / chooseTorchServe.
  tfserving: { note: 'tensorflow/serving tags exist per TF Serving release (see CUDA_TABLE.tfserving; chooseTfServing maps a TensorFlow pin to one)', sources: ['TFS-REPO'] },
  torchserve: { version: torchserve.version, confidence: 'high', sources: ['TS-REPO'] },
  ubuntuPython: { '20.04': '3.8', '22.04': '3.10', '24.04': '3.12' },
  slimPythons: ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13', '3.14'],
};

const table = {
  generatedFrom: `cuda-matrix.json (research snapshot; sources in cuda-matrix.md), src/core/cuda/facts/pypi.json (PyPI, fetched ${pypi.fetched}), curated facts in scripts/refresh-cuda-table.mjs`,
  sources: SOURCES,
  archs: ARCHS,
  archFloors: ARCH_FLOORS,
  torch: torchRows,
  tensorflow: tfRows,
  jax: {
    releases: jaxReleases,
    findLinks: JAX_FIND_LINKS,
    cuda12Wheel: m.jax.cuda12_wheel,
    cuda13Wheel: m.jax.cuda13_wheel,
    sources: ['JAX', 'PYPI'],
  },
  onnxruntime: ORT_RULES,
  ortReleases,
  nvidiaCuda,
  driverMin: { family: m.driver_min.family_min_linux, toolkit: { ...OLD_TOOLKIT_DRIVERS, ...m.driver_min.toolkit_driver_linux } },
  triton,
  tfserving,
  torchserve,
  releases: {
    fetched: pypi.fetched,
    pytorch: released('torch'),
    tensorflow: released('tensorflow'),
    jax: released('jax'),
    onnxruntime: released('onnxruntime-gpu'),
    torchvision: released('torchvision'),
    torchaudio: released('torchaudio'),
    yanked: {
      pytorch: pypi.packages.torch.yanked,
      tensorflow: pypi.packages.tensorflow.yanked,
      jax: pypi.packages.jax.yanked,
      onnxruntime: pypi.packages['onnxruntime-gpu'].yanked,
    },
  },
  tensorflowWheels: Object.fromEntries(released('tensorflow').map((v) => [v, pythonsOf('tensorflow', v)])),
  refused: REFUSED,
  defaults,
};

const body = `// GENERATED by scripts/refresh-cuda-table.mjs: do not edit by hand.
// Every row carries its sources (keys into CUDA_TABLE.sources) and a confidence mark.
import type { CudaTable } from './types';

export const CUDA_TABLE: CudaTable = ${JSON.stringify(table, null, 1)};
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
  if (matrixPath !== committedMatrix) {
    copyFileSync(matrixPath, committedMatrix);
    const cog = join(dirname(matrixPath), 'cog-compat');
    if (existsSync(cog)) {
      mkdirSync(join(dirname(committedMatrix), 'cog-compat'), { recursive: true });
      for (const f of readdirSync(cog).filter((x) => /^cuda_compatibility.*\.json$/.test(x))) copyFileSync(join(cog, f), join(dirname(committedMatrix), 'cog-compat', f));
    }
    console.log(`refresh-cuda-table: copied ${matrixPath} into ${committedMatrix}`);
  }
  console.log(
    `refresh-cuda-table: wrote ${outPath} (${torchRows.length} torch, ${tfRows.length} tensorflow, ${jaxReleases.length} jax, ${ortReleases.length} onnxruntime-gpu releases, ${nvidiaCuda.length} nvidia/cuda minors, ${triton.length} Triton releases)`,
  );
}
