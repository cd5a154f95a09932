// GET /metrics of the generated servers, run as real processes on the host's python3: the
// generated serve.py, the WSGI middleware behind a real WSGI server (wsgiref), the ASGI middleware
// driven by asyncio, and the GPU path against a stand-in NVML library (this machine has no GPU;
// the real NVML is checked on a GPU machine, see docs/monitoring.md). Every number is compared with
// the requests the test sent.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { MODELDOCK_METRICS as M, figures } from '../../../src/core/metrics/figures';
import { parsePrometheusText } from '../../../src/core/metrics/prometheus';
import { planScaffold } from '../../../src/core/scaffold/index';
import { detection } from '../scaffold/fixtures';
import { PYTHON, request, sampleValue, scrape, startPython, writePlan } from './pyserver';

const sklearn = { frameworks: [{ name: 'scikit-learn' as const, version: '1.9.1' }], packages: [{ name: 'scikit-learn', version: '1.9.1' }] };

/** serve.py without a model artifact: load_model() returns None and predict() raises (a 500). */
function servePlan(metrics?: 'stdlib' | 'none' | 'prometheus-client') {
  return planScaffold(detection(sklearn), { createEntrypoint: true, target: 'cpu', imageName: 'iris', imageTag: '1.2.3', ...(metrics ? { metrics } : {}) });
}

describe('generated serve.py: GET /metrics', () => {
  test('counts each request by route, method and status; latency histogram; model info; no GPU series without a GPU', async (t) => {
    const { dir, cleanup } = writePlan(servePlan());
    t.after(cleanup);
    const server = await startPython(dir, ['serve.py'], { MODELDOCK_METRICS_EXPORTER: 'stdlib', MODELDOCK_IMAGE: 'iris:1.2.3' });
    t.after(() => server.stop());
    const { scrape: before } = await scrape(server.port);
    // The routes' series exist at 0 before their first request (rate() misses a series' first value).
    for (const status of ['200', '400', '500']) assert.equal(sampleValue(before, M.requests, { route: '/predict', method: 'POST', status }), 0);
    assert.equal(sampleValue(before, `${M.latency}_count`, { route: '/predict' }), 0);
    for (let i = 0; i < 3; i++) assert.equal((await request(server.port, 'GET', '/healthz')).status, 200);
    for (let i = 0; i < 2; i++) assert.equal((await request(server.port, 'POST', '/predict', '{"inputs": [[1, 2, 3, 4]]}')).status, 500);
    assert.equal((await request(server.port, 'POST', '/predict', 'not json')).status, 400);
    assert.equal((await request(server.port, 'GET', '/wp-login.php')).status, 404);
    assert.equal((await request(server.port, 'POST', '/nope', '{}')).status, 404);
    const { scrape: s, text, contentType } = await scrape(server.port);

    assert.match(contentType, /^text\/plain; version=0\.0\.4/);
    // 1 readiness probe of startPython + 3 here.
    assert.equal(sampleValue(s, M.requests, { route: '/healthz', method: 'GET', status: '200' }), 4);
    assert.equal(sampleValue(s, M.requests, { route: '/predict', method: 'POST', status: '500' }), 2);
    assert.equal(sampleValue(s, M.requests, { route: '/predict', method: 'POST', status: '400' }), 1);
    // Unknown paths never become label values.
    assert.equal(sampleValue(s, M.requests, { route: 'other', method: 'GET', status: '404' }), 1);
    assert.equal(sampleValue(s, M.requests, { route: 'other', method: 'POST', status: '404' }), 1);
    assert.ok(!text.includes('wp-login'), 'a scanned path became a label');
    assert.equal(sampleValue(s, `${M.latency}_count`, { route: '/predict' }), 3);
    assert.equal(sampleValue(s, `${M.latency}_bucket`, { route: '/predict', le: '+Inf' }), 3);
    const buckets = s.samples.filter((x) => x.name === `${M.latency}_bucket` && x.labels.route === '/predict').map((x) => x.value);
    assert.deepEqual(buckets, [...buckets].sort((a, b) => a - b), 'buckets are cumulative');
    assert.ok(sampleValue(s, `${M.latency}_sum`, { route: '/predict' }) > 0);
    assert.equal(sampleValue(s, M.inFlight), 0);
    assert.ok(sampleValue(s, M.modelLoad) >= 0);
    assert.equal(sampleValue(s, M.info, { framework: 'scikit-learn', image: 'iris:1.2.3' }), 1);
    assert.equal(s.types.get(M.requests), 'counter');
    assert.equal(s.types.get(M.latency), 'histogram');
    assert.ok(!s.samples.some((x) => x.name.startsWith('modeldock_gpu_')), 'GPU series without a GPU');
    assert.ok(!s.samples.some((x) => x.labels.route === '/metrics'), 'scrapes are not counted');

    // The Model Metrics view's figures from the same two scrapes, as if 2 s apart: 8 requests
    // between them (3 health checks, 3 predictions, 2 unknown paths), 2 of them 5xx.
    const f = figures(before, s, 2);
    assert.equal(f.requestRate, 4);
    assert.equal(f.errorRatio, 2 / 8);
    assert.ok(f.p50 !== null && f.p95 !== null && f.p95 >= f.p50);
  });

  test('the Dockerfile says which exporter; --metrics stdlib installs nothing; --metrics none has no /metrics', async (t) => {
    const df = (m?: 'stdlib' | 'none') => servePlan(m).files.find((f) => f.path === 'Dockerfile')!.content;
    assert.match(df(), /# Metrics: GET \/metrics comes from modeldock_metrics\.py through prometheus_client[^\n]*\nRUN python3 -m pip install --no-cache-dir prometheus-client==0\.26\.0\n/);
    assert.match(df('stdlib'), /# Metrics: GET \/metrics comes from modeldock_metrics\.py's standard-library exporter \(no extra dependency/);
    assert.doesNotMatch(df('stdlib'), /prometheus-client==/);
    assert.doesNotMatch(df('none'), /Metrics:|prometheus/);
    const none = servePlan('none');
    assert.ok(!none.files.some((f) => f.path === 'modeldock_metrics.py'));
    assert.equal(none.metrics, null);
    const serve = none.files.find((f) => f.path === 'serve.py')!.content;
    assert.doesNotMatch(serve, /metrics/);
    const { dir, cleanup } = writePlan(none);
    t.after(cleanup);
    const server = await startPython(dir, ['serve.py']);
    t.after(() => server.stop());
    assert.equal((await request(server.port, 'GET', '/metrics')).status, 404);
  });

  test('a project that declares prometheus_client gets no second install', () => {
    const plan = planScaffold(detection({ ...sklearn, packages: [...sklearn.packages, { name: 'prometheus-client', version: '0.20.0' }] }), { createEntrypoint: true, target: 'cpu' });
    const df = plan.files.find((f) => f.path === 'Dockerfile')!.content;
    assert.match(df, /through prometheus_client, which the project's requirements install/);
    assert.doesNotMatch(df, /prometheus-client==0\.26/);
  });

  test('Python 3.8 images get the standard-library exporter (prometheus_client 0.26 needs 3.9)', () => {
    const plan = planScaffold(detection({ ...sklearn, python: '3.8' }), { createEntrypoint: true, target: 'cpu' });
    assert.doesNotMatch(plan.files.find((f) => f.path === 'Dockerfile')!.content, /prometheus-client==/);
    assert.ok(plan.notes.some((n) => /needs Python 3\.9\+/.test(n)));
  });
});

// A WSGI app without Flask: the middleware alone, behind wsgiref's threading server.
const WSGI_APP = `
import os, threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
import modeldock_metrics

gate = threading.Event()

def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/boom":
        raise RuntimeError("boom")
    if path == "/slow":
        gate.wait(20)
    if path == "/release":
        gate.set()
    ok = path in ("/ok", "/slow", "/release", "/healthz")
    start_response("200 OK" if ok else "404 Not Found", [("Content-Type", "text/plain")])
    return [b"x"]

class Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True

class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass

make_server("127.0.0.1", int(os.environ["PORT"]), modeldock_metrics.wsgi(app), server_class=Server, handler_class=Quiet).serve_forever()
`;

describe('WSGI middleware (wsgiref)', () => {
  test('in-flight requests, exceptions as 500, raw paths capped at 64 distinct routes', async (t) => {
    const { dir, cleanup } = writePlan(servePlan('stdlib'), { 'wsgi_app.py': WSGI_APP });
    t.after(cleanup);
    const server = await startPython(dir, ['wsgi_app.py'], { MODELDOCK_METRICS_EXPORTER: 'stdlib' });
    t.after(() => server.stop());
    const slow = request(server.port, 'GET', '/slow');
    const inFlight = async () => sampleValue((await scrape(server.port)).scrape, M.inFlight);
    // The slow request is being handled until /release: the gauge shows it.
    const { pollFor } = await import('../../shared/poll');
    await pollFor('the slow request to be in flight', async () => (await inFlight()) === 1, 10_000, 50);
    assert.equal((await request(server.port, 'GET', '/release')).status, 200);
    assert.equal((await slow).status, 200);
    assert.equal(await inFlight(), 0);
    assert.equal((await request(server.port, 'GET', '/boom')).status, 500);
    for (let i = 0; i < 70; i++) assert.equal((await request(server.port, 'GET', `/p${i}`)).status, 404);
    const { scrape: s } = await scrape(server.port);
    assert.equal(sampleValue(s, M.requests, { route: '/boom', status: '500' }), 1);
    const routes = new Set(s.samples.filter((x) => x.name === M.requests).map((x) => x.labels.route));
    assert.equal(routes.size, 65, `64 raw paths and "other": ${[...routes].join(' ')}`);
    // /healthz (startPython's probe), /slow, /release, /boom, then /p0… until 64 paths were seen.
    assert.equal(sampleValue(s, M.requests, { route: 'other' }), 70 - (64 - 4));
  });
});

const ASGI_DRIVER = `
import asyncio, json
import modeldock_metrics

class Route:
    path = "/items/{item_id}"

async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        await send({"type": "lifespan.startup.complete"})
        return
    if scope["path"] == "/boom":
        raise RuntimeError("boom")
    # What FastAPI's router does: the matched route goes into the request's scope.
    if scope["path"].startswith("/items/"):
        scope["route"] = Route()
    await send({"type": "http.response.start", "status": 201 if scope["method"] == "POST" else 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})

class Declared:
    def __init__(self, path, methods):
        self.path, self.methods = path, methods

# What declare_routes reads of a FastAPI app: its routes, with path and methods.
app.routes = [Declared("/items/{item_id}", {"POST", "HEAD"}), Declared("/healthz", {"GET"})]
modeldock_metrics.declare_routes(app)
wrapped = modeldock_metrics.asgi(app)
sent = []

async def send(message):
    sent.append(message)

async def receive():
    return {"type": "http.request", "body": b"", "more_body": False}

async def main():
    out = {}
    await wrapped({"type": "lifespan"}, receive, send)
    out["lifespan"] = sent[-1]["type"]
    for i in range(3):
        await wrapped({"type": "http", "method": "POST", "path": "/items/%d" % i}, receive, send)
    try:
        await wrapped({"type": "http", "method": "GET", "path": "/boom"}, receive, send)
    except RuntimeError:
        out["raised"] = True
    sent.clear()
    await wrapped({"type": "http", "method": "GET", "path": "/metrics"}, receive, send)
    out["metrics_status"] = sent[0]["status"]
    out["metrics_type"] = dict(sent[0]["headers"])[b"content-type"].decode()
    out["text"] = sent[1]["body"].decode()
    print(json.dumps(out))

asyncio.run(main())
`;

describe('ASGI middleware (driven by asyncio)', () => {
  test('route from the scope, status from http.response.start, exceptions as 500, lifespan untouched', (t) => {
    const { dir, cleanup } = writePlan(servePlan('stdlib'), { 'asgi_driver.py': ASGI_DRIVER });
    t.after(cleanup);
    const out = JSON.parse(execFileSync(PYTHON, ['asgi_driver.py'], { cwd: dir, env: { ...process.env, MODELDOCK_METRICS_EXPORTER: 'stdlib' }, encoding: 'utf8' })) as Record<string, unknown>;
    assert.equal(out.lifespan, 'lifespan.startup.complete');
    assert.equal(out.raised, true);
    assert.equal(out.metrics_status, 200);
    assert.match(String(out.metrics_type), /version=0\.0\.4/);
    const s = parsePrometheusText(String(out.text));
    assert.equal(sampleValue(s, M.requests, { route: '/items/{item_id}', method: 'POST', status: '201' }), 3);
    assert.equal(sampleValue(s, M.requests, { route: '/boom', method: 'GET', status: '500' }), 1);
    assert.equal(sampleValue(s, M.inFlight), 0);
    // Declared up front, never requested: at 0; HEAD is not declared.
    assert.equal(sampleValue(s, M.requests, { route: '/healthz', method: 'GET', status: '200' }), 0);
    assert.equal(sampleValue(s, M.requests, { route: '/items/{item_id}', method: 'POST', status: '500' }), 0);
    assert.ok(!s.samples.some((x) => x.labels.method === 'HEAD'));
  });
});

// A stand-in for libnvidia-ml.so.1 with NVML's C signatures: two GPUs, fixed memory and busy
// figures. The real library is exercised on a GPU machine (docs/monitoring.md, "GPU check").
const FAKE_NVML = `
typedef struct { unsigned long long total, free, used; } mem_t;
typedef struct { unsigned int gpu, memory; } util_t;
int nvmlInit_v2(void) { return 0; }
int nvmlDeviceGetCount_v2(unsigned int *n) { *n = 2; return 0; }
int nvmlDeviceGetHandleByIndex_v2(unsigned int i, void **h) { *h = (void *)(unsigned long)(i + 1); return 0; }
int nvmlDeviceGetMemoryInfo(void *h, mem_t *m) {
  unsigned long i = (unsigned long)h - 1;
  m->total = 85899345920ULL; m->used = (i + 1) * 1073741824ULL; m->free = m->total - m->used; return 0;
}
int nvmlDeviceGetUtilizationRates(void *h, util_t *u) {
  unsigned long i = (unsigned long)h - 1;
  if (i == 1) return 3; /* NVML_ERROR_NOT_SUPPORTED: no utilisation series for this GPU */
  u->gpu = 37; u->memory = 5; return 0;
}
`;

describe('GPU metrics through NVML (stand-in library)', () => {
  test('memory used/total per GPU; utilisation only where NVML reports it', async (t) => {
    const { dir, cleanup } = writePlan(servePlan('stdlib'), { 'fake_nvml.c': FAKE_NVML });
    t.after(cleanup);
    execFileSync('cc', ['-shared', '-fPIC', '-o', path.join(dir, 'libnvidia-ml.so.1'), path.join(dir, 'fake_nvml.c')]);
    writeFileSync(path.join(dir, 'render.py'), 'import sys, modeldock_metrics\nsys.stdout.write(modeldock_metrics.render().decode())\n');
    const text = execFileSync(PYTHON, ['render.py'], { cwd: dir, env: { ...process.env, LD_LIBRARY_PATH: dir, MODELDOCK_METRICS_EXPORTER: 'stdlib' }, encoding: 'utf8' });
    const s = parsePrometheusText(text);
    assert.equal(sampleValue(s, M.gpuMemoryTotal, { gpu: '0' }), 85899345920);
    assert.equal(sampleValue(s, M.gpuMemoryUsed, { gpu: '0' }), 1073741824);
    assert.equal(sampleValue(s, M.gpuMemoryUsed, { gpu: '1' }), 2 * 1073741824);
    assert.equal(sampleValue(s, M.gpuUtilization, { gpu: '0' }), 0.37);
    assert.ok(!s.samples.some((x) => x.name === M.gpuUtilization && x.labels.gpu === '1'));
    const f = figures(null, s, 0);
    assert.equal(f.gpuMemoryUsedBytes, 3 * 1073741824);
  });
});
