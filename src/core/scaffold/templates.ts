// Where templates come from. planScaffold only sees the TemplateSource interface, so the
// extension, the CLI, tests and user overrides can each supply their own.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';

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
