import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ksStatistic, ksTwoSample, KS_MAX_EXACT_N } from '../../../src/data/drift/ks-two-sample.js';
import { assertClose, loadFixture, sampleValues, type FixtureNumber, type FixtureSample } from './fixture-data.js';

interface KsCase {
  name: string;
  a: FixtureSample;
  b: FixtureSample;
  statistic: FixtureNumber;
  pvalue: FixtureNumber;
  pvalue_asymp?: FixtureNumber;
  pvalue_exact?: FixtureNumber;
}

const { cases } = loadFixture<{ cases: KsCase[] }>('ks-2samp.json');

describe('ksTwoSample', () => {
  describe('agrees with scipy.stats.ks_2samp (method="auto")', () => {
    for (const c of cases) {
      it(c.name, () => {
        const a = sampleValues(c.a);
        const b = sampleValues(c.b);
        const r = ksTwoSample(a, b);
        assert.equal(r.method, Math.max(a.length, b.length) <= KS_MAX_EXACT_N ? 'exact' : 'asymp');
        assertClose(r.statistic, c.statistic, 'statistic');
        assertClose(r.pvalue, c.pvalue, 'p-value');
      });
    }
  });

  describe('agrees with the methods "auto" would not pick', () => {
    for (const c of cases.filter((x) => x.pvalue_asymp !== undefined || x.pvalue_exact !== undefined)) {
      it(c.name, () => {
        const a = sampleValues(c.a);
        const b = sampleValues(c.b);
        if (c.pvalue_asymp !== undefined) assertClose(ksTwoSample(a, b, 'asymp').pvalue, c.pvalue_asymp, 'asymp p-value');
        if (c.pvalue_exact !== undefined) assertClose(ksTwoSample(a, b, 'exact').pvalue, c.pvalue_exact, 'exact p-value');
      });
    }
  });

  it('is symmetric in its samples', () => {
    const a = [0.1, 0.5, 0.9, 1.3, 2.2];
    const b = [0.4, 0.45, 2.5, 3.1];
    assert.deepEqual(ksTwoSample(a, b), ksTwoSample(b, a));
  });

  it('rejects an empty sample, as SciPy does', () => {
    assert.throws(() => ksTwoSample([], [1, 2]), RangeError);
  });
});

describe('ksStatistic', () => {
  it('measures the CDF gap after all tied values', () => {
    // F1 − F2 at 1: 2/3 − 1/3; at 2: 1 − 2/3.
    assert.equal(ksStatistic(Float64Array.of(1, 1, 2), Float64Array.of(1, 2, 2)), 2 / 3 - 1 / 3);
  });

  it('is 1 for disjoint samples and 0 for identical ones', () => {
    assert.equal(ksStatistic(Float64Array.of(1, 2), Float64Array.of(3, 4)), 1);
    assert.equal(ksStatistic(Float64Array.of(1, 2, 2), Float64Array.of(1, 2, 2)), 0);
  });
});
