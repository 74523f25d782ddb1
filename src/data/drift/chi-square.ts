/**
 * Pearson's chi-square goodness-of-fit test, `scipy.stats.chisquare(f_obs,
 * f_exp)` (SciPy 1.10, `ddof = 0`), and Evidently's two-sample use of it.
 */
import { chiSquareSf } from './gamma.js';
import type { CategoryCounts } from './category-counts.js';

export interface ChiSquareResult {
  statistic: number;
  pvalue: number;
  /** Degrees of freedom, k − 1. */
  df: number;
}

/**
 * `chisquare(f_obs, f_exp)`: Σ (o − e)² / e and `chi2.sf(stat, k − 1)`. An
 * expected count of 0 with a positive observed count makes the statistic
 * infinite and the p-value 0, as in SciPy; k < 2 gives a NaN p-value.
 */
export function chiSquareTest(observed: ArrayLike<number>, expected: ArrayLike<number>): ChiSquareResult {
  if (observed.length !== expected.length) throw new RangeError('observed and expected differ in length');
  let statistic = 0;
  for (let i = 0; i < observed.length; i++) {
    const diff = observed[i]! - expected[i]!;
    statistic += (diff * diff) / expected[i]!;
  }
  const df = observed.length - 1;
  return { statistic, pvalue: chiSquareSf(statistic, df), df };
}

/**
 * Evidently's `chisquare` stattest: expected counts are the reference counts
 * scaled by n_current / n_reference, observed are the current counts, over the
 * union of categories.
 */
export function chiSquareTwoSample(counts: CategoryCounts): ChiSquareResult {
  const kNorm = counts.currentTotal / counts.referenceTotal;
  const expected = counts.reference.map((c) => c * kNorm);
  return chiSquareTest(counts.current, expected);
}
