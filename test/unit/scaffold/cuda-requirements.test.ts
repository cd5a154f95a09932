// "Generated files right for a real build": a CPU image never installs CUDA builds, a GPU image on
// a framework's own image does not reinstall the framework, and pip's index comes from build
// arguments a mirror can replace.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { detectProject } from '../../../src/core/detect/index';
import { rewriteRequirement, rewriteRequirementFiles, twinName } from '../../../src/core/scaffold/cudaRequirements';
import { planScaffold } from '../../../src/core/scaffold/index';
import { detection, frameworkProject } from './fixtures';
import { checkDockerfile, file } from './helpers';

const repo = join(__dirname, '..', '..', '..');
const CPU = { kind: 'cpu' } as const;
const TORCH_IMAGE = { kind: 'framework-image', framework: 'pytorch', version: '2.3.1' } as const;
const TF_IMAGE = { kind: 'framework-image', framework: 'tensorflow', version: '2.15.0' } as const;

describe('one requirement', () => {
  const cases: [string, Parameters<typeof rewriteRequirement>[1], string | null | undefined][] = [
    // [requirement, mode, expected text: undefined = unchanged, null = dropped]
    ['torch==2.3.1+cu121', CPU, 'torch==2.3.1'],
    ['torch==2.3.1+CU121 ; sys_platform == "linux"', CPU, 'torch==2.3.1 ; sys_platform == "linux"'],
    ['torchvision==0.18.1+cu121', CPU, 'torchvision==0.18.1'],
    ['torch==2.3.1+cpu', CPU, undefined],
    ['torch==2.3.1', CPU, undefined],
    ['torch>=2.1', CPU, undefined],
    ['nvidia-cudnn-cu12==8.9.2.26', CPU, null],
    ['nvidia-ml-py==12.535.77', CPU, undefined],
    ['jax[cuda12]==0.4.30', CPU, 'jax==0.4.30'],
    ['jax[cuda12_pip,foo]==0.4.30', CPU, 'jax[foo]==0.4.30'],
    ['tensorflow[and-cuda]==2.15.0', CPU, 'tensorflow==2.15.0'],
    ['onnxruntime-gpu==1.18.0', CPU, 'onnxruntime==1.18.0'],
    ['fastapi==0.111.0', CPU, undefined],
    ['torch==2.3.1+cu121', TORCH_IMAGE, 'torch==2.3.1'],
    ['torch==2.4.0+cu121', TORCH_IMAGE, undefined],
    ['torchaudio==2.3.1+cu121', TORCH_IMAGE, 'torchaudio==2.3.1'],
    ['torch==2.3.1', TORCH_IMAGE, undefined],
    ['tensorflow[and-cuda]==2.15.0', TF_IMAGE, 'tensorflow==2.15.0'],
    ['tensorflow==2.15.0', TF_IMAGE, undefined],
  ];
  for (const [spec, mode, want] of cases) {
    test(`${spec} (${mode.kind === 'cpu' ? 'CPU' : `${mode.framework} image`})`, () => {
      const e = rewriteRequirement(spec, mode);
      if (want === undefined) assert.equal(e, null);
      else {
        assert.ok(e, 'rewritten');
        assert.equal(e.text, want);
        assert.ok(e.why.length > 10, 'says why');
      }
    });
  }
});

describe('requirement files get a generated twin', () => {
  const files: Record<string, string> = {
    'requirements.txt': '# serving\n--extra-index-url https://download.pytorch.org/whl/cu121\n-r requirements/base.txt\nfastapi==0.111.0  # the API\n',
    'requirements/base.txt': '-c ../constraints.txt\ntorch==2.3.1+cu121 \\\n    --hash=sha256:aaaa\nnumpy==1.26.4 --hash=sha256:bbbb\n',
    'constraints.txt': 'torchvision==0.18.1+cu121\n',
    'plain.txt': 'flask==2.2.2\n',
  };
  const read = (rel: string) => files[rel];
  const none = { packages: [], indexUrls: [] };

  test('twins follow includes; unchanged lines stay as written; hashes of replaced builds go', () => {
    const r = rewriteRequirementFiles('requirements.txt', CPU, read, none);
    assert.deepEqual(r.twins.map((t) => t.twin), ['requirements.modeldock-cpu.txt', 'constraints.modeldock-cpu.txt', 'requirements/base.modeldock-cpu.txt']);
    const main = r.twins[0]!.content;
    assert.match(main, /^-r requirements\/base\.modeldock-cpu\.txt$/m);
    assert.match(main, /^# modeldock: dropped for the CPU image \(a CUDA wheel index\): --extra-index-url https:\/\/download\.pytorch\.org\/whl\/cu121$/m);
    assert.match(main, /^fastapi==0\.111\.0 {2}# the API$/m);
    assert.doesNotMatch(main, /^--extra-index-url/m);
    const base = r.twins.find((t) => t.file === 'requirements/base.txt')!.content;
    assert.match(base, /^-c \.\.\/constraints\.modeldock-cpu\.txt$/m);
    assert.match(base, /^torch==2\.3\.1$/m);
    assert.match(base, /^numpy==1\.26\.4$/m);
    assert.match(base, /hash checking is off/);
    assert.match(r.twins.find((t) => t.file === 'constraints.txt')!.content, /^torchvision==0\.18\.1$/m);
    for (const t of r.twins) assert.doesNotMatch(t.content.replace(/^#.*$/gm, ''), /cu121/, t.twin);
    assert.ok(r.changes.includes('requirements/base.txt: torch==2.3.1+cu121 -> torch==2.3.1'), r.changes.join('\n'));
  });

  test('nothing to change: no twin', () => {
    assert.deepEqual(rewriteRequirementFiles('plain.txt', CPU, read, none).twins, []);
    assert.deepEqual(rewriteRequirementFiles('requirements.txt', TF_IMAGE, read, none).twins, []);
  });

  test('an unreadable main file is rebuilt from what detection parsed', () => {
    const r = rewriteRequirementFiles('gone.txt', CPU, () => undefined, {
      packages: [{ name: 'torch', version: '2.3.1', spec: 'torch==2.3.1+cu121', extras: [], file: 'gone.txt', local: 'cu121' }],
      indexUrls: ['https://download.pytorch.org/whl/cu121', 'https://pypi.example/simple'],
    });
    assert.deepEqual(r.unreadable, ['gone.txt']);
    assert.match(r.twins[0]!.content, /^torch==2\.3\.1$/m);
    assert.match(r.twins[0]!.content, /^--extra-index-url https:\/\/pypi\.example\/simple$/m);
  });

  test('twin names sit next to the original', () => {
    assert.equal(twinName('requirements.txt', CPU), 'requirements.modeldock-cpu.txt');
    assert.equal(twinName('deps/prod.in', TORCH_IMAGE), 'deps/prod.modeldock-gpu.txt');
  });
});

function source(dir: string) {
  return (rel: string): string | undefined => {
    try {
      return readFileSync(join(dir, ...rel.split('/')), 'utf8');
    } catch {
      return undefined;
    }
  };
}

describe('examples/pytorch-classifier (torch==2.3.1+cu121, a cu121 index)', () => {
  const dir = join(repo, 'examples', 'pytorch-classifier');

  test('CPU: the image installs a CPU-safe twin from the PyTorch CPU index, and says so', async () => {
    const plan = planScaffold(await detectProject(dir), { target: 'cpu' }, undefined, undefined, source(dir));
    assert.deepEqual(plan.errors, []);
    const df = file(plan, 'Dockerfile');
    checkDockerfile(df);
    assert.match(df, /^RUN python3 -m pip install --no-cache-dir -r requirements\.modeldock-cpu\.txt$/m);
    assert.match(df, /^COPY requirements\.modeldock-cpu\.txt \.\/requirements\.modeldock-cpu\.txt$/m);
    assert.match(df, /^# CPU target: requirements\.txt asks for CUDA builds; the image installs requirements\.modeldock-cpu\.txt,$/m);
    assert.match(df, /^# {3}torch==2\.3\.1\+cu121 -> torch==2\.3\.1$/m);
    assert.match(df, /^ARG PIP_EXTRA_INDEX_URL=https:\/\/download\.pytorch\.org\/whl\/cpu$/m);
    const twin = file(plan, 'requirements.modeldock-cpu.txt');
    const live = twin.replace(/^#.*$/gm, '');
    assert.doesNotMatch(live, /\+cu|whl\/cu/);
    assert.match(live, /^torch==2\.3\.1$/m);
    assert.match(live, /^torchvision==0\.18\.1$/m);
    assert.doesNotMatch(file(plan, '.dockerignore'), /modeldock-cpu/);
  });

  test('GPU on the pytorch/pytorch image: torch is not installed again', async () => {
    const plan = planScaffold(await detectProject(dir), { target: 'gpu' }, undefined, undefined, source(dir));
    assert.equal(plan.baseImage, 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime');
    const df = file(plan, 'Dockerfile');
    assert.match(df, /-r requirements\.modeldock-gpu\.txt/);
    const live = file(plan, 'requirements.modeldock-gpu.txt').replace(/^#.*$/gm, '');
    // `==2.3.1` is satisfied by the image's own torch 2.3.1 build; `+cu121` would not be.
    assert.match(live, /^torch==2\.3\.1$/m);
    assert.doesNotMatch(live, /\+cu121/);
  });

  test('GPU on nvidia/cuda + pip: requirements install as written (they must bring the CUDA build)', async () => {
    const plan = planScaffold(await detectProject(dir), { target: 'gpu', gpuBase: 'cuda-base' }, undefined, undefined, source(dir));
    assert.match(file(plan, 'Dockerfile'), /-r requirements\.txt( |$)/m);
    assert.ok(!plan.files.some((f) => f.path.includes('modeldock-')));
  });
});

describe('pip index: build arguments, never the image environment', () => {
  const variants: [string, Parameters<typeof planScaffold>[0], Parameters<typeof planScaffold>[1]][] = [
    ['CPU slim', frameworkProject('scikit-learn', '1.4.2'), { target: 'cpu' }],
    ['CPU torch', frameworkProject('pytorch', '2.3.1'), { target: 'cpu' }],
    ['GPU official image', frameworkProject('pytorch', '2.3.1'), { target: 'gpu' }],
    ['GPU nvidia/cuda + venv', frameworkProject('pytorch', '2.5.1'), { target: 'gpu', gpuBase: 'cuda-base', cuda: '12.4' }],
    ['GPU slim + CUDA wheels', frameworkProject('jax', '0.4.30'), { target: 'gpu' }],
    ['pyproject', detection({ frameworks: [{ name: 'scikit-learn', version: null }], dependencyFiles: [{ file: 'pyproject.toml', kind: 'pyproject' }], packages: [{ name: 'scikit-learn', spec: 'scikit-learn>=1.3', file: 'pyproject.toml' }] }), { target: 'cpu' }],
  ];
  for (const [label, d, choices] of variants) {
    test(label, () => {
      const df = file(planScaffold(d, choices), 'Dockerfile');
      const ins = DockerfileParser.parse(df).getInstructions();
      const args = ins.filter((i) => i.getKeyword() === 'ARG').map((i) => (i.getArgumentsContent() ?? '').split('=')[0]);
      assert.deepEqual(args.sort(), ['PIP_EXTRA_INDEX_URL', 'PIP_INDEX_URL', 'PIP_TRUSTED_HOST']);
      const firstArg = ins.findIndex((i) => i.getKeyword() === 'ARG');
      const firstPip = ins.findIndex((i) => i.getKeyword() === 'RUN' && /pip install/.test(i.getArgumentsContent() ?? ''));
      assert.ok(firstArg >= 0 && firstArg < firstPip, 'declared before the first pip step');
      for (const i of ins.filter((x) => x.getKeyword() === 'ENV')) assert.doesNotMatch(i.getArgumentsContent() ?? '', /PIP_(EXTRA_)?INDEX_URL|PIP_TRUSTED_HOST/);
      // No index on pip's command line: it would override a mirror given with --build-arg.
      assert.doesNotMatch(df, /--(extra-)?index-url/);
      assert.match(df, /--build-arg PIP_INDEX_URL=/);
    });
  }
});
