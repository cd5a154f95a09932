/**
 * What the Deploy tests run against, all real, all on 127.0.0.1:
 *  - the test control plane (test/helpers/controlPlane.ts: etcd, kube-apiserver, kwok), plus
 *    kube-controller-manager (deployment and replicaset controllers: Deployments make ReplicaSets
 *    make pods, rollouts progress, revisions and history are the controller's) and kube-scheduler
 *    (pods bind to nodes, or stay Pending with the scheduler's own reason), built from the same
 *    Kubernetes release as the API server by scripts/control-plane/build.mjs (components.json);
 *  - simulated nodes (kwok) with `nvidia.com/gpu` and MIG capacity, GPU product labels, taints;
 *  - a local registry: Debian's `docker-registry` (distribution 2.8.2) with a generated config,
 *    storage in a temp folder, on 127.0.0.1:<free port> (plain HTTP: dockerd trusts 127.0.0.0/8
 *    as an insecure registry by default), optionally with htpasswd authentication.
 * kwok does not run containers: pods become Running/Ready by its stages. Where a test needs the
 * model server itself, it runs the pushed image on the local Docker engine and points the pod's
 * port-forward at it (ControlPlane.exposePodPort), and says so.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { componentDir, startControlPlane, type ControlPlane, type ControlPlaneOptions } from '../../helpers/controlPlane';
import { resourcePath } from '../../helpers/kubeApi';
import { pollFor } from '../helpers/poll';

const run = promisify(execFile);
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The host's address on the engine's default bridge, where a build reaches the test wheelhouse.
 * From `ip`, because Node's interface list leaves out a bridge without carrier (docker0 while no
 * container runs), which test/integration/images/harness.ts's bridgeAddress relies on.
 */
export async function bridgeHostAddress(): Promise<string> {
  const { stdout } = await run('docker', ['network', 'inspect', 'bridge', '--format', '{{index .Options "com.docker.network.bridge.name"}}']);
  const ifname = stdout.trim() || 'docker0';
  const ip = await run('ip', ['-o', '-4', 'addr', 'show', 'dev', ifname]);
  const m = /\binet (\d+\.\d+\.\d+\.\d+)\//.exec(ip.stdout);
  if (!m) throw new Error(`no IPv4 address on ${ifname}: ${ip.stdout}`);
  return m[1]!;
}

/** kube-controller-manager and kube-scheduler, where scripts/control-plane/build.mjs puts its binaries (components.json). */
export function schedulingBinaries(): { controllerManager: string; scheduler: string } {
  const out = { controllerManager: join(componentDir('kube-controller-manager'), 'kube-controller-manager'), scheduler: join(componentDir('kube-scheduler'), 'kube-scheduler') };
  const missing = Object.values(out).filter((p) => !existsSync(p));
  if (missing.length) {
    throw new Error(
      `The Deploy tests need kube-controller-manager and kube-scheduler next to the test control plane (missing: ${missing.join(', ')}). ` +
        '`npm test` builds them with the rest of the control plane; by hand: `node scripts/control-plane/build.mjs kube-controller-manager kube-scheduler` (scripts/control-plane/README.md).',
    );
  }
  return out;
}

interface Proc {
  readonly child: ChildProcess;
  readonly log: string;
  exited?: string;
}

function spawnLogged(bin: string, args: string[], log: string): Proc {
  const fd = openSync(log, 'a');
  const [cmd, argv] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', bin, ...args]] : [bin, args];
  const child = spawn(cmd, argv, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const p: Proc = { child, log };
  child.on('exit', (code, signal) => (p.exited = `code ${code}, signal ${signal}`));
  return p;
}

async function stopProc(p: Proc | undefined): Promise<void> {
  if (!p || p.exited) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGTERM');
  const t = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

export interface GpuNode {
  readonly name: string;
  /** `nvidia.com/gpu` capacity (0: a CPU node). */
  readonly gpus?: number;
  /** Other extended resources (MIG slices: `nvidia.com/mig-1g.10gb`). */
  readonly extended?: Record<string, string>;
  readonly labels?: Record<string, string>;
  readonly taints?: readonly { key: string; value?: string; effect: string }[];
}

export class DeployCluster {
  private constructor(
    readonly cp: ControlPlane,
    private readonly procs: Proc[],
    readonly dir: string,
  ) {}

  static async start(opts: ControlPlaneOptions & { gpuNodes?: readonly GpuNode[] } = {}): Promise<DeployCluster> {
    const bins = schedulingBinaries();
    const cp = await startControlPlane({ ...opts, nodes: opts.nodes ?? [] });
    const dir = mkdtempSync(join(tmpdir(), 'md-deploy-cluster-'));
    const procs: Proc[] = [];
    const dc = new DeployCluster(cp, procs, dir);
    try {
      for (const n of opts.gpuNodes ?? []) await dc.addNode(n);
      const kubeconfig = await cp.writeKubeconfig({ file: join(dir, 'components.kubeconfig'), direct: true, bootstrap: true });
      procs.push(
        spawnLogged(
          bins.controllerManager,
          [
            `--kubeconfig=${kubeconfig}`,
            // Only what a rollout needs: no node lifecycle (kwok nodes would get not-ready taints), no GC sweeps.
            '--controllers=deployment,replicaset',
            '--leader-elect=false',
            '--secure-port=0',
            '--use-service-account-credentials=false',
            '--concurrent-deployment-syncs=2',
            '--concurrent-replicaset-syncs=2',
            '--v=1',
          ],
          join(dir, 'kube-controller-manager.log'),
        ),
        spawnLogged(bins.scheduler, [`--kubeconfig=${kubeconfig}`, '--leader-elect=false', '--secure-port=0', '--v=1'], join(dir, 'kube-scheduler.log')),
      );
      // Both talk to the API server once their informers synced; a failed start shows in its log.
      await pollFor('kube-controller-manager and kube-scheduler running', async () => {
        for (const p of procs) if (p.exited) throw new Error(`${p.log} exited (${p.exited}): ${await dc.tail(p.log)}`);
        return (await fs.readFile(join(dir, 'kube-scheduler.log'), 'utf8').catch(() => '')).length > 0 || undefined;
      }, 60_000, 200);
      return dc;
    } catch (err) {
      await dc.stop();
      throw err;
    }
  }

  async tail(file: string, lines = 30): Promise<string> {
    const text = await fs.readFile(file, 'utf8').catch(() => '');
    return text.split('\n').slice(-lines).join('\n');
  }

  async logs(): Promise<string> {
    return `--- kube-controller-manager ---\n${await this.tail(join(this.dir, 'kube-controller-manager.log'))}\n--- kube-scheduler ---\n${await this.tail(join(this.dir, 'kube-scheduler.log'))}`;
  }

  /** A kwok node with GPU / MIG capacity, labels and taints, Ready once kwok initialises it. */
  async addNode(n: GpuNode): Promise<void> {
    const capacity: Record<string, string> = { cpu: '32', memory: '256Gi', pods: '110', ...(n.gpus ? { 'nvidia.com/gpu': String(n.gpus) } : {}), ...(n.extended ?? {}) };
    await this.cp.api.create(resourcePath('v1', 'nodes'), {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: n.name,
        annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
        labels: { 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok', ...(n.labels ?? {}) },
      },
      spec: { ...(n.taints?.length ? { taints: n.taints } : {}) },
      status: { capacity, allocatable: capacity },
    });
    await pollFor(`node ${n.name} Ready (kwok)`, async () => {
      const node = await this.cp.api.get(resourcePath('v1', 'nodes', undefined, n.name));
      const ready = ((node.status?.conditions ?? []) as { type?: string; status?: string }[]).find((c) => c.type === 'Ready');
      return ready?.status === 'True' || undefined;
    }, 60_000, 200);
    // The API server's TaintNodesByCondition admission gives every new node
    // node.kubernetes.io/not-ready:NoSchedule; the node lifecycle controller lifts it once the node
    // is Ready. That controller is not run (it would evict pods whenever kwok's lease renewals lag
    // on a loaded machine), so the test lifts it, leaving exactly the node's own taints.
    await this.cp.api.mergePatch(resourcePath('v1', 'nodes', undefined, n.name), { spec: { taints: n.taints?.length ? n.taints : null } });
  }

  /**
   * A node kwok does not manage: the test is its kubelet (kwok would mark its pods Running, and a
   * pod that cannot pull its image stays Pending with ImagePullBackOff on a real node).
   */
  async addManualNode(name: string, labels: Record<string, string>): Promise<void> {
    const capacity = { cpu: '8', memory: '32Gi', pods: '110' };
    const now = new Date().toISOString();
    await this.cp.api.create(resourcePath('v1', 'nodes'), {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...labels } },
      spec: {},
      status: { capacity, allocatable: capacity, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'simulated by the test', lastHeartbeatTime: now, lastTransitionTime: now }] },
    });
    // Status is a subresource: create ignores it on nodes created by a client; set it as a kubelet does.
    const node = await this.cp.api.get(resourcePath('v1', 'nodes', undefined, name));
    await this.cp.api.put(resourcePath('v1', 'nodes', undefined, name, 'status'), { ...node, status: { capacity, allocatable: capacity, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'simulated by the test', lastHeartbeatTime: now, lastTransitionTime: now }] } });
    await this.cp.api.mergePatch(resourcePath('v1', 'nodes', undefined, name), { spec: { taints: null } });
  }

  /** An Event as a kubelet or controller writes it (core/v1). */
  async addEvent(ns: string, pod: { name: string; uid?: string }, e: { type: 'Normal' | 'Warning'; reason: string; message: string; component?: string; count?: number }): Promise<void> {
    const now = new Date().toISOString();
    await this.cp.api.create(resourcePath('v1', 'events', ns), {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${pod.name}.${Date.now().toString(16)}${Math.random().toString(16).slice(2, 6)}`, namespace: ns },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: pod.name, namespace: ns, ...(pod.uid ? { uid: pod.uid } : {}) },
      type: e.type,
      reason: e.reason,
      message: e.message,
      source: { component: e.component ?? 'kubelet' },
      count: e.count ?? 1,
      firstTimestamp: now,
      lastTimestamp: now,
    });
  }

  /**
   * Serves a kwok pod's logs from files (current and previous run), as the cplane helper does for
   * its own pods: a kwok Logs resource pointing at CRI-format files.
   */
  async servePodLogs(ns: string, pod: string, container: string, runs: { current: readonly string[]; previous: readonly string[] }): Promise<void> {
    const stamp = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
    const cri = (lines: readonly string[]) => lines.map((l) => `${stamp} stderr F ${l}\n`).join('');
    const base = join(this.dir, `logs-${ns}-${pod}-${container}`);
    await fs.writeFile(`${base}.log`, cri(runs.current));
    await fs.writeFile(`${base}.previous.log`, cri(runs.previous));
    await this.cp.api.apply(resourcePath('kwok.x-k8s.io/v1alpha1', 'logs', ns, pod), {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'Logs',
      metadata: { name: pod, namespace: ns },
      spec: { logs: [{ containers: [container], logsFile: `${base}.log`, previousLogsFile: `${base}.previous.log`, follow: false }] },
    });
    await pollFor(`previous logs of ${ns}/${pod} served (kwok)`, async () => {
      const r = await this.cp.api.request('GET', resourcePath('v1', 'pods', ns, pod, 'log'), { query: { container, previous: true, tailLines: 1 } });
      return r.status === 200 && r.body.length > 0 ? true : undefined;
    }, 30_000, 200);
  }

  async stop(): Promise<void> {
    for (const p of this.procs) await stopProc(p);
    await this.cp.stop();
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}

/** Debian's docker-registry on 127.0.0.1:<free port>, storage in a temp folder; htpasswd auth when asked. */
export class LocalRegistry {
  private constructor(
    readonly host: string,
    readonly dir: string,
    private readonly proc: Proc,
  ) {}

  static async start(opts: { htpasswd?: { user: string; password: string } } = {}): Promise<LocalRegistry> {
    const bin = ['/usr/bin/docker-registry', '/usr/bin/registry'].find((p) => existsSync(p));
    if (!bin) throw new Error('docker-registry is not installed: apt-get install -y docker-registry (Debian, distribution 2.8)');
    const dir = mkdtempSync(join(tmpdir(), 'md-deploy-registry-'));
    const port = await freePort();
    let auth = '';
    if (opts.htpasswd) {
      // distribution accepts bcrypt entries only; Python's crypt (libxcrypt) writes them.
      const { stdout } = await run('python3', ['-c', 'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))', opts.htpasswd.password]);
      await fs.writeFile(join(dir, 'htpasswd'), `${opts.htpasswd.user}:${stdout.trim()}\n`);
      auth = `auth:\n  htpasswd:\n    realm: modeldock-test\n    path: ${join(dir, 'htpasswd')}\n`;
    }
    await fs.writeFile(
      join(dir, 'config.yml'),
      `version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: false\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`,
    );
    const proc = spawnLogged(bin, ['serve', join(dir, 'config.yml')], join(dir, 'registry.log'));
    const host = `127.0.0.1:${port}`;
    const reg = new LocalRegistry(host, dir, proc);
    await pollFor(`registry ${host}`, async () => {
      if (proc.exited) throw new Error(`docker-registry exited (${proc.exited}): ${await fs.readFile(proc.log, 'utf8').catch(() => '')}`);
      return (await reg.status('/v2/').catch(() => 0)) > 0 || undefined;
    }, 30_000, 100);
    return reg;
  }

  /** HTTP status of a GET on the registry (no credentials). */
  status(path: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: Number(this.host.split(':')[1]), path, timeout: 5000 }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
    });
  }

  /** Requests the registry served, from its access log (method and path). */
  async accessLog(): Promise<string[]> {
    const text = await fs.readFile(this.proc.log, 'utf8').catch(() => '');
    return text.split('\n').filter((l) => /"(GET|HEAD|PUT|POST|PATCH|DELETE) \/v2\//.test(l));
  }

  async stop(): Promise<void> {
    await stopProc(this.proc);
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}
