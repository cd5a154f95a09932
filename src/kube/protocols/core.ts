import type { Transport } from '../http';
import type { ClientTuning } from '../tuning';
import type { Disposable } from '../types';

/**
 * What every protocol of one client shares: the one transport (and with it the credentials and
 * the keep-alive agent), the limits, the diagnostics sink, and the list of what it opened so that
 * disposing the client closes every watch, log stream and port-forward.
 */
export interface ClientCore {
  readonly transport: Transport;
  readonly tuning: ClientTuning;
  /** The context's namespace, or `default`. */
  readonly defaultNamespace: string;
  readonly watchTimeoutSeconds: number;
  trace(message: string): void;
  /** Registers something the client must close on dispose; its own dispose unregisters it. */
  track<T extends Disposable>(d: T): T;
}

export function ownedSet(): { track: ClientCore['track']; disposeAll(): void } {
  const owned = new Set<Disposable>();
  return {
    track(d) {
      owned.add(d);
      const original = d.dispose.bind(d);
      d.dispose = () => {
        owned.delete(d);
        original();
      };
      return d;
    },
    disposeAll() {
      for (const d of [...owned]) d.dispose();
    },
  };
}
