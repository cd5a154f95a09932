/**
 * Shared helpers for integration tests that need a real Docker engine and local base images
 * (no registry is reachable: images are made from Debian packages, see the environment notes).
 */
import { execFile, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, copyFileSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const SKIP_NO_DOCKER = 'no Docker engine: start dockerd (see README)';
export type LocalImage = 'local/busybox:1' | 'python:3.11-slim';

export function run(cmd: string, args: readonly string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, [...args], { timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024, env: options.env ?? process.env, cwd: options.cwd }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/**
 * True when `docker info` answers; false only with MODELDOCK_ALLOW_SKIP=1 (the tests then skip
 * and npm test counts them). Otherwise a missing engine throws: a broken set-up must not pass.
 */
export async function ensureDockerd(): Promise<boolean> {
  const res = await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 });
  if (res.code === 0 && res.stdout.trim()) return true;
  // A missing engine is a failure, never a quiet skip, unless the user opted out explicitly
  // (npm test starts dockerd itself when it can).
  if (process.env.MODELDOCK_ALLOW_SKIP !== '1') {
    throw new Error(`no Docker engine answers \`docker info\`: start dockerd (npm test does it when run as root), or opt out with MODELDOCK_ALLOW_SKIP=1. ${res.stderr.trim()}`);
  }
  return false;
}

async function imageExists(name: string): Promise<boolean> {
  return (await run('docker', ['image', 'inspect', '--format', '{{.Id}}', name], { timeoutMs: 20_000 })).code === 0;
}

/** `tar -C root -c . | docker import - name`, both spawned without a shell. */
function importRootfs(root: string, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const tar = spawn('tar', ['-C', root, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const imp = spawn('docker', ['import', '-', name], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    imp.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    tar.stdout.pipe(imp.stdin);
    tar.on('error', reject);
    imp.on('error', reject);
    imp.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`docker import ${name} failed (${code}): ${stderr}`))));
  });
}

async function buildBusybox(name: string): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'md-busybox-'));
  try {
    for (const d of ['bin', 'tmp', 'etc', 'root', 'www', 'proc', 'sys', 'dev', 'var']) mkdirSync(path.join(root, d), { recursive: true });
    chmodSync(path.join(root, 'tmp'), 0o1777);
    copyFileSync('/bin/busybox', path.join(root, 'bin', 'busybox'));
    chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
    const list = await run('/bin/busybox', ['--list']);
    if (list.code !== 0) throw new Error('busybox --list failed: install busybox-static');
    for (const applet of list.stdout.split('\n').map((s) => s.trim()).filter(Boolean)) {
      if (applet === 'busybox') continue;
      symlinkSync('busybox', path.join(root, 'bin', applet));
    }
    await importRootfs(root, name);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function buildPython(name: string): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'md-python-'));
  try {
    const res = await run(
      'debootstrap',
      ['--variant=minbase', '--include=python3,python3-pip,python3-numpy,python3-sklearn,python3-flask', 'bookworm', root, 'http://deb.debian.org/debian'],
      { timeoutMs: 15 * 60_000 },
    );
    if (res.code !== 0) throw new Error(`debootstrap failed: ${res.stderr.slice(-2000)}`);
    rmSync(path.join(root, 'usr/lib/python3.11/EXTERNALLY-MANAGED'), { force: true });
    try {
      unlinkSync(path.join(root, 'usr/bin/python'));
    } catch {
      // Not there yet: the usual case.
    }
    symlinkSync('python3', path.join(root, 'usr/bin/python'));
    await importRootfs(root, name);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Waits for `check` to become true, polling with a deadline (another process may be building). */
async function pollUntil(check: () => Promise<boolean>, deadlineMs: number, what: string): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let delay = 200;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 5000);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Makes a local base image available, building it once and caching it in the engine. A lock
 * directory keeps concurrent test processes from building the same image twice.
 */
export async function ensureImage(name: LocalImage): Promise<void> {
  if (await imageExists(name)) return;
  const lock = path.join(tmpdir(), `modeldock-image-${name.replace(/[^a-z0-9]+/gi, '_')}.lock`);
  let owner = false;
  try {
    mkdirSync(lock);
    owner = true;
  } catch {
    // Another process holds the lock unless it is stale (older than the slowest build).
    const age = Date.now() - statSync(lock).mtimeMs;
    if (age > 20 * 60_000) {
      rmSync(lock, { recursive: true, force: true });
      return ensureImage(name);
    }
  }
  if (!owner) {
    await pollUntil(async () => (await imageExists(name)) || !exists(lock), 20 * 60_000, `image ${name}`);
    if (await imageExists(name)) return;
    return ensureImage(name);
  }
  try {
    if (await imageExists(name)) return;
    if (name === 'local/busybox:1') await buildBusybox(name);
    else await buildPython(name);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Label for images tests build, so untagged leftovers (rebuilds, failed steps) can be pruned. */
export const TEST_LABELS: Readonly<Record<string, string>> = { 'modeldock.test': '1' };

/** Removes containers and images a test created; never fails the test on cleanup. */
export async function dockerCleanup(containers: readonly string[], images: readonly string[] = [], pruneTestImages = false): Promise<void> {
  if (containers.length) await run('docker', ['rm', '-f', ...containers], { timeoutMs: 60_000 });
  if (images.length) await run('docker', ['rmi', '-f', ...images], { timeoutMs: 60_000 });
  if (pruneTestImages) await run('docker', ['image', 'prune', '-f', '--filter', 'label=modeldock.test=1'], { timeoutMs: 60_000 });
}
