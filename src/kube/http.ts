import * as http from 'node:http';
import * as https from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import type { KubeConfig } from '@kubernetes/client-node';
import { errorFromStatus, errorFromTransport, KubeError, type RequestDescription } from './errors';
import type { ClientStats } from './types';

/**
 * HTTP to the API server with client-node doing what it is good at: reading the kubeconfig and
 * producing credentials (tokens, client certs, exec plugins, OIDC refresh). We send the requests
 * ourselves because client-node's Watch and Log helpers drop the `Status` body of a failed request
 * (so a 403 could not say which verb/resource was refused) and its typed APIs turn objects into
 * classes with Date fields, which would bypass our own boundary validation.
 */

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  readonly query?: Query;
  readonly body?: string;
  readonly contentType?: string;
  readonly describe?: RequestDescription;
  /** Non-streaming requests give up after this long (a hung proxy must not hang the tree). */
  readonly timeoutMs?: number;
  /** Aborting destroys the request, also while it still waits for the response headers. */
  readonly signal?: AbortSignal;
}

export interface StreamHandle {
  /** Resolves when the stream ends: undefined when it ended cleanly or was aborted, else the error. */
  readonly ended: Promise<KubeError | undefined>;
  abort(): void;
}

export interface Transport {
  readonly server: string;
  json(method: string, path: string, options?: RequestOptions): Promise<unknown>;
  /** Resolves once the server answered 200; rejects with a KubeError otherwise. */
  stream(path: string, options: RequestOptions, onText: (text: string) => void): Promise<StreamHandle>;
  stats(): ClientStats;
  dispose(): void;
}

function buildPath(path: string, query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export function createTransport(kc: KubeConfig): Transport {
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

  async function prepare(method: string, path: string, options: RequestOptions): Promise<https.RequestOptions> {
    const opts: https.RequestOptions = {};
    try {
      // Runs exec plugins / refreshes OIDC tokens as needed; the credentials stay in `opts.headers`.
      await kc.applyToHTTPSOptions(opts);
    } catch (err) {
      throw errorFromTransport(
        new Error(`credential plugin: ${err instanceof Error ? err.message : String(err)}`),
        server,
      );
    }
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

  function send(opts: https.RequestOptions, body: string | undefined, signal?: AbortSignal): Promise<{ req: http.ClientRequest; res: http.IncomingMessage }> {
    requests++;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new KubeError({ kind: 'server', message: 'aborted', reason: 'Aborted' }));
      const req = (isHttps ? https : http).request(opts, (res) => resolve({ req, res }));
      const onAbort = () => {
        req.destroy();
        reject(new KubeError({ kind: 'server', message: 'aborted', reason: 'Aborted' }));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      live.add(req);
      req.on('close', () => {
        live.delete(req);
        signal?.removeEventListener('abort', onAbort);
      });
      req.on('error', (err) => reject(errorFromTransport(err, server)));
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  function readAll(res: http.IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
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
      const timeoutMs = options.timeoutMs ?? 30_000;
      const { req, res } = await send(opts, options.body, options.signal);
      const timer = setTimeout(() => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })), timeoutMs);
      try {
        const text = await readAll(res).catch((err: unknown) => {
          throw errorFromTransport(err, server);
        });
        const body = parseBody(text);
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) throw errorFromStatus(status, body, options.describe);
        return body;
      } finally {
        clearTimeout(timer);
      }
    },
    async stream(path, options, onText) {
      const opts = await prepare('GET', path, options);
      const { req, res } = await send(opts, undefined, options.signal);
      const status = res.statusCode ?? 0;
      if (status !== 200) {
        const body = parseBody(await readAll(res).catch(() => ''));
        throw errorFromStatus(status, body, options.describe);
      }
      req.socket?.setKeepAlive(true, 30_000);
      openStreams++;
      let aborted = false;
      const decoder = new StringDecoder('utf8');
      const ended = new Promise<KubeError | undefined>((resolve) => {
        let settled = false;
        const finish = (err: KubeError | undefined) => {
          if (settled) return;
          settled = true;
          openStreams--;
          const rest = decoder.end();
          if (rest) onText(rest);
          resolve(aborted ? undefined : err);
        };
        res.on('data', (c: Buffer) => {
          const text = decoder.write(c);
          if (text) onText(text);
        });
        res.on('end', () => finish(undefined));
        res.on('error', (err) => finish(errorFromTransport(err, server)));
        res.on('close', () => finish(res.complete ? undefined : errorFromTransport(Object.assign(new Error('stream closed'), { code: 'ECONNRESET' }), server)));
      });
      return {
        ended,
        abort() {
          aborted = true;
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
