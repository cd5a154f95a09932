import assert from 'node:assert/strict';

// The one poller of every test tier (node:test suites import it; the extension-host helpers'
// waitFor is built on it): no fixed sleeps, a state is waited for with a deadline.

/**
 * Polls `probe` until it yields a value (neither undefined nor false, nor a throw), with a
 * deadline: for states that settle on their own (a container answering, a process ending).
 */
export async function pollFor<T>(
  what: string | (() => string),
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  deadlineMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) assert.fail(`timed out after ${deadlineMs} ms waiting for ${typeof what === 'string' ? what : what()}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Lets `ms` pass: only for negative checks ("nothing more happens after stop()"), where there is
 * no event to wait for.
 */
export function quietFor(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
