#!/usr/bin/env node
// Regenerates schemas/kubernetes-1.30.json from the TypeScript definitions in
// node_modules/kubernetes-types (1.30.x, themselves generated from the Kubernetes OpenAPI spec),
// and schemas/kserve-inferenceservice-v1beta1.json (hand-written, but it borrows PodSpec's fields
// from the same bundle so the two never drift). Output is deterministic: sorted keys, no dates.
//
//   node scripts/gen-schemas.mjs          write the files
//   node scripts/gen-schemas.mjs --check  exit 1 if the committed files differ from a fresh run
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ts = require('typescript');

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TYPES = join(ROOT, 'node_modules', 'kubernetes-types');
const K8S_VERSION = JSON.parse(readFileSync(join(TYPES, 'package.json'), 'utf8')).version;
const K8S_MINOR = K8S_VERSION.split('.').slice(0, 2).join('.');
const OUT_K8S = join(ROOT, 'schemas', `kubernetes-${K8S_MINOR}.json`);
const OUT_KSERVE = join(ROOT, 'schemas', 'kserve-inferenceservice-v1beta1.json');

/** The kinds ML workloads use: [module, interface]. */
const KINDS = [
  ['core/v1', 'Pod'],
  ['apps/v1', 'Deployment'],
  ['apps/v1', 'StatefulSet'],
  ['apps/v1', 'DaemonSet'],
  ['batch/v1', 'Job'],
  ['batch/v1', 'CronJob'],
  ['core/v1', 'Service'],
  ['core/v1', 'ConfigMap'],
  ['core/v1', 'Secret'],
  ['core/v1', 'PersistentVolumeClaim'],
  ['networking/v1', 'Ingress'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler'],
  ['policy/v1', 'PodDisruptionBudget'],
  ['core/v1', 'ServiceAccount'],
  ['core/v1', 'Namespace'],
];

// Descriptions are the bulk of the bundle; the first sentence is enough for hovers and keeps
// the committed JSON well under the 2 MB budget.
function firstSentence(text) {
  const t = text.replace(/\s+/g, ' ').trim();
  const m = /^(.{20,}?[.!?])(\s|$)/.exec(t);
  const s = m ? m[1] : t;
  return s.length > 300 ? `${s.slice(0, 297)}...` : s;
}

const modules = new Map(); // 'core/v1' -> { sf, decls: Map<name, node>, imports: Map<name, module> }
function loadModule(mod) {
  let m = modules.get(mod);
  if (m) return m;
  const file = join(TYPES, `${mod}.d.ts`);
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const decls = new Map();
  const imports = new Map();
  for (const st of sf.statements) {
    if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) decls.set(st.name.text, st);
    else if (ts.isImportDeclaration(st) && st.importClause?.namedBindings && ts.isNamedImports(st.importClause.namedBindings)) {
      const target = relative(TYPES, resolve(dirname(file), st.moduleSpecifier.text)).split('\\').join('/');
      for (const el of st.importClause.namedBindings.elements) imports.set(el.name.text, target);
    }
  }
  m = { sf, decls, imports };
  modules.set(mod, m);
  return m;
}

function defKey(mod, name) {
  return `${mod.replace(/\//g, '.')}.${name}`;
}

function docOf(node) {
  const jsDoc = node.jsDoc;
  const c = jsDoc && jsDoc.length ? jsDoc[jsDoc.length - 1].comment : undefined;
  return typeof c === 'string' && c ? firstSentence(c) : undefined;
}

const defs = {};
const pending = [];

function refTo(mod, name) {
  // Resolve through imports to the declaring module.
  const m = loadModule(mod);
  if (!m.decls.has(name)) {
    const from = m.imports.get(name);
    if (!from) throw new Error(`unresolved type ${name} in ${mod}`);
    return refTo(from, name);
  }
  // Scalars the API serialises as strings or numbers get inlined rather than referenced.
  if (name === 'Quantity') return { type: ['string', 'number'] };
  if (name === 'Time' || name === 'MicroTime') return { type: 'string' };
  const decl = m.decls.get(name);
  if (ts.isTypeAliasDeclaration(decl)) return typeToSchema(mod, decl.type);
  const key = defKey(mod, name);
  if (!(key in defs)) {
    defs[key] = null; // placeholder against cycles (JSONSchemaProps-like recursion)
    pending.push([mod, name, key]);
  }
  return { $ref: `#/$defs/${key}` };
}

function typeToSchema(mod, t) {
  switch (t.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { type: 'string' };
    // Kubernetes' numeric fields in these kinds are int32/int64; none is a float.
    case ts.SyntaxKind.NumberKeyword:
      return { type: 'integer' };
    case ts.SyntaxKind.BooleanKeyword:
      return { type: 'boolean' };
    case ts.SyntaxKind.LiteralType:
      if (ts.isStringLiteral(t.literal)) return { type: 'string', const: t.literal.text };
      break;
    case ts.SyntaxKind.UnionType: {
      const names = t.types.map((u) => u.kind);
      if (names.includes(ts.SyntaxKind.NumberKeyword) && names.includes(ts.SyntaxKind.StringKeyword) && names.length === 2)
        return { type: ['integer', 'string'] }; // IntOrString
      return { anyOf: t.types.map((u) => typeToSchema(mod, u)) };
    }
    case ts.SyntaxKind.ArrayType:
      return { type: 'array', items: typeToSchema(mod, t.elementType) };
    case ts.SyntaxKind.TypeReference: {
      const name = t.typeName.getText();
      if (name === 'Array' && t.typeArguments?.length === 1) return { type: 'array', items: typeToSchema(mod, t.typeArguments[0]) };
      return refTo(mod, name);
    }
    case ts.SyntaxKind.TypeLiteral: {
      const idx = t.members.find((m) => ts.isIndexSignatureDeclaration(m));
      if (idx && t.members.length === 1) return { type: 'object', additionalProperties: typeToSchema(mod, idx.type) };
      break;
    }
    default:
      break;
  }
  throw new Error(`unsupported type in ${mod}: ${t.getText()}`);
}

function interfaceToSchema(mod, decl, topLevel) {
  const properties = {};
  const required = [];
  for (const member of decl.members) {
    if (!ts.isPropertySignature(member) || !member.type) continue;
    const name = member.name.getText().replace(/^["']|["']$/g, '');
    const s = { ...typeToSchema(mod, member.type) };
    const d = docOf(member);
    if (d && !s.$ref) s.description = d;
    properties[name] = s;
    if (!member.questionToken) required.push(name);
  }
  // An empty interface (RawExtension, FieldsV1) is an opaque JSON object.
  if (Object.keys(properties).length === 0) return { type: 'object', ...(docOf(decl) ? { description: docOf(decl) } : {}) };
  if (topLevel) {
    // The API server needs both to route the object; kubernetes-types marks them optional
    // only because they are filled in by the client library.
    for (const k of ['apiVersion', 'kind']) if (properties[k] && !required.includes(k)) required.unshift(k);
  }
  const out = { type: 'object' };
  const d = docOf(decl);
  if (d) out.description = d;
  out.properties = properties;
  if (required.length) out.required = required;
  // Strict, as the API server's strict field validation (kubectl --validate=strict) is.
  out.additionalProperties = false;
  return out;
}

// kubernetes-types carries no enum lists; these come from the 1.30 OpenAPI spec's "Possible enum
// values" for fields ML manifests commonly get wrong. [definition, property, values, isArrayItems]
const ENUMS = [
  ['core.v1.PodSpec', 'restartPolicy', ['Always', 'OnFailure', 'Never']],
  ['core.v1.PodSpec', 'dnsPolicy', ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None']],
  ['core.v1.Container', 'imagePullPolicy', ['Always', 'IfNotPresent', 'Never']],
  ['core.v1.Container', 'terminationMessagePolicy', ['File', 'FallbackToLogsOnError']],
  ['core.v1.ContainerPort', 'protocol', ['TCP', 'UDP', 'SCTP']],
  ['core.v1.ServicePort', 'protocol', ['TCP', 'UDP', 'SCTP']],
  ['core.v1.ServiceSpec', 'type', ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']],
  ['core.v1.ServiceSpec', 'sessionAffinity', ['ClientIP', 'None']],
  ['core.v1.ServiceSpec', 'externalTrafficPolicy', ['Cluster', 'Local']],
  ['core.v1.ServiceSpec', 'internalTrafficPolicy', ['Cluster', 'Local']],
  ['core.v1.PersistentVolumeClaimSpec', 'accessModes', ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'], true],
  ['core.v1.PersistentVolumeClaimSpec', 'volumeMode', ['Block', 'Filesystem']],
  ['core.v1.Toleration', 'operator', ['Exists', 'Equal']],
  ['core.v1.Toleration', 'effect', ['NoSchedule', 'PreferNoSchedule', 'NoExecute']],
  ['core.v1.HTTPGetAction', 'scheme', ['HTTP', 'HTTPS']],
  ['apps.v1.DeploymentStrategy', 'type', ['Recreate', 'RollingUpdate']],
  ['apps.v1.StatefulSetSpec', 'podManagementPolicy', ['OrderedReady', 'Parallel']],
  ['batch.v1.CronJobSpec', 'concurrencyPolicy', ['Allow', 'Forbid', 'Replace']],
  ['batch.v1.JobSpec', 'completionMode', ['NonIndexed', 'Indexed']],
  ['autoscaling.v2.MetricSpec', 'type', ['ContainerResource', 'External', 'Object', 'Pods', 'Resource']],
  ['autoscaling.v2.MetricTarget', 'type', ['AverageValue', 'Utilization', 'Value']],
  ['networking.v1.HTTPIngressPath', 'pathType', ['Exact', 'ImplementationSpecific', 'Prefix']],
];

function applyEnums() {
  for (const [def, prop, values, items] of ENUMS) {
    const p = defs[def]?.properties?.[prop];
    if (!p) throw new Error(`enum overlay: ${def}.${prop} not found`);
    if (items) p.items = { type: 'string', enum: values };
    else p.enum = values;
  }
}

function drain(topLevelKeys) {
  while (pending.length) {
    const [mod, name, key] = pending.shift();
    const decl = loadModule(mod).decls.get(name);
    defs[key] = interfaceToSchema(mod, decl, topLevelKeys.has(key));
  }
}

function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const o = {};
    // Keep schema keywords in a readable order but property maps sorted for stable diffs.
    for (const k of Object.keys(v).sort()) o[k] = sortKeys(v[k]);
    return o;
  }
  return v;
}

const topLevel = new Set(KINDS.map(([mod, name]) => defKey(mod, name)));
const kinds = {};
for (const [mod, name] of KINDS) {
  refTo(mod, name);
  const decl = loadModule(mod).decls.get(name);
  const apiVersion = decl.members.find((m) => m.name?.getText() === 'apiVersion').type.literal.text;
  kinds[`${apiVersion}/${name}`] = `#/$defs/${defKey(mod, name)}`;
}
drain(topLevel);
applyEnums();

const bundle = sortKeys({
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: `https://modeldock.invalid/schemas/kubernetes-${K8S_MINOR}.json`,
  title: `Kubernetes ${K8S_MINOR} objects used by ML workloads (generated from kubernetes-types ${K8S_VERSION})`,
  'x-modeldock-kinds': kinds,
  $defs: defs,
});

// ---- KServe InferenceService (serving.kserve.io/v1beta1), hand-written. ----
// The predictor is a PodSpec plus KServe's component fields plus one model spec; we copy PodSpec's
// property list so the predictor stays strict without hand-maintaining ~40 pod fields.
const K8S_REF = `kubernetes-${K8S_MINOR}.json#/$defs/`;
const podSpec = defs['core.v1.PodSpec'];
const podSpecProps = {};
for (const [k, v] of Object.entries(podSpec.properties)) {
  podSpecProps[k] = v.$ref ? { $ref: v.$ref.replace('#/$defs/', K8S_REF) } : rewriteRefs(v);
}
function rewriteRefs(v) {
  if (Array.isArray(v)) return v.map(rewriteRefs);
  if (v && typeof v === 'object') {
    const o = {};
    for (const [k, x] of Object.entries(v)) o[k] = k === '$ref' ? x.replace('#/$defs/', K8S_REF) : rewriteRefs(x);
    return o;
  }
  return v;
}
const ref = (name) => ({ $ref: `${K8S_REF}${name}` });
const componentExtension = {
  minReplicas: { type: 'integer', minimum: 0, description: 'Minimum number of replicas; 0 enables scale-to-zero.' },
  maxReplicas: { type: 'integer', minimum: 0, description: 'Maximum number of replicas for autoscaling.' },
  scaleTarget: { type: 'integer', description: 'Target value for the autoscaling metric.' },
  scaleMetric: { type: 'string', enum: ['cpu', 'memory', 'concurrency', 'rps'] },
  scaleMetricType: { type: 'string', enum: ['Utilization', 'AverageValue'] },
  containerConcurrency: { type: 'integer', minimum: 0 },
  timeout: { type: 'integer', minimum: 0 },
  canaryTrafficPercent: { type: 'integer', minimum: 0, maximum: 100 },
  logger: { type: 'object' },
  batcher: { type: 'object' },
  labels: { type: 'object', additionalProperties: { type: 'string' } },
  annotations: { type: 'object', additionalProperties: { type: 'string' } },
  deploymentStrategy: ref('apps.v1.DeploymentStrategy'),
  autoScaling: { type: 'object' },
};
// Predictor-extension fields shared by model and the legacy per-framework specs (a Container + storage).
const containerProps = rewriteRefs(defs['core.v1.Container'].properties);
const predictorExtension = {
  ...containerProps,
  name: { type: 'string' }, // optional here, unlike in a plain Container
  storageUri: { type: 'string', description: 'URI of the model, e.g. s3://bucket/model or pvc://claim/path.' },
  runtimeVersion: { type: 'string' },
  protocolVersion: { type: 'string', enum: ['v1', 'v2', 'grpc-v1', 'grpc-v2'] },
  storage: { type: 'object' },
};
const modelSpec = {
  type: 'object',
  description: 'The model to serve: its format picks a ServingRuntime unless `runtime` names one.',
  properties: {
    ...predictorExtension,
    modelFormat: {
      type: 'object',
      properties: { name: { type: 'string', description: 'e.g. sklearn, xgboost, pytorch, tensorflow, onnx, huggingface, triton.' }, version: { type: 'string' } },
      required: ['name'],
      additionalProperties: false,
    },
    runtime: { type: 'string', description: 'Name of the ServingRuntime to use.' },
  },
  required: ['modelFormat'],
  additionalProperties: false,
};
const legacyFramework = { type: 'object', properties: predictorExtension, additionalProperties: false };
const componentSpec = (extra) => ({
  type: 'object',
  properties: { ...podSpecProps, ...componentExtension, ...extra },
  additionalProperties: false,
});
// PodSpec requires containers; KServe components do not.
const kserve = sortKeys({
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://modeldock.invalid/schemas/kserve-inferenceservice-v1beta1.json',
  title: 'KServe InferenceService serving.kserve.io/v1beta1 (hand-written subset; strict where KServe is)',
  type: 'object',
  properties: {
    apiVersion: { type: 'string', const: 'serving.kserve.io/v1beta1' },
    kind: { type: 'string', const: 'InferenceService' },
    metadata: ref('meta.v1.ObjectMeta'),
    spec: {
      type: 'object',
      properties: {
        predictor: componentSpec({
          model: modelSpec,
          ...Object.fromEntries(
            ['sklearn', 'xgboost', 'tensorflow', 'pytorch', 'triton', 'onnx', 'huggingface', 'pmml', 'lightgbm', 'paddle'].map((f) => [f, legacyFramework]),
          ),
        }),
        transformer: componentSpec({}),
        explainer: componentSpec({ art: { type: 'object' } }),
      },
      required: ['predictor'],
      additionalProperties: false,
    },
    status: { type: 'object' },
  },
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
});

const outputs = [
  [OUT_K8S, `${JSON.stringify(bundle)}\n`],
  [OUT_KSERVE, `${JSON.stringify(kserve, null, 1)}\n`],
];
const check = process.argv.includes('--check');
let stale = false;
for (const [file, text] of outputs) {
  if (check) {
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
      console.error(`stale: ${relative(ROOT, file)}`);
      stale = true;
    }
  } else {
    writeFileSync(file, text);
    console.log(`wrote ${relative(ROOT, file)} (${(text.length / 1024).toFixed(0)} KiB, ${Object.keys(defs).length} definitions)`);
  }
}
if (stale) process.exit(1);
