#!/usr/bin/env node
// Local base images for the integration tests. No image registry is reachable from the test
// machines, so the images a generated Dockerfile starts FROM are made here from Debian packages
// and cached in the engine (`docker image inspect` first, a build only when missing or stale):
//
//   local/busybox:1                   busybox-static and its applets (tiny, for engine tests)
//   modeldock-test/python:3.11-bare   Debian 12 minbase + python3 + python3-pip, nothing else:
//                                     no numpy, no scikit-learn, so `pip install` really installs
//   python:3.11-slim                  the same image under the name generated Dockerfiles use
//
// Debian 12's Python is 3.11, so the bare image stands in for the official python:3.11-slim and
// a generated Dockerfile builds unchanged; cp311 manylinux wheels from PyPI fit it.
//
// CLI: node scripts/lib/base-images.mjs [busybox] [python]   (both when none is named)
import { execFile, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const BUSYBOX_IMAGE = 'local/busybox:1';
export const PYTHON_BARE_IMAGE = 'modeldock-test/python:3.11-bare';
/** The name generated CPU Dockerfiles use (`FROM python:3.11-slim`); tagged onto the bare image. */
export const PYTHON_SLIM_IMAGE = 'python:3.11-slim';

/** Label on every image made here; its value names the recipe, so a changed recipe rebuilds. */
export const RECIPE_LABEL = 'org.modeldock.test.base';
const RECIPES = {
  [BUSYBOX_IMAGE]: 'busybox-1',
  [PYTHON_BARE_IMAGE]: 'python3.11-bare-1',
};

const DEBIAN_MIRROR = process.env.MODELDOCK_DEBIAN_MIRROR || 'http://deb.debian.org/debian';

/** execFile as a promise that never rejects: the exit code and both streams. */
export function exec(cmd, args, { timeoutMs = 120_000, env = process.env, cwd } = {}) {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env, cwd }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) + (err && typeof err.code !== 'number' ? `\n${err.message}` : '') });
    });
  });
}

/** The recipe label of a local image, '' when it has none, undefined when there is no such image. */
async function imageRecipe(name) {
  const res = await exec('docker', ['image', 'inspect', '--format', `{{ index .Config.Labels "${RECIPE_LABEL}" }}`, name], { timeoutMs: 30_000 });
  if (res.code !== 0) return undefined;
  const v = res.stdout.trim();
  return v === '<no value>' ? '' : v;
}

async function imageId(name) {
  const res = await exec('docker', ['image', 'inspect', '--format', '{{.Id}}', name], { timeoutMs: 30_000 });
  return res.code === 0 ? res.stdout.trim() : undefined;
}

/** `tar -C root -c . | docker import --change … - name`, both spawned without a shell. */
function importRootfs(root, name, changes) {
  return new Promise((resolve, reject) => {
    const tar = spawn('tar', ['-C', root, '--numeric-owner', '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const args = ['import'];
    for (const c of changes) args.push('--change', c);
    args.push('-', name);
    const imp = spawn('docker', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    tar.stderr.on('data', (d) => (stderr += d.toString()));
    imp.stderr.on('data', (d) => (stderr += d.toString()));
    tar.stdout.pipe(imp.stdin);
    tar.on('error', reject);
    imp.on('error', reject);
    imp.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`docker import ${name} failed (${code}): ${stderr.slice(-2000)}`))));
  });
}

async function buildBusybox(name) {
  const root = mkdtempSync(join(tmpdir(), 'md-busybox-'));
  try {
    for (const d of ['bin', 'tmp', 'etc', 'root', 'www', 'proc', 'sys', 'dev', 'var']) mkdirSync(join(root, d), { recursive: true });
    chmodSync(join(root, 'tmp'), 0o1777);
    copyFileSync('/bin/busybox', join(root, 'bin', 'busybox'));
    chmodSync(join(root, 'bin', 'busybox'), 0o755);
    const list = await exec('/bin/busybox', ['--list']);
    if (list.code !== 0) throw new Error('busybox --list failed: install busybox-static (apt-get install -y busybox-static)');
    for (const applet of list.stdout.split('\n').map((s) => s.trim()).filter(Boolean)) {
      if (applet !== 'busybox') symlinkSync('busybox', join(root, 'bin', applet));
    }
    await importRootfs(root, name, [`LABEL ${RECIPE_LABEL}=${RECIPES[name]}`]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function buildPythonBare(name) {
  const root = mkdtempSync(join(tmpdir(), 'md-python-bare-'));
  try {
    // python3-pip pulls in setuptools and wheel only: debootstrap installs Depends, not
    // Recommends, so there is no compiler and no Debian numpy/scikit-learn in the image.
    const res = await exec('debootstrap', ['--variant=minbase', '--include=python3,python3-pip,ca-certificates', 'bookworm', root, DEBIAN_MIRROR], {
      timeoutMs: 20 * 60_000,
    });
    if (res.code !== 0) throw new Error(`debootstrap failed (apt-get install -y debootstrap; needs root): ${res.stderr.slice(-2000)}`);
    // Like the official image: pip may install into the system Python (PEP 668 marker removed),
    // and `python` is python3.
    rmSync(join(root, 'usr/lib/python3.11/EXTERNALLY-MANAGED'), { force: true });
    try {
      unlinkSync(join(root, 'usr/bin/python'));
    } catch {
      // Not there: the usual case.
    }
    symlinkSync('python3', join(root, 'usr/bin/python'));
    // Package lists and caches only make the image bigger.
    for (const d of ['var/cache/apt/archives', 'var/lib/apt/lists']) {
      rmSync(join(root, d), { recursive: true, force: true });
      mkdirSync(join(root, d), { recursive: true });
    }
    await importRootfs(root, name, [
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'ENV LANG=C.UTF-8',
      'CMD ["python3"]',
      `LABEL ${RECIPE_LABEL}=${RECIPES[name]}`,
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Waits for `check` to become true, polling with a deadline (another process may be building). */
async function pollUntil(check, deadlineMs, what) {
  const deadline = Date.now() + deadlineMs;
  let delay = 200;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 5000);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function exists(p) {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `make` unless `ready()` already holds, under a lock directory so concurrent test
 * processes do not build the same image twice; a waiter polls until the owner is done.
 */
async function underLock(key, ready, make, staleMs = 25 * 60_000) {
  if (await ready()) return;
  const lock = join(tmpdir(), `modeldock-image-${key.replace(/[^a-z0-9]+/gi, '_')}.lock`);
  try {
    mkdirSync(lock);
  } catch (err) {
    if (err?.code !== 'EEXIST') throw new Error(`cannot create the lock ${lock}: ${err?.message ?? err}`);
    let age = 0;
    try {
      age = Date.now() - statSync(lock).mtimeMs;
    } catch {
      // Released between our mkdir and stat: try again.
    }
    if (age > staleMs) rmSync(lock, { recursive: true, force: true });
    else await pollUntil(async () => (await ready()) || !exists(lock), staleMs, `${key} (another process holds ${lock})`);
    return underLock(key, ready, make, staleMs);
  }
  try {
    if (!(await ready())) await make();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function logger(log) {
  return log ?? ((msg) => process.stderr.write(`[base-images] ${msg}\n`));
}

/** local/busybox:1, made once from busybox-static. */
export async function ensureBusybox({ log } = {}) {
  const say = logger(log);
  await underLock(BUSYBOX_IMAGE, async () => (await imageRecipe(BUSYBOX_IMAGE)) !== undefined, async () => {
    const t = Date.now();
    say(`making ${BUSYBOX_IMAGE} from busybox-static…`);
    await buildBusybox(BUSYBOX_IMAGE);
    say(`${BUSYBOX_IMAGE} made in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  });
  return BUSYBOX_IMAGE;
}

/** modeldock-test/python:3.11-bare, made once with debootstrap (about a minute). */
export async function ensurePythonBare({ log } = {}) {
  const say = logger(log);
  const recipe = RECIPES[PYTHON_BARE_IMAGE];
  await underLock(PYTHON_BARE_IMAGE, async () => (await imageRecipe(PYTHON_BARE_IMAGE)) === recipe, async () => {
    const t = Date.now();
    say(`making ${PYTHON_BARE_IMAGE} with debootstrap (Debian 12 minbase + python3 + python3-pip)…`);
    await buildPythonBare(PYTHON_BARE_IMAGE);
    say(`${PYTHON_BARE_IMAGE} made in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  });
  return PYTHON_BARE_IMAGE;
}

/**
 * python:3.11-slim as generated Dockerfiles name it: the bare image under that tag. A
 * python:3.11-slim made by an older recipe (Debian's scikit-learn preinstalled, so pip installed
 * nothing) or pulled from elsewhere is re-pointed at the bare image.
 */
export async function ensurePythonSlim({ log } = {}) {
  const say = logger(log);
  await ensurePythonBare({ log });
  const bareId = await imageId(PYTHON_BARE_IMAGE);
  if ((await imageId(PYTHON_SLIM_IMAGE)) === bareId) return PYTHON_SLIM_IMAGE;
  const res = await exec('docker', ['tag', PYTHON_BARE_IMAGE, PYTHON_SLIM_IMAGE], { timeoutMs: 30_000 });
  if (res.code !== 0) throw new Error(`docker tag ${PYTHON_BARE_IMAGE} ${PYTHON_SLIM_IMAGE} failed: ${res.stderr.trim()}`);
  say(`${PYTHON_SLIM_IMAGE} now names ${PYTHON_BARE_IMAGE}`);
  return PYTHON_SLIM_IMAGE;
}

/** Size in bytes of a local image, for reports. */
export async function imageSize(name) {
  const res = await exec('docker', ['image', 'inspect', '--format', '{{.Size}}', name], { timeoutMs: 30_000 });
  return res.code === 0 ? Number(res.stdout.trim()) : undefined;
}

async function cli(argv) {
  const which = argv.length ? argv : ['busybox', 'python'];
  for (const w of which) {
    const t = Date.now();
    let name;
    if (w === 'busybox') name = await ensureBusybox();
    else if (w === 'python') name = await ensurePythonSlim();
    else throw new Error(`unknown base image '${w}': busybox or python`);
    const size = await imageSize(name);
    console.log(`${name}: ready in ${((Date.now() - t) / 1000).toFixed(1)} s, ${size ? (size / 1e6).toFixed(0) : '?'} MB`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  cli(process.argv.slice(2)).catch((err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
