import { formatBytes } from '../core/format';
import { createReadStream, promises as fsp } from 'node:fs';
import { Readable } from 'node:stream';
import * as path from 'node:path';
import { pack as tarPack } from 'tar-stream';
import { PatternMatcher, parseDockerignore, trimBuildFilesFromExcludes } from './dockerignore';
import type { ContextFile, ContextPlan } from './types';

export interface PlanContextOptions {
  /** Dockerfile path relative to the context root (forward slashes). */
  readonly dockerfile?: string;
  /** Warn above this many bytes; 500 MB by default. */
  readonly thresholdBytes?: number;
  /** How many of the biggest files to report. */
  readonly biggestCount?: number;
}

export const DEFAULT_CONTEXT_THRESHOLD = 500 * 1024 * 1024;

export class ContextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContextError';
  }
}

// Go's filepath.Walk visits names in byte order; UTF-16 order differs outside the BMP.
const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * Lists what the Docker CLI would put in the build context for `root`: the same walk as
 * archive.TarWithOptions with the CLI's excludes. Only stats what is kept, so gigabytes of ignored
 * weights cost nothing. Returns plain data: the caller decides whether to warn before packing.
 */
export async function planContext(root: string, options: PlanContextOptions = {}): Promise<ContextPlan> {
  const absRoot = path.resolve(root);
  const dockerfile = (options.dockerfile ?? 'Dockerfile').replace(/\\/g, '/').replace(/^\.\//, '');
  if (dockerfile.startsWith('../') || path.isAbsolute(dockerfile)) {
    throw new ContextError(`The Dockerfile ${dockerfile} must be inside the build context ${absRoot}`);
  }
  let ignoreText: string | undefined;
  try {
    ignoreText = await fsp.readFile(path.join(absRoot, '.dockerignore'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const excludes = trimBuildFilesFromExcludes(ignoreText === undefined ? [] : parseDockerignore(ignoreText), dockerfile);
  const matcher = new PatternMatcher(excludes);
  const files: ContextFile[] = [];
  let totalBytes = 0;

  const visit = async (rel: string, abs: string): Promise<void> => {
    const entries = (await fsp.readdir(abs, { withFileTypes: true })).sort((a, b) => byteOrder(a.name, b.name));
    // Match first (cheap, in order), then stat the kept entries of this directory in parallel.
    const kept: { name: string; rel: string; abs: string; excluded: boolean }[] = [];
    for (const dirent of entries) {
      const childRel = rel === '' ? dirent.name : `${rel}/${dirent.name}`;
      const excluded = matcher.matches(childRel);
      // An excluded plain file needs no stat at all: ignored weights cost one readdir entry.
      if (excluded && !dirent.isDirectory()) continue;
      if (excluded && !matcher.mustDescend(childRel)) continue;
      kept.push({ name: dirent.name, rel: childRel, abs: path.join(abs, dirent.name), excluded });
    }
    const stats = await Promise.all(kept.map((k) => fsp.lstat(k.abs).catch(() => undefined)));
    for (let i = 0; i < kept.length; i++) {
      const k = kept[i] as (typeof kept)[number];
      const st = stats[i];
      // Like the CLI's walk: an entry that vanished or cannot be stat'ed is skipped.
      if (!st) continue;
      if (k.excluded) {
        if (st.isDirectory()) await visit(k.rel, k.abs);
        continue;
      }
      const mtime = st.mtime;
      const mode = st.mode & 0o7777;
      if (st.isDirectory()) {
        files.push({ rel: k.rel, abs: k.abs, type: 'directory', size: 0, mode, mtime });
        await visit(k.rel, k.abs);
      } else if (st.isSymbolicLink()) {
        const linkTarget = await fsp.readlink(k.abs);
        files.push({ rel: k.rel, abs: k.abs, type: 'symlink', size: 0, mode, mtime, linkTarget });
      } else if (st.isFile()) {
        files.push({ rel: k.rel, abs: k.abs, type: 'file', size: st.size, mode, mtime });
        totalBytes += st.size;
      }
      // Sockets, FIFOs and devices are not useful in an image context and the daemon rejects some.
    }
  };
  await visit('', absRoot);

  if (!files.some((f) => f.rel === dockerfile && f.type !== 'directory')) {
    throw new ContextError(`No Dockerfile at ${path.join(absRoot, dockerfile)}`);
  }
  const threshold = options.thresholdBytes ?? DEFAULT_CONTEXT_THRESHOLD;
  const biggest = files
    .filter((f) => f.type === 'file')
    .sort((a, b) => b.size - a.size)
    .slice(0, options.biggestCount ?? 10)
    .map((f) => ({ rel: f.rel, size: f.size }));
  return {
    root: absRoot,
    dockerfile,
    files,
    totalBytes,
    fileCount: files.filter((f) => f.type === 'file').length,
    excludes,
    biggest,
    overThreshold: totalBytes > threshold,
    thresholdBytes: threshold,
  };
}

/** Files up to this size are read in one call; bigger ones are streamed. */
const SMALL_FILE = 1024 * 1024;
/** Small files read ahead of the tar writer, bounding memory to PREFETCH × SMALL_FILE. */
const PREFETCH = 16;
/** Output is handed on in chunks of about this size: a syscall per 512-byte header is slow. */
const OUTPUT_CHUNK = 64 * 1024;

async function* coalesce(source: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Buffer> {
  let parts: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of source) {
    parts.push(chunk);
    length += chunk.length;
    if (length >= size) {
      yield Buffer.concat(parts, length);
      parts = [];
      length = 0;
    }
  }
  if (length) yield Buffer.concat(parts, length);
}

/**
 * Streams the planned context as a tar. Never holds the whole context: small files are read a
 * few at a time ahead of the writer, large ones streamed; backpressure from the consumer (the
 * HTTP request) pauses reading. Aborting the signal destroys the stream.
 */
export function packContext(plan: ContextPlan, signal?: AbortSignal): Readable {
  const pack = tarPack();
  const onAbort = () => pack.destroy(new Error('Build context streaming aborted'));
  signal?.addEventListener('abort', onAbort, { once: true });

  const streamFile = (file: ContextFile): Promise<void> =>
    new Promise((resolve, reject) => {
      const header = { name: file.rel, size: file.size, mode: file.mode, mtime: file.mtime, uid: 0, gid: 0, type: 'file' as const };
      const entry = pack.entry(header, (err) => (err ? reject(err) : resolve()));
      const input = createReadStream(file.abs);
      input.on('error', (err) => {
        entry.destroy(err);
        reject(err);
      });
      input.pipe(entry as unknown as NodeJS.WritableStream);
    });

  const addBuffer = (file: ContextFile, data: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      // The header carries the size read now: a file that changed since planning stays consistent.
      pack.entry({ name: file.rel, size: data.length, mode: file.mode, mtime: file.mtime, uid: 0, gid: 0, type: 'file' }, data, (err) => (err ? reject(err) : resolve()));
    });

  const files = plan.files;
  const reads = new Map<number, Promise<Buffer>>();
  let next = 0;
  const prefetch = (from: number) => {
    next = Math.max(next, from);
    while (next < files.length && reads.size < PREFETCH) {
      const f = files[next] as ContextFile;
      if (f.type === 'file' && f.size <= SMALL_FILE) {
        const p = fsp.readFile(f.abs);
        p.catch(() => undefined); // surfaced when awaited
        reads.set(next, p);
      }
      next++;
    }
  };

  const run = async () => {
    for (let i = 0; i < files.length; i++) {
      if (signal?.aborted || pack.destroyed) return;
      prefetch(i);
      const file = files[i] as ContextFile;
      if (file.type === 'directory') {
        pack.entry({ name: `${file.rel}/`, type: 'directory', mode: file.mode, mtime: file.mtime, uid: 0, gid: 0 });
      } else if (file.type === 'symlink') {
        pack.entry({ name: file.rel, type: 'symlink', linkname: file.linkTarget ?? '', mode: file.mode, mtime: file.mtime, uid: 0, gid: 0 });
      } else {
        const pending = reads.get(i);
        reads.delete(i);
        if (pending) await addBuffer(file, await pending);
        else await streamFile(file);
      }
    }
    pack.finalize();
  };
  run()
    .catch((err: unknown) => {
      if (!pack.destroyed) pack.destroy(err instanceof Error ? err : new Error(String(err)));
    })
    .finally(() => signal?.removeEventListener('abort', onAbort));
  const out = Readable.from(coalesce(pack as unknown as AsyncIterable<Uint8Array>, OUTPUT_CHUNK), { objectMode: false });
  out.on('close', () => {
    if (!pack.destroyed) pack.destroy();
  });
  return out;
}


export { formatBytes };
