import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chiSquareSf, logGamma, regularizedGammaP, regularizedGammaQ } from '../../../src/data/drift/gamma.js';
import { assertClose, loadFixture, type FixtureNumber } from './fixture-data.js';

const { chi2_sf } = loadFixture<{ chi2_sf: [number, number, FixtureNumber][] }>('chi2-normal.json');

describe('chiSquareSf', () => {
  for (const df of [...new Set(chi2_sf.map((r) => r[1]))]) {
    it(`agrees with scipy.stats.chi2.sf for df = ${df}`, () => {
      for (const [x, , expected] of chi2_sf.filter((r) => r[1] === df)) {
        assertClose(chiSquareSf(x, df), expected, `chi2.sf(${x}, ${df})`);
      }
    });
  }

  it('is 1 at 0, 0 at infinity and NaN without degrees of freedom', () => {
    assert.equal(chiSquareSf(0, 3), 1);
    assert.equal(chiSquareSf(Infinity, 3), 0);
    assert.ok(Number.isNaN(chiSquareSf(1, 0)));
  });
});

describe('logGamma', () => {
  it('matches known values', () => {
    assertClose(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 'lgamma(0.5)', 1e-14);
    assertClose(logGamma(10), Math.log(362880), 'lgamma(10)', 1e-14);
    assertClose(logGamma(0.1), 2.252712651734206, 'lgamma(0.1)', 1e-14);
    assertClose(logGamma(1e6), 12815504.569147611, 'lgamma(1e6)', 1e-14);
    assert.ok(Math.abs(logGamma(1)) < 1e-15 && Math.abs(logGamma(2)) < 1e-15);
  });
});

describe('regularizedGammaP', () => {
  it('complements regularizedGammaQ', () => {
    for (const [a, x] of [
      [0.5, 0.2],
      [3, 2],
      [3, 8],
      [100, 90],
    ] as const) {
      assertClose(regularizedGammaP(a, x) + regularizedGammaQ(a, x), 1, `P + Q at (${a}, ${x})`, 1e-14);
    }
  });
});
