// Framework detection: walk, parse what matters, aggregate. The detector keeps per-file facts so
// that a changed dependency file costs one read and one parse, not a walk.
import { isAbsolute, join, relative, resolve } from 'node:path';
import { artifactFormat, classifyFile, SKIP_DIRS, type FileRole } from './classify';
import { dirOf, emptyFacts, type FileFacts } from './facts';
import { nodeFs, type DetectFs } from './fs';
import { parseByRole } from './parse';
import { aggregate } from './report';
import { findRoutes, type RouteScans } from './routes';
import type { DetectionResult } from './types';
import { isIgnored, walk, type WalkResult } from './walk';

export type { DetectFs, DirEntry, ReadResult, StatInfo } from './fs';
export { nodeFs, looksBinary } from './fs';
export * from './types';
export { parseRequirements } from './requirements';
export { parsePyproject, parsePipfile } from './pyproject';
export { parseSetupCfg, parseSetupPy } from './setup';
export { parseCondaEnv, parseCondaSpec } from './conda';
export { parsePoetryLock, parseUvLock, parsePipfileLock } from './locks';
export { parsePythonSource, parseNotebook } from './python';
export { findRoutes, scanPythonRoutes, type Route } from './routes';
export { parsePythonVersionFile, parseRuntimeTxt, parseByRole } from './parse';
export { parseRequirement, markerMayHoldOnLinux, cudaFromTag, classifyIndexUrl, normalizeName } from './pep508';
export { classifyFile, artifactFormat, type FileRole } from './classify';
export { PACKAGE_FRAMEWORKS, IMPORT_FRAMEWORKS, PRIMARY_ORDER } from './frameworks';
export type { FileFacts } from './facts';

export interface DetectOptions {
  /** Files the walk may see before it stops and says so (default 20,000). */
  fileBudget?: number;
  /** Larger files are never read (default 1 MiB). */
  maxFileBytes?: number;
  /** Python files and notebooks read for imports/entrypoints, shallowest first (default 2,000). */
  maxSourceFiles?: number;
  /** Extra gitignore-syntax patterns, relative to the root. */
  ignore?: readonly string[];
}

export const DEFAULT_FILE_BUDGET = 20_000;
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
export const DEFAULT_MAX_SOURCE_FILES = 2_000;
const READ_CONCURRENCY = 16;

export interface Detector {
  readonly root: string;
  /** Full detection: walks the tree again. */
  detect(): Promise<DetectionResult>;
  /**
   * Re-detects after the given root-relative (or absolute) paths changed, were created or deleted:
   * re-reads only those that matter. Falls back to a full walk when a change can alter the walk
   * itself (.gitignore, a new folder, a model folder's content) or before the first detect().
   */
  update(changedPaths: readonly string[]): Promise<DetectionResult>;
}

function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Runs at most n tasks at once, in submission order. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    active--;
    waiting.shift()?.();
  };
  return (task) =>
    new Promise((resolveTask, rejectTask) => {
      const start = () => {
        active++;
        task().then(resolveTask, rejectTask).finally(release);
      };
      if (active < n) start();
      else waiting.push(start);
    });
}

function errText(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  return e?.code ?? (err instanceof Error ? err.message : String(err));
}

class DetectorImpl implements Detector {
  readonly root: string;
  private readonly opts: Required<DetectOptions>;
  private walked: WalkResult | undefined;
  /** Walked files worth parsing, in walk order. */
  private candidates = new Map<string, FileRole>();
  /** Parsed facts by root-relative path; null: the file does not exist (a missing include). */
  private cache = new Map<string, FileFacts | null>();
  private includeOnly: string[] = [];
  /** Python files scanned for routes; cleared when a .py file changes. */
  private routeScans: RouteScans = new Map();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly fs: DetectFs,
    root: string,
    options: DetectOptions = {},
  ) {
    this.root = root;
    this.opts = {
      fileBudget: options.fileBudget ?? DEFAULT_FILE_BUDGET,
      maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
      maxSourceFiles: options.maxSourceFiles ?? DEFAULT_MAX_SOURCE_FILES,
      ignore: options.ignore ?? [],
    };
  }

  // Runs are serialised: a watcher may call update() while a detect() is still running.
  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.tail.then(op, op);
    this.tail = run.catch(() => undefined);
    return run;
  }

  detect(): Promise<DetectionResult> {
    return this.serial(() => this.full());
  }

  update(changedPaths: readonly string[]): Promise<DetectionResult> {
    return this.serial(() => this.incremental(changedPaths));
  }

  private async full(): Promise<DetectionResult> {
    const t0 = performance.now();
    this.cache.clear();
    this.routeScans.clear();
    // Files are read while the walk goes on: the walk waits on readdir, reads fill the gaps.
    const limit = limiter(READ_CONCURRENCY);
    const loads: Promise<void>[] = [];
    this.walked = await walk(this.fs, this.root, {
      ...this.opts,
      onCandidate: (rel, role) => {
        loads.push(limit(async () => void this.cache.set(rel, await this.load(rel, role))));
      },
    });
    await Promise.all(loads);
    this.candidates = new Map(this.walked.candidates.map((c) => [c.rel, c.role]));
    return this.compute(t0);
  }

  private async incremental(changedPaths: readonly string[]): Promise<DetectionResult> {
    const t0 = performance.now();
    const w = this.walked;
    if (!w) return this.full();
    if (changedPaths.some((p) => p.toLowerCase().endsWith('.py'))) this.routeScans.clear();
    const toLoad: Array<[string, FileRole]> = [];
    for (const raw of changedPaths) {
      const rel = (isAbsolute(raw) ? relative(this.root, raw) : raw).replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
      if (!rel || rel.startsWith('../')) continue;
      const name = rel.slice(rel.lastIndexOf('/') + 1);
      if (name === '.gitignore' || name === 'pyvenv.cfg' || name === 'config.json' || name === 'saved_model.pb') return this.full();
      const parent = dirOf(rel);
      if (this.isUnderSkipped(rel)) continue;
      const role = classifyFile(name, parent.slice(parent.lastIndexOf('/') + 1)) ?? (this.cache.has(rel) ? 'requirements' : undefined);
      const format = artifactFormat(name);
      if (!role && !format) continue;
      const chain = w.state.dirs.get(parent);
      // An unknown parent is a new (or renamed) folder: only a walk knows what else it holds.
      if (!chain) return this.full();
      if ([...w.state.modelDirs].some((d) => d === '' || parent === d || parent.startsWith(`${d}/`))) return this.full();
      if (chain.length && isIgnored(chain, rel, false)) continue;
      if (format) await this.restatArtifact(rel, format);
      if (role) toLoad.push([rel, role]);
    }
    await pool(toLoad, READ_CONCURRENCY, async ([rel, role]) => {
      const facts = await this.load(rel, role);
      this.cache.set(rel, facts);
      const walkedRole = classifyFile(rel.slice(rel.lastIndexOf('/') + 1), dirOf(rel).slice(dirOf(rel).lastIndexOf('/') + 1));
      if (facts && walkedRole) this.candidates.set(rel, walkedRole);
      else if (!facts) this.candidates.delete(rel);
    });
    return this.compute(t0);
  }

  private isUnderSkipped(rel: string): boolean {
    // Folders the walk never enters by name, whether or not they existed at walk time.
    const segments = rel.split('/');
    for (let i = 0; i < segments.length - 1; i++) if (SKIP_DIRS.has(segments[i]!)) return true;
    const skipped = this.walked?.state.skipped;
    if (!skipped?.size) return false;
    for (let i = rel.indexOf('/'); i >= 0; i = rel.indexOf('/', i + 1)) if (skipped.has(rel.slice(0, i))) return true;
    return skipped.has(rel);
  }

  private async restatArtifact(rel: string, format: NonNullable<ReturnType<typeof artifactFormat>>): Promise<void> {
    const w = this.walked!;
    const st = await this.fs.stat(join(this.root, rel)).catch(() => null);
    const i = w.artifacts.findIndex((a) => a.file === rel);
    if (!st || st.type !== 'file') {
      if (i >= 0) w.artifacts.splice(i, 1);
      return;
    }
    if (i >= 0) w.artifacts[i]!.bytes = st.size;
    else {
      w.artifacts.push({ file: rel, format, bytes: st.size });
      w.artifacts.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    }
  }

  /** Reads and parses one file; null when it does not exist. Never throws. */
  private async load(rel: string, role: FileRole): Promise<FileFacts | null> {
    try {
      const r = await this.fs.readFile(join(this.root, rel), this.opts.maxFileBytes);
      if (r.ok) return parseByRole(role, r.text, rel);
      if (r.reason === 'missing') return null;
      const facts = emptyFacts(rel);
      facts.warnings.push(
        r.reason === 'binary'
          ? `${rel}: skipped, looks like a binary file`
          : `${rel}: skipped, ${humanBytes(r.size)} is over the ${humanBytes(this.opts.maxFileBytes)} size limit`,
      );
      return facts;
    } catch (err) {
      const facts = emptyFacts(rel);
      facts.warnings.push(`${rel}: could not read (${errText(err)})`);
      return facts;
    }
  }

  /** Follows -r/-c includes from every file that has them, depth-first, cycle-safe. */
  private async resolveIncludes(): Promise<{ constraintOnly: Set<string>; warnings: string[] }> {
    const warnings: string[] = [];
    const declared = new Set<string>(this.candidates.keys());
    const constrained = new Set<string>();
    const done = new Set<string>();
    const cycles = new Set<string>();
    const includeOnly: string[] = [];
    const get = async (rel: string): Promise<FileFacts | null> => {
      if (this.cache.has(rel)) return this.cache.get(rel) ?? null;
      const facts = await this.load(rel, 'requirements');
      this.cache.set(rel, facts);
      return facts;
    };
    const visit = async (rel: string, viaConstraint: boolean, stack: string[]): Promise<void> => {
      const facts = this.cache.get(rel);
      if (!facts) return;
      for (const inc of facts.includes) {
        const constraint = viaConstraint || inc.constraint;
        const loopAt = stack.indexOf(inc.path);
        if (loopAt >= 0) {
          // The same cycle is met again from each of its files: report it once.
          const ring = stack.slice(loopAt);
          const start = ring.indexOf([...ring].sort()[0]!);
          const key = [...ring.slice(start), ...ring.slice(0, start)].join('\0');
          if (!cycles.has(key)) {
            cycles.add(key);
            warnings.push(`requirements include cycle: ${[...ring, inc.path].join(' -> ')} (each file read once)`);
          }
          continue;
        }
        const target = await get(inc.path);
        if (!target) {
          warnings.push(`${rel}:${inc.line}: included file '${inc.path}' not found`);
          continue;
        }
        if (!this.candidates.has(inc.path) && !includeOnly.includes(inc.path)) includeOnly.push(inc.path);
        (constraint ? constrained : declared).add(inc.path);
        const key = `${inc.path}\0${constraint}`;
        if (done.has(key)) continue;
        done.add(key);
        await visit(inc.path, constraint, [...stack, inc.path]);
      }
    };
    for (const rel of this.candidates.keys()) {
      const f = this.cache.get(rel);
      if (f?.includes.length) await visit(rel, false, [rel]);
    }
    // Cached include targets no longer reached are dropped, so a removed `-r` stops counting.
    for (const rel of this.includeOnly) if (!includeOnly.includes(rel)) this.cache.delete(rel);
    this.includeOnly = includeOnly;
    const constraintOnly = new Set([...constrained].filter((r) => !declared.has(r)));
    return { constraintOnly, warnings };
  }

  private async compute(t0: number): Promise<DetectionResult> {
    const w = this.walked!;
    const inc = await this.resolveIncludes();
    const files: FileFacts[] = [];
    for (const rel of this.candidates.keys()) {
      const f = this.cache.get(rel);
      if (f) files.push(f);
    }
    for (const rel of this.includeOnly) {
      const f = this.cache.get(rel);
      if (f) files.push(f);
    }
    const result = aggregate({
      root: this.root,
      files,
      constraintOnly: inc.constraintOnly,
      artifacts: w.artifacts,
      warnings: [...w.warnings, ...inc.warnings],
      stats: { filesSeen: w.filesSeen, truncated: w.truncated, elapsedMs: Math.round((performance.now() - t0) * 100) / 100 },
    });
    // The served app's routes (health and predict routes for probes and smoke tests).
    if (result.entrypoint && result.entrypoint.kind !== 'script') result.routes = await findRoutes(this.fs, this.root, result.entrypoint.file, { maxFileBytes: this.opts.maxFileBytes, cache: this.routeScans });
    return result;
  }
}

export function createDetector(root: string, options: DetectOptions = {}, fs: DetectFs = nodeFs): Detector {
  return new DetectorImpl(fs, resolve(root), options);
}

export function detect(fs: DetectFs, root: string, options: DetectOptions = {}): Promise<DetectionResult> {
  return new DetectorImpl(fs, root, options).detect();
}

export function detectProject(root: string, options: DetectOptions = {}): Promise<DetectionResult> {
  return createDetector(root, options, nodeFs).detect();
}
