// The tree walk. Breadth-first (shallow files, where manifests live, come first under a budget),
// one readdir per folder with entry types, and a stat only for artifacts: everything else is
// decided from names. Folder reads run concurrently, results are consumed in a fixed order, so
// the outcome (including where a budget cut falls) does not depend on I/O timing.
import ignore, { type Ignore } from 'ignore';
import { sep } from 'node:path';
import { artifactFormat, classifyFile, isHfWeights, isSourceRole, SKIP_DIRS, type FileRole } from './classify';
import { printable } from '../safePath';
import type { DetectFs, DirEntry } from './fs';
import type { Artifact } from './types';

export interface WalkOptions {
  fileBudget: number;
  maxFileBytes: number;
  maxSourceFiles: number;
  /** Extra gitignore-syntax patterns, relative to the root. */
  ignore: readonly string[];
  /** Called as soon as a file worth parsing is found, so reading can overlap the walk. */
  onCandidate?: (rel: string, role: FileRole) => void;
}

export interface IgnoreLayer {
  /** Folder the rules belong to, root-relative ('' for the root). */
  base: string;
  /** Every rule: decides for folders. */
  dirs: Ignore;
  /**
   * Rules that can match a file: a `dir/` rule never does, and files inside an ignored folder
   * are never reached. Null when no rule is left.
   */
  files: Ignore | null;
  /**
   * Literal endings a file name must have for some file rule to match it (`*.log` → `.log`);
   * null when a rule could match any name. Lets most files skip the matcher entirely.
   */
  fileSuffixes: string[] | null;
  /** The same for folders (every rule can match a folder); most folders skip the matcher. */
  dirSuffixes: string[] | null;
  /** 1-based lines of rules left out (too long, or not a pattern the matcher can build). */
  dropped: number[];
}

export interface WalkCandidate {
  rel: string;
  role: FileRole;
}

/** What the incremental detector needs to judge a changed path without walking again. */
export interface WalkState {
  rootReal: string;
  /** Visited folders → the gitignore layers in effect for their entries. */
  dirs: Map<string, IgnoreLayer[]>;
  /** Folders deliberately not entered (virtualenvs, ignored, SKIP_DIRS). */
  skipped: Set<string>;
  /** Folders reported as one artifact (SavedModel, Hugging Face): a change inside needs a re-walk. */
  modelDirs: Set<string>;
}

export interface WalkResult {
  candidates: WalkCandidate[];
  artifacts: Artifact[];
  filesSeen: number;
  truncated: boolean;
  sourceCapHit: boolean;
  warnings: string[];
  state: WalkState;
}

interface DirTask {
  rel: string;
  abs: string;
  /** Real path, derived from the parent's without a syscall unless reached through a link. */
  real: string;
  chain: IgnoreLayer[];
  owner?: Artifact;
  parentName: string;
  /** The folder may hold a Truss config.yaml: it is the root, or it has a `model` folder. */
  truss?: boolean;
}

const CHUNK = 256;
const READ_CONCURRENCY = 8;
const IGNORE_CASE = process.platform === 'win32' || process.platform === 'darwin';

/** Trailing blanks are not part of a rule unless escaped (`foo\ `); linear, whatever the line. */
function trimRule(raw: string): string {
  let end = raw.length;
  while (end > 0 && (raw[end - 1] === ' ' || raw[end - 1] === '\t' || raw[end - 1] === '\r')) end--;
  if (end < raw.length && end > 0 && raw[end - 1] === '\\') end++;
  return end === raw.length ? raw : raw.slice(0, end);
}

/**
 * The literal ending a name must have for this rule to match it (`*.log` → `.log`, `build/` →
 * `build`), or null when the rule could match any name (`foo/*`, `build?`, escapes).
 */
function literalSuffix(body: string): string | null {
  if (body.includes('\\')) return null;
  const last = body.slice(body.lastIndexOf('/') + 1);
  const m = /[*?\]]([^*?\]]*)$/.exec(last);
  const suffix = m ? m[1]! : last;
  return suffix ? (IGNORE_CASE ? suffix.toLowerCase() : suffix) : null;
}

/** Longer rules are dropped: no real pattern is, and the matcher's regex grows with them. */
const MAX_RULE = 1024;

export function compileIgnore(base: string, text: string): IgnoreLayer {
  const rules: string[] = [];
  const fileRules: string[] = [];
  const dropped: number[] = [];
  let suffixes: string[] | null = [];
  let dirSuffixes: string[] | null = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = trimRule(lines[n]!);
    if (!line || line.startsWith('#')) continue;
    if (line.length > MAX_RULE || !compiles(line)) {
      dropped.push(n + 1);
      continue;
    }
    rules.push(line);
    const body = line.startsWith('!') ? line.slice(1) : line;
    const dirOnly = body.endsWith('/');
    if (dirSuffixes !== null) {
      let end = body.length;
      while (dirOnly && end > 0 && body[end - 1] === '/') end--;
      const s = literalSuffix(body.slice(0, end));
      if (s === null) dirSuffixes = null;
      else dirSuffixes.push(s);
    }
    if (dirOnly) continue;
    fileRules.push(line);
    if (suffixes === null) continue;
    const s = literalSuffix(body);
    if (s === null) suffixes = null;
    else suffixes.push(s);
  }
  return {
    base,
    dirs: ignore({ ignorecase: IGNORE_CASE }).add(rules),
    files: fileRules.length ? ignore({ ignorecase: IGNORE_CASE }).add(fileRules) : null,
    fileSuffixes: suffixes,
    dirSuffixes,
    dropped,
  };
}

/** The matcher builds a regex per rule when it first tests a path; a rule it cannot build would throw mid-walk. */
function compiles(rule: string): boolean {
  try {
    ignore({ ignorecase: IGNORE_CASE }).add(rule).test('a/b');
    return true;
  } catch {
    return false;
  }
}

/** Cheap pre-check: can any layer's file rules match this name at all? */
function fileMayBeIgnored(chain: readonly IgnoreLayer[], name: string): boolean {
  for (let k = 0; k < chain.length; k++) if (mayMatchFile(chain[k]!, name)) return true;
  return false;
}

function mayMatchFile(layer: IgnoreLayer, name: string): boolean {
  if (!layer.files) return false;
  return mayMatch(layer.fileSuffixes, name);
}

function mayMatch(sfx: readonly string[] | null, name: string): boolean {
  if (!sfx) return true;
  const n = IGNORE_CASE ? name.toLowerCase() : name;
  for (let i = 0; i < sfx.length; i++) if (n.endsWith(sfx[i]!)) return true;
  return false;
}

/** Git semantics across nested .gitignore files: the deepest file with a matching rule decides. */
export function isIgnored(chain: readonly IgnoreLayer[], rel: string, isDir: boolean): boolean {
  const name = rel.slice(rel.lastIndexOf('/') + 1);
  for (let k = chain.length - 1; k >= 0; k--) {
    const layer = chain[k]!;
    if (isDir ? !mayMatch(layer.dirSuffixes, name) : !mayMatchFile(layer, name)) continue;
    const p = layer.base ? rel.slice(layer.base.length + 1) : rel;
    if (!p) continue;
    const r = isDir ? layer.dirs.test(`${p}/`) : layer.files!.test(p);
    if (r.unignored) return false;
    if (r.ignored) return true;
  }
  return false;
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function errCode(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  return e?.code ?? (err instanceof Error ? err.message : String(err));
}

async function pool<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export async function walk(fs: DetectFs, root: string, opts: WalkOptions): Promise<WalkResult> {
  const warnings: string[] = [];
  const candidates: WalkCandidate[] = [];
  const artifacts: Artifact[] = [];
  const pendingStats: Promise<void>[] = [];
  // Children are joined by concatenation (no path.join per entry), so drop a trailing separator.
  const rootAbs = root.length > 1 ? root.replace(/[\\/]+$/, '') || root : root;
  const rootReal = await fs.realpath(rootAbs);
  const rootPrefix = rootReal.endsWith(sep) ? rootReal : rootReal + sep;
  const state: WalkState = { rootReal, dirs: new Map(), skipped: new Set(), modelDirs: new Set() };
  let filesSeen = 0;
  let truncated = false;
  let sourceCount = 0;
  let sourceCapHit = false;

  const baseChain: IgnoreLayer[] = opts.ignore.length ? [compileIgnore('', opts.ignore.join('\n'))] : [];

  const statInto = (abs: string, onSize: (size: number) => void) => {
    pendingStats.push(
      fs.stat(abs).then(
        (st) => {
          if (st) onSize(st.size);
        },
        () => undefined,
      ),
    );
  };

  // Hot path: runs for every file. The relative path string is only built when needed.
  const addFile = (owner: Artifact | undefined, d: DirTask, name: string): boolean => {
    if (filesSeen >= opts.fileBudget) {
      truncated = true;
      return false;
    }
    filesSeen++;
    let role = classifyFile(name, d.parentName);
    // config.yaml is everywhere (Hydra, apps): read only where a Truss config can live.
    if (role === 'truss' && d.rel && !d.truss) role = undefined;
    if (role) {
      const rel = d.rel ? `${d.rel}/${name}` : name;
      if (!isSourceRole(role) || sourceCount < opts.maxSourceFiles) {
        if (isSourceRole(role)) sourceCount++;
        candidates.push({ rel, role });
        opts.onCandidate?.(rel, role);
      } else sourceCapHit = true;
    }
    if (owner) {
      statInto(d.abs + sep + name, (size) => {
        owner.bytes += size;
      });
    } else addArtifact(d, name);
    return true;
  };

  const addArtifact = (d: DirTask, name: string): void => {
    const format = artifactFormat(name);
    if (!format) return;
    const a: Artifact = { file: d.rel ? `${d.rel}/${name}` : name, format, bytes: 0 };
    statInto(d.abs + sep + name, (size) => {
      a.bytes = size;
      artifacts.push(a);
    });
  };

  let level: DirTask[] = [{ rel: '', abs: rootAbs, real: rootReal, chain: baseChain, parentName: '' }];
  while (level.length && !truncated) {
    const nextLevel: DirTask[] = [];
    for (let c = 0; c < level.length && !truncated; c += CHUNK) {
      const chunk = level.slice(c, c + CHUNK);
      const listed: Array<{ entries: DirEntry[] | null; gitignore?: string }> = new Array(chunk.length);
      await pool(chunk, READ_CONCURRENCY, async (d, i) => {
        let entries: DirEntry[] | null = null;
        try {
          entries = await fs.readdir(d.abs);
        } catch (err) {
          warnings.push(`could not read folder ${d.rel ? printable(d.rel) : '.'}: ${errCode(err)}`);
        }
        const slot: { entries: DirEntry[] | null; gitignore?: string } = { entries };
        if (entries?.some((e) => e.name === '.gitignore' && e.isFile())) {
          const name = printable(d.rel ? `${d.rel}/.gitignore` : '.gitignore');
          try {
            const r = await fs.readFile(d.abs + sep + '.gitignore', opts.maxFileBytes);
            if (r.ok) slot.gitignore = r.text;
            else if (r.reason !== 'missing') warnings.push(`${name}: not read (${r.reason === 'too-large' ? 'too large' : r.reason === 'binary' ? 'binary' : 'not a regular file'})`);
          } catch (err) {
            warnings.push(`${name}: could not read (${errCode(err)})`);
          }
        }
        listed[i] = slot;
      });

      for (let i = 0; i < chunk.length && !truncated; i++) {
        const d = chunk[i]!;
        const entries = listed[i]?.entries;
        if (!entries) continue;
        // One pass for the folder-level markers. A virtualenv or conda env can have any name.
        let env = false;
        let savedModel = false;
        let hfConfig = false;
        let truss = false;
        for (let k = 0; k < entries.length; k++) {
          const n = entries[k]!.name;
          if (n === 'pyvenv.cfg' || n === 'conda-meta') env = true;
          else if (n === 'saved_model.pb') savedModel = true;
          else if (n === 'config.json') hfConfig = true;
          else if (n === 'model' && entries[k]!.isDirectory()) truss = true;
        }
        if (env && d.rel) {
          state.skipped.add(d.rel);
          continue;
        }
        const gi = listed[i]!.gitignore;
        let chain = d.chain;
        if (gi !== undefined) {
          const layer = compileIgnore(d.rel, gi);
          chain = [...d.chain, layer];
          const name = printable(d.rel ? `${d.rel}/.gitignore` : '.gitignore');
          for (const line of layer.dropped.slice(0, 5)) warnings.push(`${name}:${line}: rule left out (over ${MAX_RULE} characters, or not a valid pattern)`);
        }
        state.dirs.set(d.rel, chain);
        let owner = d.owner;
        if (!owner) {
          const format = savedModel ? 'savedmodel' : hfConfig && entries.some((e) => isHfWeights(e.name)) ? 'huggingface' : undefined;
          if (format) {
            owner = { file: d.rel || '.', format, bytes: 0 };
            artifacts.push(owner);
            state.modelDirs.add(d.rel);
          }
        }
        const here: DirTask = owner && owner !== d.owner ? { ...d, owner, truss } : truss ? { ...d, truss } : d;
        entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        for (const e of entries) {
          const name = e.name;
          if (e.isFile()) {
            if (chain.length && fileMayBeIgnored(chain, name) && isIgnored(chain, d.rel ? `${d.rel}/${name}` : name, false)) {
              // Weights are usually gitignored, yet `docker build` still sends them: report them
              // as artifacts (their size matters for the build context), but read nothing.
              if (!owner) addArtifact(d, name);
              continue;
            }
            if (!addFile(owner, here, name)) break;
            continue;
          }
          const rel = d.rel ? `${d.rel}/${name}` : name;
          if (e.isDirectory()) {
            if (SKIP_DIRS.has(name) || (chain.length && isIgnored(chain, rel, true))) {
              state.skipped.add(rel);
              continue;
            }
            nextLevel.push({ rel, abs: d.abs + sep + name, real: d.real + sep + name, chain, parentName: name, ...(owner ? { owner } : {}) });
          } else if (e.isSymbolicLink()) {
            // A link is followed only to somewhere inside the root: a workspace's links can point
            // anywhere (`requirements.txt -> /etc/passwd`, `data -> /`), and detection reads
            // nothing outside the folder it was given.
            const abs = d.abs + sep + name;
            let real: string;
            try {
              real = await fs.realpath(abs);
            } catch (err) {
              if (!isMissing(err)) warnings.push(`${printable(rel)}: could not resolve symlink (${errCode(err)})`);
              continue; // dangling link
            }
            if (real === d.real || d.real.startsWith(real + sep)) {
              warnings.push(`${printable(rel)}: skipped symlink loop (points to an enclosing folder)`);
              continue;
            }
            if (real !== rootReal && !real.startsWith(rootPrefix)) {
              warnings.push(`${printable(rel)}: skipped, a symlink to outside the project folder`);
              continue;
            }
            let st;
            try {
              st = await fs.stat(real);
            } catch {
              st = null;
            }
            if (!st) continue;
            if (chain.length && isIgnored(chain, rel, st.type === 'dir')) continue;
            // A linked file is read (through its real path, checked again when read); a linked
            // folder inside the root is walked under its own name, or deliberately skipped.
            if (st.type === 'file' && !addFile(owner, here, name)) break;
          }
        }
      }
    }
    level = nextLevel;
  }
  await Promise.all(pendingStats);
  if (truncated) {
    warnings.push(`stopped after ${opts.fileBudget} files (file budget reached): detection may be incomplete; raise the budget (modeldock.detect.fileBudget) to scan more`);
  }
  if (sourceCapHit) {
    warnings.push(`read imports from the first ${opts.maxSourceFiles} Python files/notebooks only (shallowest first); others were not scanned`);
  }
  artifacts.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { candidates, artifacts, filesSeen, truncated, sourceCapHit, warnings, state };
}
