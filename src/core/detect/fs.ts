// The only door from detection to the file system: the CLI and the extension use the Node
// implementation, tests can wrap it (to count calls) or replace it.
import * as fsc from 'node:fs';
import { promises as fsp } from 'node:fs';

export type EntryType = 'file' | 'dir' | 'symlink' | 'other';

/** What a folder listing gives per entry (node's Dirent fits as is: no copy per entry). */
export interface DirEntry {
  name: string;
  isFile(): boolean;
  isDirectory(): boolean;
  /** True for a symlink (which is then neither file nor directory here: links are not followed). */
  isSymbolicLink(): boolean;
}

export interface StatInfo {
  type: EntryType;
  size: number;
}

export type ReadResult =
  | { ok: true; text: string }
  | { ok: false; reason: 'too-large'; size: number }
  | { ok: false; reason: 'binary' }
  | { ok: false; reason: 'missing' };

export interface DetectFs {
  /** Entries of a folder with their own type (symlinks are not followed). Rejects on I/O errors. */
  readdir(absPath: string): Promise<DirEntry[]>;
  /** Follows symlinks; null when the path does not exist (or is a dangling link). */
  stat(absPath: string): Promise<StatInfo | null>;
  /** Does not follow symlinks; null when the path does not exist. */
  lstat(absPath: string): Promise<StatInfo | null>;
  /**
   * Reads a text file, refusing (without reading it) one larger than maxBytes and one that looks
   * binary (a NUL byte in the first 8 KiB). Rejects on other I/O errors.
   */
  readFile(absPath: string, maxBytes: number): Promise<ReadResult>;
  realpath(absPath: string): Promise<string>;
}

const BINARY_SNIFF_BYTES = 8192;

export function looksBinary(buf: Uint8Array): boolean {
  const n = Math.min(buf.length, BINARY_SNIFF_BYTES);
  for (let i = 0; i < n; i++) if (buf[i] === 0) return true;
  return false;
}

function typeOf(d: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): EntryType {
  if (d.isFile()) return 'file';
  if (d.isDirectory()) return 'dir';
  if (d.isSymbolicLink()) return 'symlink';
  return 'other';
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP';
}

export const nodeFs: DetectFs = {
  readdir(absPath) {
    return fsp.readdir(absPath, { withFileTypes: true });
  },
  async stat(absPath) {
    try {
      const st = await fsp.stat(absPath);
      return { type: typeOf(st), size: st.size };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  },
  async lstat(absPath) {
    try {
      const st = await fsp.lstat(absPath);
      return { type: typeOf(st), size: st.size };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  },
  readFile(absPath, maxBytes) {
    // Callback API: one promise per file instead of a FileHandle and four promises, which
    // matters when a walk reads two thousand small sources.
    return new Promise<ReadResult>((resolvePromise, reject) => {
      fsc.open(absPath, 'r', (err, fd) => {
        if (err) return isMissing(err) ? resolvePromise({ ok: false, reason: 'missing' }) : reject(err);
        const finish = (result: ReadResult | null, failure?: unknown) =>
          fsc.close(fd, () => (failure !== undefined ? reject(failure) : resolvePromise(result!)));
        fsc.fstat(fd, (err2, st) => {
          if (err2) return finish(null, err2);
          if (!st.isFile()) return finish({ ok: false, reason: 'missing' });
          if (st.size > maxBytes) return finish({ ok: false, reason: 'too-large', size: st.size });
          const buf = Buffer.allocUnsafe(st.size);
          let off = 0;
          const step = () => {
            if (off >= st.size) return done();
            fsc.read(fd, buf, off, st.size - off, off, (err3, n) => {
              if (err3) return finish(null, err3);
              if (n === 0) return done();
              off += n;
              step();
            });
          };
          const done = () => {
            const data = buf.subarray(0, off);
            finish(looksBinary(data) ? { ok: false, reason: 'binary' } : { ok: true, text: data.toString('utf8') });
          };
          step();
        });
      });
    });
  },
  realpath(absPath) {
    return fsp.realpath(absPath);
  },
};
