// Issue "Monitoring a served model", part 4: the generated scikit-learn server (serve.py, built
// unchanged from the bare python:3.11-slim, prometheus_client installed from the local PyPI
// wheelhouse) runs on the real engine; a real Prometheus started by the test scrapes its
// /metrics every second, with the generated PrometheusRule's rules loaded; the test sends a known
// mix of requests and checks that
//   - the counters equal what it sent, by route and status;
//   - rate(...) over a window aligned to two scrapes equals requests / seconds exactly;
//   - histogram_quantile(...) equals the quantile computed from a direct scrape, and stays below
//     the client's own measured latencies;
//   - the generated alerts go pending for what the traffic shows (errors, latency over a tiny
//     threshold) and stay quiet otherwise;
//   - every query of the generated Grafana dashboard returns data and names a metric the server
//     exports; `promtool check rules`, `promtool check config` and `promtool check metrics` pass.
// The same image with MODELDOCK_METRICS_EXPORTER=stdlib exports the same numbers; the project's
// own Flask app, served through the generated wrapper, labels requests by its Flask route.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { MODELDOCK_METRICS as M } from '../../../src/core/metrics/figures';
import { buckets, histogramQuantile, parsePrometheusText, type Scrape } from '../../../src/core/metrics/prometheus';
import { dashboardQueries, type GrafanaDashboard } from '../../../src/core/scaffold/monitoringDashboard';
import { exec } from '../../../scripts/lib/base-images.mjs';
import { SKIP_NO_DOCKER, ensureDockerd } from '../helpers/docker';
import { pollFor } from '../helpers/poll';
import { ensurePythonSlim, PYTHON_BARE_IMAGE } from '../../../scripts/lib/base-images.mjs';
import { ensureWheelhouse, serveWheelhouse } from '../../../scripts/lib/wheelhouse.mjs';
import { FIXTURES, PREFIX, assertInstalledFromIndex, buildImage, cleanupImages, postJson, runLikeCompose, scaffold, topLevelPins, type ImageEnv, type Running } from '../images/harness';
import { PROMTOOL, ensurePrometheus, startPrometheus, type RunningPrometheus } from './prometheus';

const REPO = path.resolve(__dirname, '..', '..', '..');
const NAME = 'iris-metrics';
const TAG = `${PREFIX}/${NAME}:monitoring`;
const FLASK_TAG = `${PREFIX}/sklearn-flask:monitoring`;

/**
 * The image-test environment with a small training image of its own (scikit-learn and joblib
 * only): the images suite's training image holds every framework, takes minutes to build, and
 * replaces the one of another pinned set on a shared engine.
 */
async function openMonitoringEnv(): Promise<ImageEnv> {
  await ensurePythonSlim();
  const wheelhouse = await ensureWheelhouse();
  const index = await serveWheelhouse(wheelhouse);
  try {
    const pins = topLevelPins('models').filter((p) => /^(scikit-learn|joblib)==/.test(p));
    const trainer = `${PREFIX}/monitoring-trainer:${wheelhouse.key}`;
    if ((await exec('docker', ['image', 'inspect', trainer], { timeoutMs: 30_000 })).code !== 0) {
      const ctx = mkdtempSync(path.join(tmpdir(), `${PREFIX}-monitoring-trainer-`));
      try {
        writeFileSync(path.join(ctx, 'Dockerfile'), [`FROM ${PYTHON_BARE_IMAGE}`, 'ARG PIP_INDEX_URL', `RUN python3 -m pip install --no-cache-dir ${pins.join(' ')}`, ''].join('\n'));
        const res = await exec('docker', ['build', '--network', 'host', '--build-arg', `PIP_INDEX_URL=${index.url}`, '--label', 'modeldock.test=1', '-t', trainer, ctx], { timeoutMs: 20 * 60_000 });
        assert.equal(res.code, 0, `building ${trainer} failed:\n${(res.stdout + res.stderr).slice(-4000)}`);
      } finally {
        rmSync(ctx, { recursive: true, force: true });
      }
    }
    return { wheelhouse, index, trainer, close: () => index.close() };
  } catch (err) {
    await index.close();
    throw err;
  }
}

interface Reference {
  inputs: number[][];
  predictions: number[];
}

/** Copies test/fixtures/monitoring/<fixture> (or an images fixture) to a temp folder and trains its model there. */
async function trainProject(env: ImageEnv, from: string): Promise<{ dir: string; reference: Reference; cleanup(): void }> {
  const root = mkdtempSync(path.join(tmpdir(), `${PREFIX}-monitoring-`));
  const dir = path.join(root, NAME);
  cpSync(from, dir, { recursive: true });
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const res = await exec('docker', ['run', '--rm', '--network', 'none', '--user', `${uid}:${gid}`, '-e', 'HOME=/tmp', '-v', `${dir}:/work`, '-w', '/work', env.trainer, 'python3', 'train.py'], { timeoutMs: 10 * 60_000 });
  assert.equal(res.code, 0, `training failed:\n${res.stdout}${res.stderr}`);
  return { dir, reference: JSON.parse(res.stdout.trim().split('\n').pop() ?? '{}') as Reference, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - t0) / 1000 };
}

/** POST that resolves with the status (the harness's postJson rejects non-200 answers). */
async function postStatus(port: number, body: unknown): Promise<number> {
  try {
    await postJson(port, '/predict', body);
    return 200;
  } catch (err) {
    const m = /^HTTP (\d{3})/.exec(err instanceof Error ? err.message : '');
    if (!m) throw err;
    return Number(m[1]);
  }
}

async function scrapeText(port: number, urlPath = '/metrics'): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}${urlPath}`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(res.status, 200);
  return res.text();
}

function one(s: Scrape, name: string, labels: Record<string, string>): number {
  const hits = s.samples.filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  assert.equal(hits.length, 1, `${name}${JSON.stringify(labels)}: ${hits.length} samples`);
  return hits[0]!.value;
}

const num = (v: [number, string] | undefined): number => Number(v?.[1]);

describe('generated server metrics, scraped and queried by a real Prometheus', () => {
  let docker = false;
  let prom = false;
  let env: ImageEnv | undefined;
  const containers: string[] = [];
  const images: string[] = [];
  const cleanups: (() => void)[] = [];
  let prometheus: RunningPrometheus | undefined;

  before(async () => {
    docker = await ensureDockerd();
    prom = ensurePrometheus();
    if (docker && prom) env = await openMonitoringEnv();
  });

  after(async () => {
    await prometheus?.stop();
    await cleanupImages(containers, images);
    for (const c of cleanups) c();
    await env?.close();
  });

  test('serve.py: counts, rate, histogram_quantile, alerts, dashboard queries, promtool', async (t) => {
    if (!docker || !prom || !env) return t.skip(docker ? 'prometheus is not installed' : SKIP_NO_DOCKER);
    const trained = await trainProject(env, path.join(REPO, 'test', 'fixtures', 'monitoring', 'sklearn-serve'));
    cleanups.push(trained.cleanup);
    const dir = trained.dir;
    // A tiny latency threshold, so that the latency alert must go pending under real traffic.
    const report = (await scaffold(dir, ['--create-entrypoint', '--monitoring', 'prometheus', '--alert-p95', '0.0001'])) as unknown as {
      files: { path: string }[];
      metrics: { port: number; path: string; portName: string; flavour: string };
      notes: string[];
    };
    assert.deepEqual(report.metrics, { portName: 'http', port: 8080, path: '/metrics', flavour: 'modeldock' });

    // promtool on the generated rules (the PrometheusRule's spec is a rule file's content).
    const ruleDoc = parseYaml(readFileSync(path.join(dir, 'k8s', 'monitoring', 'prometheusrule.yaml'), 'utf8')) as { spec: { groups: unknown[] } };
    const rulesFile = path.join(dir, 'rules.yaml');
    writeFileSync(rulesFile, JSON.stringify({ groups: ruleDoc.spec.groups }));
    const checked = spawnSync(PROMTOOL, ['check', 'rules', rulesFile], { encoding: 'utf8' });
    assert.equal(checked.status, 0, `promtool check rules:\n${checked.stdout}${checked.stderr}`);
    assert.match(checked.stdout, /SUCCESS: 4 rules found/);

    images.push(TAG);
    const built = await buildImage(env, dir, TAG);
    assertInstalledFromIndex(built, ['prometheus-client', 'scikit-learn']);
    const running: Running = await runLikeCompose(dir, TAG, `${PREFIX}-${NAME}`);
    containers.push(running.name);
    const port = running.port;

    prometheus = await startPrometheus([{ job_name: NAME, metrics_path: report.metrics.path, static_configs: [{ targets: [`127.0.0.1:${port}`] }] }], { groups: ruleDoc.spec.groups });
    const p = prometheus;
    // The target is up and has been scraped at least twice before any traffic.
    await pollFor('two scrapes before traffic', async () => (await p.raw(`up{job="${NAME}"}`, '1m')).flatMap((s) => s.values).length >= 2, 30_000, 250);
    const baseline = parsePrometheusText(await scrapeText(port));
    const base = (labels: Record<string, string>) => baseline.samples.find((x) => x.name === M.requests && Object.entries(labels).every(([k, v]) => x.labels[k] === v))?.value ?? 0;

    // The traffic: 40 good predictions, 5 bad bodies (400), 3 wrong shapes (sklearn raises: 500).
    const clientSeconds: number[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await timed(() => postJson(port, '/predict', { inputs: trained.reference.inputs }));
      clientSeconds.push(r.seconds);
      assert.deepEqual((r.value as { predictions: number[] }).predictions, trained.reference.predictions);
    }
    for (let i = 0; i < 5; i++) {
      const r = await timed(() => postStatus(port, { instances: [] }));
      clientSeconds.push(r.seconds);
      assert.equal(r.value, 400);
    }
    for (let i = 0; i < 3; i++) {
      const r = await timed(() => postStatus(port, { inputs: [[1, 2]] }));
      clientSeconds.push(r.seconds);
      assert.equal(r.value, 500);
    }
    const direct = parsePrometheusText(await scrapeText(port));
    assert.equal(one(direct, M.requests, { route: '/predict', method: 'POST', status: '200' }) - base({ route: '/predict', status: '200' }), 40);
    assert.equal(one(direct, M.requests, { route: '/predict', method: 'POST', status: '400' }), 5);
    assert.equal(one(direct, M.requests, { route: '/predict', method: 'POST', status: '500' }), 3);

    // Prometheus has them once a scrape after the traffic landed.
    const ok = `${M.requests}{job="${NAME}",route="/predict",status="200"}`;
    await pollFor('Prometheus to scrape the traffic', async () => num((await p.query(ok))[0]?.value) === 40, 30_000, 250);
    // Let two more scrapes land, then pick a window from the last sample before the traffic to the
    // last sample: rate() over exactly that window has nothing to extrapolate.
    await pollFor('two scrapes after the traffic', async () => {
      const series = await p.raw(`${M.requests}{job="${NAME}",route="/predict",status="200"}`, '1m');
      return (series[0]?.values ?? []).filter(([, v]) => Number(v) === 40).length >= 2;
    }, 30_000, 250);
    // The series exist at 0 from the start (declared routes): the last 0 is the scrape before the traffic.
    const okSeries = (await p.raw(`${M.requests}{job="${NAME}",route="/predict",status="200"}`, '2m'))[0]!.values;
    const before0 = okSeries.filter(([, v]) => Number(v) === 0);
    assert.ok(before0.length > 0, `no scrape before the traffic: ${JSON.stringify(okSeries)}`);
    const start = before0[before0.length - 1]![0];
    const last = okSeries[okSeries.length - 1]![0];
    // Scrape timestamps are in milliseconds: the window is a whole number of them.
    const windowMs = Math.round((last - start) * 1000);
    const w = `${windowMs}ms`;
    const rate = num((await p.query(`sum(rate(${M.requests}{job="${NAME}",route="/predict"}[${w}]))`, last))[0]?.value);
    assert.ok(Math.abs(rate - 48 / (windowMs / 1000)) < 1e-9, `rate over ${w}: ${rate}, sent 48 requests in that window (${48 / (windowMs / 1000)}/s)`);
    const errorRatio = num((await p.query(`sum(rate(${M.requests}{job="${NAME}",route="/predict",status=~"5.."}[${w}])) / sum(rate(${M.requests}{job="${NAME}",route="/predict"}[${w}]))`, last))[0]?.value);
    assert.ok(Math.abs(errorRatio - 3 / 48) < 1e-12, `error ratio ${errorRatio}, sent 3 failures in 48`);

    // histogram_quantile: Prometheus's answer equals the quantile of the same buckets scraped directly.
    const after = parsePrometheusText(await scrapeText(port));
    const onlyPredict = (l: Record<string, string>) => l.route === '/predict';
    for (const q of [0.5, 0.95, 0.99]) {
      const fromPrometheus = num((await p.query(`histogram_quantile(${q}, sum by (le) (rate(${M.latency}_bucket{job="${NAME}",route="/predict"}[${w}])))`, last))[0]?.value);
      const expected = histogramQuantile(q, buckets(baseline, M.latency, onlyPredict), buckets(after, M.latency, onlyPredict));
      assert.ok(expected !== null && Math.abs(fromPrometheus - expected) < 1e-9, `p${q * 100}: Prometheus ${fromPrometheus}, from the scraped buckets ${expected}`);
    }
    // The server's own time is within the client's: the p95 bucket cannot be above the slowest answer's bucket.
    const bounds = [...buckets(after, M.latency, onlyPredict).keys()].sort((a, b) => a - b);
    const slowest = Math.max(...clientSeconds);
    const slowestBucket = bounds.find((b) => b >= slowest) ?? Infinity;
    const p95 = num((await p.query(`histogram_quantile(0.95, sum by (le) (rate(${M.latency}_bucket{job="${NAME}",route="/predict"}[${w}])))`, last))[0]?.value);
    assert.ok(p95 > 0 && p95 <= slowestBucket, `p95 ${p95} s; the slowest answer took ${slowest} s (bucket ≤ ${slowestBucket})`);
    assert.equal(num((await p.query(`sum(${M.latency}_count{job="${NAME}",route="/predict"})`, last))[0]?.value), 48);

    // The generated alerts, evaluated by Prometheus every second: errors (3/48 > 5%) and latency
    // (p95 above 0.1 ms) go pending; the server is up; nothing fires before its `for`.
    const alerts = await pollFor('ModelHighErrorRatio and ModelHighLatency to be pending', async () => {
      const a = await p.alerts();
      const names = new Set(a.filter((x) => x.labels.job === NAME || x.labels.alertname !== 'ModelServerDown').map((x) => x.labels.alertname));
      return names.has('ModelHighErrorRatio') && names.has('ModelHighLatency') ? a : undefined;
    }, 30_000, 500);
    assert.deepEqual(alerts.map((a) => a.state).filter((s) => s !== 'pending'), [], 'an alert fired before its for: duration');
    assert.ok(!alerts.some((a) => a.labels.alertname === 'ModelServerDown'), 'ModelServerDown is active while the server answers');

    // Every dashboard query returns data and names only metrics the server exports.
    const dashboard = JSON.parse(readFileSync(path.join(dir, 'monitoring', 'grafana-dashboard.json'), 'utf8')) as GrafanaDashboard;
    const exported = new Set(after.samples.map((s) => s.name));
    for (const q of dashboardQueries(dashboard)) {
      const names = [...q.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)\{/g)].map((m) => m[1]!);
      const labelValues = /^label_values\(([A-Za-z_:][A-Za-z0-9_:]*), (\w+)\)$/.exec(q);
      if (labelValues) names.push(labelValues[1]!);
      assert.ok(names.length > 0, q);
      for (const n of names) assert.ok(exported.has(n), `the dashboard queries ${n}, which the server does not export`);
      const expr = labelValues ? `count by (${labelValues[2]}) (${labelValues[1]})` : q.replace(/\$job/g, NAME).replace(/\$__rate_interval/g, w);
      const result = await p.query(expr, last);
      assert.ok(result.length > 0, `no data for the dashboard query ${expr}`);
      if (labelValues) assert.ok(result.some((r) => r.metric[labelValues[2]!] === NAME), `${q} does not list ${NAME}`);
    }

    // promtool on the scrape config and on the exposition itself.
    const promCfg = path.join(dir, 'prometheus.yml');
    writeFileSync(promCfg, JSON.stringify({ scrape_configs: [{ job_name: NAME, metrics_path: '/metrics', static_configs: [{ targets: [`127.0.0.1:${port}`] }] }] }));
    const cfg = spawnSync(PROMTOOL, ['check', 'config', promCfg], { encoding: 'utf8' });
    assert.equal(cfg.status, 0, cfg.stdout + cfg.stderr);
    const lint = spawnSync(PROMTOOL, ['check', 'metrics'], { input: await scrapeText(port), encoding: 'utf8' });
    assert.equal(lint.status, 0, `promtool check metrics:\n${lint.stdout}${lint.stderr}`);
    assert.equal(`${lint.stdout}${lint.stderr}`.trim(), '', `promtool check metrics found problems:\n${lint.stdout}${lint.stderr}`);

    // Scrape cost, for the report: Prometheus's own measure and 20 direct scrapes.
    const scrapeDuration = num((await p.query(`scrape_duration_seconds{job="${NAME}"}`))[0]?.value);
    const direct20: number[] = [];
    for (let i = 0; i < 20; i++) direct20.push((await timed(() => scrapeText(port))).seconds);
    direct20.sort((a, b) => a - b);
    const health20: number[] = [];
    for (let i = 0; i < 20; i++) health20.push((await timed(() => scrapeText(port, '/healthz'))).seconds);
    health20.sort((a, b) => a - b);
    t.diagnostic(
      `scrape_duration_seconds ${(scrapeDuration * 1000).toFixed(2)} ms; direct GET /metrics median ${(direct20[10]! * 1000).toFixed(2)} ms (max ${(direct20[19]! * 1000).toFixed(2)} ms, ${(await scrapeText(port)).length} bytes); GET /healthz median ${(health20[10]! * 1000).toFixed(2)} ms`,
    );

    // The standard-library exporter in the same image: the same modeldock_* numbers for the same traffic.
    const stdlibName = `${PREFIX}-${NAME}-stdlib`;
    containers.push(stdlibName);
    const stdlibPort = port + 1000;
    const ran = await exec('docker', ['run', '-d', '--name', stdlibName, '--label', 'modeldock.test=1', '-p', `127.0.0.1:${stdlibPort}:8080`, '-e', 'MODELDOCK_METRICS_EXPORTER=stdlib', '-v', `${path.join(dir, 'models')}:/models:ro`, TAG], { timeoutMs: 60_000 });
    assert.equal(ran.code, 0, ran.stderr);
    await pollFor('the stdlib container to answer', async () => (await fetch(`http://127.0.0.1:${stdlibPort}/healthz`, { signal: AbortSignal.timeout(2000) })).ok, 60_000, 250);
    const mainBefore = parsePrometheusText(await scrapeText(port));
    const stdlibBefore = parsePrometheusText(await scrapeText(stdlibPort));
    for (const target of [port, stdlibPort]) {
      for (let i = 0; i < 6; i++) await postStatus(target, { inputs: trained.reference.inputs });
      await postStatus(target, { inputs: [[1]] });
    }
    const delta = (before: Scrape, afterScrape: Scrape, status: string) => one(afterScrape, M.requests, { route: '/predict', status }) - (before.samples.find((x) => x.name === M.requests && x.labels.route === '/predict' && x.labels.status === status)?.value ?? 0);
    const mainAfter = parsePrometheusText(await scrapeText(port));
    const stdlibAfter = parsePrometheusText(await scrapeText(stdlibPort));
    assert.equal(delta(mainBefore, mainAfter, '200'), 6);
    assert.equal(delta(stdlibBefore, stdlibAfter, '200'), 6);
    assert.equal(delta(stdlibBefore, stdlibAfter, '500'), 1);
    const names = (s: Scrape) => [...new Set(s.samples.map((x) => x.name).filter((n) => n.startsWith('modeldock_')))].sort();
    assert.deepEqual(names(stdlibAfter), names(mainAfter), 'both exporters export the same modeldock_* metrics');
    assert.ok(mainAfter.samples.some((x) => x.name === 'process_resident_memory_bytes'), 'prometheus_client adds its process metrics');
    assert.equal(one(stdlibAfter, M.info, {}), 1);
    assert.deepEqual(Object.keys(stdlibAfter.samples.find((x) => x.name === M.info)!.labels).sort(), ['framework', 'image', 'version']);
    assert.equal(stdlibAfter.samples.find((x) => x.name === M.info)!.labels.version, '1.9.1');
    assert.equal(mainAfter.samples.find((x) => x.name === M.info)!.labels.image, `${NAME}:0.1.0`);
  });

  test("the project's own Flask app through the generated wrapper: Flask's route, /metrics, model load time", async (t) => {
    if (!docker || !prom || !env) return t.skip(docker ? 'prometheus is not installed' : SKIP_NO_DOCKER);
    const trained = await trainProject(env, path.join(FIXTURES, 'sklearn-flask'));
    cleanups.push(trained.cleanup);
    const report = (await scaffold(trained.dir, [])) as unknown as { metrics: { path: string } | null; notes: string[] };
    assert.equal(report.metrics?.path, '/metrics');
    assert.ok(report.notes.some((n) => /modeldock_app\.py, which wraps the app object of app\.py/.test(n)), report.notes.join('\n'));
    const dockerfile = readFileSync(path.join(trained.dir, 'Dockerfile'), 'utf8');
    assert.match(dockerfile, /CMD \["flask","--app","modeldock_app","run"/);
    images.push(FLASK_TAG);
    await buildImage(env, trained.dir, FLASK_TAG);
    const running = await runLikeCompose(trained.dir, FLASK_TAG, `${PREFIX}-flask-monitoring`);
    containers.push(running.name);
    for (let i = 0; i < 4; i++) await postJson(running.port, '/predict', { instances: trained.reference.inputs });
    // The WSGI wrapper records a request when the server closes its body, which the server may do
    // just after the client has read the whole answer: wait for the 4th, never accept a 5th.
    const s = await pollFor(
      'all 4 POST /predict recorded',
      async () => {
        const scrape = parsePrometheusText(await scrapeText(running.port));
        return one(scrape, M.requests, { route: '/predict', method: 'POST', status: '200' }) >= 4 ? scrape : undefined;
      },
      10_000,
      100,
    );
    assert.equal(one(s, M.requests, { route: '/predict', method: 'POST', status: '200' }), 4);
    assert.ok(one(s, M.requests, { route: '/healthz', method: 'GET', status: '200' }) >= 1, 'the HEALTHCHECK is counted under its Flask route');
    assert.ok(one(s, M.modelLoad, {}) > 0, 'the import of app.py (which loads the model) is timed');
    assert.equal(one(s, M.info, { framework: 'scikit-learn' }), 1);
    // The app itself is unchanged: its file is byte-identical to the fixture's.
    assert.equal(readFileSync(path.join(trained.dir, 'app.py'), 'utf8'), readFileSync(path.join(FIXTURES, 'sklearn-flask', 'app.py'), 'utf8'));
  });
});
