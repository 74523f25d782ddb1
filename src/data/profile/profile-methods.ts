import type { DistinctPlan } from './column-summary.js';
import { DISTINCT_SAMPLE_MIN } from './profile-defaults.js';
import type { TableProfile } from './profile-types.js';

/** The report's account of how each statistic was computed. */
export function profileMethods(plan: DistinctPlan, exactRowLimit: number): TableProfile['methods'] {
  const limit = exactRowLimit.toLocaleString('en-US');
  return {
    quantiles:
      "exact order statistics with linear interpolation between closest ranks (virtual index (n − 1)·p), as NumPy's default and pandas' quantile/describe",
    distinct:
      plan.method === 'exact'
        ? `exact (COUNT DISTINCT) for every column: the table has at most ${limit} rows`
        : `string and boolean columns, and columns whose sample held under ${DISTINCT_SAMPLE_MIN.toLocaleString('en-US')} distinct hashes: exact; ` +
          `other columns: approximate, the distinct 64-bit value hashes in the lowest 1/${Math.round(1 / plan.fraction)} of the hash range times ${Math.round(1 / plan.fraction)} ` +
          `(relative standard error about √(${Math.round(1 / plan.fraction) - 1}/distinct), under 1% here)`,
    histogram:
      "equal-width bins from min to max over the finite values, as numpy.histogram: each bin [lower, upper), the last also holding max; a single value gets the range value ± 0.5",
    duplicates:
      plan.method === 'exact'
        ? 'exact: rows − distinct rows over the profiled columns'
        : `rows − distinct 64-bit row hashes over the profiled columns (above ${limit} rows; a hash collision, probability about rows²/2⁶⁵, would add one)`,
    missing:
      'count = values present; nulls = SQL NULLs plus NaN in float columns (pandas isna); ±Infinity counts as present but is left out of min, max, mean, stddev, quantiles and histogram',
    numbers:
      'every statistic is an IEEE double, as in pandas: BIGINT, HUGEINT and DECIMAL values beyond 2^53 (about 9.007e15) are rounded to the nearest double; mean and stddev come from DuckDB (stddev with n − 1, Welford updates)',
  };
}
