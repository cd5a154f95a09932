import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { CancelledError } from '../platform/errors';
import { BuildOutputParser } from './buildProgress';
import { PushOutputParser } from './push';
import { packContext } from './context';
import { DockerUserError, translateDockerError } from './errors';
import { Demuxer, TimestampedLines, sinceAfter } from './logStream';
import { parseContainerList, parseEvent, parseInfo, parseInspect } from './parse';
import { judgeGpuPreflight, runNvidiaSmi } from './preflight';
import { MANAGED_LABEL } from './runPlan';
import type {
  BuildRequest,
  BuildResult,
  ContainerCreateSpec,
  ContainerEvent,
  DiscoveredEngine,
  Disposable,
  DockerEngine,
  EngineInfo,
  FollowLogsOptions,
  GpuPreflightFacts,
  GpuVerdict,
  InspectedContainer,
  ManagedContainer,
  PushRequest,
  PushResult,
} from './types';

/** What the adapter needs from its host; injectable for tests. */
export interface EngineDeps {
  readonly log?: { debug(message: string): void; warn(message: string): void };
  /** Replaces `nvidia-smi` (tests, or hosts where it must not run). */
  readonly nvidiaSmi?: typeof runNvidiaSmi;
  readonly platform?: NodeJS.Platform;
}

interface DialOptions {
  path: string;
  method: 'GET' | 'POST' | 'DELETE';
  options?: Record<string, unknown>;
  file?: Readable;
  isStream?: boolean;
  abortSignal?: AbortSignal;
  /** The modem turns it into the X-Registry-Auth header (never the URL). */
  authconfig?: { base64: string };
  statusCodes: Record<number, true | string>;
}

/** What to do about a registry's refusal, from its own words. */
function pushHint(error: string, repo: string): string {
  const host = repo.includes('/') ? repo.slice(0, repo.indexOf('/')) : 'docker.io';
  if (/unauthorized|authentication required|denied|forbidden/i.test(error)) {
    return `Log in to ${host} with your Docker credentials (docker login ${host}, or your credential helper); ModelDock reads ~/.docker/config.json and never stores them.`;
  }
  if (/http: server gave HTTP response to HTTPS client/i.test(error)) {
    return `The engine expects HTTPS from ${host}. For a plain-HTTP registry add it to "insecure-registries" in the engine's daemon.json (127.0.0.0/8 is insecure by default).`;
  }
  if (/connection refused|no such host|i\/o timeout|dial tcp/i.test(error)) return `The engine cannot reach ${host}: check modeldock.deploy.registry and that the registry runs.`;
  return 'The registry\'s message above says why.';
}

type SessionFn = (docker: Dockerode, auth: unknown, handler: (err: Error | null, sessionId: string, done: () => void) => void) => void;

/** dockerode constructor options for an endpoint. Every key is set so the modem's env defaults cannot leak in. */
function modemOptions(discovered: DiscoveredEngine): Dockerode.DockerOptions & { agent?: HttpsAgent; connectionTimeout?: number } {
  const ep = discovered.endpoint;
  const base = { socketPath: undefined, host: undefined, port: undefined, protocol: undefined, ca: undefined, cert: undefined, key: undefined, username: undefined };
  switch (ep.kind) {
    case 'unix':
      return { ...base, socketPath: ep.socketPath };
    case 'npipe':
      return { ...base, socketPath: ep.pipePath };
    case 'ssh':
      return {
        ...base,
        protocol: 'ssh',
        host: ep.host,
        port: ep.port,
        username: ep.username,
        sshOptions: { agent: process.env.SSH_AUTH_SOCK },
        connectionTimeout: 15_000,
      };
    case 'tcp': {
      if (!ep.tls) return { ...base, protocol: 'http', host: ep.host, port: ep.port, connectionTimeout: 10_000 };
      const read = (p: string) => (p ? readFileSync(p) : undefined);
      const ca = read(ep.tls.caPath);
      const cert = read(ep.tls.certPath);
      const key = read(ep.tls.keyPath);
      const agent = new HttpsAgent({ ca, cert, key, rejectUnauthorized: ep.tls.verify });
      return { ...base, protocol: 'https', host: ep.host, port: ep.port, ca, cert, key, agent, connectionTimeout: 10_000 };
    }
  }
}

export async function connectDockerode(discovered: DiscoveredEngine, deps: EngineDeps = {}): Promise<DockerEngine> {
  // Loaded here, on first use: dockerode and its ssh/grpc dependencies are large.
  const mod = (await import('dockerode')) as unknown as { default?: typeof Dockerode } & typeof Dockerode;
  const DockerCtor = mod.default ?? mod;
  const docker = new DockerCtor(modemOptions(discovered));
  return new DockerodeEngine(discovered, docker, deps);
}

class DockerodeEngine implements DockerEngine {
  private readonly disposables = new Set<Disposable>();
  private disposed = false;
  private infoCache: Promise<EngineInfo> | undefined;

  constructor(
    readonly discovered: DiscoveredEngine,
    private readonly docker: Dockerode,
    private readonly deps: EngineDeps,
  ) {}

  dispose(): void {
    this.disposed = true;
    for (const d of [...this.disposables]) {
      try {
        d.dispose();
      } catch {
        // One failing disposer must not keep the others alive.
      }
    }
    this.disposables.clear();
  }

  private track(d: Disposable): Disposable {
    this.disposables.add(d);
    return {
      dispose: () => {
        this.disposables.delete(d);
        d.dispose();
      },
    };
  }

  private fail(err: unknown, ctx: { image?: string; hostPorts?: readonly number[] } = {}): never {
    throw translateDockerError(err, { address: this.discovered.address, ...ctx });
  }

  private dial(opts: DialOptions): Promise<unknown> {
    if (this.disposed) return Promise.reject(new CancelledError('Engine connection closed'));
    return new Promise((resolve, reject) => {
      this.docker.modem.dial(opts as unknown as Parameters<Dockerode['modem']['dial']>[0], (err: unknown, data: unknown) => (err ? reject(err) : resolve(data)));
    });
  }

  async ping(signal?: AbortSignal): Promise<void> {
    try {
      await this.dial({ path: '/_ping', method: 'GET', abortSignal: signal, statusCodes: { 200: true, 500: 'server error' } });
    } catch (err) {
      this.fail(err);
    }
  }

  info(): Promise<EngineInfo> {
    this.infoCache ??= (async () => {
      try {
        const [info, version] = await Promise.all([
          this.dial({ path: '/info', method: 'GET', statusCodes: { 200: true, 500: 'server error' } }),
          this.dial({ path: '/version', method: 'GET', statusCodes: { 200: true, 500: 'server error' } }),
        ]);
        return parseInfo(info, version);
      } catch (err) {
        this.infoCache = undefined;
        return this.fail(err);
      }
    })();
    return this.infoCache;
  }

  async preflightGpu(): Promise<{ facts: GpuPreflightFacts; verdict: GpuVerdict }> {
    const smiP = (this.deps.nvidiaSmi ?? runNvidiaSmi)();
    let facts: GpuPreflightFacts;
    try {
      const info = await this.info();
      facts = { engineReachable: true, info, nvidiaSmi: await smiP, hostPlatform: this.deps.platform ?? process.platform };
    } catch (err) {
      facts = {
        engineReachable: false,
        engineError: err instanceof Error ? err.message : String(err),
        nvidiaSmi: await smiP,
        hostPlatform: this.deps.platform ?? process.platform,
      };
    }
    return { facts, verdict: judgeGpuPreflight(facts) };
  }

  /** BuildKit on Docker >= 18.09 for Linux (API 1.39); Podman and Windows engines get the classic builder. */
  private async chooseBuilder(requested: BuildRequest['builder']): Promise<'buildkit' | 'classic'> {
    if (requested === 'buildkit' || requested === 'classic') return requested;
    if (this.discovered.flavour === 'podman') return 'classic';
    const info = await this.info();
    if (info.builderVersion === '1') return 'classic';
    if (info.builderVersion === '2') return 'buildkit';
    const [major = 0, minor = 0] = info.apiVersion.split('.').map(Number);
    return info.osType === 'linux' && (major > 1 || (major === 1 && minor >= 39)) ? 'buildkit' : 'classic';
  }

  async buildImage(request: BuildRequest): Promise<BuildResult> {
    const started = Date.now();
    let builder = await this.chooseBuilder(request.builder);
    const signal = request.signal;
    if (signal?.aborted) throw new CancelledError('Build cancelled');

    let endSession: (() => void) | undefined;
    let sessionId: string | undefined;
    if (builder === 'buildkit') {
      // BuildKit needs a session the daemon can call back into (auth, secrets): dockerode's helper.
      try {
        const session = await this.openSession();
        sessionId = session.id;
        endSession = session.done;
      } catch (err) {
        const translated = translateDockerError(err, { address: this.discovered.address });
        if (translated instanceof DockerUserError) throw translated;
        // e.g. a bundle without dockerode's .proto files, or an engine refusing /session.
        if (request.builder === 'buildkit') throw err;
        this.deps.log?.warn(`BuildKit session unavailable (${err instanceof Error ? err.message : String(err)}); using the classic builder`);
        builder = 'classic';
      }
    }

    const controller = new AbortController();
    const abort = () => controller.abort();
    signal?.addEventListener('abort', abort, { once: true });
    const tracked = this.track({ dispose: abort });
    const parser = new BuildOutputParser();
    const emit = request.onEvent ?? (() => undefined);

    const query: Record<string, unknown> = {
      t: [...request.tags],
      dockerfile: request.plan.dockerfile,
      rm: true,
      forcerm: true,
      version: builder === 'buildkit' ? '2' : '1',
    };
    if (sessionId) query.session = sessionId;
    if (request.buildArgs && Object.keys(request.buildArgs).length) query.buildargs = { ...request.buildArgs };
    if (request.labels && Object.keys(request.labels).length) query.labels = { ...request.labels };
    if (request.target) query.target = request.target;
    if (request.noCache) query.nocache = true;

    const tar = packContext(request.plan, controller.signal);
    try {
      let res: IncomingMessage;
      try {
        res = (await this.dial({
          path: '/build?',
          method: 'POST',
          options: query,
          file: tar,
          isStream: true,
          abortSignal: controller.signal,
          statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' },
        })) as IncomingMessage;
      } catch (err) {
        if (controller.signal.aborted) throw new CancelledError('Build cancelled');
        return this.fail(err);
      }
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          // Destroying the response closes the connection: the daemon cancels the build with it.
          res.destroy();
          tar.destroy();
          reject(new CancelledError('Build cancelled'));
        };
        if (controller.signal.aborted) return onAbort();
        controller.signal.addEventListener('abort', onAbort, { once: true });
        res.on('data', (chunk: Buffer) => {
          for (const e of parser.push(chunk)) emit(e);
        });
        res.on('error', (err) => {
          if (!controller.signal.aborted) reject(err);
        });
        res.on('end', () => {
          for (const e of parser.end()) emit(e);
          resolve();
        });
      });
    } finally {
      signal?.removeEventListener('abort', abort);
      tracked.dispose();
      endSession?.();
    }
    if (parser.error !== undefined) {
      const context = parser.tail.slice(-5).join('\n');
      throw new DockerUserError('build-failed', `Build failed: ${parser.error}`, context ? `Last output:\n${context}` : 'See the build terminal for the full output.');
    }
    return { imageId: parser.imageId, tags: request.tags, builder, durationMs: Date.now() - started };
  }

  private async openSession(): Promise<{ id: string; done: () => void }> {
    const sessionMod = (await import('dockerode/lib/session.js' as string)) as { default?: SessionFn } & SessionFn;
    const withSession: SessionFn = sessionMod.default ?? sessionMod;
    return new Promise((resolve, reject) => {
      try {
        withSession(this.docker, undefined, (err, id, done) => (err ? reject(err) : resolve({ id, done })));
      } catch (err) {
        reject(err);
      }
    });
  }

  async imageExists(ref: string): Promise<boolean> {
    try {
      await this.dial({ path: `/images/${encodeURIComponent(ref)}/json`, method: 'GET', statusCodes: { 200: true, 404: 'no such image', 500: 'server error' } });
      return true;
    } catch (err) {
      if ((err as { statusCode?: unknown }).statusCode === 404) return false;
      return this.fail(err);
    }
  }

  async tagImage(source: string, target: string): Promise<void> {
    const at = target.lastIndexOf(':');
    const hasTag = at > target.lastIndexOf('/');
    const repo = hasTag ? target.slice(0, at) : target;
    const tag = hasTag ? target.slice(at + 1) : 'latest';
    try {
      await this.dial({
        path: `/images/${encodeURIComponent(source)}/tag?`,
        method: 'POST',
        options: { repo, tag },
        statusCodes: { 200: true, 201: true, 400: 'bad parameter', 404: 'no such image', 409: 'conflict', 500: 'server error' },
      });
    } catch (err) {
      this.fail(err, { image: source });
    }
  }

  async pushImage(request: PushRequest): Promise<PushResult> {
    const started = Date.now();
    const at = request.ref.lastIndexOf(':');
    const hasTag = at > request.ref.lastIndexOf('/');
    const repo = hasTag ? request.ref.slice(0, at) : request.ref;
    const tag = hasTag ? request.ref.slice(at + 1) : 'latest';
    const controller = new AbortController();
    const abort = () => controller.abort();
    request.signal?.addEventListener('abort', abort, { once: true });
    const tracked = this.track({ dispose: abort });
    const parser = new PushOutputParser();
    const emit = request.onEvent ?? (() => undefined);
    try {
      let res: IncomingMessage;
      try {
        res = (await this.dial({
          path: `/images/${encodeURIComponent(repo)}/push?`,
          method: 'POST',
          options: { tag },
          authconfig: { base64: request.registryAuth },
          isStream: true,
          abortSignal: controller.signal,
          statusCodes: { 200: true, 404: 'no such image', 500: 'server error' },
        })) as IncomingMessage;
      } catch (err) {
        if (controller.signal.aborted) throw new CancelledError('Push cancelled');
        return this.fail(err, { image: request.ref });
      }
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          res.destroy();
          reject(new CancelledError('Push cancelled'));
        };
        if (controller.signal.aborted) return onAbort();
        controller.signal.addEventListener('abort', onAbort, { once: true });
        res.on('data', (chunk: Buffer) => {
          for (const e of parser.push(chunk)) emit(e);
        });
        res.on('error', (err) => {
          if (!controller.signal.aborted) reject(err);
        });
        res.on('end', () => {
          for (const e of parser.end()) emit(e);
          resolve();
        });
      });
    } finally {
      request.signal?.removeEventListener('abort', abort);
      tracked.dispose();
    }
    if (parser.error !== undefined) {
      throw new DockerUserError('push-failed', `Push of ${request.ref} failed: ${parser.error}`, pushHint(parser.error, repo));
    }
    if (!parser.digest) {
      const context = parser.tail.slice(-3).join('\n');
      throw new DockerUserError('push-failed', `The engine finished pushing ${request.ref} without reporting a digest.`, context ? `Last output:\n${context}` : 'Push again; an engine older than API 1.24 does not report digests.');
    }
    return { ref: request.ref, digest: parser.digest, pinned: `${repo}@${parser.digest}`, ...(parser.size !== undefined ? { size: parser.size } : {}), durationMs: Date.now() - started };
  }

  async createContainer(spec: ContainerCreateSpec): Promise<{ id: string; name: string }> {
    const { name, ...body } = spec;
    try {
      const res = await this.dial({
        path: `/containers/create?${name ? `name=${encodeURIComponent(name)}` : ''}`,
        method: 'POST',
        options: { _query: {}, _body: body },
        statusCodes: { 200: true, 201: true, 400: 'bad parameter', 404: 'no such image', 409: 'conflict', 500: 'server error' },
      });
      const id = (res as { Id?: unknown } | null)?.Id;
      if (typeof id !== 'string') throw new Error('container create returned no Id');
      const inspected = await this.inspectContainer(id);
      return { id, name: inspected.name };
    } catch (err) {
      return this.fail(err, { image: spec.Image });
    }
  }

  async startContainer(id: string): Promise<void> {
    try {
      await this.dial({ path: `/containers/${encodeURIComponent(id)}/start`, method: 'POST', statusCodes: { 204: true, 304: true, 404: 'no such container', 500: 'server error' } });
    } catch (err) {
      let hostPorts: number[] = [];
      try {
        hostPorts = (await this.inspectContainer(id)).ports.map((p) => p.hostPort).filter((p): p is number => p !== undefined);
      } catch {
        // Best effort: the message is still useful without the port numbers.
      }
      const translated = translateDockerError(err, { address: this.discovered.address, hostPorts });
      if (translated instanceof Error) Object.assign(translated, { containerId: id });
      throw translated;
    }
  }

  async createAndStartContainer(spec: ContainerCreateSpec): Promise<{ id: string; name: string }> {
    const created = await this.createContainer(spec);
    await this.startContainer(created.id);
    return created;
  }

  async inspectContainer(id: string): Promise<InspectedContainer> {
    try {
      return parseInspect(await this.dial({ path: `/containers/${encodeURIComponent(id)}/json`, method: 'GET', statusCodes: { 200: true, 404: 'no such container', 500: 'server error' } }));
    } catch (err) {
      return this.fail(err);
    }
  }

  async listManagedContainers(): Promise<ManagedContainer[]> {
    try {
      const res = await this.dial({
        path: '/containers/json?',
        method: 'GET',
        options: { all: true, filters: { label: [`${MANAGED_LABEL}=true`] } },
        statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' },
      });
      return parseContainerList(res);
    } catch (err) {
      return this.fail(err);
    }
  }

  private async openEvents(filters: Record<string, string[]>, onEvent: (e: ContainerEvent) => void, onEnd: (err?: Error) => void): Promise<Disposable> {
    const controller = new AbortController();
    let res: IncomingMessage;
    try {
      res = (await this.dial({
        path: '/events?',
        method: 'GET',
        options: { filters },
        isStream: true,
        abortSignal: controller.signal,
        statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' },
      })) as IncomingMessage;
    } catch (err) {
      return this.fail(err);
    }
    let pending = '';
    let closed = false;
    res.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (!line) continue;
        try {
          const ev = parseEvent(JSON.parse(line));
          if (ev) onEvent(ev);
        } catch {
          this.deps.log?.debug(`ignored malformed engine event: ${line.slice(0, 200)}`);
        }
      }
    });
    const finish = (err?: Error) => {
      if (closed) return;
      closed = true;
      onEnd(err);
    };
    res.on('error', (err) => finish(controller.signal.aborted ? undefined : err));
    res.on('end', () => finish());
    res.on('close', () => finish());
    return this.track({
      dispose: () => {
        closed = true;
        controller.abort();
        res.destroy();
      },
    });
  }

  events(onEvent: (event: ContainerEvent) => void, onError?: (err: Error) => void): Promise<Disposable> {
    return this.openEvents({ type: ['container'], label: [`${MANAGED_LABEL}=true`] }, onEvent, (err) => {
      if (!this.disposed) onError?.(err ?? new Error('The engine closed the events stream'));
    });
  }

  async followLogs(id: string, options: FollowLogsOptions): Promise<void> {
    const { signal, onChunk } = options;
    if (signal.aborted) return;
    // Subscribe to this container's lifecycle first, so a start between "logs ended" and "wait" is not missed.
    let starts = 0;
    let destroyed = false;
    let wake: (() => void) | undefined;
    const events = await this.openEvents(
      { type: ['container'], container: [id], event: ['start', 'restart', 'destroy'] },
      (e) => {
        if (e.action === 'destroy') destroyed = true;
        else starts++;
        wake?.();
      },
      () => wake?.(),
    );
    const onAbort = () => wake?.();
    signal.addEventListener('abort', onAbort);
    const lines = new TimestampedLines();
    let first = true;
    try {
      const inspected = await this.inspectContainer(id);
      for (;;) {
        const startsBefore = starts;
        const query: Record<string, unknown> = { follow: true, stdout: true, stderr: true, timestamps: true };
        if (first && options.tail !== undefined) query.tail = options.tail;
        if (!first && lines.lastTimestamp) query.since = sinceAfter(lines.lastTimestamp);
        first = false;
        await this.attachLogs(id, query, inspected.tty, lines, onChunk, signal);
        for (const rest of lines.flush()) onChunk(rest);
        if (signal.aborted) return;
        const now = await this.inspectContainer(id).catch(() => undefined);
        if (!now || destroyed) {
          onChunk({ stream: 'system', text: '[container removed]\n' });
          return;
        }
        if (now.running) continue;
        onChunk({ stream: 'system', text: `[container ${now.status}; waiting for it to start again]\n` });
        await new Promise<void>((resolve) => {
          wake = resolve;
          if (starts > startsBefore || destroyed || signal.aborted) resolve();
        });
        wake = undefined;
        if (signal.aborted) return;
        if (destroyed) {
          onChunk({ stream: 'system', text: '[container removed]\n' });
          return;
        }
        onChunk({ stream: 'system', text: '[container started; re-attached]\n' });
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      events.dispose();
    }
  }

  private async attachLogs(
    id: string,
    query: Record<string, unknown>,
    tty: boolean,
    lines: TimestampedLines,
    onChunk: FollowLogsOptions['onChunk'],
    signal: AbortSignal,
  ): Promise<void> {
    const controller = new AbortController();
    const abort = () => controller.abort();
    signal.addEventListener('abort', abort, { once: true });
    try {
      let res: IncomingMessage;
      try {
        res = (await this.dial({
          path: `/containers/${encodeURIComponent(id)}/logs?`,
          method: 'GET',
          options: query,
          isStream: true,
          abortSignal: controller.signal,
          statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
        })) as IncomingMessage;
      } catch (err) {
        if (controller.signal.aborted) return;
        return this.fail(err);
      }
      const tracked = this.track({ dispose: () => res.destroy() });
      const demux = new Demuxer();
      await new Promise<void>((resolve) => {
        const onAbort = () => {
          res.destroy();
          resolve();
        };
        if (controller.signal.aborted) return onAbort();
        controller.signal.addEventListener('abort', onAbort, { once: true });
        res.on('data', (chunk: Buffer) => {
          const frames = tty ? [{ stream: 'stdout' as const, data: chunk }] : demux.push(chunk);
          for (const f of frames) for (const text of lines.push(f.stream, f.data)) onChunk({ stream: f.stream, text });
        });
        res.on('end', () => resolve());
        res.on('close', () => resolve());
        res.on('error', () => resolve());
      });
      tracked.dispose();
    } finally {
      signal.removeEventListener('abort', abort);
    }
  }

  async stop(id: string, timeoutSeconds = 10): Promise<void> {
    try {
      await this.dial({ path: `/containers/${encodeURIComponent(id)}/stop?`, method: 'POST', options: { t: timeoutSeconds }, statusCodes: { 204: true, 304: true, 404: 'no such container', 500: 'server error' } });
    } catch (err) {
      this.fail(err);
    }
  }

  async remove(id: string, options: { force?: boolean } = {}): Promise<void> {
    try {
      await this.dial({ path: `/containers/${encodeURIComponent(id)}?`, method: 'DELETE', options: { force: options.force === true, v: true }, statusCodes: { 204: true, 404: 'no such container', 409: 'conflict', 500: 'server error' } });
    } catch (err) {
      this.fail(err);
    }
  }

  async restart(id: string, timeoutSeconds = 10): Promise<void> {
    try {
      await this.dial({ path: `/containers/${encodeURIComponent(id)}/restart?`, method: 'POST', options: { t: timeoutSeconds }, statusCodes: { 204: true, 404: 'no such container', 500: 'server error' } });
    } catch (err) {
      this.fail(err);
    }
  }
}
