import * as vscode from 'vscode';

/** The narrow logging surface the rest of the extension depends on (a LogOutputChannel fits it). */
export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(error: string | Error, ...args: unknown[]): void;
  show(preserveFocus?: boolean): void;
}

// Secrets must never reach the log: bearer tokens, kubeconfig client keys and the like.
const SECRET_PATTERNS: RegExp[] = [
  /(authorization:\s*bearer\s+)[^\s"']+/gi,
  /("?(?:token|password|client-key-data|client-certificate-data|id-token|refresh-token|access-token)"?\s*[:=]\s*"?)[^\s",}]+/gi,
];

export function redact(text: string): string {
  let out = text;
  for (const p of SECRET_PATTERNS) out = out.replace(p, '$1<redacted>');
  return out;
}

/** Wraps a LogOutputChannel so every line passes through `redact` before it is written. */
export function createLogger(name = 'ModelDock'): { channel: vscode.LogOutputChannel; log: Logger } {
  const channel = vscode.window.createOutputChannel(name, { log: true });
  const clean = (args: unknown[]) => args.map((a) => (typeof a === 'string' ? redact(a) : a));
  const log: Logger = {
    trace: (m, ...a) => channel.trace(redact(m), ...clean(a)),
    debug: (m, ...a) => channel.debug(redact(m), ...clean(a)),
    info: (m, ...a) => channel.info(redact(m), ...clean(a)),
    warn: (m, ...a) => channel.warn(redact(m), ...clean(a)),
    error: (e, ...a) => {
      if (typeof e === 'string') channel.error(redact(e), ...clean(a));
      else channel.error(redact(e.stack ?? `${e.name}: ${e.message}`), ...clean(a));
    },
    show: (preserveFocus) => channel.show(preserveFocus),
  };
  return { channel, log };
}
