import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyIndexUrl, cudaFromTag, markerMayHoldOnLinux, parseRequirement, parseRequirements } from '../../../src/core/detect/index';

describe('parseRequirement (PEP 508)', () => {
  test('exact pin with a local version keeps the public version and the local label apart', () => {
    const r = parseRequirement('torch==2.1.2+cu121');
    assert.equal(r?.name, 'torch');
    assert.equal(r?.version, '2.1.2');
    assert.equal(r?.local, 'cu121');
  });

  test('ranges, wildcards and != are not exact', () => {
    assert.equal(parseRequirement('torch>=2.1,<3')?.version, null);
    assert.equal(parseRequirement('torch==2.1.*')?.version, null);
    assert.equal(parseRequirement('torch!=2.0.0')?.version, null);
    assert.equal(parseRequirement('torch===2.0.0')?.version, '2.0.0');
  });

  test('extras and names are normalised', () => {
    const r = parseRequirement('JAX[CUDA12_pip, tpu]>=0.4');
    assert.equal(r?.name, 'jax');
    assert.deepEqual(r?.extras, ['cuda12-pip', 'tpu']);
    assert.equal(parseRequirement('Scikit_Learn==1.5.0')?.name, 'scikit-learn');
  });

  test('a direct reference keeps its name and URL', () => {
    const r = parseRequirement('torch @ https://download.pytorch.org/whl/cu121/torch-2.1.2.whl ; sys_platform == "linux"');
    assert.equal(r?.name, 'torch');
    assert.match(r?.url ?? '', /^https:\/\/download\.pytorch\.org/);
    assert.equal(r?.marker, 'sys_platform == "linux"');
  });

  test('markers: false only when the platform part certainly excludes Linux', () => {
    assert.equal(markerMayHoldOnLinux('sys_platform == "darwin"'), false);
    assert.equal(markerMayHoldOnLinux("platform_system == 'Windows' and python_version >= '3.9'"), false);
    assert.equal(markerMayHoldOnLinux('sys_platform == "darwin" or sys_platform == "linux"'), true);
    assert.equal(markerMayHoldOnLinux('sys_platform != "win32"'), true);
    assert.equal(markerMayHoldOnLinux('python_version < "3.10"'), true);
    assert.equal(markerMayHoldOnLinux('extra == "gpu"'), true);
  });

  test('CUDA tags and PyTorch index URLs', () => {
    assert.equal(cudaFromTag('cu121'), '12.1');
    assert.equal(cudaFromTag('cu118'), '11.8');
    assert.equal(cudaFromTag('cu92'), '9.2');
    assert.equal(cudaFromTag('cpu'), null);
    assert.deepEqual(classifyIndexUrl('https://download.pytorch.org/whl/cu121'), { cuda: '12.1' });
    assert.deepEqual(classifyIndexUrl('https://download.pytorch.org/whl/nightly/cu124/'), { cuda: '12.4' });
    assert.deepEqual(classifyIndexUrl('https://download.pytorch.org/whl/cpu'), { cpu: true });
    assert.deepEqual(classifyIndexUrl('https://pypi.org/simple'), {});
  });
});

describe('parseRequirements', () => {
  const text = [
    '# serving deps',
    '--index-url https://pypi.org/simple',
    '--extra-index-url=https://download.pytorch.org/whl/cu118',
    'torch==2.0.1+cu118  # pinned for the driver',
    'torchvision==0.15.2 \\',
    '    --hash=sha256:abc \\',
    '    --hash=sha256:def',
    'jax[cuda12]==0.4.28',
    'numpy>=1.24 ; python_version >= "3.9"',
    '-r base.txt',
    '-rdev.txt',
    '--constraint ../constraints.txt',
    '-e .',
    'git+https://github.com/org/pkg.git#egg=pkg',
    './wheels/local-1.0-py3-none-any.whl',
    '--pre',
    '',
  ].join('\n');
  const facts = parseRequirements(text, 'svc/requirements.txt');

  test('packages with 1-based lines, continuation lines joined and hashes dropped', () => {
    assert.deepEqual(
      facts.packages.map((p) => [p.name, p.version, p.line]),
      [
        ['torch', '2.0.1', 4],
        ['torchvision', '0.15.2', 5],
        ['jax', '0.4.28', 8],
        ['numpy', null, 9],
        // A wheel's file name says its distribution and version.
        ['local', '1.0', 15],
      ],
    );
    assert.equal(facts.packages[1]?.spec, 'torchvision==0.15.2');
    assert.equal(facts.packages[0]?.reason, 'torch==2.0.1+cu118');
    assert.deepEqual(facts.packages[2]?.extras, ['cuda12']);
  });

  test('index URLs in order, both spellings', () => {
    assert.deepEqual(
      facts.indexUrls.map((u) => [u.url, u.line]),
      [
        ['https://pypi.org/simple', 2],
        ['https://download.pytorch.org/whl/cu118', 3],
      ],
    );
  });

  test('includes resolve relative to the including file', () => {
    assert.deepEqual(
      facts.includes.map((i) => [i.path, i.constraint, i.line]),
      [
        ['svc/base.txt', false, 10],
        ['svc/dev.txt', false, 11],
        ['constraints.txt', true, 12],
      ],
    );
  });

  test('editable and VCS requirements are skipped with a note naming file and line, not the line itself', () => {
    assert.deepEqual(facts.warnings, [
      'svc/requirements.txt:13: skipped editable requirement . (a local path; not resolved)',
      'svc/requirements.txt:14: skipped a URL requirement (not resolved)',
    ]);
  });

  test('a comment ends a logical line even after a backslash; CRLF and BOM are fine', () => {
    const f = parseRequirements('\uFEFFtorch==2.3.1 \\\r\n# comment\r\nxgboost==2.0.3\r\n', 'r.txt');
    assert.deepEqual(
      f.packages.map((p) => [p.name, p.version, p.line]),
      [
        ['torch', '2.3.1', 1],
        ['xgboost', '2.0.3', 3],
      ],
    );
  });

  test('garbage lines become warnings, not exceptions', () => {
    const f = parseRequirements('???\n[broken\ntorch\n', 'r.txt');
    assert.deepEqual(
      f.packages.map((p) => p.name),
      ['torch'],
    );
    assert.equal(f.warnings.length, 2);
  });
});
