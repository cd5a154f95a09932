// What must hold for every lint of every input: ranges inside the document, findings in source
// order, short messages, and quick fixes that do not make things worse.
import { applyFix } from '../../src/core/lint/fix';
import { MESSAGE_MAX } from '../../src/core/lint/text';
import type { Finding, Range } from '../../src/core/lint/types';

/** Line lengths of `text` (a line is what lies between newlines; CR counts as a character). */
export function lineLengths(text: string): number[] {
  return text.split('\n').map((l) => l.length);
}

function inside(lengths: number[], line: number, column: number): boolean {
  return Number.isInteger(line) && Number.isInteger(column) && line >= 1 && line <= lengths.length && column >= 1 && column <= lengths[line - 1]! + 1;
}

/** Violations of the position invariants, as sentences (empty when all hold). */
export function rangeProblems(text: string, ranges: readonly (Range & { rule?: string })[], what = 'finding'): string[] {
  const lengths = lineLengths(text);
  const out: string[] = [];
  for (const r of ranges) {
    const at = `${what} ${r.rule ?? ''} ${r.line}:${r.column}-${r.endLine}:${r.endColumn}`;
    if (!inside(lengths, r.line, r.column)) out.push(`${at}: start outside the document (${lengths.length} lines, line ${r.line} has ${lengths[r.line - 1] ?? '-'} characters)`);
    if (!inside(lengths, r.endLine, r.endColumn)) out.push(`${at}: end outside the document`);
    if (r.endLine < r.line || (r.endLine === r.line && r.endColumn < r.column)) out.push(`${at}: ends before it starts`);
  }
  return out;
}

export function findingProblems(text: string, findings: readonly Finding[]): string[] {
  const out = rangeProblems(text, findings);
  for (let i = 1; i < findings.length; i++) {
    const a = findings[i - 1]!;
    const b = findings[i]!;
    if (b.line < a.line || (b.line === a.line && b.column < a.column)) out.push(`findings out of source order at ${b.line}:${b.column} after ${a.line}:${a.column}`);
  }
  for (const f of findings) {
    if (f.message.length > MESSAGE_MAX) out.push(`message of ${f.message.length} characters (${f.rule})`);
    if (typeof f.message !== 'string' || !f.message) out.push(`empty message (${f.rule})`);
    if (f.fix) out.push(...rangeProblems(text, f.fix.edits, `fix edit of ${f.rule}`));
  }
  return out;
}

const errorCounts = (findings: readonly Finding[]): Map<string, number> => {
  const m = new Map<string, number>();
  for (const f of findings) if (f.severity === 'error') m.set(f.rule, (m.get(f.rule) ?? 0) + 1);
  return m;
};

/**
 * A fix must not add an error: after applying it, no rule has more errors than before (syntax
 * and duplicate keys included), and the fixed text keeps the invariants.
 */
export function fixProblems(text: string, finding: Finding, lint: (t: string) => Finding[], before: readonly Finding[]): string[] {
  if (!finding.fix) return [];
  const fixed = applyFix(text, finding.fix, finding.fix.needsInput === 'tag' ? '1.2.3' : undefined);
  const after = lint(fixed);
  const b = errorCounts(before);
  const out: string[] = [];
  for (const [rule, n] of errorCounts(after)) {
    if (n > (b.get(rule) ?? 0)) out.push(`fix "${finding.fix.title}" (${finding.rule} at ${finding.line}:${finding.column}) adds ${n - (b.get(rule) ?? 0)} ${rule} error(s): ${after.find((f) => f.rule === rule && f.severity === 'error')?.message ?? ''}`);
  }
  return out;
}
