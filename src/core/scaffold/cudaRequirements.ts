// Requirements as the image should install them. A CPU image must never pull CUDA builds
// (`torch==2.3.1+cu121`, a cu121 wheel index, nvidia-*-cu12 wheels, `jax[cuda12]`), and a GPU
// image built on a framework's own image must not reinstall that framework over it. pip reads
// requirement files as written, so the affected files get a generated twin next to them
// (`requirements.modeldock-cpu.txt`) with those lines rewritten and each change said in a comment;
// the user's own files stay untouched. Line-oriented and linear: no backtracking patterns.
import { classifyIndexUrl, parseRequirement } from '../detect/pep508';
import type { DeclaredPackage } from '../detect/types';
import { printable } from '../safePath';

export type RewriteMode =
  | { kind: 'cpu' }
  /** The base image already carries `framework` at `version` (with its CUDA). */
  | { kind: 'framework-image'; framework: 'pytorch' | 'tensorflow'; version: string };

export interface RequirementEdit {
  /** The text written after the change, or null when the requirement is dropped. */
  text: string | null;
  why: string;
}

const TORCH_COMPANIONS = new Set(['torch', 'torchvision', 'torchaudio']);
const JAX_CUDA_EXTRA = /^cuda/;

function isCudaLocal(local: string | undefined): boolean {
  return local !== undefined && (local.startsWith('cu') || local.startsWith('rocm'));
}

function isNvidiaCudaWheel(name: string): boolean {
  // nvidia-cudnn-cu12, nvidia-cublas-cu11, nvidia-nccl-cu12...: CUDA libraries shipped as wheels.
  if (!name.startsWith('nvidia-')) return false;
  const at = name.lastIndexOf('-cu');
  return at > 0 && /^\d+$/.test(name.slice(at + 3));
}

/** Removes `+label` after the version (kept otherwise as written). */
function stripLocal(text: string, local: string): string {
  const at = text.toLowerCase().indexOf(`+${local.toLowerCase()}`);
  return at < 0 ? text : text.slice(0, at) + text.slice(at + 1 + local.length);
}

/** Rewrites the `[extras]` right after the name: `keep` decides per extra; the brackets go when none is left. */
function filterExtras(text: string, keep: (extra: string) => boolean): string {
  const open = text.indexOf('[');
  const close = open < 0 ? -1 : text.indexOf(']', open);
  if (open < 0 || close < 0) return text;
  const extras = text
    .slice(open + 1, close)
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e && keep(e.toLowerCase().replace(/[-_.]+/g, '-')));
  return `${text.slice(0, open)}${extras.length ? `[${extras.join(',')}]` : ''}${text.slice(close + 1)}`;
}

/**
 * What a requirement (as written, without per-requirement options) becomes in `mode`; null when
 * it stays as it is. Never adds anything the project did not ask for.
 */
export function rewriteRequirement(spec: string, mode: RewriteMode): RequirementEdit | null {
  const req = parseRequirement(spec);
  if (!req || req.url) return null;
  const text = spec.trim();
  if (mode.kind === 'cpu') {
    if (isNvidiaCudaWheel(req.name)) return { text: null, why: 'a CUDA library wheel, not needed on CPU' };
    let out = text;
    const why: string[] = [];
    if (req.name === 'onnxruntime-gpu') {
      const nameEnd = text.search(/[\s[(<>=!~;@]|$/);
      out = `onnxruntime${out.slice(nameEnd)}`;
      why.push('the CPU package of the same version');
    }
    if (isCudaLocal(req.local)) {
      out = stripLocal(out, req.local!);
      why.push(`the +${req.local} local version is a CUDA build${TORCH_COMPANIONS.has(req.name) ? '; the CPU build comes from the PyTorch CPU index' : ''}`);
    }
    const cudaExtra = (e: string): boolean => (req.name === 'jax' || req.name === 'jaxlib' ? JAX_CUDA_EXTRA.test(e) : req.name === 'tensorflow' ? e === 'and-cuda' : false);
    if (req.extras.some(cudaExtra)) {
      out = filterExtras(out, (e) => !cudaExtra(e));
      why.push('its CUDA extra installs CUDA wheels');
    }
    return out === text ? null : { text: out, why: why.join('; ') };
  }
  // Framework image: the framework and its CUDA are already installed.
  if (mode.framework === 'pytorch' && TORCH_COMPANIONS.has(req.name) && isCudaLocal(req.local)) {
    if (req.name === 'torch' && req.version !== mode.version) return null;
    return { text: stripLocal(text, req.local!), why: `the base image carries the CUDA build${req.name === 'torch' ? ` of torch ${mode.version}` : 's'}; without the local label it is satisfied as installed` };
  }
  if (mode.framework === 'tensorflow' && req.name === 'tensorflow' && req.extras.includes('and-cuda')) {
    return { text: filterExtras(text, (e) => e !== 'and-cuda'), why: 'the base image already has CUDA; [and-cuda] would add the CUDA wheels again' };
  }
  return null;
}

/** Whether an index or find-links URL serves CUDA (or ROCm) builds, which a CPU image must not see. */
export function isCudaIndex(url: string): boolean {
  const c = classifyIndexUrl(url);
  if (c.cuda || c.rocm) return true;
  // The old all-builds page lists CUDA wheels next to CPU ones (and CUDA local labels sort higher).
  return url.includes('download.pytorch.org/whl/torch_stable.html');
}

// ---------------------------------------------------------------- requirement files

export interface Twin {
  /** The user's file (project-relative, `/`). */
  file: string;
  /** The generated file next to it. */
  twin: string;
  content: string;
}

export interface RewriteResult {
  /** Generated files, the main file's twin first; empty when nothing needs rewriting. */
  twins: Twin[];
  /** One short line per change (`torch==2.3.1+cu121 -> torch==2.3.1`), for the Dockerfile comment and the notes. */
  changes: string[];
  /** Files that could not be read (the twin was reconstructed from detection for the main one). */
  unreadable: string[];
}

const MAX_FILES = 32;

function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/** `a/b/../c` → `a/c`; null when it leaves the project. */
function normalize(p: string): string | null {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}

export function twinName(file: string, mode: RewriteMode): string {
  const suffix = mode.kind === 'cpu' ? 'modeldock-cpu' : 'modeldock-gpu';
  const slash = file.lastIndexOf('/');
  const base = file.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base;
  return `${file.slice(0, slash + 1)}${stem}.${suffix}.txt`;
}

interface Logical {
  /** The physical lines as written. */
  raw: string[];
  /** Joined content without the comment. */
  content: string;
}

function logicalLines(text: string): Logical[] {
  const out: Logical[] = [];
  let raw: string[] = [];
  let buf = '';
  // pip splits with Python's str.splitlines(): these are all line breaks to it.
  // eslint-disable-next-line no-control-regex
  for (const line of text.replace(/^\uFEFF/, '').split(/\r\n|[\n\r\v\f\u001c-\u001e\u0085\u2028\u2029]/)) {
    raw.push(line);
    // pip: `#` at the start or after whitespace starts a comment, which also ends the logical line.
    let hash = -1;
    for (let i = 0; i < line.length; i++) {
      if (line[i] === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) {
        hash = i;
        break;
      }
    }
    if (hash >= 0) {
      buf += line.slice(0, hash);
    } else if (line.endsWith('\\')) {
      buf += `${line.slice(0, -1)} `;
      continue;
    } else {
      buf += line;
    }
    out.push({ raw, content: buf.trim() });
    raw = [];
    buf = '';
  }
  if (raw.length) out.push({ raw, content: buf.trim() });
  return out;
}

const INCLUDE = new Set(['-r', '--requirement', '-c', '--constraint']);
const INDEX = new Set(['-i', '--index-url', '--extra-index-url', '-f', '--find-links']);

function splitOption(content: string): { opt: string; value: string; sep: string } {
  let i = 0;
  while (i < content.length && content[i] !== '=' && content[i] !== ' ' && content[i] !== '\t') i++;
  let opt = content.slice(0, i);
  let rest = content.slice(i);
  // `-rfile.txt` is `-r file.txt` for pip's short options.
  if (/^-[rcif]./.test(opt) && !opt.startsWith('--')) {
    rest = opt.slice(2) + rest;
    opt = opt.slice(0, 2);
  }
  const sep = rest.startsWith('=') ? '=' : ' ';
  return { opt, value: rest.replace(/^[=\s]+/, '').trim(), sep };
}

/** The requirement part of a line and its per-requirement options (`--hash=...`). */
function splitRequirement(content: string): { spec: string; options: string[] } {
  const parts = content.split(/\s+/);
  const first = parts.findIndex((p, i) => i > 0 && p.startsWith('--'));
  if (first < 0) return { spec: content, options: [] };
  return { spec: parts.slice(0, first).join(' '), options: parts.slice(first) };
}

interface Parsed {
  lines: Logical[];
  includes: { line: number; path: string }[];
}

/**
 * Twins for the requirement files `main` reaches through -r/-c, for `mode`. A file gets a twin
 * when one of its lines changes or when it includes a file that has one (its include then
 * points at the twin). `read` gives a project file's text (undefined when it cannot be read).
 */
export function rewriteRequirementFiles(
  main: string,
  mode: RewriteMode,
  read: (rel: string) => string | undefined,
  fallback: { packages: DeclaredPackage[]; indexUrls: string[] },
): RewriteResult {
  const parsed = new Map<string, Parsed>();
  const unreadable: string[] = [];
  const queue = [main];
  while (queue.length && parsed.size < MAX_FILES) {
    const file = queue.shift()!;
    if (parsed.has(file)) continue;
    const text = read(file);
    if (text === undefined) {
      unreadable.push(file);
      parsed.set(file, { lines: [], includes: [] });
      continue;
    }
    const lines = logicalLines(text);
    const includes: Parsed['includes'] = [];
    lines.forEach((l, i) => {
      if (!l.content.startsWith('-')) return;
      const o = splitOption(l.content);
      if (!INCLUDE.has(o.opt) || !o.value || /^[a-z][a-z0-9+.-]*:\/\//i.test(o.value)) return;
      const target = normalize(`${dirOf(file) ? `${dirOf(file)}/` : ''}${o.value.replace(/^["']|["']$/g, '')}`);
      if (target !== null) {
        includes.push({ line: i, path: target });
        queue.push(target);
      }
    });
    parsed.set(file, { lines, includes });
  }

  const changes: string[] = [];
  const where = (file: string): string => (file === main ? '' : `${file}: `);
  // On a framework image the framework comes from the image: once its CUDA-labelled pins are
  // rewritten, a CUDA wheel index serves nothing left (and an unreachable one stalls pip on every
  // package), so it goes too, unless a requirement the rewrite keeps still names a CUDA build.
  const keepsCudaBuild =
    mode.kind === 'framework-image' &&
    [...parsed.values()].some((f) =>
      f.lines.some((l) => {
        if (!l.content || l.content.startsWith('-')) return false;
        const { spec } = splitRequirement(l.content);
        return /\+(cu|rocm)\d/i.test(spec) && rewriteRequirement(spec, mode) === null;
      }),
    );
  const dropIndex = (url: string | undefined): boolean => url !== undefined && isCudaIndex(url) && (mode.kind === 'cpu' || (mode.kind === 'framework-image' && !keepsCudaBuild));
  const edited = new Map<string, Map<number, string[]>>();
  const hashes = new Set<string>();
  for (const [file, f] of parsed) {
    const edits = new Map<number, string[]>();
    f.lines.forEach((l, i) => {
      const c = l.content;
      if (!c) return;
      if (c.includes('--hash')) hashes.add(file);
      if (c.startsWith('-')) {
        const o = splitOption(c);
        if (INDEX.has(o.opt) && dropIndex(o.value)) {
          edits.set(i, [`# modeldock: dropped ${mode.kind === 'cpu' ? 'for the CPU image' : 'on the framework image (nothing left needs it)'} (a CUDA wheel index): ${printable(c, 500)}`]);
          changes.push(`${where(file)}dropped ${o.opt} ${o.value}`);
        }
        return;
      }
      const { spec, options } = splitRequirement(c);
      const e = rewriteRequirement(spec, mode);
      if (!e) return;
      if (e.text === null) {
        edits.set(i, [`# modeldock: dropped ${printable(spec, 500)}: ${e.why}`]);
        changes.push(`${where(file)}dropped ${spec}`);
      } else {
        // A --hash pins the build being replaced: it cannot stay.
        edits.set(i, [`# modeldock: was ${printable(spec, 500)}: ${e.why}`, [e.text, ...options.filter((o) => !o.startsWith('--hash'))].join(' ')]);
        changes.push(`${where(file)}${spec} -> ${e.text}`);
      }
    });
    if (edits.size) edited.set(file, edits);
  }

  // The main file could not be read: reconstruct it from what detection parsed.
  if (unreadable.includes(main)) {
    const lines: string[] = [];
    let changed = false;
    for (const url of fallback.indexUrls) {
      if (mode.kind === 'cpu' && isCudaIndex(url)) {
        lines.push(`# modeldock: dropped for the CPU image (a CUDA wheel index): --extra-index-url ${printable(url, 500)}`);
        changes.push(`dropped --extra-index-url ${url}`);
        changed = true;
      } else lines.push(`--extra-index-url ${url}`);
    }
    for (const p of fallback.packages) {
      const e = rewriteRequirement(p.spec, mode);
      if (e) changed = true;
      if (e?.text === null) {
        lines.push(`# modeldock: dropped ${printable(p.spec, 500)}: ${e.why}`);
        changes.push(`dropped ${p.spec}`);
      } else {
        if (e) changes.push(`${p.spec} -> ${e.text}`);
        lines.push(e ? `# modeldock: was ${printable(p.spec, 500)}: ${e.why}\n${e.text}` : p.spec);
      }
    }
    if (!changed) return { twins: [], changes: [], unreadable };
    const twin = twinName(main, mode);
    return {
      twins: [{ file: main, twin, content: `${header(main, mode)}# ${main} could not be read: rebuilt from the requirements ModelDock detected (pip options other than index URLs are not carried over).\n${lines.join('\n')}\n` }],
      changes,
      unreadable,
    };
  }

  // A file needs a twin when it changed or includes one that does (to a fixpoint: cycles exist).
  const needs = new Set(edited.keys());
  for (let grew = true; grew; ) {
    grew = false;
    for (const [file, f] of parsed) {
      if (!needs.has(file) && f.includes.some((inc) => needs.has(inc.path))) {
        needs.add(file);
        grew = true;
      }
    }
  }
  if (!needs.has(main)) return { twins: [], changes: [], unreadable };

  const twins: Twin[] = [];
  for (const [file, f] of parsed) {
    if (!needs.has(file)) continue;
    const edits = edited.get(file) ?? new Map<number, string[]>();
    const dropHashes = hashes.has(file);
    const body: string[] = [];
    f.lines.forEach((l, i) => {
      const inc = f.includes.find((x) => x.line === i);
      if (inc && needs.has(inc.path)) {
        const o = splitOption(l.content);
        const value = o.value.replace(/^["']|["']$/g, '');
        const slash = value.lastIndexOf('/');
        const pointed = `${value.slice(0, slash + 1)}${twinName(value.slice(slash + 1), mode)}`;
        body.push(`# modeldock: was ${printable(l.content, 500)}`, `${o.opt}${o.sep}${pointed}`);
        return;
      }
      const e = edits.get(i);
      if (e) body.push(...e);
      else if (dropHashes && l.content.includes('--hash')) body.push(splitRequirement(l.content).spec);
      else body.push(...l.raw);
    });
    const note = dropHashes ? '# The --hash options of the original were for the builds replaced here: hash checking is off in this copy.\n' : '';
    twins.push({ file, twin: twinName(file, mode), content: `${header(file, mode)}${note}${body.join('\n').replace(/\n*$/, '\n')}` });
  }
  twins.sort((a, b) => (a.file === main ? -1 : b.file === main ? 1 : a.file < b.file ? -1 : 1));
  return { twins, changes, unreadable };
}

function header(file: string, mode: RewriteMode): string {
  const why =
    mode.kind === 'cpu'
      ? 'for the CPU image: CUDA builds, CUDA wheel indexes and CUDA extras are rewritten (each change is marked)'
      : `for the GPU image built on the ${mode.framework} ${mode.version} image: what would reinstall the framework over it is rewritten (each change is marked)`;
  const f = printable(file);
  return `# Generated by ModelDock from ${f} ${why}.\n# Edit ${f}, not this copy: Containerize Model / \`modeldock scaffold --force\` regenerates it.\n`;
}
