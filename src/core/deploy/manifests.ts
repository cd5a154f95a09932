// The generated manifests, made ready to apply: every container image that is the built image
// (by repository) is replaced by the pushed digest (`repo@sha256:…`, immutable: what was tested
// is what runs), and workloads get a change-cause annotation for the rollout history. Edited as
// YAML documents (comments kept), serialized by the library.
import { isMap, isSeq, parseAllDocuments, type Document, type YAMLMap, type YAMLSeq } from 'yaml';

export const CHANGE_CAUSE = 'kubernetes.io/change-cause';

export interface PreparedManifest {
  /** The objects, in order, ready for server-side apply. */
  readonly objects: readonly Record<string, unknown>[];
  /** The same, as YAML for the dry-run diff. */
  readonly yaml: string;
  /** Images that were pinned: `from → to`. */
  readonly replaced: readonly { readonly from: string; readonly to: string }[];
}

/** The repository part of an image reference (no tag, no digest). */
export function repositoryOf(ref: string): string {
  const at = ref.indexOf('@');
  const rest = at >= 0 ? ref.slice(0, at) : ref;
  const colon = rest.lastIndexOf(':');
  return colon > rest.lastIndexOf('/') ? rest.slice(0, colon) : rest;
}

const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  InferenceService: ['spec', 'predictor'],
};

function getIn(doc: Document, path: readonly string[]): unknown {
  return doc.getIn(path, true);
}

/**
 * Pins `image` (the built `name:tag`, or its repository) to `pushedDigestRef` in every container
 * of every workload document, and sets the change-cause. `texts` are the manifest files' texts.
 */
export function prepareManifests(texts: readonly string[], image: string, pushedDigestRef: string, changeCause: string): PreparedManifest {
  const repo = repositoryOf(image);
  const replaced: { from: string; to: string }[] = [];
  const objects: Record<string, unknown>[] = [];
  const out: string[] = [];
  for (const text of texts) {
    for (const doc of parseAllDocuments(text)) {
      if ('empty' in doc && doc.empty) continue;
      if (doc.errors.length > 0) throw new Error(`a manifest does not parse: ${doc.errors[0]!.message}`);
      const kind = doc.get('kind');
      if (typeof kind !== 'string') continue;
      const podPath = POD_SPEC_PATHS[kind];
      if (podPath) {
        for (const list of ['initContainers', 'containers']) {
          const seq = getIn(doc, [...podPath, list]);
          if (!isSeq(seq)) continue;
          for (const item of (seq as YAMLSeq).items) {
            if (!isMap(item)) continue;
            const current = (item as YAMLMap).get('image');
            if (typeof current !== 'string') continue;
            if (current === image || repositoryOf(current) === repo) {
              (item as YAMLMap).set('image', pushedDigestRef);
              replaced.push({ from: current, to: pushedDigestRef });
            }
          }
        }
        // The annotation goes on the object whose history `kubectl rollout history` shows.
        if (kind === 'Deployment' || kind === 'StatefulSet' || kind === 'DaemonSet') doc.setIn(['metadata', 'annotations', CHANGE_CAUSE], changeCause);
      }
      const js = doc.toJS({ maxAliasCount: 100 }) as unknown;
      if (typeof js === 'object' && js !== null && !Array.isArray(js)) objects.push(js as Record<string, unknown>);
      out.push(doc.toString());
    }
  }
  return { objects, yaml: out.map((d) => (d.startsWith('---') ? d : `---\n${d}`)).join(''), replaced };
}
