// A pod as a metrics target: which port and path (annotations, named ports, runtime ports), and
// metrics.k8s.io's PodMetrics read defensively (objects come from a cluster).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { formatCores, parsePodMetrics, podMetricsEndpoint } from '../../../src/core/metrics/pods';
import { planScaffold } from '../../../src/core/scaffold/index';
import { parse as parseYaml } from 'yaml';
import { frameworkProject } from '../scaffold/fixtures';

const pod = (ports: { name?: string; containerPort: unknown; protocol?: string }[], annotations?: Record<string, unknown>) => ({
  metadata: { name: 'p', ...(annotations ? { annotations } : {}) },
  spec: { containers: [{ name: 'main', ports }] },
});

describe('podMetricsEndpoint', () => {
  test('annotations first, then a port named metrics, a runtime port, the http port', () => {
    assert.deepEqual(podMetricsEndpoint(pod([{ name: 'http', containerPort: 8080 }], { 'prometheus.io/port': '9100', 'prometheus.io/path': '/stats' })), { port: 9100, path: '/stats', why: "the pod's prometheus.io/port annotation" });
    assert.equal((podMetricsEndpoint(pod([{ name: 'http', containerPort: 8000 }, { name: 'metrics', containerPort: 8002 }])) as { port: number }).port, 8002);
    assert.deepEqual(podMetricsEndpoint(pod([{ containerPort: 8500 }, { containerPort: 8501 }])), { port: 8501, path: '/monitoring/prometheus/metrics', why: 'port 8501, where the model server serves metrics' });
    assert.deepEqual(podMetricsEndpoint(pod([{ name: 'http', containerPort: 8080 }])), { port: 8080, path: '/metrics', why: 'the container port named http' });
    assert.deepEqual(podMetricsEndpoint(pod([])), { error: 'the pod declares no container port and no prometheus.io/port annotation' });
  });

  test('hostile or malformed fields are ignored, never used', () => {
    const bad = pod([{ name: 'metrics', containerPort: 70000 }, { name: 'udp', containerPort: 53, protocol: 'UDP' }, { name: 'http', containerPort: '8080' }], {
      'prometheus.io/port': '80; rm -rf /',
      'prometheus.io/path': 'http://evil.example/x',
    });
    assert.deepEqual(podMetricsEndpoint(bad), { error: 'the pod declares no container port and no prometheus.io/port annotation' });
    assert.equal((podMetricsEndpoint(pod([{ name: 'http', containerPort: 8080 }], { 'prometheus.io/path': '/a?b=c' })) as { path: string }).path, '/metrics');
    for (const junk of [null, 42, 'pod', [], { spec: { containers: 'x' } }, { metadata: { annotations: [] } }]) assert.ok('error' in podMetricsEndpoint(junk));
  });

  test('the pods of every generated Deployment point at the metrics their server exports', () => {
    for (const [runtime, project] of [
      ['python', frameworkProject('scikit-learn', '1.4.2')],
      ['tfserving', frameworkProject('tensorflow', '2.15.0')],
      ['torchserve', frameworkProject('pytorch', '2.3.1')],
      ['triton', frameworkProject('onnxruntime', '1.18.0')],
    ] as const) {
      for (const monitoring of ['none', 'prometheus'] as const) {
        const plan = planScaffold(project, { runtime, monitoring });
        const dep = parseYaml(plan.files.find((f) => f.path === 'k8s/deployment.yaml')!.content) as { spec: { template: unknown } };
        const e = podMetricsEndpoint(dep.spec.template);
        assert.ok(!('error' in e), `${runtime}: ${JSON.stringify(e)}`);
        assert.deepEqual({ port: e.port, path: e.path }, { port: plan.metrics!.port, path: plan.metrics!.path }, `${runtime} with monitoring ${monitoring}`);
      }
    }
  });
});

describe('parsePodMetrics', () => {
  test('sums the containers; quantities with suffixes', () => {
    const u = parsePodMetrics({
      kind: 'PodMetrics',
      timestamp: '2026-01-01T00:00:00Z',
      window: '15s',
      containers: [
        { name: 'a', usage: { cpu: '250m', memory: '512Mi' } },
        { name: 'b', usage: { cpu: '1500000n', memory: '1G' } },
      ],
    });
    assert.deepEqual(u, { cpuCores: 0.25 + 0.0015, memoryBytes: 512 * 2 ** 20 + 1e9, timestamp: '2026-01-01T00:00:00Z', window: '15s' });
    assert.equal(formatCores(0.2515), '252m');
    assert.equal(formatCores(2), '2.00 cores');
  });

  test('anything else is null', () => {
    for (const junk of [null, {}, { kind: 'Pod', containers: [] }, { kind: 'PodMetrics' }, { kind: 'PodMetrics', containers: [{ usage: { cpu: 'lots', memory: '1Mi' } }] }, { kind: 'PodMetrics', containers: [{}] }]) {
      assert.equal(parsePodMetrics(junk), null, JSON.stringify(junk));
    }
  });
});
