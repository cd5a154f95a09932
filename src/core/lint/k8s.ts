// Which schema a Kubernetes object is checked against, for the user's Kubernetes version: built-in
// kinds from the bundled OpenAPI of each minor, bundled CRDs of the tools ML teams use, and CRDs
// found in the workspace. Also what to say when the apiVersion is removed, not served yet,
// deprecated, or of the wrong group for the kind.
import { brotliDecompressSync } from 'node:zlib';
import { CRD_BUNDLES, CRD_INDEX } from './generated/crd-schemas';
import { K8S_BUNDLES, K8S_GVKS, K8S_RELEASES, K8S_VERSIONS } from './generated/k8s-schemas';
import type { Defs, Schema } from './validate';

export const KUBERNETES_VERSIONS: readonly string[] = K8S_VERSIONS;
export const DEFAULT_KUBERNETES_VERSION: string = K8S_VERSIONS[K8S_VERSIONS.length - 1]!;

/** '1.34', 'v1.34', '1.34.2' → '1.34' when bundled, else undefined. */
export function normalizeKubernetesVersion(v: string | undefined): string | undefined {
  if (v === undefined || v === '') return DEFAULT_KUBERNETES_VERSION;
  const m = /^v?(\d{1,2})\.(\d{1,3})(?:\.\d{1,4})?$/.exec(v.trim());
  if (!m) return undefined;
  const minor = `${Number(m[1])}.${Number(m[2])}`;
  return (K8S_VERSIONS as readonly string[]).includes(minor) ? minor : undefined;
}

export const releaseOf = (minor: string): string => K8S_RELEASES[minor] ?? minor;

/** Group of an apiVersion ('' for the core group). */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

const apiVersionOf = (gvk: string): string => gvk.slice(0, gvk.lastIndexOf('/'));
const versionPart = (apiVersion: string): string => apiVersion.slice(apiVersion.indexOf('/') + 1);

/** v1 > v1beta2 > v1beta1 > v1alpha1 (higher is more stable/newer). */
function versionRank(v: string): number {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return -1;
  const major = Number(m[1]);
  const stage = m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 1 : 2;
  return major * 10_000 + stage * 1000 + Number(m[3] ?? 0);
}

// APIs removed before the oldest bundled minor (from the Kubernetes deprecation guide).
const HISTORIC: [string, string[], string, string | undefined][] = [
  ['extensions/v1beta1', ['Deployment', 'DaemonSet', 'ReplicaSet'], '1.16', 'apps/v1'],
  ['extensions/v1beta1', ['NetworkPolicy'], '1.16', 'networking.k8s.io/v1'],
  ['extensions/v1beta1', ['PodSecurityPolicy'], '1.16', undefined],
  ['extensions/v1beta1', ['Ingress'], '1.22', 'networking.k8s.io/v1'],
  ['apps/v1beta1', ['Deployment', 'StatefulSet', 'ReplicaSet', 'ControllerRevision'], '1.16', 'apps/v1'],
  ['apps/v1beta2', ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ControllerRevision'], '1.16', 'apps/v1'],
  ['networking.k8s.io/v1beta1', ['Ingress', 'IngressClass'], '1.22', 'networking.k8s.io/v1'],
  ['batch/v2alpha1', ['CronJob'], '1.21', 'batch/v1'],
  ['batch/v1beta1', ['CronJob'], '1.25', 'batch/v1'],
  ['policy/v1beta1', ['PodDisruptionBudget'], '1.25', 'policy/v1'],
  ['policy/v1beta1', ['PodSecurityPolicy'], '1.25', undefined],
  ['autoscaling/v2beta1', ['HorizontalPodAutoscaler'], '1.25', 'autoscaling/v2'],
  ['autoscaling/v2beta2', ['HorizontalPodAutoscaler'], '1.26', 'autoscaling/v2'],
  ['discovery.k8s.io/v1beta1', ['EndpointSlice'], '1.25', 'discovery.k8s.io/v1'],
  ['events.k8s.io/v1beta1', ['Event'], '1.25', 'events.k8s.io/v1'],
  ['node.k8s.io/v1beta1', ['RuntimeClass'], '1.25', 'node.k8s.io/v1'],
  ['storage.k8s.io/v1beta1', ['CSIStorageCapacity'], '1.27', 'storage.k8s.io/v1'],
  ['storage.k8s.io/v1beta1', ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'], '1.22', 'storage.k8s.io/v1'],
  ['flowcontrol.apiserver.k8s.io/v1beta1', ['FlowSchema', 'PriorityLevelConfiguration'], '1.26', 'flowcontrol.apiserver.k8s.io/v1'],
  ['flowcontrol.apiserver.k8s.io/v1beta2', ['FlowSchema', 'PriorityLevelConfiguration'], '1.29', 'flowcontrol.apiserver.k8s.io/v1'],
  ['admissionregistration.k8s.io/v1beta1', ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'], '1.22', 'admissionregistration.k8s.io/v1'],
  ['apiextensions.k8s.io/v1beta1', ['CustomResourceDefinition'], '1.22', 'apiextensions.k8s.io/v1'],
  ['apiregistration.k8s.io/v1beta1', ['APIService'], '1.22', 'apiregistration.k8s.io/v1'],
  ['authentication.k8s.io/v1beta1', ['TokenReview'], '1.22', 'authentication.k8s.io/v1'],
  ['authorization.k8s.io/v1beta1', ['SubjectAccessReview', 'LocalSubjectAccessReview', 'SelfSubjectAccessReview'], '1.22', 'authorization.k8s.io/v1'],
  ['certificates.k8s.io/v1beta1', ['CertificateSigningRequest'], '1.22', 'certificates.k8s.io/v1'],
  ['coordination.k8s.io/v1beta1', ['Lease'], '1.22', 'coordination.k8s.io/v1'],
  ['rbac.authorization.k8s.io/v1beta1', ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'], '1.22', 'rbac.authorization.k8s.io/v1'],
  ['scheduling.k8s.io/v1beta1', ['PriorityClass'], '1.22', 'scheduling.k8s.io/v1'],
];

interface Index {
  /** gvk → minors serving it. */
  served: Map<string, string[]>;
  historic: Map<string, { removedIn: string; replacement: string | undefined }>;
  /** Every built-in API group, including ones only in history (extensions). */
  groups: Set<string>;
}

let index: Index | undefined;
function builtins(): Index {
  if (index) return index;
  const served = new Map<string, string[]>();
  const groups = new Set<string>();
  for (const [gvk, minors] of Object.entries(K8S_GVKS)) {
    served.set(gvk, [...minors].map((c) => K8S_VERSIONS[parseInt(c, 36)]!));
    groups.add(apiGroup(apiVersionOf(gvk)));
  }
  const historic = new Map<string, { removedIn: string; replacement: string | undefined }>();
  for (const [gv, kinds, removedIn, replacement] of HISTORIC) {
    groups.add(apiGroup(gv));
    for (const k of kinds) if (!served.has(`${gv}/${k}`)) historic.set(`${gv}/${k}`, { removedIn, replacement });
  }
  index = { served, historic, groups };
  return index;
}

/** Every kind served by `minor`, by name, with its apiVersions (most stable first). */
const kindsByMinor = new Map<string, Map<string, string[]>>();
function kindsOf(minor: string): Map<string, string[]> {
  let m = kindsByMinor.get(minor);
  if (m) return m;
  m = new Map();
  for (const [gvk, minors] of builtins().served) {
    if (!minors.includes(minor)) continue;
    const kind = gvk.slice(gvk.lastIndexOf('/') + 1);
    const list = m.get(kind) ?? [];
    list.push(apiVersionOf(gvk));
    m.set(kind, list);
  }
  for (const list of m.values()) list.sort((a, b) => versionRank(versionPart(b)) - versionRank(versionPart(a)));
  kindsByMinor.set(minor, m);
  return m;
}

const isBuiltinGroup = (group: string): boolean => builtins().groups.has(group);

export const minorLess = (a: string, b: string): boolean => {
  const [am, an] = a.split('.').map(Number);
  const [bm, bn] = b.split('.').map(Number);
  return am! < bm! || (am === bm && an! < bn!);
};

// ---- Decoded bundles (lazily; one Kubernetes version at a time) ----

interface K8sBundle {
  version: string;
  kinds: Record<string, string>;
  defs: Record<string, Schema>;
}

interface CrdBundle {
  schemas: Record<string, Schema>;
  defs: Record<string, Schema>;
}

const decode = <T>(b64: string): T => JSON.parse(brotliDecompressSync(Buffer.from(b64, 'base64')).toString('utf8')) as T;

/**
 * Formats the API server validates beyond the OpenAPI: DNS names of containers, volumes and
 * namespaces, label syntax, ports, ConfigMap/Secret keys.
 */
function overlay(defs: Record<string, Schema>): void {
  const prop = (def: string, name: string, add: Schema): void => {
    const p = defs[def]?.properties?.[name];
    if (p) Object.assign(p, add);
  };
  const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
  const labels: Schema = { keyFormat: 'qualified-name', additionalProperties: { type: 'string', format: 'label-value' } };
  prop(META, 'labels', labels);
  prop(META, 'annotations', { keyFormat: 'qualified-name' });
  prop(META, 'namespace', { format: 'dns-label' });
  prop('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector', 'matchLabels', labels);
  for (const k of ['data', 'binaryData']) prop('io.k8s.api.core.v1.ConfigMap', k, { keyFormat: 'config-key' });
  for (const k of ['data', 'stringData']) prop('io.k8s.api.core.v1.Secret', k, { keyFormat: 'config-key' });
  for (const d of ['Container', 'EphemeralContainer', 'Volume']) prop(`io.k8s.api.core.v1.${d}`, 'name', { format: 'dns-label' });
  prop('io.k8s.api.core.v1.ContainerPort', 'containerPort', { format: 'port' });
  prop('io.k8s.api.core.v1.ContainerPort', 'hostPort', { format: 'port-or-zero' });
  prop('io.k8s.api.core.v1.ContainerPort', 'name', { format: 'iana-svc-name' });
  prop('io.k8s.api.core.v1.ServicePort', 'port', { format: 'port' });
  prop('io.k8s.api.core.v1.ServicePort', 'nodePort', { format: 'port-or-zero' });
  prop('io.k8s.api.core.v1.ServicePort', 'name', { format: 'dns-label' });
  // IntOrString is a $ref: the port format goes next to it.
  for (const [def, name] of [['io.k8s.api.core.v1.ServicePort', 'targetPort'], ['io.k8s.api.core.v1.HTTPGetAction', 'port'], ['io.k8s.api.core.v1.TCPSocketAction', 'port']] as const) {
    const p = defs[def]?.properties?.[name];
    if (p) defs[def]!.properties![name] = { allOf: [p], format: 'port-or-name' };
  }
  prop('io.k8s.api.core.v1.GRPCAction', 'port', { format: 'port' });
  prop('io.k8s.api.core.v1.PodSpec', 'hostname', { format: 'dns-label' });
  // `required` in the OpenAPI comes from Go fields without omitempty; the API server never
  // required these (1.31 fixed the OpenAPI): not errors in any version.
  const sts = defs['io.k8s.api.apps.v1.StatefulSetSpec'];
  if (sts?.required) sts.required = sts.required.filter((r) => r !== 'serviceName');
  // The OpenAPI of recent releases carries no enums; these the API server validates.
  for (const [def, name, values, items] of ENUMS) {
    const p = defs[`io.k8s.api.${def}`]?.properties?.[name];
    if (!p) continue;
    if (items && p.items) p.items = { ...p.items, enum: values };
    else if (!items) p.enum = values;
  }
  prop('io.k8s.api.core.v1.PodSpec', 'subdomain', { format: 'dns-label' });
}

const ENUMS: [string, string, string[], boolean?][] = [
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
  ['core.v1.PersistentVolumeSpec', 'accessModes', ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'], true],
  ['core.v1.PersistentVolumeClaimSpec', 'volumeMode', ['Block', 'Filesystem']],
  ['core.v1.Toleration', 'operator', ['Exists', 'Equal']],
  ['core.v1.Toleration', 'effect', ['', 'NoSchedule', 'PreferNoSchedule', 'NoExecute']],
  ['core.v1.HTTPGetAction', 'scheme', ['HTTP', 'HTTPS']],
  ['apps.v1.DeploymentStrategy', 'type', ['Recreate', 'RollingUpdate']],
  ['apps.v1.StatefulSetSpec', 'podManagementPolicy', ['OrderedReady', 'Parallel']],
  ['batch.v1.CronJobSpec', 'concurrencyPolicy', ['Allow', 'Forbid', 'Replace']],
  ['batch.v1.JobSpec', 'completionMode', ['NonIndexed', 'Indexed']],
  ['autoscaling.v2.MetricSpec', 'type', ['ContainerResource', 'External', 'Object', 'Pods', 'Resource']],
  ['autoscaling.v2.MetricTarget', 'type', ['AverageValue', 'Utilization', 'Value']],
  ['networking.v1.HTTPIngressPath', 'pathType', ['Exact', 'ImplementationSpecific', 'Prefix']],
];

/** Owns decoded schemas for one Linter: the Kubernetes version in use, and CRD bundles as they are met. */
export class SchemaLibrary {
  private current: { minor: string; bundle: K8sBundle } | undefined;
  private readonly crdBundles = new Map<string, CrdBundle>();

  k8s(minor: string): K8sBundle {
    if (this.current?.minor !== minor) {
      const b64 = K8S_BUNDLES[minor];
      if (!b64) throw new Error(`no bundled schemas for Kubernetes ${minor}`);
      const bundle = decode<K8sBundle>(b64);
      overlay(bundle.defs);
      this.current = { minor, bundle };
    }
    return this.current.bundle;
  }

  crd(source: string): CrdBundle | undefined {
    let b = this.crdBundles.get(source);
    if (!b) {
      const b64 = CRD_BUNDLES[source];
      if (!b64) return undefined;
      b = decode<CrdBundle>(b64);
      this.crdBundles.set(source, b);
    }
    return b;
  }
}

// ---- Custom resource definitions found in the workspace ----

export interface WorkspaceCrdVersion {
  name: string;
  served: boolean;
  deprecated: boolean;
  warning?: string;
  schema: unknown;
}

export interface WorkspaceCrd {
  group: string;
  kind: string;
  file: string;
  versions: WorkspaceCrdVersion[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A CustomResourceDefinition object (apiextensions.k8s.io/v1) as the registry needs it, or undefined. */
export function crdFromObject(obj: unknown, file: string): WorkspaceCrd | undefined {
  if (!isRecord(obj) || obj.kind !== 'CustomResourceDefinition' || obj.apiVersion !== 'apiextensions.k8s.io/v1') return undefined;
  const spec = obj.spec;
  if (!isRecord(spec) || typeof spec.group !== 'string' || !isRecord(spec.names) || typeof spec.names.kind !== 'string' || !Array.isArray(spec.versions)) return undefined;
  const versions: WorkspaceCrdVersion[] = [];
  for (const v of spec.versions) {
    if (!isRecord(v) || typeof v.name !== 'string') continue;
    const schema = isRecord(v.schema) ? v.schema.openAPIV3Schema : undefined;
    versions.push({ name: v.name, served: v.served !== false, deprecated: v.deprecated === true, ...(typeof v.deprecationWarning === 'string' ? { warning: v.deprecationWarning } : {}), schema: schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } });
  }
  return versions.length ? { group: spec.group, kind: spec.names.kind, file, versions } : undefined;
}

// ---- Resolution ----

export type Resolution =
  | { type: 'schema'; schema: unknown; defs: Defs; origin: 'builtin' | 'bundled-crd' | 'workspace-crd'; objectMeta?: Schema; note?: VersionNote }
  | { type: 'problem'; note: VersionNote }
  | { type: 'unknown' };

export interface VersionNote {
  severity: 'error' | 'warning';
  rule: 'api-version' | 'deprecated-api';
  message: string;
  /** The apiVersion to use instead, when there is one. */
  replacement?: string;
  /** The kind to use instead (a typo of a built-in kind). */
  kindReplacement?: string;
}

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/**
 * Custom resources: their metadata is ObjectMeta whatever the CRD says (the API server validates it
 * so), and apiVersion/kind are strings.
 */
function crSchema(schema: unknown, objectMeta: Schema | undefined): unknown {
  if (!isRecord(schema)) return schema;
  const props = isRecord(schema.properties) ? { ...schema.properties } : {};
  if (objectMeta) props.metadata = objectMeta;
  props.apiVersion = { type: 'string' };
  props.kind = { type: 'string' };
  return { ...schema, properties: props };
}

export function resolveKind(
  library: SchemaLibrary,
  minor: string,
  apiVersion: string,
  kind: string,
  workspace: ReadonlyMap<string, WorkspaceCrd>,
  didYouMean: (word: string, candidates: Iterable<string>) => string | undefined,
): Resolution {
  const group = apiGroup(apiVersion);
  const version = versionPart(apiVersion);
  const gvk = `${apiVersion}/${kind}`;
  const bundle = (): K8sBundle => library.k8s(minor);
  const objectMeta = (): Schema | undefined => (bundle().defs[OBJECT_META] ? { $ref: OBJECT_META } : undefined);

  // Custom resources: the workspace's CRD wins over the bundled one (it is the user's version).
  const ws = workspace.get(`${group}/${kind}`);
  const bundled = CRD_INDEX[`${group}/${kind}`];
  if (ws || bundled) {
    const versions = ws ? ws.versions : bundled!.versions;
    const v = versions.find((x) => x.name === version);
    const names = versions.map((x) => x.name);
    if (!v || !v.served) {
      const served = versions.filter((x) => x.served).map((x) => x.name);
      const best = served.sort((a, b) => versionRank(b) - versionRank(a))[0];
      const where = ws ? `the CustomResourceDefinition in ${ws.file}` : `${kind}'s CustomResourceDefinition`;
      return {
        type: 'problem',
        note: {
          severity: 'error',
          rule: 'api-version',
          message: v ? `\`${apiVersion}\` ${kind} is not served: ${where} marks version ${version} \`served: false\`${best ? `; use \`apiVersion: ${group}/${best}\`` : ''}` : `${kind} has no version ${version} in ${where} (versions: ${names.join(', ')})${best ? `; use \`apiVersion: ${group}/${best}\`` : ''}`,
          ...(best ? { replacement: `${group}/${best}` } : {}),
        },
      };
    }
    const successor = versions
      .filter((x) => x.served && !x.deprecated && x.name !== version)
      .map((x) => x.name)
      .sort((a, b) => versionRank(b) - versionRank(a))[0];
    const note: VersionNote | undefined = v.deprecated
      ? {
          severity: 'warning',
          rule: 'deprecated-api',
          // The CRD's own warning says what to use, when it has one.
          message: `\`${apiVersion}\` ${kind} is deprecated${v.warning ? `: ${v.warning}` : successor ? `; use \`apiVersion: ${group}/${successor}\`` : ''}`,
          ...(successor ? { replacement: `${group}/${successor}` } : {}),
        }
      : undefined;
    if (ws) {
      const wv = v as WorkspaceCrdVersion;
      return { type: 'schema', schema: crSchema(wv.schema, objectMeta()), defs: bundle().defs, origin: 'workspace-crd', ...(note ? { note } : {}) };
    }
    const crd = library.crd((v as { source: string }).source);
    const schema = crd?.schemas[`${group}/${kind}/${version}`];
    if (!crd || !schema) return { type: 'unknown' };
    // CRD definitions and Kubernetes definitions share one namespace (CRD names start with '~').
    return { type: 'schema', schema: crSchema(schema, objectMeta()), defs: { ...bundle().defs, ...crd.defs }, origin: 'bundled-crd', ...(note ? { note } : {}) };
  }

  const idx = builtins();
  const served = idx.served.get(gvk);
  const newest = K8S_VERSIONS[K8S_VERSIONS.length - 1]!;
  const current = kindsOf(minor).get(kind);
  const replacementIn = (m: string): string | undefined => {
    const list = kindsOf(m).get(kind);
    if (!list) return undefined;
    return list.find((gv) => apiGroup(gv) === group) ?? list[0];
  };
  if (served?.includes(minor)) {
    const def = bundle().kinds[gvk];
    if (!def) return { type: 'unknown' };
    // Served now, gone in a later bundled minor: deprecated, with the version that removes it.
    let note: VersionNote | undefined;
    const later = K8S_VERSIONS.filter((m) => minorLess(minor, m));
    const gone = later.find((m) => !served.includes(m));
    if (gone) {
      const rep = replacementIn(gone);
      note = { severity: 'warning', rule: 'deprecated-api', message: `\`${apiVersion}\` ${kind} is deprecated: Kubernetes ${gone} no longer serves it${rep ? `; use \`apiVersion: ${rep}\`` : ''}`, ...(rep ? { replacement: rep } : {}) };
    }
    return { type: 'schema', schema: { $ref: def }, defs: bundle().defs, origin: 'builtin', ...(note ? { note } : {}) };
  }
  const rep = current?.find((gv) => apiGroup(gv) === group) ?? current?.[0];
  const use = rep ? `; use \`apiVersion: ${rep}\`` : '';
  if (served) {
    const first = served[0]!;
    const last = served[served.length - 1]!;
    if (minorLess(last, minor)) {
      const removedIn = K8S_VERSIONS.find((m) => minorLess(last, m))!;
      return { type: 'problem', note: { severity: 'error', rule: 'api-version', message: `\`${apiVersion}\` ${kind} was removed in Kubernetes ${removedIn}: Kubernetes ${minor} does not serve it${use}`, ...(rep ? { replacement: rep } : {}) } };
    }
    return {
      type: 'problem',
      note: { severity: 'error', rule: 'api-version', message: `\`${apiVersion}\` ${kind} is served from Kubernetes ${first} on, not by ${minor}${use || ` (set the Kubernetes version to ${first} or later)`}`, ...(rep ? { replacement: rep } : {}) },
    };
  }
  const hist = idx.historic.get(gvk);
  if (hist) {
    const instead = hist.replacement ? `; use \`apiVersion: ${hist.replacement}\`` : ': it has no replacement';
    return { type: 'problem', note: { severity: 'error', rule: 'api-version', message: `\`${apiVersion}\` ${kind} was removed in Kubernetes ${hist.removedIn}${instead}`, ...(hist.replacement ? { replacement: hist.replacement } : {}) } };
  }
  if (current && isBuiltinGroup(group)) {
    const sameGroup = current.some((gv) => apiGroup(gv) === group);
    const message = sameGroup
      ? `Kubernetes ${minor} serves no ${kind} at \`${apiVersion}\`${use}`
      : `${kind} is not in the ${group ? `\`${group}\`` : 'core'} API group: Kubernetes ${minor} serves it as \`apiVersion: ${rep}\``;
    return { type: 'problem', note: { severity: 'error', rule: 'api-version', message, ...(rep ? { replacement: rep } : {}) } };
  }
  if (!current && isBuiltinGroup(group)) {
    // A built-in group, an unknown kind: a typo of a kind of that apiVersion?
    const candidates = [...kindsOf(minor).entries()].filter(([, gvs]) => gvs.includes(apiVersion)).map(([k]) => k);
    const guess = didYouMean(kind, candidates);
    if (guess || candidates.length) {
      return {
        type: 'problem',
        note: {
          severity: 'error',
          rule: 'api-version',
          message: guess ? `Kubernetes ${minor} has no kind ${kind} in \`${apiVersion}\` — did you mean \`${guess}\`?` : `Kubernetes ${minor} has no kind ${kind} in \`${apiVersion}\``,
          ...(guess ? { kindReplacement: guess } : {}),
        },
      };
    }
    if (!kindsOf(newest).size) return { type: 'unknown' };
  }
  return { type: 'unknown' };
}
