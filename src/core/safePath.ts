// Where a generated file may be written, decided from the real file system, not from the path
// text: a workspace is hostile input, and its symlinks can point anywhere. Shared by the CLI's
// writer and the extension's WorkspaceEdit writer so both refuse the same things.
import { lstatSync, realpathSync, type Stats } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

export class UnsafePathError extends Error {
  constructor(
    readonly rel: string,
    readonly reason: string,
  ) {
    super(`Refusing to write ${printable(rel)}: ${reason}`);
    this.name = 'UnsafePathError';
  }
}

export interface WriteTarget {
  /** As given, `/` separators. */
  rel: string;
  /** Absolute path under the real root. */
  abs: string;
  /** A regular file is already there. */
  exists: boolean;
}

/** A name for messages: control characters shown as escapes, long names cut. */
export function printable(s: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const escaped = s.replace(/[\u0000-\u001f\u007f\u0080-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > max ? `${escaped.slice(0, max)}…` : escaped;
}

function within(root: string, p: string): boolean {
  const r = relative(root, p);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r) && r.split(sep)[0] !== '..');
}

function lstatOrNull(p: string): Stats | null {
  try {
    return lstatSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Checks that `rel` can be written under `root` without leaving it. Refuses: absolute paths,
 * `..`, empty or control-character components; a folder on the way that is a symlink resolving
 * outside the root (a link inside the root is followed); a final component that is a symlink
 * (dangling or not: writing through it would create or overwrite its target); anything on the
 * way that is not a folder. Synchronous and cheap: a few lstat calls per file.
 */
export function checkWriteTarget(root: string, rel: string): WriteTarget {
  const parts = rel.split('/');
  if (rel === '' || isAbsolute(rel) || /^[A-Za-z]:/.test(rel)) throw new UnsafePathError(rel, 'the path must be relative to the project folder');
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..') throw new UnsafePathError(rel, `the path has a '${part || '(empty)'}' component`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(part)) throw new UnsafePathError(rel, 'the file name contains control characters');
    if (part.includes('\\')) throw new UnsafePathError(rel, 'the file name contains a backslash');
  }
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    throw new UnsafePathError(rel, `the project folder ${printable(root)} does not exist`);
  }
  let dir = realRoot;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = join(dir, parts[i]!);
    const st = lstatOrNull(next);
    if (st === null) {
      // Nothing there yet: the rest of the path is created fresh, inside `dir`.
      return { rel, abs: join(next, ...parts.slice(i + 1)), exists: false };
    }
    if (st.isSymbolicLink()) {
      let target: string;
      try {
        target = realpathSync(next);
      } catch {
        throw new UnsafePathError(rel, `${printable(parts.slice(0, i + 1).join('/'))} is a symlink that points nowhere`);
      }
      if (!within(realRoot, target)) throw new UnsafePathError(rel, `${printable(parts.slice(0, i + 1).join('/'))} is a symlink that leads outside the project (${printable(target)})`);
      if (!lstatSync(target).isDirectory()) throw new UnsafePathError(rel, `${printable(parts.slice(0, i + 1).join('/'))} is not a folder`);
      dir = target;
      continue;
    }
    if (!st.isDirectory()) throw new UnsafePathError(rel, `${printable(parts.slice(0, i + 1).join('/'))} exists and is not a folder`);
    dir = next;
  }
  const abs = join(dir, parts[parts.length - 1]!);
  const st = lstatOrNull(abs);
  if (st === null) return { rel, abs, exists: false };
  if (st.isSymbolicLink()) throw new UnsafePathError(rel, 'it is a symlink; ModelDock never writes through a link (replace it with a regular file, or remove it)');
  if (!st.isFile()) throw new UnsafePathError(rel, 'it exists and is not a regular file');
  return { rel, abs, exists: true };
}

/**
 * Resolves a path a workspace names for reading (an include, a template) and returns its real
 * path only when it lies inside `root`; null otherwise. Missing files are null too.
 */
export function realPathInside(root: string, candidate: string): string | null {
  try {
    const realRoot = realpathSync(root);
    const real = realpathSync(candidate);
    return within(realRoot, real) ? real : null;
  } catch {
    return null;
  }
}
