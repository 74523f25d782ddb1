import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countCategories } from '../../../src/data/drift/category-counts.js';
import { chiSquareTest, chiSquareTwoSample } from '../../../src/data/drift/chi-square.js';
import { categoricalCases } from './categorical-fixtures.js';
import { assertClose } from './fixture-data.js';

describe('chiSquareTest', () => {
  it('matches the scipy.stats.chisquare documentation example', () => {
    const r = chiSquareTest([16, 18, 16, 14, 12, 12], Array(6).fill(88 / 6));
    assertClose(r.statistic, 2.0, 'statistic');
    assertClose(r.pvalue, 0.84914503608460956, 'p-value');
    assert.equal(r.df, 5);
  });

  it('gives an infinite statistic and p-value 0 for an expected count of 0', () => {
    const r = chiSquareTest([5, 5], [10, 0]);
    assert.equal(r.statistic, Infinity);
    assert.equal(r.pvalue, 0);
  });

  it('rejects arrays of different lengths', () => {
    assert.throws(() => chiSquareTest([1, 2], [3]), RangeError);
  });
});

describe('chiSquareTwoSample', () => {
  for (const c of categoricalCases()) {
    it(`agrees with Evidently's construction over scipy.stats.chisquare: ${c.name}`, () => {
      const r = chiSquareTwoSample(countCategories(c.ref, c.cur));
      assertClose(r.statistic, c.chisquare.statistic, 'statistic');
      assertClose(r.pvalue, c.chisquare.pvalue, 'p-value');
    });
  }
});
