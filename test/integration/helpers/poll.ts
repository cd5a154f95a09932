import assert from 'node:assert/strict';

/**
 * Polls `probe` until it yields a value (neither undefined nor false, nor a throw), with a
 * deadline: for states that settle on their own (a container answering, a process ending).
 */
export async function pollFor<T>(what: string, probe: () => Promise<T | undefined | false>, deadlineMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
