#!/usr/bin/env node
/* global AbortSignal, setInterval, clearInterval, performance */
// Metrics overhead benchmark: the generated scikit-learn server (serve.py) as a whole process on
// the host's python3, driven at its own throughput by wrk (POST /predict, 4 connections), with
// (1) no metrics (--metrics none), (2) metrics through prometheus_client (the default) and (3) the
// standard-library exporter — the metrics variants scraped every second meanwhile, 15-60 times
// more often than Prometheus would. Rounds alternate the variants (A B C A B C …) so a busy
// machine slows them alike; with two or more CPUs the server and wrk are pinned to different ones
// (taskset). Medians and the best round (on a shared machine noise only ever slows a round down)
// are printed with their ratios, and the bookkeeping a request costs (metrics.begin() + end())
// is timed on its own. Figures only, no verdicts.
//   npm run bench -- metrics          (needs python3, wrk and the test wheelhouse: PyPI once)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureWheelhouse } from '../lib/wheelhouse.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TMP = join(REPO, '.bench-tmp', 'metrics');
const SITE = join(TMP, 'site-packages');
const PYTHON = process.env.MODELDOCK_BENCH_PYTHON ?? 'python3';
const ROUNDS = Number(process.env.MODELDOCK_BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.MODELDOCK_BENCH_SECONDS ?? 6);
const PIN = !spawnSync('taskset', ['--version']).error && (await import('node:os')).availableParallelism() >= 2;
const pinned = (cpu, cmd, args) => (PIN ? ['taskset', ['-c', String(cpu), cmd, ...args]] : [cmd, args]);
const PACKAGES = ['scikit-learn==1.9.1', 'joblib==1.6.0', 'prometheus-client==0.26.0'];

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.error?.message}):\n${(r.stdout ?? '') + (r.stderr ?? '')}`.slice(-4000));
  return r.stdout;
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

async function waitFor(url, child, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode})`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Python packages from the test wheelhouse into .bench-tmp (once); the trained iris model. */
async function prepare(log) {
  const marker = join(SITE, '.complete');
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== PACKAGES.join(' ')) {
    const wheelhouse = await ensureWheelhouse({ log });
    log(`installing ${PACKAGES.join(' ')} from the wheelhouse into ${SITE} (once)…`);
    rmSync(SITE, { recursive: true, force: true });
    sh(PYTHON, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-index', '--find-links', wheelhouse.dir, '--target', SITE, ...PACKAGES]);
    writeFileSync(marker, PACKAGES.join(' '));
  }
  const project = join(TMP, 'project');
  rmSync(project, { recursive: true, force: true });
  cpSync(join(REPO, 'test', 'fixtures', 'monitoring', 'sklearn-serve'), project, { recursive: true });
  const reference = JSON.parse(sh(PYTHON, ['train.py'], { cwd: project, env: { ...process.env, PYTHONPATH: SITE } }).trim().split('\n').pop());
  return { project, reference };
}

/** The generated server of one variant: `modeldock scaffold --create-entrypoint --metrics …` into its own folder. */
function scaffold(project, metrics) {
  const dir = join(TMP, `serve-${metrics}`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(project, dir, { recursive: true });
  sh(process.execPath, ['--import', 'tsx', join(REPO, 'src', 'cli.ts'), 'scaffold', dir, '--target', 'cpu', '--create-entrypoint', '--metrics', metrics, '--json'], { cwd: REPO });
  return dir;
}

function parseWrk(text) {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
  const unit = (v, u) => Number(v) * ({ us: 1e-3, ms: 1, s: 1000 }[u] ?? NaN);
  const pct = (p) => {
    const m = new RegExp(`\\b${p}%\\s+([\\d.]+)(us|ms|s)\\b`).exec(text);
    return m ? unit(m[1], m[2]) : NaN;
  };
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(text)?.[1] ?? 0);
  const errors = /Socket errors:.*/.exec(text)?.[0] ?? '';
  return { rps, p50: pct(50), p99: pct(99), non2xx, errors };
}

/** One measured round: the server of `variant` under wrk, scraped every second when it has metrics. */
async function round(variant, log) {
  const port = await freePort();
  const env = { ...process.env, PYTHONPATH: SITE, PORT: String(port), MODEL_PATH: join(variant.dir, 'models', 'model.joblib'), ...variant.env };
  const child = spawn(...pinned(0, PYTHON, ['serve.py']), { cwd: variant.dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  try {
    await waitFor(`http://127.0.0.1:${port}/healthz`, child);
    let scrapes = 0;
    let scrapeMs = 0;
    const timer = variant.scrape
      ? setInterval(async () => {
          const t0 = performance.now();
          const res = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => null);
          if (res?.ok) {
            await res.text();
            scrapes++;
            scrapeMs += performance.now() - t0;
          }
        }, 1000)
      : null;
    const lua = join(TMP, 'post.lua');
    const wrk = await new Promise((res) => {
      const p = spawn(...pinned(1, 'wrk', ['-t1', '-c4', `-d${SECONDS}s`, '--latency', '-s', lua, `http://127.0.0.1:${port}/predict`]), { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (out += d));
      p.on('exit', () => res(out));
    });
    clearInterval(timer);
    const r = parseWrk(wrk);
    if (!(r.rps > 0)) throw new Error(`wrk gave no figures:\n${wrk}\nserver:\n${stderr}`);
    if (r.non2xx) log(`  warning: ${r.non2xx} answers were not 2xx (${variant.name})`);
    return { ...r, scrapes, scrapeMs: scrapes ? scrapeMs / scrapes : null };
  } finally {
    child.kill('SIGTERM');
  }
}

/** Microseconds one request's bookkeeping costs (begin() + end()), per exporter, in-process. */
function bookkeeping(dir) {
  const code = [
    'import os, sys, timeit',
    'import modeldock_metrics as m',
    'def one():',
    '    t = m.begin()',
    '    m.end("/predict", "POST", 200, t)',
    'n = 200000',
    'best = min(timeit.repeat(one, number=n, repeat=5)) / n',
    't0 = timeit.default_timer(); body = m.render(); scrape = timeit.default_timer() - t0',
    'print(m.EXPORTER_NAME, best * 1e6, scrape * 1e3, len(body))',
  ].join('\n');
  const out = {};
  for (const exporter of ['prometheus_client', 'stdlib']) {
    const [name, us, ms, bytes] = sh(PYTHON, ['-c', code], { cwd: dir, env: { ...process.env, PYTHONPATH: SITE, MODELDOCK_METRICS_EXPORTER: exporter === 'stdlib' ? 'stdlib' : '' } }).trim().split(' ');
    out[name] = { perRequestUs: Number(us), renderMs: Number(ms), bytes: Number(bytes) };
  }
  return out;
}

const median = (xs) => {
  const s = [...xs].filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};

async function measure(log) {
  if (spawnSync('wrk', ['--version']).error) throw new Error('wrk is not installed: apt-get install -y wrk');
  mkdirSync(TMP, { recursive: true });
  const { project, reference } = await prepare(log);
  writeFileSync(join(TMP, 'post.lua'), `wrk.method = "POST"\nwrk.body = '${JSON.stringify({ inputs: [reference.inputs[0]] })}'\nwrk.headers["Content-Type"] = "application/json"\n`);
  const variants = [
    { name: 'no metrics (--metrics none)', dir: scaffold(project, 'none'), env: {}, scrape: false },
    { name: 'prometheus_client (default)', dir: scaffold(project, 'prometheus-client'), env: {}, scrape: true },
    { name: 'standard-library exporter', dir: scaffold(project, 'prometheus-client'), env: { MODELDOCK_METRICS_EXPORTER: 'stdlib' }, scrape: true },
  ];
  const results = variants.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < variants.length; i++) {
      const res = await round(variants[i], log);
      results[i].push(res);
      log(`  round ${r + 1} ${variants[i].name.padEnd(30)} ${res.rps.toFixed(0).padStart(6)} req/s  p50 ${res.p50.toFixed(2)} ms  p99 ${res.p99.toFixed(2)} ms${res.scrapes ? `  (${res.scrapes} scrapes, ${res.scrapeMs.toFixed(1)} ms each)` : ''}`);
    }
  }
  const base = median(results[0].map((x) => x.rps));
  const baseBest = Math.max(...results[0].map((x) => x.rps));
  const figures = { pinned: PIN, variants: {} };
  log(`\nPOST /predict, ${ROUNDS} rounds × ${SECONDS} s per variant${PIN ? ' (server on CPU 0, wrk on CPU 1)' : ''}:`);
  variants.forEach((v, i) => {
    const rps = median(results[i].map((x) => x.rps));
    const best = Math.max(...results[i].map((x) => x.rps));
    const p50 = median(results[i].map((x) => x.p50));
    const p99 = median(results[i].map((x) => x.p99));
    const scrapeMs = median(results[i].map((x) => x.scrapeMs ?? NaN));
    // Each round's ratio to the no-metrics run just before it: neighbours share the machine's mood.
    const paired = median(results[i].map((x, r) => x.rps / results[0][r].rps));
    log(
      `  ${v.name.padEnd(30)} median ${rps.toFixed(0).padStart(5)} req/s  best ${best.toFixed(0).padStart(5)} req/s (ratio ${(best / baseBest).toFixed(3)})  paired ratio ${paired.toFixed(3)}  p50 ${p50.toFixed(2)} ms  p99 ${p99.toFixed(2)} ms${Number.isFinite(scrapeMs) ? `  scrape under load ${scrapeMs.toFixed(1)} ms` : ''}`,
    );
    figures.variants[v.name] = { rps, best, ratio: rps / base, bestRatio: best / baseBest, pairedRatio: paired, p50Ms: p50, p99Ms: p99, ...(Number.isFinite(scrapeMs) ? { scrapeMs } : {}), rounds: results[i].map((x) => x.rps) };
  });
  const book = bookkeeping(variants[1].dir);
  const serviceUs = 1e6 / baseBest;
  log(`\nBookkeeping per request, in-process (best of 5 × 200,000), against ${serviceUs.toFixed(0)} µs per request at the best throughput without metrics:`);
  for (const [name, b] of Object.entries(book)) {
    log(`  ${name.padEnd(18)} ${b.perRequestUs.toFixed(2)} µs per request (${((b.perRequestUs / serviceUs) * 100).toFixed(2)} %); render ${b.renderMs.toFixed(2)} ms for ${b.bytes} bytes`);
  }
  figures.bookkeeping = book;
  return figures;
}

export async function run({ log = console.log } = {}) {
  return measure(log);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  run().catch((err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
