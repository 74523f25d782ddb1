/** Runs one named test on a cleaned column and returns its drift score. */
import { binCategorical, binNumerical, type BinnedShares } from './binning.js';
import { countSortedNumbers, type CategoryCounts } from './category-counts.js';
import { chiSquareTwoSample } from './chi-square.js';
import type { StatTestName } from './drift-types.js';
import { ksTwoSampleSorted } from './ks-two-sample.js';
import { jensenShannonDistance, klDivergence, populationStabilityIndex } from './relative-entropy.js';
import { normedWassersteinDistanceSorted } from './wasserstein.js';
import { zTestTwoSample } from './z-test.js';

/** A cleaned column: sorted numbers, or category counts over both sides. */
export type PreparedColumn =
  | { type: 'numerical'; reference: Float64Array; current: Float64Array }
  | { type: 'categorical'; counts: CategoryCounts };

export interface StatTestScore {
  /** p-value or distance; NaN when the test has no answer for this data. */
  score: number;
  details?: Record<string, number | string>;
}

/** JSON has no infinities: an infinite chi-square statistic is reported as "Infinity". */
function jsonNumber(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

function counts(column: PreparedColumn): CategoryCounts {
  return column.type === 'categorical' ? column.counts : countSortedNumbers(column.reference, column.current);
}

function shares(column: PreparedColumn, fillZeroes: boolean): BinnedShares {
  return column.type === 'categorical'
    ? binCategorical(column.counts, fillZeroes)
    : binNumerical(column.reference, column.current, fillZeroes);
}

/**
 * Evidently's implementation of `name` on this column. The caller checks the
 * test suits the column type; `ks` and `wasserstein` need a numerical column.
 */
export function runStatTest(name: StatTestName, column: PreparedColumn): StatTestScore {
  switch (name) {
    case 'ks': {
      if (column.type !== 'numerical') throw new TypeError('ks needs a numerical column');
      const r = ksTwoSampleSorted(column.reference, column.current);
      return { score: r.pvalue, details: { ks_statistic: r.statistic, p_value_method: r.method } };
    }
    case 'wasserstein': {
      if (column.type !== 'numerical') throw new TypeError('wasserstein needs a numerical column');
      return { score: normedWassersteinDistanceSorted(column.reference, column.current) };
    }
    case 'chisquare': {
      const r = chiSquareTwoSample(counts(column));
      return { score: r.pvalue, details: { chi_square: jsonNumber(r.statistic), df: r.df } };
    }
    case 'z': {
      const r = zTestTwoSample(counts(column));
      return { score: r.pvalue, details: Number.isNaN(r.statistic) ? {} : { z: r.statistic } };
    }
    case 'jensenshannon': {
      const s = shares(column, false);
      return { score: jensenShannonDistance(s.reference, s.current), details: { bins: s.reference.length } };
    }
    case 'psi': {
      const s = shares(column, true);
      return { score: populationStabilityIndex(s.reference, s.current), details: { bins: s.reference.length } };
    }
    case 'kl_div': {
      const s = shares(column, true);
      return { score: klDivergence(s.reference, s.current), details: { bins: s.reference.length } };
    }
  }
}
