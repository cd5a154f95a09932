/** Edit distance, with an early exit once it exceeds `max` (typo suggestions never need more). */
export function levenshtein(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The closest candidate within a typo's distance (case differences count as near), or else the one
 * candidate the word abbreviates (`meta` → `metadata`), or undefined.
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestD = limit + 1;
  const lower = word.toLowerCase();
  const prefixOf: string[] = [];
  for (const c of candidates) {
    const cl = c.toLowerCase();
    if (cl === lower) return c;
    const d = levenshtein(lower, cl, limit);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
    if (lower.length >= 3 && cl.startsWith(lower)) prefixOf.push(c);
  }
  return best ?? (prefixOf.length === 1 ? prefixOf[0] : undefined);
}
