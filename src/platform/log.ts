import type * as vscode from 'vscode';

/** The narrow logging surface the rest of the extension depends on (a LogOutputChannel fits it). */
export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(error: string | Error, ...args: unknown[]): void;
  show(preserveFocus?: boolean): void;
}

const R = '<redacted>';

/**
 * Secrets must never reach the log: Authorization headers, tokens in URLs and in free text,
 * kubeconfig keys and certificates, exec-plugin env values. Every pattern is linear on any input
 * (no nested or overlapping quantifiers; runs that could repeat are bounded), because log lines can
 * hold a server's or a workspace's text.
 */
const SECRET_PATTERNS: readonly [RegExp, string][] = [
  // PEM private keys, also cut-off ones (a body of base64 has no '-').
  [/-----BEGIN (?:[A-Z0-9]+ ){0,4}PRIVATE KEY-----[^-]*(?:-----END (?:[A-Z0-9]+ ){0,4}PRIVATE KEY-----)?/g, `-----${R} PRIVATE KEY-----`],
  // Authorization / Proxy-Authorization headers, any scheme, in HTTP, JSON or a dump of an object.
  [/((?:proxy-)?authorization\\?["']?\s{0,8}[:=]\s{0,8}\\?["']?(?:[a-z][a-z0-9-]{0,20}\s+)?)[^\s"',;}\\]+/gi, `$1${R}`],
  // "Bearer <token>" anywhere (an error message quoting a header, a curl line).
  [/\b(bearer\s+)[a-z0-9\-._~+/]{8,}=*/gi, `$1${R}`],
  // user:password@ in URLs (http, https, git, ssh, …).
  [/(\b[a-z][a-z0-9+.-]{0,30}:\/\/)[^\s/@:]{1,256}:[^\s/@]{1,1024}@/gi, `$1${R}@`],
  // Credentials in query strings (OAuth, presigned S3/GCS URLs, API keys).
  [
    /([?&;](?:access_token|id_token|refresh_token|token|api_key|apikey|key|password|passwd|secret|client_secret|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential|code)=)[^&\s#"'<>]+/gi,
    `$1${R}`,
  ],
  // key: value / key=value / "key": "value" for secret-bearing keys (kubeconfig, JSON, env dumps).
  [
    /((?:token|password|passwd|secret|client-key-data|client-certificate-data|client-secret|client_secret|id-token|refresh-token|access-token|api-key|apikey|private-key)\\?["']?\s{0,8}[:=]\s{0,8}\\?["']?)[^\s"',}&\\]+/gi,
    `$1${R}`,
  ],
  // Environment assignments whose name says secret: AWS_SECRET_ACCESS_KEY=…, HF_TOKEN=…, GITHUB_TOKEN=…
  [/\b([A-Z][A-Z0-9_]{0,64}(?:TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIALS?)[A-Z0-9_]{0,32}=)[^\s"']+/g, `$1${R}`],
  // exec plugin env (kubeconfig YAML): `- name: X` then `value: secret` on the next line.
  [/(-[ \t]{1,8}name:[^\n]{0,256}\n[ \t]{0,64}value:[ \t]{0,8})[^\n]+/g, `$1${R}`],
  // …and the same as JSON: {"name":"X","value":"secret"}.
  [/("name"\s{0,8}:\s{0,8}"[^"\n]{0,256}"\s{0,8},\s{0,8}"value"\s{0,8}:\s{0,8}")[^"\n]*/g, `$1${R}`],
  // Well-known token shapes in free text.
  [/\beyJ[a-z0-9_-]{5,}\.[a-z0-9_-]{5,}\.[a-z0-9_-]*/gi, `${R}-jwt`], // JWTs: service-account and OIDC tokens
  [/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|hf_[A-Za-z0-9]{30,}|sk-[A-Za-z0-9_-]{20,}|AIza[0-9A-Za-z_-]{35})/g, R],
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, R], // AWS access key ids
  [/\b[a-z0-9]{6}\.[a-z0-9]{16}\b/g, R], // kubeadm bootstrap tokens
  // "token <long opaque string>" in prose ("using token 5f2b…").
  [/\b(token\s+)[A-Za-z0-9\-._~+/]{20,}=*/gi, `$1${R}`],
];

export function redact(text: string): string {
  let out = text;
  for (const [p, replacement] of SECRET_PATTERNS) out = out.replace(p, replacement);
  return out;
}

/** Anything passed as a log argument, as redacted text (objects could carry headers or configs). */
export function redactValue(value: unknown): string {
  if (typeof value === 'string') return redact(value);
  if (value instanceof Error) return redact(value.stack ?? `${value.name}: ${value.message}`);
  if (typeof value === 'object' && value !== null) {
    try {
      return redact(JSON.stringify(value));
    } catch {
      return redact(String(value));
    }
  }
  return String(value);
}

type ChannelFactory = Pick<typeof vscode.window, 'createOutputChannel'>;

function vscodeWindow(): ChannelFactory {
  // Loaded when a logger is made, not when this module is: redact() is unit-tested outside VS Code.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('vscode') as typeof vscode).window;
}

/** Wraps a LogOutputChannel so every line and argument passes through `redact` before it is written. */
export function createLogger(name = 'ModelDock', window: ChannelFactory = vscodeWindow()): { channel: vscode.LogOutputChannel; log: Logger } {
  const channel = window.createOutputChannel(name, { log: true });
  const clean = (args: unknown[]) => args.map(redactValue);
  const log: Logger = {
    trace: (m, ...a) => channel.trace(redact(m), ...clean(a)),
    debug: (m, ...a) => channel.debug(redact(m), ...clean(a)),
    info: (m, ...a) => channel.info(redact(m), ...clean(a)),
    warn: (m, ...a) => channel.warn(redact(m), ...clean(a)),
    error: (e, ...a) => channel.error(redactValue(e), ...clean(a)),
    show: (preserveFocus) => channel.show(preserveFocus),
  };
  return { channel, log };
}
