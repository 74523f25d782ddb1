/**
 * Two-sample Kolmogorov–Smirnov test, two-sided, with the semantics of
 * `scipy.stats.ks_2samp(data1, data2)` in SciPy 1.10 (`method='auto'`).
 */
import { exactKsPValue, gcd, roundHalfEven } from './ks-exact.js';
import { kolmogorovSmirnovSf } from './kolmogorov-distribution.js';
import { sortFloat64 } from './sort-float64.js';

/** SciPy's `MAX_AUTO_N`: `auto` tries the exact p-value up to this sample size. */
export const KS_MAX_EXACT_N = 10000;

const INT32_MAX = 2147483647;

export type KsMethod = 'auto' | 'exact' | 'asymp';

export interface KsResult {
  /** sup |F1 − F2|. */
  statistic: number;
  pvalue: number;
  /** How the p-value was computed. */
  method: 'exact' | 'asymp';
}

/**
 * sup |F1(x) − F2(x)| of the empirical CDFs, evaluated at every sample point
 * as SciPy's `searchsorted(side='right')` does, with the same float
 * operations (`i/n1 − j/n2`), so the statistic matches SciPy's to the bit.
 * Both inputs must be sorted ascending and free of NaN.
 */
export function ksStatistic(sorted1: Float64Array, sorted2: Float64Array): number {
  const n1 = sorted1.length;
  const n2 = sorted2.length;
  let i = 0;
  let j = 0;
  let maxDiff = -Infinity;
  let minDiff = Infinity;
  while (i < n1 || j < n2) {
    const a = i < n1 ? sorted1[i]! : Infinity;
    const b = j < n2 ? sorted2[j]! : Infinity;
    const v = a <= b ? a : b;
    while (i < n1 && sorted1[i] === v) i++;
    while (j < n2 && sorted2[j] === v) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxDiff) maxDiff = diff;
    if (diff < minDiff) minDiff = diff;
  }
  const minS = Math.min(Math.max(-minDiff, 0), 1);
  return minS > maxDiff ? minS : maxDiff;
}

/** SciPy refuses `exact` when lcm(n1, n2) would pass the int32 range. */
function exactFeasible(n1: number, n2: number): boolean {
  const g = gcd(n1, n2);
  return n1 / g < INT32_MAX / (n2 / g);
}

/** Asymptotic p-value: `kstwo.sf(d, round(n1·n2/(n1+n2)))`. */
export function asymptoticKsPValue(n1: number, n2: number, d: number): number {
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = (m * n) / (m + n);
  return kolmogorovSmirnovSf(d, roundHalfEven(en));
}

/**
 * Two-sided two-sample KS test on samples already sorted ascending (no NaN).
 * Throws RangeError on an empty sample, as SciPy raises ValueError.
 */
export function ksTwoSampleSorted(
  sorted1: Float64Array,
  sorted2: Float64Array,
  method: KsMethod = 'auto',
): KsResult {
  const n1 = sorted1.length;
  const n2 = sorted2.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('ks_2samp needs two non-empty samples');
  let d = ksStatistic(sorted1, sorted2);
  const tryExact =
    method === 'auto' ? Math.max(n1, n2) <= KS_MAX_EXACT_N : method === 'exact' && exactFeasible(n1, n2);
  if (tryExact) {
    const exact = exactKsPValue(n1, n2, d);
    d = exact.statistic;
    if (exact.success) return { statistic: d, pvalue: exact.pvalue, method: 'exact' };
  }
  const p = asymptoticKsPValue(n1, n2, d);
  return { statistic: d, pvalue: Math.min(Math.max(p, 0), 1), method: 'asymp' };
}

/** Two-sided two-sample KS test, `scipy.stats.ks_2samp(a, b, method=method)`; NaN-free inputs. */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>, method: KsMethod = 'auto'): KsResult {
  return ksTwoSampleSorted(sortFloat64(Float64Array.from(a)), sortFloat64(Float64Array.from(b)), method);
}
