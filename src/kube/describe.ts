import YAML from 'yaml';
import type { KubeObject } from './types';

const NOISE_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration'];
const TOP_ORDER = ['apiVersion', 'kind', 'metadata', 'spec', 'data', 'stringData', 'status'];

/**
 * The live object as a person wants to read it: managedFields and the last-applied blob removed
 * (they are machine bookkeeping and often longer than the object), top-level keys in kubectl order.
 */
export function cleanForDisplay(obj: KubeObject): Record<string, unknown> {
  const metadata: Record<string, unknown> = { ...obj.metadata };
  delete metadata.managedFields;
  const ann = metadata.annotations;
  if (typeof ann === 'object' && ann !== null) {
    const kept = Object.fromEntries(Object.entries(ann as Record<string, unknown>).filter(([k]) => !NOISE_ANNOTATIONS.includes(k)));
    if (Object.keys(kept).length > 0) metadata.annotations = kept;
    else delete metadata.annotations;
  }
  const out: Record<string, unknown> = {};
  const source: Record<string, unknown> = { ...obj, metadata };
  for (const k of TOP_ORDER) if (k in source) out[k] = source[k];
  for (const [k, v] of Object.entries(source)) if (!(k in out)) out[k] = v;
  return out;
}

export function describeYaml(obj: KubeObject): string {
  return YAML.stringify(cleanForDisplay(obj), { lineWidth: 0 });
}

/**
 * What a dry-run diff compares: fields the server changes on every write (resourceVersion,
 * generation, timestamps in managedFields) would make every line look different.
 */
export function forDiff(obj: KubeObject | undefined): string {
  if (!obj) return '';
  const clean = cleanForDisplay(obj);
  const md = { ...(clean.metadata as Record<string, unknown>) };
  delete md.resourceVersion;
  delete md.generation;
  clean.metadata = md;
  return YAML.stringify(clean, { lineWidth: 0 });
}
