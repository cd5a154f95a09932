#!/usr/bin/env node
// kubeconform (github.com/yannh/kubeconform), the independent Kubernetes validator the lint
// benchmark and the corpus test compare ModelDock with. Built from the Go module proxy with the Go
// toolchain, once per machine, into ~/.cache/modeldock/tools/kubeconform-<version>/kubeconform
// (MODELDOCK_CACHE overrides ~/.cache/modeldock). It is never downloaded as a binary.
//
//   node scripts/lib/kubeconform.mjs      build it when missing, print its path
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const KUBECONFORM_VERSION = 'v0.8.0';
const MODULE = 'github.com/yannh/kubeconform/cmd/kubeconform';

function goBinary() {
  for (const candidate of [process.env.GO, 'go', '/usr/local/go/bin/go']) {
    if (!candidate) continue;
    try {
      execFileSync(candidate, ['version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // try the next
    }
  }
  throw new Error('kubeconform is built from source and needs the Go toolchain (go 1.22+ on PATH, or GO=/path/to/go)');
}

/** The path of the kubeconform binary, built first when this machine has none. */
export function ensureKubeconform({ log = (s) => process.stderr.write(`${s}\n`) } = {}) {
  const dir = join(process.env.MODELDOCK_CACHE ?? join(homedir(), '.cache', 'modeldock'), 'tools', `kubeconform-${KUBECONFORM_VERSION}`);
  const bin = join(dir, 'kubeconform');
  if (existsSync(bin)) return bin;
  const go = goBinary();
  const work = mkdtempSync(join(tmpdir(), 'modeldock-kubeconform-'));
  try {
    log(`building kubeconform ${KUBECONFORM_VERSION} from the Go module proxy (once per machine)…`);
    // GOFLAGS=-mod=mod: resolve from the proxy whatever GOFLAGS the environment sets.
    execFileSync(go, ['install', `${MODULE}@${KUBECONFORM_VERSION}`], {
      cwd: work,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, GOBIN: work, GOFLAGS: '-mod=mod', CGO_ENABLED: '0' },
    });
    mkdirSync(dir, { recursive: true });
    renameSync(join(work, 'kubeconform'), bin);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return bin;
}

/** Runs kubeconform strictly against local schemas; returns its parsed JSON output and the process time. */
export function runKubeconform(bin, schemaDir, paths, { kubernetesVersion } = {}) {
  const args = ['-strict', '-output', 'json', '-schema-location', `${schemaDir}/{{ .Group }}/{{ .ResourceAPIVersion }}/{{ .ResourceKind }}.json`];
  if (kubernetesVersion) args.push('-kubernetes-version', kubernetesVersion);
  const t0 = performance.now();
  let stdout;
  try {
    stdout = execFileSync(bin, [...args, ...paths], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  } catch (err) {
    // Exit 1 means invalid resources were found: the report is on stdout all the same.
    if (typeof err.stdout !== 'string') throw err;
    stdout = err.stdout;
  }
  const ms = performance.now() - t0;
  return { ms, report: JSON.parse(stdout || '{"resources":[]}') };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(ensureKubeconform());
}
