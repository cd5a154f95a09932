// Lock files: the exact versions that will be installed (they win over `==` pins).
import { emptyFacts, loc, safeVersion, shorten, type FileFacts, type PackageFact } from './facts';
import { normalizeName } from './pep508';
import { parseTomlSafely } from './pyproject';

function lockedFact(rawName: string, rawVersion: string, line: number | undefined): PackageFact {
  const v = rawVersion.replace(/^==/, '').trim();
  const plus = v.indexOf('+');
  const version = safeVersion(plus >= 0 ? v.slice(0, plus) : v);
  const name = normalizeName(rawName);
  const p: PackageFact = {
    name,
    version,
    spec: `${rawName}==${v}`,
    extras: [],
    linux: true,
    origin: 'locked',
    reason: shorten(`${rawName} ${v} (locked)`),
  };
  const local = version && plus >= 0 ? safeVersion(v.slice(plus + 1).toLowerCase()) : null;
  if (local) p.local = local;
  if (line !== undefined) p.line = line;
  return p;
}

/** Line of each `name = "x"` in a TOML lock, found in one pass (locks are long). */
function nameLines(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const re = /^name\s*=\s*"([^"]+)"/gm;
  let line = 1;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    for (let i = text.indexOf('\n', last); i >= 0 && i < m.index; i = text.indexOf('\n', i + 1)) line++;
    last = m.index;
    const key = normalizeName(m[1]!);
    if (!out.has(key)) out.set(key, line);
  }
  return out;
}

function parseTomlLock(text: string, file: string, kind: 'poetry.lock' | 'uv.lock'): FileFacts {
  const facts = emptyFacts(file, kind);
  const doc = parseTomlSafely(text, facts);
  if (!doc) return facts;
  const lines = nameLines(text);
  const pkgs = doc.package;
  if (!Array.isArray(pkgs)) return facts;
  const seenUrls = new Set<string>();
  for (const p of pkgs) {
    if (typeof p !== 'object' || p === null) continue;
    const rec = p as Record<string, unknown>;
    if (typeof rec.name !== 'string' || typeof rec.version !== 'string') continue;
    const line = lines.get(normalizeName(rec.name));
    facts.packages.push(lockedFact(rec.name, rec.version, line));
    const source = rec.source as Record<string, unknown> | undefined;
    const registry = source && typeof source === 'object' ? source.registry ?? (source.type === 'legacy' ? source.url : undefined) : undefined;
    if (typeof registry === 'string' && !/pypi\.org/.test(registry) && !seenUrls.has(registry)) {
      seenUrls.add(registry);
      facts.indexUrls.push({ url: registry, ...(line ? { line } : {}) });
    }
  }
  return facts;
}

export function parsePoetryLock(text: string, file: string): FileFacts {
  return parseTomlLock(text, file, 'poetry.lock');
}

export function parseUvLock(text: string, file: string): FileFacts {
  return parseTomlLock(text, file, 'uv.lock');
}

export function parsePipfileLock(text: string, file: string): FileFacts {
  const facts = emptyFacts(file, 'pipfile.lock');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // V8's message quotes the text: it is not repeated.
    facts.warnings.push(`${loc(file)}: invalid JSON, skipped`);
    return facts;
  }
  if (typeof doc !== 'object' || doc === null) return facts;
  const lines = text.split(/\r?\n/);
  const lineFor = (name: string): number | undefined => {
    const needle = `"${name}": {`;
    const i = lines.findIndex((l) => l.includes(needle));
    return i >= 0 ? i + 1 : undefined;
  };
  const d = doc as Record<string, unknown>;
  for (const section of ['default', 'develop']) {
    const pkgs = d[section];
    if (typeof pkgs !== 'object' || pkgs === null) continue;
    for (const [name, info] of Object.entries(pkgs as Record<string, unknown>)) {
      const version = (info as { version?: unknown } | null)?.version;
      if (typeof version !== 'string') continue;
      facts.packages.push(lockedFact(name, version, lineFor(name)));
    }
  }
  const py = ((d._meta as Record<string, unknown> | undefined)?.requires as Record<string, unknown> | undefined)?.python_version;
  if (typeof py === 'string' && /^\d+\.\d+/.test(py)) {
    const i = lines.findIndex((l) => l.includes('"python_version"'));
    facts.python = { version: /^\d+\.\d+/.exec(py)![0], rank: 3, reason: `python_version "${py}" (Pipfile.lock)`, ...(i >= 0 ? { line: i + 1 } : {}) };
  }
  return facts;
}
