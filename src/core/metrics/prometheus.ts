// A parser for the Prometheus text exposition format (version 0.0.4), as model servers serve it
// on /metrics. Linear in the input: one pass over the lines, no regular expressions that can
// backtrack, bounded line and label sizes; a malformed line is skipped and counted, never thrown.
// Reference: https://prometheus.io/docs/instrumenting/exposition_formats/

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  /** Full sample name (`x_bucket`, `x_sum`, `x_count` for histograms). */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  samples: Sample[];
  /** Family name → declared type (`# TYPE`). */
  types: Map<string, MetricType>;
  /** Lines that could not be parsed (skipped). */
  skipped: number;
}

const MAX_LINE = 64 * 1024;
const MAX_LABELS = 64;

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 58; // A-Z a-z _ :
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

function parseValue(text: string): number | null {
  const t = text.trim();
  if (t === '+Inf' || t === 'Inf') return Infinity;
  if (t === '-Inf') return -Infinity;
  if (t === 'NaN') return NaN;
  if (t === '') return null;
  const v = Number(t);
  return Number.isNaN(v) ? null : v;
}

/** Parses one sample line; null when malformed. */
function parseSample(line: string): Sample | null {
  let i = 0;
  const n = line.length;
  if (n === 0 || !isNameStart(line.charCodeAt(0))) return null;
  while (i < n && isNameChar(line.charCodeAt(i))) i++;
  const name = line.slice(0, i);
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    let count = 0;
    for (;;) {
      while (i < n && (line[i] === ' ' || line[i] === ',')) i++;
      if (i >= n) return null;
      if (line[i] === '}') {
        i++;
        break;
      }
      const ks = i;
      if (!isNameStart(line.charCodeAt(i))) return null;
      while (i < n && isNameChar(line.charCodeAt(i))) i++;
      const key = line.slice(ks, i);
      while (i < n && line[i] === ' ') i++;
      if (line[i] !== '=') return null;
      i++;
      while (i < n && line[i] === ' ') i++;
      if (line[i] !== '"') return null;
      i++;
      let value = '';
      let closed = false;
      while (i < n) {
        const c = line[i]!;
        if (c === '\\') {
          const next = line[i + 1];
          value += next === 'n' ? '\n' : next === '"' ? '"' : next === '\\' ? '\\' : (next ?? '');
          i += 2;
          continue;
        }
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        value += c;
        i++;
      }
      if (!closed) return null;
      if (++count > MAX_LABELS) return null;
      labels[key] = value;
    }
  }
  // Value, then an optional timestamp.
  const rest = line.slice(i).trim();
  const space = rest.indexOf(' ');
  const value = parseValue(space === -1 ? rest : rest.slice(0, space));
  if (value === null) return null;
  return { name, labels, value };
}

export function parsePrometheusText(text: string): Scrape {
  const samples: Sample[] = [];
  const types = new Map<string, MetricType>();
  let skipped = 0;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    if (line.length > MAX_LINE) {
      skipped++;
      continue;
    }
    if (line.startsWith('#')) {
      const parts = line.slice(1).trim().split(' ').filter(Boolean);
      if (parts[0] === 'TYPE' && parts[1] && parts[2]) {
        const t = parts[2] as MetricType;
        if (['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(t)) types.set(parts[1], t);
      }
      continue;
    }
    const s = parseSample(line);
    if (s) samples.push(s);
    else skipped++;
  }
  return { samples, types, skipped };
}

/** Sum of samples named `name` whose labels include every `match` pair. */
export function sum(scrape: Scrape, name: string, match: Record<string, string> = {}, filter?: (labels: Record<string, string>) => boolean): number | null {
  let total = 0;
  let seen = false;
  for (const s of scrape.samples) {
    if (s.name !== name) continue;
    if (!Object.entries(match).every(([k, v]) => s.labels[k] === v)) continue;
    if (filter && !filter(s.labels)) continue;
    if (!Number.isFinite(s.value)) continue;
    total += s.value;
    seen = true;
  }
  return seen ? total : null;
}

/** Cumulative histogram buckets `le → count` of `family`, summed over the other labels. */
export function buckets(scrape: Scrape, family: string, filter?: (labels: Record<string, string>) => boolean): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of scrape.samples) {
    if (s.name !== `${family}_bucket`) continue;
    if (filter && !filter(s.labels)) continue;
    const le = parseValue(s.labels.le ?? '');
    if (le === null || Number.isNaN(le)) continue;
    out.set(le, (out.get(le) ?? 0) + s.value);
  }
  return out;
}

/**
 * The q-quantile of the observations between two scrapes of a cumulative histogram, by linear
 * interpolation inside the bucket, as PromQL's histogram_quantile does. null without observations.
 */
export function histogramQuantile(q: number, before: Map<number, number>, after: Map<number, number>): number | null {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  if (bounds.length === 0) return null;
  const counts = bounds.map((le) => Math.max(0, (after.get(le) ?? 0) - (before.get(le) ?? 0)));
  const total = counts[counts.length - 1]!;
  if (!(total > 0)) return null;
  const rank = q * total;
  for (let i = 0; i < bounds.length; i++) {
    if (counts[i]! >= rank) {
      const upper = bounds[i]!;
      const lower = i === 0 ? 0 : bounds[i - 1]!;
      const below = i === 0 ? 0 : counts[i - 1]!;
      // The +Inf bucket has no upper bound: report the highest finite bound, as PromQL does.
      if (!Number.isFinite(upper)) return lower;
      const inBucket = counts[i]! - below;
      if (inBucket <= 0) return upper;
      return lower + (upper - lower) * ((rank - below) / inBucket);
    }
  }
  return bounds[bounds.length - 1] ?? null;
}
