#!/usr/bin/env node
// `npm test`: every tier, in order, with the time each took and one closing count.
//   static       tsc --noEmit + ESLint
//   unit         node:test over test/unit (core/, pure logic)
//   integration  node:test over test/integration (real dockerd, Kubernetes API test server)
//   vscode       mocha inside a real VS Code (code-server + Playwright), dev folder and VSIX
// MODELDOCK_TIERS=unit,integration limits the tiers (CI runs them all).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const all = ['static', 'unit', 'integration', 'vscode'];
const tiers = (process.env.MODELDOCK_TIERS ?? all.join(',')).split(',').map((t) => t.trim()).filter(Boolean);

function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
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
  // node's spec reporter closes with "ℹ pass N" / "ℹ fail N" lines.
  const pass = [...out.matchAll(/^ℹ pass (\d+)$/gm)].pop();
  const fail = [...out.matchAll(/^ℹ fail (\d+)$/gm)].pop();
  const skip = [...out.matchAll(/^ℹ skipped (\d+)$/gm)].pop();
  return { passed: Number(pass?.[1] ?? 0), failed: Number(fail?.[1] ?? 0), skipped: Number(skip?.[1] ?? 0) };
}

const summary = [];
let failedTiers = 0;
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
  } else if (tier === 'vscode') {
    const b = await run(process.execPath, ['scripts/build.mjs']);
    if (b.code !== 0) r = b;
    else {
      r = await run(process.execPath, ['scripts/run-vscode-tests.mjs']);
      const m = /MODELDOCK_TIER (\{.*\})/.exec(r.out);
      if (m) counts = { ...JSON.parse(m[1]), skipped: 0 };
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
  if (r.code !== 0) failedTiers++;
  summary.push({ tier, seconds: (Date.now() - started) / 1000, ...counts, code: r.code });
}

console.log('\n=== summary ===');
for (const s of summary) {
  console.log(`${s.tier.padEnd(12)} ${s.seconds.toFixed(1).padStart(7)} s   ${s.passed} passed, ${s.failed} failed${s.skipped ? `, ${s.skipped} skipped` : ''}${s.code ? '   (FAILED)' : ''}`);
}
const passed = summary.reduce((n, s) => n + s.passed, 0);
const failed = summary.reduce((n, s) => n + s.failed, 0);
const skipped = summary.reduce((n, s) => n + s.skipped, 0);
console.log(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failedTiers > 0 ? 1 : 0);
