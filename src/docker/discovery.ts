import { createHash } from 'node:crypto';
import type { DiscoveredEngine, EngineEndpoint, EngineSource, TlsFiles } from './types';

/**
 * Everything discovery looks at, injected so the decision is a pure function of it: tests hand in
 * a fake environment, the adapter hands in `nodeDiscoveryView()`.
 */
export interface DiscoveryView {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir: string;
  readonly platform: NodeJS.Platform;
  readonly uid: number | undefined;
  /** True when a path exists (sockets included). */
  exists(path: string): boolean;
  /** File contents, or undefined when it cannot be read. */
  readFile(path: string): string | undefined;
}

export interface DiscoveryOptions {
  /** The `modeldock.docker.host` setting: a URL (unix://, tcp://, ssh://, npipe://), a socket path, or `context:NAME`. */
  readonly hostSetting?: string;
}

export class DiscoveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiscoveryError';
  }
}

const join = (...parts: string[]): string => parts.join('/').replace(/\/+/g, '/');

/** The docker CLI stores a context under the hex sha256 of its name. */
export function contextStoreId(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

export function formatEndpoint(endpoint: EngineEndpoint): string {
  switch (endpoint.kind) {
    case 'unix':
      return `unix://${endpoint.socketPath}`;
    case 'npipe':
      return `npipe://${endpoint.pipePath}`;
    case 'tcp':
      return `${endpoint.tls ? 'https' : 'tcp'}://${endpoint.host}:${endpoint.port}`;
    case 'ssh':
      return `ssh://${endpoint.username ? `${endpoint.username}@` : ''}${endpoint.host}:${endpoint.port}`;
  }
}

function tlsFromEnv(view: DiscoveryView): TlsFiles | undefined {
  const verifyRaw = view.env.DOCKER_TLS_VERIFY;
  const verify = verifyRaw !== undefined && verifyRaw !== '' && verifyRaw !== '0';
  const certDir = view.env.DOCKER_CERT_PATH || (verify ? join(view.homeDir, '.docker') : undefined);
  if (!certDir) return undefined;
  // The CLI uses TLS when DOCKER_TLS_VERIFY is set, or when certs are configured through DOCKER_CERT_PATH.
  if (!verify && !view.env.DOCKER_CERT_PATH) return undefined;
  return { caPath: join(certDir, 'ca.pem'), certPath: join(certDir, 'cert.pem'), keyPath: join(certDir, 'key.pem'), verify };
}

/** Parses a DOCKER_HOST-style address. TLS is attached by the caller. */
export function parseHost(raw: string, tls?: TlsFiles): EngineEndpoint {
  const value = raw.trim();
  if (value.startsWith('/')) return { kind: 'unix', socketPath: value };
  const m = /^([a-z]+):\/\/(.*)$/i.exec(value);
  if (!m) {
    // The CLI accepts `host:port` as tcp.
    if (/^[^/:]+:\d+$/.test(value)) return parseHost(`tcp://${value}`, tls);
    throw new DiscoveryError(`Unsupported Docker host "${raw}": expected unix://, tcp://, ssh:// or npipe://`);
  }
  const scheme = (m[1] ?? '').toLowerCase();
  const rest = m[2] ?? '';
  switch (scheme) {
    case 'unix':
      if (!rest) throw new DiscoveryError(`Docker host "${raw}" has no socket path`);
      return { kind: 'unix', socketPath: rest };
    case 'npipe':
      return { kind: 'npipe', pipePath: rest || '//./pipe/docker_engine' };
    case 'tcp':
    case 'http':
    case 'https': {
      const url = safeUrl(`tcp://${rest}`, raw);
      if (!url.hostname) throw new DiscoveryError(`Docker host "${raw}" has no host name`);
      const useTls = tls ?? (scheme === 'https' ? { caPath: '', certPath: '', keyPath: '', verify: true } : undefined);
      const port = url.port ? Number(url.port) : useTls ? 2376 : 2375;
      return useTls ? { kind: 'tcp', host: url.hostname, port, tls: useTls } : { kind: 'tcp', host: url.hostname, port };
    }
    case 'ssh': {
      const url = safeUrl(`ssh://${rest}`, raw);
      if (!url.hostname) throw new DiscoveryError(`Docker host "${raw}" has no host name`);
      const port = url.port ? Number(url.port) : 22;
      return url.username
        ? { kind: 'ssh', host: url.hostname, port, username: decodeURIComponent(url.username) }
        : { kind: 'ssh', host: url.hostname, port };
    }
    default:
      throw new DiscoveryError(`Unsupported Docker host scheme "${scheme}://" in "${raw}"`);
  }
}

function safeUrl(text: string, raw: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new DiscoveryError(`Cannot parse Docker host "${raw}"`);
  }
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a context from the CLI's store: ~/.docker/contexts/meta/<sha256(name)>/meta.json. */
function readContext(view: DiscoveryView, configDir: string, name: string, notes: string[]): EngineEndpoint | undefined {
  const id = contextStoreId(name);
  const metaPath = join(configDir, 'contexts', 'meta', id, 'meta.json');
  const meta = parseJson(view.readFile(metaPath));
  if (!isRecord(meta)) {
    notes.push(`docker context "${name}" has no readable ${metaPath}`);
    return undefined;
  }
  const endpoints = meta.Endpoints;
  const dockerEp = isRecord(endpoints) ? endpoints.docker : undefined;
  if (!isRecord(dockerEp) || typeof dockerEp.Host !== 'string' || !dockerEp.Host) {
    notes.push(`docker context "${name}" has no docker endpoint`);
    return undefined;
  }
  const tlsDir = join(configDir, 'contexts', 'tls', id, 'docker');
  const hasTls = view.exists(join(tlsDir, 'ca.pem')) || view.exists(join(tlsDir, 'cert.pem'));
  const tls: TlsFiles | undefined = hasTls
    ? { caPath: join(tlsDir, 'ca.pem'), certPath: join(tlsDir, 'cert.pem'), keyPath: join(tlsDir, 'key.pem'), verify: dockerEp.SkipTLSVerify !== true }
    : undefined;
  try {
    return parseHost(dockerEp.Host, tls);
  } catch (err) {
    notes.push(`docker context "${name}": ${(err as Error).message}`);
    return undefined;
  }
}

function result(endpoint: EngineEndpoint, source: EngineSource, notes: string[], contextName?: string): DiscoveredEngine {
  const address = formatEndpoint(endpoint);
  const flavour = source === 'podman-socket' || /podman/i.test(address) ? 'podman' : 'docker';
  return contextName === undefined
    ? { endpoint, source, address, flavour, notes }
    : { endpoint, source, address, flavour, notes, contextName };
}

/**
 * Decides which engine to talk to, in the docker CLI's order: an explicit setting, DOCKER_HOST,
 * DOCKER_CONTEXT / the config's currentContext, then well-known sockets (system, Docker Desktop,
 * rootless, Podman). Never throws for a missing socket: the caller's ping reports that.
 */
export function discoverEngine(view: DiscoveryView, options: DiscoveryOptions = {}): DiscoveredEngine {
  const notes: string[] = [];
  const configDir = view.env.DOCKER_CONFIG || join(view.homeDir, '.docker');

  const setting = options.hostSetting?.trim();
  if (setting) {
    if (setting.startsWith('context:')) {
      const name = setting.slice('context:'.length);
      const ep = readContext(view, configDir, name, notes);
      if (ep) return result(ep, 'setting', notes, name);
      throw new DiscoveryError(`The docker context "${name}" named in modeldock.docker.host cannot be read (${notes.join('; ')})`);
    }
    return result(parseHost(setting, tlsFromEnv(view)), 'setting', notes);
  }

  const dockerHost = view.env.DOCKER_HOST?.trim();
  if (dockerHost) return result(parseHost(dockerHost, tlsFromEnv(view)), 'DOCKER_HOST', notes);

  const config = parseJson(view.readFile(join(configDir, 'config.json')));
  const contextName = view.env.DOCKER_CONTEXT?.trim() || (isRecord(config) && typeof config.currentContext === 'string' ? config.currentContext : '');
  if (contextName && contextName !== 'default') {
    const ep = readContext(view, configDir, contextName, notes);
    if (ep) return result(ep, 'docker-context', notes, contextName);
  }

  if (view.platform === 'win32') return result({ kind: 'npipe', pipePath: '//./pipe/docker_engine' }, 'default-socket', notes);

  const xdg = view.env.XDG_RUNTIME_DIR || (view.uid !== undefined && view.uid !== 0 ? `/run/user/${view.uid}` : undefined);
  const candidates: { path: string; source: EngineSource }[] = [
    { path: '/var/run/docker.sock', source: 'default-socket' },
    { path: join(view.homeDir, '.docker', 'run', 'docker.sock'), source: 'docker-desktop-socket' },
    { path: join(view.homeDir, '.docker', 'desktop', 'docker.sock'), source: 'docker-desktop-socket' },
  ];
  if (xdg) candidates.push({ path: join(xdg, 'docker.sock'), source: 'rootless-socket' });
  if (xdg) candidates.push({ path: join(xdg, 'podman', 'podman.sock'), source: 'podman-socket' });
  candidates.push({ path: '/run/podman/podman.sock', source: 'podman-socket' });

  for (const c of candidates) {
    if (view.exists(c.path)) return result({ kind: 'unix', socketPath: c.path }, c.source, notes);
    notes.push(`${c.path} does not exist`);
  }
  return result({ kind: 'unix', socketPath: '/var/run/docker.sock' }, 'default-socket', notes);
}
