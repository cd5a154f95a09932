#!/usr/bin/env node
// Detection benchmark on a synthetic 100,000-file monorepo. Prints figures only: timings depend on
// the machine, so nothing here asserts on them.
//  - as the user runs it: whole processes, alternating runs, `node dist/cli.js detect TREE --json`
//    against `rg --files TREE` (both started from nothing, output discarded), plus
//    `node dist/cli.js --help` against `node -e 0`, with each process's peak RSS;
//  - the editor path, separately: detect inside an already-started Node (the extension host's
//    situation), its peak RSS, and an incremental re-detect after one requirements file changes.
//   node scripts/bench/detect.mjs            (or through `npm run bench`, which imports run())
// dist/cli.js must be built (`node scripts/build.mjs --production`); it is built when missing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TMP = join(REPO, '.bench-tmp');
const TREE = join(TMP, 'detect-monorepo');
const BUNDLE = join(TMP, 'detect-bundle.cjs');
const TOTAL_FILES = 100_000;
// Bump when the generator changes, so a cached tree of an older shape is rebuilt.
const TREE_VERSION = '2';
const RG = '/usr/bin/rg';
const GNU_TIME = '/usr/bin/time';
const CLI = join(REPO, 'dist', 'cli.js');
const RUNS = 3;
// Whole-process timings alternate between the commands, so drift on a shared machine hits all.
const PROCESS_RUNS = 7;

/** Deterministic pseudo-random numbers: the same tree on every machine. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function generate(log) {
  const marker = join(TREE, '.complete');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === `${TREE_VERSION}:${TOTAL_FILES}`) return false;
  log(`generating ${TOTAL_FILES.toLocaleString('en')} files under ${TREE} (once; cached)...`);
  rmSync(TREE, { recursive: true, force: true });
  let count = 0;
  const made = new Set();
  const write = (rel, content) => {
    const abs = join(TREE, rel);
    const dir = dirname(abs);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    writeFileSync(abs, content);
    count++;
  };
  const rand = rng(42);

  write('.gitignore', 'node_modules/\n.venv/\nbuild/\n*.log\n');
  write('README.md', '# monorepo\n');
  write('requirements.txt', '--extra-index-url https://download.pytorch.org/whl/cu121\ntorch==2.3.1+cu121\n-r requirements-dev.txt\n');
  write('requirements-dev.txt', 'pytest>=8\nruff\n');
  write('.python-version', '3.11\n');

  // node_modules: ignored by .gitignore (rg skips it too) and by name (detect never enters it).
  for (let p = 0; count < 25_000; p++) {
    for (let d = 0; d < 5; d++) for (let f = 0; f < 10; f++) write(`node_modules/pkg-${p}/lib/d${d}/f${f}.js`, 'module.exports = 1;\n');
  }
  // A virtualenv, recognised by its pyvenv.cfg (and hidden, which rg skips as well).
  write('.venv/pyvenv.cfg', 'home = /usr/bin\nversion = 3.11.9\n');
  for (let p = 0; count < 40_000; p++) {
    for (let f = 0; f < 25; f++) write(`.venv/lib/python3.11/site-packages/mod${p}/m${f}.py`, 'import os\n');
  }

  // Services: deep trees, a few dependency files, Python sources, ignored build output.
  const services = 24;
  for (let s = 0; s < services; s++) {
    const svc = `services/svc-${String(s).padStart(2, '0')}`;
    if (s % 3 === 0) write(`${svc}/requirements.txt`, `scikit-learn==1.5.${s % 3}\nnumpy>=1.26\nfastapi\n`);
    if (s % 3 === 1) write(`${svc}/pyproject.toml`, `[project]\nname = "svc${s}"\nrequires-python = ">=3.10"\ndependencies = ["transformers>=4.40", "torch==2.3.1"]\n`);
    if (s % 3 === 2) write(`${svc}/package.json`, '{"name": "web"}\n');
    write(`${svc}/app.py`, 'from fastapi import FastAPI\nimport torch\napp = FastAPI()\n');
    write(`${svc}/build/out.log`, 'ignored\n');
  }
  // Folders hold ~20 files on average, some chains eight levels deep (typical source trees).
  const dirsPerService = 120;
  const serviceDirs = [];
  for (let s = 0; s < services; s++) {
    const dirs = [];
    for (let k = 0; k < dirsPerService; k++) {
      const depth = 1 + Math.floor(rand() * 8);
      const parts = [];
      for (let d = 0; d < depth; d++) parts.push(`m${Math.floor(rand() * 3)}`);
      dirs.push(parts.join('/'));
    }
    serviceDirs.push(dirs);
  }
  const exts = ['.py', '.ts', '.json', '.md', '.txt', '.csv', '.yaml'];
  let n = 0;
  while (count < TOTAL_FILES - 1) {
    const s = n % services;
    const dir = serviceDirs[s][Math.floor(rand() * dirsPerService)];
    const ext = exts[Math.floor(rand() * exts.length)];
    const body = ext === '.py' ? (rand() < 0.3 ? 'import numpy as np\nimport torch\n' : 'import os\n\ndef f():\n    return 1\n') : 'x\n';
    write(`services/svc-${String(s).padStart(2, '0')}/src/${dir}/f${n}${ext}`, body);
    n++;
  }
  writeFileSync(marker, `${TREE_VERSION}:${TOTAL_FILES}`);
  count++;
  log(`generated ${count.toLocaleString('en')} files`);
  return true;
}

async function bundle() {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [join(REPO, 'src/core/detect/index.ts')],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
  });
}

function ensureCli(log) {
  if (existsSync(CLI)) return;
  log('dist/cli.js is missing: building it (node scripts/build.mjs --production)...');
  const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'build.mjs'), '--production'], { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('build failed');
}

/** One run of a whole process: wall time measured here, peak RSS from GNU time when present. */
function runProcess(argv) {
  const timed = existsSync(GNU_TIME);
  const t0 = performance.now();
  const r = spawnSync(timed ? GNU_TIME : argv[0], timed ? ['-f', '%M %U %S', ...argv] : argv.slice(1), {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  const [rss, user, sys] = timed ? r.stderr.trim().split('\n').pop().split(' ').map(Number) : [NaN, NaN, NaN];
  // CPU time (user + system, all threads) says more than wall time on a busy, shared machine.
  return { ms, rssKb: rss, cpuMs: (user + sys) * 1000 };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Runs every command PROCESS_RUNS times, interleaved (rotating which goes first), after a warm-up. */
function timeProcesses(commands) {
  const results = Object.fromEntries(Object.keys(commands).map((k) => [k, { ms: [], rssKb: [], cpuMs: [] }]));
  const keys = Object.keys(commands);
  for (const k of keys) runProcess(commands[k]); // warm the page cache and the binaries
  for (let i = 0; i < PROCESS_RUNS; i++) {
    for (let j = 0; j < keys.length; j++) {
      const k = keys[(i + j) % keys.length];
      const r = runProcess(commands[k]);
      results[k].ms.push(r.ms);
      results[k].rssKb.push(r.rssKb);
      results[k].cpuMs.push(r.cpuMs);
    }
  }
  return Object.fromEntries(
    keys.map((k) => [k, { median: median(results[k].ms), min: Math.min(...results[k].ms), cpu: median(results[k].cpuMs), rssMb: Math.max(...results[k].rssKb) / 1024 }]),
  );
}

// Runs in a fresh node: its maxRSS is detect's own peak, not the benchmark's.
const CHILD = `
const { detectProject, createDetector } = require(${JSON.stringify(BUNDLE)});
const { writeFileSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
(async () => {
  const tree = ${JSON.stringify(TREE)};
  const opts = { fileBudget: 1000000 };
  let best = Infinity, result, bestDefault = Infinity;
  for (let i = 0; i < ${RUNS}; i++) {
    let t0 = performance.now();
    result = await detectProject(tree, opts);
    best = Math.min(best, performance.now() - t0);
    t0 = performance.now();
    await detectProject(tree);
    bestDefault = Math.min(bestDefault, performance.now() - t0);
  }
  const det = createDetector(tree, opts);
  await det.detect();
  const rel = 'services/svc-00/requirements.txt';
  const abs = join(tree, rel);
  const original = readFileSync(abs, 'utf8');
  let incBest = Infinity, inc;
  try {
    for (let i = 0; i < ${RUNS}; i++) {
      writeFileSync(abs, original + '# touched ' + i + '\\n');
      const t0 = performance.now();
      inc = await det.update([rel]);
      incBest = Math.min(incBest, performance.now() - t0);
    }
  } finally {
    writeFileSync(abs, original);
  }
  process.stdout.write(JSON.stringify({
    best, bestDefault, incBest, filesSeen: result.stats.filesSeen, truncated: result.stats.truncated,
    frameworks: result.frameworks.map((f) => f.name + (f.version ? '@' + f.version : '')),
    accelerator: result.accelerator, cuda: result.cuda, warnings: result.warnings.length,
    incFrameworks: inc.frameworks.length,
    maxRssKb: process.resourceUsage().maxRSS,
  }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

function timeDetect() {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['-e', CHILD], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`detect child failed: ${r.stderr}`);
  return { ...JSON.parse(r.stdout), childWallMs: wall };
}

export async function run({ log = console.log } = {}) {
  generate(log);
  ensureCli(log);
  await bundle();
  const fmt = (ms) => `${ms.toFixed(1)} ms`;
  const n0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : 'n/a');
  const node = process.execPath;
  const commands = {
    detect: [node, CLI, 'detect', TREE, '--json'],
    detectFull: [node, CLI, 'detect', TREE, '--json', '--file-budget', '1000000'],
    help: [node, CLI, '--help'],
    node0: [node, '-e', '0'],
  };
  const haveRg = existsSync(RG);
  if (haveRg) commands.rg = [RG, '--files', TREE];
  const p = timeProcesses(commands);
  const split = existsSync(join(REPO, 'dist', 'cli', 'detect.js'));
  const size = (f) => (existsSync(f) ? `${(statSync(f).size / 1024).toFixed(1)} KiB` : 'absent');
  log(`detect benchmark: ${TOTAL_FILES.toLocaleString('en')}-file monorepo`);
  log(`whole processes (wall median / best of ${PROCESS_RUNS} alternating runs; CPU median, user+sys of all threads; peak RSS):`);
  log(`  dist/cli.js ${size(CLI)}; detect chunk dist/cli/detect.js ${size(join(REPO, 'dist', 'cli', 'detect.js'))}${split ? '' : ' (CLI not split: every subcommand loads the whole bundle)'}`);
  if (haveRg) log(`  rg --files TREE:                         ${fmt(p.rg.median)} / ${fmt(p.rg.min)}   cpu ${n0(p.rg.cpu)} ms   ${p.rg.rssMb.toFixed(1)} MB`);
  else log(`  rg --files: ${RG} not found (apt-get install ripgrep): no baseline`);
  log(`  node dist/cli.js detect TREE --json:     ${fmt(p.detect.median)} / ${fmt(p.detect.min)}   cpu ${n0(p.detect.cpu)} ms   ${p.detect.rssMb.toFixed(1)} MB  (default budget: 20,000 files)`);
  log(`    ... --file-budget 1000000:             ${fmt(p.detectFull.median)} / ${fmt(p.detectFull.min)}   cpu ${n0(p.detectFull.cpu)} ms   ${p.detectFull.rssMb.toFixed(1)} MB  (the whole tree, as rg)`);
  if (haveRg) {
    log(`  ratio detect/rg:                         ${(p.detect.median / p.rg.median).toFixed(2)}x wall (target <= 1.5x); whole tree ${(p.detectFull.median / p.rg.median).toFixed(2)}x; CPU ${(p.detect.cpu / p.rg.cpu).toFixed(2)}x`);
  }
  log(`  node dist/cli.js --help:                 ${fmt(p.help.median)} / ${fmt(p.help.min)}   cpu ${n0(p.help.cpu)} ms   ${p.help.rssMb.toFixed(1)} MB`);
  log(`  node -e 0:                               ${fmt(p.node0.median)} / ${fmt(p.node0.min)}   cpu ${n0(p.node0.cpu)} ms   ${p.node0.rssMb.toFixed(1)} MB`);
  log(`  --help over node -e 0:                   +${(p.help.median - p.node0.median).toFixed(1)} ms`);

  const d = timeDetect();
  log(`in-process (the editor path: Node already started; best of ${RUNS}):`);
  log(`  detect, whole tree:   ${fmt(d.best)} (${d.filesSeen.toLocaleString('en')} files seen)${haveRg ? `; ${(d.best / p.rg.median).toFixed(2)}x rg as a process` : ''}`);
  log(`  detect, default budget: ${fmt(d.bestDefault)}`);
  log(`  peak RSS:             ${(d.maxRssKb / 1024).toFixed(1)} MB (target < 150 MB; ${RUNS * 2 + 1 + RUNS} runs in one process)`);
  log(`  incremental update:   ${fmt(d.incBest)} after one requirements file changed (target < 20 ms)`);
  log(`  result:               ${d.frameworks.join(', ')}; ${d.accelerator}${d.cuda ? ` cuda ${d.cuda}` : ''}; ${d.warnings} warning(s)${d.truncated ? '; TRUNCATED' : ''}`);
  return {
    name: 'detect',
    rgMs: haveRg ? p.rg.median : null,
    cliDetectMs: p.detect.median,
    cliDetectFullMs: p.detectFull.median,
    ratio: haveRg ? p.detect.median / p.rg.median : null,
    cpuRatio: haveRg ? p.detect.cpu / p.rg.cpu : null,
    ratioFullTree: haveRg ? p.detectFull.median / p.rg.median : null,
    cliPeakRssMb: p.detect.rssMb,
    cliFullPeakRssMb: p.detectFull.rssMb,
    helpMs: p.help.median,
    nodeStartMs: p.node0.median,
    inProcessMs: d.best,
    inProcessDefaultBudgetMs: d.bestDefault,
    inProcessPeakRssMb: d.maxRssKb / 1024,
    incrementalMs: d.incBest,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
