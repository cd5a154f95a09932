// Python sources and notebooks: imports (frameworks nobody declared) and entrypoints.
// A per-line scanner, not a parser: it blanks strings (docstrings included) so that text inside
// them never counts as code, and that is all the precision detection needs.
import { emptyFacts, loc, shorten, type EntrypointFact, type FileFacts, type ImportFact } from './facts';
import type { EntrypointKind } from './types';

interface CodeLine {
  /** The line with string contents blanked and the comment removed. */
  code: string;
  raw: string;
  line: number;
}

/** Splits source into code lines, skipping lines that lie entirely inside triple-quoted strings. */
export function codeLines(src: string): CodeLine[] {
  const out: CodeLine[] = [];
  const lines = src.split(/\r?\n/);
  let triple: string | null = null;
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!;
    let code = '';
    let i = 0;
    if (triple) {
      const end = raw.indexOf(triple);
      if (end < 0) continue;
      i = end + 3;
      code = ' '.repeat(i);
      triple = null;
    }
    while (i < raw.length) {
      const c = raw[i]!;
      if (c === '#') break;
      if (c === '"' || c === "'") {
        if (raw.startsWith(c.repeat(3), i)) {
          const close = raw.indexOf(c.repeat(3), i + 3);
          if (close < 0) {
            triple = c.repeat(3);
            code += c;
            i = raw.length;
            break;
          }
          code += c + ' '.repeat(close + 1 - i) + c;
          i = close + 3;
          continue;
        }
        let j = i + 1;
        while (j < raw.length && raw[j] !== c) j += raw[j] === '\\' ? 2 : 1;
        code += c + ' '.repeat(Math.max(0, Math.min(j, raw.length) - i - 1)) + c;
        i = j + 1;
        continue;
      }
      code += c;
      i++;
    }
    if (code.trim()) out.push({ code, raw, line: n + 1 });
  }
  return out;
}

const IMPORT_RE = /^\s*import\s+(.+)$/;
const FROM_RE = /^\s*from\s+([A-Za-z_][\w.]*)\s+import\b/;

function importsOf(stmt: string): string[] {
  const from = FROM_RE.exec(stmt);
  if (from) return [from[1]!.split('.')[0]!];
  const imp = IMPORT_RE.exec(stmt);
  if (!imp) return [];
  return imp[1]!
    .split(',')
    .map((part) => /^\s*([A-Za-z_]\w*)/.exec(part)?.[1])
    .filter((m): m is string => !!m);
}

function collectImports(lines: CodeLine[], facts: FileFacts, where: (l: CodeLine) => Pick<ImportFact, 'line' | 'reason'>): Set<string> {
  const modules = new Set<string>();
  for (const l of lines) {
    if (!/\b(import|from)\b/.test(l.code)) continue;
    for (const stmt of l.code.split(';')) {
      for (const module of importsOf(stmt)) {
        modules.add(module);
        const w = where(l);
        facts.imports.push({ module, ...w, reason: w.reason || shorten(stmt.trim(), 80) });
      }
    }
  }
  return modules;
}

const TORCHSERVE_BASES = /\b(BaseHandler|ImageClassifier|VisionHandler|TextHandler|ObjectDetector|ImageSegmenter|TextClassifier)\b/;

export function parsePythonSource(text: string, file: string): FileFacts {
  const facts = emptyFacts(file);
  const lines = codeLines(text);
  const modules = collectImports(lines, facts, (l) => ({ line: l.line, reason: '' }));
  const found = new Map<EntrypointKind, number>();
  const mark = (kind: EntrypointKind, line: number) => {
    if (!found.has(kind)) found.set(kind, line);
  };
  const hasTs = modules.has('ts');
  for (const l of lines) {
    const c = l.code;
    if (modules.has('fastapi') && /\bFastAPI\s*\(/.test(c)) mark('fastapi', l.line);
    if (modules.has('flask') && /\bFlask\s*\(/.test(c)) mark('flask', l.line);
    if (modules.has('gradio') && /(\.launch\s*\(|\b\w+\.(Interface|Blocks|ChatInterface|TabbedInterface)\s*\()/.test(c)) mark('gradio', l.line);
    if (modules.has('streamlit') && /^\s*(import\s+streamlit|from\s+streamlit\b)/.test(c)) mark('streamlit', l.line);
    const cls = /^\s*class\s+\w+\s*\(([^)]*)\)/.exec(c);
    if (cls && (/\bBaseHandler\b/.test(cls[1]!) || (hasTs && TORCHSERVE_BASES.test(cls[1]!)))) mark('torchserve', l.line);
    // The string is blanked in `code`, so check the raw text, anchored at column 0 of real code.
    if (/^if\b/.test(c) && /^if\s+(__name__\s*==\s*["']__main__["']|["']__main__["']\s*==\s*__name__)\s*:/.test(l.raw)) mark('script', l.line);
  }
  for (const [kind, line] of found) facts.entrypoints.push({ kind, line } satisfies EntrypointFact);
  return facts;
}

export function parseNotebook(text: string, file: string): FileFacts {
  const facts = emptyFacts(file);
  let nb: unknown;
  try {
    nb = JSON.parse(text);
  } catch {
    // V8's message quotes the text: it is not repeated.
    facts.warnings.push(`${loc(file)}: notebook is not valid JSON, skipped`);
    return facts;
  }
  const cells = (nb as { cells?: unknown } | null)?.cells;
  if (!Array.isArray(cells)) {
    facts.warnings.push(`${loc(file)}: notebook has no 'cells' list, skipped`);
    return facts;
  }
  cells.forEach((cell: unknown, index) => {
    const c = cell as { cell_type?: unknown; source?: unknown } | null;
    if (c?.cell_type !== 'code') return;
    const src = Array.isArray(c.source) ? c.source.filter((s): s is string => typeof s === 'string').join('') : typeof c.source === 'string' ? c.source : '';
    // Shell escapes and magics (`!pip install`, `%matplotlib`) are not Python.
    const lines = codeLines(src.replace(/^[ \t]*[!%].*$/gm, ''));
    collectImports(lines, facts, (l) => ({ reason: `${shorten(l.code.trim(), 80)} (cell ${index + 1}, line ${l.line})` }));
  });
  return facts;
}
