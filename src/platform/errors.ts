/**
 * Errors that carry a message meant for a person, plus an optional hint on what to do.
 * The command wrapper shows `message` (and `hint`) to the user; anything else is treated
 * as an unexpected failure and gets a generic message with the details in the log.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UserError';
  }
}

/** Thrown (or mapped to) when the user cancels; the wrapper stays silent on it. */
export class CancelledError extends Error {
  constructor(message = 'Cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

export function isCancellation(err: unknown): boolean {
  if (err instanceof CancelledError) return true;
  // vscode.CancellationError has name 'Canceled'; AbortController gives 'AbortError'.
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'Canceled' || name === 'AbortError';
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
