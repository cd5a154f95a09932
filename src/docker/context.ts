import { createReadStream, promises as fsp } from 'node:fs';
import type { Readable } from 'node:stream';
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
    for (const dirent of entries) {
      const name = dirent.name;
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const childAbs = path.join(abs, name);
      const excluded = matcher.matches(childRel);
      // An excluded plain file needs no stat at all: ignored weights cost one readdir entry.
      if (excluded && !dirent.isDirectory()) continue;
      let st;
      try {
        st = await fsp.lstat(childAbs);
      } catch {
        // Like the CLI's walk: an entry that vanished or cannot be stat'ed is skipped.
        continue;
      }
      if (excluded) {
        if (st.isDirectory() && matcher.mustDescend(childRel)) await visit(childRel, childAbs);
        continue;
      }
      const mtime = st.mtime;
      const mode = st.mode & 0o7777;
      if (st.isDirectory()) {
        files.push({ rel: childRel, abs: childAbs, type: 'directory', size: 0, mode, mtime });
        await visit(childRel, childAbs);
      } else if (st.isSymbolicLink()) {
        const linkTarget = await fsp.readlink(childAbs);
        files.push({ rel: childRel, abs: childAbs, type: 'symlink', size: 0, mode, mtime, linkTarget });
      } else if (st.isFile()) {
        files.push({ rel: childRel, abs: childAbs, type: 'file', size: st.size, mode, mtime });
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

/**
 * Streams the planned context as a tar, one file open at a time; backpressure from the consumer
 * (the HTTP request) pauses reading. Aborting the signal destroys the stream.
 */
export function packContext(plan: ContextPlan, signal?: AbortSignal): Readable {
  const pack = tarPack();
  const onAbort = () => pack.destroy(new Error('Build context streaming aborted'));
  signal?.addEventListener('abort', onAbort, { once: true });

  const writeFile = (file: ContextFile): Promise<void> =>
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

  const run = async () => {
    for (const file of plan.files) {
      if (signal?.aborted || pack.destroyed) return;
      if (file.type === 'directory') {
        pack.entry({ name: `${file.rel}/`, type: 'directory', mode: file.mode, mtime: file.mtime, uid: 0, gid: 0 });
      } else if (file.type === 'symlink') {
        pack.entry({ name: file.rel, type: 'symlink', linkname: file.linkTarget ?? '', mode: file.mode, mtime: file.mtime, uid: 0, gid: 0 });
      } else {
        await writeFile(file);
      }
    }
    pack.finalize();
  };
  run()
    .catch((err: unknown) => {
      if (!pack.destroyed) pack.destroy(err instanceof Error ? err : new Error(String(err)));
    })
    .finally(() => signal?.removeEventListener('abort', onAbort));
  return pack as unknown as Readable;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
