import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  normedWassersteinDistanceSorted,
  populationStd,
  wassersteinDistance,
  wassersteinDistanceSorted,
} from '../../../src/data/drift/wasserstein.js';
import { assertClose } from './fixture-data.js';
import { numericalCases } from './numerical-fixtures.js';

const cases = numericalCases();

describe('wassersteinDistanceSorted', () => {
  for (const c of cases) {
    it(`agrees with scipy.stats.wasserstein_distance: ${c.name}`, () => {
      assertClose(wassersteinDistanceSorted(c.ref, c.cur), c.wasserstein, 'distance');
    });
  }

  it('matches the SciPy documentation examples', () => {
    assertClose(wassersteinDistance([0, 1, 3], [5, 6, 8]), 5, 'example 1');
    assertClose(wassersteinDistance([3.4, 3.9, 7.5, 7.8], [4.5, 1.4]), 2.7, 'example 3');
  });

  it('is 0 for identical samples', () => {
    assert.equal(wassersteinDistance([1, 2, 2, 5], [5, 2, 1, 2]), 0);
  });
});

describe('normedWassersteinDistanceSorted', () => {
  for (const c of cases) {
    it(`agrees with Evidently's wasserstein (distance / max(std(reference), 0.001)): ${c.name}`, () => {
      assertClose(normedWassersteinDistanceSorted(c.ref, c.cur), c.wasserstein_normed, 'normed distance');
    });
  }
});

describe('populationStd', () => {
  it('divides by n, as np.std does', () => {
    assertClose(populationStd(Float64Array.of(2, 4, 4, 4, 5, 5, 7, 9)), 2, 'std');
  });
});
