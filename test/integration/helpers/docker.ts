/**
 * Shared helpers for integration tests that need a real Docker engine and local base images
 * (no registry is reachable: the base images are made from Debian packages by
 * scripts/lib/base-images.mjs, which CI also runs as a step of its own).
 */
import { ensureBusybox, ensurePythonSlim, exec } from '../../../scripts/lib/base-images.mjs';

export const SKIP_NO_DOCKER = 'no Docker engine: start dockerd (see README)';
/**
 * local/busybox:1 is tiny, for engine tests. python:3.11-slim is a bare Debian 12 Python (pip,
 * no numpy, no scikit-learn): what it installs comes from the test wheelhouse
 * (test/integration/helpers/wheelhouse.ts), so `pip install` really installs.
 */
export type LocalImage = 'local/busybox:1' | 'python:3.11-slim';

export function run(cmd: string, args: readonly string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return exec(cmd, args, options);
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

/** Makes a local base image available, building it once and caching it in the engine. */
export async function ensureImage(name: LocalImage): Promise<void> {
  if (name === 'local/busybox:1') await ensureBusybox();
  else await ensurePythonSlim();
}

/** Label for images tests build, so untagged leftovers (rebuilds, failed steps) can be pruned. */
export const TEST_LABELS: Readonly<Record<string, string>> = { 'modeldock.test': '1' };

/** Removes containers and images a test created; never fails the test on cleanup. */
export async function dockerCleanup(containers: readonly string[], images: readonly string[] = [], pruneTestImages = false): Promise<void> {
  if (containers.length) await run('docker', ['rm', '-f', ...containers], { timeoutMs: 60_000 });
  if (images.length) await run('docker', ['rmi', '-f', ...images], { timeoutMs: 60_000 });
  if (pruneTestImages) await run('docker', ['image', 'prune', '-f', '--filter', 'label=modeldock.test=1'], { timeoutMs: 60_000 });
}
