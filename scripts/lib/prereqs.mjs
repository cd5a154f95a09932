// What the README's two commands need on the machine, installed when we can (Debian/Ubuntu as
// root: apt-get), otherwise named in one short message with the exact command to run.
//   npm start  -> code-server (built from npm: its native modules need the build packages, and
//                 its ripgrep download is replaced by Debian's rg)
//   npm test   -> the same, plus Chromium (Playwright drives it), a Docker engine (started when
//                 it is installed but not running), busybox/debootstrap (local base images),
//                 openssl (test CAs), setpriv (util-linux), git
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';

/** Debian package → what it provides, for messages. */
const CODE_SERVER_PACKAGES = {
  ripgrep: 'rg, used by VS Code search (replaces a download from GitHub)',
  'libkrb5-dev': 'gssapi headers for code-server\'s kerberos module',
  'libxkbfile-dev': 'code-server\'s native keymap module',
  'libsecret-1-dev': 'code-server\'s native keychain module',
  'libx11-dev': 'code-server\'s native keymap module',
  'pkg-config': 'native module builds',
  python3: 'node-gyp',
  make: 'node-gyp',
  'g++': 'node-gyp',
};

const TEST_PACKAGES = {
  ...CODE_SERVER_PACKAGES,
  chromium: 'the browser Playwright drives for the extension-host tests',
  'docker.io': 'the Docker engine the integration tests build and run on',
  'busybox-static': 'a tiny local base image',
  debootstrap: 'the local python:3.11-slim base image (no registry is reachable)',
  openssl: 'test certificate authorities',
  'util-linux': 'setpriv (permission tests as an unprivileged user)',
  git: 'image tags and fixtures',
  'ca-certificates': 'HTTPS to the package registries',
  'python3-pip': 'downloads the test wheelhouse from PyPI (host pip)',
  'docker-registry': 'a real local image registry for the deploy tests',
  prometheus: 'a real Prometheus (and promtool) for the monitoring tests',
};

export const PACKAGES = { start: CODE_SERVER_PACKAGES, test: TEST_PACKAGES };

function log(msg) {
  process.stderr.write(`[setup] ${msg}\n`);
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function hasApt() {
  return existsSync('/usr/bin/apt-get') && existsSync('/usr/bin/dpkg-query');
}

function installed(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

export class SetupError extends Error {}

/**
 * Makes sure the Debian packages for `purpose` are installed: installs the missing ones when
 * running as root on a Debian-like system, else throws one message naming them.
 */
export function ensurePackages(purpose) {
  const wanted = PACKAGES[purpose];
  if (!wanted) throw new Error(`unknown purpose ${purpose}`);
  const names = Object.keys(wanted);
  if (!hasApt()) {
    // Not Debian: check the commands we actually need and name what is missing.
    const missing = [];
    if (!commandExists('rg')) missing.push('ripgrep');
    if (purpose === 'test' && !commandExists('chromium') && !existsSync('/usr/bin/chromium')) missing.push('chromium');
    if (purpose === 'test' && !commandExists('docker')) missing.push('a Docker engine');
    if (purpose === 'test' && !(commandExists('prometheus') && commandExists('promtool'))) missing.push('prometheus and promtool (the monitoring tests)');
    if (missing.length === 0) return [];
    throw new SetupError(
      `Missing: ${missing.join(', ')}. On Debian/Ubuntu, as root: apt-get install -y ${names.join(' ')}. ` +
        'On other systems install the equivalents (code-server also needs the Kerberos, libsecret, X11 and xkbfile development headers).',
    );
  }
  const missing = names.filter((p) => !installed(p));
  if (missing.length === 0) return [];
  if (!isRoot()) {
    throw new SetupError(`Missing Debian packages: ${missing.join(' ')}. Install them with:\n  sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`);
  }
  log(`installing ${missing.length} Debian package(s): ${missing.join(' ')}`);
  for (const p of missing) log(`  ${p}: ${wanted[p]}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const started = Date.now();
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (update.status !== 0) throw new SetupError('apt-get update failed (see above): check the Debian mirror is reachable.');
  const inst = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (inst.status !== 0) throw new SetupError(`apt-get install ${missing.join(' ')} failed (see above).`);
  log(`installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return missing;
}

function commandExists(cmd) {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { stdio: 'ignore' }).status === 0;
}

function dockerAnswers() {
  return spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 20_000 }).status === 0;
}

/**
 * The test control plane (etcd, kube-apiserver, kwok, and for the Deploy tests kube-controller-manager
 * and kube-scheduler, built from the Go module proxy, cached per
 * machine): checked in a second when cached, built once otherwise (about 19 CPU-minutes). Needs Go.
 */
export function ensureControlPlane() {
  const env = { ...process.env };
  if (!commandExists('go') && existsSync('/usr/local/go/bin/go')) env.PATH = `/usr/local/go/bin:${env.PATH ?? ''}`;
  const check = spawnSync(process.execPath, ['scripts/control-plane/build.mjs', '--check'], { env, encoding: 'utf8' });
  if (check.status === 0) return 'cached';
  const go = spawnSync('go', ['version'], { env, encoding: 'utf8' });
  const m = /go(\d+)\.(\d+)/.exec(go.stdout ?? '');
  if (go.status !== 0 || !m || Number(m[1]) < 1 || (Number(m[1]) === 1 && Number(m[2]) < 26)) {
    throw new SetupError(
      `The Clusters tests run against a real kube-apiserver built from source once per machine, which needs Go 1.26 or newer (found: ${go.status === 0 ? go.stdout.trim() : 'none'}). Install it from https://go.dev/dl, or opt out with MODELDOCK_ALLOW_SKIP=1.`,
    );
  }
  log('building the test control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok) from the Go module proxy, once per machine…');
  const started = Date.now();
  const build = spawnSync(process.execPath, ['scripts/control-plane/build.mjs', '--prune'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (build.status !== 0) throw new SetupError('building the test control plane failed (see above); scripts/control-plane/README.md says how to build it by hand.');
  log(`control plane built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return 'built';
}

/**
 * A Docker engine that answers `docker info`: the running one, or dockerd started in the
 * background (root only) and waited for with a deadline.
 */
export async function ensureDockerEngine({ deadlineMs = 60_000 } = {}) {
  if (dockerAnswers()) return 'running';
  if (!isRoot() || !commandExists('dockerd')) {
    throw new SetupError(
      'No Docker engine answers `docker info`. Start one (Docker Desktop, `sudo systemctl start docker`, or `sudo dockerd &`), ' +
        'or run the tests without the tiers that need it: MODELDOCK_ALLOW_SKIP=1 npm test.',
    );
  }
  const logFile = '/tmp/modeldock-dockerd.log';
  log(`starting dockerd (log: ${logFile})`);
  const out = openSync(logFile, 'a');
  const child = spawn('dockerd', [], { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (dockerAnswers()) return 'started';
    await new Promise((r) => setTimeout(r, 500));
  }
  let tail = '';
  try {
    tail = execFileSync('tail', ['-20', logFile], { encoding: 'utf8' });
  } catch {
    /* no log yet */
  }
  throw new SetupError(`dockerd did not answer within ${deadlineMs / 1000} s. Its log:\n${tail}`);
}
