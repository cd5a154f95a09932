// Health and predict routes: the scanner (core/detect/routes.ts) on real sources, and the probes
// the plan derives from them.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { detectProject, nodeFs } from '../../../src/core/detect/index';
import { findRoutes, scanPythonRoutes } from '../../../src/core/detect/routes';
import { planScaffold } from '../../../src/core/scaffold/index';
import { detection } from './fixtures';
import { file } from './helpers';

const repo = join(__dirname, '..', '..', '..');

function routes(src: string): string[] {
  return scanPythonRoutes(src, 'app.py').routes.map((r) => `${r.methods.join(',')} ${r.path} @${r.line}`);
}

describe('route scanner', () => {
  test('FastAPI and Flask decorators, methods, multi-line calls', () => {
    const src = [
      'from fastapi import FastAPI, APIRouter', // 1
      'app = FastAPI()',
      '@app.get("/healthz")', // 3
      'def h(): ...',
      "@app.post('/predict', response_model=Out)", // 5
      'def p(): ...',
      '@app.route(', // 7
      '    "/both",',
      '    methods=["GET", "post"],',
      ')',
      'def b(): ...',
      '@bp.route("/flask")', // 12
      '@app.api_route("/any", methods=("PUT",))', // 13
      '@app.get(path="/kw")', // 14
      '@app.websocket("/ws")',
      '@pytest.mark.parametrize("/not-a-route", [])',
      '@app.get(f"/{name}")',
      '@app.get(PATH)',
    ].join('\n');
    assert.deepEqual(routes(src), ['GET /healthz @3', 'POST /predict @5', 'GET,POST /both @7', 'GET /flask @12', 'PUT /any @13', 'GET /kw @14']);
  });

  test('strings, comments and docstrings never count as code', () => {
    const src = [
      '"""Docs: @app.get("/in-docstring")',
      '@app.get("/still-docstring")"""',
      '# @app.get("/commented")',
      'x = "@app.get(\'/in-string\')"',
      "@app.get('/real')",
    ].join('\n');
    assert.deepEqual(routes(src), ['GET /real @5']);
  });

  test('add_api_route, add_url_rule and router prefixes', () => {
    const src = [
      'router = APIRouter(prefix="/api")',
      '@router.get("/health")',
      'def h(): ...',
      'app.add_api_route("/ready", ready, methods=["GET"])',
      'app.add_url_rule("/ping", view_func=ping)',
      'bp = Blueprint("b", __name__, url_prefix="/v1/")',
      '@bp.post("/predict")',
    ].join('\n');
    assert.deepEqual(routes(src), ['GET /api/health @2', 'GET /ready @4', 'GET /ping @5', 'POST /v1/predict @7']);
  });

  test('linear on hostile input: a megabyte of unclosed calls, quotes and decorators', () => {
    const chunks = ['@app.get(', '"', "'''", '(', '@x.route("/a", methods=[', '\\\n'];
    let big = '';
    for (let i = 0; big.length < 1_500_000; i++) big += `${chunks[i % chunks.length]}${i % 7 === 0 ? '\n' : ''}`;
    const t0 = performance.now();
    scanPythonRoutes(big, 'big.py');
    // A ceiling against a hang (quadratic or backtracking scanning), not a benchmark.
    assert.ok(performance.now() - t0 < 20_000);
  });
});

describe('routes of the served app (files)', () => {
  let dir = '';
  let outside = '';
  before(() => {
    const base = mkdtempSync(join(tmpdir(), 'modeldock-routes-'));
    dir = join(base, 'proj');
    outside = join(base, 'outside');
    const put = (p: string, text: string) => {
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text);
    };
    put(join(dir, 'requirements.txt'), 'fastapi==0.111.0\nuvicorn==0.30.1\n');
    put(join(dir, 'app', 'main.py'), 'from fastapi import FastAPI\nfrom app.routers.ops import router as ops_router\nfrom .api import predict\nimport evil\napp = FastAPI()\napp.include_router(ops_router, prefix="/ops")\n');
    put(join(dir, 'app', 'routers', 'ops.py'), 'from fastapi import APIRouter\nrouter = APIRouter()\n@router.get("/healthz")\ndef h():\n    return {}\n');
    put(join(dir, 'app', 'api', 'predict.py'), 'from fastapi import APIRouter\nr = APIRouter()\n@r.post("/predict")\ndef p():\n    return {}\n');
    put(join(outside, 'evil.py'), '@app.get("/from-outside")\ndef x(): ...\n');
    symlinkSync(join(outside, 'evil.py'), join(dir, 'app', 'evil.py'));
  });
  after(() => rmSync(dirname(dir), { recursive: true, force: true }));

  test('follows local imports (aliases and include_router prefixes), never a symlink out of the project', async () => {
    const found = await findRoutes(nodeFs, dir, 'app/main.py');
    assert.deepEqual(
      found.map((r) => `${r.methods.join(',')} ${r.path} ${r.file}:${r.line}`),
      ['GET /ops/healthz app/routers/ops.py:3', 'POST /predict app/api/predict.py:3'],
    );
  });

  test('the file budget bounds the reading', async () => {
    const found = await findRoutes(nodeFs, dir, 'app/main.py', { maxFiles: 1 });
    assert.deepEqual(found, []);
  });

  test('detection reports them for the entrypoint', async () => {
    const d = await detectProject(dir);
    assert.equal(d.entrypoint?.file, 'app/main.py');
    assert.deepEqual(d.routes?.map((r) => r.path), ['/ops/healthz', '/predict']);
  });
});

describe('probes follow the app', () => {
  for (const example of ['sklearn-iris', 'pytorch-classifier']) {
    test(`examples/${example}: probes and HEALTHCHECK use its /healthz; POST /predict is known`, async () => {
      const d = await detectProject(join(repo, 'examples', example));
      const plan = planScaffold(d, { target: 'cpu' });
      assert.deepEqual(plan.errors, []);
      assert.equal(plan.healthPath, '/healthz');
      assert.equal(plan.predictRoute, '/predict');
      const c = (parseYaml(file(plan, 'k8s/deployment.yaml')) as { spec: { template: { spec: { containers: Record<string, { httpGet?: { path: string } }>[] } } } }).spec.template.spec.containers[0]!;
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) assert.equal(c[probe]?.httpGet?.path, '/healthz', probe);
      assert.match(file(plan, 'Dockerfile'), /urlopen\('http:\/\/127\.0\.0\.1:8080\/healthz'/);
      assert.ok(plan.notes.some((n) => /POST \/predict .* smoke test/.test(n)));
    });
  }

  test('no health route: TCP probes and a TCP HEALTHCHECK; GET-only health routes count; the best name wins', () => {
    const base = { frameworks: [{ name: 'scikit-learn' as const, version: '1.4.2' }], entrypoint: { file: 'app.py', kind: 'fastapi' as const } };
    const none = planScaffold(detection(base), {});
    assert.equal(none.healthPath, null);
    assert.match(file(none, 'Dockerfile'), /socket\.create_connection/);
    assert.ok((parseYaml(file(none, 'k8s/deployment.yaml')) as { spec: { template: { spec: { containers: { readinessProbe: { tcpSocket?: unknown } }[] } } } }).spec.template.spec.containers[0]!.readinessProbe.tcpSocket);
    const d = detection(base);
    d.routes = [
      { path: '/health', methods: ['POST'], file: 'app.py', line: 1 },
      { path: '/api/ping', methods: ['GET'], file: 'app.py', line: 2 },
      { path: '/ready', methods: ['GET'], file: 'app.py', line: 3 },
      { path: '/items/{id}/healthz', methods: ['GET'], file: 'app.py', line: 4 },
    ];
    assert.equal(planScaffold(d, {}).healthPath, '/ready');
  });
});
