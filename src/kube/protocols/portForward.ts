import * as net from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import type { KubeConfig, PortForward } from '@kubernetes/client-node';
import { KubeError, errorFromStatus, errorFromTransport, type RequestDescription } from '../errors';
import type { PortForwardHandle } from '../types';
import type { ClientCore } from './core';
import type { ResourceApi } from './resources';

export interface ForwardTarget {
  readonly kind: 'Pod' | 'Service';
  readonly namespace: string;
  readonly name: string;
  readonly port: number;
}

/**
 * client-node rejects a failed port-forward WebSocket with ws's ErrorEvent: an HTTP refusal only
 * as the text "Unexpected server response: 403" (the Status body is not exposed), a network or
 * TLS failure with the socket error in `.error`.
 */
function portForwardError(err: unknown, server: string, request: RequestDescription, pod: string): KubeError {
  const ev = (typeof err === 'object' && err !== null ? err : {}) as { message?: unknown; error?: unknown };
  const code = /Unexpected server response: (\d{3})/.exec(typeof ev.message === 'string' ? ev.message : '')?.[1];
  if (code === '404') return new KubeError({ kind: 'not-found', code: 404, message: `Pod ${request.namespace ?? ''}/${pod} not found (port-forward).` });
  if (code) return errorFromStatus(Number(code), undefined, request);
  return errorFromTransport(ev.error ?? err, server);
}

/** A writable that drops what it gets (the preflight's streams). */
const discard = () => new Writable({ write: (_chunk, _enc, cb) => cb() });

/**
 * The port-forward protocol (WebSocket, channel v4) through client-node, which owns the WebSocket
 * and its authentication; ModelDock adds the local listener, the up-front probe and the errors.
 */
export function createPortForwardApi(
  core: ClientCore,
  resources: ResourceApi,
  kc: KubeConfig,
  makeForwarder: () => PortForward,
): { portForward(target: ForwardTarget, localPort?: number): Promise<PortForwardHandle> } {
  async function resolveTarget(target: ForwardTarget): Promise<{ pod: string; port: number }> {
    if (target.kind === 'Pod') return { pod: target.name, port: target.port };
    const svc = await resources.get('Service', target.namespace, target.name, 'v1');
    if (!svc) throw new KubeError({ kind: 'not-found', message: `Service ${target.namespace}/${target.name} not found.` });
    const spec = (svc.spec ?? {}) as { selector?: Record<string, unknown>; ports?: { port?: unknown; targetPort?: unknown }[] };
    const selector = Object.entries(spec.selector ?? {})
      .filter(([, v]) => typeof v === 'string')
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(',');
    if (!selector) throw new KubeError({ kind: 'invalid', message: `Service ${target.name} has no selector; forward to a pod instead.` });
    const svcPort = (spec.ports ?? []).find((p) => p.port === target.port);
    const targetPort = svcPort?.targetPort ?? target.port;
    const pods = await resources.list('Pod', target.namespace, { labelSelector: selector });
    const pod = pods.find((p) => p.phase === 'Running' && p.readyCount === p.containers.length) ?? pods.find((p) => p.phase === 'Running');
    if (!pod) throw new KubeError({ kind: 'not-found', message: `No running pod behind service ${target.name}.` });
    let port: number | undefined = typeof targetPort === 'number' ? targetPort : Number.parseInt(String(targetPort), 10);
    if (typeof targetPort === 'string' && !Number.isFinite(port)) {
      port = pod.containers.flatMap((c) => c.ports).find((p) => p.name === targetPort)?.containerPort;
    }
    if (port === undefined || !Number.isFinite(port)) throw new KubeError({ kind: 'invalid', message: `Cannot resolve target port ${String(targetPort)} on pod ${pod.meta.name}.` });
    return { pod: pod.meta.name, port };
  }

  return {
    async portForward(target, localPort = 0) {
      const { pod, port } = await resolveTarget(target);
      const forwarder = makeForwarder();
      const request: RequestDescription = { verb: 'create', resource: 'pods/portforward', namespace: target.namespace };
      const apiServer = kc.getCurrentCluster()?.server ?? '';
      const label = `port-forward ${target.namespace}/${pod}:${port}`;
      // client-node opens one WebSocket per local connection, so a 401/403/404 would otherwise
      // only show as a dropped local socket. One WebSocket opened and closed now surfaces it as a
      // KubeError, as kubectl fails up front. Cost: the kubelet dials the pod's port once.
      const probeInput = new PassThrough();
      const probe = await forwarder.portForward(target.namespace, pod, [port], discard(), discard(), probeInput, 0).catch((err: unknown) => {
        throw portForwardError(err, apiServer, request, pod);
      });
      if (typeof probe !== 'function') probe.close();
      probeInput.destroy();
      const sockets = new Set<net.Socket>();
      const server = net.createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        // A reset from the local application must not become an uncaught 'error'.
        socket.on('error', (err) => core.trace(`${label}: local connection: ${err.message}`));
        // The error channel: the kubelet's reason when it cannot reach the port (the WebSocket
        // closes right after, which ends the socket below). Its first, empty frame is the port.
        const errors = new Writable({
          write(chunk: Buffer, _enc, cb) {
            if (chunk.length > 0) core.trace(`${label}: ${chunk.toString('utf8')}`);
            cb();
          },
        });
        forwarder.portForward(target.namespace, pod, [port], socket, errors, socket, 0).then(
          (ws) => {
            if (typeof ws === 'function') return; // only with retries, which we do not ask for
            // The pod side closed (or the API server dropped us): end the local connection too,
            // after the bytes already written, or the application would wait forever.
            ws.on('close', () => socket.end());
            if (socket.destroyed) ws.close();
            else socket.on('close', () => ws.close());
          },
          (err: unknown) => {
            core.trace(`${label} failed: ${portForwardError(err, apiServer, request, pod).message}`);
            socket.destroy();
          },
        );
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(localPort, '127.0.0.1', () => resolve());
      });
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : localPort;
      return core.track({
        localPort: bound,
        remotePort: port,
        target: `${target.kind.toLowerCase()}/${target.name}`,
        dispose() {
          for (const s of sockets) s.destroy();
          server.close();
        },
      });
    },
  };
}
