// PEP 508 requirement strings, as far as detection needs them: name, extras, exact pin, local
// version (where CUDA builds hide), and whether the environment marker can hold on Linux
// (the container's platform).
import { safeVersion, table } from './facts';

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
      // Not a version specifier: not a requirement either (`root:x:0:0:...` is no package `root`).
      if (!c) return null;
      const op = c[1]!;
      const v = c[2]!;
      if ((op === '==' || op === '===') && !v.includes('*')) {
        const plus = v.indexOf('+');
        // Versions end up in reports and messages: only plausible version text counts.
        version = safeVersion(plus >= 0 ? v.slice(0, plus) : v);
        if (version && plus >= 0) local = safeVersion(v.slice(plus + 1).toLowerCase()) ?? undefined;
      }
    }
  }
  const req: Requirement = { name, extras, version, specifier, linux: marker ? markerMayHoldOnLinux(marker) : true };
  if (local) req.local = local;
  if (marker) req.marker = marker;
  if (url) req.url = url;
  return req;
}

export interface WheelName {
  name: string;
  version: string;
  local?: string;
  /** False when the platform tag names another OS (`win_amd64`, `macosx_…`). */
  linux: boolean;
}

/**
 * The distribution, version and platform in a wheel's file name (PEP 427:
 * `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`), from a URL or a path. URL escapes
 * are undone (`%2B` is the `+` of a local version); query and fragment are ignored.
 */
export function parseWheelName(location: string): WheelName | null {
  const path = location.replace(/[?#].*$/, '');
  let base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  try {
    base = decodeURIComponent(base);
  } catch {
    return null;
  }
  if (!/\.whl$/i.test(base)) return null;
  const parts = base.slice(0, -4).split('-');
  if (parts.length !== 5 && parts.length !== 6) return null;
  const [rawName, rawVersion] = parts as [string, string];
  const platform = parts[parts.length - 1]!.toLowerCase();
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9._]*[A-Za-z0-9])?$/.test(rawName)) return null;
  const plus = rawVersion.indexOf('+');
  const version = safeVersion(plus >= 0 ? rawVersion.slice(0, plus) : rawVersion);
  if (!version) return null;
  const out: WheelName = { name: normalizeName(rawName), version, linux: platform === 'any' || platform.includes('linux') };
  const local = plus >= 0 ? safeVersion(rawVersion.slice(plus + 1).toLowerCase()) : null;
  if (local) out.local = local;
  return out;
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

/**
 * `cu121` → `12.1`, `cu118` → `11.8`, `cu92` → `9.2`; and jaxlib's older local versions:
 * `cuda110` → `11.0`, `cuda11.cudnn82` → `11`, `cuda12.cudnn89` → `12`. Null for anything else.
 */
export function cudaFromTag(tag: string): string | null {
  const m = /^cu(\d{2,3})$/i.exec(tag);
  if (m) {
    const d = m[1]!;
    return `${Number(d.slice(0, -1))}.${d.slice(-1)}`;
  }
  const jax = /^cuda(\d{2,3})(?:\.cudnn\d+)?$/i.exec(tag);
  if (!jax) return null;
  const d = jax[1]!;
  // Two digits are a major (`cuda11`, `cuda12`); three are major and minor (`cuda110`, `cuda111`).
  return d.length === 2 ? String(Number(d)) : `${Number(d.slice(0, -1))}.${d.slice(-1)}`;
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
