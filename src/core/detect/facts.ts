// What one file says, independent of every other file: the unit the incremental detector caches.
// The report is always recomputed from the set of FileFacts, so re-parsing one file is enough.
import { printable } from '../safePath';
import type { DependencyFileKind, EntrypointKind, FrameworkName } from './types';

export type PackageOrigin = 'declared' | 'locked' | 'constraint';

export interface PackageFact {
  name: string;
  /** Public part of an exact pin or lock entry, else null. */
  version: string | null;
  local?: string;
  spec: string;
  extras: string[];
  marker?: string;
  /** False when the environment marker excludes Linux: the container never installs it. */
  linux: boolean;
  origin: PackageOrigin;
  line?: number;
  /** Human evidence, e.g. `torch==2.3.1` or `torch 2.3.1 (locked)`. */
  reason: string;
}

export interface IndexUrlFact {
  url: string;
  line?: number;
}

export interface IncludeFact {
  /** Root-relative, `/`-separated, normalised (may start with `../`, or be absolute: never read). */
  path: string;
  constraint: boolean;
  line: number;
  /** `-r https://...`: pip would download it; detection never does. */
  url?: boolean;
}

export interface ImportFact {
  /** Top-level module, e.g. `torch` for `from torch.nn import Linear`. */
  module: string;
  line?: number;
  reason: string;
}

export interface EntrypointFact {
  kind: EntrypointKind;
  line: number;
  /**
   * The file the entrypoint is, when a config names another one (`predict: "predict.py:Predictor"`
   * in cog.yaml); root-relative. Absent: the file that holds the fact.
   */
  target?: string;
  /** The object served (`Predictor`, `svc`, `Model`), when the config names it. */
  object?: string;
}

/** How a source file uses a framework: what builds and trains a model, or what only feeds it data. */
export interface UsageFact {
  framework: FrameworkName;
  use: 'model' | 'data';
  line?: number;
  reason: string;
}

/** A system (apt) package a config asks for: cog `system_packages`, BentoML, Truss. */
export interface SystemPackageFact {
  name: string;
  line?: number;
}

/** Python version claims: lower rank wins (exact pins beat ranges). */
export interface PythonFact {
  version: string;
  rank: number;
  line?: number;
  reason: string;
}

/** A build selection that is not a package: conda `cpuonly`, CUDA in a conda build string... */
export interface HintFact {
  cuda?: string;
  cpu?: boolean;
  gpu?: boolean;
  line?: number;
  reason: string;
}

/** LLM use in a source: `runtime` when it names a serving runtime (an import of vllm), else null. */
export interface LlmSourceFact {
  line: number;
  reason: string;
  runtime: 'vllm' | 'sglang' | 'tgi' | 'llama.cpp' | null;
}

export interface FileFacts {
  file: string;
  dependencyKind?: DependencyFileKind;
  packages: PackageFact[];
  indexUrls: IndexUrlFact[];
  includes: IncludeFact[];
  imports: ImportFact[];
  entrypoints: EntrypointFact[];
  python?: PythonFact;
  hints: HintFact[];
  warnings: string[];
  usage?: UsageFact[];
  systemPackages?: SystemPackageFact[];
  llm?: LlmSourceFact[];
  /** Hugging Face repository ids the source loads. */
  hubModels?: { id: string; line: number }[];
}

export function emptyFacts(file: string, dependencyKind?: DependencyFileKind): FileFacts {
  const f: FileFacts = { file, packages: [], indexUrls: [], includes: [], imports: [], entrypoints: [], hints: [], warnings: [] };
  if (dependencyKind) f.dependencyKind = dependencyKind;
  return f;
}

/** 1-based line of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Line-start offsets, for many offset→line lookups in one file. */
export function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/** First 1-based line at or after `fromLine` matching re; undefined when none. */
export function findLine(lines: readonly string[], re: RegExp, fromLine = 1): number | undefined {
  for (let i = Math.max(0, fromLine - 1); i < lines.length; i++) if (re.test(lines[i]!)) return i + 1;
  return undefined;
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `posix`-style join + normalisation of a root-relative path; keeps leading `../`. */
export function joinRel(dir: string, rel: string): string {
  const parts = (dir ? `${dir}/${rel}` : rel).replace(/\\/g, '/').split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..' && out.length && out[out.length - 1] !== '..') out.pop();
    else out.push(p);
  }
  return out.join('/');
}

export function dirOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

/**
 * Text from a workspace file made fit for evidence: one line, credentials in URLs masked
 * (`https://user:token@host` → `https://***@host`), control characters escaped, cut to `max`.
 */
// Anything shorten has to change: whitespace other than single inner spaces, `@` (a URL's
// credentials), control characters.
// eslint-disable-next-line no-control-regex
const NEEDS_WORK = /[^\S ]| {2}|^ | $|@|[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export function shorten(s: string, max = 100): string {
  // Called for every import statement of every file read: the common case returns at once.
  if (s.length <= max && !NEEDS_WORK.test(s)) return s;
  // Cut before anything else: a workspace line can be megabytes long.
  const one = redactUrls(s.slice(0, max * 4).replace(/\s+/g, ' ').trim());
  const cut = one.length > max ? `${one.slice(0, max - 1)}…` : one;
  return printable(cut, max * 2);
}

/** Masks the user-info part of every URL: tokens in index URLs and VCS requirements. */
export function redactUrls(s: string): string {
  return s.includes('@') ? s.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi, '$1***@') : s;
}

/** `file:line` for messages: the name escaped (file names are workspace input too). */
export function loc(file: string, line?: number): string {
  return line ? `${printable(file)}:${line}` : printable(file);
}

const VERSION_RE = /^[A-Za-z0-9][A-Za-z0-9.!_-]*$/;

/** A version as written, or null when it is not a plausible PEP 440/conda version string. */
export function safeVersion(v: string | null | undefined): string | null {
  return v && v.length <= 64 && VERSION_RE.test(v) ? v : null;
}

/**
 * Reduces a Python version claim to `major.minor`: an exact version as is, a range to its lower
 * bound, the oldest version the project says it supports (`>=3.10,<3.13` → `3.10`, `^3.11` →
 * `3.11`, `python-3.10.12` → `3.10`). Upper bounds and exclusions alone say nothing: null.
 */
export function pythonMajorMinor(spec: string): string | null {
  // A version spec is short; the cap keeps the digit search linear on hostile input.
  for (const clause of spec.slice(0, 200).split(/[,|]/)) {
    const c = clause.trim();
    if (/^(<|<=|!=)/.test(c)) continue;
    const m = /(\d+)\.(\d+)/.exec(c);
    if (m) return `${m[1]}.${m[2]}`;
  }
  return null;
}

/** A lookup table without a prototype: a key like `constructor` finds nothing. */
export function table<T>(entries: Record<string, T>): Readonly<Record<string, T | undefined>> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}
