// A small client for the registry's HTTP API (distribution v2 / OCI): does the manifest of this
// reference exist, from this machine, with the user's credentials? Asked before a Deploy applies
// a digest, and when a pod cannot pull, so the user reads the registry's own answer
// (`MANIFEST_UNKNOWN`, `UNAUTHORIZED`, `DENIED`, …) instead of only the kubelet's paraphrase.
// Registries on a loopback address are reached over plain HTTP when HTTPS fails, as Docker does
// (127.0.0.0/8 is an insecure registry by default); any other host must speak HTTPS.
import * as http from 'node:http';
import * as https from 'node:https';
import { registryHostOf, resolveCredentials, type CredentialOptions, type RegistryCredentials } from './credentials';

export interface ImageRef {
  /** Registry host (`docker.io` for Docker Hub). */
  readonly host: string;
  /** Repository path on that registry (`library/redis` for an official Hub image). */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Splits `host/repo:tag@sha256:…`; undefined for something that is not an image reference. */
export function parseImageRef(ref: string): ImageRef | undefined {
  if (ref.length === 0 || ref.length > 512 || /\s/.test(ref)) return undefined;
  const host = registryHostOf(ref);
  let rest = host === 'docker.io' && !ref.startsWith('docker.io/') && !ref.startsWith('index.docker.io/') ? ref : ref.slice(ref.indexOf('/') + 1);
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    if (!DIGEST.test(digest)) return undefined;
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(rest)) return undefined;
  if (tag !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) return undefined;
  const repository = host === 'docker.io' && !rest.includes('/') ? `library/${rest}` : rest;
  return { host, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.split(':')[0]!;
  return name === 'localhost' || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

export type ManifestCheck =
  | { readonly ok: true; readonly digest?: string; readonly url: string }
  | {
      readonly ok: false;
      /** HTTP status, or 0 when the registry could not be reached. */
      readonly status: number;
      /** The registry's error code (`MANIFEST_UNKNOWN`, `UNAUTHORIZED`, …) or the socket error's. */
      readonly code: string;
      /** The registry's own words, ready to show. */
      readonly message: string;
      readonly url: string;
    };

export interface RegistryClientOptions {
  readonly credentials?: RegistryCredentials;
  readonly timeoutMs?: number;
}

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

const MAX_BODY = 256 * 1024;
const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

function request(url: URL, method: string, headers: Record<string, string>, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, { method, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BODY) chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}

/** `Bearer realm="…",service="…",scope="…"` → its parameters (quoted values, no backtracking). */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  let i = space < 0 ? header.length : space + 1;
  while (i < header.length && i < 4096) {
    while (header[i] === ' ' || header[i] === ',') i++;
    const eq = header.indexOf('=', i);
    if (eq < 0) break;
    const key = header.slice(i, eq).trim().toLowerCase();
    let value = '';
    let j = eq + 1;
    if (header[j] === '"') {
      j++;
      while (j < header.length && header[j] !== '"') {
        if (header[j] === '\\' && j + 1 < header.length) j++;
        value += header[j];
        j++;
      }
      j++;
    } else {
      while (j < header.length && header[j] !== ',') value += header[j++];
      value = value.trim();
    }
    params[key] = value;
    i = j;
  }
  return { scheme, params };
}

function basic(c: RegistryCredentials | undefined): string | undefined {
  if (!c?.username || c.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

/** The registry's error from a v2 error body, or a sentence for the status. */
function registryError(status: number, body: string): { code: string; message: string } {
  try {
    const errors = (JSON.parse(body) as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      const first = errors[0] as { code?: unknown; message?: unknown; detail?: unknown };
      const code = typeof first.code === 'string' ? first.code : `HTTP_${status}`;
      const msg = typeof first.message === 'string' ? first.message : '';
      return { code, message: `${code}: ${msg}`.slice(0, 500) };
    }
  } catch {
    // not the registry's JSON (a proxy's page): the status says it
  }
  const words: Record<number, string> = { 401: 'authentication required', 403: 'access denied', 404: 'not found', 429: 'too many requests' };
  return { code: `HTTP_${status}`, message: `HTTP ${status}${words[status] ? ` (${words[status]})` : ''}` };
}

/**
 * Checks that the registry serves the manifest of `ref` (by digest when it has one, else tag),
 * from here, with `credentials`. Token authentication (Bearer, as Docker Hub, GHCR, Harbor and
 * distribution with token auth use) and Basic are both followed.
 */
export async function checkManifest(ref: string, options: RegistryClientOptions = {}): Promise<ManifestCheck> {
  const parsed = parseImageRef(ref);
  if (!parsed) return { ok: false, status: 0, code: 'INVALID_REFERENCE', message: `${ref} is not an image reference`, url: '' };
  const timeoutMs = options.timeoutMs ?? 15_000;
  const host = parsed.host === 'docker.io' ? 'registry-1.docker.io' : parsed.host;
  const reference = parsed.digest ?? parsed.tag ?? 'latest';
  const pathPart = `/v2/${parsed.repository}/manifests/${reference}`;
  const schemes = isLoopbackHost(host) ? ['https:', 'http:'] : ['https:'];
  let lastError: unknown;
  for (const scheme of schemes) {
    const url = new URL(`${scheme}//${host}${pathPart}`);
    try {
      return await checkAt(url, parsed.repository, options.credentials, timeoutMs);
    } catch (err) {
      lastError = err;
    }
  }
  const e = lastError as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : 'UNREACHABLE';
  return { ok: false, status: 0, code, message: `the registry ${parsed.host} could not be reached from this machine (${code})`, url: `https://${host}${pathPart}` };
}

async function checkAt(url: URL, repository: string, credentials: RegistryCredentials | undefined, timeoutMs: number): Promise<ManifestCheck> {
  const headers: Record<string, string> = { Accept: MANIFEST_TYPES, 'User-Agent': 'ModelDock' };
  let answer = await request(url, 'GET', headers, timeoutMs);
  if (answer.status === 401) {
    const challenge = parseChallenge(String(answer.headers['www-authenticate'] ?? ''));
    let authorization: string | undefined;
    if (challenge.scheme === 'basic') authorization = basic(credentials);
    else if (challenge.scheme === 'bearer' && challenge.params.realm) {
      const token = await fetchToken(url, challenge.params, repository, credentials, timeoutMs);
      if (token) authorization = `Bearer ${token}`;
    }
    if (authorization) answer = await request(url, 'GET', { ...headers, Authorization: authorization }, timeoutMs);
  }
  const shown = url.toString();
  if (answer.status >= 200 && answer.status < 300) {
    const digest = answer.headers['docker-content-digest'];
    return { ok: true, url: shown, ...(typeof digest === 'string' ? { digest } : {}) };
  }
  const err = registryError(answer.status, answer.body);
  return { ok: false, status: answer.status, code: err.code, message: err.message, url: shown };
}

async function fetchToken(registry: URL, params: Record<string, string>, repository: string, credentials: RegistryCredentials | undefined, timeoutMs: number): Promise<string | undefined> {
  let realm: URL;
  try {
    realm = new URL(params.realm!);
  } catch {
    return undefined;
  }
  if (realm.protocol !== 'https:' && realm.protocol !== 'http:') return undefined;
  if (params.service) realm.searchParams.set('service', params.service);
  realm.searchParams.set('scope', params.scope ?? `repository:${repository}:pull`);
  // Credentials go only to the registry itself or to an HTTPS token service.
  const mayAuthenticate = realm.protocol === 'https:' || realm.host === registry.host;
  const headers: Record<string, string> = { 'User-Agent': 'ModelDock' };
  const auth = mayAuthenticate ? basic(credentials) : undefined;
  if (auth) headers.Authorization = auth;
  if (mayAuthenticate && credentials?.identityToken) {
    // OAuth refresh token flow is a POST; distribution's token servers also take it as a basic password.
    headers.Authorization = `Basic ${Buffer.from(`<token>:${credentials.identityToken}`).toString('base64')}`;
  }
  const answer = await request(realm, 'GET', headers, timeoutMs);
  if (answer.status !== 200) return undefined;
  try {
    const body = JSON.parse(answer.body) as { token?: unknown; access_token?: unknown };
    const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined;
    return token && token.length < 16_384 ? token : undefined;
  } catch {
    return undefined;
  }
}

/** checkManifest with the credentials Docker would use for the reference's registry (the user's config). */
export async function checkImageAccess(ref: string, options: CredentialOptions & { readonly timeoutMs?: number } = {}): Promise<ManifestCheck> {
  const resolved = await resolveCredentials(registryHostOf(ref), options);
  return checkManifest(ref, { ...(resolved.credentials ? { credentials: resolved.credentials } : {}), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
}
