import type { NamespacedKind } from './types';

/** Where a kind lives in the API. Built in for what the tree uses; apply falls back to discovery. */
export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

const rt = (group: string, version: string, kind: string, plural: string, namespaced = true): ResourceType => ({
  group,
  version,
  kind,
  plural,
  namespaced,
});

export const BUILTIN_TYPES: readonly ResourceType[] = [
  rt('', 'v1', 'Namespace', 'namespaces', false),
  rt('', 'v1', 'Node', 'nodes', false),
  rt('', 'v1', 'Pod', 'pods'),
  rt('', 'v1', 'Service', 'services'),
  rt('', 'v1', 'ConfigMap', 'configmaps'),
  rt('', 'v1', 'Secret', 'secrets'),
  rt('', 'v1', 'ServiceAccount', 'serviceaccounts'),
  rt('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims'),
  rt('', 'v1', 'PersistentVolume', 'persistentvolumes', false),
  rt('', 'v1', 'Event', 'events'),
  rt('apps', 'v1', 'Deployment', 'deployments'),
  rt('apps', 'v1', 'StatefulSet', 'statefulsets'),
  rt('apps', 'v1', 'DaemonSet', 'daemonsets'),
  rt('apps', 'v1', 'ReplicaSet', 'replicasets'),
  rt('batch', 'v1', 'Job', 'jobs'),
  rt('batch', 'v1', 'CronJob', 'cronjobs'),
  rt('networking.k8s.io', 'v1', 'Ingress', 'ingresses'),
  rt('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers'),
  rt('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets'),
  rt('rbac.authorization.k8s.io', 'v1', 'Role', 'roles'),
  rt('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings'),
];

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export function builtinType(kind: string, apiVersion?: string): ResourceType | undefined {
  if (apiVersion === undefined) return BUILTIN_TYPES.find((t) => t.kind === kind);
  const { group, version } = splitApiVersion(apiVersion);
  return BUILTIN_TYPES.find((t) => t.kind === kind && t.group === group && t.version === version);
}

export function watchableType(kind: NamespacedKind | 'Namespace' | 'Node'): ResourceType {
  const t = builtinType(kind);
  if (!t) throw new Error(`no resource type for ${kind}`);
  return t;
}

export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

export function collectionPath(t: ResourceType, namespace?: string): string {
  const base = groupVersionPath(t.group, t.version);
  return t.namespaced && namespace !== undefined ? `${base}/namespaces/${encodeURIComponent(namespace)}/${t.plural}` : `${base}/${t.plural}`;
}

export function objectPath(t: ResourceType, namespace: string | undefined, name: string): string {
  return `${collectionPath(t, namespace)}/${encodeURIComponent(name)}`;
}
