// Types for wheelhouse.mjs (plain JavaScript so CI can run it before `npm ci`).
export declare const LOCK_DIR: string;
export declare const TARGET: Readonly<{ python: string; implementation: string; abis: readonly string[]; platforms: readonly string[] }>;
export interface LockedSet {
  name: string;
  file: string;
  text: string;
}
export interface WheelFile {
  file: string;
  /** PEP 503 normalised project name. */
  name: string;
  version: string;
  sha256: string;
  size: number;
}
export interface Wheelhouse {
  dir: string;
  key: string;
  files: WheelFile[];
  downloaded: boolean;
  seconds: number;
}
export interface WheelIndex {
  /** http://HOST:PORT/simple */
  url: string;
  host: string;
  port: number;
  /** Wheel file names served so far, in order. */
  requests: string[];
  close(): Promise<void>;
}
export declare function cacheRoot(): string;
export declare function lockedSets(dir?: string): LockedSet[];
export declare function wheelhouseKey(sets?: LockedSet[]): string;
export declare function normalizeName(name: string): string;
export declare function parseLock(text: string): { name: string; version: string }[];
export declare function wheelProject(file: string): { name: string; version: string } | undefined;
export declare function ensureWheelhouse(options?: { log?: (msg: string) => void }): Promise<Wheelhouse>;
export declare function serveWheelhouse(wheelhouse: Pick<Wheelhouse, 'dir' | 'files'>, options?: { host?: string; port?: number }): Promise<WheelIndex>;
export declare function lockSet(name: string): Promise<void>;
