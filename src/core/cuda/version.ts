// Version strings as they come from requirement pins: `2.3.1`, `==2.3.1`, `2.3.1+cu121`, `v2.3`.

export interface ParsedPin {
  /** Public version without local label, e.g. `2.3.1`. */
  version: string;
  /** Numeric release parts; pre/post/dev suffixes are ignored for table lookups. */
  parts: number[];
  /** Local label (`cu121`, `cpu`) or null. */
  local: string | null;
}

export function parsePin(raw: string): ParsedPin | null {
  const s = raw.trim().replace(/^[=~<>!]+/, '').replace(/^v/i, '');
  const plus = s.indexOf('+');
  const pub = plus >= 0 ? s.slice(0, plus) : s;
  const local = plus >= 0 ? s.slice(plus + 1) || null : null;
  const m = /^(\d+(?:\.\d+)*)/.exec(pub);
  if (!m || !m[1]) return null;
  return { version: pub, parts: m[1].split('.').map(Number), local };
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** `2.3.1` -> `2.3`. */
export function series(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

/** `cu121` -> `12.1`, `cu118` -> `11.8`, `cu130` -> `13.0`; anything else -> null. */
export function cudaFromLocal(local: string | null): string | null {
  const m = local ? /^cu(\d{2})(\d)$/.exec(local) : null;
  return m && m[1] && m[2] ? `${Number(m[1])}.${m[2]}` : null;
}

/** `12.1` -> `cu121`. */
export function cudaTag(cuda: string): string {
  const [maj, min] = cuda.split('.');
  return `cu${maj ?? ''}${min ?? '0'}`;
}

/** `3.11.4`, `>=3.11`, `python3.11` -> `3.11`; null when no major.minor is present. */
export function pythonMinor(raw: string | null | undefined): string | null {
  const m = raw ? /(\d+)\.(\d+)/.exec(raw) : null;
  return m && m[1] && m[2] ? `${m[1]}.${m[2]}` : null;
}

export function cudaMajor(cuda: string): number {
  return Number.parseInt(cuda.split('.')[0] ?? '', 10);
}

/**
 * The release a `==` pin names: pip pads missing parts with zeros, so `torch==2.0` installs 2.0.0.
 * Pins with more than three parts (`0.9.0.1`) stay as they are.
 */
export function releaseOf(version: string): string {
  const parts = version.split('.');
  while (parts.length < 3) parts.push('0');
  return parts.join('.');
}

export function cudaMinorOf(cuda: string): number {
  return Number.parseInt(cuda.split('.')[1] ?? '', 10);
}
