// The one channel to the extension host. acquireVsCodeApi may be called once per page, so the
// page makes one Host and passes it down.
import type { PersistedState, WebviewToHost } from './protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState<T>(state: T): T;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface Host {
  send(msg: WebviewToHost): void;
  saved(): unknown;
  save(state: PersistedState): void;
}

export function connect(): Host {
  const api = acquireVsCodeApi();
  return {
    send: (msg) => api.postMessage(msg),
    saved: () => api.getState(),
    save: (state) => void api.setState(state),
  };
}
