import type { DiffLine } from '../../../webview/protocol';

/** Beyond this many line pairs the LCS table costs more than a preview is worth. */
const MAX_CELLS = 4_000_000;

function lines(text: string): string[] {
  if (text === '') return [];
  const out = text.split(/\r?\n/);
  // A trailing newline is not an extra empty line for a reader.
  if (out.length > 1 && out[out.length - 1] === '') out.pop();
  return out;
}

/**
 * Line diff of `before` → `after` (longest common subsequence), in order, for the wizard's
 * "existing vs new" view. Returns null when the inputs are too large to diff cheaply; the
 * "Open diff" button (VS Code's own diff editor) still works then.
 */
export function lineDiff(before: string, after: string): DiffLine[] | null {
  const a = lines(before);
  const b = lines(after);
  // Common head and tail first: generated files usually differ in a few lines only.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const n = am.length;
  const m = bm.length;
  if ((n + 1) * (m + 1) > MAX_CELLS) return null;

  // lcs[i][j] = LCS length of am[i..] and bm[j..], flattened.
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = am[i] === bm[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
    }
  }
  const out: DiffLine[] = a.slice(0, head).map((text) => ({ op: ' ', text }));
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && am[i] === bm[j]) {
      out.push({ op: ' ', text: am[i]! });
      i++;
      j++;
    } else if (i < n && (j >= m || lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!)) {
      // Removals before additions, as unified diffs read.
      out.push({ op: '-', text: am[i]! });
      i++;
    } else {
      out.push({ op: '+', text: bm[j]! });
      j++;
    }
  }
  for (const text of a.slice(a.length - tail)) out.push({ op: ' ', text });
  return out;
}
