import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  binCategorical,
  binNumerical,
  countDistinctSorted,
  fillZeroShares,
  histogramSorted,
  sturgesBinEdges,
} from '../../../src/data/drift/binning.js';
import { countCategories } from '../../../src/data/drift/category-counts.js';

describe('sturgesBinEdges', () => {
  it('uses ceil(log2(n) + 1) equal-width bins over the combined range', () => {
    // n = 16: log2 16 + 1 = 5 bins over [0, 10].
    assert.deepEqual(sturgesBinEdges(0, 10, 16), [0, 2, 4, 6, 8, 10]);
    // n = 100: log2 100 + 1 = 7.64 → 8 bins.
    assert.equal(sturgesBinEdges(-1, 1, 100).length, 9);
  });

  it('ends exactly at the maximum, as np.linspace does', () => {
    const edges = sturgesBinEdges(0.1, 0.7, 1000);
    assert.equal(edges[0], 0.1);
    assert.equal(edges.at(-1), 0.7);
  });
});

describe('histogramSorted', () => {
  it('counts half-open bins with the last bin closed, as np.histogram does', () => {
    assert.deepEqual(histogramSorted(Float64Array.of(0, 1, 1.5, 2, 3, 4), [0, 2, 4]), [3, 3]);
  });
});

describe('fillZeroShares', () => {
  it('replaces zeros with 1e-4, or min/1e6 when the smallest share is at most 1e-4', () => {
    assert.deepEqual(fillZeroShares([0.5, 0.5, 0]), [0.5, 0.5, 0.0001]);
    assert.deepEqual(fillZeroShares([0.99995, 0.00005, 0]), [0.99995, 0.00005, 0.00005 / 10 ** 6]);
  });
});

describe('binNumerical', () => {
  it('bins by value when the reference has at most 20 distinct values', () => {
    const ref = Float64Array.of(1, 1, 2, 3);
    const cur = Float64Array.of(2, 4);
    assert.deepEqual(binNumerical(ref, cur, false), { reference: [0.5, 0.25, 0.25, 0], current: [0, 0.5, 0, 0.5] });
  });

  it('bins by Sturges over both sides once the reference has more than 20 distinct values', () => {
    const ref = Float64Array.from({ length: 21 }, (_, i) => i);
    const cur = Float64Array.of(0, 30);
    const shares = binNumerical(ref, cur, false);
    assert.equal(shares.reference.length, Math.ceil(Math.log2(23) + 1));
    assert.equal(countDistinctSorted(ref), 21);
  });
});

describe('binCategorical', () => {
  it('gives one bucket per value seen on either side', () => {
    const shares = binCategorical(countCategories(['a', 'a', 'b', 'b'], ['c', 'a']), false);
    assert.deepEqual(shares, { reference: [0.5, 0.5, 0], current: [0.5, 0, 0.5] });
  });
});
