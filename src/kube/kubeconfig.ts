import * as path from 'node:path';
import * as os from 'node:os';
import { promises as fs } from 'node:fs';
import YAML from 'yaml';
import type { KubeContextInfo } from './types';

/**
 * Kubeconfig discovery and merging, done the way kubectl does it so ModelDock shows the same
 * contexts: files are merged in order, the first file that names a cluster/user/context wins,
 * the first `current-context` wins, and relative paths resolve against the file they appear in.
 * The merged result goes to client-node as text, so every auth method it supports keeps working.
 */

export interface NamedEntry {
  readonly name: string;
  readonly [key: string]: unknown;
}

export interface RawKubeconfig {
  readonly apiVersion: 'v1';
  readonly kind: 'Config';
  readonly clusters: NamedEntry[];
  readonly users: NamedEntry[];
  readonly contexts: NamedEntry[];
  readonly 'current-context'?: string;
}

export interface KubeconfigFile {
  readonly path: string;
  readonly text: string;
}

export interface MergeResult {
  readonly config: RawKubeconfig;
  /** Files that could not be parsed; the rest still merge (kubectl fails instead — we keep the tree useful). */
  readonly problems: readonly { readonly path: string; readonly message: string }[];
}

export interface KubeconfigSources {
  /** The `modeldock.kube.kubeconfig` setting: one path or several. */
  readonly setting?: string | readonly string[];
  /** `process.env.KUBECONFIG`. */
  readonly env?: string;
  readonly home?: string;
  readonly delimiter?: string;
}

function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/') || p.startsWith('~\\')) return path.join(home, p.slice(2));
  return p;
}

/** Which files to read, in merge order. The setting beats KUBECONFIG, which beats ~/.kube/config. */
export function kubeconfigPaths(sources: KubeconfigSources): string[] {
  const home = sources.home ?? os.homedir();
  const setting = typeof sources.setting === 'string' ? [sources.setting] : (sources.setting ?? []);
  const fromSetting = setting.map((s) => s.trim()).filter((s) => s.length > 0);
  if (fromSetting.length > 0) return fromSetting.map((p) => path.resolve(expandHome(p, home)));
  const env = sources.env?.trim();
  if (env) {
    const seen = new Set<string>();
    const out: string[] = [];
    for (const part of env.split(sources.delimiter ?? path.delimiter)) {
      const p = part.trim();
      if (!p) continue;
      const abs = path.resolve(expandHome(p, home));
      // kubectl ignores repeated entries; the first occurrence keeps its precedence.
      if (!seen.has(abs)) {
        seen.add(abs);
        out.push(abs);
      }
    }
    if (out.length > 0) return out;
  }
  return [path.join(home, '.kube', 'config')];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function resolveRel(dir: string, value: unknown): unknown {
  if (typeof value !== 'string' || value === '' || path.isAbsolute(value)) return value;
  return path.resolve(dir, value);
}

/** Returns a copy of `section` with the file references made absolute (client-go's ResolvePaths). */
function absolutize(kind: 'cluster' | 'user', section: Record<string, unknown>, dir: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...section };
  if (kind === 'cluster') {
    if ('certificate-authority' in out) out['certificate-authority'] = resolveRel(dir, out['certificate-authority']);
    return out;
  }
  for (const key of ['client-certificate', 'client-key', 'tokenFile']) {
    if (key in out) out[key] = resolveRel(dir, out[key]);
  }
  const exec = out.exec;
  // Like client-go: an exec command is resolved only when it is a relative path, not a bare name on PATH.
  if (isRecord(exec) && typeof exec.command === 'string' && exec.command.includes('/')) {
    out.exec = { ...exec, command: resolveRel(dir, exec.command) };
  }
  return out;
}

function namedEntries(list: unknown, inner: 'cluster' | 'user' | 'context', dir: string): NamedEntry[] {
  if (!Array.isArray(list)) return [];
  const out: NamedEntry[] = [];
  for (const item of list) {
    if (!isRecord(item) || typeof item.name !== 'string' || item.name === '') continue;
    const body = isRecord(item[inner]) ? (item[inner] as Record<string, unknown>) : {};
    const fixed = inner === 'context' ? body : absolutize(inner, body, dir);
    out.push({ ...item, name: item.name, [inner]: fixed });
  }
  return out;
}

export function mergeKubeconfigs(files: readonly KubeconfigFile[]): MergeResult {
  const clusters = new Map<string, NamedEntry>();
  const users = new Map<string, NamedEntry>();
  const contexts = new Map<string, NamedEntry>();
  let current: string | undefined;
  const problems: { path: string; message: string }[] = [];
  for (const file of files) {
    let doc: unknown;
    try {
      doc = YAML.parse(file.text);
    } catch (err) {
      problems.push({ path: file.path, message: err instanceof Error ? err.message.split('\n')[0] ?? 'parse error' : String(err) });
      continue;
    }
    if (doc === null || doc === undefined) continue; // empty file: kubectl treats it as an empty config
    if (!isRecord(doc)) {
      problems.push({ path: file.path, message: 'not a kubeconfig (expected a mapping)' });
      continue;
    }
    const dir = path.dirname(file.path);
    for (const [list, map, inner] of [
      [doc.clusters, clusters, 'cluster'],
      [doc.users, users, 'user'],
      [doc.contexts, contexts, 'context'],
    ] as const) {
      for (const entry of namedEntries(list, inner, dir)) if (!map.has(entry.name)) map.set(entry.name, entry);
    }
    const cc = doc['current-context'];
    if (current === undefined && typeof cc === 'string' && cc !== '') current = cc;
  }
  return {
    config: {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [...clusters.values()],
      users: [...users.values()],
      contexts: [...contexts.values()],
      ...(current !== undefined ? { 'current-context': current } : {}),
    },
    problems,
  };
}

export interface LoadedKubeconfig extends MergeResult {
  readonly paths: readonly string[];
  /** Paths that existed and were read. Empty means "no kubeconfig": the view shows how to get one. */
  readonly found: readonly string[];
}

export async function loadKubeconfig(sources: KubeconfigSources): Promise<LoadedKubeconfig> {
  const paths = kubeconfigPaths(sources);
  const files: KubeconfigFile[] = [];
  for (const p of paths) {
    try {
      files.push({ path: p, text: await fs.readFile(p, 'utf8') });
    } catch {
      // Missing entries in KUBECONFIG are skipped, as kubectl does.
    }
  }
  return { ...mergeKubeconfigs(files), paths, found: files.map((f) => f.path) };
}

function contextField(entry: NamedEntry, key: string): string | undefined {
  const ctx = entry.context;
  if (!isRecord(ctx)) return undefined;
  const v = ctx[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The contexts, with `active` (ModelDock's own choice, kept in extension state) overriding the file's. */
export function listContexts(config: RawKubeconfig, active?: string): KubeContextInfo[] {
  const names = new Set(config.contexts.map((c) => c.name));
  const current = active !== undefined && names.has(active) ? active : config['current-context'];
  return config.contexts.map((c) => {
    const clusterName = contextField(c, 'cluster') ?? '';
    const cluster = config.clusters.find((x) => x.name === clusterName);
    const server = cluster && isRecord(cluster.cluster) && typeof cluster.cluster.server === 'string' ? cluster.cluster.server : undefined;
    const ns = contextField(c, 'namespace');
    return {
      name: c.name,
      cluster: clusterName,
      user: contextField(c, 'user') ?? '',
      ...(ns ? { namespace: ns } : {}),
      ...(server ? { server } : {}),
      current: c.name === current,
    };
  });
}

/** The merged config as YAML for client-node, with `current-context` set to the one to talk to. */
export function kubeconfigText(config: RawKubeconfig, context: string): string {
  return YAML.stringify({ ...config, 'current-context': context });
}

/**
 * Writes `current-context` into the file that defines it (kubectl's rule: the first file that sets
 * it, else the first file), keeping comments. Only used when the user opted in by setting.
 */
export async function writeCurrentContext(paths: readonly string[], context: string): Promise<string | undefined> {
  let target: string | undefined;
  let firstExisting: string | undefined;
  for (const p of paths) {
    let text: string;
    try {
      text = await fs.readFile(p, 'utf8');
    } catch {
      continue;
    }
    firstExisting ??= p;
    const doc = YAML.parseDocument(text);
    const cc: unknown = doc.get('current-context');
    if (typeof cc === 'string' && cc !== '') {
      target = p;
      break;
    }
  }
  target ??= firstExisting;
  if (!target) return undefined;
  const doc = YAML.parseDocument(await fs.readFile(target, 'utf8'));
  doc.set('current-context', context);
  await fs.writeFile(target, doc.toString(), 'utf8');
  return target;
}
