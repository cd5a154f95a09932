import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import Ajv from 'ajv';
import { KUBERNETES_VERSIONS } from '../../../src/core/lint';
import { CRD_INDEX } from '../../../src/core/lint/generated/crd-schemas';
import { SchemaLibrary } from '../../../src/core/lint/k8s';
import { byRule, lint } from './helpers';

const POD_SPEC = `containers:
  - name: app
    image: registry.example.com/app:1.0
    resources:
      requests: {cpu: 100m, memory: 128Mi}
      limits: {memory: 128Mi}`;
const indent = (s: string, n: number): string => s.split('\n').map((l) => ' '.repeat(n) + l).join('\n');
const template = (n: number): string => `${' '.repeat(n)}metadata:\n${' '.repeat(n)}  labels: {app: x}\n${' '.repeat(n)}spec:\n${indent(POD_SPEC, n + 2)}`;

/** kind → [valid document, invalid document, expected message fragment]. */
const CASES: Record<string, [string, string, RegExp]> = {
  Pod: [`apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n${indent(POD_SPEC, 2)}\n`, `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  restartPolicy: Sometimes\n${indent(POD_SPEC, 2)}\n`, /`restartPolicy` must be one of Always, OnFailure, Never; got the string "Sometimes"/],
  Deployment: [`apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {app: x}}\n  template:\n${template(4)}\n`, `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: three\n  selector: {matchLabels: {app: x}}\n  template:\n${template(4)}\n`, /`replicas` must be an integer, got the string "three"/],
  StatefulSet: [`apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec:\n  serviceName: s\n  selector: {matchLabels: {app: x}}\n  template:\n${template(4)}\n`, `apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec:\n  serviceName: s\n  selector: {matchLabels: {app: x}}\n  template:\n${template(4)}\n  podManagementPolicy: Whenever\n`, /`podManagementPolicy` must be one of OrderedReady, Parallel/],
  DaemonSet: [`apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: s}\nspec:\n  selector: {matchLabels: {app: x}}\n  template:\n${template(4)}\n`, `apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: s}\nspec:\n  template:\n${template(4)}\n`, /missing required field `selector` in `spec`/],
  Job: [`apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n${template(4)}\n`, `apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  backofLimit: 3\n  template:\n${template(4)}\n`, /unknown field `backofLimit` — did you mean `backoffLimit`\?/],
  CronJob: [`apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: "0 * * * *"\n  jobTemplate:\n    spec:\n      template:\n${template(8)}\n`, `apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: 5\n  jobTemplate:\n    spec:\n      template:\n${template(8)}\n`, /`schedule` must be a string, got the number 5 — quote it: "5"/],
  Service: [`apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: {app: x}\n  ports: [{port: 80, targetPort: http}]\n`, `apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: "80"}]\n`, /`port` must be an integer, got the string "80"/],
  ConfigMap: [`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: "1"\n`, `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: 1\n`, /`a` must be a string, got the number 1 — quote it: "1"/],
  Secret: [`apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: Opaque\nstringData:\n  token: abc\n`, `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringdata:\n  token: abc\n`, /unknown field `stringdata` — did you mean `stringData`\?/],
  PersistentVolumeClaim: [`apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: p}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 10Gi\n`, `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: p}\nspec:\n  accessModes: [ReadWriteSometimes]\n`, /`accessModes\[0\]` must be one of ReadWriteOnce/],
  Ingress: [`apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec:\n  rules:\n    - http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service: {name: s, port: {number: 80}}\n`, `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec:\n  rules:\n    - http:\n        paths:\n          - path: /\n            backend:\n              service: {name: s, port: {number: 80}}\n`, /missing required field `pathType`/],
  HorizontalPodAutoscaler: [`apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: d}\n  maxReplicas: 3\n`, `apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: d}\n  maxReplicas: 3\n  targetCPUUtilizationPercentage: 80\n`, /unknown field `targetCPUUtilizationPercentage`/],
  PodDisruptionBudget: [`apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec:\n  minAvailable: 1\n  selector: {matchLabels: {app: x}}\n`, `apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec:\n  minAvailable: true\n`, /`minAvailable` must be an integer or a string, got the boolean true/],
  ServiceAccount: [`apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: s}\nautomountServiceAccountToken: false\n`, `apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: s}\nautomountServiceAccountToken: "no"\n`, /`automountServiceAccountToken` must be a boolean \(true or false\), got the string "no"/],
  Namespace: [`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ml\n  labels: {team: research}\n`, `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ml\n  lables: {team: research}\n`, /unknown field `lables` — did you mean `labels`\?/],
  InferenceService: [`apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: m}\nspec:\n  predictor:\n    minReplicas: 1\n    model:\n      modelFormat: {name: sklearn}\n      storageUri: gs://bucket/model\n      resources: {limits: {cpu: "1", memory: 2Gi}}\n`, `apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: m}\nspec:\n  predictor:\n    minReplicas: one\n    model:\n      modelFormat: {name: sklearn}\n      storageUri: gs://bucket/model\n`, /`minReplicas` must be an integer, got the string "one"/],
};

describe('schemas: a valid and an invalid document per kind', () => {
  for (const [kind, [valid, invalid, message]] of Object.entries(CASES)) {
    test(kind, () => {
      assert.deepEqual(byRule(lint(valid), 'schema'), [], `${kind} valid`);
      const f = byRule(lint(invalid), 'schema');
      assert.ok(f.length >= 1, `${kind} invalid`);
      assert.ok(f.some((x) => message.test(x.message)), `${kind}: ${f.map((x) => x.message).join(' | ')}`);
    });
  }
});

describe('schema message placement', () => {
  test('type error on the value, exactly', () => {
    const f = byRule(lint(CASES.Deployment![1]), 'schema');
    assert.deepEqual(f.map((x) => [x.line, x.column, x.endLine, x.endColumn]), [[5, 13, 5, 18]]);
  });
  test('unknown field on the key, with a suggestion; the missing twin is not repeated', () => {
    const text = `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  contianers:\n    - name: a\n      image: a:1\n`;
    const f = byRule(lint(text), 'schema');
    assert.equal(f.length, 1);
    assert.deepEqual([f[0]!.line, f[0]!.column, f[0]!.endLine, f[0]!.endColumn], [5, 3, 5, 13]);
    assert.equal(f[0]!.message, 'unknown field `contianers` — did you mean `containers`?');
  });
  test('missing required field on the parent key', () => {
    const f = byRule(lint(CASES.DaemonSet![1]), 'schema');
    assert.equal(f.length, 1);
    assert.deepEqual([f[0]!.line, f[0]!.column, f[0]!.endColumn], [4, 1, 5]);
  });
  test('missing field inside a list item goes on the item', () => {
    const text = `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - image: a:1\n`;
    const f = byRule(lint(text), 'schema');
    assert.equal(f[0]!.message, 'missing required field `name` in `spec.containers[0]`');
    assert.deepEqual([f[0]!.line, f[0]!.column], [6, 7]);
  });
  test('null means unset, as for the API server', () => {
    const text = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels:\nspec:\n  nodeSelector:\n${indent(POD_SPEC, 2)}\n`;
    assert.deepEqual(byRule(lint(text), 'schema'), []);
  });
  test('a removed API is flagged on apiVersion, with the version that removed it and the replacement', () => {
    const text = `apiVersion: apps/v1beta2\nkind: Deployment\nmetadata: {name: d}\n`;
    const f = lint(text);
    assert.equal(f.length, 1);
    assert.equal(f[0]!.rule, 'api-version');
    assert.equal(f[0]!.message, '`apps/v1beta2` Deployment was removed in Kubernetes 1.16; use `apiVersion: apps/v1`');
    assert.deepEqual([f[0]!.line, f[0]!.column, f[0]!.endColumn], [1, 13, 25]);
  });
});

describe('document kinds', () => {
  test('custom resources without a schema are not checked, and the file says so once', () => {
    const text = `apiVersion: example.com/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {anything: [1, 2]}\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: b}\nspec: {x: 1}\n`;
    const f = lint(text);
    assert.equal(f.length, 1);
    assert.equal(f[0]!.rule, 'unchecked');
    assert.equal(f[0]!.severity, 'info');
    assert.equal(f[0]!.line, 2);
    assert.match(f[0]!.message, /2 documents are not schema-checked.*example\.com\/v1 Deployment \(line 2\); example\.com\/v1 Widget \(line 7\)/);
  });
  test('plain YAML that is neither Kubernetes nor compose is left alone', () => {
    assert.deepEqual(lint('foo: bar\nlist: [1, 2]\n', 'values.yaml'), []);
  });
  test('compose by file name and by services: shape', () => {
    const bad = 'services:\n  m:\n    image: app:1\n    restart: sometimes\n    x-note: fine\nx-common: {a: 1}\n';
    for (const file of ['compose.yaml', 'docker-compose.gpu.yml', 'stack.yaml']) {
      const f = byRule(lint(bad, file), 'schema');
      assert.equal(f.length, 1, file);
      assert.match(f[0]!.message, /`restart` must be one of no, always, on-failure, unless-stopped/);
      assert.equal(f[0]!.line, 4);
    }
    const typo = 'services:\n  m:\n    image: app:1\n    enviroment: {A: "1"}\n';
    assert.equal(byRule(lint(typo, 'compose.yaml'), 'schema')[0]!.message, 'unknown field `enviroment` — did you mean `environment`?');
    const gpu = 'services:\n  m:\n    image: app:1\n    deploy:\n      resources:\n        reservations:\n          devices:\n            - driver: nvidia\n              count: 1\n              capabilities: [gpu]\n';
    assert.deepEqual(lint(gpu, 'compose.yaml'), []);
    const badCount = gpu.replace('count: 1', 'count: some');
    assert.match(byRule(lint(badCount, 'compose.yaml'), 'schema')[0]!.message, /`count` must be/);
  });
});

describe('bundled schema files', () => {
  test('the compose schema is a valid JSON Schema', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const s = JSON.parse(readFileSync('schemas/compose-spec.json', 'utf8')) as { $id: string };
    assert.equal(ajv.validateSchema(s), true);
  });
  test('every bundled Kubernetes version and CRD bundle decodes, and the lint bundle stays small', () => {
    const lib = new SchemaLibrary();
    for (const v of KUBERNETES_VERSIONS) {
      const b = lib.k8s(v);
      assert.ok(Object.keys(b.kinds).length > 80, `${v}: ${Object.keys(b.kinds).length} kinds`);
      assert.ok(b.kinds['apps/v1/Deployment'] && b.defs['io.k8s.api.core.v1.PodSpec'], v);
    }
    for (const [id, entry] of Object.entries(CRD_INDEX)) for (const v of entry.versions) assert.ok(lib.crd(v.source)?.schemas[`${id}/${v.name}`], `${id}/${v.name}`);
    const generated = ['k8s-schemas.ts', 'crd-schemas.ts'].reduce((n, f) => n + statSync(`src/core/lint/generated/${f}`).size, 0);
    assert.ok(generated < 600 * 1024, `${generated} bytes of bundled schemas`);
  });
  test('schemas/sources.json names a licence and a pinned hash for every source', () => {
    const sources = (JSON.parse(readFileSync('schemas/sources.json', 'utf8')) as { sources: { module: string; version: string; sha256: string; licence: string }[] }).sources;
    assert.ok(sources.length >= 16);
    for (const s of sources) {
      assert.match(s.sha256, /^[0-9a-f]{64}$/, s.module);
      assert.equal(s.licence, 'Apache-2.0', s.module);
    }
  });
  test('the precompiled compose validator under src/core/lint/generated is up to date', () => {
    const r = spawnSync(process.execPath, ['scripts/gen-validators.mjs', '--check'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
});
