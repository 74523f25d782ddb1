import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { smirnovSf, splitNX } from '../../../src/data/drift/smirnov.js';
import { assertClose, loadFixture, type FixtureNumber } from './fixture-data.js';

const { rows } = loadFixture<{ rows: [number, number, FixtureNumber, FixtureNumber][] }>('kstwo-smirnov.json');

describe('smirnovSf', () => {
  for (const n of [...new Set(rows.map((r) => r[0]))]) {
    it(`agrees with scipy.special.smirnov for n = ${n}`, () => {
      for (const [, x, , expected] of rows.filter((r) => r[0] === n)) {
        assertClose(smirnovSf(n, x), expected, `smirnov(${n}, ${x})`);
      }
    });
  }

  it('handles the end points', () => {
    assert.equal(smirnovSf(5, 0), 1);
    assert.equal(smirnovSf(5, 1), 0);
    assert.equal(smirnovSf(1, 0.25), 0.75);
    assert.ok(Number.isNaN(smirnovSf(5, 1.5)));
  });
});

describe('splitNX', () => {
  it('splits n·x exactly into floor and remainder', () => {
    // 0.375 is exact: 8 · 0.375 = 3.
    assert.deepEqual(splitNX(8, 0.375), { floor: 3, alpha: 0 });
    // The double 0.3 lies just below 3/10, so 10 · 0.3 lies just below 3,
    // though the rounded product 10 * 0.3 is 3.
    const below = splitNX(10, 0.3);
    assert.equal(below.floor, 2);
    assert.ok(below.alpha > 1 - 1e-15 && below.alpha < 1);
    // The double 0.1 lies just above 1/10.
    const above = splitNX(3, 0.1);
    assert.equal(above.floor, 0);
    assert.ok(Math.abs(above.alpha - 0.3) < 1e-15);
  });
});
