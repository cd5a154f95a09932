// Registry credentials the way the Docker CLI finds them, from the USER's Docker config only
// ($DOCKER_CONFIG or ~/.docker/config.json; never a workspace file): `credHelpers[host]`, else
// `credsStore`, else `auths[host]`. A helper is the binary `docker-credential-<name>` the user's
// config names, run without a shell, with a deadline and a bounded output. ModelDock stores
// nothing; the values go into the push's X-Registry-Auth header and the registry client's
// Authorization header, never into a log line or an error message.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface RegistryCredentials {
  readonly username?: string;
  readonly password?: string;
  /** An OAuth refresh token (`identitytoken`), used instead of a password. */
  readonly identityToken?: string;
}

export type CredentialSource = 'auths' | 'credHelpers' | 'credsStore' | 'none';

export interface ResolvedCredentials {
  /** The registry host the credentials are for (`docker.io` for Docker Hub). */
  readonly host: string;
  readonly credentials?: RegistryCredentials;
  /** Where they came from (for the log: the source, never the values). */
  readonly source: CredentialSource;
  /** The helper that answered or failed (`docker-credential-<name>`). */
  readonly helper?: string;
  /** Why none were found although the config said where (a helper that failed, a broken entry). */
  readonly problem?: string;
}

/** How a credential helper is run (replaced in tests by a real script on PATH, not a stub). */
export type HelperRunner = (binary: string, host: string, timeoutMs: number) => Promise<{ code: number; stdout: string; stderr: string }>;

export interface CredentialOptions {
  /** The Docker config folder; default $DOCKER_CONFIG, else ~/.docker. */
  readonly configDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly runHelper?: HelperRunner;
  readonly timeoutMs?: number;
}

const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_KEYS = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];
/** A config file larger than this is not a Docker config. */
const MAX_CONFIG_BYTES = 1024 * 1024;
const MAX_HELPER_OUTPUT = 64 * 1024;
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * The registry host of an image reference, as Docker resolves it: the first path component when
 * it looks like a host (has a dot or a port, or is `localhost`), else Docker Hub.
 */
export function registryHostOf(ref: string): string {
  const slash = ref.indexOf('/');
  if (slash < 0) return DOCKER_HUB;
  const first = ref.slice(0, slash);
  if (first === 'localhost' || first.includes('.') || first.includes(':') || first.startsWith('[')) return first === 'index.docker.io' || first === 'registry-1.docker.io' ? DOCKER_HUB : first;
  return DOCKER_HUB;
}

/** An `auths` key as a host: `https://127.0.0.1:5000/v1/` → `127.0.0.1:5000`. */
export function normalizeRegistryKey(key: string): string {
  let k = key.trim();
  const scheme = k.indexOf('://');
  if (scheme >= 0) k = k.slice(scheme + 3);
  const slash = k.indexOf('/');
  if (slash >= 0) k = k.slice(0, slash);
  k = k.toLowerCase();
  return DOCKER_HUB_KEYS.includes(k) || k === 'index.docker.io' ? DOCKER_HUB : k;
}

export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  const fromEnv = env.DOCKER_CONFIG?.trim();
  return fromEnv ? path.resolve(fromEnv) : path.join(home, '.docker');
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : undefined);

interface DockerConfig {
  readonly auths: ReadonlyMap<string, Rec>;
  readonly credHelpers: ReadonlyMap<string, string>;
  readonly credsStore?: string;
}

async function readConfig(dir: string): Promise<DockerConfig | { problem: string } | undefined> {
  const file = path.join(dir, 'config.json');
  let text: string;
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) return { problem: `${file} is not a file` };
    if (st.size > MAX_CONFIG_BYTES) return { problem: `${file} is larger than 1 MiB` };
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return undefined;
    return { problem: `${file} could not be read (${(err as { code?: string }).code ?? 'error'})` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { problem: `${file} is not valid JSON` };
  }
  const o = rec(raw);
  if (!o) return { problem: `${file} is not a JSON object` };
  const auths = new Map<string, Rec>();
  for (const [k, v] of Object.entries(rec(o.auths) ?? {})) {
    const entry = rec(v);
    if (entry) auths.set(normalizeRegistryKey(k), entry);
  }
  const credHelpers = new Map<string, string>();
  for (const [k, v] of Object.entries(rec(o.credHelpers) ?? {})) if (typeof v === 'string') credHelpers.set(normalizeRegistryKey(k), v);
  const credsStore = typeof o.credsStore === 'string' && o.credsStore.trim() ? o.credsStore.trim() : undefined;
  return { auths, credHelpers, ...(credsStore ? { credsStore } : {}) };
}

function fromAuthEntry(entry: Rec): RegistryCredentials | undefined {
  const identityToken = typeof entry.identitytoken === 'string' && entry.identitytoken ? entry.identitytoken : undefined;
  let username = typeof entry.username === 'string' ? entry.username : undefined;
  let password = typeof entry.password === 'string' ? entry.password : undefined;
  if (typeof entry.auth === 'string' && entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      username = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    }
  }
  if (!username && !identityToken) return undefined;
  return { ...(username ? { username } : {}), ...(password !== undefined && password !== '' ? { password } : {}), ...(identityToken ? { identityToken } : {}) };
}

/** Runs `binary get` with the host on stdin: no shell, a deadline, bounded output. */
export const runCredentialHelper: HelperRunner = (binary, host, timeoutMs) =>
  new Promise((resolve) => {
    const child = execFile(binary, ['get'], { timeout: timeoutMs, maxBuffer: MAX_HELPER_OUTPUT, windowsHide: true, shell: false }, (err, stdout, stderr) => {
      const errCode = (err as { code?: unknown } | null)?.code;
      const code = err ? (typeof errCode === 'number' ? errCode : -1) : 0;
      // Spawn failures (ENOENT: not installed) carry their code as a string.
      const why = typeof errCode === 'string' ? `${errCode}\n` : err?.killed ? 'timed out\n' : '';
      resolve({ code, stdout: String(stdout), stderr: `${why}${String(stderr)}`.slice(0, 2000) });
    });
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(host);
  });

/** The helper's answer for `host`, or why there is none (never the secret). */
async function askHelper(name: string, host: string, options: CredentialOptions): Promise<{ credentials?: RegistryCredentials; problem?: string }> {
  if (!HELPER_NAME.test(name)) return { problem: `the credential helper name ${JSON.stringify(name.slice(0, 40))} is not a plain name; ModelDock does not run it` };
  const binary = `docker-credential-${name}`;
  const run = options.runHelper ?? runCredentialHelper;
  // Docker Hub's helper entry is keyed by the v1 index URL.
  const server = host === DOCKER_HUB ? 'https://index.docker.io/v1/' : host;
  const res = await run(binary, server, options.timeoutMs ?? 10_000);
  if (res.code !== 0) {
    // "credentials not found in native keychain": no credentials, not an error.
    if (/not found/i.test(res.stdout + res.stderr)) return {};
    if (res.code === -1 && /^ENOENT/.test(res.stderr)) return { problem: `${binary} is not on PATH` };
    if (res.code === -1 && /^timed out/.test(res.stderr)) return { problem: `${binary} failed: no answer within ${Math.round((options.timeoutMs ?? 10_000) / 1000)} s` };
    return { problem: `${binary} failed (exit ${res.code})${res.stderr.trim() ? `: ${res.stderr.trim().split('\n')[0]!.slice(0, 200)}` : ''}` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.stdout);
  } catch {
    return { problem: `${binary} did not answer JSON` };
  }
  const o = rec(parsed);
  const user = typeof o?.Username === 'string' ? o.Username : undefined;
  const secret = typeof o?.Secret === 'string' ? o.Secret : undefined;
  if (!secret) return {};
  // The helpers' convention for an identity token.
  if (user === '<token>') return { credentials: { identityToken: secret } };
  return { credentials: { ...(user ? { username: user } : {}), password: secret } };
}

/** The credentials Docker would use for `host` (a registry host, see registryHostOf). */
export async function resolveCredentials(host: string, options: CredentialOptions = {}): Promise<ResolvedCredentials> {
  const h = normalizeRegistryKey(host);
  const config = await readConfig(options.configDir ?? dockerConfigDir(options.env));
  if (!config) return { host: h, source: 'none' };
  if ('problem' in config) return { host: h, source: 'none', problem: config.problem };
  const helperName = config.credHelpers.get(h);
  if (helperName) {
    const r = await askHelper(helperName, h, options);
    return { host: h, source: 'credHelpers', helper: `docker-credential-${helperName}`, ...r };
  }
  if (config.credsStore) {
    const r = await askHelper(config.credsStore, h, options);
    if (r.credentials || r.problem) return { host: h, source: 'credsStore', helper: `docker-credential-${config.credsStore}`, ...r };
  }
  const entry = config.auths.get(h);
  const credentials = entry ? fromAuthEntry(entry) : undefined;
  return credentials ? { host: h, source: 'auths', credentials } : { host: h, source: 'none' };
}

/** The Engine API's X-Registry-Auth value (base64url JSON); `{}` when there are no credentials. */
export function registryAuthHeader(host: string, credentials: RegistryCredentials | undefined): string {
  const server = host === DOCKER_HUB ? 'https://index.docker.io/v1/' : host;
  const body = !credentials
    ? {}
    : credentials.identityToken
      ? { identitytoken: credentials.identityToken, serveraddress: server }
      : { username: credentials.username ?? '', password: credentials.password ?? '', serveraddress: server };
  return Buffer.from(JSON.stringify(body)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}
