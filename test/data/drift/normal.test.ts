import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { erf, erfc, normalCdf } from '../../../src/data/drift/normal.js';
import { assertClose, loadFixture, type FixtureNumber } from './fixture-data.js';

const { ndtr } = loadFixture<{ ndtr: [number, FixtureNumber, FixtureNumber][] }>('chi2-normal.json');

describe('normalCdf', () => {
  it('agrees with scipy.special.ndtr', () => {
    for (const [z, expected] of ndtr) assertClose(normalCdf(z), expected, `ndtr(${z})`);
  });

  it('gives the two-sided p-value 2·(1 − Φ(|z|)) as scipy.stats.norm.cdf does, 0 included', () => {
    for (const [z, , expected] of ndtr) assertClose(2 * (1 - normalCdf(Math.abs(z))), expected, `p(${z})`);
    assert.equal(2 * (1 - normalCdf(9)), 0);
  });
});

describe('erf', () => {
  it('is odd and bounded, with erfc as its complement', () => {
    assert.equal(erf(0), 0);
    assertClose(erf(-0.5), -erf(0.5), 'odd', 1e-15);
    assertClose(erf(1), 0.8427007929497149, 'erf(1)', 1e-14);
    assertClose(erfc(1), 0.15729920705028513, 'erfc(1)', 1e-14);
    assertClose(erfc(10), 2.088487583762545e-45, 'erfc(10)', 1e-13);
    assertClose(erfc(-1), 2 - 0.15729920705028513, 'erfc(-1)', 1e-14);
  });
});
