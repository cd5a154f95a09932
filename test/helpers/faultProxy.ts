/**
 * A small HTTPS proxy in front of a real kube-apiserver, for the faults a real server will not
 * produce on demand: stalls, early-closed or reset streams, injected bytes (oversized or malformed
 * watch lines), synthesized answers (a storm of 410s), and the end of a log stream where a kubelet
 * would end it (its container died). It also records every request it forwards (verb, resource,
 * user, status, watch events seen, bytes) so tests can count what the client did.
 *
 * Identity: TLS ends here, so a client certificate cannot travel upstream as such. The proxy
 * holds the key pair of every test user (the control-plane helper generated them all) and opens
 * the upstream connection with the same identity the client proved to it; bearer tokens pass
 * through as headers. A client certificate the CA did not sign is not forwarded: the request goes
 * upstream anonymously and the API server answers it as it would.
 */
import * as https from 'node:https';
import * as tls from 'node:tls';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { once } from 'node:events';

export interface ProxyIdentity {
  readonly cert: string;
  readonly key: string;
}

export interface FaultProxyOptions {
  /** The real API server, https://127.0.0.1:PORT. */
  readonly upstream: string;
  /** CA that signed the API server's certificate and every client certificate. */
  readonly ca: string;
  /** This proxy's serving certificate (SAN 127.0.0.1). */
  readonly cert: string;
  readonly key: string;
  /** Client certificate CN → the key pair the proxy uses upstream for that user. */
  readonly identities: Readonly<Record<string, ProxyIdentity>>;
  /** Bearer token → user name, only to label records. */
  readonly tokens?: Readonly<Record<string, string>>;
}

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'other';

export interface RequestRecord {
  readonly id: number;
  readonly method: string;
  readonly path: string;
  /** The raw query string, with its leading "?" ("" when none). */
  readonly query: string;
  readonly params: URLSearchParams;
  readonly verb: Verb;
  /** Plural, with the subresource after a slash: "pods", "pods/log", "deployments/scale". */
  readonly resource?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** Client certificate CN, or the user of a known bearer token, else undefined. */
  readonly user?: string;
  readonly watch: boolean;
  readonly upgrade: boolean;
  readonly startedAt: number;
  status?: number;
  endedAt?: number;
  /** Response bytes forwarded to the client. */
  bytes: number;
  /** Watch events seen from upstream by type (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR). */
  readonly events: Record<string, number>;
  /** The resourceVersion of the last BOOKMARK forwarded on this watch. */
  lastBookmark?: string;
  /** Faults applied to this request, by kind. */
  readonly faults: string[];
}

export type RequestMatch = Partial<Pick<RequestRecord, 'method' | 'verb' | 'resource' | 'namespace' | 'name' | 'user' | 'watch' | 'upgrade'>> & {
  readonly path?: RegExp;
  readonly query?: RegExp;
  readonly where?: (r: RequestRecord) => boolean;
};

export type Fault =
  /** Hold the request: nothing goes upstream and the client sees no answer until the fault is disposed. */
  | { readonly kind: 'stall-request' }
  /** Forward the status and headers, then withhold the body (a silent, half-dead stream) until disposed. */
  | { readonly kind: 'stall-body'; readonly afterEvents?: number }
  /** End the response cleanly (the final chunk is sent) after N events/bytes: an early-closed watch. */
  | { readonly kind: 'close'; readonly afterEvents?: number; readonly afterBytes?: number }
  /** Destroy the client's connection after N events/bytes: a network drop. */
  | { readonly kind: 'reset'; readonly afterEvents?: number; readonly afterBytes?: number }
  /** Write extra bytes into the body after N events, then carry on (or close). */
  | { readonly kind: 'inject'; readonly afterEvents?: number; readonly data: () => Iterable<Buffer | string>; readonly thenClose?: boolean }
  /** Answer without asking upstream. */
  | { readonly kind: 'respond'; readonly status: number; readonly body: string; readonly contentType?: string };

export interface FaultHandle {
  /** Requests the fault applied to so far. */
  readonly hits: number;
  dispose(): void;
}

interface Rule {
  readonly match: RequestMatch;
  readonly fault: Fault;
  times: number;
  hits: number;
  disposed: boolean;
  readonly released: Set<() => void>;
}

interface Exchange {
  readonly record: RequestRecord;
  /** Ends the response cleanly where the protocol allows it (HTTP), else destroys it. */
  end(): void;
  destroy(): void;
}

const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

/** Kubernetes' RequestInfo, as far as tests need it. */
export function describeRequest(method: string, url: string): Pick<RequestRecord, 'path' | 'query' | 'params' | 'verb' | 'resource' | 'namespace' | 'name' | 'watch'> {
  const q = url.indexOf('?');
  const path = q >= 0 ? url.slice(0, q) : url;
  const query = q >= 0 ? url.slice(q) : '';
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
  let rest: string[] = [];
  if (parts[0] === 'api') rest = parts.slice(2);
  else if (parts[0] === 'apis') rest = parts.slice(3);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  } else if (rest[0] === 'namespaces' && rest.length === 2) {
    rest = ['namespaces', rest[1]!];
  }
  const plural = rest[0];
  const name = rest[1];
  const sub = rest[2];
  const resource = plural ? (sub ? `${plural}/${sub}` : plural) : undefined;
  const watch = params.get('watch') === 'true' || params.get('watch') === '1';
  let verb: Verb = 'other';
  if (plural) {
    switch (method) {
      case 'GET':
      case 'HEAD':
        verb = watch ? 'watch' : name ? 'get' : 'list';
        break;
      case 'POST':
        verb = 'create';
        break;
      case 'PUT':
        verb = 'update';
        break;
      case 'PATCH':
        verb = 'patch';
        break;
      case 'DELETE':
        verb = name ? 'delete' : 'deletecollection';
        break;
    }
  }
  return { path, query, params, verb, resource, namespace, name, watch };
}

function matches(r: RequestRecord, m: RequestMatch): boolean {
  for (const k of ['method', 'verb', 'resource', 'namespace', 'name', 'user', 'watch', 'upgrade'] as const) {
    if (m[k] !== undefined && m[k] !== r[k]) return false;
  }
  if (m.path && !m.path.test(r.path)) return false;
  if (m.query && !m.query.test(r.query)) return false;
  if (m.where && !m.where(r)) return false;
  return true;
}

export class FaultProxy {
  readonly requests: RequestRecord[] = [];
  private readonly server: https.Server;
  private readonly upstream: URL;
  private readonly agents = new Map<string, https.Agent>();
  private readonly rules: Rule[] = [];
  private readonly open = new Set<Exchange>();
  private readonly sockets = new Set<Socket>();
  private nextId = 1;
  port = 0;

  constructor(private readonly opts: FaultProxyOptions) {
    this.upstream = new URL(opts.upstream);
    this.server = https.createServer({ cert: opts.cert, key: opts.key, ca: opts.ca, requestCert: true, rejectUnauthorized: false }, (req, res) => this.onRequest(req, res));
    this.server.on('secureConnection', (s: tls.TLSSocket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    // A client that vanishes mid-handshake is not the proxy's problem.
    this.server.on('tlsClientError', () => undefined);
  }

  async listen(): Promise<number> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Applies `fault` to the next `times` matching requests (every one when omitted) until disposed. */
  addFault(match: RequestMatch, fault: Fault, times = Number.POSITIVE_INFINITY): FaultHandle {
    const rule: Rule = { match, fault, times, hits: 0, disposed: false, released: new Set() };
    this.rules.push(rule);
    return {
      get hits() {
        return rule.hits;
      },
      dispose: () => {
        rule.disposed = true;
        const i = this.rules.indexOf(rule);
        if (i >= 0) this.rules.splice(i, 1);
        for (const release of rule.released) release();
        rule.released.clear();
      },
    };
  }

  /** Requests so far that match. */
  filter(match: RequestMatch = {}): RequestRecord[] {
    return this.requests.filter((r) => matches(r, match));
  }

  count(match: RequestMatch = {}): number {
    return this.filter(match).length;
  }

  /** Streams (watches, log follows, port-forwards) open right now that match. */
  openStreams(match: RequestMatch = {}): RequestRecord[] {
    return [...this.open].map((e) => e.record).filter((r) => matches(r, match));
  }

  /** Ends matching open responses cleanly, as a server ends a watch at its timeout or a kubelet a log when the container exits. */
  endStreams(match: RequestMatch = {}): number {
    let n = 0;
    for (const e of [...this.open]) {
      if (!matches(e.record, match)) continue;
      e.record.faults.push('end');
      e.end();
      n++;
    }
    return n;
  }

  /** Destroys matching open exchanges, or every client connection (idle keep-alive ones too) when no match is given. */
  dropConnections(match?: RequestMatch): number {
    let n = 0;
    for (const e of [...this.open]) {
      if (match && !matches(e.record, match)) continue;
      e.record.faults.push('drop');
      e.destroy();
      n++;
    }
    if (!match) for (const s of [...this.sockets]) s.destroy();
    return n;
  }

  reset(): void {
    this.requests.length = 0;
    for (const r of [...this.rules]) {
      r.disposed = true;
      for (const release of r.released) release();
    }
    this.rules.length = 0;
  }

  async close(): Promise<void> {
    this.reset();
    for (const e of [...this.open]) e.destroy();
    for (const s of [...this.sockets]) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const a of this.agents.values()) a.destroy();
  }

  // ---------------------------------------------------------------------------------------------

  private identity(req: IncomingMessage): string | undefined {
    const sock = req.socket as tls.TLSSocket;
    if (!sock.authorized) return undefined;
    const cn = sock.getPeerCertificate()?.subject?.CN;
    const name = Array.isArray(cn) ? cn[0] : cn;
    return name && this.opts.identities[name] ? name : undefined;
  }

  private userOf(req: IncomingMessage, identity: string | undefined): string | undefined {
    if (identity) return identity;
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
    return token ? this.opts.tokens?.[token] : undefined;
  }

  private agentFor(identity: string | undefined): https.Agent {
    const key = identity ?? '';
    let a = this.agents.get(key);
    if (!a) {
      const id = identity ? this.opts.identities[identity] : undefined;
      a = new https.Agent({ keepAlive: true, ca: this.opts.ca, ...(id ? { cert: id.cert, key: id.key } : {}) });
      this.agents.set(key, a);
    }
    return a;
  }

  private record(req: IncomingMessage, identity: string | undefined, upgrade: boolean): RequestRecord {
    const info = describeRequest(req.method ?? 'GET', req.url ?? '/');
    const rec: RequestRecord = {
      id: this.nextId++,
      method: req.method ?? 'GET',
      ...info,
      user: this.userOf(req, identity),
      upgrade,
      verb: upgrade && info.verb === 'get' ? 'create' : info.verb,
      startedAt: Date.now(),
      bytes: 0,
      events: {},
      faults: [],
    };
    this.requests.push(rec);
    return rec;
  }

  private takeRules(rec: RequestRecord): Rule[] {
    const out: Rule[] = [];
    for (const r of this.rules) {
      if (r.disposed || r.hits >= r.times || !matches(rec, r.match)) continue;
      r.hits++;
      rec.faults.push(r.fault.kind);
      out.push(r);
    }
    return out;
  }

  private forwardHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP.has(k)) out[k] = v;
    out.host = this.upstream.host;
    return out;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const identity = this.identity(req);
    const rec = this.record(req, identity, false);
    const rules = this.takeRules(rec);
    const respond = rules.find((r) => r.fault.kind === 'respond')?.fault;
    if (respond && respond.kind === 'respond') {
      req.resume();
      rec.status = respond.status;
      rec.bytes = Buffer.byteLength(respond.body);
      res.writeHead(respond.status, { 'Content-Type': respond.contentType ?? 'application/json' });
      res.end(respond.body, () => (rec.endedAt = Date.now()));
      return;
    }
    const stallReq = rules.find((r) => r.fault.kind === 'stall-request');
    const go = () => this.forward(req, res, rec, identity, rules);
    if (stallReq && !stallReq.disposed) {
      const exchange: Exchange = {
        record: rec,
        end: () => {
          this.open.delete(exchange);
          res.destroy();
        },
        destroy: () => {
          this.open.delete(exchange);
          res.destroy();
        },
      };
      this.open.add(exchange);
      const release = () => {
        this.open.delete(exchange);
        if (!res.destroyed) go();
      };
      stallReq.released.add(release);
      res.on('close', () => {
        stallReq.released.delete(release);
        this.open.delete(exchange);
      });
      return;
    }
    go();
  }

  private forward(req: IncomingMessage, res: ServerResponse, rec: RequestRecord, identity: string | undefined, rules: Rule[]): void {
    const up = https.request({
      host: this.upstream.hostname,
      port: this.upstream.port,
      method: req.method,
      path: req.url,
      headers: this.forwardHeaders(req.headers),
      agent: this.agentFor(identity),
    });
    let upRes: IncomingMessage | undefined;
    let finished = false;
    const exchange: Exchange = {
      record: rec,
      end: () => {
        if (finished) return;
        finished = true;
        this.open.delete(exchange);
        upRes?.destroy();
        up.destroy();
        if (!res.headersSent) res.writeHead(502);
        res.end();
      },
      destroy: () => {
        if (finished) return;
        finished = true;
        this.open.delete(exchange);
        upRes?.destroy();
        up.destroy();
        res.socket?.destroy();
        res.destroy();
      },
    };
    const done = () => {
      finished = true;
      rec.endedAt ??= Date.now();
      this.open.delete(exchange);
    };
    res.on('close', () => {
      if (!finished) {
        // The client went away: stop the upstream stream too.
        finished = true;
        upRes?.destroy();
        up.destroy();
      }
      done();
    });
    up.on('error', (err) => {
      if (finished) return;
      if (!res.headersSent) {
        rec.status = 502;
        res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.end(`fault proxy: upstream error: ${err.message}`);
      } else res.destroy();
      done();
    });
    req.pipe(up);
    up.on('response', (r) => {
      upRes = r;
      rec.status = r.statusCode;
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(r.headers)) if (v !== undefined && !HOP.has(k)) headers[k] = v;
      res.writeHead(r.statusCode ?? 502, headers);
      // Headers go out at once, as the API server flushes them for a watch.
      res.flushHeaders();
      this.open.add(exchange);
      this.pump(r, res, rec, rules, exchange, done);
    });
  }

  /** Moves the body from upstream to the client, applying the body faults at event/byte boundaries. */
  private pump(upRes: IncomingMessage, res: ServerResponse, rec: RequestRecord, rules: Rule[], exchange: Exchange, done: () => void): void {
    const pending = rules.filter((r) => r.fault.kind !== 'stall-request' && r.fault.kind !== 'respond');
    let events = 0;
    let partial = '';
    /** Stalls and injections in progress: while any, upstream bytes wait in `held`. */
    let holds = 0;
    const held: Buffer[] = [];
    let upEnded = false;
    let over = false;

    const finish = () => {
      if (over) return;
      over = true;
      res.end();
      done();
    };

    const due = (r: Rule): boolean => {
      const f = r.fault;
      const afterEvents = 'afterEvents' in f ? f.afterEvents : undefined;
      const afterBytes = 'afterBytes' in f ? f.afterBytes : undefined;
      if (afterEvents === undefined && afterBytes === undefined) return true;
      return (afterEvents !== undefined && events >= afterEvents) || (afterBytes !== undefined && rec.bytes >= afterBytes);
    };

    const flush = () => {
      while (holds === 0 && held.length && !over) deliver(held.shift()!);
      if (holds === 0 && !over) {
        if (upEnded) finish();
        else upRes.resume();
      }
    };

    const closed = new Promise<void>((resolve) => res.once('close', () => {
      over = true;
      resolve();
    }));
    const inject = async (f: Extract<Fault, { kind: 'inject' }>) => {
      for (const chunk of f.data()) {
        if (over || res.destroyed) return;
        const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        rec.bytes += b.length;
        // Respect backpressure: an oversized line must not sit in this process's memory.
        if (!res.write(b)) await Promise.race([once(res, 'drain'), closed]);
      }
    };

    /** Applies due faults; false when the response is over. */
    const applyDue = (): boolean => {
      for (const r of [...pending]) {
        if (!due(r)) continue;
        pending.splice(pending.indexOf(r), 1);
        if (r.disposed) continue;
        const f = r.fault;
        if (f.kind === 'close') {
          over = true;
          exchange.end();
          return false;
        }
        if (f.kind === 'reset') {
          over = true;
          exchange.destroy();
          return false;
        }
        if (f.kind === 'stall-body') {
          holds++;
          r.released.add(() => {
            holds--;
            flush();
          });
        }
        if (f.kind === 'inject') {
          holds++;
          inject(f).then(
            () => {
              holds--;
              if (f.thenClose) {
                over = true;
                exchange.end();
              } else flush();
            },
            () => exchange.destroy(),
          );
        }
      }
      return true;
    };

    const countEvents = (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        events++;
        try {
          const ev = JSON.parse(line) as { type?: string; object?: { metadata?: { resourceVersion?: string } } };
          const t = ev.type ?? '?';
          rec.events[t] = (rec.events[t] ?? 0) + 1;
          if (t === 'BOOKMARK') rec.lastBookmark = ev.object?.metadata?.resourceVersion;
        } catch {
          rec.events['?'] = (rec.events['?'] ?? 0) + 1;
        }
      }
    };

    /** Forwards one chunk; a watch body is cut at event (line) boundaries so faults land between events. */
    const deliver = (chunk: Buffer): void => {
      if (holds > 0) {
        held.push(chunk);
        upRes.pause();
        return;
      }
      if (!rec.watch) {
        rec.bytes += chunk.length;
        res.write(chunk);
        if (!applyDue()) upRes.destroy();
        return;
      }
      let start = 0;
      while (start < chunk.length) {
        const nl = chunk.indexOf(10, start);
        const stop = nl < 0 ? chunk.length : nl + 1;
        const piece = chunk.subarray(start, stop);
        rec.bytes += piece.length;
        res.write(piece);
        countEvents(piece.toString('utf8'));
        start = stop;
        if (!applyDue()) {
          upRes.destroy();
          return;
        }
        if (holds > 0) {
          if (start < chunk.length) held.push(chunk.subarray(start));
          upRes.pause();
          return;
        }
      }
    };

    if (!applyDue()) {
      upRes.destroy();
      return;
    }
    upRes.on('data', (c: Buffer) => deliver(c));
    upRes.on('end', () => {
      upEnded = true;
      // A stalled stream does not end on its own: that is the fault. It ends once released.
      if (holds === 0 && held.length === 0) finish();
    });
    upRes.on('error', () => exchange.destroy());
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const identity = this.identity(req);
    const rec = this.record(req, identity, true);
    const rules = this.takeRules(rec);
    const id = identity ? this.opts.identities[identity] : undefined;
    const upstream = tls.connect({
      host: this.upstream.hostname,
      port: Number(this.upstream.port),
      ca: this.opts.ca,
      servername: this.upstream.hostname === '127.0.0.1' ? undefined : this.upstream.hostname,
      ...(id ? { cert: id.cert, key: id.key } : {}),
      ALPNProtocols: ['http/1.1'],
    });
    const exchange: Exchange = {
      record: rec,
      end: () => exchange.destroy(),
      destroy: () => {
        this.open.delete(exchange);
        upstream.destroy();
        socket.destroy();
      },
    };
    this.open.add(exchange);
    const close = () => {
      rec.endedAt ??= Date.now();
      this.open.delete(exchange);
      upstream.destroy();
      socket.destroy();
    };
    socket.on('error', close);
    socket.on('close', close);
    upstream.on('error', close);
    upstream.on('close', close);
    if (rules.some((r) => r.fault.kind === 'reset' || r.fault.kind === 'respond')) {
      exchange.destroy();
      return;
    }
    upstream.once('secureConnect', () => {
      const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const k = req.rawHeaders[i]!;
        if (k.toLowerCase() === 'host') continue;
        lines.push(`${k}: ${req.rawHeaders[i + 1] ?? ''}`);
      }
      lines.push(`Host: ${this.upstream.host}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      let first = true;
      upstream.on('data', (c: Buffer) => {
        if (first) {
          first = false;
          const m = /^HTTP\/1\.1 (\d{3})/.exec(c.subarray(0, 16).toString('latin1'));
          if (m) rec.status = Number(m[1]);
        }
        rec.bytes += c.length;
        socket.write(c);
      });
      socket.pipe(upstream);
    });
  }
}
