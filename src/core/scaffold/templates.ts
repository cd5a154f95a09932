// Where templates come from. planScaffold only sees the TemplateSource interface, so the
// extension, the CLI, tests and user overrides can each supply their own.
import { existsSync, lstatSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { printable, realPathInside } from '../safePath';

export interface TemplateSource {
  /** Template text by name, `/`-separated relative to the templates root (e.g. `common/compose.yaml.tmpl`). Throws when missing. */
  read(name: string): string;
  /** Whether `read(name)` would succeed. */
  has(name: string): boolean;
}

/** A marker file that only ModelDock's templates folder has. */
const MARKER = join('common', 'dockerignore.tmpl');

function checkName(name: string): void {
  // Template names come from code, but an override folder must never be escaped.
  if (name.split('/').some((p) => p === '..' || p === '') || name.startsWith('/')) throw new Error(`bad template name '${name}'`);
}

/** Templates read from a folder on disk. */
export function dirTemplateSource(root: string): TemplateSource {
  const abs = resolve(root);
  const file = (name: string): string => {
    checkName(name);
    return join(abs, ...name.split('/'));
  };
  return {
    read(name) {
      return readFileSync(file(name), 'utf8');
    },
    has(name) {
      try {
        return statSync(file(name)).isFile();
      } catch {
        return false;
      }
    },
  };
}

export interface WorkspaceTemplateOptions {
  /**
   * Whether the workspace is trusted. Untrusted: no override is read at all (a template is code
   * that shapes what gets built and deployed).
   */
  trusted: boolean;
  /** The overrides folder, relative to the workspace (default `.modeldock/templates`). */
  dir?: string;
  /** Larger override files are ignored (default 256 KiB). */
  maxBytes?: number;
  /** Told about each override that exists but is ignored, and why (once per name). */
  onIgnored?: (name: string, reason: string) => void;
}

export const WORKSPACE_TEMPLATES_DIR = '.modeldock/templates';

/**
 * Template overrides from a workspace folder, read only when their real path lies inside the
 * workspace: a symlinked override (or folder) that leads elsewhere is ignored and reported
 * through `onIgnored`, never read into generated output.
 */
export function workspaceTemplateSource(workspaceRoot: string, options: WorkspaceTemplateOptions): TemplateSource {
  const root = resolve(workspaceRoot);
  const dir = join(root, ...(options.dir ?? WORKSPACE_TEMPLATES_DIR).split('/'));
  const maxBytes = options.maxBytes ?? 256 * 1024;
  const reported = new Set<string>();
  const ignore = (name: string, reason: string): null => {
    if (!reported.has(name)) {
      reported.add(name);
      options.onIgnored?.(name, reason);
    }
    return null;
  };
  const resolveOverride = (name: string): string | null => {
    checkName(name);
    if (!options.trusted) return null;
    const file = join(dir, ...name.split('/'));
    let present: boolean;
    try {
      lstatSync(file);
      present = true;
    } catch {
      present = false;
    }
    if (!present) return null;
    const real = realPathInside(root, file);
    if (real === null) return ignore(name, `${printable(file)} leads outside the workspace (a symlink) or points nowhere`);
    const st = statSync(real);
    if (!st.isFile()) return ignore(name, `${printable(file)} is not a file`);
    if (st.size > maxBytes) return ignore(name, `${printable(file)} is larger than ${maxBytes} bytes`);
    return real;
  };
  return {
    read(name) {
      const real = resolveOverride(name);
      if (real === null) throw new Error(`template override not available: ${name}`);
      return readFileSync(real, 'utf8');
    },
    has: (name) => resolveOverride(name) !== null,
  };
}

/** Overrides first (e.g. a workspace `.modeldock/templates/`), then the built-in templates. */
export function overlayTemplateSource(override: TemplateSource, fallback: TemplateSource): TemplateSource {
  return {
    read: (name) => (override.has(name) ? override.read(name) : fallback.read(name)),
    has: (name) => override.has(name) || fallback.has(name),
  };
}

/** In-memory templates (tests, webviews). */
export function mapTemplateSource(files: Record<string, string>): TemplateSource {
  return {
    read(name) {
      const t = files[name];
      if (t === undefined) throw new Error(`template not found: ${name}`);
      return t;
    },
    has: (name) => files[name] !== undefined,
  };
}

/**
 * Finds the repository's `templates/` folder from a starting directory: `dist/` (bundled
 * extension and CLI: `dist/../templates`) or `src/core/scaffold/` under tsx (walk upward).
 */
export function findTemplatesDir(start: string): string | null {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, 'templates');
    if (existsSync(join(candidate, MARKER))) return candidate;
    const parent = dirname(dir);
    if (parent === dir || dir.endsWith(`${sep}node_modules`)) return null;
    dir = parent;
  }
}

/** The built-in templates for Node hosts (CLI, extension host, tests). */
export function nodeTemplateSource(start?: string): TemplateSource {
  const from = start ?? (typeof __dirname === 'string' ? __dirname : process.cwd());
  const dir = findTemplatesDir(from) ?? findTemplatesDir(process.cwd());
  if (!dir) throw new Error(`ModelDock templates not found above ${from} (expected a templates/${MARKER.replace(sep, '/')})`);
  return dirTemplateSource(dir);
}
