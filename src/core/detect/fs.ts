// The only door from detection to the file system: the CLI and the extension use the Node
// implementation, tests can wrap it (to count calls) or replace it.
import * as fsc from 'node:fs';
import { promises as fsp } from 'node:fs';
import { isUtf8 } from 'node:buffer';

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
  /** `lossy`: the bytes were not valid UTF-8; invalid sequences were replaced (U+FFFD). */
  | { ok: true; text: string; lossy?: boolean }
  | { ok: false; reason: 'too-large'; size: number }
  | { ok: false; reason: 'binary' }
  | { ok: false; reason: 'missing' }
  /** The last path component is a symlink: never followed by readFile (the caller decides). */
  | { ok: false; reason: 'symlink' }
  /** A folder, FIFO, socket or device: never read. */
  | { ok: false; reason: 'not-a-file' };

export interface DetectFs {
  /** Entries of a folder with their own type (symlinks are not followed). Rejects on I/O errors. */
  readdir(absPath: string): Promise<DirEntry[]>;
  /** Follows symlinks; null when the path does not exist (or is a dangling link). */
  stat(absPath: string): Promise<StatInfo | null>;
  /** Does not follow symlinks; null when the path does not exist. */
  lstat(absPath: string): Promise<StatInfo | null>;
  /**
   * Reads a regular file as text, refusing (without reading it) one larger than maxBytes (never
   * more than MAX_TEXT_BYTES, whatever maxBytes says), one that looks binary, one whose last
   * component is a symlink, and anything that is not a regular file (opening never blocks on a
   * FIFO). UTF-8, with UTF-8/UTF-16 byte order marks honoured. Rejects on other I/O errors.
   */
  readFile(absPath: string, maxBytes: number): Promise<ReadResult>;
  realpath(absPath: string): Promise<string>;
}

/**
 * Hard ceiling on what detection reads as text, whatever the options say: a requirements file or
 * a notebook larger than this is not something to parse in an editor, and a setting (which a
 * workspace could once set) must not turn detection into a way to fill memory.
 */
export const MAX_TEXT_BYTES = 16 * 1024 * 1024;

const BINARY_SNIFF_BYTES = 8192;

export function looksBinary(buf: Uint8Array): boolean {
  // Native search: this runs on every file read, mostly in a cold process.
  return buf.subarray(0, BINARY_SNIFF_BYTES).indexOf(0) >= 0;
}

/**
 * Bytes → text. A UTF-16 file (what PowerShell's `pip freeze > requirements.txt` writes) is
 * recognised by its byte order mark before the NUL-byte sniff would call it binary.
 */
export function decodeText(buf: Buffer): ReadResult {
  if (buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff))) {
    const le = buf[0] === 0xff;
    const body = buf.subarray(2, 2 + ((buf.length - 2) & ~1));
    if (le) return { ok: true, text: body.toString('utf16le') };
    const swapped = Buffer.from(body);
    swapped.swap16();
    return { ok: true, text: swapped.toString('utf16le') };
  }
  if (looksBinary(buf)) return { ok: false, reason: 'binary' };
  const start = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  const body = start ? buf.subarray(start) : buf;
  const text = body.toString('utf8');
  return isUtf8(body) ? { ok: true, text } : { ok: true, text, lossy: true };
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

// O_NOFOLLOW: a symlink in the last component fails with ELOOP instead of being followed.
// O_NONBLOCK: opening a FIFO a workspace planted under a dependency-file name returns at once
// (it is then refused by fstat) instead of blocking a thread-pool thread forever.
const C = fsc.constants;
const OPEN_FLAGS = C.O_RDONLY | (C.O_NOFOLLOW ?? 0) | (C.O_NONBLOCK ?? 0);

function openFailure(err: unknown): ReadResult | null {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ELOOP') return { ok: false, reason: 'symlink' };
  if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: 'missing' };
  if (code === 'EISDIR') return { ok: false, reason: 'not-a-file' };
  return null;
}

/** The same read as nodeFs.readFile, synchronously: for the CLI, where nothing else waits. */
export function readTextFileSync(absPath: string, maxBytes: number): ReadResult {
  const limit = Math.min(maxBytes, MAX_TEXT_BYTES);
  let fd: number;
  try {
    fd = fsc.openSync(absPath, OPEN_FLAGS);
  } catch (err) {
    const r = openFailure(err);
    if (r) return r;
    throw err;
  }
  try {
    const st = fsc.fstatSync(fd);
    if (!st.isFile()) return { ok: false, reason: 'not-a-file' };
    if (st.size > limit) return { ok: false, reason: 'too-large', size: st.size };
    const buf = Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < st.size) {
      const n = fsc.readSync(fd, buf, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    return decodeText(buf.subarray(0, off));
  } finally {
    fsc.closeSync(fd);
  }
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
    const limit = Math.min(maxBytes, MAX_TEXT_BYTES);
    // Callback API: one promise per file instead of a FileHandle and four promises, which
    // matters when a walk reads two thousand small sources.
    return new Promise<ReadResult>((resolvePromise, reject) => {
      fsc.open(absPath, OPEN_FLAGS, (err, fd) => {
        if (err) {
          const r = openFailure(err);
          return r ? resolvePromise(r) : reject(err);
        }
        const finish = (result: ReadResult | null, failure?: unknown) =>
          fsc.close(fd, () => (failure !== undefined ? reject(failure) : resolvePromise(result!)));
        fsc.fstat(fd, (err2, st) => {
          if (err2) return finish(null, err2);
          if (!st.isFile()) return finish({ ok: false, reason: 'not-a-file' });
          if (st.size > limit) return finish({ ok: false, reason: 'too-large', size: st.size });
          // A file that grows after fstat is read up to the size fstat gave, never further.
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
          const done = () => finish(decodeText(buf.subarray(0, off)));
          step();
        });
      });
    });
  },
  realpath(absPath) {
    return fsp.realpath(absPath);
  },
};

/** nodeFs with synchronous reads: faster where nothing else shares the thread (the CLI). */
export const nodeFsSyncReads: DetectFs = {
  ...nodeFs,
  readFile(absPath, maxBytes) {
    try {
      return Promise.resolve(readTextFileSync(absPath, maxBytes));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  },
};
