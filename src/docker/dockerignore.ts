/**
 * .dockerignore with the Docker CLI's semantics: a port of moby's `ReadAll` (dockerignore parsing),
 * `fileutils.PatternMatcher` (regexp form, as the 20.10 CLI uses it) and the CLI's
 * `TrimBuildFilesFromExcludes`. Gitignore-style libraries differ (no anchoring rules, different
 * `**` and negation handling), which is why this is not built on `ignore`.
 */

export class DockerignoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DockerignoreError';
  }
}

/** Go's path.Clean for slash-separated paths. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** Parses .dockerignore text into the pattern list the CLI hands to its matcher. */
export function parseDockerignore(text: string): string[] {
  const excludes: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const line of lines) {
    // Comments are recognised before trimming, exactly like the CLI.
    if (line.startsWith('#')) continue;
    let pattern = line.trim();
    if (pattern === '') continue;
    const invert = pattern.startsWith('!');
    if (invert) pattern = pattern.slice(1).trim();
    if (pattern.length > 0) {
      pattern = cleanPath(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    excludes.push(invert ? `!${pattern}` : pattern);
  }
  return excludes;
}

export interface CompiledPattern {
  readonly source: string;
  /** The pattern without its `!`. */
  readonly cleaned: string;
  readonly exclusion: boolean;
  readonly dirs: number;
  readonly regexp: RegExp;
}

const REGEX_SPECIALS = new Set(['.', '$', '+', '(', ')', '{', '}', '|', '^']);

function compile(pattern: string): RegExp {
  let re = '^';
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (ch === '*') {
      if (chars[i + 1] === '*') {
        i++;
        // `**/` is treated as `**`.
        if (chars[i + 1] === '/') i++;
        if (i + 1 >= chars.length) re += '.*';
        else re += '(.*/)?';
      } else {
        re += '[^/]*';
      }
    } else if (ch === '?') {
      re += '[^/]';
    } else if (REGEX_SPECIALS.has(ch)) {
      re += `\\${ch}`;
    } else if (ch === '\\') {
      const next = chars[i + 1];
      if (next !== undefined) {
        re += `\\${next}`;
        i++;
      } else {
        re += '\\\\';
      }
    } else if (ch === '[' || ch === ']') {
      re += ch;
    } else {
      re += ch;
    }
  }
  re += '$';
  try {
    // Go's regexp is RE2 and has no `u` quirks for these constructs; `s` makes `.` cross newlines like RE2 does not — keep default.
    return new RegExp(re);
  } catch {
    throw new DockerignoreError(`Invalid .dockerignore pattern "${pattern}"`);
  }
}

function checkSyntax(pattern: string): void {
  // Mirrors filepath.Match's ErrBadPattern cases that matter in practice: unbalanced brackets, trailing escape.
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      if (i === pattern.length - 1) throw new DockerignoreError(`Invalid .dockerignore pattern "${pattern}": trailing backslash`);
      i++;
    } else if (ch === '[') depth++;
    else if (ch === ']') depth = Math.max(0, depth - 1);
  }
  if (depth !== 0) throw new DockerignoreError(`Invalid .dockerignore pattern "${pattern}": unbalanced [ ]`);
}

export class PatternMatcher {
  readonly patterns: readonly CompiledPattern[];
  readonly hasExclusions: boolean;

  constructor(patterns: readonly string[]) {
    const out: CompiledPattern[] = [];
    let exclusions = false;
    for (const raw of patterns) {
      let p = raw.trim();
      if (p === '') continue;
      p = cleanPath(p);
      let exclusion = false;
      if (p.startsWith('!')) {
        if (p.length === 1) throw new DockerignoreError('Illegal exclusion pattern: "!"');
        exclusion = true;
        exclusions = true;
        p = p.slice(1);
      }
      checkSyntax(p);
      out.push({ source: raw, cleaned: p, exclusion, dirs: p.split('/').length, regexp: compile(p) });
    }
    this.patterns = out;
    this.hasExclusions = exclusions;
  }

  /**
   * Whether `file` (slash-separated, relative to the context) is excluded. Every pattern is
   * evaluated and the last one that matches wins; a pattern also matches when it matches the
   * file's ancestor directory with the same number of path segments as the pattern.
   */
  matches(file: string): boolean {
    let matched = false;
    const slash = file.lastIndexOf('/');
    const parentPath = slash < 0 ? '.' : file.slice(0, slash);
    const parentDirs = parentPath.split('/');
    for (const pattern of this.patterns) {
      let match = pattern.regexp.test(file);
      if (!match && parentPath !== '.' && pattern.dirs <= parentDirs.length) {
        match = pattern.regexp.test(parentDirs.slice(0, pattern.dirs).join('/'));
      }
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  }

  /**
   * For an excluded directory: whether the walk must still descend into it because some `!`
   * pattern starts with the directory's path. A textual prefix test, like the CLI's: a negation
   * such as `!**\/keep.txt` does NOT rescue files inside an excluded directory.
   */
  mustDescend(dir: string): boolean {
    if (!this.hasExclusions) return false;
    const dirSlash = `${dir}/`;
    return this.patterns.some((p) => p.exclusion && `${p.cleaned}/`.startsWith(dirSlash));
  }
}

/**
 * The CLI always sends the Dockerfile and .dockerignore, even when ignored, by appending
 * negations for them (build.TrimBuildFilesFromExcludes).
 */
export function trimBuildFilesFromExcludes(excludes: readonly string[], dockerfile: string): string[] {
  const out = [...excludes];
  if (new PatternMatcher(out).matches('.dockerignore')) out.push('!.dockerignore');
  const df = dockerfile.replace(/\\/g, '/');
  if (new PatternMatcher(out).matches(df)) out.push(`!${df}`);
  return out;
}
