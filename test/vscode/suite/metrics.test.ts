import * as assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { detectProject } from '../../../src/core/detect';
import { planScaffold } from '../../../src/core/scaffold';
import type { TreeNode } from '../../../src/kube';
import { startControlPlane, type ControlPlane } from '../../helpers/controlPlane';
import { startMetricsApi, type MetricsApi } from '../../helpers/metricsApi';
import { quietFor } from '../../shared/poll';
import { activated, ui, waitFor } from './helpers';

const run = promisify(execFile);
// dist-test/vscode/suite/ → the repository.
const REPO = path.resolve(__dirname, '..', '..', '..');
const TAG = 'modeldock-vscode/iris-metrics:test';

function post(url: string, body: unknown): Promise<number> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/predict`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(data);
  });
}

/** Steady traffic to a server: every fifth request has the wrong shape (sklearn raises: 500). */
function traffic(url: string, perSecond: number): { sent(): { ok: number; failed: number }; stop(): void } {
  let ok = 0;
  let failed = 0;
  let n = 0;
  const timer = setInterval(() => {
    const bad = ++n % 5 === 0;
    post(url, bad ? { inputs: [[1, 2]] } : { inputs: [[5.1, 3.5, 1.4, 0.2]] })
      .then((status) => (status === 200 ? ok++ : failed++))
      .catch(() => failed++);
  }, 1000 / perSecond);
  return { sent: () => ({ ok, failed }), stop: () => clearInterval(timer) };
}

/**
 * The Model Metrics pane is the last of three in the side bar and only a few rows tall, and a tree
 * renders only the rows in view: collapse the Clusters and Local Containers panes (a click on
 * their headers, as a user would; the cluster client stays connected) so a target's rows are
 * all rendered. A pane already collapsed is left alone.
 */
async function roomForMetrics(): Promise<void> {
  for (const title of ['Clusters', 'Local Containers']) {
    await ui({ op: 'click', selector: '.pane-header[aria-expanded="true"]', where: { child: 'h3.title', text: title } });
  }
}

/** The rows of the Model Metrics view under the target whose row starts with `label` (its `container ·` / `pod ·` row, not the Local Containers one). */
async function rowsOf(label: string, want: RegExp, timeoutMs = 60_000): Promise<string[]> {
  let seen: string[] = [];
  return waitFor(
    () => `rows under ${label} matching ${want}; saw ${JSON.stringify(seen)}`,
    async () => {
      const texts = (await ui({ op: 'text', selector: '[id="workbench.view.extension.modeldock"] .monaco-list-row, .pane-body .monaco-list-row' })).texts ?? [];
      const start = texts.findIndex((t) => t.startsWith(label) && /^\s*(container|pod) · /.test(t.slice(label.length)));
      if (start < 0) return undefined;
      seen = texts.slice(start, start + 10);
      return seen.some((t) => want.test(t)) ? seen : undefined;
    },
    timeoutMs,
    500,
  );
}

const figure = (rows: string[], re: RegExp): number => {
  const m = rows.map((r) => re.exec(r)).find(Boolean);
  assert.ok(m, `no row matching ${re} in ${JSON.stringify(rows)}`);
  return Number(m[1]);
};

// Model Metrics against a real container: the generated scikit-learn server image (serve.py with
// prometheus_client, built from the bare python:3.11-slim with packages from the local test
// wheelhouse), started through ModelDock's own Run Container, under steady traffic; then the same
// server as a kwok pod on the real control plane (etcd + kube-apiserver + kwok built from source),
// reached through a real port-forward (API server → kwok → the container's published port: kwok
// runs no containers, so the container above is the pod's inside), with metrics.k8s.io served by
// a real APIService backed by the in-test aggregated server of test/helpers/metricsApi.ts (a stand-in
// for metrics-server as the source of the figures only). The figures are read back from the
// workbench's DOM.
describe('Model Metrics (a real container, and a pod through a port-forward)', function () {
  let dir = '';
  let index: ChildProcess | undefined;
  let containerId: string | undefined;
  let cp: ControlPlane | undefined;
  let metricsApi: MetricsApi | undefined;
  let load: ReturnType<typeof traffic> | undefined;

  before(async function () {
    this.timeout(20 * 60_000);
    await run('docker', ['image', 'inspect', 'python:3.11-slim']).catch(() => {
      throw new Error('python:3.11-slim is missing: run the integration tier first (npm test does)');
    });
    // The project: the test fixture, its model file present so that detection sees a joblib model.
    dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-vscode-metrics-')), 'iris-metrics');
    fs.cpSync(path.join(REPO, 'test', 'fixtures', 'monitoring', 'sklearn-serve'), dir, { recursive: true });
    fs.mkdirSync(path.join(dir, 'models'));
    fs.writeFileSync(path.join(dir, 'models', 'model.joblib'), 'placeholder until train.py has run');
    const plan = planScaffold(await detectProject(dir), { createEntrypoint: true, target: 'cpu', weightsInImage: true, imageName: 'modeldock-vscode/iris-metrics', imageTag: 'test' });
    assert.deepEqual(plan.errors, []);
    for (const f of plan.files) {
      fs.mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
      fs.writeFileSync(path.join(dir, f.path), f.content);
    }
    // The local PyPI index of the test wheelhouse (the integration tier downloaded it).
    index = spawn(process.execPath, [path.join(REPO, 'scripts', 'lib', 'wheelhouse.mjs'), 'serve', '127.0.0.1', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    index.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const indexUrl = await waitFor(() => `the wheelhouse index to start: ${out}`, () => /at (http:\/\/127\.0\.0\.1:\d+\/simple)/.exec(out)?.[1], 10 * 60_000, 200);
    const build = () => run('docker', ['build', '--network', 'host', '--build-arg', `PIP_INDEX_URL=${indexUrl}`, '--label', 'modeldock.test=1', '-t', TAG, dir], { env: { ...process.env, DOCKER_BUILDKIT: '0' }, maxBuffer: 64 * 1024 * 1024 });
    await build();
    // Train with the image's own packages, then bake the real model in (the dependency layer is cached).
    const user = `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`;
    await run('docker', ['run', '--rm', '--network', 'none', '--user', user, '-e', 'HOME=/tmp', '-v', `${dir}:/work`, '-w', '/work', TAG, 'python3', 'train.py']);
    await build();
  });

  after(async () => {
    load?.stop();
    index?.kill();
    if (containerId) await run('docker', ['rm', '-f', containerId]).catch(() => undefined);
    await run('docker', ['rmi', '-f', TAG]).catch(() => undefined);
    await metricsApi?.stop();
    await cp?.stop();
    await vscode.workspace.getConfiguration('modeldock.kube').update('kubeconfig', undefined, vscode.ConfigurationTarget.Global);
    if (dir) fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  it('shows request rate, latency and errors of a container ModelDock started, and stops scraping when hidden', async function () {
    this.timeout(5 * 60_000);
    await activated();
    const started = await vscode.commands.executeCommand<{ id: string; name: string; url: string }>('modeldock.docker.run', { image: TAG, gpus: { kind: 'none' }, framework: 'scikit-learn' });
    assert.ok(started?.url, 'Run Container returned nothing (see the log)');
    containerId = started.id;
    await waitFor('the container to answer', () => post(started.url, { inputs: [[5.1, 3.5, 1.4, 0.2]] }).then((s) => s === 200 || undefined).catch(() => undefined), 120_000, 500);
    load = traffic(started.url, 8);

    await vscode.commands.executeCommand('modeldock.views.metrics.focus');
    await roomForMetrics();
    // Two scrapes 5 s apart give the first rate.
    const rows = await rowsOf(started.name, /^Requests\d+\.\d+\/s/);
    const rate = figure(rows, /^Requests(\d+\.\d+)\/s/);
    // About 8 requests a second were sent (a loaded machine may send fewer, health checks add a few).
    assert.ok(rate > 2 && rate < 12, `request rate ${rate}/s, sent about 8/s: ${JSON.stringify(rows)}`);
    const errors = figure(rows, /^Errors([\d.]+) %/);
    assert.ok(errors > 8 && errors < 35, `error ratio ${errors} %, every fifth request fails: ${JSON.stringify(rows)}`);
    assert.ok(rows.some((r) => /^Latency p50 \/ p95\d+(\.\d+)? (µs|ms) \/ \d+(\.\d+)? (µs|ms)/.test(r)), JSON.stringify(rows));
    assert.ok(rows.some((r) => /^GPU memorynot exported/.test(r)), JSON.stringify(rows));
    assert.ok(load.sent().ok > 0 && load.sent().failed > 0);
  });

  it('shows a pod through a port-forward with its CPU/memory from metrics.k8s.io; no scraping while hidden', async function () {
    this.timeout(5 * 60_000);
    const { api } = await activated();
    assert.ok(containerId, 'the container of the previous test');
    const inspect = JSON.parse((await run('docker', ['inspect', '--format', '{{json .NetworkSettings.Ports}}', containerId])).stdout) as Record<string, { HostPort: string }[] | null>;
    const hostPort = Number(inspect['8080/tcp']?.[0]?.HostPort);
    assert.ok(hostPort > 0, JSON.stringify(inspect));
    const k8s = await startControlPlane({ namespaces: ['ml'], aggregation: true });
    cp = k8s;
    await k8s.addPod({
      name: 'iris-7d4b9',
      namespace: 'ml',
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080', 'prometheus.io/path': '/metrics' },
      containers: [{ name: 'iris-metrics', ports: [8080] }],
    });
    // The "pod" is the container above: kwok's port-forward relays to its published port.
    await k8s.exposePodPort('ml', 'iris-7d4b9', 8080, hostPort);
    metricsApi = await startMetricsApi(k8s);
    metricsApi.setPodMetrics('ml', 'iris-7d4b9', [{ name: 'iris-metrics', cpu: '412m', memory: '186Mi' }]);
    await vscode.workspace.getConfiguration('modeldock.kube').update('kubeconfig', await k8s.writeKubeconfig(), vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('modeldock.views.cluster.focus');
    const m = api.cluster.model;
    const find = async (parent: TreeNode | undefined, what: string, match: (n: TreeNode) => boolean) => waitFor(what, () => m.getChildren(parent).find(match), 30_000);
    const ctx = await find(undefined, 'the test context', (n) => n.type === 'context' && n.info.name === 'test');
    const ns = await find(ctx, 'namespace ml', (n) => n.type === 'namespace' && n.name === 'ml');
    const group = await find(ns, 'Pods of ml', (n) => n.type === 'group' && n.group === 'pods');
    const pod = await find(group, 'the pod', (n) => n.type === 'pod' && n.info.meta.name === 'iris-7d4b9');

    assert.ok(await vscode.commands.executeCommand<string | undefined>('modeldock.metrics.watchPod', pod), 'Show Model Metrics added no target (see the log)');
    await roomForMetrics();
    const rows = await rowsOf('iris-7d4b9', /^Requests\d+\.\d+\/s/);
    assert.ok(rows.some((r) => r === 'Pod CPU / memoryCPU 412m · memory 186 MiB' || /^Pod CPU \/ memoryCPU 412m · memory 186 MiB/.test(r)), JSON.stringify(rows));
    assert.match(rows[0]!, /pod · ml · :8080\/metrics/);
    const rate = figure(rows, /^Requests(\d+\.\d+)\/s/);
    assert.ok(rate > 2 && rate < 12, `request rate ${rate}/s through the port-forward: ${JSON.stringify(rows)}`);
    await ui({ op: 'screenshot', name: 'model-metrics' });

    // Each scrape round also reads the pod's metrics.k8s.io: those reads show when the view scrapes.
    const reads = () => k8s.proxy.requests.filter((r) => r.path.startsWith('/apis/metrics.k8s.io/v1beta1/namespaces/')).length;
    const visibleFrom = reads();
    await waitFor('another scrape round while visible', () => reads() > visibleFrom || undefined, 15_000, 200);
    // Hidden: no more scrapes, no more port-forward connections.
    await vscode.commands.executeCommand('workbench.view.explorer');
    await quietFor(1000);
    const hiddenFrom = reads();
    const forwards = k8s.proxy.requests.filter((r) => r.path.endsWith('/portforward')).length;
    await quietFor(11_000);
    assert.equal(reads(), hiddenFrom, 'the view kept scraping while hidden');
    assert.equal(k8s.proxy.requests.filter((r) => r.path.endsWith('/portforward')).length, forwards, 'port-forward connections were opened while the view was hidden');
  });
});
