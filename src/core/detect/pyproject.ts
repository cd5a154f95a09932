// pyproject.toml (PEP 621, PEP 735 groups, Poetry, uv, PDM) and Pipfile: TOML manifests.
// TOML parsers drop positions, so lines are recovered by searching the text near the section.
import { parse as parseToml, TomlError } from 'smol-toml';
import { emptyFacts, escapeRegExp, findLine, loc, pythonMajorMinor, shorten, type FileFacts } from './facts';
import { normalizeName, parseRequirement } from './pep508';
import { requirementFact } from './requirements';

type Table = Record<string, unknown>;

function isTable(v: unknown): v is Table {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function get(t: unknown, ...path: string[]): unknown {
  let cur = t;
  for (const k of path) {
    if (!isTable(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

export function parseTomlSafely(text: string, facts: FileFacts): Table | null {
  try {
    return parseToml(text) as Table;
  } catch (err) {
    // The parser's message quotes the text around the error: only the position is kept.
    facts.warnings.push(`${loc(facts.file, err instanceof TomlError ? err.line : undefined)}: invalid TOML, skipped`);
    return null;
  }
}

/** Line of the `[header]` (or dotted-key use) of a table, to start searches from. */
function sectionLine(lines: readonly string[], header: string): number {
  const re = new RegExp(`^\\s*\\[{1,2}\\s*${escapeRegExp(header).replace(/\\\./g, '\\s*\\.\\s*')}\\s*\\]{1,2}`);
  return findLine(lines, re) ?? 1;
}

function addPep508List(list: unknown, facts: FileFacts, lines: readonly string[], fromLine: number): void {
  if (!Array.isArray(list)) return;
  for (const item of list) {
    if (typeof item !== 'string') continue; // PEP 735 `{include-group = ...}`: its group is read on its own.
    const req = parseRequirement(item);
    const line = findLine(lines, new RegExp(`["']${escapeRegExp(item)}["']`), fromLine) ?? findLine(lines, new RegExp(escapeRegExp(item)));
    if (!req) {
      facts.warnings.push(`${loc(facts.file, line)}: could not parse this requirement, skipped`);
      continue;
    }
    facts.packages.push(requirementFact(req, item, line));
  }
}

/** A Poetry/Pipfile version constraint: a bare version means `==` there. */
function poetryVersion(c: string): string | null {
  const v = c.trim();
  const exact = /^(?:==?|===)?\s*(\d[\w.!+-]*)$/.exec(v);
  if (!exact || v.includes('*')) return null;
  return exact[1]!;
}

function addPoetryStyleTable(
  table: unknown,
  facts: FileFacts,
  lines: readonly string[],
  fromLine: number,
  opts: { pythonKey: boolean },
): void {
  if (!isTable(table)) return;
  for (const [rawName, value] of Object.entries(table)) {
    const line = findLine(lines, new RegExp(`^\\s*["']?${escapeRegExp(rawName)}["']?\\s*=`), fromLine);
    if (opts.pythonKey && rawName.toLowerCase() === 'python') {
      const v = typeof value === 'string' ? pythonMajorMinor(value) : null;
      if (v) facts.python = { version: v, rank: 5, reason: `python = "${value as string}"`, ...(line ? { line } : {}) };
      continue;
    }
    const specs = Array.isArray(value) ? value : [value];
    for (const spec of specs) {
      let constraint = '';
      let extras: string[] = [];
      let marker: string | undefined;
      if (typeof spec === 'string') constraint = spec;
      else if (isTable(spec)) {
        if (typeof spec.version === 'string') constraint = spec.version;
        if (Array.isArray(spec.extras)) extras = spec.extras.filter((e): e is string => typeof e === 'string').map(normalizeName);
        if (typeof spec.markers === 'string') marker = spec.markers;
        else if (typeof spec.sys_platform === 'string') marker = `sys_platform ${spec.sys_platform}`;
      } else continue;
      const name = normalizeName(rawName);
      const exact = poetryVersion(constraint);
      const plus = exact?.indexOf('+') ?? -1;
      const written = `${rawName}${extras.length ? `[${extras.join(',')}]` : ''}${constraint && constraint !== '*' ? ` ${constraint}` : ''}`;
      const req = parseRequirement(`${name}${marker ? ` ; ${marker}` : ''}`);
      facts.packages.push({
        name,
        version: exact ? (plus >= 0 ? exact.slice(0, plus) : exact) : null,
        ...(exact && plus >= 0 ? { local: exact.slice(plus + 1).toLowerCase() } : {}),
        spec: written,
        extras,
        ...(marker ? { marker } : {}),
        linux: req?.linux ?? true,
        origin: 'declared',
        reason: shorten(written),
        ...(line ? { line } : {}),
      });
    }
  }
}

export function parsePyproject(text: string, file: string): FileFacts {
  const facts = emptyFacts(file, 'pyproject');
  const doc = parseTomlSafely(text, facts);
  if (!doc) return facts;
  const lines = text.split(/\r?\n/);

  const project = doc.project;
  if (isTable(project)) {
    const from = sectionLine(lines, 'project');
    addPep508List(project.dependencies, facts, lines, from);
    if (isTable(project['optional-dependencies'])) {
      const optFrom = sectionLine(lines, 'project.optional-dependencies');
      for (const list of Object.values(project['optional-dependencies'])) addPep508List(list, facts, lines, optFrom);
    }
    const rp = project['requires-python'];
    if (typeof rp === 'string') {
      const v = pythonMajorMinor(rp);
      const line = findLine(lines, /^\s*requires-python\s*=/);
      if (v) facts.python = { version: v, rank: 5, reason: `requires-python = "${rp}"`, ...(line ? { line } : {}) };
    }
  }

  // PEP 735 (uv, PDM, pip 25): [dependency-groups] name = [...]
  if (isTable(doc['dependency-groups'])) {
    const from = sectionLine(lines, 'dependency-groups');
    for (const list of Object.values(doc['dependency-groups'])) addPep508List(list, facts, lines, from);
  }

  // uv: dev-dependencies and named package indexes ([[tool.uv.index]] with the PyTorch wheel URLs).
  const uv = get(doc, 'tool', 'uv');
  if (isTable(uv)) {
    addPep508List(uv['dev-dependencies'], facts, lines, sectionLine(lines, 'tool.uv'));
    const indexes = Array.isArray(uv.index) ? uv.index : [];
    for (const idx of indexes) {
      if (isTable(idx) && typeof idx.url === 'string') {
        const line = findLine(lines, new RegExp(escapeRegExp(idx.url)));
        facts.indexUrls.push({ url: idx.url, ...(line ? { line } : {}) });
      }
    }
  }

  // PDM: [tool.pdm.dev-dependencies] group = [...]
  const pdmDev = get(doc, 'tool', 'pdm', 'dev-dependencies');
  if (isTable(pdmDev)) {
    const from = sectionLine(lines, 'tool.pdm.dev-dependencies');
    for (const list of Object.values(pdmDev)) addPep508List(list, facts, lines, from);
  }

  const poetry = get(doc, 'tool', 'poetry');
  if (isTable(poetry)) {
    // A source only serves the packages that name it, but the PyTorch ones serve torch anyway.
    if (Array.isArray(poetry.source)) {
      for (const s of poetry.source) {
        if (!isTable(s) || typeof s.url !== 'string') continue;
        const line = findLine(lines, new RegExp(escapeRegExp(s.url)));
        facts.indexUrls.push({ url: s.url, ...(line ? { line } : {}) });
      }
    }
    addPoetryStyleTable(poetry.dependencies, facts, lines, sectionLine(lines, 'tool.poetry.dependencies'), { pythonKey: true });
    addPoetryStyleTable(poetry['dev-dependencies'], facts, lines, sectionLine(lines, 'tool.poetry.dev-dependencies'), { pythonKey: false });
    if (isTable(poetry.group)) {
      for (const [g, body] of Object.entries(poetry.group)) {
        addPoetryStyleTable(get(body, 'dependencies'), facts, lines, sectionLine(lines, `tool.poetry.group.${g}.dependencies`), { pythonKey: false });
      }
    }
  }
  return facts;
}

export function parsePipfile(text: string, file: string): FileFacts {
  const facts = emptyFacts(file, 'pipfile');
  const doc = parseTomlSafely(text, facts);
  if (!doc) return facts;
  const lines = text.split(/\r?\n/);
  if (Array.isArray(doc.source)) {
    for (const s of doc.source) {
      if (!isTable(s) || typeof s.url !== 'string') continue;
      const line = findLine(lines, new RegExp(escapeRegExp(s.url)));
      // pypi is the default index: recording it would only add noise.
      if (!/pypi\.org\/simple/.test(s.url)) facts.indexUrls.push({ url: s.url, ...(line ? { line } : {}) });
    }
  }
  addPoetryStyleTable(doc.packages, facts, lines, sectionLine(lines, 'packages'), { pythonKey: false });
  addPoetryStyleTable(doc['dev-packages'], facts, lines, sectionLine(lines, 'dev-packages'), { pythonKey: false });
  const requires = doc.requires;
  if (isTable(requires)) {
    const raw = typeof requires.python_version === 'string' ? requires.python_version : typeof requires.python_full_version === 'string' ? requires.python_full_version : undefined;
    const v = raw ? pythonMajorMinor(raw) : null;
    if (raw && v) {
      const line = findLine(lines, /^\s*python_(full_)?version\s*=/);
      facts.python = { version: v, rank: 3, reason: `python_version = "${raw}"`, ...(line ? { line } : {}) };
    }
  }
  return facts;
}
