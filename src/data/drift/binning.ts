/**
 * Evidently's `get_binned_data` (legacy `stattests/utils.py`, v0.7.x), shared
 * by PSI, KL divergence and Jensen–Shannon. Despite its docstring it does not
 * use reference quantiles: a numerical column with more than 20 distinct
 * reference values is cut into equal-width bins over the combined range, as
 * many as NumPy's Sturges rule gives (`np.histogram_bin_edges(…, "sturges")`);
 * anything else is compared value by value.
 */
import { countSortedNumbers, type CategoryCounts } from './category-counts.js';

/** Bucket shares of the two sides, index-aligned. */
export interface BinnedShares {
  reference: number[];
  current: number[];
}

/** Distinct values in a sorted array. */
export function countDistinctSorted(values: ArrayLike<number>): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (i === 0 || values[i] !== values[i - 1]) count++;
  return count;
}

/**
 * `np.histogram_bin_edges(combined, bins="sturges")` for finite data with
 * min < max, reproducing NumPy's float operations (`np.linspace` included).
 */
export function sturgesBinEdges(min: number, max: number, size: number): number[] {
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const width = (max - min) / (Math.log2(size) + 1);
  const bins = width ? Math.ceil((last - first) / width) : 1;
  const step = (last - first) / bins;
  const edges = new Array<number>(bins + 1);
  for (let i = 0; i < bins; i++) edges[i] = step === 0 ? (i / bins) * (last - first) + first : i * step + first;
  edges[bins] = last;
  return edges;
}

/**
 * Counts of a sorted sample in `np.histogram` bins: [e_i, e_{i+1}), the last
 * bin closed.
 */
export function histogramSorted(sorted: ArrayLike<number>, edges: readonly number[]): number[] {
  const bins = edges.length - 1;
  const counts = new Array<number>(bins).fill(0);
  let bin = 0;
  for (let i = 0; i < sorted.length; i++) {
    const x = sorted[i]!;
    if (x < edges[0]! || x > edges[bins]!) continue;
    while (bin < bins - 1 && x >= edges[bin + 1]!) bin++;
    counts[bin]! += 1;
  }
  return counts;
}

/**
 * Evidently's zero filling: zeros become min(non-zero)/10^6 when that minimum
 * is at most 1e-4, else 1e-4, so logarithms stay finite.
 */
export function fillZeroShares(shares: number[]): number[] {
  let min = Infinity;
  for (const s of shares) if (s !== 0 && s < min) min = s;
  if (min === Infinity) return shares;
  const fill = min <= 0.0001 ? min / 10 ** 6 : 0.0001;
  return shares.map((s) => (s === 0 ? fill : s));
}

function toShares(counts: CategoryCounts): BinnedShares {
  return {
    reference: counts.reference.map((c) => c / counts.referenceTotal),
    current: counts.current.map((c) => c / counts.currentTotal),
  };
}

/** Binned shares of a numerical column (both sides sorted, NaN-free, non-empty). */
export function binNumerical(reference: ArrayLike<number>, current: ArrayLike<number>, fillZeroes: boolean): BinnedShares {
  let shares: BinnedShares;
  if (countDistinctSorted(reference) > 20) {
    const min = Math.min(reference[0]!, current[0]!);
    const max = Math.max(reference[reference.length - 1]!, current[current.length - 1]!);
    const edges = sturgesBinEdges(min, max, reference.length + current.length);
    shares = {
      reference: histogramSorted(reference, edges).map((c) => c / reference.length),
      current: histogramSorted(current, edges).map((c) => c / current.length),
    };
  } else {
    shares = toShares(countSortedNumbers(reference, current));
  }
  return fillZeroes ? { reference: fillZeroShares(shares.reference), current: fillZeroShares(shares.current) } : shares;
}

/** Binned shares of a categorical column: one bucket per value. */
export function binCategorical(counts: CategoryCounts, fillZeroes: boolean): BinnedShares {
  const shares = toShares(counts);
  return fillZeroes ? { reference: fillZeroShares(shares.reference), current: fillZeroShares(shares.current) } : shares;
}
