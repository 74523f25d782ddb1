/**
 * First Wasserstein distance between two empirical distributions,
 * `scipy.stats.wasserstein_distance(u, v)` (unweighted), and Evidently's
 * normed variant.
 */
import { sortFloat64 } from './sort-float64.js';

/** ∫ |U(t) − V(t)| dt over the merged sample points; inputs sorted ascending, NaN-free, non-empty. */
export function wassersteinDistanceSorted(u: Float64Array, v: Float64Array): number {
  const nu = u.length;
  const nv = v.length;
  let i = 0;
  let j = 0;
  // Neumaier summation: SciPy sums pairwise, both stay within a few ulps.
  let sum = 0;
  let comp = 0;
  while (i < nu || j < nv) {
    const x = i < nu && (j >= nv || u[i]! <= v[j]!) ? u[i]! : v[j]!;
    while (i < nu && u[i]! <= x) i++;
    while (j < nv && v[j]! <= x) j++;
    if (i === nu && j === nv) break;
    const next = i < nu && (j >= nv || u[i]! <= v[j]!) ? u[i]! : v[j]!;
    const term = Math.abs(i / nu - j / nv) * (next - x);
    const t = sum + term;
    comp += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
    sum = t;
  }
  return sum + comp;
}

/** `wasserstein_distance(u, v)` on unsorted NaN-free samples. */
export function wassersteinDistance(u: ArrayLike<number>, v: ArrayLike<number>): number {
  return wassersteinDistanceSorted(sortFloat64(Float64Array.from(u)), sortFloat64(Float64Array.from(v)));
}

/** Population standard deviation (`np.std`, ddof = 0), two-pass. */
export function populationStd(values: Float64Array): number {
  const n = values.length;
  let sum = 0;
  let comp = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    const t = sum + x;
    comp += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  }
  const mean = (sum + comp) / n;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    sq += d * d;
  }
  return Math.sqrt(sq / n);
}

/**
 * Evidently's `wasserstein` stattest: the distance divided by the reference
 * standard deviation, floored at 0.001 so a constant reference stays finite.
 */
export function normedWassersteinDistanceSorted(reference: Float64Array, current: Float64Array): number {
  const norm = Math.max(populationStd(reference), 0.001);
  return wassersteinDistanceSorted(reference, current) / norm;
}
