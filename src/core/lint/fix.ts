// Applying a quick fix to text: small and dependency-free, so the extension host can apply fixes
// without loading the linter (which runs in a worker).
import { LineIndex } from './text';
import type { Finding, Fix } from './types';
import { TAG_PLACEHOLDER } from './types';

/**
 * Applies a fix's edits to the text it was computed on. Edits are applied from the end so
 * earlier offsets stay valid; insertions at the same position keep their array order.
 */
export function applyFix(text: string, fix: Fix, input?: string): string {
  const lines = new LineIndex(text);
  const edits = fix.edits.map((e, i) => ({
    s: lines.offset(e.line, e.column),
    e: lines.offset(e.endLine, e.endColumn),
    t: input !== undefined ? e.newText.split(TAG_PLACEHOLDER).join(input) : e.newText,
    i,
  }));
  edits.sort((a, b) => b.s - a.s || b.i - a.i);
  let out = text;
  for (const e of edits) out = out.slice(0, e.s) + e.t + out.slice(Math.max(e.s, e.e));
  return out;
}

/** The one finding a file gets when it could not be checked within its time budget. */
export function tooComplex(file: string, ms: number, progress?: { checked: number; total: number }): Finding {
  const part = progress ? ` after checking ${progress.checked} of its ${progress.total} documents` : '';
  return {
    file,
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 1,
    severity: 'warning',
    rule: 'too-complex',
    message: `this file is too complex to check fully: ModelDock stopped${part} after ${Math.round(ms)} ms so the editor stays responsive, so findings may be missing (\`modeldock lint\` on the command line checks it without a time limit)`,
  };
}
