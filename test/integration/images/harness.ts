/**
 * Real images from scaffolded projects: a bare python:3.11-slim (no Debian ML packages), a local
 * PEP 503 index on 127.0.0.1 serving a wheelhouse downloaded once from PyPI, builds on the host
 * network with `--build-arg PIP_INDEX_URL=…`, and a training image that makes each fixture's
 * model (and the reference predictions) before ModelDock scaffolds it.
 */
import { dockerBridgeAddress } from '../../../scripts/lib/docker-bridge.mjs';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { main } from '../../../src/cli';
import { pickFreePort } from '../../../src/docker/index';
import { PYTHON_BARE_IMAGE, ensurePythonSlim, exec, imageSize } from '../../../scripts/lib/base-images.mjs';
import { LOCK_DIR, ensureWheelhouse, normalizeName, parseLock, serveWheelhouse, type WheelIndex, type Wheelhouse } from '../../../scripts/lib/wheelhouse.mjs';
import { pollFor } from '../helpers/poll';

export const REPO = path.resolve(__dirname, '..', '..', '..');
export const FIXTURES = path.join(REPO, 'test', 'fixtures', 'images');
/** Prefix of every container and image these tests make (the engine may be shared). */
export const PREFIX = 'modeldock-images';

export interface ImageEnv {
  wheelhouse: Wheelhouse;
  index: WheelIndex;
  trainer: string;
  close(): Promise<void>;
}

/** The top-level pins of a set's .in file, with the versions its lock resolved. */
export function topLevelPins(set: string): string[] {
  const locked = new Map(parseLock(readFileSync(path.join(LOCK_DIR, `${set}.txt`), 'utf8')).map((p) => [p.name, p.version]));
  const names = readFileSync(path.join(LOCK_DIR, `${set}.in`), 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean)
    .map((l) => normalizeName(/^[A-Za-z0-9._-]+/.exec(l)?.[0] ?? l));
  return names.map((n) => {
    const v = locked.get(n);
    assert.ok(v, `${set}.in names ${n} but ${set}.txt does not pin it: run node scripts/lib/wheelhouse.mjs lock ${set}`);
    return `${n}==${v}`;
  });
}

/** Part of the training image's tag: bump it when its Dockerfile below changes. */
const TRAINER_RECIPE = 2;

/**
 * The training image: the bare base plus every top-level package of the 'models' set, installed
 * from the local index. Tagged with the wheelhouse key, so it is built once per pinned set.
 */
async function ensureTrainer(wheelhouse: Wheelhouse, index: WheelIndex): Promise<string> {
  const tag = `modeldock-test/images-trainer:${wheelhouse.key}-${TRAINER_RECIPE}`;
  if ((await exec('docker', ['image', 'inspect', '--format', '{{.Id}}', tag], { timeoutMs: 30_000 })).code === 0) return tag;
  const ctx = mkdtempSync(path.join(tmpdir(), `${PREFIX}-trainer-`));
  try {
    writeFileSync(
      path.join(ctx, 'Dockerfile'),
      [
        `FROM ${PYTHON_BARE_IMAGE}`,
        // LightGBM's wheel links the system's OpenMP runtime, which slim images lack.
        'RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 && rm -rf /var/lib/apt/lists/*',
        'ARG PIP_INDEX_URL',
        `RUN python3 -m pip install --no-cache-dir ${topLevelPins('models').join(' ')}`,
        'WORKDIR /work',
        '',
      ].join('\n'),
    );
    const started = Date.now();
    const res = await exec('docker', ['build', '--network', 'host', '--build-arg', `PIP_INDEX_URL=${index.url}`, '--label', 'modeldock.test=1', '-t', tag, ctx], { timeoutMs: 30 * 60_000 });
    if (res.code !== 0) throw new Error(`building the training image ${tag} failed:\n${(res.stdout + res.stderr).slice(-4000)}`);
    process.stderr.write(`[images] training image ${tag} built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    // Training images of other pinned sets or recipes are a few GB each: keep only this one.
    const others = await exec('docker', ['images', 'modeldock-test/images-trainer', '--format', '{{.Repository}}:{{.Tag}}'], { timeoutMs: 30_000 });
    const stale = others.stdout.split('\n').map((l) => l.trim()).filter((l) => l && l !== tag);
    if (stale.length) await exec('docker', ['rmi', ...stale], { timeoutMs: 120_000 });
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
  return tag;
}

/**
 * The host's address on the engine's default bridge (docker0): where a build that is not on the
 * host network (the product's own Build Image, which has no network option) reaches the index.
 */
export async function bridgeAddress(): Promise<string> {
  return dockerBridgeAddress();
}

/** Base image, wheelhouse, index and training image: everything the image tests need. */
export async function openImageEnv(): Promise<ImageEnv> {
  await ensurePythonSlim();
  const wheelhouse = await ensureWheelhouse();
  const index = await serveWheelhouse(wheelhouse);
  try {
    const trainer = await ensureTrainer(wheelhouse, index);
    return { wheelhouse, index, trainer, close: () => index.close() };
  } catch (err) {
    await index.close();
    throw err;
  }
}

export interface Reference {
  inputs: number[][];
  predictions: (string | number)[];
  probabilities?: number[][];
}

/** A copy of a fixture in a fresh temporary folder, with its model trained there. */
export async function trainFixture(env: ImageEnv, fixture: string): Promise<{ dir: string; reference: Reference; cleanup(): void }> {
  const root = mkdtempSync(path.join(tmpdir(), `${PREFIX}-`));
  const dir = path.join(root, fixture);
  cpSync(path.join(FIXTURES, fixture), dir, { recursive: true });
  const cleanup = () => rmSync(root, { recursive: true, force: true });
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  // No network: training reads only the project and the packages in the image.
  const res = await exec(
    'docker',
    ['run', '--rm', '--network', 'none', '--user', `${uid}:${gid}`, '-e', 'HOME=/tmp', '-e', 'TF_CPP_MIN_LOG_LEVEL=2', '-v', `${dir}:/work`, '-w', '/work', env.trainer, 'python3', 'train.py'],
    { timeoutMs: 10 * 60_000 },
  );
  if (res.code !== 0) {
    cleanup();
    assert.fail(`training ${fixture} failed (${res.code}):\n${(res.stdout + res.stderr).slice(-3000)}`);
  }
  const last = res.stdout.trim().split('\n').pop() ?? '';
  const reference = JSON.parse(last) as Reference;
  assert.ok(Array.isArray(reference.inputs) && Array.isArray(reference.predictions), `train.py of ${fixture} printed no reference: ${last}`);
  return { dir, reference, cleanup };
}

export interface ScaffoldReport {
  baseImage: string;
  files: { path: string; action: string }[];
  notes: string[];
}

/** `modeldock scaffold DIR --target cpu --json …`, in process, as a user would run it. */
export async function scaffold(dir: string, extra: string[] = []): Promise<ScaffoldReport> {
  const out: string[] = [];
  const code = await main(['scaffold', dir, '--target', 'cpu', '--json', ...extra], { out: (s) => out.push(s), err: (s) => out.push(s), cwd: dir });
  assert.equal(code, 0, out.join('\n'));
  return JSON.parse(out.join('')) as ScaffoldReport;
}

/**
 * The generated Dockerfile must take the package index as build arguments, declared after the
 * last FROM (an ARG before FROM is not visible to RUN) and before the first pip install.
 */
export function assertIndexArgs(dockerfile: string, names: readonly string[] = ['PIP_INDEX_URL']): void {
  const lines = dockerfile.split('\n');
  const lastFrom = lines.reduce((at, l, i) => (/^\s*FROM\s/i.test(l) ? i : at), -1);
  const firstPip = lines.findIndex((l, i) => i > lastFrom && /^\s*RUN\b.*\bpip\b.*\binstall\b/i.test(l));
  for (const name of names) {
    const at = lines.findIndex((l, i) => i > lastFrom && new RegExp(`^\\s*ARG\\s+${name}\\s*(=.*)?$`).test(l));
    assert.ok(
      at >= 0 && (firstPip < 0 || at < firstPip),
      `The generated Dockerfile does not declare \`ARG ${name}\` (after FROM, before the pip install): a build cannot be pointed at a package index, so this test cannot install from the local wheelhouse. The scaffold templates must add \`ARG PIP_INDEX_URL\`, \`ARG PIP_EXTRA_INDEX_URL\` and \`ARG PIP_TRUSTED_HOST\`.\n${dockerfile}`,
    );
  }
}

export interface Built {
  tag: string;
  seconds: number;
  bytes: number;
  output: string;
  /** Wheels the index served during this build. */
  served: string[];
}

/** `docker build --network host --build-arg PIP_INDEX_URL=…` of the unchanged scaffolded project. */
export async function buildImage(env: ImageEnv, dir: string, tag: string): Promise<Built> {
  const before = env.index.requests.length;
  const started = Date.now();
  const res = await exec('docker', ['build', '--network', 'host', '--build-arg', `PIP_INDEX_URL=${env.index.url}`, '--label', 'modeldock.test=1', '-t', tag, dir], {
    timeoutMs: 20 * 60_000,
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
  });
  const seconds = (Date.now() - started) / 1000;
  const output = res.stdout + res.stderr;
  assert.equal(res.code, 0, `docker build of ${dir} failed:\n${output.slice(-5000)}`);
  return { tag, seconds, bytes: (await imageSize(tag)) ?? 0, output, served: env.index.requests.slice(before) };
}

/** Asserts that pip in the build downloaded each named project's wheel from the local index. */
export function assertInstalledFromIndex(built: Built, projects: readonly string[]): void {
  const served = new Set(built.served.map((f) => normalizeName(f.split('-')[0] ?? f)));
  const missing = projects.filter((p) => !served.has(normalizeName(p)));
  assert.deepEqual(missing, [], `the build did not download ${missing.join(', ')} from the local index; it served: ${built.served.join(', ') || 'nothing'}`);
}

/** The image carries no package-index setting: build arguments stay out of its config. */
export async function assertNoIndexInImage(tag: string): Promise<void> {
  const res = await exec('docker', ['image', 'inspect', '--format', '{{json .Config.Env}}', tag], { timeoutMs: 30_000 });
  assert.equal(res.code, 0, res.stderr);
  const envs = JSON.parse(res.stdout) as string[] | null;
  const leaked = (envs ?? []).filter((e) => /^PIP_(INDEX_URL|EXTRA_INDEX_URL|TRUSTED_HOST)=/.test(e));
  assert.deepEqual(leaked, [], 'a package-index build argument was baked into the image environment');
}

interface ComposeService {
  ports?: string[];
  environment?: Record<string, string>;
  volumes?: (string | { type?: string; source?: string; target?: string; read_only?: boolean })[];
}

function composeService(dir: string): ComposeService {
  const doc = parseYaml(readFileSync(path.join(dir, 'compose.yaml'), 'utf8')) as { services?: Record<string, ComposeService> };
  const services = Object.values(doc.services ?? {});
  assert.equal(services.length, 1, 'compose.yaml should have exactly one service');
  return services[0]!;
}

/**
 * `-v` arguments for the compose file's bind mounts, short (`./models:/models:ro`) or long
 * (`type: bind`, what ModelDock writes), inside the project only.
 */
function composeMounts(dir: string, svc: ComposeService): string[] {
  const args: string[] = [];
  for (const v of svc.volumes ?? []) {
    let source: string;
    let target: string;
    let ro = false;
    if (typeof v === 'string') {
      const m = /^(\.\/[^:]*|\.):([^:]+)(?::(ro|rw))?$/.exec(v);
      assert.ok(m, `unexpected compose volume ${v}`);
      [source, target, ro] = [m[1]!, m[2]!, m[3] === 'ro'];
    } else {
      assert.ok(v.type === 'bind' && typeof v.source === 'string' && typeof v.target === 'string', `unexpected compose volume ${JSON.stringify(v)}`);
      [source, target, ro] = [v.source, v.target, v.read_only === true];
    }
    const host = path.resolve(dir, source);
    assert.ok(host === dir || host.startsWith(dir + path.sep), `compose volume ${JSON.stringify(v)} leaves the project`);
    args.push('-v', `${host}:${target}${ro ? ':ro' : ''}`);
  }
  return args;
}

export interface Running {
  name: string;
  port: number;
  containerPort: number;
  healthySeconds: number;
}

async function inspectState(name: string): Promise<{ Status: string; Running: boolean; ExitCode: number; Health?: { Status: string; Log?: { Output: string }[] } }> {
  const res = await exec('docker', ['inspect', '--format', '{{json .State}}', name], { timeoutMs: 30_000 });
  assert.equal(res.code, 0, res.stderr);
  return JSON.parse(res.stdout) as Awaited<ReturnType<typeof inspectState>>;
}

/**
 * Starts the image as the generated compose file describes it (published port, environment,
 * read-only model mounts) and waits until Docker reports it healthy: the Dockerfile's own
 * HEALTHCHECK, checked every second instead of every 30 s.
 */
export async function runLikeCompose(dir: string, tag: string, name: string, deadlineMs = 180_000): Promise<Running> {
  const svc = composeService(dir);
  const portSpec = svc.ports?.[0];
  assert.ok(portSpec, 'compose.yaml publishes no port');
  const containerPort = Number(/(\d+)$/.exec(portSpec)?.[1]);
  const port = await pickFreePort(18400);
  const envArgs = Object.entries(svc.environment ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  await exec('docker', ['rm', '-f', name], { timeoutMs: 60_000 });
  const started = Date.now();
  const res = await exec(
    'docker',
    ['run', '-d', '--name', name, '--label', 'modeldock.test=1', '-p', `127.0.0.1:${port}:${containerPort}`, '--health-interval', '1s', ...envArgs, ...composeMounts(dir, svc), tag],
    { timeoutMs: 60_000 },
  );
  assert.equal(res.code, 0, `docker run ${tag} failed: ${res.stderr}`);
  // An exited container ends the wait at once (pollFor would retry a throwing probe).
  const outcome = await pollFor(
    `${name} to become healthy`,
    async () => {
      const s = await inspectState(name);
      if (!s.Running) return { exited: s.ExitCode, healthcheck: true };
      if (!s.Health) return { exited: undefined, healthcheck: false };
      return s.Health.Status === 'healthy' ? { exited: undefined, healthcheck: true } : false;
    },
    deadlineMs,
    500,
  ).catch(async (err: unknown) => {
    const logs = await exec('docker', ['logs', '--tail', '60', name], { timeoutMs: 30_000 });
    const s = await inspectState(name).catch(() => undefined);
    throw new Error(`${err instanceof Error ? err.message : String(err)}\nhealth: ${JSON.stringify(s?.Health?.Log?.slice(-2) ?? null)}\nlogs:\n${logs.stdout}${logs.stderr}`);
  });
  if (outcome.exited !== undefined) {
    const logs = await exec('docker', ['logs', '--tail', '60', name], { timeoutMs: 30_000 });
    assert.fail(`${name} exited (${outcome.exited}) before it was healthy:\n${logs.stdout}${logs.stderr}`);
  }
  assert.ok(outcome.healthcheck, `${tag} has no HEALTHCHECK`);
  return { name, port, containerPort, healthySeconds: (Date.now() - started) / 1000 };
}

interface Probe {
  httpGet?: { path: string; port: string | number };
  tcpSocket?: { port: string | number };
  exec?: { command: string[] };
}

/** The readiness probe of the generated Deployment (k8s/deployment.yaml). */
export function readinessProbe(dir: string): Probe {
  const docs = readFileSync(path.join(dir, 'k8s', 'deployment.yaml'), 'utf8');
  const doc = parseYaml(docs) as { spec?: { template?: { spec?: { containers?: { readinessProbe?: Probe }[] } } } };
  const probe = doc.spec?.template?.spec?.containers?.[0]?.readinessProbe;
  assert.ok(probe, 'the generated Deployment has no readinessProbe');
  return probe;
}

/**
 * Runs the Deployment's readiness probe against the running container: an HTTP GET on the
 * published port, or (TCP probes) a connection from inside the container's network namespace,
 * since docker-proxy accepts host connections before the app listens.
 */
export async function assertReady(probe: Probe, running: Running): Promise<void> {
  if (probe.httpGet) {
    const status = await httpStatus(running.port, probe.httpGet.path);
    assert.ok(status >= 200 && status < 400, `readiness probe GET ${probe.httpGet.path} answered ${status}`);
    return;
  }
  assert.ok(probe.tcpSocket, `unsupported readiness probe ${JSON.stringify(probe)}`);
  const script = `import socket; socket.create_connection(("127.0.0.1", ${running.containerPort}), timeout=4).close()`;
  const res = await exec('docker', ['exec', running.name, 'python3', '-c', script], { timeoutMs: 30_000 });
  assert.equal(res.code, 0, `readiness probe (TCP ${running.containerPort}) failed: ${res.stderr}`);
}

function httpStatus(port: number, urlPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method: 'GET', timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

// node:http rather than fetch: docker-proxy accepts connections before the app listens, and a
// fetch waiting on such a socket does not keep node:test's event loop alive.
export function postJson(port: number, urlPath: string, body: unknown): Promise<unknown> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: urlPath, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }, timeout: 30_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}: ${text}`));
          else resolve(JSON.parse(text));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(data);
  });
}

/** Element-wise closeness of two probability matrices. */
export function assertClose(actual: number[][], expected: number[][], tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} rows, expected ${expected.length}`);
  actual.forEach((row, i) => {
    const exp = expected[i]!;
    assert.equal(row.length, exp.length, `${what}: row ${i} has ${row.length} values, expected ${exp.length}`);
    row.forEach((v, j) => assert.ok(Math.abs(v - exp[j]!) <= tolerance, `${what}[${i}][${j}] = ${v}, expected ${exp[j]} (± ${tolerance})`));
  });
}

/** Removes what a fixture test made; never fails the test on cleanup. */
export async function cleanupImages(containers: readonly string[], images: readonly string[]): Promise<void> {
  if (containers.length) await exec('docker', ['rm', '-f', ...containers], { timeoutMs: 60_000 });
  if (images.length) await exec('docker', ['rmi', '-f', ...images], { timeoutMs: 120_000 });
}

export function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(0)} MB`;
}
