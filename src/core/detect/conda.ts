// conda environment files: conda match specs, CUDA selection packages, nested `pip:` lists.
import { yaml, type Node } from './yaml';
import { emptyFacts, loc, pythonMajorMinor, shorten, table, type FileFacts } from './facts';
import { normalizeName } from './pep508';
import { applyRequirementLine } from './requirements';

/** conda package names that are a different pip distribution. */
const CONDA_TO_PIP = table<string>({
  pytorch: 'torch',
  'pytorch-gpu': 'torch',
  'pytorch-cpu': 'torch',
  'py-xgboost': 'xgboost',
  'py-xgboost-gpu': 'xgboost',
  'py-xgboost-cpu': 'xgboost',
  'py-catboost': 'catboost',
});

/** Packages whose version *is* the CUDA version the environment selects. */
const CUDA_SELECTORS = new Set(['pytorch-cuda', 'cudatoolkit', 'cuda-toolkit', 'cuda-version', 'cuda', 'cuda-runtime', 'cuda-cudart']);

export interface CondaSpec {
  channel?: string;
  name: string;
  /** Exact (or `=`-pinned) version without wildcards, else null. */
  version: string | null;
  /** Any version text as written (range included). */
  versionText?: string;
  build?: string;
}

export function parseCondaSpec(spec: string): CondaSpec | null {
  let s = spec.trim();
  let channel: string | undefined;
  const cc = s.indexOf('::');
  if (cc >= 0) {
    channel = s.slice(0, cc);
    s = s.slice(cc + 2);
  }
  const m = /^([A-Za-z0-9_][A-Za-z0-9_.-]*)\s*(.*)$/.exec(s);
  if (!m) return null;
  const name = m[1]!.toLowerCase();
  const rest = m[2]!.trim();
  const out: CondaSpec = { name, version: null };
  if (channel) out.channel = channel;
  if (!rest) return out;
  let versionText: string;
  let build: string | undefined;
  let exactish = false;
  if (rest.startsWith('==')) {
    [versionText = '', build] = rest.slice(2).trim().split(/[=\s]+/);
    exactish = true;
  } else if (rest.startsWith('=')) {
    [versionText = '', build] = rest.slice(1).trim().split(/[=\s]+/);
    exactish = true;
  } else if (/^[<>!~]/.test(rest)) {
    versionText = rest.split(/\s+/)[0] ?? rest;
  } else {
    [versionText = '', build] = rest.split(/\s+/);
    exactish = /^\d/.test(versionText);
  }
  if (versionText) out.versionText = versionText;
  if (build) out.build = build;
  if (exactish && versionText && !/[*,|<>]/.test(versionText)) out.version = versionText;
  return out;
}

function cudaMajorMinor(v: string): string | null {
  const m = /^(\d+)(?:\.(\d+))?/.exec(v);
  if (!m) return null;
  return m[2] !== undefined ? `${m[1]}.${m[2]}` : m[1]!;
}

export function parseCondaEnv(text: string, file: string): FileFacts {
  const facts = emptyFacts(file, 'conda');
  const { isMap, isScalar, isSeq, LineCounter, parseDocument } = yaml();
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    // The parser's message can quote the text: only its position and code are kept.
    facts.warnings.push(`${loc(file, e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line)}: invalid YAML (${e.code}), skipped`);
    return facts;
  }
  const lineOf = (n: Node | null | undefined): number | undefined => (n?.range ? lc.linePos(n.range[0]).line : undefined);
  const root = doc.contents;
  if (!isMap(root)) {
    facts.warnings.push(`${loc(file)}: not a conda environment file (expected a mapping with 'dependencies')`);
    return facts;
  }
  const deps = root.get('dependencies', true);
  if (deps === undefined || deps === null) return facts;
  if (!isSeq(deps)) {
    facts.warnings.push(`${loc(file, lineOf(deps as Node) ?? 1)}: 'dependencies' is not a list`);
    return facts;
  }
  for (const item of deps.items) {
    if (isScalar(item)) {
      const raw = String(item.value ?? '').trim();
      if (raw) addCondaSpec(raw, lineOf(item), facts);
      continue;
    }
    if (isMap(item)) {
      const pip = item.get('pip', true);
      if (isSeq(pip)) {
        for (const p of pip.items) {
          if (!isScalar(p)) continue;
          const line = lineOf(p);
          if (line !== undefined) applyRequirementLine(String(p.value ?? ''), line, facts);
        }
      }
    }
  }
  return facts;
}

function addCondaSpec(raw: string, line: number | undefined, facts: FileFacts): void {
  const spec = parseCondaSpec(raw);
  if (!spec) {
    facts.warnings.push(`${loc(facts.file, line)}: could not parse this conda package spec, skipped`);
    return;
  }
  const at = line !== undefined ? { line } : {};
  if (spec.name === 'python') {
    const v = spec.versionText ? pythonMajorMinor(spec.versionText) : null;
    if (v) facts.python = { version: v, rank: 4, reason: shorten(raw, 60), ...at };
    return;
  }
  if (CUDA_SELECTORS.has(spec.name) && spec.versionText) {
    const cuda = cudaMajorMinor(spec.versionText.replace(/^[=<>~!]+/, ''));
    if (cuda) facts.hints.push({ cuda, reason: `${spec.name} ${cuda}`, ...at });
  }
  if (spec.name === 'cpuonly' || spec.name === 'pytorch-cpu') facts.hints.push({ cpu: true, reason: spec.name, ...at });
  if (spec.name === 'pytorch-gpu' || spec.name === 'py-xgboost-gpu') facts.hints.push({ gpu: true, reason: spec.name, ...at });
  if (spec.build) {
    const b = spec.build.toLowerCase();
    const cu = /cuda_?(\d+)\.(\d+)/.exec(b) ?? /cuda(\d{2})(\d)/.exec(b);
    if (cu) facts.hints.push({ cuda: `${Number(cu[1])}.${cu[2]}`, reason: `${spec.name} (a CUDA ${Number(cu[1])}.${cu[2]} build)`, ...at });
    else if (/(^|_)cpu(_|$)/.test(b)) facts.hints.push({ cpu: true, reason: `${spec.name} (a CPU build)`, ...at });
  }
  const name = normalizeName(CONDA_TO_PIP[spec.name] ?? spec.name);
  facts.packages.push({
    name,
    version: spec.version,
    spec: raw,
    extras: [],
    linux: true,
    origin: 'declared',
    reason: shorten(raw),
    ...at,
  });
}
