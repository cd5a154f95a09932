import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { applyFix, TAG_PLACEHOLDER } from '../../../src/core/lint';
import { byRule, goodDeployment, lint } from './helpers';

describe('good deployment baseline', () => {
  test('has no findings at all', () => {
    assert.deepEqual(lint(goodDeployment()), []);
  });
});

describe('selector-mismatch', () => {
  const bad = goodDeployment().replace('      labels:\n        app: web', '      labels:\n        app: webapp');
  test('flags the selector label, on the selector pair, as an error', () => {
    const f = byRule(lint(bad), 'selector-mismatch');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'error');
    assert.deepEqual([f[0]!.line, f[0]!.column, f[0]!.endLine, f[0]!.endColumn], [9, 7, 9, 15]);
    assert.match(f[0]!.message, /selector `app: web` does not match the pod template, which has `app: webapp`/);
  });
  test('quick fix aligns the template label and then lints clean', () => {
    const f = byRule(lint(bad), 'selector-mismatch')[0]!;
    assert.ok(f.fix);
    assert.equal(applyFix(bad, f.fix), goodDeployment());
  });
  test('a missing template label is inserted by the fix', () => {
    const noLabel = goodDeployment().replace('      labels:\n        app: web\n', '      labels:\n        tier: api\n');
    const f = byRule(lint(noLabel), 'selector-mismatch')[0]!;
    assert.match(f.message, /has no `app` label/);
    const fixed = applyFix(noLabel, f.fix!);
    assert.deepEqual(byRule(lint(fixed), 'selector-mismatch'), []);
    assert.match(fixed, /tier: api\n {8}app: web\n/);
  });
  test('matchExpressions are evaluated', () => {
    const expr = goodDeployment().replace('    matchLabels:\n      app: web\n', '    matchExpressions:\n      - key: app\n        operator: In\n        values: [api]\n');
    assert.equal(byRule(lint(expr), 'selector-mismatch').length, 1);
    const ok = expr.replace('values: [api]', 'values: [web, api]');
    assert.deepEqual(byRule(lint(ok), 'selector-mismatch'), []);
  });
  test('negative: matching labels', () => {
    assert.deepEqual(byRule(lint(goodDeployment()), 'selector-mismatch'), []);
  });
});

describe('gpu-fractional', () => {
  test('flags 0.5 and "500m", fix rounds up to 1', () => {
    for (const v of ['0.5', '"500m"', '1.5']) {
      const text = goodDeployment({ gpu: v });
      const f = byRule(lint(text), 'gpu-fractional');
      assert.equal(f.length, 2, v); // requests and limits
      assert.equal(f[0]!.severity, 'error');
      assert.match(f[0]!.message, /must be a whole number of GPUs/);
      let fixed = text;
      for (const x of byRule(lint(fixed), 'gpu-fractional').reverse()) fixed = applyFix(fixed, x.fix!);
      assert.deepEqual(byRule(lint(fixed), 'gpu-fractional'), [], v);
      assert.match(fixed, v === '1.5' ? /nvidia\.com\/gpu: 2\n/ : /nvidia\.com\/gpu: 1\n/);
    }
  });
  test('negative: whole numbers, quoted or not', () => {
    assert.deepEqual(byRule(lint(goodDeployment({ gpu: '2' })), 'gpu-fractional'), []);
    assert.deepEqual(byRule(lint(goodDeployment({ gpu: '"1"' })), 'gpu-fractional'), []);
  });
});

describe('gpu-request-mismatch', () => {
  const base = goodDeployment({ gpu: '1' });
  test('request without limit: error on the request key; fix inserts the limit', () => {
    const text = base.replace('              memory: 1Gi\n              nvidia.com/gpu: 1\n          volumeMounts', 'x').replace(/(limits:\n {14}memory: 1Gi)\n {14}nvidia\.com\/gpu: 1/, '$1');
    const f = byRule(lint(text), 'gpu-request-mismatch');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.line, 29);
    assert.equal(f[0]!.column, 15);
    assert.equal(f[0]!.endColumn, 29);
    assert.equal(applyFix(text, f[0]!.fix!), base);
  });
  test('different limit: fix copies the request value', () => {
    const text = base.replace(/(limits:\n {14}memory: 1Gi\n {14}nvidia\.com\/gpu: )1/, '$12');
    const f = byRule(lint(text), 'gpu-request-mismatch');
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /request 1 differs from its limit 2/);
    assert.equal(applyFix(text, f[0]!.fix!), base);
  });
  test('no limits map at all: fix adds one', () => {
    const text = base.replace(/ {12}limits:\n {14}memory: 1Gi\n {14}nvidia\.com\/gpu: 1\n/, '');
    const f = byRule(lint(text), 'gpu-request-mismatch');
    assert.equal(f.length, 1);
    const fixed = applyFix(text, f[0]!.fix!);
    assert.deepEqual(byRule(lint(fixed), 'gpu-request-mismatch'), []);
    assert.match(fixed, / {12}limits:\n {14}nvidia\.com\/gpu: 1\n/);
  });
  test('negative: limits only (requests default to limits), or equal', () => {
    assert.deepEqual(byRule(lint(base), 'gpu-request-mismatch'), []);
    const limitsOnly = base.replace(/(requests:\n {14}cpu: 500m\n {14}memory: 1Gi)\n {14}nvidia\.com\/gpu: 1/, '$1');
    assert.deepEqual(byRule(lint(limitsOnly), 'gpu-request-mismatch'), []);
  });
});

describe('requests-exceed-limits', () => {
  test('memory 2Gi over 1Gi limit is an error on the request value', () => {
    const text = goodDeployment().replace('requests:\n              cpu: 500m\n              memory: 1Gi', 'requests:\n              cpu: 500m\n              memory: 2Gi');
    const f = byRule(lint(text), 'requests-exceed-limits');
    assert.equal(f.length, 1);
    assert.deepEqual([f[0]!.line, f[0]!.column, f[0]!.endColumn], [28, 23, 26]);
    assert.match(f[0]!.message, /`memory` request 2Gi exceeds its limit 1Gi/);
  });
  test('units are compared, not strings: 1000Mi < 1Gi, 1500m > 1', () => {
    const a = goodDeployment().replace('cpu: 500m\n              memory: 1Gi', 'cpu: 500m\n              memory: 1000Mi');
    assert.deepEqual(byRule(lint(a), 'requests-exceed-limits'), []);
    const b = goodDeployment().replace('cpu: 500m', 'cpu: 1500m').replace('limits:\n              memory: 1Gi', 'limits:\n              cpu: 1\n              memory: 1Gi');
    assert.equal(byRule(lint(b), 'requests-exceed-limits').length, 1);
  });
});

describe('image-latest', () => {
  test(':latest is a warning with a pin-tag fix that needs input', () => {
    const text = goodDeployment({ image: 'registry.example.com/web:latest' });
    const f = byRule(lint(text), 'image-latest');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'warning');
    assert.equal(f[0]!.fix?.needsInput, 'tag');
    assert.match(f[0]!.fix!.title, /^Pin image tag/);
    assert.equal(f[0]!.fix!.edits[0]!.newText, TAG_PLACEHOLDER);
    assert.equal(applyFix(text, f[0]!.fix!, '1.2.3'), goodDeployment());
  });
  test('no tag at all is flagged too; fix appends :tag; quoted images keep quotes', () => {
    const text = goodDeployment({ image: '"registry.example.com/web"' });
    const f = byRule(lint(text), 'image-latest');
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /has no tag/);
    assert.match(applyFix(text, f[0]!.fix!, '1.2.3'), /image: "registry\.example\.com\/web:1\.2\.3"/);
  });
  test('negative: tags, digests, registry ports', () => {
    for (const image of ['web:1.0', 'localhost:5000/web:2', 'web@sha256:abc', 'localhost:5000/web:latest@sha256:abc']) {
      assert.deepEqual(byRule(lint(goodDeployment({ image })), 'image-latest'), [], image);
    }
    assert.equal(byRule(lint(goodDeployment({ image: 'localhost:5000/web' })), 'image-latest').length, 1);
  });
});

describe('missing-resources', () => {
  test('warning on the container name when resources are absent', () => {
    const text = goodDeployment().replace(/ {10}resources:\n(?: {12,}.*\n)+/, '');
    const f = byRule(lint(text), 'missing-resources');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'warning');
    assert.deepEqual([f[0]!.line, f[0]!.column], [16, 17]);
  });
  test('negative', () => assert.deepEqual(byRule(lint(goodDeployment()), 'missing-resources'), []));
});

describe('missing-probes', () => {
  const noProbe = goodDeployment().replace(/ {10}readinessProbe:\n(?: {12,}.*\n)+/, '');
  test('a Deployment serving a port without readinessProbe is warned', () => {
    const f = byRule(lint(noProbe), 'missing-probes');
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /serves port 8080 but has no readinessProbe/);
  });
  test('negative: probe present, or a Job, or no ports', () => {
    assert.deepEqual(byRule(lint(goodDeployment()), 'missing-probes'), []);
    assert.deepEqual(byRule(lint(noProbe.replace(/ {10}ports:\n(?: {12,}.*\n)+/, '')), 'missing-probes'), []);
    assert.deepEqual(byRule(lint(noProbe.replace('kind: Deployment', 'kind: DaemonSet').replace('  replicas: 2\n', '')), 'missing-probes'), []);
  });
});

describe('port-mismatch', () => {
  const svc = (target: string, ns = '') => `---
apiVersion: v1
kind: Service
metadata:
  name: web${ns ? `\n  namespace: ${ns}` : ''}
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: ${target}
`;
  test('numeric targetPort not exposed', () => {
    const text = goodDeployment() + svc('9090');
    const f = byRule(lint(text), 'port-mismatch');
    assert.equal(f.length, 1);
    assert.deepEqual([f[0]!.line, f[0]!.column, f[0]!.endColumn], [41, 19, 23]);
    assert.match(f[0]!.message, /targetPort 9090 is not a containerPort/);
  });
  test('named targetPort not exposed', () => {
    const f = byRule(lint(goodDeployment() + svc('grpc')), 'port-mismatch');
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /targetPort `grpc` names no container port.*http/);
  });
  test('negative: matching number, matching name, other namespace, no selected pods', () => {
    assert.deepEqual(byRule(lint(goodDeployment() + svc('8080')), 'port-mismatch'), []);
    assert.deepEqual(byRule(lint(goodDeployment() + svc('http')), 'port-mismatch'), []);
    assert.deepEqual(byRule(lint(goodDeployment() + svc('9090', 'other')), 'port-mismatch'), []);
    assert.deepEqual(byRule(lint(svc('9090')), 'port-mismatch'), []);
  });
});

describe('gpu-image-without-gpu', () => {
  test('a CUDA image without a GPU request is warned on the image', () => {
    const f = byRule(lint(goodDeployment({ image: 'nvidia/cuda:12.1.1-runtime-ubuntu22.04' })), 'gpu-image-without-gpu');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.line, 17);
    const tf = byRule(lint(goodDeployment({ image: 'tensorflow/tensorflow:2.15.0-gpu' })), 'gpu-image-without-gpu');
    assert.equal(tf.length, 1);
  });
  test('negative: GPU requested, or CPU image', () => {
    assert.deepEqual(byRule(lint(goodDeployment({ image: 'nvidia/cuda:12.1.1-runtime-ubuntu22.04', gpu: '1' })), 'gpu-image-without-gpu'), []);
    assert.deepEqual(byRule(lint(goodDeployment({ image: 'python:3.11-slim' })), 'gpu-image-without-gpu'), []);
  });
  test('compose services are checked too', () => {
    const compose = 'services:\n  m:\n    image: pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime\n';
    assert.equal(byRule(lint(compose, 'compose.yaml'), 'gpu-image-without-gpu').length, 1);
    const withGpu = `${compose}    gpus: all\n`;
    assert.deepEqual(byRule(lint(withGpu, 'compose.yaml'), 'gpu-image-without-gpu'), []);
  });
});

describe('shm-missing', () => {
  const torch = goodDeployment({ image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime', gpu: '1' });
  test('info on PyTorch GPU pods, with a fix that adds the volume and the mount', () => {
    const f = byRule(lint(torch), 'shm-missing');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'info');
    const fixed = applyFix(torch, f[0]!.fix!);
    assert.deepEqual(lint(fixed), []);
    assert.match(fixed, / {10}volumeMounts:\n {12}- name: dshm\n {14}mountPath: \/dev\/shm\n {6}volumes:\n {8}- name: dshm\n {10}emptyDir:\n {12}medium: Memory\n/);
  });
  test('fix appends to existing volumes / volumeMounts lists', () => {
    const withVols = torch.replace(/(nvidia\.com\/gpu: 1\n)$/, `$1          volumeMounts:\n            - name: cache\n              mountPath: /cache\n      volumes:\n        - name: cache\n          emptyDir: {}\n`);
    const f = byRule(lint(withVols), 'shm-missing');
    assert.equal(f.length, 1);
    const fixed = applyFix(withVols, f[0]!.fix!);
    assert.deepEqual(lint(fixed), []);
  });
  test('negative: no GPU, or not PyTorch', () => {
    assert.deepEqual(byRule(lint(goodDeployment({ image: 'pytorch/pytorch:2.3.1-cpu' })), 'shm-missing'), []);
    assert.deepEqual(byRule(lint(goodDeployment({ image: 'registry.example.com/tf:1', gpu: '1' })), 'shm-missing'), []);
  });
});
