// `--monitoring prometheus` for every runtime: the ServiceMonitor and PrometheusRule validate
// strictly against the Prometheus Operator's own CRD schemas (v0.85.0, test/fixtures/monitoring/crds),
// every generated YAML file lints clean with ModelDock's linter, the ServiceMonitor points at a
// port the Service and the pods really have, the scrape annotations agree with it, and the
// Grafana dashboard (ConfigMap and plain file, the same JSON) only queries metrics the runtime
// exports. promtool and a real Prometheus check the same files in test/integration/monitoring.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { MODELDOCK_METRICS } from '../../../src/core/metrics/figures';
import { createLinter } from '../../../src/core/lint';
import { planScaffold, type ScaffoldChoices, type ScaffoldPlan } from '../../../src/core/scaffold';
import { dashboardQueries, type GrafanaDashboard } from '../../../src/core/scaffold/monitoringDashboard';
import { detection, frameworkProject } from '../scaffold/fixtures';

const CRDS = path.resolve(__dirname, '..', '..', 'fixtures', 'monitoring', 'crds');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** additionalProperties: false wherever a schema lists its properties (unknown fields are errors). */
function strict(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(strict);
  if (!schema || typeof schema !== 'object') return schema;
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === 'properties' && v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, strict(s)])) : strict(v);
  }
  if (out.properties && out['x-kubernetes-preserve-unknown-fields'] !== true && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

// The CRDs carry Go (RE2) patterns; the one construct JavaScript lacks is the (?i) flag group.
const goRegExp = Object.assign((pattern: string, flags: string) => (pattern.includes('(?i)') ? new RegExp(pattern.split('(?i)').join(''), `${flags}i`) : new RegExp(pattern, flags)), { code: 'goRegExp' });
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, code: { regExp: goRegExp } });
function crdValidator(file: string) {
  const crd = parseYaml(readFileSync(path.join(CRDS, file), 'utf8')) as { spec: { versions: { name: string; schema: { openAPIV3Schema: Json } }[] } };
  const v1 = crd.spec.versions.find((v) => v.name === 'v1');
  assert.ok(v1, `${file} has no v1`);
  return ajv.compile(strict(v1.schema.openAPIV3Schema) as object);
}
const VALIDATE: Record<string, ReturnType<typeof crdValidator>> = {
  ServiceMonitor: crdValidator('monitoring.coreos.com_servicemonitors.yaml'),
  PrometheusRule: crdValidator('monitoring.coreos.com_prometheusrules.yaml'),
};

const linter = createLinter();

interface Doc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

function docs(plan: ScaffoldPlan, file: string): Doc[] {
  const f = plan.files.find((x) => x.path === file);
  assert.ok(f, `${file} not planned: ${plan.files.map((x) => x.path).join(', ')}`);
  return parseAllDocuments(f.content).map((d) => {
    assert.deepEqual(d.errors, []);
    return d.toJS() as Doc;
  });
}

/** Metric names a PromQL expression selects (every query here uses a `{…}` selector). */
function metricNames(expr: string): string[] {
  const names = [...expr.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)\{/g)].map((m) => m[1]!);
  assert.ok(names.length > 0, `no metric selector in ${expr}`);
  return names;
}

// What each runtime exports, from its documentation (not from ModelDock's query table):
// TorchServe ts/configs/metrics.yaml (metrics_mode=prometheus); Triton's metrics docs; TF Serving's
// /tensorflow/serving/* metrics as its Prometheus exporter names them.
const EXPORTED: Record<string, string[]> = {
  modeldock: Object.values(MODELDOCK_METRICS).flatMap((n) => [n, `${n}_bucket`, `${n}_sum`, `${n}_count`]),
  triton: ['nv_inference_request_success', 'nv_inference_request_failure', 'nv_inference_request_duration_us', 'nv_inference_count', 'nv_inference_pending_request_count', 'nv_gpu_memory_used_bytes', 'nv_gpu_memory_total_bytes', 'nv_gpu_utilization'],
  tfserving: [':tensorflow:serving:request_count', ':tensorflow:serving:request_latency_bucket', ':tensorflow:serving:request_latency_sum', ':tensorflow:serving:request_latency_count'],
  torchserve: ['ts_inference_requests_total', 'ts_inference_latency_microseconds', 'ts_queue_latency_microseconds', 'Requests2XX', 'Requests4XX', 'Requests5XX', 'GPUMemoryUsed', 'GPUMemoryUtilization', 'GPUUtilization'],
};

const sklearnServe = () =>
  detection({ frameworks: [{ name: 'scikit-learn', version: '1.9.1' }], packages: [{ name: 'scikit-learn', version: '1.9.1' }], artifacts: [{ file: 'models/model.joblib', format: 'joblib', bytes: 4096 }] });

const CASES: { what: string; plan: () => ScaffoldPlan; flavour: string; gpu: boolean }[] = [
  { what: 'generated serve.py (CPU)', plan: () => planScaffold(sklearnServe(), { createEntrypoint: true, target: 'cpu', monitoring: 'prometheus' }), flavour: 'modeldock', gpu: false },
  { what: 'own FastAPI app (GPU)', plan: () => planScaffold(frameworkProject('pytorch', '2.3.1'), { target: 'gpu', monitoring: 'prometheus' }), flavour: 'modeldock', gpu: true },
  {
    what: 'TF Serving (GPU)',
    plan: () => planScaffold(frameworkProject('tensorflow', '2.15.0'), { runtime: 'tfserving', target: 'gpu', monitoring: 'prometheus' }),
    flavour: 'tfserving',
    gpu: true,
  },
  {
    what: 'TorchServe (CPU)',
    plan: () => planScaffold(frameworkProject('pytorch', '2.3.1', { artifacts: [{ file: 'model.mar', format: 'torchserve-mar', bytes: 1000 }] }), { runtime: 'torchserve', target: 'cpu', monitoring: 'prometheus' }),
    flavour: 'torchserve',
    gpu: false,
  },
  {
    what: 'Triton (GPU)',
    plan: () => planScaffold(frameworkProject('onnxruntime', '1.18.0'), { runtime: 'triton', target: 'gpu', monitoring: 'prometheus' }),
    flavour: 'triton',
    gpu: true,
  },
];

describe('monitoring manifests', () => {
  for (const c of CASES) {
    test(`${c.what}: CRD-valid, lint-clean, pointing at the metrics port`, () => {
      const plan = c.plan();
      assert.deepEqual(plan.errors, []);
      assert.ok(plan.metrics, 'plan.metrics');
      assert.equal(plan.metrics.flavour, c.flavour);

      // The Prometheus Operator's own schemas, strictly.
      const [sm] = docs(plan, 'k8s/monitoring/servicemonitor.yaml');
      const [rule] = docs(plan, 'k8s/monitoring/prometheusrule.yaml');
      for (const d of [sm!, rule!]) {
        const validate = VALIDATE[d.kind]!;
        assert.ok(validate(d), `${d.kind} does not validate against the CRD: ${JSON.stringify(validate.errors, null, 2)}`);
      }
      // ModelDock's linter: every YAML file, the ConfigMap and the annotated Deployment included.
      for (const f of plan.files.filter((x) => /\.ya?ml$/.test(x.path))) {
        const errors = linter.lintYaml(f.content, f.path).filter((x) => x.severity === 'error');
        assert.deepEqual(errors.map((e) => `${f.path}:${e.line} ${e.rule} ${e.message}`), []);
      }

      // ServiceMonitor → Service (by label) → the port by name → the container port the metrics are on.
      const [svc] = docs(plan, 'k8s/service.yaml');
      const [dep] = docs(plan, 'k8s/deployment.yaml');
      const selector = (sm!.spec!.selector as { matchLabels: Record<string, string> }).matchLabels;
      for (const [k, v] of Object.entries(selector)) assert.equal(svc!.metadata.labels?.[k], v, `the Service lacks ${k}=${v}`);
      const endpoint = (sm!.spec!.endpoints as { port: string; path: string }[])[0]!;
      assert.equal(endpoint.port, plan.metrics.portName);
      assert.equal(endpoint.path, plan.metrics.path);
      const svcPort = (svc!.spec!.ports as { name: string; targetPort: string }[]).find((p) => p.name === endpoint.port);
      assert.ok(svcPort, `the Service has no port named ${endpoint.port}`);
      const template = (dep!.spec!.template as { metadata: { annotations: Record<string, string> }; spec: { containers: { ports: { name: string; containerPort: number }[] }[] } });
      const containerPort = template.spec.containers[0]!.ports.find((p) => p.name === svcPort.targetPort);
      assert.equal(containerPort?.containerPort, plan.metrics.port);
      assert.deepEqual(template.metadata.annotations, { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(plan.metrics.port), 'prometheus.io/path': plan.metrics.path });

      // Alerts: the runtime's own names; GPU memory only for GPU targets.
      const rules = ((rule!.spec!.groups as { rules: { alert: string; expr: string; for?: string; labels: { severity: string } }[] }[])[0]!).rules;
      const alerts = rules.map((r) => r.alert);
      assert.deepEqual(alerts, ['ModelServerDown', 'ModelHighLatency', 'ModelHighErrorRatio', 'ModelPodRestarting', ...(c.gpu ? ['ModelGpuMemoryNearFull'] : [])]);
      const allowed = new Set([...EXPORTED[c.flavour]!, 'up', 'kube_pod_container_status_restarts_total', 'DCGM_FI_DEV_FB_USED', 'DCGM_FI_DEV_FB_FREE']);
      for (const r of rules) for (const n of metricNames(r.expr)) assert.ok(allowed.has(n), `${r.alert} queries ${n}, which ${c.flavour} does not export`);
      assert.match(rules.find((r) => r.alert === 'ModelHighLatency')!.expr, /> 1$/);
      assert.match(rules.find((r) => r.alert === 'ModelHighErrorRatio')!.expr, /> 0\.05$/);

      // The dashboard: the same JSON in the ConfigMap and the plain file; queries the runtime's metrics only.
      const [cm] = docs(plan, 'k8s/monitoring/grafana-dashboard.yaml');
      assert.equal(cm!.kind, 'ConfigMap');
      assert.equal(cm!.metadata.labels?.grafana_dashboard, '1');
      const inMap = Object.values(cm!.data ?? {});
      assert.equal(inMap.length, 1);
      const plain = plan.files.find((f) => f.path === 'monitoring/grafana-dashboard.json')!.content;
      assert.deepEqual(JSON.parse(inMap[0]!), JSON.parse(plain));
      const dashboard = JSON.parse(plain) as GrafanaDashboard;
      assert.ok(dashboard.uid.length <= 40);
      const queries = dashboardQueries(dashboard);
      assert.ok(queries.length >= 4);
      for (const q of queries) for (const n of metricNames(q.replace(/^label_values\(([^,]+),.*$/, '$1{}'))) assert.ok(EXPORTED[c.flavour]!.includes(n), `the dashboard queries ${n}, which ${c.flavour} does not export (${q})`);
      const titles = (dashboard.panels as { title: string }[]).map((p) => p.title);
      assert.equal(titles.some((t) => /GPU/.test(t)), c.gpu && c.flavour !== 'tfserving', `GPU panels: ${titles.join(', ')}`);
    });
  }

  test('the strict CRD check fails on what the API server would refuse', () => {
    const sm = docs(CASES[0]!.plan(), 'k8s/monitoring/servicemonitor.yaml')[0]!;
    const endpoints = sm.spec!.endpoints as Record<string, unknown>[];
    const bad = [
      { ...sm, spec: { ...sm.spec, endpoints: [{ ...endpoints[0], interval: 'often' }] } },
      { ...sm, spec: { ...sm.spec, endpoints: [{ ...endpoints[0], scrapeInterval: '30s' }] } },
      { ...sm, spec: { ...sm.spec, selector: 'app=x' } },
    ];
    for (const d of bad) assert.equal(VALIDATE.ServiceMonitor!(d), false, JSON.stringify(d.spec));
  });

  test('runtime configuration for metrics: TF Serving monitoring config, TorchServe prometheus mode, Triton 8002', () => {
    const tf = planScaffold(frameworkProject('tensorflow', '2.15.0'), { runtime: 'tfserving' });
    const config = tf.files.find((f) => f.path === 'tfserving/monitoring.config')!.content;
    assert.match(config, /prometheus_config \{\n {2}enable: true,\n {2}path: "\/monitoring\/prometheus\/metrics"\n\}/);
    const df = tf.files.find((f) => f.path === 'Dockerfile')!.content;
    assert.match(df, /COPY tfserving\/monitoring\.config \/etc\/tfserving\/monitoring\.config/);
    assert.match(df, /CMD \["--monitoring_config_file=\/etc\/tfserving\/monitoring\.config"\]/);
    assert.doesNotMatch(tf.files.find((f) => f.path === '.dockerignore')!.content, /^tfserving/m);
    assert.deepEqual(tf.metrics, { portName: 'http', port: 8501, path: '/monitoring/prometheus/metrics', flavour: 'tfserving' });
    const none = planScaffold(frameworkProject('tensorflow', '2.15.0'), { runtime: 'tfserving', metrics: 'none' });
    assert.ok(!none.files.some((f) => f.path === 'tfserving/monitoring.config'));
    assert.doesNotMatch(none.files.find((f) => f.path === 'Dockerfile')!.content, /monitoring_config_file/);

    const ts = planScaffold(frameworkProject('pytorch', '2.3.1'), { runtime: 'torchserve' });
    assert.match(ts.files.find((f) => f.path === 'torchserve/config.properties')!.content, /^metrics_mode=prometheus$/m);
    assert.deepEqual(ts.metrics, { portName: 'metrics', port: 8082, path: '/metrics', flavour: 'torchserve' });
    const triton = planScaffold(frameworkProject('onnxruntime', '1.18.0'), { runtime: 'triton' });
    assert.deepEqual(triton.metrics, { portName: 'metrics', port: 8002, path: '/metrics', flavour: 'triton' });
    assert.equal(planScaffold(frameworkProject('scikit-learn', '1.4.2', { artifacts: [{ file: 'model.joblib', format: 'joblib', bytes: 1 }] }), { runtime: 'kserve' }).metrics, null);
  });

  test('without --monitoring nothing is added; labels and thresholds are validated', () => {
    const plain = planScaffold(sklearnServe(), { createEntrypoint: true });
    assert.ok(!plain.files.some((f) => f.path.startsWith('k8s/monitoring/') || f.path.startsWith('monitoring/')));
    assert.doesNotMatch(plain.files.find((f) => f.path === 'k8s/deployment.yaml')!.content, /prometheus\.io/);

    const choices = (o: ScaffoldChoices['monitoringOptions']): ScaffoldChoices => ({ createEntrypoint: true, monitoring: 'prometheus', monitoringOptions: o });
    const labelled = planScaffold(sklearnServe(), choices({ labels: { release: 'kube-prometheus-stack' }, p95Seconds: 0.25, errorRatio: 0.01 }));
    assert.deepEqual(labelled.errors, []);
    for (const file of ['k8s/monitoring/servicemonitor.yaml', 'k8s/monitoring/prometheusrule.yaml']) assert.equal(docs(labelled, file)[0]!.metadata.labels?.release, 'kube-prometheus-stack');
    const rules = ((docs(labelled, 'k8s/monitoring/prometheusrule.yaml')[0]!.spec!.groups as { rules: { alert: string; expr: string; annotations: { summary: string } }[] }[])[0]!).rules;
    const latency = rules.find((r) => r.alert === 'ModelHighLatency')!;
    assert.match(latency.expr, /> 0\.25$/);
    assert.match(latency.annotations.summary, /above 250ms/);
    assert.match(rules.find((r) => r.alert === 'ModelHighErrorRatio')!.expr, /> 0\.01$/);

    const hostile: NonNullable<ScaffoldChoices['monitoringOptions']>[] = [{ labels: { 'bad key!': 'x' } }, { labels: { release: 'a\nkind: Secret' } }, { labels: { 'app.kubernetes.io/name': 'x' } }, { p95Seconds: -1 }, { errorRatio: 2 }];
    for (const bad of hostile) {
      const p = planScaffold(sklearnServe(), choices(bad));
      assert.ok(p.errors.length > 0, `accepted ${JSON.stringify(bad)}`);
    }
    const noK8s = planScaffold(sklearnServe(), { createEntrypoint: true, monitoring: 'prometheus', outputs: { kubernetes: false } });
    assert.ok(noK8s.notes.some((n) => /Monitoring: skipped/.test(n)));
    assert.ok(!noK8s.files.some((f) => f.path.startsWith('k8s/monitoring/')));
  });
});
