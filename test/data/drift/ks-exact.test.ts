import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  exactKsPValue,
  gcd,
  probOutsideBand,
  probOutsideSquare,
  roundHalfEven,
} from '../../../src/data/drift/ks-exact.js';

describe('roundHalfEven', () => {
  it('rounds halves to even, as np.round does', () => {
    assert.deepEqual([0.5, 1.5, 2.5, 5000.5, -2.5, 2.4, 2.6].map(roundHalfEven), [0, 2, 2, 5000, -2, 2, 3]);
  });
});

describe('gcd', () => {
  it('finds the greatest common divisor', () => {
    assert.equal(gcd(60, 90), 30);
    assert.equal(gcd(7, 5), 1);
  });
});

describe('probOutsideSquare', () => {
  it('is 2/binom(2n, n) for the largest gap', () => {
    // Only the two extreme paths of a 3×3 lattice reach |x − y| = 3.
    assert.ok(Math.abs(probOutsideSquare(3, 3) - 2 / 20) < 1e-15);
  });
});

describe('probOutsideBand', () => {
  it('agrees with the square method where both apply', () => {
    // For m = n the band method and the square method count the same paths.
    for (const h of [1, 2, 3, 5]) {
      assert.ok(Math.abs(probOutsideBand(6, 6, 6, h) - probOutsideSquare(6, h)) < 1e-14);
    }
  });
});

describe('exactKsPValue', () => {
  it('returns p = 1 and the rounded statistic for d = 0', () => {
    assert.deepEqual(exactKsPValue(4, 6, 0), { success: true, statistic: 0, pvalue: 1 });
  });

  it('rounds the statistic to a multiple of 1/lcm', () => {
    assert.equal(exactKsPValue(3, 5, 0.4666666666666667 + 1e-12).statistic, 7 / 15);
  });
});
