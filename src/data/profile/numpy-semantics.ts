/**
 * NumPy's arithmetic for the two statistics the profile must match bit for
 * bit: `np.histogram` bin edges and bin assignment, and `np.quantile`'s
 * default ('linear') interpolation, which pandas' `quantile` and `describe` use.
 */

/** The edges `np.histogram(a, bins)` uses for data spanning [min, max]: ±0.5 around a single value, then `np.linspace`. */
export function histogramEdges(min: number, max: number, bins: number): number[] {
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  // np.linspace: i * step + start, with the last edge set to stop exactly.
  const step = (last - first) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => i * step + first);
  edges[bins] = last;
  return edges;
}

/**
 * The bin `np.histogram` puts `v` in (first ≤ v ≤ last): a first guess from
 * the scaled offset, then NumPy's one-step corrections against the edges, so
 * each bin is [edge, next edge) and the last one also holds its right edge.
 */
export function histogramBinOf(v: number, edges: readonly number[]): number {
  const bins = edges.length - 1;
  const first = edges[0]!;
  const last = edges[bins]!;
  let i = Math.trunc(((v - first) / (last - first)) * bins);
  if (i === bins) i -= 1;
  if (v < edges[i]!) i -= 1;
  if (i !== bins - 1 && v >= edges[i + 1]!) i += 1;
  return i;
}

/**
 * The value at fraction `p` of `n` sorted values with linear interpolation
 * between closest ranks: virtual index (n − 1)·p, blended with NumPy's
 * `_lerp`, which works from the upper neighbour when the weight is ≥ 0.5.
 * `at(i)` returns the i-th smallest value (0-based).
 */
export function linearQuantile(n: number, p: number, at: (rank: number) => number): number {
  const virtual = (n - 1) * p;
  const below = Math.floor(virtual);
  const above = Math.min(below + 1, n - 1);
  const gamma = virtual - below;
  const a = at(below);
  const b = at(above);
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/** The ranks `linearQuantile` reads for each fraction: its floor and ceiling neighbours. */
export function quantileRanks(n: number, fractions: readonly number[]): number[] {
  const ranks = new Set<number>();
  for (const p of fractions) {
    const below = Math.floor((n - 1) * p);
    ranks.add(below);
    ranks.add(Math.min(below + 1, n - 1));
  }
  return [...ranks].sort((a, b) => a - b);
}
