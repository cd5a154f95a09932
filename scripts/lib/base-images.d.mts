// Types for base-images.mjs (plain JavaScript so CI can run it before `npm ci`).
export declare const BUSYBOX_IMAGE: 'local/busybox:1';
export declare const PYTHON_BARE_IMAGE: 'modeldock-test/python:3.11-bare';
export declare const PYTHON_SLIM_IMAGE: 'python:3.11-slim';
export declare const RECIPE_LABEL: string;
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}
export declare function exec(cmd: string, args: readonly string[], options?: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string }): Promise<ExecResult>;
export interface EnsureOptions {
  log?: (msg: string) => void;
}
export declare function ensureBusybox(options?: EnsureOptions): Promise<'local/busybox:1'>;
export declare function ensurePythonBare(options?: EnsureOptions): Promise<'modeldock-test/python:3.11-bare'>;
export declare function ensurePythonSlim(options?: EnsureOptions): Promise<'python:3.11-slim'>;
export declare function imageSize(name: string): Promise<number | undefined>;
