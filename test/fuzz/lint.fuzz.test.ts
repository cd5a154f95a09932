// The lint fuzz tier (run by test/fuzz/run.mjs): a fixed seed, a bounded number of cases, and
// what must hold for each — no crash, no case over 1 s, every range inside the document, findings
// in source order, messages capped, quick fixes that add no error — plus a flat heap, and the
// issue's table of inputs that used to freeze the editor, each under its ceiling.
//   FUZZ_SEED=<n> FUZZ_CASES=<n>   another seed / more cases (defaults: 0x5eed, 12,000)
//   FUZZ_ONLY=<i>                  run case i alone (each case has its own generator, seeded by seed and i)
//   FUZZ_DUMP=<dir>                write the input of every failing case to <dir>/case-<i>.yaml
//
// Times are CPU time of this process (user + system), not wall-clock: the tier must give the same
// verdict on a busy CI machine as on an idle one.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from '../../src/core/lint';
import type { Finding } from '../../src/core/lint';
import { baseDocuments, generated, mutate, pick, prng, tableInputs } from './corpus';
import { findingProblems, fixProblems } from './invariants';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);
const CASES = Number(process.env.FUZZ_CASES ?? 12_000);
const ONLY = process.env.FUZZ_ONLY !== undefined ? Number(process.env.FUZZ_ONLY) : undefined;
const DUMP = process.env.FUZZ_DUMP;
const CASE_CEILING_MS = 1000;
const MAX_REPORTED = 20;

const gc = (globalThis as { gc?: () => void }).gc;
/** CPU milliseconds (user + system) this process spent in `fn`. */
function cpuMs<T>(fn: () => T): { value: T; ms: number } {
  const c0 = process.cpuUsage();
  const value = fn();
  const c = process.cpuUsage(c0);
  return { value, ms: (c.user + c.system) / 1000 };
}

const heapNow = (): number => {
  gc?.();
  return process.memoryUsage().heapUsed;
};

describe('lint fuzz tier', () => {
  const linter = createLinter();

  test('the issue table: every input lints under its ceiling, with valid positions', () => {
    for (const t of tableInputs()) {
      const wall0 = performance.now();
      const { value: findings, ms } = cpuMs(() => linter.lintYaml(t.text, t.file));
      console.log(`table: ${t.name}: ${ms.toFixed(0)} ms CPU (${(performance.now() - wall0).toFixed(0)} ms wall), ${findings.length} finding(s)`);
      assert.ok(ms < t.ceilingMs, `${t.name} took ${ms.toFixed(0)} ms (ceiling ${t.ceilingMs} ms)`);
      assert.deepEqual(findingProblems(t.text, findings), [], t.name);
    }
  });

  test(`${CASES} seeded cases (seed ${SEED}): no crash, none over 1 s, exact ranges, capped messages, safe fixes, flat heap`, { timeout: 20 * 60_000 }, () => {
    const base = baseDocuments();
    const problems: string[] = [];
    let current = '';
    const note = (label: string, p: string): void => {
      if (problems.length < MAX_REPORTED) problems.push(`${label}: ${p}`);
      else problems.push('');
      if (DUMP) {
        mkdirSync(DUMP, { recursive: true });
        writeFileSync(join(DUMP, `case-${label.split(' ')[1]}.yaml`), current);
      }
    };
    let crashes = 0;
    let slow = 0;
    let badRanges = 0;
    let badFixes = 0;
    let fixesChecked = 0;
    let findingsSeen = 0;
    let worst = 0;
    let worstLabel = '';
    let heapBase = 0;
    const started = performance.now();
    for (let i = ONLY ?? 0; i < (ONLY !== undefined ? ONLY + 1 : CASES); i++) {
      if (i === Math.min(1000, Math.floor(CASES / 10)) || (ONLY !== undefined && !heapBase)) heapBase = heapNow();
      const r = prng((Math.imul(SEED, 1_000_003) + i) >>> 0);
      let text = r() < 0.3 ? generated(r) : pick(r, base);
      const rounds = 1 + Math.floor(r() * 4);
      for (let k = 0; k < rounds; k++) text = mutate(r, text);
      const file = r() < 0.15 ? 'compose.yaml' : 'k8s.yaml';
      const label = `case ${i} (seed ${SEED})`;
      current = text;
      let findings: Finding[];
      let ms: number;
      try {
        ({ value: findings, ms } = cpuMs(() => linter.lintYaml(text, file)));
      } catch (err) {
        crashes++;
        note(label, `crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        continue;
      }
      if (ms > worst) {
        worst = ms;
        worstLabel = label;
      }
      if (ms > CASE_CEILING_MS) {
        slow++;
        note(label, `took ${ms.toFixed(0)} ms (${text.length} characters)`);
      }
      findingsSeen += findings.length;
      const bad = findingProblems(text, findings);
      if (bad.length) {
        badRanges += bad.length;
        note(label, bad.slice(0, 3).join('; '));
      }
      // Re-lint after up to two of the case's quick fixes.
      const withFix = findings.filter((f) => f.fix);
      for (let k = 0; k < Math.min(2, withFix.length); k++) {
        const f = pick(r, withFix);
        fixesChecked++;
        const fp = fixProblems(text, f, (t) => linter.lintYaml(t, file), findings);
        if (fp.length) {
          badFixes += fp.length;
          note(label, fp.join('; '));
        }
      }
    }
    const heapGrowth = ONLY !== undefined ? 0 : heapNow() - heapBase;
    const summary = {
      seed: SEED,
      cases: CASES,
      seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      findings: findingsSeen,
      fixesChecked,
      crashes,
      over1s: slow,
      outOfRange: badRanges,
      badFixes,
      slowestMs: Number(worst.toFixed(1)),
      slowestCase: worstLabel,
      heapGrowthMiB: Number((heapGrowth / 2 ** 20).toFixed(1)),
      gcExposed: !!gc,
    };
    console.log(`FUZZ_SUMMARY ${JSON.stringify(summary)}`);
    assert.deepEqual(problems.filter(Boolean), [], `${problems.length} problem(s)`);
    assert.equal(crashes + slow + badRanges + badFixes, 0);
    // Flat: what is left after a full GC does not grow with the number of cases.
    if (gc) assert.ok(heapGrowth < 32 * 2 ** 20, `heap grew ${(heapGrowth / 2 ** 20).toFixed(1)} MiB over ${CASES} cases`);
  });
});
