#!/usr/bin/env node
// `npm test`: sets up what the tests need (Debian packages when root, the Docker engine,
// code-server in the per-machine cache), then runs every tier in order, with the time each took
// and one closing count.
//   static       tsc --noEmit + ESLint
//   unit         node:test over test/unit (core/, pure logic)
//   fuzz         the linter over ≥10,000 generated hostile documents, fixed seed (test/fuzz)
//   corpus       the linter over a few hundred real public manifests, checked against kubeconform (test/corpus)
//   integration  node:test over test/integration (real dockerd, Kubernetes API)
//   dist         what ships: `npm run package`, then the built CLI and the one inside the VSIX
//                through every README example (test/dist)
//   vscode       mocha inside a real VS Code (code-server + Playwright), dev folder and the VSIX
// A tier's real part missing (Docker engine, browser, code-server) fails the run, and so does any
// skipped or pending test, unless MODELDOCK_ALLOW_SKIP=1: then the run passes and says how many
// tests were skipped. MODELDOCK_TIERS=unit,integration limits the tiers (CI runs them all).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCodeServer } from './lib/code-server.mjs';
import { ensureBusybox, ensurePythonBare, ensurePythonSlim } from './lib/base-images.mjs';
import { SetupError, ensureControlPlane, ensureDockerEngine, ensurePackages } from './lib/prereqs.mjs';
import { ensureWheelhouse } from './lib/wheelhouse.mjs';

const all = ['static', 'unit', 'fuzz', 'corpus', 'integration', 'dist', 'vscode'];
const tiers = (process.env.MODELDOCK_TIERS ?? all.join(',')).split(',').map((t) => t.trim()).filter(Boolean);
const allowSkip = process.env.MODELDOCK_ALLOW_SKIP === '1';

function run(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      out += d.toString();
      if (out.length > 2_000_000) out = out.slice(-1_000_000);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

function nodeTestCounts(out) {
  // node's spec reporter closes with "ℹ pass N" / "ℹ fail N" / "ℹ skipped N" / "ℹ todo N".
  const last = (name) => Number([...out.matchAll(new RegExp(`^ℹ ${name} (\\d+)$`, 'gm'))].pop()?.[1] ?? 0);
  return { passed: last('pass'), failed: last('fail'), skipped: last('skipped') + last('todo') };
}

// ---- set-up: everything a fresh machine lacks, before any tier can half-fail on it ----
const setupStarted = Date.now();
const missingParts = [];
try {
  const needsMachine = tiers.some((t) => ['corpus', 'integration', 'dist', 'vscode'].includes(t));
  if (needsMachine) ensurePackages('test');
  if (tiers.includes('integration') || tiers.includes('vscode')) {
    try {
      const engine = await ensureDockerEngine();
      if (engine === 'started') console.log('[setup] Docker engine started');
    } catch (err) {
      if (!allowSkip || !(err instanceof SetupError)) throw err;
      missingParts.push(`Docker engine (${err.message.split('.')[0]})`);
      process.env.MODELDOCK_NO_DOCKER = '1';
    }
  }
  if ((tiers.includes('integration') || tiers.includes('vscode')) && process.env.MODELDOCK_NO_DOCKER !== '1') {
    // No image registry is reachable: local base images (made once, kept in the engine) and a
    // wheelhouse of real PyPI wheels (downloaded once per machine, served on 127.0.0.1 by the tests).
    const log = (m) => console.log(`[setup] ${m}`);
    await ensureBusybox({ log });
    await ensurePythonBare({ log });
    await ensurePythonSlim({ log });
    await ensureWheelhouse({ log });
  }
  // Go builds the control plane and kubeconform once per machine; its usual home may not be on PATH.
  if (!process.env.PATH?.split(':').includes('/usr/local/go/bin') && existsSync('/usr/local/go/bin/go')) process.env.PATH = `/usr/local/go/bin:${process.env.PATH}`;
  if (tiers.includes('integration') || tiers.includes('vscode')) {
    // The Clusters tests' real control plane.
    if (ensureControlPlane() === 'built') console.log('[setup] test control plane built');
  }
  if (tiers.includes('vscode')) ensureCodeServer();
} catch (err) {
  console.error(`\nnpm test cannot start: ${err instanceof SetupError ? err.message : err.stack}`);
  process.exit(1);
}
console.log(`[setup] ready in ${((Date.now() - setupStarted) / 1000).toFixed(1)} s${missingParts.length ? ` (missing, allowed by MODELDOCK_ALLOW_SKIP: ${missingParts.join('; ')})` : ''}`);

const summary = [];
let vsix = null;
for (const tier of tiers) {
  const started = Date.now();
  let r;
  let counts = { passed: 0, failed: 0, skipped: 0 };
  console.log(`\n=== tier: ${tier} ===`);
  if (tier === 'static') {
    const a = await run('npx', ['tsc', '-p', '.', '--noEmit']);
    const b = await run('npx', ['eslint', '.']);
    r = { code: a.code || b.code };
    counts = { passed: (a.code === 0) + (b.code === 0), failed: (a.code !== 0) + (b.code !== 0), skipped: 0 };
  } else if (tier === 'unit' || tier === 'integration') {
    if (!existsSync(`test/${tier}`)) continue;
    r = await run(process.execPath, ['scripts/run-node-tests.mjs', `test/${tier}`]);
    counts = nodeTestCounts(r.out);
  } else if (tier === 'fuzz' || tier === 'corpus') {
    r = await run(process.execPath, [`test/${tier}/run.mjs`]);
    counts = nodeTestCounts(r.out);
  } else if (tier === 'dist') {
    // The production build and the VSIX, exactly as users get them; the VSIX is reused by the
    // installed-extension suite of the vscode tier.
    const p = await run(process.execPath, ['scripts/package.mjs']);
    if (p.code !== 0) r = p;
    else {
      vsix = join(process.cwd(), 'dist-vsix', 'modeldock.vsix');
      const unpacked = mkdtempSync(join(tmpdir(), 'modeldock-vsix-'));
      execFileSync('python3', ['-m', 'zipfile', '-e', vsix, unpacked]);
      r = await run(process.execPath, ['scripts/run-node-tests.mjs', 'test/dist'], {
        MODELDOCK_DIST_CLIS: `built=${join(process.cwd(), 'dist', 'cli.js')},vsix=${join(unpacked, 'extension', 'dist', 'cli.js')}`,
      });
      counts = nodeTestCounts(r.out);
      rmSync(unpacked, { recursive: true, force: true });
    }
  } else if (tier === 'vscode') {
    const b = await run(process.execPath, ['scripts/build.mjs']);
    if (b.code !== 0) r = b;
    else {
      r = await run(process.execPath, ['scripts/run-vscode-tests.mjs', ...(vsix ? ['--vsix', vsix] : [])]);
      const m = /MODELDOCK_TIER (\{.*\})/.exec(r.out);
      if (m) {
        const t = JSON.parse(m[1]);
        counts = { passed: t.passed, failed: t.failed, skipped: t.pending ?? 0 };
      }
      // The README's main command must keep working: start it in check mode, as a test.
      const start = await run(process.execPath, ['scripts/start.mjs', '--check']);
      console.log(`npm start -- --check: ${start.code === 0 ? 'ok' : 'FAILED'}`);
      if (start.code === 0) counts.passed++;
      else {
        counts.failed++;
        r = { ...r, code: r.code || start.code };
      }
    }
  } else {
    console.error(`unknown tier ${tier}`);
    process.exit(2);
  }
  if (r.code !== 0 && counts.failed === 0) counts.failed = 1;
  summary.push({ tier, seconds: (Date.now() - started) / 1000, ...counts, code: r.code });
}

console.log('\n=== summary ===');
for (const s of summary) {
  console.log(`${s.tier.padEnd(12)} ${s.seconds.toFixed(1).padStart(7)} s   ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped${s.code ? '   (FAILED)' : ''}`);
}
const passed = summary.reduce((n, s) => n + s.passed, 0);
const failed = summary.reduce((n, s) => n + s.failed, 0);
const skipped = summary.reduce((n, s) => n + s.skipped, 0);
const failedTiers = summary.filter((s) => s.code !== 0).length;
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (skipped > 0 && !allowSkip) {
  console.log(`FAILED: ${skipped} test(s) skipped or pending: a missing real part must not pass quietly. Fix the set-up, or opt out with MODELDOCK_ALLOW_SKIP=1.`);
  process.exit(1);
}
if (skipped > 0) console.log(`note: ${skipped} test(s) skipped, allowed by MODELDOCK_ALLOW_SKIP=1${missingParts.length ? ` (missing: ${missingParts.join('; ')})` : ''}.`);
process.exit(failedTiers > 0 ? 1 : 0);
