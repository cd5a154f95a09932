import type { KubeErrorInfo, KubeErrorKind } from './types';

/** An API or transport failure, already turned into something a person can act on. */
export class KubeError extends Error {
  constructor(readonly info: KubeErrorInfo) {
    super(info.message);
    this.name = 'KubeError';
  }
}

export function isKubeError(err: unknown, kind?: KubeErrorKind): err is KubeError {
  return err instanceof KubeError && (kind === undefined || err.info.kind === kind);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function kindForCode(code: number): KubeErrorKind {
  switch (code) {
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not-found';
    case 409:
      return 'conflict';
    case 410:
      return 'gone';
    case 400:
    case 422:
      return 'invalid';
    default:
      return 'server';
  }
}

export interface RequestDescription {
  readonly verb: string;
  readonly resource: string;
  readonly namespace?: string;
}

/**
 * Builds the error from an HTTP status and the body the API server sent (a `Status` object when
 * it is a real API server; proxies and load balancers send HTML or nothing).
 */
export function errorFromStatus(httpCode: number, body: unknown, request?: RequestDescription): KubeError {
  const status = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const code = typeof status.code === 'number' ? status.code : httpCode;
  const reason = str(status.reason);
  const apiMessage = str(status.message);
  const kind = kindForCode(code);
  const what = request ? `${request.verb} ${request.resource}${request.namespace ? ` in namespace "${request.namespace}"` : ''}` : undefined;
  let message: string;
  let hint: string | undefined;
  switch (kind) {
    case 'unauthorized':
      message = 'The cluster rejected the credentials (401 Unauthorized).';
      hint = 'The token or certificate in the kubeconfig is invalid or expired: log in again (for example re-run your cloud CLI login) and refresh.';
      break;
    case 'forbidden':
      message = apiMessage ?? `Forbidden: cannot ${what ?? 'do this'}.`;
      hint = 'Your user lacks the RBAC permission; ask a cluster admin, or pick another namespace.';
      break;
    default:
      message = apiMessage ?? (what ? `${what} failed with HTTP ${code}` : `HTTP ${code}`);
  }
  return new KubeError({
    kind,
    message,
    code,
    ...(reason ? { reason } : {}),
    ...(request ? { verb: request.verb, resource: request.resource } : {}),
    ...(request?.namespace ? { namespace: request.namespace } : {}),
    ...(hint ? { hint } : {}),
  });
}

/** Maps socket/TLS/exec-plugin failures. Never includes request headers, so tokens stay out. */
export function errorFromTransport(err: unknown, server: string): KubeError {
  if (err instanceof KubeError) return err;
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'ENETUNREACH', 'EPIPE'].includes(code)) {
    return new KubeError({
      kind: 'unreachable',
      message: `Cannot reach the cluster at ${server} (${code}).`,
      hint: 'Check that the cluster is running, the VPN is up, and the server address in the kubeconfig is right.',
    });
  }
  if (/certificate|self[- ]signed|CERT_|UNABLE_TO_VERIFY/i.test(code + msg)) {
    return new KubeError({
      kind: 'tls',
      message: `TLS verification of ${server} failed: ${msg}`,
      hint: 'The kubeconfig\'s certificate-authority does not match the server; fetch a fresh kubeconfig.',
    });
  }
  if (/exec|credential|plugin|token.*expir|expir.*token/i.test(msg)) {
    return new KubeError({
      kind: 'credentials',
      message: `The kubeconfig's credential plugin failed: ${msg}`,
      hint: 'Your login has probably expired: run the cloud CLI login (aws sso login, gcloud auth login, az login, kubelogin …) and refresh.',
    });
  }
  return new KubeError({ kind: 'server', message: msg });
}
