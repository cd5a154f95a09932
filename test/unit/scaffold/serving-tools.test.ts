// Projects made for Cog, BentoML or Truss, served from a plain image; system packages; a server
// asked for next to a script; rollouts that fit whole GPUs. The Truss server and Cog's readiness
// check are run for real with the machine's python3 (standard library only).
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { detectProject } from '../../../src/core/detect';
import type { Entrypoint } from '../../../src/core/detect/types';
import { planScaffold, type ScaffoldPlan } from '../../../src/core/scaffold/index';
import { detection, frameworkProject } from './fixtures';
import { checkPlan, file } from './helpers';
import { pollFor } from '../../shared/poll';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test-only YAML access

function deployment(plan: ScaffoldPlan): Doc {
  return parseYaml(file(plan, 'k8s/deployment.yaml')) as Doc;
}
function container(plan: ScaffoldPlan): Doc {
  return deployment(plan).spec.template.spec.containers[0];
}
/** The exec-form JSON array after `CMD` (the last one: HEALTHCHECK has its own). */
function cmd(plan: ScaffoldPlan): string[] {
  const lines = file(plan, 'Dockerfile').split('\n').filter((l) => l.startsWith('CMD '));
  return JSON.parse(lines[lines.length - 1]!.slice(4)) as string[];
}
function healthcheck(plan: ScaffoldPlan): string[] {
  const m = /HEALTHCHECK [^\n]*\\\n\s+CMD (\[.*\])$/m.exec(file(plan, 'Dockerfile'));
  assert.ok(m, 'HEALTHCHECK');
  return JSON.parse(m[1]!) as string[];
}

function tool(entrypoint: Entrypoint, extra: Parameters<typeof detection>[0] = {}) {
  return detection({ frameworks: [{ name: 'pytorch', version: '2.3.1' }], packages: [{ name: 'torch', version: '2.3.1' }], entrypoint, ...extra });
}

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'modeldock-tools-'));
  dirs.push(d);
  return d;
}

function run(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('python3', args, { cwd: opts.cwd, timeout: opts.timeoutMs ?? 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function httpRequest(port: number, method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request({ host: '127.0.0.1', port, method, path, headers: data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('Cog', () => {
  const cogYaml = 'build:\n  gpu: true\n  run:\n    - "curl -o /usr/local/bin/pget https://example.com/pget"\n    - command: chmod +x /usr/local/bin/pget\npredict: "predict.py:Predictor"\n';
  const source = (files: Record<string, string>) => (rel: string) => files[rel];

  test("Cog's own server, the predictor in COG_PREDICT_TYPE_STUB, readiness on the status it reports", () => {
    const plan = planScaffold(tool({ file: 'predict.py', kind: 'cog', object: 'Predictor' }), { target: 'cpu' }, undefined, undefined, source({ 'cog.yaml': cogYaml }));
    assert.deepEqual(plan.errors, []);
    checkPlan(plan);
    const df = file(plan, 'Dockerfile');
    assert.deepEqual(cmd(plan), ['python3', '-m', 'cog.server.http']);
    assert.match(df, /^ENV COG_PREDICT_TYPE_STUB=predict\.py:Predictor$/m);
    assert.match(df, /^ENV PORT=8080$/m);
    assert.match(df, /python3 -m pip install --no-cache-dir cog$/m);
    assert.equal(plan.predictRoute, '/predictions');
    // /health-check answers 200 while STARTING: liveness uses it, readiness and HEALTHCHECK check the status.
    const c = container(plan);
    assert.equal(c.livenessProbe.httpGet.path, '/health-check');
    assert.equal(c.startupProbe.httpGet.path, '/health-check');
    assert.deepEqual(c.readinessProbe.exec.command, healthcheck(plan));
    assert.match(healthcheck(plan)[2]!, /s in \('READY', 'BUSY'\)/);
    // build.run is shown, not copied.
    assert.doesNotMatch(df, /pget/);
    assert.ok(plan.notes.some((n) => n.includes('`curl -o /usr/local/bin/pget https://example.com/pget`; `chmod +x /usr/local/bin/pget`')), plan.notes.join('\n'));
  });

  test('cog.yaml in a subfolder: the server runs there; a declared cog is not installed again', () => {
    const d = tool({ file: 'svc/predict.py', kind: 'cog', object: 'Predictor' }, { packages: [{ name: 'torch', version: '2.3.1' }, { name: 'cog', version: '0.9.4' }] });
    const plan = planScaffold(d, { target: 'cpu' }, undefined, undefined, source({ 'svc/cog.yaml': cogYaml }));
    const df = file(plan, 'Dockerfile');
    assert.match(df, /^WORKDIR \/app\/svc$/m);
    assert.ok(df.indexOf('WORKDIR /app/svc') > df.indexOf('COPY . .'), 'after the code is copied');
    assert.match(df, /^ENV COG_PREDICT_TYPE_STUB=predict\.py:Predictor$/m);
    assert.doesNotMatch(df, /pip install --no-cache-dir cog\b/);
  });

  test("the readiness check passes on READY and BUSY only (run against an HTTP server, as the probe runs it)", async () => {
    let status = 'STARTING';
    const server: Server = createServer((_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ status, setup: {} }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (server.address() as { port: number }).port;
      const plan = planScaffold(tool({ file: 'predict.py', kind: 'cog', object: 'Predictor' }), { target: 'cpu', port });
      const check = healthcheck(plan);
      assert.equal(check[0], 'python3');
      for (const [s, ok] of [['STARTING', false], ['READY', true], ['BUSY', true], ['SETUP_FAILED', false], ['DEFUNCT', false]] as const) {
        status = s;
        const r = await run(check.slice(1));
        assert.equal(r.code === 0, ok, `${s}: exit ${r.code} ${r.stderr}`);
      }
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('BentoML', () => {
  test('`bentoml serve module:Service` from the bentofile folder; /readyz for readiness, /livez for liveness', () => {
    const d = tool({ file: 'src/service.py', kind: 'bentoml', object: 'Summarizer' }, { dependencyFiles: [{ file: 'requirements.txt', kind: 'requirements' }, { file: 'bentofile.yaml', kind: 'bentoml' }] });
    const plan = planScaffold(d, { target: 'cpu', port: 3000 });
    assert.deepEqual(plan.errors, []);
    checkPlan(plan);
    assert.deepEqual(cmd(plan), ['bentoml', 'serve', 'src.service:Summarizer', '--host', '0.0.0.0', '--port', '3000']);
    assert.doesNotMatch(file(plan, 'Dockerfile'), /^WORKDIR \/app\/src/m);
    const c = container(plan);
    assert.equal(c.readinessProbe.httpGet.path, '/readyz');
    assert.equal(c.livenessProbe.httpGet.path, '/livez');
    assert.equal(plan.healthPath, '/readyz');
    assert.match(healthcheck(plan)[2]!, /127\.0\.0\.1:3000\/readyz/);
    assert.match(file(plan, 'Dockerfile'), /pip install --no-cache-dir bentoml$/m);
  });

  test('no service object known: `bentoml serve .` reads bentofile.yaml', () => {
    const plan = planScaffold(tool({ file: 'service.py', kind: 'bentoml' }), { target: 'cpu' });
    assert.deepEqual(cmd(plan).slice(0, 3), ['bentoml', 'serve', '.']);
  });
});

describe('Truss', () => {
  const entry: Entrypoint = { file: 'model/model.py', kind: 'truss', object: 'Model' };

  test('a generated server (never replaced once it exists), liveness /livez, readiness /healthz', () => {
    const plan = planScaffold(tool(entry), { target: 'cpu' });
    assert.deepEqual(plan.errors, []);
    checkPlan(plan);
    assert.deepEqual(cmd(plan), ['python3', '/app/truss_server.py']);
    const server = plan.files.find((f) => f.path === 'truss_server.py');
    assert.ok(server && server.action === 'create');
    assert.match(server.content, /^MODEL_FILE = TRUSS_DIR \/ 'model\/model\.py'$/m);
    assert.match(server.content, /^MODEL_CLASS = 'Model'$/m);
    const c = container(plan);
    assert.equal(c.readinessProbe.httpGet.path, '/healthz');
    assert.equal(c.livenessProbe.httpGet.path, '/livez');
    assert.match(file(plan, 'Dockerfile'), /pip install --no-cache-dir pyyaml$/m);
    assert.doesNotMatch(file(plan, '.dockerignore'), /^truss_server\.py$/m);
    const again = planScaffold(tool(entry), { target: 'cpu', force: true }, (rel) => (rel === 'truss_server.py' ? '# mine\n' : undefined));
    assert.equal(again.files.find((f) => f.path === 'truss_server.py')?.action, 'skip');
  });

  test('the generated server loads the model and serves preprocess -> predict -> postprocess (run with python3)', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'model'));
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'factor.txt'), '3');
    writeFileSync(join(dir, 'config.yaml'), 'model_name: tripler\nmodel_metadata:\n  unit: x\n');
    writeFileSync(
      join(dir, 'model', 'helpers.py'),
      'def scale(v, f):\n    return [x * f for x in v]\n',
    );
    writeFileSync(
      join(dir, 'model', 'model.py'),
      [
        'import time',
        'from helpers import scale',
        '',
        'class Model:',
        '    def __init__(self, data_dir, config, **kwargs):',
        '        self._data_dir = data_dir',
        '        self._name = config.get("model_name") if isinstance(config, dict) else None',
        '        self._factor = None',
        '',
        '    def load(self):',
        '        time.sleep(0.5)',
        '        self._factor = int((self._data_dir / "factor.txt").read_text())',
        '',
        '    def preprocess(self, body):',
        '        return body["inputs"]',
        '',
        '    async def predict(self, inputs):',
        '        return scale(inputs, self._factor)',
        '',
        '    def postprocess(self, out):',
        '        return {"predictions": out, "name": self._name}',
        '',
      ].join('\n'),
    );
    const port = await freePort();
    const plan = planScaffold(detection({ root: dir, frameworks: [], entrypoint: entry }), { target: 'cpu', port }, undefined, undefined, (rel) => (rel === 'config.yaml' ? 'model_name: tripler\n' : undefined));
    const server = plan.files.find((f) => f.path === 'truss_server.py')!;
    writeFileSync(join(dir, 'truss_server.py'), server.content);
    const yamlOk = (await run(['-c', 'import yaml'])).code === 0;
    const child = spawn('python3', [join(dir, 'truss_server.py')], { cwd: dir, env: { ...process.env, TRUSS_DIR: dir, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (b: Buffer) => (log += b.toString()));
    child.stderr.on('data', (b: Buffer) => (log += b.toString()));
    try {
      await pollFor(() => `the Truss server to listen (log: ${log})`, async () => (await httpRequest(port, 'GET', '/livez')).status === 200, 15_000);
      // load() sleeps: /healthz says 503 first, then 200.
      const first = await httpRequest(port, 'GET', '/healthz');
      assert.ok(first.status === 503 || first.status === 200, String(first.status));
      await pollFor(() => `the model to load (log: ${log})`, async () => (await httpRequest(port, 'GET', '/healthz')).status === 200, 15_000);
      for (const path of ['/predict', '/v1/models/model:predict']) {
        const res = await httpRequest(port, 'POST', path, { inputs: [1, 2, 5] });
        assert.equal(res.status, 200, `${path}: ${res.body}\n${log}`);
        const out = JSON.parse(res.body) as { predictions: number[]; name: string | null };
        assert.deepEqual(out.predictions, [3, 6, 15]);
        // The config reaches the model when PyYAML is there (the image installs it).
        if (yamlOk) assert.equal(out.name, 'tripler');
      }
      assert.equal((await httpRequest(port, 'POST', '/predict', undefined)).status, 500);
      assert.equal((await httpRequest(port, 'GET', '/nope')).status, 404);
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('system packages', () => {
  test("the config's apt packages, and libgomp1 for LightGBM, in one apt layer before the pip installs", () => {
    const d = frameworkProject('lightgbm', '4.3.0');
    d.systemPackages = [{ name: 'ffmpeg', file: 'cog.yaml', line: 3 }, { name: 'libsndfile1=1.2.0-1', file: 'cog.yaml', line: 4 }];
    const plan = planScaffold(d, { target: 'cpu' });
    assert.deepEqual(plan.errors, []);
    const df = file(plan, 'Dockerfile');
    assert.match(df, /^RUN apt-get update \\\n && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ffmpeg libsndfile1=1\.2\.0-1 libgomp1 \\\n && rm -rf \/var\/lib\/apt\/lists\/\*$/m);
    assert.ok(df.indexOf('apt-get install') < df.indexOf('pip install'));
    assert.ok(df.indexOf('apt-get install') < df.indexOf('USER 10001'), 'as root');
  });

  test('LightGBM alone gets libgomp1 (its wheel links the system libgomp.so.1); XGBoost and scikit-learn bundle theirs', () => {
    assert.match(file(planScaffold(frameworkProject('lightgbm', '4.3.0'), { target: 'cpu' }), 'Dockerfile'), /--no-install-recommends libgomp1 /);
    for (const fw of ['xgboost', 'scikit-learn'] as const) assert.doesNotMatch(file(planScaffold(frameworkProject(fw, null), { target: 'cpu' }), 'Dockerfile'), /apt-get/);
  });

  test('a package name apt would read as an option is refused', () => {
    const d = frameworkProject('scikit-learn', null);
    d.systemPackages = [{ name: '-oAPT::Get::AllowUnauthenticated=true', file: 'cog.yaml' }];
    const plan = planScaffold(d, { target: 'cpu' });
    assert.deepEqual(plan.files, []);
    assert.match(plan.errors.join(' '), /the system package name .* starts with "-"/);
  });
});

describe('--create-entrypoint next to a script', () => {
  test('train.py is a script, not a server: serve.py serves the model and Kubernetes gets a Deployment', () => {
    const d = frameworkProject('scikit-learn', '1.4.2', { entrypoint: { file: 'train.py', kind: 'script' } });
    const without = planScaffold(d, { target: 'cpu' });
    assert.ok(without.files.some((f) => f.path === 'k8s/job.yaml'));
    const plan = planScaffold(d, { target: 'cpu', createEntrypoint: true });
    assert.deepEqual(cmd(plan), ['python3', 'serve.py']);
    assert.ok(plan.files.some((f) => f.path === 'serve.py'));
    assert.ok(plan.files.some((f) => f.path === 'k8s/deployment.yaml'));
    assert.equal(plan.serving, true);
    assert.equal(plan.predictRoute, '/predict');
    assert.ok(plan.notes.some((n) => /train\.py is a script, not a server/.test(n)));
  });
});

describe('rollouts', () => {
  test('GPU pods: maxSurge 0 (no second GPU needed to roll out); CPU pods: surge first, no gap', () => {
    const gpu = deployment(planScaffold(frameworkProject('pytorch', '2.3.1'), { target: 'gpu' })).spec;
    assert.equal(gpu.revisionHistoryLimit, 3);
    assert.deepEqual(gpu.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
    const cpu = deployment(planScaffold(frameworkProject('scikit-learn', '1.4.2'), { target: 'cpu' })).spec;
    assert.deepEqual(cpu.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  });
});

describe('xgboost-cpu', () => {
  test("XGBoost's CPU-only distribution is detected as XGBoost and installed as declared", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'requirements.txt'), 'xgboost-cpu==2.1.1\nnumpy==1.26.4\n');
    writeFileSync(join(dir, 'train.py'), 'import xgboost as xgb\n');
    const d = await detectProject(dir);
    assert.equal(d.primary, 'xgboost');
    assert.equal(d.frameworks.find((f) => f.name === 'xgboost')?.version, '2.1.1');
    const plan = planScaffold(d, { target: 'cpu', createEntrypoint: true }, undefined, undefined, (rel) => (rel === 'requirements.txt' ? 'xgboost-cpu==2.1.1\nnumpy==1.26.4\n' : undefined));
    assert.deepEqual(plan.errors, []);
    assert.match(file(plan, 'Dockerfile'), /pip install --no-cache-dir -r requirements\.txt/);
  });
});
