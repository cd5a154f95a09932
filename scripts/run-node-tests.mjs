#!/usr/bin/env node
// Runs every *.test.ts under the given folders with node's own test runner (TypeScript via tsx).
// Usage: node scripts/run-node-tests.mjs test/unit [more folders or files] [--grep PATTERN]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const args = process.argv.slice(2);
const grepAt = args.indexOf('--grep');
const grep = grepAt >= 0 ? args.splice(grepAt, 2)[1] : undefined;
const roots = args.length ? args : ['test/unit'];

function collect(p, out) {
  const st = statSync(p);
  if (st.isFile()) {
    if (p.endsWith('.test.ts')) out.push(p);
    return;
  }
  for (const name of readdirSync(p).sort()) {
    if (name === 'fixtures' || name === 'node_modules') continue;
    collect(join(p, name), out);
  }
}

const files = [];
for (const r of roots) collect(r, files);
if (files.length === 0) {
  console.error(`no *.test.ts files under ${roots.join(', ')}`);
  process.exit(1);
}
const nodeArgs = ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1'];
if (grep) nodeArgs.push('--test-name-pattern', grep);
nodeArgs.push(...files.map((f) => relative(process.cwd(), f)));
const res = spawnSync(process.execPath, nodeArgs, { stdio: 'inherit', env: process.env });
process.exit(res.status ?? 1);
