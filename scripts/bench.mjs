#!/usr/bin/env node
// `npm run bench`: each benchmark measures ModelDock and a peer in the same run and prints the
// ratio. Benchmarks are not tests: they print figures, they do not pass or fail on time.
//   npm run bench [-- detect lint docker kube]
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(repo, 'scripts', 'bench');
const wanted = process.argv.slice(2);
const available = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.mjs')).map((f) => f.replace(/\.mjs$/, '')).sort() : [];
const names = wanted.length ? wanted : available;
const unknown = names.filter((n) => !available.includes(n));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}
mkdirSync(join(repo, 'bench-results'), { recursive: true });
const all = {};
for (const name of names) {
  console.log(`\n=== bench: ${name} ===`);
  const mod = await import(pathToFileURL(join(dir, `${name}.mjs`)).href);
  const started = Date.now();
  const figures = await mod.run({ log: (s) => console.log(s) });
  all[name] = { ...(figures ?? {}), seconds: (Date.now() - started) / 1000 };
}
writeFileSync(join(repo, 'bench-results', 'latest.json'), JSON.stringify(all, null, 2));
console.log(`\nfigures written to bench-results/latest.json`);
