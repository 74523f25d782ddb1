import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kolmogorovSmirnovSf } from '../../../src/data/drift/kolmogorov-distribution.js';
import { assertClose, loadFixture, type FixtureNumber } from './fixture-data.js';

const { rows } = loadFixture<{ rows: [number, number, FixtureNumber, FixtureNumber][] }>('kstwo-smirnov.json');

describe('kolmogorovSmirnovSf', () => {
  // One test per n: every branch (Ruben–Gambino, Durbin, Pomeranz, Pelz–Good,
  // Smirnov tail, underflow) is reached by some x.
  for (const n of [...new Set(rows.map((r) => r[0]))]) {
    it(`agrees with scipy.stats.kstwo.sf for n = ${n}`, () => {
      for (const [, x, expected] of rows.filter((r) => r[0] === n)) {
        assertClose(kolmogorovSmirnovSf(x, n), expected, `kstwo.sf(${x}, ${n})`);
      }
    });
  }

  it('is 1 at or below 0.5/n and 0 at or above 1', () => {
    assert.equal(kolmogorovSmirnovSf(0.05, 10), 1);
    assert.equal(kolmogorovSmirnovSf(1, 10), 0);
  });

  it('is NaN for a non-integer or non-positive n', () => {
    assert.ok(Number.isNaN(kolmogorovSmirnovSf(0.3, 0)));
    assert.ok(Number.isNaN(kolmogorovSmirnovSf(0.3, 2.5)));
  });
});
