// Built-in kinds per Kubernetes version, API version verdicts, formats, bundled and workspace CRDs:
// the false errors and missed errors of the "lint every built-in kind" issue, each as a case.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_KUBERNETES_VERSION, KUBERNETES_VERSIONS, applyFix, createLinter } from '../../../src/core/lint';
import type { Finding, LintOptions } from '../../../src/core/lint';

const linter = createLinter();
const lint = (text: string, options: LintOptions = {}): Finding[] => linter.lintYaml(text, 'k8s.yaml', options);
const errors = (f: Finding[]): Finding[] => f.filter((x) => x.severity === 'error');
const rules = (f: Finding[]): string[] => f.map((x) => x.rule);

const DEPLOY_BODY = `metadata: {name: d}\nspec:\n  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d}}\n    spec:\n      containers: [{name: c, image: "c:1", resources: {limits: {memory: 1Gi}}}]\n`;

describe('Kubernetes versions', () => {
  test('at least the last six minors are bundled; the newest is the default', () => {
    assert.ok(KUBERNETES_VERSIONS.length >= 6);
    assert.equal(DEFAULT_KUBERNETES_VERSION, KUBERNETES_VERSIONS[KUBERNETES_VERSIONS.length - 1]);
  });
  test('autoscaling/v1 HorizontalPodAutoscaler is served by every bundled version', () => {
    const hpa = 'apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: d}\n  maxReplicas: 3\n  targetCPUUtilizationPercentage: 80\n';
    for (const v of KUBERNETES_VERSIONS) assert.deepEqual(lint(hpa, { kubernetesVersion: v }), [], v);
  });
  test('StatefulSet: volumeClaimTemplates need no apiVersion/kind, serviceName is optional', () => {
    const sts = 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec:\n  selector: {matchLabels: {app: s}}\n  template:\n    metadata: {labels: {app: s}}\n    spec:\n      containers: [{name: c, image: "c:1", resources: {limits: {memory: 1Gi}}}]\n  volumeClaimTemplates:\n  - metadata: {name: data}\n    spec:\n      accessModes: [ReadWriteOnce]\n      resources: {requests: {storage: 1Gi}}\n';
    for (const v of KUBERNETES_VERSIONS) assert.deepEqual(lint(sts, { kubernetesVersion: v }), [], v);
  });
  test('DRA resourceClaimTemplateName: valid from 1.31, unknown in 1.30', () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  resourceClaims:\n  - name: gpu\n    resourceClaimTemplateName: gpu-template\n  containers:\n  - name: c\n    image: c:1\n    resources:\n      claims: [{name: gpu}]\n      limits: {memory: 1Gi}\n';
    assert.deepEqual(lint(pod, { kubernetesVersion: '1.31' }), []);
    assert.deepEqual(lint(pod), []);
    assert.match(errors(lint(pod, { kubernetesVersion: '1.30' }))[0]!.message, /unknown field `resourceClaimTemplateName`/);
  });
  test('an API a later version removes is a warning before, an error after, with the replacement', () => {
    const fs = 'apiVersion: flowcontrol.apiserver.k8s.io/v1beta3\nkind: FlowSchema\nmetadata: {name: f}\nspec:\n  priorityLevelConfiguration: {name: x}\n';
    const before = lint(fs, { kubernetesVersion: '1.30' });
    assert.deepEqual(rules(before), ['deprecated-api']);
    assert.equal(before[0]!.severity, 'warning');
    assert.match(before[0]!.message, /Kubernetes 1\.32 no longer serves it; use `apiVersion: flowcontrol\.apiserver\.k8s\.io\/v1`/);
    const after = lint(fs, { kubernetesVersion: '1.34' });
    assert.deepEqual(rules(after), ['api-version']);
    assert.match(after[0]!.message, /was removed in Kubernetes 1\.32/);
    assert.equal(applyFix(fs, after[0]!.fix!), fs.replace('v1beta3', 'v1'));
    assert.deepEqual(lint(applyFix(fs, after[0]!.fix!), { kubernetesVersion: '1.34' }), []);
  });
  test('APIs removed before the bundled versions name the release that removed them', () => {
    const f = lint('apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: i}\n');
    assert.equal(f[0]!.message, '`extensions/v1beta1` Ingress was removed in Kubernetes 1.22; use `apiVersion: networking.k8s.io/v1`');
    assert.match(lint('apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: p}\n')[0]!.message, /removed in Kubernetes 1\.25: it has no replacement/);
  });
  test('wrong group for a kind: an error naming the right apiVersion, with a quick fix', () => {
    const text = `apiVersion: v1\nkind: Deployment\n${DEPLOY_BODY}`;
    const f = lint(text);
    assert.deepEqual(rules(f), ['api-version']);
    assert.equal(f[0]!.message, `Deployment is not in the core API group: Kubernetes ${DEFAULT_KUBERNETES_VERSION} serves it as \`apiVersion: apps/v1\``);
    assert.deepEqual([f[0]!.line, f[0]!.column, f[0]!.endColumn], [1, 13, 15]);
    const fixed = applyFix(text, f[0]!.fix!);
    assert.equal(fixed, `apiVersion: apps/v1\nkind: Deployment\n${DEPLOY_BODY}`);
    assert.deepEqual(lint(fixed), []);
  });
  test('a misspelled kind of a built-in group: did you mean', () => {
    assert.match(lint(`apiVersion: apps/v1\nkind: Deploymnet\n${DEPLOY_BODY}`)[0]!.message, /no kind Deploymnet in `apps\/v1` — did you mean `Deployment`\?/);
  });
});

describe('formats', () => {
  test('Secret data and caBundle must be base64', () => {
    const f = errors(lint('apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  token: not base64!\n  ok: aGVsbG8=\n  multi: |\n    aGVs\n    bG8=\n'));
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /`token` must be base64/);
    const hook = 'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: w}\nwebhooks:\n- name: v.example.com\n  admissionReviewVersions: [v1]\n  sideEffects: None\n  clientConfig:\n    caBundle: "${CA_BUNDLE}"\n    service: {name: s, namespace: n}\n';
    assert.match(errors(lint(hook))[0]!.message, /`caBundle` must be base64.*unexpanded template variable/);
  });
  test('quantities: template variables and stray text are errors', () => {
    const f = errors(lint('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: c:1\n    resources:\n      limits: {nvidia.com/gpu: "${ACCELERATOR_QUANTITY}", memory: "5Gi "}\n'));
    assert.equal(f.length, 2);
    assert.ok(f.every((x) => /must be a quantity/.test(x.message)));
  });
  test('a flow map where a string belongs (volumeID: {volume-id})', () => {
    const f = errors(lint('apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv}\nspec:\n  capacity: {storage: 10Gi}\n  accessModes: [ReadWriteOnce]\n  awsElasticBlockStore:\n    volumeID: {volume-id}\n'));
    assert.equal(f[0]!.message, '`volumeID` must be a string, got a map');
  });
  test('DNS names, labels and ports', () => {
    const f = errors(lint('apiVersion: v1\nkind: Service\nmetadata: {name: My_Svc, labels: {"bad key!": x, ok: "-bad"}}\nspec:\n  ports: [{port: 80, targetPort: "8080", name: HTTP}, {port: 70000}]\n'));
    assert.deepEqual(
      f.map((x) => x.message.split(':')[0]),
      ['`metadata.name` of a Service must be an RFC 1035 label', 'key "bad key!" in `metadata.labels` must be a qualified name', '`ok` must be a label value', '`targetPort` must be a port number from 1 to 65535 or a port name (at most 15 lower-case letters, digits and "-"); got the string "8080"', '`name` must be an RFC 1123 label', '`port` must be a port number from 1 to 65535; got the number 70000'],
    );
    assert.deepEqual(errors(lint('apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: "system:aggregate-to-ml"}\nrules: []\n')), []);
  });
});

describe('metadata', () => {
  test('a misspelled top-level key: did you mean, with a rename fix, and no second complaint about the name', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmeta:\n  name: c\ndata: {a: b}\n';
    const f = lint(text);
    assert.equal(f.length, 1);
    assert.equal(f[0]!.message, 'unknown field `meta` — did you mean `metadata`?');
    assert.deepEqual(lint(applyFix(text, f[0]!.fix!)), []);
  });
  test('missing metadata.name is reported', () => {
    const f = lint('apiVersion: v1\nkind: ConfigMap\nmetadata: {labels: {a: b}}\ndata: {a: b}\n');
    assert.match(f[0]!.message, /missing `metadata.name`/);
    assert.deepEqual(lint('apiVersion: batch/v1\nkind: Job\nmetadata: {generateName: train-}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: "c:1", resources: {limits: {memory: 1Gi}}}]\n'), []);
  });
});

describe('custom resources', () => {
  test('bundled CRDs: KServe probes without a port, RayCluster typos, ServiceMonitor', () => {
    assert.deepEqual(lint('apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: m}\nspec:\n  predictor:\n    model:\n      modelFormat: {name: sklearn}\n      storageUri: gs://b/m\n      readinessProbe:\n        httpGet: {path: /ready}\n'), []);
    const ray = lint('apiVersion: ray.io/v1\nkind: RayCluster\nmetadata: {name: r}\nspec:\n  headGroupSpec:\n    rayStartParams: {}\n    template:\n      spec:\n        containers: [{name: head, image: "rayproject/ray:2.9.0", resouces: {}}]\n');
    assert.equal(ray[0]!.message, 'unknown field `resouces` — did you mean `resources`?');
    assert.deepEqual(lint('apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: m}\nspec:\n  selector: {matchLabels: {app: m}}\n  endpoints: [{port: metrics, interval: 30s}]\n'), []);
  });
  test('every listed CRD kind is bundled', () => {
    const kinds = ['serving.kserve.io/v1beta1/InferenceService', 'serving.kserve.io/v1alpha1/ServingRuntime', 'serving.kserve.io/v1alpha1/ClusterServingRuntime', 'serving.kserve.io/v1alpha1/InferenceGraph', 'trainer.kubeflow.org/v1alpha1/TrainJob', 'kubeflow.org/v1/PyTorchJob', 'kubeflow.org/v1/TFJob', 'kubeflow.org/v1/MPIJob', 'kubeflow.org/v2beta1/MPIJob', 'ray.io/v1/RayCluster', 'ray.io/v1/RayJob', 'ray.io/v1/RayService', 'monitoring.coreos.com/v1/ServiceMonitor', 'monitoring.coreos.com/v1/PodMonitor', 'monitoring.coreos.com/v1/PrometheusRule', 'kueue.x-k8s.io/v1beta1/LocalQueue', 'kueue.x-k8s.io/v1beta1/ClusterQueue', 'kueue.x-k8s.io/v1beta1/Workload', 'nvidia.com/v1/ClusterPolicy'];
    for (const k of kinds) {
      const slash = k.lastIndexOf('/');
      const f = lint(`apiVersion: ${k.slice(0, slash)}\nkind: ${k.slice(slash + 1)}\nmetadata: {name: x}\nspec: {notAField: 1}\n`);
      assert.ok(f.some((x) => /unknown field `notAField`/.test(x.message)), `${k}: ${f.map((x) => x.message).join(' | ')}`);
    }
  });
  test('a deprecated CRD version is a warning, with the CRD\'s own advice and a fix to the served successor', () => {
    const text = 'apiVersion: kueue.x-k8s.io/v1beta1\nkind: LocalQueue\nmetadata: {name: q, namespace: team}\nspec:\n  clusterQueue: cq\n';
    const f = lint(text);
    assert.deepEqual(rules(f), ['deprecated-api']);
    assert.equal(f[0]!.severity, 'warning');
    assert.match(f[0]!.message, /is deprecated: .*v1beta2/);
    const fixed = applyFix(text, f[0]!.fix!);
    assert.match(fixed, /^apiVersion: kueue\.x-k8s\.io\/v1beta2$/m);
    assert.deepEqual(lint(fixed), []);
  });
  test('a CRD in the workspace validates its custom resources, offline, and wins over the bundled one', () => {
    const l = createLinter();
    const crd = 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec:\n  group: example.com\n  names: {kind: Widget, plural: widgets}\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            type: object\n            required: [size]\n            properties:\n              size: {type: integer, minimum: 1}\n              memory: {x-kubernetes-int-or-string: true, pattern: "^(\\\\+|-)?(([0-9]+(\\\\.[0-9]*)?)|(\\\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\\\+|-)?(([0-9]+(\\\\.[0-9]*)?)|(\\\\.[0-9]+))))?$"}\n  - name: v0\n    served: false\n    storage: false\n';
    const cr = 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  size: 0\n  memory: 2 Gi\n  colour: red\n';
    assert.deepEqual(rules(l.lintYaml(cr, 'w.yaml')), ['unchecked']);
    assert.deepEqual(l.setCustomResourceDefinitions([{ file: 'crds/widget.yaml', text: crd }]), ['example.com/Widget']);
    const f = l.lintYaml(cr, 'w.yaml');
    assert.deepEqual(f.map((x) => x.message.slice(0, 40)), ['`size` must be >= 1, got the number 0', '`memory` must be a quantity such as 500m', 'unknown field `colour` in `spec`']);
    assert.match(l.lintYaml(cr.replace('example.com/v1', 'example.com/v0'), 'w.yaml')[0]!.message, /marks version v0 `served: false`; use `apiVersion: example.com\/v1`/);
  });
});

describe('gpu-image-without-gpu', () => {
  test('quiet on NVIDIA device plugin, DCGM exporter and driver daemons; still fires on a model server', () => {
    const ds = (image: string, extra = ''): string => `apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: n}\nspec:\n  selector: {matchLabels: {app: n}}\n  template:\n    metadata: {labels: {app: n}}\n    spec:\n      containers:\n      - name: c\n        image: ${image}\n        resources: {limits: {memory: 1Gi}}${extra}\n`;
    for (const image of ['nvcr.io/nvidia/k8s-device-plugin:v0.17.0', 'nvcr.io/nvidia/k8s/dcgm-exporter:3.3.5-3.4.1-ubuntu22.04', 'nvcr.io/nvidia/driver:550.54.15', 'nvcr.io/nvidia/k8s-dra-driver-gpu:v25.3.0']) {
      assert.deepEqual(lint(ds(image)).filter((f) => f.rule === 'gpu-image-without-gpu'), [], image);
    }
    assert.deepEqual(lint(ds('registry.example.com/cuda-probe:12.1', '\n        securityContext: {privileged: true}')).filter((f) => f.rule === 'gpu-image-without-gpu'), []);
    assert.equal(lint(ds('nvcr.io/nvidia/pytorch:24.01-py3')).filter((f) => f.rule === 'gpu-image-without-gpu').length, 1);
  });
});
