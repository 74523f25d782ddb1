import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countCategories } from '../../../src/data/drift/category-counts.js';
import { compareCategoryValues, proportionsDiffZ, zTestTwoSample } from '../../../src/data/drift/z-test.js';
import { categoricalCases } from './categorical-fixtures.js';
import { assertClose } from './fixture-data.js';

describe('zTestTwoSample', () => {
  for (const c of categoricalCases()) {
    it(`agrees with Evidently's z_stat_test over scipy.stats.norm: ${c.name}`, () => {
      const r = zTestTwoSample(countCategories(c.ref, c.cur));
      assertClose(r.statistic, c.z.statistic, 'z');
      assertClose(r.pvalue, c.z.pvalue, 'p-value');
    });
  }

  it('gives p = 1 when both sides hold one and the same value', () => {
    assert.deepEqual(zTestTwoSample(countCategories(['x', 'x'], ['x'])).pvalue, 1);
  });

  it('tests the smallest value in sort order against the rest', () => {
    // "a" sorts first even though "b" is seen first.
    const r = zTestTwoSample(countCategories(['b', 'b', 'a', 'c'], ['a', 'a', 'a', 'b']));
    assertClose(r.statistic, proportionsDiffZ(3, 4, 1, 4), 'z');
  });
});

describe('compareCategoryValues', () => {
  it('orders like Python: numbers by value, then strings by code point', () => {
    const values = ['b', 10, 'a', 2, true, '\u{1F600}', '\uFFFF'];
    assert.deepEqual([...values].sort(compareCategoryValues), [true, 2, 10, 'a', 'b', '\uFFFF', '\u{1F600}']);
  });
});
