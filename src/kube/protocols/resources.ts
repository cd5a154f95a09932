import { KubeError, isKubeError } from '../errors';
import { isKubeObject, parseNamespace, parsePod, parseWorkload } from '../parse';
import { Reflector } from '../reflector';
import { builtinType, collectionPath, groupVersionPath, objectPath, splitApiVersion, watchableType, type ResourceType } from '../resources';
import type { InfoOf, KubeObject, ResourceWatch, WatchableKind, WatchOptions } from '../types';
import type { ClientCore } from './core';

export const FIELD_MANAGER = 'modeldock';

function parserFor(kind: WatchableKind | 'Namespace'): (raw: unknown) => unknown {
  switch (kind) {
    case 'Pod':
      return parsePod;
    case 'Namespace':
      return parseNamespace;
    default:
      return (raw) => parseWorkload(kind, raw);
  }
}

/** The REST protocol: discovery, get/list/watch, delete and the patches the tree offers. */
export interface ResourceApi {
  typeOf(kind: string, apiVersion?: string): Promise<ResourceType>;
  get(kind: string, namespace: string | undefined, name: string, apiVersion?: string): Promise<KubeObject | undefined>;
  list<K extends WatchableKind | 'Namespace'>(kind: K, namespace: string | undefined, labelSelector?: string): Promise<InfoOf<K>[]>;
  watch<K extends WatchableKind | 'Namespace'>(kind: K, namespace: string | undefined, opts?: WatchOptions): ResourceWatch<InfoOf<K>>;
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

  return {
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
    async list<K extends WatchableKind | 'Namespace'>(kind: K, namespace: string | undefined, labelSelector?: string) {
      const t = watchableType(kind);
      const parse = parserFor(kind);
      const out: InfoOf<K>[] = [];
      let cont: string | undefined;
      let pages = 0;
      do {
        if (++pages > tuning.maxListPages) throw new KubeError({ kind: 'too-large', message: `list ${t.plural}: more than ${tuning.maxListPages} pages; ModelDock stopped listing.` });
        const body = (await transport.json('GET', collectionPath(t, namespace), {
          query: { limit: 500, continue: cont, labelSelector },
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
    watch<K extends WatchableKind | 'Namespace'>(kind: K, namespace: string | undefined, opts: WatchOptions = {}) {
      const t = watchableType(kind);
      return core.track(
        new Reflector<InfoOf<K>>({
          transport,
          path: collectionPath(t, namespace),
          resource: t.plural,
          ...where(namespace),
          parse: parserFor(kind) as (raw: unknown) => InfoOf<K> | undefined,
          key: (item) => item.meta.name,
          timeoutSeconds: opts.timeoutSeconds ?? core.watchTimeoutSeconds,
          tuning,
          ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
          ...(opts.fieldSelector ? { fieldSelector: opts.fieldSelector } : {}),
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
}
