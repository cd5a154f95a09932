import YAML from 'yaml';
import { KubeError } from '../errors';
import { isKubeObject } from '../parse';
import { objectPath } from '../resources';
import type { ApplyResult, KubeObject } from '../types';
import type { ClientCore } from './core';
import { FIELD_MANAGER, type ResourceApi } from './resources';

/** Splits a YAML stream into objects, rejecting documents that are not Kubernetes objects. */
export function parseManifests(text: string): KubeObject[] {
  const out: KubeObject[] = [];
  const docs = YAML.parseAllDocuments(text);
  for (const [i, doc] of docs.entries()) {
    if (doc.errors.length > 0) throw new KubeError({ kind: 'invalid', message: `YAML document ${i + 1}: ${doc.errors[0]?.message ?? 'invalid'}` });
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isKubeObject(value)) {
      throw new KubeError({ kind: 'invalid', message: `YAML document ${i + 1} is not a Kubernetes object (apiVersion, kind and metadata.name are required).` });
    }
    out.push(value);
  }
  return out;
}

/** Server-side apply (field manager `modeldock`), with the live object before it for the diff. */
export function createApplyApi(core: ClientCore, resources: ResourceApi): {
  applyServerSide(manifests: string | readonly KubeObject[], opts: { dryRun: boolean; force?: boolean; namespace?: string }): Promise<ApplyResult[]>;
} {
  return {
    async applyServerSide(manifests, opts) {
      const objects = typeof manifests === 'string' ? parseManifests(manifests) : manifests;
      const results: ApplyResult[] = [];
      for (const obj of objects) {
        const t = await resources.typeOf(obj.kind, obj.apiVersion);
        const namespace = t.namespaced ? (obj.metadata.namespace ?? opts.namespace ?? core.defaultNamespace) : undefined;
        const body = t.namespaced ? { ...obj, metadata: { ...obj.metadata, namespace } } : obj;
        const before = await resources.get(obj.kind, namespace, obj.metadata.name, obj.apiVersion);
        const after = await core.transport.json('PATCH', objectPath(t, namespace, obj.metadata.name), {
          // JSON is YAML, and the API server accepts it under the apply content type.
          body: JSON.stringify(body),
          contentType: 'application/apply-patch+yaml',
          query: { fieldManager: FIELD_MANAGER, dryRun: opts.dryRun ? 'All' : undefined, force: opts.force ? true : undefined },
          describe: { verb: 'patch', resource: t.plural, ...(namespace ? { namespace } : {}) },
        });
        if (!isKubeObject(after)) throw new KubeError({ kind: 'server', message: `apply ${obj.kind} ${obj.metadata.name}: unexpected response` });
        results.push({ kind: obj.kind, name: obj.metadata.name, ...(namespace ? { namespace } : {}), ...(before ? { before } : {}), after });
      }
      return results;
    },
  };
}
