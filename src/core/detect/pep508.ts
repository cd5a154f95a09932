// PEP 508 requirement strings, as far as detection needs them: name, extras, exact pin, local
// version (where CUDA builds hide), and whether the environment marker can hold on Linux
// (the container's platform).
import { table } from './facts';

export interface Requirement {
  /** PEP 503 normalised: lower-case, runs of `-_.` become `-`. */
  name: string;
  extras: string[];
  /** Public part of the exact pin (`2.1.2` for `==2.1.2+cu121`), else null. */
  version: string | null;
  /** Local version label of the exact pin (`cu121`), else undefined. */
  local?: string;
  /** The specifier part as written, e.g. `>=2.1,<3`. */
  specifier: string;
  marker?: string;
  /** False only when the marker is certainly false on Linux. */
  linux: boolean;
  /** Direct reference (`name @ url`). */
  url?: string;
}

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

const NAME_RE = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*/;
const CLAUSE_RE = /^\s*(===|==|~=|!=|<=|>=|<|>)\s*([^\s,;]+)\s*$/;

/** Parses `name[extras] specifier ; marker` or `name[extras] @ url ; marker`; null when no name. */
export function parseRequirement(text: string): Requirement | null {
  const m = NAME_RE.exec(text);
  if (!m) return null;
  const name = normalizeName(m[1]!);
  let rest = text.slice(m[0].length);
  let extras: string[] = [];
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return null;
    extras = rest
      .slice(1, close)
      .split(',')
      .map((e) => normalizeName(e.trim()))
      .filter(Boolean);
    rest = rest.slice(close + 1).trimStart();
  }
  let marker: string | undefined;
  let url: string | undefined;
  if (rest.startsWith('@')) {
    // A URL may contain ';' only in rare cases; PEP 508 wants whitespace before the marker's ';'.
    const at = rest.slice(1).trim();
    const semi = at.search(/\s;/);
    url = (semi >= 0 ? at.slice(0, semi) : at).trim();
    if (semi >= 0) marker = at.slice(semi + 2).trim();
    rest = '';
  } else {
    const semi = rest.indexOf(';');
    if (semi >= 0) {
      marker = rest.slice(semi + 1).trim();
      rest = rest.slice(0, semi);
    }
  }
  let specifier = rest.trim();
  // Old-style parenthesised specifiers: `torch (>=2.0)`.
  if (specifier.startsWith('(') && specifier.endsWith(')')) specifier = specifier.slice(1, -1).trim();
  let version: string | null = null;
  let local: string | undefined;
  if (specifier) {
    for (const clause of specifier.split(',')) {
      const c = CLAUSE_RE.exec(clause);
      if (!c) continue;
      const op = c[1]!;
      const v = c[2]!;
      if ((op === '==' || op === '===') && !v.includes('*')) {
        const plus = v.indexOf('+');
        version = plus >= 0 ? v.slice(0, plus) : v;
        if (plus >= 0) local = v.slice(plus + 1).toLowerCase();
      }
    }
  }
  const req: Requirement = { name, extras, version, specifier, linux: marker ? markerMayHoldOnLinux(marker) : true };
  if (local) req.local = local;
  if (marker) req.marker = marker;
  if (url) req.url = url;
  return req;
}

// Values of the platform-describing marker variables inside a Linux x86_64/aarch64 container.
const LINUX_MARKERS = table<string[]>({
  sys_platform: ['linux'],
  platform_system: ['Linux'],
  os_name: ['posix'],
});

/**
 * Evaluates only the platform part of a marker. Anything it does not understand (python_version,
 * extra, implementation...) counts as "may hold", so the answer is false only when certain.
 */
export function markerMayHoldOnLinux(marker: string): boolean {
  const tokens = marker.match(/\(|\)|\band\b|\bor\b|"[^"]*"|'[^']*'|===|==|!=|~=|<=|>=|<|>|\bnot in\b|\bin\b|[A-Za-z_][A-Za-z0-9_.]*/g);
  if (!tokens) return true;
  let i = 0;
  // Tri-state: true (holds), false (certainly not), null (unknown → treated as may hold).
  const parseOr = (): boolean | null => {
    let v = parseAnd();
    while (tokens[i] === 'or') {
      i++;
      const r = parseAnd();
      v = v === true || r === true ? true : v === false && r === false ? false : null;
    }
    return v;
  };
  const parseAnd = (): boolean | null => {
    let v = parseAtom();
    while (tokens[i] === 'and') {
      i++;
      const r = parseAtom();
      v = v === false || r === false ? false : v === true && r === true ? true : null;
    }
    return v;
  };
  const parseAtom = (): boolean | null => {
    if (tokens[i] === '(') {
      i++;
      const v = parseOr();
      if (tokens[i] === ')') i++;
      return v;
    }
    const lhs = tokens[i++];
    const op = tokens[i++];
    const rhs = tokens[i++];
    if (lhs === undefined || op === undefined || rhs === undefined) return null;
    const unq = (s: string) => (/^["']/.test(s) ? s.slice(1, -1) : undefined);
    let variable: string | undefined;
    let value: string | undefined;
    if (LINUX_MARKERS[lhs] && unq(rhs) !== undefined) {
      variable = lhs;
      value = unq(rhs);
    } else if (LINUX_MARKERS[rhs] && unq(lhs) !== undefined) {
      variable = rhs;
      value = unq(lhs);
    }
    if (!variable || value === undefined) return null;
    const actual = LINUX_MARKERS[variable];
    if (!actual) return null;
    if (op === '==' || op === '===') return actual.includes(value);
    if (op === '!=') return !actual.includes(value);
    if (op === 'in') return actual.some((a) => value.includes(a));
    if (op === 'not in') return !actual.some((a) => value.includes(a));
    return null;
  };
  try {
    return parseOr() !== false;
  } catch {
    return true;
  }
}

/** `cu121` → `12.1`, `cu118` → `11.8`, `cu92` → `9.2`; null for anything else. */
export function cudaFromTag(tag: string): string | null {
  const m = /^cu(\d{2,3})$/i.exec(tag);
  if (!m) return null;
  const d = m[1]!;
  return `${Number(d.slice(0, -1))}.${d.slice(-1)}`;
}

/** What a package index URL says about the build it serves (the PyTorch wheel indexes). */
export function classifyIndexUrl(url: string): { cuda?: string; cpu?: boolean; rocm?: boolean } {
  const m = /\/whl\/(?:nightly\/|test\/)?(cu\d{2,3}|cpu|rocm[\d.]+)(?:\/|$|\b)/i.exec(url);
  if (!m) return {};
  const tag = m[1]!.toLowerCase();
  if (tag === 'cpu') return { cpu: true };
  if (tag.startsWith('rocm')) return { rocm: true };
  const cuda = cudaFromTag(tag);
  return cuda ? { cuda } : {};
}
