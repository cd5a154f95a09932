// Kubernetes' resource.Quantity, scanned by hand.

const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * Kubernetes' resource.Quantity grammar, scanned left to right in one pass (a regular expression
 * with `\d+\.?\d*` backtracked quadratically: 12 s on a 40 KB string):
 *   quantity ::= sign? (digits | digits '.' digits? | '.' digits) suffix
 *   suffix   ::= '' | n | u | m | k | M | G | T | P | E | Ki | Mi | Gi | Ti | Pi | Ei | (e|E) sign? digits
 * Returns the value, or undefined when `s` is not exactly one quantity (no surrounding spaces).
 */
export function scanQuantity(s: string): number | undefined {
  const n = s.length;
  let i = 0;
  if (i < n && (s[i] === '+' || s[i] === '-')) i++;
  const numStart = i;
  let digits = 0;
  while (i < n && isDigit(s.charCodeAt(i))) {
    i++;
    digits++;
  }
  if (i < n && s[i] === '.') {
    i++;
    while (i < n && isDigit(s.charCodeAt(i))) {
      i++;
      digits++;
    }
  }
  if (digits === 0) return undefined;
  const base = Number(s.slice(numStart, i)) * (s[0] === '-' ? -1 : 1);
  const rest = s.slice(i);
  if (Object.prototype.hasOwnProperty.call(SUFFIX, rest)) return base * SUFFIX[rest]!;
  if (rest[0] === 'e' || rest[0] === 'E') {
    let j = 1;
    if (rest[j] === '+' || rest[j] === '-') j++;
    if (j >= rest.length) return undefined;
    for (let k = j; k < rest.length; k++) if (!isDigit(rest.charCodeAt(k))) return undefined;
    return base * 10 ** Number(rest.slice(1));
  }
  return undefined;
}

