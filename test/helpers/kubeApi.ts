/**
 * A minimal Kubernetes REST client for test setup and assertions (create a pod, patch a status,
 * read an object back). Deliberately independent of src/kube: the product's client must not be
 * what arranges and checks its own tests.
 */
import * as https from 'node:https';

export interface KubeApiCredentials {
  readonly server: string;
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
  readonly token?: string;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface KubeResponse {
  readonly status: number;
  readonly body: string;
  json<T = unknown>(): T;
}

/** An API answer that was not what the caller asked for: status and the server's message. */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status}: ${messageOf(body)}`);
  }
}

function messageOf(body: string): string {
  try {
    const m = (JSON.parse(body) as { message?: unknown }).message;
    if (typeof m === 'string') return m;
  } catch {
    // not JSON: show the start of the raw text
  }
  return body.slice(0, 300);
}

type Query = Record<string, string | number | boolean | undefined>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

/** Path of a namespaced or cluster-scoped collection/object, e.g. ('apps/v1', 'deployments', 'ml', 'web'). */
export function resourcePath(apiVersion: string, plural: string, namespace?: string, name?: string, sub?: string): string {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return `${base}${namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${plural}${name ? `/${encodeURIComponent(name)}` : ''}${sub ? `/${sub}` : ''}`;
}

export class KubeApi {
  private readonly agent: https.Agent;
  private readonly url: URL;

  constructor(readonly creds: KubeApiCredentials) {
    this.url = new URL(creds.server);
    this.agent = new https.Agent({ keepAlive: true, ca: creds.ca, ...(creds.cert ? { cert: creds.cert, key: creds.key } : {}) });
  }

  request(method: string, path: string, opts: { body?: unknown; contentType?: string; query?: Query; timeoutMs?: number } = {}): Promise<KubeResponse> {
    const payload = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: this.url.hostname,
          port: this.url.port,
          method,
          path: withQuery(path, opts.query),
          agent: this.agent,
          headers: {
            Accept: 'application/json',
            ...(this.creds.token ? { Authorization: `Bearer ${this.creds.token}` } : {}),
            ...(payload !== undefined ? { 'Content-Type': opts.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}),
          },
          timeout: opts.timeoutMs ?? 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, body, json: <T>() => JSON.parse(body) as T });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${opts.timeoutMs ?? 30_000} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  private async expect<T>(what: string, res: Promise<KubeResponse>, ok: (s: number) => boolean = (s) => s >= 200 && s < 300): Promise<T> {
    const r = await res;
    if (!ok(r.status)) throw new KubeApiError(r.status, r.body, what);
    return r.json<T>();
  }

  get<T = KubeObject>(path: string, query?: Query): Promise<T> {
    return this.expect(`GET ${path}`, this.request('GET', path, { query }));
  }

  /** The object, or undefined on 404. */
  async find<T = KubeObject>(path: string): Promise<T | undefined> {
    const r = await this.request('GET', path);
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw new KubeApiError(r.status, r.body, `GET ${path}`);
    return r.json<T>();
  }

  create<T = KubeObject>(collection: string, obj: unknown): Promise<T> {
    return this.expect(`POST ${collection}`, this.request('POST', collection, { body: obj }));
  }

  /** Server-side apply with a field manager of its own ("modeldock-test"), forced. */
  apply<T = KubeObject>(path: string, obj: unknown): Promise<T> {
    return this.expect(
      `APPLY ${path}`,
      this.request('PATCH', path, { body: obj, contentType: 'application/apply-patch+yaml', query: { fieldManager: 'modeldock-test', force: true } }),
    );
  }

  mergePatch<T = KubeObject>(path: string, patch: unknown): Promise<T> {
    return this.expect(`PATCH ${path}`, this.request('PATCH', path, { body: patch, contentType: 'application/merge-patch+json' }));
  }

  put<T = KubeObject>(path: string, obj: unknown): Promise<T> {
    return this.expect(`PUT ${path}`, this.request('PUT', path, { body: obj }));
  }

  /** Deletes; a 404 counts as done. */
  async delete(path: string, query?: Query): Promise<void> {
    await this.expect(`DELETE ${path}`, this.request('DELETE', path, { query }), (s) => (s >= 200 && s < 300) || s === 404);
  }

  close(): void {
    this.agent.destroy();
  }
}
