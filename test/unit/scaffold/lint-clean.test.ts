// Issues 4, 5 and 9 meet here: whatever Containerize Model writes must pass ModelDock's own
// linter with zero errors (schemas for Kubernetes 1.30, KServe, compose, and the ML rules), and
// every generated Dockerfile must pass the Dockerfile rules (cuda-mismatch included).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cudaCompat } from '../../../src/core/cuda';
import type { FrameworkName } from '../../../src/core/detect/types';
import { createLinter, lintDockerfile, type Finding } from '../../../src/core/lint';
import { planScaffold, type ScaffoldChoices, type ScaffoldPlan } from '../../../src/core/scaffold';
import { detection, frameworkProject } from './fixtures';
import { llmLintCases } from './llm-lint-cases';

const linter = createLinter();

function errorsOf(plan: ScaffoldPlan, pins: { pytorch?: string; tensorflow?: string } = {}): Finding[] {
  const out: Finding[] = [];
  for (const f of plan.files) {
    if (/\.ya?ml$/.test(f.path)) out.push(...linter.lintYaml(f.content, f.path));
    else if (/(^|\/)Dockerfile$/.test(f.path)) out.push(...lintDockerfile(f.content, f.path, { pins, cuda: cudaCompat }));
  }
  return out.filter((x) => x.severity === 'error');
}

function show(findings: Finding[]): string {
  return findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule} ${f.message}`).join('\n');
}

const FRAMEWORKS: [FrameworkName, string | null][] = [
  ['pytorch', '2.3.1'],
  ['pytorch', null],
  ['tensorflow', '2.15.0'],
  ['keras', '3.3.3'],
  ['jax', '0.4.30'],
  ['scikit-learn', '1.4.2'],
  ['xgboost', '2.0.3'],
  ['lightgbm', '4.3.0'],
  ['catboost', '1.2.5'],
  ['onnxruntime', '1.18.0'],
  ['transformers', '4.41.2'],
];

describe('generated manifests lint clean', () => {
  for (const [name, version] of FRAMEWORKS) {
    for (const target of ['cpu', 'gpu'] as const) {
      test(`${name} ${version ?? '(unpinned)'} ${target}: Dockerfile, compose, k8s and KServe`, () => {
        const choices: ScaffoldChoices = { target, outputs: { kserve: true } };
        const plan = planScaffold(frameworkProject(name, version), choices);
        assert.deepEqual(plan.errors, []);
        assert.ok(plan.files.some((f) => f.path.startsWith('k8s/')), 'no Kubernetes manifests generated');
        const pins = name === 'pytorch' || name === 'tensorflow' ? { [name]: version ?? undefined } : {};
        const errors = errorsOf(plan, pins as { pytorch?: string; tensorflow?: string });
        assert.equal(errors.length, 0, show(errors));
      });
    }
  }

  test('a training script (Job) with GPUs lints clean', () => {
    const plan = planScaffold(frameworkProject('pytorch', '2.3.1', { entrypoint: { file: 'train.py', kind: 'script' } }), { target: 'gpu', gpuCount: 2 });
    assert.ok(plan.files.some((f) => /job/i.test(f.path)));
    const errors = errorsOf(plan, { pytorch: '2.3.1' });
    assert.equal(errors.length, 0, show(errors));
  });

  // Cog's exec readiness probe, BentoML's and Truss's split readiness/liveness paths, GPU rollouts.
  for (const kind of ['cog', 'bentoml', 'truss'] as const) {
    for (const target of ['cpu', 'gpu'] as const) {
      test(`a ${kind} project (${target}) lints clean`, () => {
        const file = kind === 'truss' ? 'model/model.py' : kind === 'bentoml' ? 'service.py' : 'predict.py';
        const d = frameworkProject('pytorch', '2.3.1', { entrypoint: { file, kind, object: kind === 'bentoml' ? 'Svc' : undefined } });
        d.systemPackages = [{ name: 'ffmpeg', file: 'cog.yaml', line: 3 }];
        const plan = planScaffold(d, { target, outputs: { kserve: true } });
        assert.deepEqual(plan.errors, []);
        const errors = errorsOf(plan, { pytorch: '2.3.1' });
        assert.equal(errors.length, 0, show(errors));
      });
    }
  }

  test('TorchServe with the project\'s torch over its image passes the cuda-mismatch rule', () => {
    const d = detection({ frameworks: [{ name: 'pytorch', version: '2.3.1' }], packages: [{ name: 'torch', version: '2.3.1' }], artifacts: [{ file: 'model_store/resnet.mar', format: 'torchserve-mar', bytes: 10 }] });
    const plan = planScaffold(d, { runtime: 'torchserve', target: 'gpu' });
    assert.deepEqual(plan.errors, []);
    const errors = errorsOf(plan, { pytorch: '2.3.1' });
    assert.equal(errors.length, 0, show(errors));
  });

  const runtimes: [string, ReturnType<typeof detection>][] = [
    ['tfserving', detection({ frameworks: [{ name: 'tensorflow', version: '2.15.0' }], artifacts: [{ file: 'export/classifier', format: 'savedmodel', bytes: 1000 }] })],
    ['torchserve', detection({ frameworks: [{ name: 'pytorch', version: '2.3.1' }], artifacts: [{ file: 'model_store/resnet.mar', format: 'torchserve-mar', bytes: 10 }] })],
    ['triton', detection({ frameworks: [{ name: 'onnxruntime', version: '1.18.0' }], artifacts: [{ file: 'models/detector.onnx', format: 'onnx', bytes: 10 }] })],
    ['kserve', frameworkProject('scikit-learn', '1.4.2')],
  ];
  for (const [runtime, d] of runtimes) {
    for (const target of ['cpu', 'gpu'] as const) {
      test(`runtime ${runtime} (${target}) lints clean`, () => {
        const plan = planScaffold(d, { runtime: runtime as ScaffoldChoices['runtime'], target, outputs: { kserve: true } });
        assert.deepEqual(plan.errors, []);
        const errors = errorsOf(plan);
        assert.equal(errors.length, 0, show(errors));
      });
    }
  }

  // LLM servers (vLLM, SGLang, TGI, llama.cpp): every model source, target and output, sized from real headers.
  for (const c of llmLintCases()) {
    test(`runtime ${c.label} lints clean`, () => {
      const plan = c.plan();
      assert.deepEqual(plan.errors, []);
      assert.ok(plan.files.some((f) => f.path === 'k8s/deployment.yaml'));
      const errors = errorsOf(plan);
      assert.equal(errors.length, 0, show(errors));
    });
  }
});
