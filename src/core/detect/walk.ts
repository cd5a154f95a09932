// The tree walk. Breadth-first (shallow files, where manifests live, come first under a budget),
// one readdir per folder with entry types, and a stat only for artifacts: everything else is
// decided from names. Folder reads run concurrently, results are consumed in a fixed order, so
// the outcome (including where a budget cut falls) does not depend on I/O timing.
import ignore, { type Ignore } from 'ignore';
import { join, sep } from 'node:path';
import { artifactFormat, classifyFile, isHfWeights, isSourceRole, SKIP_DIRS, type FileRole } from './classify';
import type { DetectFs, DirEntry } from './fs';
import type { Artifact } from './types';

export interface WalkOptions {
  fileBudget: number;
  maxFileBytes: number;
  maxSourceFiles: number;
  /** Extra gitignore-syntax patterns, relative to the root. */
  ignore: readonly string[];
}

export interface IgnoreLayer {
  /** Folder the rules belong to, root-relative ('' for the root). */
  base: string;
  ig: Ignore;
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
}

const CHUNK = 256;
const READ_CONCURRENCY = 8;
const IGNORE_CASE = process.platform === 'win32' || process.platform === 'darwin';

export function newIgnore(patterns: string): Ignore {
  return ignore({ ignorecase: IGNORE_CASE }).add(patterns);
}

/** Git semantics across nested .gitignore files: the deepest file with a matching rule decides. */
export function isIgnored(chain: readonly IgnoreLayer[], rel: string, isDir: boolean): boolean {
  for (let k = chain.length - 1; k >= 0; k--) {
    const layer = chain[k]!;
    const p = layer.base ? rel.slice(layer.base.length + 1) : rel;
    if (!p) continue;
    const r = layer.ig.test(isDir ? `${p}/` : p);
    if (r.unignored) return false;
    if (r.ignored) return true;
  }
  return false;
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
  const rootReal = await fs.realpath(root);
  const state: WalkState = { rootReal, dirs: new Map(), skipped: new Set(), modelDirs: new Set() };
  const outsideVisited = new Set<string>();
  let filesSeen = 0;
  let truncated = false;
  let sourceCount = 0;
  let sourceCapHit = false;

  const baseChain: IgnoreLayer[] = opts.ignore.length ? [{ base: '', ig: newIgnore(opts.ignore.join('\n')) }] : [];

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

  const addFile = (d: DirTask, name: string, rel: string, abs: string): boolean => {
    if (filesSeen >= opts.fileBudget) {
      truncated = true;
      return false;
    }
    filesSeen++;
    const role = classifyFile(name, d.parentName);
    if (role) {
      if (isSourceRole(role)) {
        if (sourceCount < opts.maxSourceFiles) {
          sourceCount++;
          candidates.push({ rel, role });
        } else sourceCapHit = true;
      } else candidates.push({ rel, role });
    }
    if (d.owner) {
      const owner = d.owner;
      statInto(abs, (size) => {
        owner.bytes += size;
      });
    } else {
      const format = artifactFormat(name);
      if (format) {
        const a: Artifact = { file: rel, format, bytes: 0 };
        statInto(abs, (size) => {
          a.bytes = size;
          artifacts.push(a);
        });
      }
    }
    return true;
  };

  let level: DirTask[] = [{ rel: '', abs: root, real: rootReal, chain: baseChain, parentName: '' }];
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
          warnings.push(`could not read folder ${d.rel || '.'}: ${errCode(err)}`);
        }
        const slot: { entries: DirEntry[] | null; gitignore?: string } = { entries };
        if (entries?.some((e) => e.name === '.gitignore' && e.type === 'file')) {
          try {
            const r = await fs.readFile(join(d.abs, '.gitignore'), opts.maxFileBytes);
            if (r.ok) slot.gitignore = r.text;
            else if (r.reason !== 'missing') warnings.push(`${d.rel ? `${d.rel}/` : ''}.gitignore: not read (${r.reason === 'binary' ? 'binary' : 'too large'})`);
          } catch (err) {
            warnings.push(`${d.rel ? `${d.rel}/` : ''}.gitignore: could not read (${errCode(err)})`);
          }
        }
        listed[i] = slot;
      });

      for (let i = 0; i < chunk.length && !truncated; i++) {
        const d = chunk[i]!;
        const entries = listed[i]?.entries;
        if (!entries) continue;
        // A virtualenv or conda env can have any name: recognise it by its marker.
        if (d.rel && entries.some((e) => (e.name === 'pyvenv.cfg' && e.type === 'file') || (e.name === 'conda-meta' && e.type === 'dir'))) {
          state.skipped.add(d.rel);
          continue;
        }
        const gi = listed[i]!.gitignore;
        const chain = gi !== undefined ? [...d.chain, { base: d.rel, ig: newIgnore(gi) }] : d.chain;
        state.dirs.set(d.rel, chain);
        let owner = d.owner;
        if (!owner) {
          const names = entries.map((e) => e.name);
          const format = names.includes('saved_model.pb') ? 'savedmodel' : names.includes('config.json') && names.some(isHfWeights) ? 'huggingface' : undefined;
          if (format) {
            owner = { file: d.rel || '.', format, bytes: 0 };
            artifacts.push(owner);
            state.modelDirs.add(d.rel);
          }
        }
        const here: DirTask = owner ? { ...d, owner } : d;
        const dirName = d.rel.slice(d.rel.lastIndexOf('/') + 1);
        entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        for (const e of entries) {
          const rel = d.rel ? `${d.rel}/${e.name}` : e.name;
          if (e.type === 'dir') {
            if (SKIP_DIRS.has(e.name) || (chain.length && isIgnored(chain, rel, true))) {
              state.skipped.add(rel);
              continue;
            }
            nextLevel.push({ rel, abs: join(d.abs, e.name), real: d.real + sep + e.name, chain, parentName: e.name, ...(owner ? { owner } : {}) });
          } else if (e.type === 'file') {
            if (chain.length && isIgnored(chain, rel, false)) continue;
            if (!addFile({ ...here, parentName: dirName }, e.name, rel, join(d.abs, e.name))) break;
          } else if (e.type === 'symlink') {
            const abs = join(d.abs, e.name);
            let st;
            try {
              st = await fs.stat(abs);
            } catch {
              st = null;
            }
            if (!st) continue; // dangling link
            if (chain.length && isIgnored(chain, rel, st.type === 'dir')) continue;
            if (st.type === 'file') {
              if (!addFile({ ...here, parentName: dirName }, e.name, rel, abs)) break;
              continue;
            }
            if (st.type !== 'dir' || SKIP_DIRS.has(e.name)) continue;
            let real: string;
            try {
              real = await fs.realpath(abs);
            } catch (err) {
              warnings.push(`${rel}: could not resolve symlink (${errCode(err)})`);
              continue;
            }
            const isAncestor = d.real === real || d.real.startsWith(real + sep);
            if (isAncestor) {
              warnings.push(`${rel}: skipped symlink loop (points to an enclosing folder)`);
              continue;
            }
            // Inside the root, the target is walked (or deliberately skipped) under its own name.
            if (real === rootReal || real.startsWith(rootReal + sep) || outsideVisited.has(real)) continue;
            outsideVisited.add(real);
            nextLevel.push({ rel, abs, real, chain, parentName: e.name, ...(owner ? { owner } : {}) });
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
