#!/usr/bin/env node
// The fuzz tier: `node test/fuzz/run.mjs` (npm run test:fuzz). Runs every *.fuzz.test.ts here with
// node's test runner, a fixed seed and a bounded case count, with the GC exposed so the heap check
// measures what is really retained. FUZZ_SEED / FUZZ_CASES override the defaults.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.fuzz.test.ts'))
  .sort()
  .map((f) => relative(process.cwd(), join(here, f)));
if (!files.length) {
  console.error('no *.fuzz.test.ts in test/fuzz');
  process.exit(1);
}
const res = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files], { stdio: 'inherit', env: process.env });
process.exit(res.status ?? 1);
