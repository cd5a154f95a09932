// setup.cfg and setup.py. setup.py is never executed: only literal lists (directly in setup(...)
// or bound to a module-level name) are read, with a small tokenizer that respects strings.
import { emptyFacts, lineIndex, loc, pythonMajorMinor, type FileFacts } from './facts';
import { parseRequirement } from './pep508';
import { requirementFact } from './requirements';

interface IniValue {
  value: string;
  line: number;
  /** Line of each continuation value, in order (for multi-line values). */
  itemLines: Array<{ text: string; line: number }>;
}

/** setup.cfg-flavoured INI: `[section]`, `key = value`, indented continuation lines. */
export function parseIni(text: string): Map<string, Map<string, IniValue>> {
  const out = new Map<string, Map<string, IniValue>>();
  let section: Map<string, IniValue> | undefined;
  let current: IniValue | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (/^\s*[#;]/.test(raw) || !raw.trim()) {
      continue;
    }
    const sec = /^\[([^\]]+)\]\s*$/.exec(raw);
    if (sec) {
      const name = sec[1]!.trim().toLowerCase();
      section = out.get(name) ?? new Map();
      out.set(name, section);
      current = undefined;
      continue;
    }
    if (/^\s/.test(raw) && current) {
      // `\s#`, not `\s+#`: the latter backtracks quadratically over a long run of blanks.
      const item = raw.replace(/\s#.*$/, '').trim();
      current.value += `\n${item}`;
      if (item) current.itemLines.push({ text: item, line: i + 1 });
      continue;
    }
    // `key = value` or `key: value`, split at the first separator (a search, not a lazy regex).
    const sep = raw.search(/[=:]/);
    const key = sep > 0 ? raw.slice(0, sep).trim() : '';
    if (key && section) {
      const first = raw.slice(sep + 1).replace(/\s#.*$/, '').trim();
      current = { value: first, line: i + 1, itemLines: first ? [{ text: first, line: i + 1 }] : [] };
      section.set(key.toLowerCase().replace(/-/g, '_'), current);
    }
  }
  return out;
}

function addRequirementItems(items: Array<{ text: string; line: number }>, facts: FileFacts): void {
  for (const { text, line } of items) {
    // Items may be `;`-joined on one line in old files, but `;` also starts a marker: keep as is.
    const req = parseRequirement(text);
    if (!req) {
      if (!text.startsWith('file:') && !text.startsWith('attr:')) facts.warnings.push(`${loc(facts.file, line)}: could not parse this requirement, skipped`);
      continue;
    }
    facts.packages.push(requirementFact(req, text, line));
  }
}

export function parseSetupCfg(text: string, file: string): FileFacts {
  const facts = emptyFacts(file, 'setup.cfg');
  const ini = parseIni(text);
  const options = ini.get('options');
  const install = options?.get('install_requires');
  if (install) addRequirementItems(install.itemLines, facts);
  const extras = ini.get('options.extras_require');
  if (extras) for (const v of extras.values()) addRequirementItems(v.itemLines, facts);
  const pyreq = options?.get('python_requires');
  if (pyreq) {
    const v = pythonMajorMinor(pyreq.value);
    if (v) facts.python = { version: v, rank: 5, line: pyreq.line, reason: `python_requires = ${pyreq.value}` };
  }
  return facts;
}

interface PyString {
  value: string;
  offset: number;
  /** Bracket depth at the string, relative to the opening bracket (1 = directly inside). */
  depth: number;
}

/**
 * Scans a Python bracketed literal starting at `open` (a `[`, `{` or `(`), returning the string
 * literals inside and the offset after the closing bracket (or -1 when unbalanced).
 */
export function scanPyLiteral(src: string, open: number): { strings: PyString[]; end: number } {
  const strings: PyString[] = [];
  let depth = 0;
  let i = open;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '#') {
      const nl = src.indexOf('\n', i);
      i = nl < 0 ? src.length : nl;
      continue;
    }
    if (c === '"' || c === "'") {
      // String prefixes (r, b, u, f) are plain letters before the quote: nothing to undo.
      const triple = src.startsWith(c.repeat(3), i);
      const q = triple ? c.repeat(3) : c;
      let j = i + q.length;
      let value = '';
      while (j < src.length && !src.startsWith(q, j)) {
        if (src[j] === '\\') {
          value += src[j + 1] ?? '';
          j += 2;
          continue;
        }
        if (!triple && src[j] === '\n') break;
        value += src[j];
        j++;
      }
      strings.push({ value, offset: i, depth });
      i = j + q.length;
      continue;
    }
    if (c === '[' || c === '{' || c === '(') depth++;
    else if (c === ']' || c === '}' || c === ')') {
      depth--;
      if (depth === 0) return { strings, end: i + 1 };
    }
    i++;
  }
  return { strings, end: -1 };
}

/** Source with comments and string contents blanked (same length), to search for code safely. */
function codeOnly(src: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '#') {
      const nl = src.indexOf('\n', i);
      const end = nl < 0 ? src.length : nl;
      out += ' '.repeat(end - i);
      i = end;
      continue;
    }
    if (c === '"' || c === "'") {
      const triple = src.startsWith(c.repeat(3), i);
      const q = triple ? c.repeat(3) : c;
      let j = i + q.length;
      while (j < src.length && !src.startsWith(q, j)) {
        if (src[j] === '\\') j++;
        else if (!triple && src[j] === '\n') break;
        j++;
      }
      const end = Math.min(src.length, j + q.length);
      out += c + src.slice(i + 1, end - 1).replace(/[^\n]/g, ' ') + (end - i > 1 ? src[end - 1] : '');
      i = end;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

export function parseSetupPy(text: string, file: string): FileFacts {
  const facts = emptyFacts(file, 'setup.py');
  const code = codeOnly(text);
  const lineOf = lineIndex(text);

  // Resolves `install_requires=` to the offset of a literal, following one module-level name.
  const literalFor = (keyword: string): number | undefined => {
    const m = new RegExp(`\\b${keyword}\\s*=\\s*([\\[{(]|[A-Za-z_][A-Za-z0-9_]*)`).exec(code);
    if (!m) return undefined;
    const start = m.index + m[0].length - m[1]!.length;
    if (/^[[{(]/.test(m[1]!)) return start;
    const bind = new RegExp(`^${m[1]}\\s*=\\s*[\\[{(]`, 'm').exec(code);
    return bind ? bind.index + bind[0].length - 1 : undefined;
  };

  const addStrings = (strings: PyString[]) => {
    for (const s of strings) {
      const req = parseRequirement(s.value);
      if (!req) continue;
      facts.packages.push(requirementFact(req, s.value, lineOf(s.offset)));
    }
  };

  const install = literalFor('install_requires');
  if (install !== undefined) addStrings(scanPyLiteral(text, install).strings.filter((s) => s.depth === 1));
  const extras = literalFor('extras_require');
  if (extras !== undefined) {
    // In `{"gpu": ["torch"]}` the keys sit at depth 1, the requirements deeper.
    addStrings(scanPyLiteral(text, extras).strings.filter((s) => s.depth >= 2));
  }
  const pyreq = /\bpython_requires\s*=\s*/.exec(code);
  if (pyreq) {
    const at = pyreq.index + pyreq[0].length;
    const q = text[at];
    if (q === '"' || q === "'") {
      const end = text.indexOf(q, at + 1);
      const raw = text.slice(at + 1, end);
      const v = pythonMajorMinor(raw);
      if (v) facts.python = { version: v, rank: 5, line: lineOf(at), reason: `python_requires="${raw}"` };
    }
  }
  return facts;
}
