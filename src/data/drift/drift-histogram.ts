/**
 * What the HTML report draws per column: numerical columns as shares in
 * shared equal-width bins over both sides' range, categorical ones as shares
 * per value (the most common ones, the rest pooled).
 */
import type { ColumnType, DriftColumnValues } from './drift-types.js';

export interface NumericalHistogram {
  type: 'numerical';
  /** bins + 1 edges; bin i is [edges[i], edges[i+1]), the last one closed. */
  edges: number[];
  /** Share of each side's non-missing values per bin. */
  reference: number[];
  current: number[];
}

export interface CategoricalHistogram {
  type: 'categorical';
  labels: string[];
  reference: number[];
  current: number[];
  /** Distinct values pooled into the last label, 0 when none. */
  pooled: number;
}

export type DriftHistogram = NumericalHistogram | CategoricalHistogram;

export const MAX_BINS = 40;
export const MAX_CATEGORIES = 12;

function isMissing(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v));
}

/** Calls `visit` with each finite number of a column. */
function eachFinite(values: DriftColumnValues, visit: (x: number) => void): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const x = typeof v === 'bigint' ? Number(v) : v;
    if (typeof x === 'number' && Number.isFinite(x)) {
      visit(x);
      n++;
    }
  }
  return n;
}

function numerical(reference: DriftColumnValues, current: DriftColumnValues): NumericalHistogram | null {
  let min = Infinity;
  let max = -Infinity;
  const range = (x: number) => {
    if (x < min) min = x;
    if (x > max) max = x;
  };
  const refCount = eachFinite(reference, range);
  const curCount = eachFinite(current, range);
  if (refCount === 0 || curCount === 0) return null;
  // Sturges' rule, as Evidently's binning uses, capped so bars stay legible.
  const bins = min === max ? 1 : Math.min(MAX_BINS, Math.ceil(Math.log2(refCount + curCount) + 1));
  const lo = min === max ? min - 0.5 : min;
  const hi = min === max ? max + 0.5 : max;
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  const shares = (values: DriftColumnValues, total: number) => {
    const counts = new Array<number>(bins).fill(0);
    eachFinite(values, (x) => (counts[Math.min(bins - 1, Math.floor((x - lo) / width))]! += 1));
    return counts.map((c) => c / total);
  };
  return { type: 'numerical', edges, reference: shares(reference, refCount), current: shares(current, curCount) };
}

function counts(values: DriftColumnValues): { counts: Map<string, number>; total: number } {
  const out = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isMissing(v)) continue;
    const key = String(v);
    out.set(key, (out.get(key) ?? 0) + 1);
    total++;
  }
  return { counts: out, total };
}

function categorical(reference: DriftColumnValues, current: DriftColumnValues): CategoricalHistogram | null {
  const ref = counts(reference);
  const cur = counts(current);
  if (ref.total === 0 || cur.total === 0) return null;
  const share = (side: typeof ref, key: string) => (side.counts.get(key) ?? 0) / side.total;
  const keys = [...new Set([...ref.counts.keys(), ...cur.counts.keys()])];
  keys.sort((a, b) => share(ref, b) + share(cur, b) - (share(ref, a) + share(cur, a)) || a.localeCompare(b));
  const shown = keys.length > MAX_CATEGORIES ? keys.slice(0, MAX_CATEGORIES - 1) : keys;
  const rest = keys.slice(shown.length);
  const sideShares = (side: typeof ref) => {
    const out = shown.map((k) => share(side, k));
    if (rest.length > 0) out.push(rest.reduce((sum, k) => sum + share(side, k), 0));
    return out;
  };
  return {
    type: 'categorical',
    labels: rest.length > 0 ? [...shown, `other (${rest.length})`] : shown,
    reference: sideShares(ref),
    current: sideShares(cur),
    pooled: rest.length,
  };
}

/** The chart data of one column; null when a side has no values. */
export function driftHistogram(type: ColumnType, reference: DriftColumnValues, current: DriftColumnValues): DriftHistogram | null {
  return type === 'numerical' ? numerical(reference, current) : categorical(reference, current);
}
