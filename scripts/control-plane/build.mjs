#!/usr/bin/env node
// Builds the test control plane (etcd, kube-apiserver, kwok) from source through the Go module
// proxy, once per machine: binaries are cached outside the clone, keyed by version, so a warm run
// does nothing. See scripts/control-plane/README.md.
//
//   node scripts/control-plane/build.mjs [--check] [--update] [--prune] [component…]
//     --check   build nothing; exit 1 and name what is missing or stale
//     --update  rewrite each module's go.mod/go.sum from components.json's versions (needs the proxy)
//     --prune   delete the Go build cache afterwards (the module cache stays: it is the download)
//
// Cache: $MODELDOCK_CONTROL_PLANE_CACHE, else $XDG_CACHE_HOME/modeldock/control-plane, else
// ~/.cache/modeldock/control-plane. Binaries in <cache>/<name>-<version>/; Go's module and build
// caches in <cache>/go/{mod,build} (not the user's GOPATH: a Kubernetes build downloads ~1 GB).
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { components } = JSON.parse(readFileSync(join(here, 'components.json'), 'utf8'));

export function cacheRoot() {
  if (process.env.MODELDOCK_CONTROL_PLANE_CACHE) return resolve(process.env.MODELDOCK_CONTROL_PLANE_CACHE);
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'modeldock', 'control-plane');
}

/** kwok's CRDs and stage definitions the helper applies/passes at start: copied next to the binary. */
const KWOK_FILES = {
  crds: ['logs', 'clusterlogs', 'portforwards', 'clusterportforwards'].map((n) => `kustomize/crd/bases/kwok.x-k8s.io_${n}.yaml`),
  stages: [
    'kustomize/stage/node/fast/node-initialize.yaml',
    'kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
    'kustomize/stage/pod/fast/pod-ready.yaml',
    'kustomize/stage/pod/fast/pod-complete.yaml',
    'kustomize/stage/pod/fast/pod-delete.yaml',
  ],
};

function log(msg) {
  process.stderr.write(`[control-plane] ${msg}\n`);
}

function goBin() {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'go'))) return join(dir, 'go');
  }
  if (existsSync('/usr/local/go/bin/go')) return '/usr/local/go/bin/go';
  throw new Error('Go is not installed (looked in PATH and /usr/local/go/bin): install Go >= 1.26 to build the test control plane');
}

function goEnv(extra = {}) {
  const root = cacheRoot();
  return {
    ...process.env,
    GOMODCACHE: join(root, 'go', 'mod'),
    GOCACHE: join(root, 'go', 'build'),
    GOPATH: join(root, 'go', 'path'),
    // Static binaries, as the upstream release builds are; no C toolchain needed.
    CGO_ENABLED: '0',
    GOTOOLCHAIN: 'local',
    GOFLAGS: '-mod=readonly',
    ...extra,
  };
}

/** CPU seconds used by this process's finished children (Linux: /proc/self/stat cutime+cstime), for the build figures. */
function childCpuSeconds() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    // After "(comm) ": state is field 3, so cutime (16) and cstime (17) sit at 13 and 14.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** What a built component must match to count as current: its pinned module files. */
function fingerprint(c) {
  const dir = join(here, c.module);
  const spec = createHash('sha256').update(JSON.stringify(c));
  for (const patched of Object.values(c.patched ?? {}).sort()) spec.update(readFileSync(join(here, patched)));
  return { goMod: sha256(join(dir, 'go.mod')), goSum: sha256(join(dir, 'go.sum')), spec: spec.digest('hex') };
}

export function componentDir(name) {
  return join(cacheRoot(), `${name}-${components[name].version}`);
}

function current(name) {
  const dir = componentDir(name);
  const stampFile = join(dir, 'build.json');
  if (!existsSync(join(dir, name)) || !existsSync(stampFile)) return { ok: false, why: 'not built' };
  try {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
    const fp = fingerprint(components[name]);
    if (stamp.goMod !== fp.goMod || stamp.goSum !== fp.goSum) return { ok: false, why: 'go.mod/go.sum changed since it was built' };
    if (stamp.spec !== fp.spec) return { ok: false, why: 'its entry in components.json changed since it was built' };
    return { ok: true, stamp };
  } catch (err) {
    return { ok: false, why: `unreadable build.json: ${err.message}` };
  }
}

function checkPinned(name) {
  const c = components[name];
  const gomod = readFileSync(join(here, c.module, 'go.mod'), 'utf8');
  const re = new RegExp(`^\\s*(?:require\\s+)?${c.requires.replace(/[.]/g, '\\.')}\\s+(\\S+)`, 'm');
  const m = re.exec(gomod);
  if (!m || m[1] !== c.version) {
    throw new Error(`${c.module}/go.mod requires ${c.requires} ${m?.[1] ?? '(nothing)'} but components.json says ${c.version}: run with --update`);
  }
}

function run(cmd, args, opts) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

async function build(name) {
  const c = components[name];
  checkPinned(name);
  const go = goBin();
  const moduleDir = join(here, c.module);
  const final = componentDir(name);
  const staging = `${final}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const started = Date.now();
  const cpu0 = childCpuSeconds();
  log(`building ${name} ${c.version} (${c.package}) — a cold Kubernetes build takes tens of minutes on 2 cores…`);
  const ldflags = ['-s', '-w', ...(c.ldflags ?? [])].join(' ');
  let cwd = moduleDir;
  if (c.patched) {
    // Go refuses -overlay for files in the module cache. Build inside a copy of the module
    // instead, with the patched files in place: the copy's own go.sum (part of the module zip our
    // go.sum verifies) pins the same dependencies, checked with -mod=readonly as usual.
    await run(go, ['mod', 'download', c.requires], { cwd: moduleDir, env: goEnv() });
    const info = JSON.parse(execFileSync(go, ['list', '-m', '-json', c.requires], { cwd: moduleDir, env: goEnv(), encoding: 'utf8' }));
    cwd = join(staging, 'src');
    cpSync(info.Dir, cwd, { recursive: true });
    execFileSync('chmod', ['-R', 'u+w', cwd]);
    for (const [inModule, patched] of Object.entries(c.patched)) cpSync(join(here, patched), join(cwd, inModule));
  }
  await run(go, ['build', '-trimpath', `-ldflags=${ldflags}`, '-o', join(staging, name), c.package], { cwd, env: goEnv() });
  if (c.patched) rmSync(cwd, { recursive: true, force: true });
  const seconds = (Date.now() - started) / 1000;
  const cpu1 = childCpuSeconds();
  const cpuSeconds = cpu0 !== undefined && cpu1 !== undefined ? Math.round(cpu1 - cpu0) : undefined;
  if (name === 'kwok') {
    const info = JSON.parse(execFileSync(go, ['list', '-m', '-json', c.requires], { cwd: moduleDir, env: goEnv(), encoding: 'utf8' }));
    for (const [sub, files] of Object.entries(KWOK_FILES)) {
      mkdirSync(join(staging, sub), { recursive: true });
      for (const f of files) cpSync(join(info.Dir, f), join(staging, sub, f.split('/').pop()));
    }
  }
  const goVersion = execFileSync(go, ['env', 'GOVERSION'], { env: goEnv(), encoding: 'utf8' }).trim();
  const bytes = statSync(join(staging, name)).size;
  writeFileSync(join(staging, 'build.json'), JSON.stringify({ name, version: c.version, package: c.package, goVersion, seconds, cpuSeconds, bytes, patched: Object.keys(c.patched ?? {}), builtAt: new Date().toISOString(), ...fingerprint(c) }, null, 2));
  // Atomic as far as readers go: a half-built folder is never at the final path.
  rmSync(final, { recursive: true, force: true });
  renameSync(staging, final);
  log(`${name} ${c.version}: built in ${seconds.toFixed(0)} s (${cpuSeconds ?? '?'} CPU-s), ${(bytes / 1048576).toFixed(1)} MiB → ${final}`);
}

/**
 * Rewrites a module's go.mod from components.json, then lets Go fill go.sum. For Kubernetes the
 * replace block is derived from k8s.io/kubernetes's own go.mod: every staging module it requires
 * as v0.0.0 is pinned to v0.<minor>.<patch> of the same release.
 */
async function update(name) {
  const c = components[name];
  const go = goBin();
  const moduleDir = join(here, c.module);
  const path = join(moduleDir, 'go.mod');
  const header = readFileSync(path, 'utf8').split('\n').filter((l) => l.startsWith('//')).join('\n');
  let body = `module modeldock.invalid/control-plane/${c.module}\n\ngo 1.26.0\n`;
  if (c.requires === 'k8s.io/kubernetes') {
    const info = JSON.parse(execFileSync(go, ['mod', 'download', '-json', `${c.requires}@${c.version}`], { cwd: here, env: goEnv({ GOFLAGS: '-mod=mod' }), encoding: 'utf8' }));
    const upstream = readFileSync(info.GoMod, 'utf8');
    const staging = [...upstream.matchAll(/^\s+(k8s\.io\/[\w.-]+) v0\.0\.0$/gm)].map((m) => m[1]);
    const [, minor, patch] = /^v1\.(\d+)\.(\d+)$/.exec(c.version) ?? [];
    if (!minor) throw new Error(`cannot derive the staging version from ${c.version}`);
    const godebug = /^godebug .*$/m.exec(upstream)?.[0];
    body += `${godebug ? `\n${godebug}\n` : ''}\nrequire ${c.requires} ${c.version}\n\nreplace (\n${staging.map((s) => `\t${s} => ${s} v0.${minor}.${patch}`).join('\n')}\n)\n`;
  } else {
    const extra = c.requires === 'go.etcd.io/etcd/server/v3' ? ['api/v3', 'client/pkg/v3', 'client/v3', 'pkg/v3'].map((m) => `go.etcd.io/etcd/${m}`) : [];
    body += `\nrequire (\n${[...extra, c.requires].map((m) => `\t${m} ${c.version}`).join('\n')}\n)\n`;
  }
  writeFileSync(path, `${header}\n${body}`);
  rmSync(join(moduleDir, 'go.sum'), { force: true });
  // Resolves the build list and records in go.sum the hash of every module the build loads.
  await run(go, ['list', '-deps', '-f', '{{if false}}{{end}}', c.package], { cwd: moduleDir, env: goEnv({ GOFLAGS: '-mod=mod' }) });
  log(`${c.module}/go.mod and go.sum updated for ${name} ${c.version}`);
}

const argv = process.argv.slice(2);
const flags = new Set(argv.filter((a) => a.startsWith('--')));
const wanted = argv.filter((a) => !a.startsWith('--'));
for (const w of wanted) if (!components[w]) throw new Error(`unknown component ${w}; known: ${Object.keys(components).join(', ')}`);
const names = wanted.length ? wanted : Object.keys(components);

if (flags.has('--check')) {
  let missing = 0;
  for (const n of names) {
    const s = current(n);
    if (!s.ok) missing++;
    console.log(`${n} ${components[n].version}: ${s.ok ? `ok (${componentDir(n)})` : s.why}`);
  }
  process.exit(missing ? 1 : 0);
}

mkdirSync(cacheRoot(), { recursive: true });
const total = Date.now();
for (const n of names) {
  if (flags.has('--update')) await update(n);
  const s = current(n);
  if (s.ok) {
    log(`${n} ${components[n].version}: cached (${componentDir(n)})`);
    continue;
  }
  log(`${n} ${components[n].version}: ${s.why}`);
  try {
    await build(n);
  } finally {
    // A failed build leaves nothing half-made behind (a successful one was renamed away).
    rmSync(`${componentDir(n)}.tmp-${process.pid}`, { recursive: true, force: true });
  }
}
if (flags.has('--prune')) rmSync(join(cacheRoot(), 'go', 'build'), { recursive: true, force: true });
log(`done in ${((Date.now() - total) / 1000).toFixed(0)} s`);
