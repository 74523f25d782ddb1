import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { histogramBinOf, histogramEdges, linearQuantile, quantileRanks } from '../../../src/data/profile/numpy-semantics.js';

// Expected values computed once with NumPy 2.4.6 (np.quantile default method 'linear',
// np.histogram, np.std(ddof=1)) — the routines pandas' quantile/describe delegate to.
const V = [3.5, -1.25, 7, 7, 0.1, 2.2, 9.75, -4, 1e-3, 5.5, 3.5, 12.125];
const P = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];
const NUMPY_QUANTILES = [-3.6975, -2.4875, 0.07525000000000001, 3.5, 7.0, 10.818749999999998, 11.863750000000001];

function histogram(values: number[], bins: number): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const edges = histogramEdges(sorted[0]!, sorted.at(-1)!, bins);
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[histogramBinOf(v, edges)]! += 1;
  return counts;
}

describe('numpy semantics', () => {
  describe('linearQuantile', () => {
    it('matches np.quantile bit for bit, including NumPy’s upper-neighbour lerp', () => {
      const sorted = [...V].sort((a, b) => a - b);
      assert.deepEqual(
        P.map((p) => linearQuantile(sorted.length, p, (i) => sorted[i]!)),
        NUMPY_QUANTILES,
      );
      const w = [0.0, 0.1, 0.2, 0.30000000000000004, 0.3, 0.7, 1.0].sort((a, b) => a - b);
      assert.deepEqual(
        P.map((p) => linearQuantile(w.length, p, (i) => w[i]!)),
        [0.006, 0.030000000000000006, 0.15000000000000002, 0.3, 0.5, 0.9099999999999998, 0.9819999999999999],
      );
    });

    it('returns the single value of a one-value column', () => {
      assert.equal(linearQuantile(1, 0.99, () => 42), 42);
    });

    it('names the floor and ceiling ranks it reads', () => {
      assert.deepEqual(quantileRanks(12, [0.5]), [5, 6]);
      assert.deepEqual(quantileRanks(1, P), [0]);
      assert.deepEqual(quantileRanks(101, [0.25, 0.5]), [25, 26, 50, 51]);
    });
  });

  describe('histogram', () => {
    it('matches np.histogram counts and edges', () => {
      assert.deepEqual(histogram(V, 20), [1, 0, 0, 1, 1, 1, 0, 1, 0, 2, 0, 1, 0, 2, 0, 0, 0, 1, 0, 1]);
      assert.deepEqual(histogram(V, 4), [3, 4, 3, 2]);
      assert.deepEqual(histogramEdges(-4, 12.125, 4), [-4.0, 0.03125, 4.0625, 8.09375, 12.125]);
    });

    it('puts values on an edge in the bin above it, and the maximum in the last bin', () => {
      // np.linspace(0, 1, 11)[3] is 0.30000000000000004, so 0.3 falls below it and 0.7 below 0.7000000000000001.
      const w = [0.0, 0.1, 0.2, 0.30000000000000004, 0.3, 0.7, 1.0];
      assert.deepEqual(histogramEdges(0, 1, 10), [0.0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6000000000000001, 0.7000000000000001, 0.8, 0.9, 1.0]);
      assert.deepEqual(histogram(w, 10), [1, 1, 2, 1, 0, 0, 1, 0, 0, 1]);
    });

    it('spreads a single value ±0.5 and puts it in the middle bin', () => {
      const edges = histogramEdges(5, 5, 20);
      assert.deepEqual(edges.slice(0, 3), [4.5, 4.55, 4.6]);
      assert.equal(edges[10], 5);
      assert.equal(histogramBinOf(5, edges), 10);
    });
  });
});
