import { KubeError, isKubeError } from '../errors';
import { isKubeObject, parseEvent, parseNamespace, parseNode, parsePod, parseReplicaSet, parseWorkload } from '../parse';
import { Reflector } from '../reflector';
import { builtinType, collectionPath, groupVersionPath, objectPath, splitApiVersion, watchableType, type ResourceType } from '../resources';
import type { ApplyResult, InfoOf, KubeObject, ListOptions, NamespacedKind, ResourceWatch, WatchOptions } from '../types';
import type { ClientCore } from './core';

export const FIELD_MANAGER = 'modeldock';

type ListKind = NamespacedKind | 'Namespace' | 'Node';

function parserFor(kind: ListKind): (raw: unknown) => unknown {
  switch (kind) {
    case 'Pod':
      return parsePod;
    case 'Namespace':
      return parseNamespace;
    case 'ReplicaSet':
      return parseReplicaSet;
    case 'Event':
      return parseEvent;
    case 'Node':
      return parseNode;
    default:
      return (raw) => parseWorkload(kind, raw);
  }
}

const REVISION = 'deployment.kubernetes.io/revision';
/** Annotations `kubectl rollout undo` keeps from the Deployment rather than take from the ReplicaSet. */
const SKIPPED_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration', REVISION, 'deployment.kubernetes.io/desired-replicas', 'deployment.kubernetes.io/max-replicas', 'deprecated.deployment.rollback.to']);

function annotationsOf(obj: KubeObject | undefined): Record<string, string> {
  const a = obj?.metadata.annotations;
  const out: Record<string, string> = {};
  if (typeof a === 'object' && a !== null) for (const [k, v] of Object.entries(a)) if (typeof v === 'string') out[k] = v;
  return out;
}


/** The REST protocol: discovery, get/list/watch, delete and the patches the tree offers. */
export interface ResourceApi {
  typeOf(kind: string, apiVersion?: string): Promise<ResourceType>;
  get(kind: string, namespace: string | undefined, name: string, apiVersion?: string): Promise<KubeObject | undefined>;
  list<K extends ListKind>(kind: K, namespace: string | undefined, options?: ListOptions): Promise<InfoOf<K>[]>;
  /** A namespaced kind watched across all namespaces (namespace undefined) is keyed `namespace/name`. */
  watch<K extends ListKind>(kind: K, namespace: string | undefined, opts?: WatchOptions): ResourceWatch<InfoOf<K>>;
  rollbackDeployment(namespace: string, name: string, revision: number, options: { dryRun: boolean; resourceVersion?: string }): Promise<ApplyResult>;
  setDeploymentPaused(namespace: string, name: string, paused: boolean): Promise<void>;
  delete(kind: string, namespace: string | undefined, name: string, apiVersion?: string): Promise<void>;
  deletePod(namespace: string, name: string): Promise<void>;
  restartDeployment(namespace: string, name: string, at?: Date): Promise<void>;
  scale(kind: 'Deployment' | 'StatefulSet', namespace: string, name: string, replicas: number): Promise<void>;
}

export function createResourceApi(core: ClientCore): ResourceApi {
  const { transport, tuning, defaultNamespace } = core;
  const discovery = new Map<string, Promise<ResourceType[]>>();

  async function discover(apiVersion: string): Promise<ResourceType[]> {
    let p = discovery.get(apiVersion);
    if (!p) {
      const { group, version } = splitApiVersion(apiVersion);
      p = transport.json('GET', groupVersionPath(group, version), { describe: { verb: 'get', resource: `discovery ${apiVersion}` } }).then((body) => {
        const resources = (body as { resources?: unknown } | null)?.resources;
        if (!Array.isArray(resources)) return [];
        return resources.flatMap((r: unknown) => {
          const o = r as { name?: unknown; kind?: unknown; namespaced?: unknown };
          if (typeof o.name !== 'string' || o.name.includes('/') || typeof o.kind !== 'string') return [];
          return [{ group, version, kind: o.kind, plural: o.name, namespaced: o.namespaced === true }];
        });
      });
      discovery.set(apiVersion, p);
      p.catch(() => discovery.delete(apiVersion));
    }
    return p;
  }

  async function typeOf(kind: string, apiVersion?: string): Promise<ResourceType> {
    const known = builtinType(kind, apiVersion);
    if (known) return known;
    if (!apiVersion) throw new KubeError({ kind: 'invalid', message: `Unknown kind ${kind}: give its apiVersion.` });
    const found = (await discover(apiVersion)).find((t) => t.kind === kind);
    if (!found) throw new KubeError({ kind: 'not-found', message: `The cluster does not serve ${kind} in ${apiVersion}.` });
    return found;
  }

  const where = (namespace: string | undefined) => (namespace ? { namespace } : {});

  const api: ResourceApi = {
    typeOf,
    async get(kind, namespace, name, apiVersion) {
      const t = await typeOf(kind, apiVersion);
      const ns = t.namespaced ? (namespace ?? defaultNamespace) : undefined;
      try {
        const body = await transport.json('GET', objectPath(t, ns, name), { describe: { verb: 'get', resource: t.plural, ...where(ns) } });
        if (!isKubeObject(body)) throw new KubeError({ kind: 'server', message: `get ${kind} ${name}: unexpected response` });
        return body;
      } catch (err) {
        if (isKubeError(err, 'not-found')) return undefined;
        throw err;
      }
    },
    async list<K extends ListKind>(kind: K, namespace: string | undefined, options: ListOptions = {}) {
      const t = watchableType(kind);
      const parse = parserFor(kind);
      const out: InfoOf<K>[] = [];
      let cont: string | undefined;
      let pages = 0;
      do {
        if (++pages > tuning.maxListPages) throw new KubeError({ kind: 'too-large', message: `list ${t.plural}: more than ${tuning.maxListPages} pages; ModelDock stopped listing.` });
        const body = (await transport.json('GET', collectionPath(t, namespace), {
          query: { limit: 500, continue: cont, labelSelector: options.labelSelector, fieldSelector: options.fieldSelector },
          describe: { verb: 'list', resource: t.plural, ...where(namespace) },
        })) as { items?: unknown; metadata?: { continue?: unknown } } | null;
        for (const raw of Array.isArray(body?.items) ? body.items : []) {
          const item = parse(raw);
          if (item !== undefined) out.push(item as InfoOf<K>);
        }
        const next = typeof body?.metadata?.continue === 'string' && body.metadata.continue ? body.metadata.continue : undefined;
        if (next !== undefined && next === cont) throw new KubeError({ kind: 'server', message: `list ${t.plural}: the server repeated its continue token` });
        cont = next;
      } while (cont);
      return out;
    },
    watch<K extends ListKind>(kind: K, namespace: string | undefined, opts: WatchOptions = {}) {
      const t = watchableType(kind);
      const qualified = t.namespaced && namespace === undefined;
      return core.track(
        new Reflector<InfoOf<K>>({
          transport,
          path: collectionPath(t, namespace),
          resource: t.plural,
          ...where(namespace),
          parse: parserFor(kind) as (raw: unknown) => InfoOf<K> | undefined,
          key: qualified ? (item) => `${item.meta.namespace ?? ''}/${item.meta.name}` : (item) => item.meta.name,
          timeoutSeconds: opts.timeoutSeconds ?? core.watchTimeoutSeconds,
          tuning,
          ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
          ...(opts.fieldSelector ? { fieldSelector: opts.fieldSelector } : {}),
          ...(opts.labelSelector ? { labelSelector: opts.labelSelector } : {}),
          onInvalid: () => core.trace(`${t.plural}: skipped an object that failed validation`),
          onTrace: (m) => core.trace(m),
        }),
      );
    },
    async delete(kind, namespace, name, apiVersion) {
      const t = await typeOf(kind, apiVersion);
      const ns = t.namespaced ? (namespace ?? defaultNamespace) : undefined;
      await transport.json('DELETE', objectPath(t, ns, name), { describe: { verb: 'delete', resource: t.plural, ...where(ns) } });
    },
    async deletePod(namespace, name) {
      await transport.json('DELETE', objectPath(watchableType('Pod'), namespace, name), { describe: { verb: 'delete', resource: 'pods', namespace } });
    },
    async restartDeployment(namespace, name, at = new Date()) {
      // What `kubectl rollout restart` does: a changed template annotation makes a new ReplicaSet.
      const body = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at.toISOString() } } } } };
      await transport.json('PATCH', objectPath(watchableType('Deployment'), namespace, name), {
        body: JSON.stringify(body),
        contentType: 'application/strategic-merge-patch+json',
        query: { fieldManager: FIELD_MANAGER },
        describe: { verb: 'patch', resource: 'deployments', namespace },
      });
    },
    async rollbackDeployment(namespace, name, revision, options) {
      if (!Number.isInteger(revision) || revision < 1) throw new KubeError({ kind: 'invalid', message: `A revision is a whole number ≥ 1, not ${revision}.` });
      const dt = watchableType('Deployment');
      const before = await api.get('Deployment', namespace, name, 'apps/v1');
      if (!before) throw new KubeError({ kind: 'not-found', code: 404, message: `Deployment ${namespace}/${name} not found.` });
      const uid = typeof before.metadata.uid === 'string' ? before.metadata.uid : undefined;
      const rv = typeof before.metadata.resourceVersion === 'string' ? before.metadata.resourceVersion : undefined;
      if (options.resourceVersion !== undefined && rv !== options.resourceVersion) {
        throw new KubeError({ kind: 'conflict', code: 409, message: `Deployment ${name} changed since the diff was made.`, hint: 'Run Undo again to see the current difference.' });
      }
      // The ReplicaSets the Deployment owns (by uid, as the controller does), the one of `revision`.
      const sets = (await api.list('ReplicaSet', namespace)).filter((r) => r.meta.ownerKind === 'Deployment' && (uid ? r.meta.ownerUid === uid : r.meta.ownerName === name));
      const target = sets.find((r) => r.revision === revision);
      if (!target) {
        const known = sets.map((r) => r.revision).filter((n) => n > 0).sort((a, b) => a - b);
        throw new KubeError({ kind: 'not-found', message: `Deployment ${name} has no revision ${revision}${known.length ? ` (it has ${known.join(', ')})` : ''}.`, hint: 'Older revisions are pruned beyond spec.revisionHistoryLimit.' });
      }
      const rs = await api.get('ReplicaSet', namespace, target.meta.name, 'apps/v1');
      const template = (rs?.spec as { template?: { metadata?: { labels?: Record<string, unknown> } } } | undefined)?.template;
      if (!rs || !template) throw new KubeError({ kind: 'not-found', message: `ReplicaSet ${target.meta.name} (revision ${revision}) has no pod template.` });
      // As kubectl: the template without the controller's hash label; the ReplicaSet's annotations
      // (its change-cause among them) over the Deployment's own bookkeeping ones.
      const labels = { ...(template.metadata?.labels ?? {}) };
      delete labels['pod-template-hash'];
      const cleanTemplate = { ...template, metadata: { ...(template.metadata ?? {}), labels } };
      const annotations: Record<string, string> = {};
      for (const [k, v] of Object.entries(annotationsOf(before))) if (SKIPPED_ANNOTATIONS.has(k)) annotations[k] = v;
      for (const [k, v] of Object.entries(annotationsOf(rs))) if (!SKIPPED_ANNOTATIONS.has(k)) annotations[k] = v;
      const patch = [
        ...(rv ? [{ op: 'test', path: '/metadata/resourceVersion', value: rv }] : []),
        { op: 'replace', path: '/spec/template', value: cleanTemplate },
        { op: Object.keys(annotationsOf(before)).length ? 'replace' : 'add', path: '/metadata/annotations', value: annotations },
      ];
      let after: unknown;
      try {
        after = await transport.json('PATCH', objectPath(dt, namespace, name), {
          body: JSON.stringify(patch),
          contentType: 'application/json-patch+json',
          query: { fieldManager: FIELD_MANAGER, dryRun: options.dryRun ? 'All' : undefined },
          describe: { verb: 'patch', resource: 'deployments', namespace },
        });
      } catch (err) {
        // A failed `test` op: someone changed the Deployment between our read and the patch.
        if (isKubeError(err) && err.info.code === 422 && /test operation|testing value/i.test(err.info.message)) {
          throw new KubeError({ kind: 'conflict', code: 409, message: `Deployment ${name} changed while undoing.`, hint: 'Run Undo again.' });
        }
        throw err;
      }
      if (!isKubeObject(after)) throw new KubeError({ kind: 'server', message: `undo ${name}: unexpected response` });
      return { kind: 'Deployment', name, namespace, before, after };
    },
    async setDeploymentPaused(namespace, name, paused) {
      await transport.json('PATCH', objectPath(watchableType('Deployment'), namespace, name), {
        body: JSON.stringify({ spec: { paused } }),
        contentType: 'application/merge-patch+json',
        query: { fieldManager: FIELD_MANAGER },
        describe: { verb: 'patch', resource: 'deployments', namespace },
      });
    },
    async scale(kind, namespace, name, replicas) {
      if (!Number.isInteger(replicas) || replicas < 0) throw new KubeError({ kind: 'invalid', message: `Replicas must be a whole number ≥ 0, not ${replicas}.` });
      const t = watchableType(kind);
      await transport.json('PATCH', `${objectPath(t, namespace, name)}/scale`, {
        body: JSON.stringify({ spec: { replicas } }),
        contentType: 'application/merge-patch+json',
        query: { fieldManager: FIELD_MANAGER },
        describe: { verb: 'patch', resource: `${t.plural}/scale`, namespace },
      });
    },
  };
  return api;
}
