import type { LogOptions, LogStream } from '../types';
import type { ClientCore } from './core';

/**
 * The pod log protocol: one streaming GET per container. No idle timeout (a quiet container is
 * not a dead connection); the header deadline and the caller's dispose end it.
 */
export function createLogsApi(core: ClientCore): {
  logs(namespace: string, pod: string, container: string, opts: LogOptions, sink: (text: string) => void): Promise<LogStream>;
} {
  return {
    async logs(namespace, pod, container, opts, sink) {
      const handle = await core.transport.stream(
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`,
        {
          query: {
            container,
            follow: opts.follow ? true : undefined,
            tailLines: opts.tailLines,
            sinceSeconds: opts.sinceSeconds,
            timestamps: opts.timestamps ? true : undefined,
            previous: opts.previous ? true : undefined,
          },
          describe: { verb: 'get', resource: 'pods/log', namespace },
        },
        sink,
      );
      return core.track({ ended: handle.ended.then(() => undefined), dispose: () => handle.abort() });
    },
  };
}
