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

/** Which file each winning entry came from (by name), so a context can be checked before it is used. */
export interface EntryOrigins {
  readonly clusters: ReadonlyMap<string, string>;
  readonly users: ReadonlyMap<string, string>;
  readonly contexts: ReadonlyMap<string, string>;
}

export interface MergeResult {
  readonly config: RawKubeconfig;
  /** Files that could not be parsed; the rest still merge (kubectl fails instead — we keep the tree useful). */
  readonly problems: readonly { readonly path: string; readonly message: string }[];
  readonly origins?: EntryOrigins;
}

export interface KubeconfigSources {
  /** The `modeldock.kube.kubeconfig` setting (user/machine scope only): one path or several. */
  readonly setting?: string | readonly string[];
  /** `process.env.KUBECONFIG`. */
  readonly env?: string;
  readonly home?: string;
  readonly delimiter?: string;
  /**
   * The open workspace folders. A kubeconfig that lies inside one (after resolving symlinks) is
   * the repository's file, not the user's: its credential plugins never run and its clusters never
   * receive credentials defined in another file.
   */
  readonly workspaceFolders?: readonly string[];
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
  const origins = { clusters: new Map<string, string>(), users: new Map<string, string>(), contexts: new Map<string, string>() };
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
    for (const [list, map, inner, origin] of [
      [doc.clusters, clusters, 'cluster', origins.clusters],
      [doc.users, users, 'user', origins.users],
      [doc.contexts, contexts, 'context', origins.contexts],
    ] as const) {
      for (const entry of namedEntries(list, inner, dir)) {
        if (map.has(entry.name)) continue;
        map.set(entry.name, entry);
        origin.set(entry.name, file.path);
      }
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
    origins,
  };
}

/** Where a kubeconfig file stands: whose it is, and whether a repository put it there. */
export interface FileTrust {
  /** The workspace folder (real path) the file lies in, when it does. */
  readonly workspaceFolder?: string;
  /** Owned by the current user (or root) and not writable by everyone. Always true on Windows. */
  readonly owned: boolean;
}

export interface LoadedKubeconfig extends MergeResult {
  readonly paths: readonly string[];
  /** Paths that existed and were read. Empty means "no kubeconfig": the view shows how to get one. */
  readonly found: readonly string[];
  /** Each file read, by path. A config built in code (tests, the CLI) has none: it is the caller's own. */
  readonly trust?: ReadonlyMap<string, FileTrust>;
  /** Entries ModelDock will not use, keyed `user:<name>` or `cluster:<name>`, with what to tell the user. */
  readonly refusals?: ReadonlyMap<string, Refusal>;
}

export interface Refusal {
  readonly message: string;
  readonly hint: string;
}

/** Larger than any real kubeconfig; stops a setting pointing at a disk image from filling memory. */
const MAX_KUBECONFIG_BYTES = 16 * 1024 * 1024;

const caseInsensitiveFs = process.platform === 'win32' || process.platform === 'darwin';
const fold = (p: string) => (caseInsensitiveFs ? p.toLowerCase() : p);

function isInside(child: string, parent: string): boolean {
  const c = fold(child);
  const p = fold(parent);
  return c === p || c.startsWith(p.endsWith(path.sep) ? p : p + path.sep);
}

async function realOrResolved(p: string): Promise<string> {
  try {
    return await fs.realpath(p);
  } catch {
    return path.resolve(p);
  }
}

function ownedByUser(st: { uid: number; mode: number }): boolean {
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  if (uid === undefined) return true;
  return (st.uid === uid || st.uid === 0) && (st.mode & 0o002) === 0;
}

function isForeign(t: FileTrust | undefined): boolean {
  return !!t && (t.workspaceFolder !== undefined || !t.owned);
}

function whyForeign(t: FileTrust): string {
  return t.workspaceFolder !== undefined ? `lies in the workspace folder ${t.workspaceFolder}` : 'is not owned by you or can be written by anyone';
}

const clip = (s: string) => (s.length > 120 ? `${s.slice(0, 117)}…` : s);

function credentialCommand(user: Record<string, unknown>): string | undefined {
  const exec = user.exec;
  if (isRecord(exec)) return `exec plugin "${clip(typeof exec.command === 'string' ? exec.command : '?')}"`;
  const provider = user['auth-provider'];
  if (isRecord(provider)) {
    const cmd = isRecord(provider.config) ? provider.config['cmd-path'] : undefined;
    return `auth-provider "${clip(typeof provider.name === 'string' ? provider.name : '?')}"${typeof cmd === 'string' ? ` (runs "${clip(cmd)}")` : ''}`;
  }
  return undefined;
}

const USER_FILE_KEYS = ['client-certificate', 'client-key', 'tokenFile'] as const;
const CREDENTIAL_KEYS = ['token', 'tokenFile', 'client-certificate', 'client-certificate-data', 'client-key', 'client-key-data', 'username', 'password', 'exec', 'auth-provider'];

/**
 * What ModelDock refuses to use, decided once per load:
 *  - a credential plugin (`exec`, `auth-provider`) from a file in the workspace or not the user's:
 *    it would run a command a repository chose;
 *  - a file reference (`tokenFile`, client cert/key, CA) from a workspace file that resolves outside
 *    that workspace folder: it would read, and for `tokenFile` send, a file of the user's.
 */
async function assess(merged: MergeResult, trust: ReadonlyMap<string, FileTrust>): Promise<Map<string, Refusal>> {
  const refusals = new Map<string, Refusal>();
  const origins = merged.origins;
  if (!origins) return refusals;
  for (const entry of merged.config.users) {
    const file = origins.users.get(entry.name);
    const t = file === undefined ? undefined : trust.get(file);
    if (!file || !t || !isForeign(t)) continue;
    const user = isRecord(entry.user) ? entry.user : {};
    const command = credentialCommand(user);
    if (command) {
      refusals.set(`user:${entry.name}`, {
        message: `ModelDock does not run the ${command} of user "${entry.name}": ${file} ${whyForeign(t)}.`,
        hint: t.workspaceFolder !== undefined
          ? 'Keep kubeconfigs with exec or auth-provider credentials outside the workspace (for example in ~/.kube/).'
          : `Make the file yours and not writable by others (chown, chmod go-w ${file}), or move it to ~/.kube/.`,
      });
      continue;
    }
    if (t.workspaceFolder === undefined) continue;
    for (const key of USER_FILE_KEYS) {
      const ref = user[key];
      if (typeof ref !== 'string' || ref === '') continue;
      if (!isInside(await realOrResolved(ref), t.workspaceFolder)) {
        refusals.set(`user:${entry.name}`, {
          message: `User "${entry.name}" in ${file} (a workspace file) reads ${key} ${clip(ref)}, outside the workspace folder.`,
          hint: 'A kubeconfig in the workspace may only refer to files inside it. Move the kubeconfig out of the workspace if it is yours.',
        });
        break;
      }
    }
  }
  for (const entry of merged.config.clusters) {
    const file = origins.clusters.get(entry.name);
    const t = file === undefined ? undefined : trust.get(file);
    if (!file || t?.workspaceFolder === undefined) continue;
    const ca = isRecord(entry.cluster) ? entry.cluster['certificate-authority'] : undefined;
    if (typeof ca === 'string' && ca !== '' && !isInside(await realOrResolved(ca), t.workspaceFolder)) {
      refusals.set(`cluster:${entry.name}`, {
        message: `Cluster "${entry.name}" in ${file} (a workspace file) reads certificate-authority ${clip(ca)}, outside the workspace folder.`,
        hint: 'A kubeconfig in the workspace may only refer to files inside it. Move the kubeconfig out of the workspace if it is yours.',
      });
    }
  }
  return refusals;
}

export async function loadKubeconfig(sources: KubeconfigSources): Promise<LoadedKubeconfig> {
  const paths = kubeconfigPaths(sources);
  const home = sources.home ?? os.homedir();
  // kubectl's own directory is the user's even when the user opened their home as a folder.
  const kubeDir = await realOrResolved(path.join(home, '.kube'));
  const folders = await Promise.all((sources.workspaceFolders ?? []).map(realOrResolved));
  const files: KubeconfigFile[] = [];
  const problems: { path: string; message: string }[] = [];
  const trust = new Map<string, FileTrust>();
  for (const p of paths) {
    let st: Awaited<ReturnType<typeof fs.stat>>;
    try {
      st = await fs.stat(p);
    } catch {
      continue; // Missing entries in KUBECONFIG are skipped, as kubectl does.
    }
    if (!st.isFile()) {
      problems.push({ path: p, message: 'not a regular file' });
      continue;
    }
    if (st.size > MAX_KUBECONFIG_BYTES) {
      problems.push({ path: p, message: `larger than ${MAX_KUBECONFIG_BYTES / 1024 / 1024} MiB; not a kubeconfig` });
      continue;
    }
    try {
      files.push({ path: p, text: await fs.readFile(p, 'utf8') });
    } catch (err) {
      problems.push({ path: p, message: err instanceof Error ? err.message : String(err) });
      continue;
    }
    const real = await realOrResolved(p);
    const folder = isInside(real, kubeDir) ? undefined : folders.find((f) => isInside(real, f));
    trust.set(p, { owned: ownedByUser(st), ...(folder !== undefined ? { workspaceFolder: folder } : {}) });
  }
  const merged = mergeKubeconfigs(files);
  return {
    ...merged,
    problems: [...problems, ...merged.problems],
    paths,
    found: files.map((f) => f.path),
    trust,
    refusals: await assess(merged, trust),
  };
}

function hasCredentials(user: unknown): boolean {
  return isRecord(user) && CREDENTIAL_KEYS.some((k) => user[k] !== undefined && user[k] !== '');
}

/**
 * Whether ModelDock may connect with `context`, and if not, why. Besides the per-entry refusals:
 * credentials from the user's own file are never sent to a cluster that a workspace (or someone
 * else's) file defines: merged like kubectl, such a file could redefine the server of the user's
 * context and receive the user's real token.
 */
export function refusalFor(kubeconfig: RawKubeconfig | LoadedKubeconfig, context: string): Refusal | undefined {
  if (!('config' in kubeconfig)) return undefined;
  const { config, origins, trust, refusals } = kubeconfig;
  const ctx = config.contexts.find((c) => c.name === context);
  if (!ctx) return undefined;
  const clusterName = contextField(ctx, 'cluster');
  const userName = contextField(ctx, 'user');
  const byUser = userName === undefined ? undefined : refusals?.get(`user:${userName}`);
  if (byUser) return byUser;
  const byCluster = clusterName === undefined ? undefined : refusals?.get(`cluster:${clusterName}`);
  if (byCluster) return byCluster;
  if (!origins || !trust || clusterName === undefined || userName === undefined) return undefined;
  const clusterFile = origins.clusters.get(clusterName);
  const userFile = origins.users.get(userName);
  if (clusterFile === undefined || userFile === undefined || clusterFile === userFile) return undefined;
  const tc = trust.get(clusterFile);
  if (!tc || !isForeign(tc) || isForeign(trust.get(userFile))) return undefined;
  const user = config.users.find((u) => u.name === userName)?.user;
  if (!hasCredentials(user)) return undefined;
  return {
    message: `Context "${context}" would send the credentials of user "${userName}" (from ${userFile}) to cluster "${clusterName}", defined in ${clusterFile}, which ${whyForeign(tc)}.`,
    hint: `Remove cluster "${clusterName}" from ${clusterFile}, or take that file out of KUBECONFIG and modeldock.kube.kubeconfig.`,
  };
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

/**
 * The config for client-node: only the context to talk to, its cluster and its user, so no other
 * entry's credentials or plugins are within its reach.
 */
export function kubeconfigText(config: RawKubeconfig, context: string): string {
  const ctx = config.contexts.find((c) => c.name === context);
  const clusterName = ctx ? contextField(ctx, 'cluster') : undefined;
  const userName = ctx ? contextField(ctx, 'user') : undefined;
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: config.clusters.filter((c) => c.name === clusterName),
    users: config.users.filter((u) => u.name === userName),
    contexts: ctx ? [ctx] : [],
    'current-context': context,
  });
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
