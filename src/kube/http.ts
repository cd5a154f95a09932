import * as http from 'node:http';
import * as https from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import type { KubeConfig } from '@kubernetes/client-node';
import { errorFromStatus, errorFromTransport, KubeError, type RequestDescription } from './errors';
import { DEFAULT_TUNING, type ClientTuning } from './tuning';
import type { ClientStats } from './types';

/**
 * HTTP to the API server with client-node doing what it is good at: reading the kubeconfig and
 * producing credentials (tokens, client certs, exec plugins, OIDC refresh). We send the requests
 * ourselves because client-node's Watch and Log helpers drop the `Status` body of a failed request
 * (so a 403 could not say which verb/resource was refused) and its typed APIs turn objects into
 * classes with Date fields, which would bypass our own boundary validation. Every request has a
 * deadline and every body a size limit: a server that accepts and never answers, or answers
 * forever, costs a timer, not a frozen tree or the extension host's memory.
 */

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  readonly query?: Query;
  readonly body?: string;
  readonly contentType?: string;
  readonly describe?: RequestDescription;
  /** Aborting destroys the request, also while it still waits for the response headers. */
  readonly signal?: AbortSignal;
}

export interface StreamOptions extends RequestOptions {
  /** The stream fails when no bytes arrive for this long (watches); none for logs, which may be silent. */
  readonly idleTimeoutMs?: number;
}

export interface StreamHandle {
  /** Resolves when the stream ends: undefined when it ended cleanly or was aborted, else the error. */
  readonly ended: Promise<KubeError | undefined>;
  abort(): void;
}

export interface Transport {
  readonly server: string;
  json(method: string, path: string, options?: RequestOptions): Promise<unknown>;
  /**
   * Resolves once the server answered 200; rejects with a KubeError otherwise. `onText` must not
   * throw; if it does, the stream ends with that error.
   */
  stream(path: string, options: StreamOptions, onText: (text: string) => void): Promise<StreamHandle>;
  stats(): ClientStats;
  dispose(): void;
}

/** Error bodies are read for their Status message only. */
const MAX_ERROR_BODY = 1024 * 1024;

function buildPath(path: string, query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

const seconds = (ms: number) => (ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`);
const what = (d: RequestDescription | undefined) => (d ? `${d.verb} ${d.resource}${d.namespace ? ` in ${d.namespace}` : ''}` : 'the request');

function aborted(): KubeError {
  return new KubeError({ kind: 'server', message: 'aborted', reason: 'Aborted' });
}

export function createTransport(kc: KubeConfig, tuning: ClientTuning = DEFAULT_TUNING): Transport {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeError({ kind: 'no-kubeconfig', message: `Context "${kc.getCurrentContext()}" has no cluster.` });
  const serverUrl = new URL(cluster.server);
  const server = serverUrl.origin;
  const basePath = serverUrl.pathname.replace(/\/$/, '');
  const isHttps = serverUrl.protocol === 'https:';
  let agent: http.Agent | undefined;
  let requests = 0;
  let openStreams = 0;
  const live = new Set<http.ClientRequest>();

  const timeout = (phase: string, ms: number, d: RequestDescription | undefined) =>
    new KubeError({
      kind: 'unreachable',
      message: `The API server at ${server} did not ${phase} for ${what(d)} within ${seconds(ms)}.`,
      hint: 'The server, or a proxy in front of it, accepted the connection and went silent. Check the cluster and the VPN/proxy; ModelDock keeps retrying with backoff.',
      ...(d ? { verb: d.verb, resource: d.resource } : {}),
    });

  const tooLarge = (limit: number, d: RequestDescription | undefined) =>
    new KubeError({
      kind: 'too-large',
      message: `The answer to ${what(d)} from ${server} is larger than ${Math.round(limit / 1024 / 1024)} MiB; ModelDock stopped reading it.`,
      hint: 'No page of a real list is that large: a proxy may be answering instead of the API server. Retry once it is fixed.',
      ...(d ? { verb: d.verb, resource: d.resource } : {}),
    });

  async function credentials(opts: https.RequestOptions): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`credential plugin did not answer within ${seconds(tuning.credentialTimeoutMs)} (it may be waiting for an interactive login)`)),
        tuning.credentialTimeoutMs,
      );
    });
    try {
      // Runs exec plugins / refreshes OIDC tokens as needed; the credentials stay in `opts.headers`.
      await Promise.race([kc.applyToHTTPSOptions(opts), limit]);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw errorFromTransport(new Error(/credential|plugin|exec/i.test(msg) ? msg : `credential plugin: ${msg}`), server);
    } finally {
      clearTimeout(timer);
    }
  }

  async function prepare(method: string, path: string, options: RequestOptions): Promise<https.RequestOptions> {
    const opts: https.RequestOptions = {};
    await credentials(opts);
    if (!agent) {
      // One keep-alive agent per client: client-node makes a new one per call, which would mean a
      // TLS handshake per list page.
      const tls = {
        keepAlive: true,
        ...(opts.ca ? { ca: opts.ca } : {}),
        ...(opts.cert ? { cert: opts.cert } : {}),
        ...(opts.key ? { key: opts.key } : {}),
        ...(opts.rejectUnauthorized !== undefined ? { rejectUnauthorized: opts.rejectUnauthorized } : {}),
        ...(opts.servername ? { servername: opts.servername } : {}),
      };
      agent = isHttps ? new https.Agent(tls) : new http.Agent({ keepAlive: true });
    }
    const headers: Record<string, string> = { Accept: 'application/json' };
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === 'string') headers[k] = v;
    if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    if (options.body !== undefined) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(options.body));
    }
    return {
      method,
      hostname: serverUrl.hostname,
      port: serverUrl.port || (isHttps ? 443 : 80),
      path: basePath + buildPath(path, options.query),
      headers,
      agent,
    };
  }

  /** Sends and waits for the response headers, for at most `deadlineMs`. */
  function send(opts: https.RequestOptions, options: RequestOptions, deadlineMs: number): Promise<{ req: http.ClientRequest; res: http.IncomingMessage }> {
    requests++;
    const signal = options.signal;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(aborted());
      const req = (isHttps ? https : http).request(opts, (res) => {
        clearTimeout(timer);
        resolve({ req, res });
      });
      const timer = setTimeout(() => {
        reject(timeout('answer', deadlineMs, options.describe));
        req.destroy();
      }, deadlineMs);
      const onAbort = () => {
        reject(aborted());
        req.destroy();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      live.add(req);
      req.on('close', () => {
        clearTimeout(timer);
        live.delete(req);
        signal?.removeEventListener('abort', onAbort);
      });
      req.on('error', (err) => reject(errorFromTransport(err, server)));
      if (options.body !== undefined) req.write(options.body);
      req.end();
    });
  }

  /** Reads a whole body, refusing more than `limit` bytes and giving up at the deadline. */
  function readBody(req: http.ClientRequest, res: http.IncomingMessage, limit: number, deadlineMs: number, options: RequestOptions): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const fail = (err: KubeError) => {
        clearTimeout(timer);
        reject(err);
        req.destroy();
      };
      const timer = setTimeout(() => fail(timeout('finish its answer', deadlineMs, options.describe)), deadlineMs);
      const onAbort = () => fail(aborted());
      options.signal?.addEventListener('abort', onAbort, { once: true });
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > limit) return fail(tooLarge(limit, options.describe));
        chunks.push(c);
      });
      res.on('end', () => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        resolve(Buffer.concat(chunks).toString('utf8'));
      });
      res.on('error', (err) => fail(errorFromTransport(err, server)));
      res.on('close', () => {
        options.signal?.removeEventListener('abort', onAbort);
        if (!res.complete) fail(errorFromTransport(Object.assign(new Error('connection closed mid-answer'), { code: 'ECONNRESET' }), server));
      });
    });
  }

  function parseBody(text: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  }

  return {
    server,
    async json(method, path, options = {}) {
      const opts = await prepare(method, path, options);
      const started = Date.now();
      const { req, res } = await send(opts, options, tuning.requestTimeoutMs);
      const left = Math.max(1, tuning.requestTimeoutMs - (Date.now() - started));
      const status = res.statusCode ?? 0;
      const ok = status >= 200 && status < 300;
      const text = await readBody(req, res, ok ? tuning.maxResponseBytes : MAX_ERROR_BODY, left, options);
      const body = parseBody(text);
      if (!ok) throw errorFromStatus(status, body, options.describe);
      return body;
    },
    async stream(path, options, onText) {
      const opts = await prepare('GET', path, options);
      const { req, res } = await send(opts, options, tuning.headerTimeoutMs);
      const status = res.statusCode ?? 0;
      if (status !== 200) {
        const body = parseBody(await readBody(req, res, MAX_ERROR_BODY, tuning.headerTimeoutMs, options).catch(() => ''));
        throw errorFromStatus(status, body, options.describe);
      }
      req.socket?.setKeepAlive(true, 30_000);
      openStreams++;
      let abortedByUs = false;
      let idle: ReturnType<typeof setTimeout> | undefined;
      const decoder = new StringDecoder('utf8');
      let finish!: (err: KubeError | undefined) => void;
      const ended = new Promise<KubeError | undefined>((resolve) => {
        let settled = false;
        finish = (err) => {
          if (settled) return;
          settled = true;
          clearTimeout(idle);
          openStreams--;
          if (!err && !abortedByUs) {
            const rest = decoder.end();
            if (rest) deliver(rest);
          }
          resolve(abortedByUs ? undefined : err);
        };
      });
      const armIdle = () => {
        if (options.idleTimeoutMs === undefined) return;
        clearTimeout(idle);
        idle = setTimeout(() => {
          const ms = options.idleTimeoutMs ?? 0;
          finish(timeout('send anything on the open stream', ms, options.describe));
          req.destroy();
        }, options.idleTimeoutMs);
      };
      const deliver = (text: string) => {
        try {
          onText(text);
        } catch (err) {
          finish(err instanceof KubeError ? err : new KubeError({ kind: 'server', message: `stream handler failed: ${err instanceof Error ? err.message : String(err)}` }));
          req.destroy();
        }
      };
      armIdle();
      res.on('data', (c: Buffer) => {
        armIdle();
        const text = decoder.write(c);
        if (text) deliver(text);
      });
      res.on('end', () => finish(undefined));
      res.on('error', (err) => finish(errorFromTransport(err, server)));
      res.on('close', () => finish(res.complete ? undefined : errorFromTransport(Object.assign(new Error('stream closed'), { code: 'ECONNRESET' }), server)));
      return {
        ended,
        abort() {
          abortedByUs = true;
          finish(undefined);
          req.destroy();
        },
      };
    },
    stats: () => ({ requests, openStreams }),
    dispose() {
      for (const r of live) r.destroy();
      live.clear();
      agent?.destroy();
    },
  };
}
