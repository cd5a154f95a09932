/**
 * A real Kubernetes control plane for tests: etcd, kube-apiserver and kwok (nodes and pods
 * simulated on a real API server), built from source by scripts/control-plane/build.mjs and run
 * on 127.0.0.1 with generated certificates, RBAC and a few users:
 *
 *   context  user   credential                  rights
 *   test     admin  client cert (O=modeldock:admins)  cluster-admin through a ClusterRoleBinding
 *   alice    alice  bearer token alice-token     list namespaces; in her team's namespaces: read
 *                                                 pods and logs, delete pods, edit workloads and
 *                                                 services (apply, scale); no port-forward
 *   bob      bob    client cert (O=modeldock:viewers) read everything, but not pods/log
 *   bad      -      bearer token wrong-token     401
 *
 * Clients go through a FaultProxy (test/helpers/faultProxy.ts) in front of the API server: it
 * counts requests and injects the faults a real server does not produce on demand. Setup calls
 * (`cp.api`) go to the API server directly with a system:masters certificate and are not counted.
 *
 * What kwok cannot do, done here instead, and said where:
 *  - logs come from files this helper writes in CRI format (kwok serves them through its Logs
 *    resources); a container "restart" moves the file to the previous-logs path, patches the
 *    pod's status as a kubelet would, and ends the open log streams at the proxy, where a kubelet
 *    ends them when the container dies (kwok's streams never end on their own);
 *  - port-forwards reach a local TCP server the test starts, through a kwok PortForward resource.
 *  - with `aggregation: true`, aggregated APIs can be registered (the front-proxy flags); an
 *    APIService's server is one the test runs (test/helpers/metricsApi.ts for metrics.k8s.io).
 * No kube-controller-manager or scheduler runs: Deployments do not create pods, pods name their
 * node. A `default` ServiceAccount is created in each namespace made through this helper.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, existsSync, openSync, promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import manifest from '../../scripts/control-plane/components.json';
import { FaultProxy } from './faultProxy';
import { KubeApi, KubeApiError, resourcePath, type KubeObject } from './kubeApi';

const run = promisify(execFile);

type ComponentName = keyof typeof manifest.components;

/** Where build.mjs puts binaries: $MODELDOCK_CONTROL_PLANE_CACHE, else $XDG_CACHE_HOME/modeldock/control-plane, else ~/.cache/…. */
export function controlPlaneCache(): string {
  if (process.env.MODELDOCK_CONTROL_PLANE_CACHE) return resolve(process.env.MODELDOCK_CONTROL_PLANE_CACHE);
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'modeldock', 'control-plane');
}

export function componentDir(name: ComponentName): string {
  return join(controlPlaneCache(), `${name}-${manifest.components[name].version}`);
}

/** The binaries, or an error that says how to build them. */
export function controlPlaneBinaries(): Record<ComponentName, string> {
  const out = {} as Record<ComponentName, string>;
  const missing: string[] = [];
  for (const name of Object.keys(manifest.components) as ComponentName[]) {
    const bin = join(componentDir(name), name);
    if (!existsSync(bin)) missing.push(`${name} ${manifest.components[name].version}`);
    out[name] = bin;
  }
  if (missing.length) {
    throw new Error(
      `The test control plane is not built (missing: ${missing.join(', ')} in ${controlPlaneCache()}). ` +
        'Build it once per machine with `node scripts/control-plane/build.mjs` (Go >= 1.26 and the Go module proxy; a cold build takes tens of minutes), ' +
        'or point MODELDOCK_CONTROL_PLANE_CACHE at a cache that has it.',
    );
  }
  return out;
}

export const USERS = {
  admin: { context: 'test', group: 'modeldock:admins', token: 'admin-token' },
  alice: { context: 'alice', group: 'modeldock:team', token: 'alice-token' },
  bob: { context: 'bob', group: 'modeldock:viewers' },
} as const;
export const BAD_TOKEN = 'wrong-token';

export interface NodeInput {
  readonly name: string;
  readonly gpus?: number;
  readonly labels?: Record<string, string>;
}

export interface ContainerInput {
  readonly name: string;
  readonly image?: string;
  readonly gpus?: number;
  readonly ports?: readonly number[];
}

export interface PodInput {
  readonly name: string;
  readonly namespace: string;
  readonly containers?: readonly ContainerInput[];
  readonly initContainers?: readonly ContainerInput[];
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly nodeName?: string;
  /** Wait until kwok reports the pod Running and its logs are served (default true). */
  readonly wait?: boolean;
}

export interface ControlPlaneOptions {
  /** Namespaces to create (with a default ServiceAccount). `teamNamespaces` are created too. */
  readonly namespaces?: readonly string[];
  /** Namespaces where alice gets her team Role. Default ['ml']. */
  readonly teamNamespaces?: readonly string[];
  /** Simulated nodes. Default: gpu-node-1 with 8 nvidia.com/gpu. */
  readonly nodes?: readonly NodeInput[];
  /** Extra kube-apiserver flags (appended; a later flag wins). */
  readonly apiserverFlags?: readonly string[];
  /** Log a line per startup phase to stderr. */
  readonly verbose?: boolean;
  /**
   * Aggregated APIs (an APIService backed by a server the test runs, e.g. metrics.k8s.io): a
   * front-proxy CA and the API server's proxy-client certificate with the requestheader flags
   * kubeadm sets. Default false.
   */
  readonly aggregation?: boolean;
}

/** The front-proxy CA an aggregated API server trusts for the API server's proxied requests (X-Remote-User). */
export interface AggregationCerts {
  readonly frontProxyCa: string;
  readonly clientName: string;
}

async function makeFrontProxyCerts(dir: string): Promise<AggregationCerts> {
  const p = (f: string) => join(dir, f);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', [
    'req', '-x509', ...ec, '-keyout', p('front-proxy-ca.key'), '-out', p('front-proxy-ca.crt'), '-days', '2', '-subj', '/CN=modeldock-front-proxy-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await run('openssl', ['req', ...ec, '-keyout', p('front-proxy-client.key'), '-out', p('front-proxy-client.csr'), '-subj', '/CN=front-proxy-client']);
  await fs.writeFile(p('front-proxy-client.ext'), 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
  await run('openssl', [
    'x509', '-req', '-in', p('front-proxy-client.csr'), '-CA', p('front-proxy-ca.crt'), '-CAkey', p('front-proxy-ca.key'), '-set_serial', `0x${randomBytes(8).toString('hex')}`,
    '-out', p('front-proxy-client.crt'), '-days', '2', '-extfile', p('front-proxy-client.ext'),
  ]);
  return { frontProxyCa: await fs.readFile(p('front-proxy-ca.crt'), 'utf8'), clientName: 'front-proxy-client' };
}

interface Certs {
  readonly ca: string;
  readonly serving: { cert: string; key: string };
  readonly kubelet: { cert: string; key: string };
  readonly clients: Record<'bootstrap' | 'admin' | 'bob' | 'apiserverKubelet', { cert: string; key: string }>;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolvePort(port));
    });
  });
}

async function poll<T>(what: string, deadlineMs: number, probe: () => Promise<T | undefined>, describe?: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const extra = describe ? `\n${await describe().catch(() => '')}` : '';
      throw new Error(`control plane: timed out after ${deadlineMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}${extra}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A throwaway CA and every certificate the control plane needs, with the openssl CLI (EC keys: fast). */
async function makeCerts(dir: string): Promise<Certs> {
  const p = (f: string) => join(dir, f);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', [
    'req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.crt'), '-days', '2', '-subj', '/CN=modeldock-test-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const leaf = async (name: string, subject: string, ext: string) => {
    await run('openssl', ['req', ...ec, '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', subject]);
    await fs.writeFile(p(`${name}.ext`), `${ext}\nkeyUsage=critical,digitalSignature,keyEncipherment\n`);
    await run('openssl', [
      'x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-set_serial', `0x${randomBytes(8).toString('hex')}`,
      '-out', p(`${name}.crt`), '-days', '2', '-extfile', p(`${name}.ext`),
    ]);
    const [cert, key] = await Promise.all([fs.readFile(p(`${name}.crt`), 'utf8'), fs.readFile(p(`${name}.key`), 'utf8')]);
    return { cert, key };
  };
  const server = 'extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost';
  const client = 'extendedKeyUsage=clientAuth';
  const [serving, kubelet, bootstrap, admin, bob, apiserverKubelet] = await Promise.all([
    leaf('serving', '/CN=kube-apiserver', `${server},DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:10.96.0.1`),
    leaf('kubelet', '/CN=kwok-kubelet', server),
    leaf('bootstrap', '/O=system:masters/CN=modeldock:bootstrap', client),
    leaf('admin', `/O=${USERS.admin.group}/CN=admin`, client),
    leaf('bob', `/O=${USERS.bob.group}/CN=bob`, client),
    leaf('apiserver-kubelet', '/O=system:masters/CN=kube-apiserver-kubelet-client', client),
    run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', p('sa.key')]).then(() =>
      run('openssl', ['ec', '-in', p('sa.key'), '-pubout', '-out', p('sa.pub')]),
    ),
  ]);
  return { ca: await fs.readFile(p('ca.crt'), 'utf8'), serving, kubelet, clients: { bootstrap, admin, bob, apiserverKubelet } };
}

/** A TCP relay between the API server and etcd, so a test can cut that link as a network blip would. */
class Link {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  port = 0;
  constructor(private readonly target: number) {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }
  async listen(): Promise<number> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }
  drop(): number {
    const n = this.sockets.size;
    for (const s of [...this.sockets]) s.destroy();
    return n;
  }
  async close(): Promise<void> {
    this.drop();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly log: string;
  exited?: { code: number | null; signal: NodeJS.Signals | null };
}

/** Parent-death signal where util-linux's setpriv exists: an extension host or test runner killed hard takes the control plane with it. */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

function creStamp(d = new Date()): string {
  // CRI log timestamps carry nanoseconds; JavaScript has milliseconds.
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

export class ControlPlane {
  readonly proxy: FaultProxy;
  readonly api: KubeApi;
  /** The API server itself. */
  readonly apiserver: string;
  readonly kubeconfigPath: string;
  private readonly procs = new Map<string, Proc>();
  private readonly logFiles = new Map<string, { current: string; previous: string }>();
  private readonly teamNamespaces: Set<string>;
  private stopped = false;
  /** Set when started with `aggregation: true`. */
  aggregation: AggregationCerts | null = null;

  private constructor(
    readonly dir: string,
    readonly certs: Certs,
    private readonly ports: { apiserver: number; etcd: number; kwok: number },
    private readonly etcdLink: Link,
    proxy: FaultProxy,
    api: KubeApi,
    teamNamespaces: readonly string[],
    private readonly verbose: boolean,
  ) {
    this.proxy = proxy;
    this.api = api;
    this.apiserver = `https://127.0.0.1:${ports.apiserver}`;
    this.kubeconfigPath = join(dir, 'kubeconfig');
    this.teamNamespaces = new Set(teamNamespaces);
  }

  /** Where kubeconfigs point: the fault proxy. */
  get server(): string {
    return this.proxy.url;
  }

  get caCert(): string {
    return this.certs.ca;
  }

  static async start(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
    const bins = controlPlaneBinaries();
    const started = Date.now();
    const say = (m: string) => {
      if (opts.verbose || process.env.MODELDOCK_CONTROL_PLANE_VERBOSE) process.stderr.write(`[control-plane +${((Date.now() - started) / 1000).toFixed(1)}s] ${m}\n`);
    };
    const dir = await fs.mkdtemp(join(tmpdir(), 'modeldock-cp-'));
    await fs.mkdir(join(dir, 'logs'), { recursive: true });
    await fs.mkdir(join(dir, 'pod-logs'), { recursive: true });
    const [certs, aggregation] = await Promise.all([makeCerts(dir), opts.aggregation ? makeFrontProxyCerts(dir) : Promise.resolve(null)]);
    say('certificates');
    const [etcdPort, peerPort, apiPort, kwokPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const link = new Link(etcdPort);
    await link.listen();
    const tokens = `${USERS.admin.token},admin,uid-admin,"${USERS.admin.group}"\n${USERS.alice.token},alice,uid-alice,"${USERS.alice.group}"\n`;
    await fs.writeFile(join(dir, 'tokens.csv'), tokens, { mode: 0o600 });

    const teamNamespaces = opts.teamNamespaces ?? ['ml'];
    const proxy = new FaultProxy({
      upstream: `https://127.0.0.1:${apiPort}`,
      ca: certs.ca,
      cert: certs.serving.cert,
      key: certs.serving.key,
      identities: { admin: certs.clients.admin, bob: certs.clients.bob },
      tokens: { [USERS.admin.token]: 'admin', [USERS.alice.token]: 'alice' },
    });
    const api = new KubeApi({ server: `https://127.0.0.1:${apiPort}`, ca: certs.ca, ...certs.clients.bootstrap });
    const cp = new ControlPlane(dir, certs, { apiserver: apiPort, etcd: etcdPort, kwok: kwokPort }, link, proxy, api, teamNamespaces, !!opts.verbose);
    cp.aggregation = aggregation;
    try {
      cp.spawn('etcd', bins.etcd, [
        '--name=modeldock', `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${etcdPort}`, `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
        `--listen-peer-urls=http://127.0.0.1:${peerPort}`, `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-cluster=modeldock=http://127.0.0.1:${peerPort}`,
        // A test cluster: no fsync (fast on a shared disk), and little log.
        '--unsafe-no-fsync', '--log-level=warn',
      ]);
      await poll('etcd /health', 30_000, async () => ((await cp.etcdCall('GET', '/health')).includes('"true"') ? true : undefined), () => cp.tail('etcd'));
      say('etcd ready');

      const p = (f: string) => join(dir, f);
      await Promise.all(
        Object.entries({ 'serving.pem': certs.serving, 'kubelet.pem': certs.kubelet, 'apiserver-kubelet.pem': certs.clients.apiserverKubelet }).map(([f, kp]) =>
          fs.writeFile(p(f), kp.cert),
        ),
      );
      cp.spawn('kube-apiserver', bins['kube-apiserver'], [
        `--etcd-servers=http://127.0.0.1:${link.port}`,
        '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${apiPort}`,
        `--tls-cert-file=${p('serving.crt')}`, `--tls-private-key-file=${p('serving.key')}`,
        `--client-ca-file=${p('ca.crt')}`,
        `--token-auth-file=${p('tokens.csv')}`,
        '--authorization-mode=RBAC',
        '--service-account-issuer=https://kubernetes.default.svc', `--service-account-key-file=${p('sa.pub')}`, `--service-account-signing-key-file=${p('sa.key')}`,
        '--service-cluster-ip-range=10.96.0.0/16',
        `--kubelet-client-certificate=${p('apiserver-kubelet.crt')}`, `--kubelet-client-key=${p('apiserver-kubelet.key')}`,
        `--kubelet-certificate-authority=${p('ca.crt')}`, '--kubelet-preferred-address-types=InternalIP',
        // Compaction only when a test asks for it (cp.compact()): 410s on demand, never by surprise.
        '--etcd-compaction-interval=0',
        '--profiling=false', '--v=1',
        // Aggregation as kubeadm sets it up. No --enable-aggregator-routing: an APIService's
        // ExternalName Service (a server on 127.0.0.1) is resolved only without it.
        ...(aggregation
          ? [
              `--requestheader-client-ca-file=${p('front-proxy-ca.crt')}`, `--requestheader-allowed-names=${aggregation.clientName}`,
              '--requestheader-username-headers=X-Remote-User', '--requestheader-group-headers=X-Remote-Group', '--requestheader-extra-headers-prefix=X-Remote-Extra-',
              `--proxy-client-cert-file=${p('front-proxy-client.crt')}`, `--proxy-client-key-file=${p('front-proxy-client.key')}`,
            ]
          : []),
        ...(opts.apiserverFlags ?? []),
      ]);
      await poll(
        'kube-apiserver /readyz',
        180_000,
        async () => {
          cp.assertRunning('kube-apiserver');
          return (await api.request('GET', '/readyz', { timeoutMs: 5000 })).status === 200 ? true : undefined;
        },
        () => cp.tail('kube-apiserver'),
      );
      say('kube-apiserver ready');

      await cp.bootstrapObjects(opts, teamNamespaces);
      say('CRDs, RBAC, namespaces, nodes');

      const kwokConfig = join(dir, 'kwok.yaml');
      const stagesDir = join(componentDir('kwok'), 'stages');
      const stages = await Promise.all((await fs.readdir(stagesDir)).sort().map((f) => fs.readFile(join(stagesDir, f), 'utf8')));
      await fs.writeFile(kwokConfig, stages.map((s) => s.trim()).join('\n---\n') + '\n');
      await cp.writeKubeconfig({ file: p('bootstrap.kubeconfig'), direct: true, bootstrap: true });
      cp.spawn('kwok', bins.kwok, [
        `--kubeconfig=${p('bootstrap.kubeconfig')}`, `--config=${kwokConfig}`,
        '--manage-all-nodes=false', '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
        '--node-ip=127.0.0.1', `--node-port=${kwokPort}`, `--server-address=127.0.0.1:${kwokPort}`,
        `--tls-cert-file=${p('kubelet.crt')}`, `--tls-private-key-file=${p('kubelet.key')}`,
        '--enable-crds=Logs,ClusterLogs,PortForward,ClusterPortForward',
      ]);
      for (const n of opts.nodes ?? [{ name: 'gpu-node-1', gpus: 8 }]) {
        await poll(
          `node ${n.name} Ready (kwok)`,
          60_000,
          async () => {
            cp.assertRunning('kwok');
            const node = await api.get(resourcePath('v1', 'nodes', undefined, n.name));
            const ready = ((node.status?.conditions ?? []) as { type?: string; status?: string }[]).find((c) => c.type === 'Ready');
            return ready?.status === 'True' ? true : undefined;
          },
          () => cp.tail('kwok'),
        );
      }
      say('kwok ready');
      await proxy.listen();
      await cp.writeKubeconfig();
      say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${proxy.url} → ${cp.apiserver}`);
      return cp;
    } catch (err) {
      await cp.stop({ keepDir: true });
      throw err instanceof Error ? new Error(`${err.message}\n(control plane files kept in ${dir})`) : err;
    }
  }

  private spawn(name: string, bin: string, args: string[]): void {
    const log = join(this.dir, 'logs', `${name}.log`);
    const fd = openSync(log, 'a');
    const [cmd, argv] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', bin, ...args]] : [bin, args];
    const child = spawn(cmd, argv, { stdio: ['ignore', fd, fd], env: { ...process.env, GODEBUG: process.env.GODEBUG ?? '' } });
    closeSync(fd);
    const proc: Proc = { name, child, log };
    child.on('exit', (code, signal) => (proc.exited = { code, signal }));
    child.on('error', (err) => {
      proc.exited = { code: -1, signal: null };
      void fs.appendFile(log, `spawn error: ${err.message}\n`);
    });
    this.procs.set(name, proc);
  }

  private assertRunning(name: string): void {
    const p = this.procs.get(name);
    if (p?.exited) throw new Error(`${name} exited (code ${p.exited.code}, signal ${p.exited.signal})`);
  }

  /** The last lines of a component's log, for error messages. */
  async tail(name: string, lines = 40): Promise<string> {
    const text = await fs.readFile(join(this.dir, 'logs', `${name}.log`), 'utf8').catch(() => '');
    return `--- ${name} log (last ${lines} lines) ---\n${text.split('\n').slice(-lines).join('\n')}`;
  }

  /** etcd's HTTP/JSON gateway: health, revision, compaction. */
  private etcdCall(method: string, path: string, body?: unknown): Promise<string> {
    return new Promise((resolvePromise, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request({ host: '127.0.0.1', port: this.ports.etcd, method, path, timeout: 10_000, headers: payload ? { 'Content-Type': 'application/json' } : {} }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => (res.statusCode === 200 ? resolvePromise(text) : reject(new Error(`etcd ${path}: HTTP ${res.statusCode}: ${text}`))));
      });
      req.on('timeout', () => req.destroy(new Error(`etcd ${path}: timeout`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** etcd's current revision: the resourceVersion of the newest write, of any kind. */
  async revision(): Promise<number> {
    // A range over an empty key answers with the header only.
    const text = await this.etcdCall('POST', '/v3/kv/range', { key: Buffer.from('\0').toString('base64'), count_only: true });
    return Number((JSON.parse(text) as { header?: { revision?: string } }).header?.revision ?? 0);
  }

  /**
   * Compacts etcd at its current revision (physically): every resourceVersion older than that is
   * gone. A watch or a paged list that resumes from an older version then gets the API server's
   * real 410 (Expired): straight from etcd for what the API server does not cache (a `continue`
   * token), or from the watch cache once it re-initialises (see `cutEtcdLink`).
   */
  async compact(): Promise<number> {
    const rev = await this.revision();
    await this.etcdCall('POST', '/v3/kv/compaction', { revision: String(rev), physical: true });
    return rev;
  }

  /**
   * Makes every resourceVersion handed out so far "too old", the way it happens in a real cluster:
   * etcd is compacted past what the API server's watch caches have seen, then their link to etcd
   * blips. They cannot resume, list again and end the watches they serve; a client re-watching
   * from an older version gets 429 "storage is (re)initializing" while they list, then 410.
   * Two writes first: a watch cache may have been told the current revision (etcd progress
   * notifications, asked for by consistent lists) and resumes at the one after it, which a
   * compaction at that very revision would still allow.
   */
  async expireResourceVersions(): Promise<number> {
    for (let i = 0; i < 2; i++) {
      const name = `modeldock-expire-${i}`;
      await this.api.apply(resourcePath('v1', 'configmaps', 'default', name), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { at: new Date().toISOString() } });
    }
    const rev = await this.compact();
    this.cutEtcdLink();
    return rev;
  }

  /**
   * Drops every connection between the API server and etcd (a network blip). The API server
   * reconnects by itself; its watch caches resume from where they were, or, when that revision
   * was compacted meanwhile, list again and end every watch they serve: clients re-watching from
   * an older resourceVersion then get "too old resource version" (410), as in a real cluster.
   */
  cutEtcdLink(): number {
    return this.etcdLink.drop();
  }

  private async bootstrapObjects(opts: ControlPlaneOptions, team: readonly string[]): Promise<void> {
    const api = this.api;
    // kwok's CRDs (Logs, PortForward and their cluster-wide kinds), established before kwok starts.
    const crdDir = join(componentDir('kwok'), 'crds');
    const crds = await Promise.all((await fs.readdir(crdDir)).sort().map(async (f) => YAML.parse(await fs.readFile(join(crdDir, f), 'utf8')) as KubeObject));
    for (const crd of crds) await api.apply(resourcePath('apiextensions.k8s.io/v1', 'customresourcedefinitions', undefined, crd.metadata.name), crd);
    for (const crd of crds) {
      await poll(`CRD ${crd.metadata.name} established`, 30_000, async () => {
        const c = await api.get(resourcePath('apiextensions.k8s.io/v1', 'customresourcedefinitions', undefined, crd.metadata.name));
        return ((c.status?.conditions ?? []) as { type?: string; status?: string }[]).some((x) => x.type === 'Established' && x.status === 'True') ? true : undefined;
      });
    }
    const rbac = (plural: string, ns: string | undefined, obj: { kind: string; metadata: { name: string }; [k: string]: unknown }) =>
      api.apply(resourcePath('rbac.authorization.k8s.io/v1', plural, ns, obj.metadata.name), { apiVersion: 'rbac.authorization.k8s.io/v1', ...obj });
    await rbac('clusterrolebindings', undefined, {
      kind: 'ClusterRoleBinding',
      metadata: { name: 'modeldock:admins' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: USERS.admin.group }],
    });
    const readable = [
      { apiGroups: [''], resources: ['namespaces', 'nodes', 'pods', 'services', 'endpoints', 'configmaps', 'events', 'persistentvolumeclaims', 'serviceaccounts'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['get', 'list', 'watch'] },
    ];
    // bob: reads everything, but not pods/log (nor any other subresource).
    await rbac('clusterroles', undefined, { kind: 'ClusterRole', metadata: { name: 'modeldock:viewer-no-logs' }, rules: readable });
    await rbac('clusterrolebindings', undefined, {
      kind: 'ClusterRoleBinding',
      metadata: { name: 'modeldock:viewers' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'modeldock:viewer-no-logs' },
      subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: USERS.bob.group }],
    });
    // alice: may see which namespaces exist; works only in her team's.
    await rbac('clusterroles', undefined, { kind: 'ClusterRole', metadata: { name: 'modeldock:namespace-lister' }, rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] }] });
    await rbac('clusterrolebindings', undefined, {
      kind: 'ClusterRoleBinding',
      metadata: { name: 'modeldock:team-namespace-lister' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'modeldock:namespace-lister' },
      subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: USERS.alice.group }],
    });
    await rbac('clusterroles', undefined, {
      kind: 'ClusterRole',
      metadata: { name: 'modeldock:team' },
      rules: [
        // Namespaced reads only: a RoleBinding cannot grant cluster-scoped kinds anyway.
        ...readable.map((r) => ({ ...r, resources: r.resources.filter((x) => x !== 'nodes' && x !== 'namespaces') })),
        { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['delete'] },
        { apiGroups: [''], resources: ['services', 'configmaps'], verbs: ['create', 'update', 'patch', 'delete'] },
        { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['create', 'update', 'patch', 'delete'] },
        { apiGroups: ['apps'], resources: ['deployments/scale', 'statefulsets/scale'], verbs: ['get', 'patch', 'update'] },
      ],
    });
    const nss = [...new Set([...(opts.namespaces ?? []), ...team])];
    for (const ns of nss) await this.ensureNamespace(ns);
    for (const n of opts.nodes ?? [{ name: 'gpu-node-1', gpus: 8 }]) await this.addNode(n);
  }

  /** Creates a namespace (and its default ServiceAccount, which no controller makes here); alice's team Role when it is a team namespace. */
  async ensureNamespace(name: string, opts: { team?: boolean } = {}): Promise<void> {
    await this.api.apply(resourcePath('v1', 'namespaces', undefined, name), { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    await this.api.apply(resourcePath('v1', 'serviceaccounts', name, 'default'), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: name } });
    if (opts.team) this.teamNamespaces.add(name);
    if (this.teamNamespaces.has(name)) {
      await this.api.apply(resourcePath('rbac.authorization.k8s.io/v1', 'rolebindings', name, 'modeldock:team'), {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'modeldock:team', namespace: name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'modeldock:team' },
        subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: USERS.alice.group }],
      });
    }
  }

  /** A kwok node with GPU capacity (`nvidia.com/gpu`), as the NVIDIA device plugin would report it. */
  async addNode(n: NodeInput): Promise<void> {
    const capacity = { cpu: '32', memory: '256Gi', pods: '110', ...(n.gpus ? { 'nvidia.com/gpu': String(n.gpus) } : {}) };
    await this.api.create(resourcePath('v1', 'nodes'), {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: n.name,
        annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
        labels: { 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok', ...(n.gpus ? { 'nvidia.com/gpu.present': 'true' } : {}), ...(n.labels ?? {}) },
      },
      status: { capacity, allocatable: capacity },
    }).catch((err: unknown) => {
      if (!(err instanceof KubeApiError && err.status === 409)) throw err;
    });
  }

  private logKey(ns: string, pod: string, container: string): string {
    return `${ns}/${pod}/${container}`;
  }

  private logPaths(ns: string, pod: string, container: string): { current: string; previous: string } {
    const key = this.logKey(ns, pod, container);
    let paths = this.logFiles.get(key);
    if (!paths) {
      const base = join(this.dir, 'pod-logs', `${ns}_${pod}_${container}_${randomBytes(3).toString('hex')}`);
      paths = { current: `${base}.log`, previous: `${base}.previous.log` };
      this.logFiles.set(key, paths);
    }
    return paths;
  }

  /**
   * A pod on a kwok node, Running once kwok plays its "pod-ready" stage, with its logs served from
   * files this helper writes (appendLog). Containers may ask for GPUs (`nvidia.com/gpu` limits).
   */
  async addPod(p: PodInput): Promise<KubeObject> {
    const containers = p.containers ?? [{ name: 'main' }];
    const all = [...(p.initContainers ?? []), ...containers];
    const spec = (c: ContainerInput) => ({
      name: c.name,
      image: c.image ?? 'registry.invalid/modeldock/test:1',
      ...(c.ports?.length ? { ports: c.ports.map((containerPort) => ({ containerPort })) } : {}),
      ...(c.gpus ? { resources: { limits: { 'nvidia.com/gpu': String(c.gpus) } } } : {}),
    });
    for (const c of all) {
      const paths = this.logPaths(p.namespace, p.name, c.name);
      await fs.writeFile(paths.current, '', { flag: 'a' });
    }
    await this.api.apply(resourcePath('kwok.x-k8s.io/v1alpha1', 'logs', p.namespace, p.name), {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'Logs',
      metadata: { name: p.name, namespace: p.namespace },
      spec: {
        logs: all.map((c) => {
          const paths = this.logPaths(p.namespace, p.name, c.name);
          return { containers: [c.name], logsFile: paths.current, previousLogsFile: paths.previous, follow: true };
        }),
      },
    });
    const pod = await this.api.create(resourcePath('v1', 'pods', p.namespace), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: p.name, namespace: p.namespace, labels: p.labels ?? {}, ...(p.annotations ? { annotations: p.annotations } : {}) },
      spec: {
        nodeName: p.nodeName ?? 'gpu-node-1',
        containers: containers.map(spec),
        ...(p.initContainers?.length ? { initContainers: p.initContainers.map(spec) } : {}),
        terminationGracePeriodSeconds: 0,
      },
    });
    if (p.wait === false) return pod;
    const running = await poll(`pod ${p.namespace}/${p.name} Running (kwok)`, 30_000, async () => {
      const cur = await this.api.get(resourcePath('v1', 'pods', p.namespace, p.name));
      return cur.status?.phase === 'Running' ? cur : undefined;
    }, () => this.tail('kwok'));
    // kwok learns of the Logs resource through a watch: wait until it serves them.
    const first = containers[0]!.name;
    await poll(`logs of ${p.namespace}/${p.name} served (kwok)`, 30_000, async () => {
      const r = await this.api.request('GET', resourcePath('v1', 'pods', p.namespace, p.name, 'log'), { query: { container: first, tailLines: 0 } });
      return r.status === 200 ? true : undefined;
    });
    return running;
  }

  async getPod(ns: string, name: string): Promise<KubeObject | undefined> {
    return this.api.find(resourcePath('v1', 'pods', ns, name));
  }

  /** Appends lines to a container's current log, in the CRI format kwok reads. */
  async appendLog(ns: string, pod: string, container: string, lines: readonly string[]): Promise<void> {
    const paths = this.logPaths(ns, pod, container);
    const now = creStamp();
    await fs.appendFile(paths.current, lines.map((l) => `${now} stdout F ${l}\n`).join(''));
  }

  /** Replaces a pod's status fields as a kubelet does (through the status subresource), retrying on conflicts. */
  async updatePodStatus(ns: string, name: string, change: (status: Record<string, unknown>) => void): Promise<KubeObject> {
    for (let attempt = 0; ; attempt++) {
      const pod = await this.api.get(resourcePath('v1', 'pods', ns, name));
      const status = structuredClone(pod.status ?? {});
      change(status);
      try {
        return await this.api.put(resourcePath('v1', 'pods', ns, name, 'status'), { ...pod, status });
      } catch (err) {
        if (!(err instanceof KubeApiError && err.status === 409) || attempt > 10) throw err;
      }
    }
  }

  async setPodPhase(ns: string, name: string, phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed'): Promise<void> {
    await this.updatePodStatus(ns, name, (s) => {
      s.phase = phase;
      if (phase === 'Succeeded' || phase === 'Failed') {
        const ended = new Date().toISOString();
        s.containerStatuses = ((s.containerStatuses ?? []) as Record<string, unknown>[]).map((c) => ({
          ...c,
          ready: false,
          state: { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, reason: phase === 'Succeeded' ? 'Completed' : 'Error', startedAt: ended, finishedAt: ended } },
        }));
      }
    });
  }

  /**
   * A container restart as a kubelet reports it: the running instance's log becomes the previous
   * log, open log streams of that container end (at the proxy: kwok's never end), and the
   * container status shows restartCount+1 with the last run's termination.
   */
  async restartContainer(ns: string, pod: string, container: string, last: { reason: string; exitCode: number }): Promise<void> {
    const paths = this.logPaths(ns, pod, container);
    await fs.rm(paths.previous, { force: true });
    await fs.rename(paths.current, paths.previous);
    await fs.writeFile(paths.current, '');
    this.proxy.endStreams({ resource: 'pods/log', namespace: ns, name: pod, where: (r) => (r.params.get('container') ?? container) === container && r.params.get('follow') === 'true' });
    const at = new Date().toISOString();
    await this.updatePodStatus(ns, pod, (s) => {
      const list = [...((s.containerStatuses ?? []) as Record<string, unknown>[]), ...((s.initContainerStatuses ?? []) as Record<string, unknown>[])];
      const c = list.find((x) => x.name === container);
      if (!c) throw new Error(`no status for container ${container} in ${ns}/${pod}`);
      const was = (c.state as { running?: { startedAt?: string } } | undefined)?.running?.startedAt ?? at;
      c.restartCount = Number(c.restartCount ?? 0) + 1;
      c.lastState = { terminated: { exitCode: last.exitCode, reason: last.reason, startedAt: was, finishedAt: at } };
      c.state = { running: { startedAt: at } };
      c.ready = true;
    });
  }

  /**
   * Port `port` of the pod forwards to 127.0.0.1:`targetPort` (a server the test runs), through a
   * kwok PortForward resource. Resolves once kwok serves it; returns an undo.
   */
  async exposePodPort(ns: string, pod: string, port: number, targetPort: number): Promise<() => Promise<void>> {
    const path = resourcePath('kwok.x-k8s.io/v1alpha1', 'portforwards', ns, pod);
    const setForwards = async (change: (f: { ports: number[]; target: { address: string; port: number } }[]) => void) => {
      const cur = await this.api.find<{ spec?: { forwards?: { ports: number[]; target: { address: string; port: number } }[] } }>(path);
      const forwards = [...(cur?.spec?.forwards ?? [])];
      change(forwards);
      await this.api.apply(path, { apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'PortForward', metadata: { name: pod, namespace: ns }, spec: { forwards } });
    };
    await setForwards((f) => {
      const rest = f.filter((x) => !x.ports.includes(port));
      f.splice(0, f.length, ...rest, { ports: [port], target: { address: '127.0.0.1', port: targetPort } });
    });
    // kwok answers "no forward found"/"forward not found" until its watch has the resource; any
    // other outcome (bytes flow, or the target refuses) means it has it.
    await poll(`port-forward ${ns}/${pod}:${port} served (kwok)`, 30_000, async () =>
      (await this.probePortForward(ns, pod, port)).some((e) => /forward(s)? not found|no forward found/.test(e)) ? undefined : true,
    );
    return () => setForwards((f) => f.splice(0, f.length, ...f.filter((x) => !x.ports.includes(port))));
  }

  /**
   * Opens a port-forward WebSocket (v4.channel.k8s.io) straight to the API server and listens to
   * the port's error channel briefly (what kwok writes there, if anything).
   */
  private probePortForward(ns: string, pod: string, port: number): Promise<string[]> {
    return new Promise((resolvePromise, reject) => {
      const req = https.request({
        host: '127.0.0.1',
        port: this.ports.apiserver,
        path: `${resourcePath('v1', 'pods', ns, pod, 'portforward')}?ports=${port}`,
        ca: this.certs.ca,
        cert: this.certs.clients.bootstrap.cert,
        key: this.certs.clients.bootstrap.key,
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
          'Sec-WebSocket-Protocol': 'v4.channel.k8s.io',
        },
      });
      req.on('response', (res) => {
        res.resume();
        reject(new Error(`port-forward probe: HTTP ${res.statusCode}`));
      });
      req.on('error', reject);
      req.on('upgrade', (_res, socket) => {
        let buf = Buffer.alloc(0);
        const errors: string[] = [];
        const timer = setTimeout(() => {
          socket.destroy();
          resolvePromise(errors);
        }, 400);
        socket.on('error', () => undefined);
        socket.on('data', (c: Buffer) => {
          buf = Buffer.concat([buf, c]);
          // Server frames are unmasked: [FIN|opcode][len(+ext)][payload]; payload[0] is the channel.
          for (;;) {
            if (buf.length < 2) return;
            let len = buf[1]! & 0x7f;
            let off = 2;
            if (len === 126) {
              if (buf.length < 4) return;
              len = buf.readUInt16BE(2);
              off = 4;
            } else if (len === 127) {
              if (buf.length < 10) return;
              len = Number(buf.readBigUInt64BE(2));
              off = 10;
            }
            if (buf.length < off + len) return;
            const payload = buf.subarray(off, off + len);
            buf = buf.subarray(off + len);
            // Channel 1 is port 0's error channel; its first 2 bytes are the port number.
            if (payload[0] === 1 && payload.length > 3) errors.push(payload.subarray(3).toString('utf8'));
          }
        });
        socket.on('close', () => {
          clearTimeout(timer);
          resolvePromise(errors);
        });
      });
      req.end();
    });
  }

  /**
   * Writes a kubeconfig: contexts test (admin; current unless `current` names another), alice,
   * bob, bad; through the proxy unless `direct`. Client certificates and the CA inline.
   */
  async writeKubeconfig(opts: { file?: string; direct?: boolean; bootstrap?: boolean; namespace?: string; current?: string } = {}): Promise<string> {
    const file = opts.file ?? this.kubeconfigPath;
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const server = opts.direct ? this.apiserver : this.server;
    const users = opts.bootstrap
      ? [{ name: 'bootstrap', user: { 'client-certificate-data': b64(this.certs.clients.bootstrap.cert), 'client-key-data': b64(this.certs.clients.bootstrap.key) } }]
      : [
          { name: 'admin', user: { 'client-certificate-data': b64(this.certs.clients.admin.cert), 'client-key-data': b64(this.certs.clients.admin.key) } },
          { name: 'alice', user: { token: USERS.alice.token } },
          { name: 'bob', user: { 'client-certificate-data': b64(this.certs.clients.bob.cert), 'client-key-data': b64(this.certs.clients.bob.key) } },
          { name: 'bad', user: { token: BAD_TOKEN } },
        ];
    const contextName = (u: string) => (u === 'admin' ? USERS.admin.context : u);
    const doc = {
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': opts.current ?? contextName(users[0]!.name),
      clusters: [{ name: 'test-cluster', cluster: { server, 'certificate-authority-data': b64(this.certs.ca) } }],
      users,
      contexts: users.map((u) => ({ name: contextName(u.name), context: { cluster: 'test-cluster', user: u.name, namespace: opts.namespace ?? 'default' } })),
    };
    await fs.writeFile(file, YAML.stringify(doc), { mode: 0o600 });
    return file;
  }

  /** Stops kwok, the API server and etcd (SIGTERM, then SIGKILL after 10 s) and removes the files. */
  async stop(opts: { keepDir?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.proxy.close().catch(() => undefined);
    for (const name of ['kwok', 'kube-apiserver', 'etcd']) {
      const p = this.procs.get(name);
      if (!p || p.exited) continue;
      const exited = once(p.child, 'exit');
      p.child.kill('SIGTERM');
      const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await this.etcdLink.close();
    this.api.close();
    if (!opts.keepDir && !process.env.MODELDOCK_CONTROL_PLANE_KEEP) await fs.rm(this.dir, { recursive: true, force: true });
  }
}

export function startControlPlane(opts?: ControlPlaneOptions): Promise<ControlPlane> {
  return ControlPlane.start(opts);
}
