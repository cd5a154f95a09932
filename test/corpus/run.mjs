#!/usr/bin/env node
// The corpus tier: `node test/corpus/run.mjs` (npm run test:corpus). Builds kubeconform once per
// machine when missing (Go toolchain + Go module proxy; see scripts/lib/kubeconform.mjs), then runs
// every *.test.ts here with node's test runner.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureKubeconform } from '../../scripts/lib/kubeconform.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const bin = ensureKubeconform();
const files = readdirSync(here)
  .filter((f) => f.endsWith('.test.ts'))
  .sort()
  .map((f) => relative(process.cwd(), join(here, f)));
const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files], {
  stdio: 'inherit',
  env: { ...process.env, MODELDOCK_KUBECONFORM: bin },
});
process.exit(res.status ?? 1);
