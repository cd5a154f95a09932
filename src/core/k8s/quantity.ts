// Kubernetes resource.Quantity, parsed in one pass without regular expressions (user and server
// text alike: a 40 KB string must not cost seconds), as a number of base units.
// Grammar: https://github.com/kubernetes/apimachinery/blob/master/pkg/api/resource/quantity.go

const SUFFIX: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/**
 * Kubernetes' resource.Quantity grammar, scanned left to right in one pass (a regular expression
 * with `\d+\.?\d*` backtracked quadratically: 12 s on a 40 KB string):
 *   quantity ::= sign? (digits | digits '.' digits? | '.' digits) suffix
 *   suffix   ::= '' | n | u | m | k | M | G | T | P | E | Ki | Mi | Gi | Ti | Pi | Ei | (e|E) sign? digits
 * Returns the value (Infinity when it overflows a double: still a quantity to the grammar), or
 * undefined when `s` is not exactly one quantity (no surrounding spaces).
 */
export function scanQuantity(v: string): number | undefined {
  let i = 0;
  if (v[i] === '+' || v[i] === '-') i++;
  let digits = 0;
  while (isDigit(v[i])) {
    i++;
    digits++;
  }
  if (v[i] === '.') {
    i++;
    while (isDigit(v[i])) {
      i++;
      digits++;
    }
  }
  if (digits === 0) return undefined;
  const number = Number(v.slice(0, i));
  let exponent = 0;
  let suffix = v.slice(i);
  // A decimal exponent (1e3, 5E-2) takes the place of a suffix.
  if ((v[i] === 'e' || v[i] === 'E') && (isDigit(v[i + 1]) || ((v[i + 1] === '+' || v[i + 1] === '-') && isDigit(v[i + 2])))) {
    let j = i + 1;
    const expStart = j;
    if (v[j] === '+' || v[j] === '-') j++;
    while (isDigit(v[j])) j++;
    exponent = Number(v.slice(expStart, j));
    suffix = v.slice(j);
    if (suffix !== '') return undefined;
  }
  if (!Object.prototype.hasOwnProperty.call(SUFFIX, suffix)) return undefined;
  return number * 10 ** exponent * SUFFIX[suffix]!;
}

/** A quantity as a finite number of base units (cores, bytes, devices), or undefined when it is not one. */
export function parseQuantity(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string' || v.length === 0) return undefined;
  const out = scanQuantity(v);
  return out !== undefined && Number.isFinite(out) ? out : undefined;
}
