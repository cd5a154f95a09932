// Framework detection: walk, parse what matters, aggregate. The detector keeps per-file facts so
// that a changed dependency file costs one read and one parse, not a walk.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { printable } from '../safePath';
import { artifactFormat, classifyFile, SKIP_DIRS, type FileRole } from './classify';
import { dirOf, emptyFacts, type FileFacts } from './facts';
import { MAX_TEXT_BYTES, nodeFs, type DetectFs, type ReadResult } from './fs';
import { parseByRole } from './parse';
import { aggregate } from './report';
import { findRoutes, type RouteScans } from './routes';
import { llmConfigFiles, llmFinding } from './llm';
import type { DetectionResult } from './types';
import { isIgnored, walk, type WalkResult } from './walk';

export type { DetectFs, DirEntry, ReadResult, StatInfo } from './fs';
export { nodeFs, nodeFsSyncReads, looksBinary, decodeText, MAX_TEXT_BYTES } from './fs';
export * from './types';
export { parseRequirements } from './requirements';
export { parsePyproject, parsePipfile } from './pyproject';
export { parseSetupCfg, parseSetupPy } from './setup';
export { parseCondaEnv, parseCondaSpec } from './conda';
export { parsePoetryLock, parseUvLock, parsePipfileLock } from './locks';
export { parsePythonSource, parseNotebook } from './python';
export { findRoutes, scanPythonRoutes, type Route } from './routes';
export { parsePythonVersionFile, parseRuntimeTxt, parseByRole } from './parse';
export { parseRequirement, parseWheelName, markerMayHoldOnLinux, cudaFromTag, classifyIndexUrl, normalizeName } from './pep508';
export { parseCogYaml, parseBentofile, parseTrussConfig } from './serving';
export { classifyFile, artifactFormat, type FileRole } from './classify';
export { PACKAGE_FRAMEWORKS, IMPORT_FRAMEWORKS, PRIMARY_ORDER, RUNS_ON } from './frameworks';
export type { FileFacts, UsageFact } from './facts';

export interface DetectOptions {
  /** Files the walk may see before it stops and says so (default 20,000). */
  fileBudget?: number;
  /** Larger files are never read (default 1 MiB; never more than MAX_TEXT_BYTES, 16 MiB). */
  maxFileBytes?: number;
  /** Python files and notebooks read for imports/entrypoints, shallowest first (default 2,000). */
  maxSourceFiles?: number;
  /** Extra gitignore-syntax patterns, relative to the root. */
  ignore?: readonly string[];
}

export const DEFAULT_FILE_BUDGET = 20_000;
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
export const DEFAULT_MAX_SOURCE_FILES = 2_000;
/** Ceiling on fileBudget, whatever the options say (a walk of a million names is already minutes). */
export const MAX_FILE_BUDGET = 1_000_000;
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

function errText(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  return e?.code ?? (err instanceof Error ? err.message : String(err));
}

function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** A whole number within [min, max]; the fallback when the value is missing or not a number. */
function clamp(value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.floor(value)));
}

/** An include that names something outside the root by its text alone (`..`, absolute, `~`). */
function outsideByName(rel: string): boolean {
  return rel === '..' || rel.startsWith('../') || rel.startsWith('/') || rel.startsWith('~') || /^[A-Za-z]:/.test(rel);
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
  /**
   * Hugging Face model folders' listings and config.json texts (null: unreadable), read once per
   * walk: a change inside a model folder or to a config.json walks again, which clears them.
   */
  private llmListings = new Map<string, string[]>();
  private llmConfigs = new Map<string, string | null>();
  private rootRealP: Promise<string> | undefined;
  /** The root with one trailing separator. */
  private readonly prefix: string;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly fs: DetectFs,
    root: string,
    options: DetectOptions = {},
  ) {
    this.root = root;
    this.prefix = root.endsWith(sep) || root.endsWith('/') ? root : root + sep;
    // Options may come from settings a workspace wrote: clamp them here, whoever the caller is.
    this.opts = {
      fileBudget: clamp(options.fileBudget, DEFAULT_FILE_BUDGET, 1, MAX_FILE_BUDGET),
      maxFileBytes: clamp(options.maxFileBytes, DEFAULT_MAX_FILE_BYTES, 1, MAX_TEXT_BYTES),
      maxSourceFiles: clamp(options.maxSourceFiles, DEFAULT_MAX_SOURCE_FILES, 0, MAX_FILE_BUDGET),
      ignore: options.ignore ?? [],
    };
  }

  /** The root's real path, resolved once per full run (only symlinks and includes need it). */
  private rootReal(): Promise<string> {
    this.rootRealP ??= this.fs.realpath(this.root);
    return this.rootRealP;
  }

  /**
   * The real path of a file under the root, or null when it resolves outside the root (through a
   * symlinked file or folder). Missing files reject with ENOENT like realpath.
   */
  private async realInside(abs: string): Promise<string | null> {
    const [rootReal, real] = await Promise.all([this.rootReal(), this.fs.realpath(abs)]);
    return real.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep) ? real : null;
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
    this.llmListings.clear();
    this.llmConfigs.clear();
    this.rootRealP = undefined;
    // Files are read while the walk goes on: the walk waits on readdir, reads fill the gaps. A
    // few workers drain one queue (not a promise per file: two thousand sources are common).
    const queue: Array<[string, FileRole]> = [];
    let next = 0;
    let active = 0;
    const workers: Promise<void>[] = [];
    const work = async () => {
      active++;
      try {
        while (next < queue.length) {
          const [rel, role] = queue[next++]!;
          this.cache.set(rel, await this.load(rel, role));
        }
      } finally {
        active--;
      }
    };
    this.walked = await walk(this.fs, this.root, {
      ...this.opts,
      onCandidate: (rel, role) => {
        queue.push([rel, role]);
        if (active < READ_CONCURRENCY) workers.push(work());
      },
    });
    await Promise.all(workers);
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
    const abs = this.prefix + rel;
    // Like the walk: a link is followed only to somewhere inside the root (not even its size is read otherwise).
    const link = await this.fs.lstat(abs).catch(() => null);
    const target = link?.type === 'symlink' ? await this.realInside(abs).catch(() => null) : abs;
    const st = target ? await this.fs.stat(target).catch(() => null) : null;
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

  /**
   * Reads and parses one file; null when it does not exist. Never throws, never reads outside the
   * root: a symlink is followed only when its real path is inside, and `resolve` (for paths the
   * walk did not list, such as includes) checks every folder on the way, not only the last link.
   */
  private async load(rel: string, role: FileRole, resolveFirst = false): Promise<FileFacts | null> {
    const name = printable(rel);
    const warn = (text: string): FileFacts => {
      const facts = emptyFacts(rel);
      facts.warnings.push(`${name}: ${text}`);
      return facts;
    };
    try {
      // rel is normalised (walked names, checked includes): no path.join per file.
      const abs = this.prefix + rel;
      let r: ReadResult;
      if (resolveFirst) {
        const real = await this.realInside(abs).catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err)));
        if (real === undefined) return null;
        if (real === null) return warn('skipped, it resolves to a file outside the project folder (symlink)');
        r = await this.fs.readFile(real, this.opts.maxFileBytes);
      } else {
        r = await this.fs.readFile(abs, this.opts.maxFileBytes);
        if (!r.ok && r.reason === 'symlink') {
          const real = await this.realInside(abs).catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err)));
          if (real === undefined) return null;
          if (real === null) return warn('skipped, a symlink to a file outside the project folder');
          r = await this.fs.readFile(real, this.opts.maxFileBytes);
        }
      }
      if (r.ok) {
        const facts = parseByRole(role, r.text, rel);
        if (r.lossy) facts.warnings.unshift(`${name}: not valid UTF-8; read with the invalid bytes replaced`);
        return facts;
      }
      switch (r.reason) {
        case 'missing':
          return null;
        case 'binary':
          return warn('skipped, looks like a binary file');
        case 'too-large':
          return warn(`skipped, ${humanBytes(r.size)} is over the ${humanBytes(this.opts.maxFileBytes)} size limit (modeldock.detect.maxFileSizeKB)`);
        case 'symlink':
          return warn('skipped, a symlink changed while it was read');
        case 'not-a-file':
          return warn('skipped, not a regular file');
      }
    } catch (err) {
      return warn(`could not read (${errText(err)})`);
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
      // Not listed by the walk: every folder on the way may be a link, so resolve first.
      const facts = await this.load(rel, 'requirements', true);
      this.cache.set(rel, facts);
      return facts;
    };
    const visit = async (rel: string, viaConstraint: boolean, stack: string[]): Promise<void> => {
      const facts = this.cache.get(rel);
      if (!facts) return;
      for (const inc of facts.includes) {
        const constraint = viaConstraint || inc.constraint;
        const where = `${printable(rel)}:${inc.line}`;
        if (inc.url) {
          warnings.push(`${where}: the ${inc.constraint ? 'constraints' : 'requirements'} file is a URL; not fetched`);
          continue;
        }
        if (outsideByName(inc.path)) {
          warnings.push(`${where}: included file ${printable(inc.path)} is outside the project folder; not read`);
          continue;
        }
        const loopAt = stack.indexOf(inc.path);
        if (loopAt >= 0) {
          // The same cycle is met again from each of its files: report it once.
          const ring = stack.slice(loopAt);
          const start = ring.indexOf([...ring].sort()[0]!);
          const key = [...ring.slice(start), ...ring.slice(0, start)].join('\0');
          if (!cycles.has(key)) {
            cycles.add(key);
            warnings.push(`requirements include cycle: ${[...ring, inc.path].map((x) => printable(x)).join(' -> ')} (each file read once)`);
          }
          continue;
        }
        const target = await get(inc.path);
        if (!target) {
          warnings.push(`${where}: included file ${printable(inc.path)} not found`);
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

  /** The LLM part of the report: lists model folders and reads their config.json (both bounded, inside the root). */
  private async llm(result: DetectionResult, files: readonly FileFacts[]): Promise<DetectionResult['llm']> {
    const folders = result.artifacts.filter((a) => a.format === 'huggingface').slice(0, 200);
    for (const a of folders) {
      if (this.llmListings.has(a.file)) continue;
      const abs = a.file === '.' ? this.root : this.prefix + a.file;
      let names: string[] = [];
      try {
        // A linked model folder was walked only because it resolves inside the root; listing it reads no more.
        names = (await this.fs.readdir(abs)).filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name).slice(0, LLM_LISTING_MAX);
      } catch {
        names = [];
      }
      this.llmListings.set(a.file, names);
    }
    const configs = new Map<string, string>();
    for (const rel of llmConfigFiles(result.artifacts, this.llmListings)) {
      if (!this.llmConfigs.has(rel)) this.llmConfigs.set(rel, await this.readSmallText(rel, LLM_CONFIG_MAX_BYTES));
      const text = this.llmConfigs.get(rel);
      if (text) configs.set(rel, text);
      else result.warnings.push(`${printable(rel)}: not read (too large, a link outside the project, or not a regular file): the model folder it describes is not checked for an LLM`);
    }
    return llmFinding({ packages: result.packages, files, artifacts: result.artifacts, listings: this.llmListings, configs });
  }

  /** A small text file inside the root (links followed only inside), or null. Never throws. */
  private async readSmallText(rel: string, maxBytes: number): Promise<string | null> {
    try {
      const real = await this.realInside(this.prefix + rel);
      if (!real) return null;
      const r = await this.fs.readFile(real, Math.min(maxBytes, this.opts.maxFileBytes));
      return r.ok ? r.text : null;
    } catch {
      return null;
    }
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
    result.llm = await this.llm(result, files);
    // A folder of LLM weights and nothing else (no Python, no dependency file) is served on GPUs.
    if (result.accelerator === 'cpu' && result.frameworks.length === 0 && result.llm?.models.some((m) => m.kind === 'huggingface')) {
      result.accelerator = 'gpu';
    }
    // The served app's routes (health and predict routes for probes and smoke tests).
    if (result.entrypoint && result.entrypoint.kind !== 'script') result.routes = await findRoutes(this.fs, this.root, result.entrypoint.file, { maxFileBytes: this.opts.maxFileBytes, cache: this.routeScans });
    return result;
  }
}

/** Most config.json files are a few KB; a model's is never near this. */
const LLM_CONFIG_MAX_BYTES = 1024 * 1024;
/** Entries listed per model folder (shards, tokenizer files): more is not a model folder. */
const LLM_LISTING_MAX = 10_000;

export function createDetector(root: string, options: DetectOptions = {}, fs: DetectFs = nodeFs): Detector {
  return new DetectorImpl(fs, resolve(root), options);
}

export function detect(fs: DetectFs, root: string, options: DetectOptions = {}): Promise<DetectionResult> {
  return new DetectorImpl(fs, root, options).detect();
}

export function detectProject(root: string, options: DetectOptions = {}): Promise<DetectionResult> {
  return createDetector(root, options, nodeFs).detect();
}
