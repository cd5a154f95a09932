// The only door from detection to the file system: the CLI and the extension use the Node
// implementation, tests can wrap it (to count calls) or replace it.
import { promises as fsp } from 'node:fs';

export type EntryType = 'file' | 'dir' | 'symlink' | 'other';

export interface DirEntry {
  name: string;
  type: EntryType;
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
  async readdir(absPath) {
    const dirents = await fsp.readdir(absPath, { withFileTypes: true });
    const out: DirEntry[] = new Array(dirents.length);
    for (let i = 0; i < dirents.length; i++) {
      const d = dirents[i]!;
      out[i] = { name: d.name, type: typeOf(d) };
    }
    return out;
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
  async readFile(absPath, maxBytes) {
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(absPath, 'r');
    } catch (err) {
      if (isMissing(err)) return { ok: false, reason: 'missing' };
      throw err;
    }
    try {
      // One fstat on the open handle: the size check costs no extra path lookup.
      const st = await fh.stat();
      if (!st.isFile()) return { ok: false, reason: 'missing' };
      if (st.size > maxBytes) return { ok: false, reason: 'too-large', size: st.size };
      const buf = Buffer.allocUnsafe(st.size);
      let off = 0;
      while (off < st.size) {
        const { bytesRead } = await fh.read(buf, off, st.size - off, off);
        if (bytesRead === 0) break;
        off += bytesRead;
      }
      const data = buf.subarray(0, off);
      if (looksBinary(data)) return { ok: false, reason: 'binary' };
      return { ok: true, text: data.toString('utf8') };
    } finally {
      await fh.close();
    }
  },
  realpath(absPath) {
    return fsp.realpath(absPath);
  },
};
