#!/usr/bin/env node
// Clusters view benchmark against the in-repo Kubernetes API test server (real HTTPS, list+watch),
// driving ModelDock's tree model outside VS Code. The body is test/kube-server/bench.ts, run in a
// child process under tsx so its heap figures are not mixed with other benchmarks'.
//   - 5,000 pods in one namespace: "expand namespace" → Pods children resolved and presented;
//   - 1,000 pod updates in a burst → coalesced tree refreshes;
//   - idle window (default 60 s, BENCH_IDLE_S=5 to shorten): requests made (target 0 beyond the
//     open watches) and heap growth.
// Prints figures only; nothing asserts on timings.
//   node scripts/bench/kube.mjs          (or `npm run bench -- kube`)
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function run({ log = console.log } = {}) {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'test/kube-server/bench.ts', '--run'], {
    cwd: REPO,
    env: process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let figures;
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    if (line.startsWith('FIGURES ')) figures = JSON.parse(line.slice('FIGURES '.length));
    else log(line);
  });
  const code = await new Promise((r) => child.on('close', r));
  if (code !== 0 || !figures) throw new Error(`kube benchmark exited with ${code}`);
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run().then(
    (figures) => console.log(JSON.stringify(figures)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
