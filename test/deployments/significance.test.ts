import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { moments, normalCritical, regularizedBeta, studentTCdf, tCritical, tInterval, twoProportionZTest, welchTTest, wilsonInterval } from '../../src/deployments/significance.js';

const close = (actual: number, expected: number, tol = 1e-10) => assert.ok(Math.abs(actual - expected) <= tol, `${actual} ≠ ${expected}`);

// Expected values from SciPy 1.17.
describe('significance', () => {
  describe('welchTTest', () => {
    it('matches scipy.stats.ttest_ind(equal_var=False)', () => {
      // ttest_ind([2,4,6,8,10], [1,2,3,4,5], equal_var=False)
      const r = welchTTest(moments([1, 2, 3, 4, 5]), moments([2, 4, 6, 8, 10]));
      close(r.statistic, 1.8973665961010275);
      close(r.pValue, 0.10753119493062728);
      close(r.df!, 5.882352941176471);
      const s = welchTTest(moments([0.9, 1.1, 0.8, 1.3]), moments([0.2, 0.4, 0.1, 0.5, 0.3, 0.6]));
      close(s.statistic, -5.013774130780398);
      close(s.pValue, 0.002738585199690033);
    });

    it('gives NaN for samples too small to have a variance', () => {
      assert.ok(Number.isNaN(welchTTest(moments([1]), moments([2, 3])).pValue));
    });
  });

  describe('twoProportionZTest', () => {
    it('matches the pooled z-test (45/100 against 60/100)', () => {
      const r = twoProportionZTest(45, 100, 60, 100);
      close(r.statistic, 2.1239769762143657);
      close(r.pValue, 0.033672068856345855);
    });

    it('gives NaN when both rates are 0 or 1', () => {
      assert.ok(Number.isNaN(twoProportionZTest(10, 10, 5, 5).pValue));
    });
  });

  describe('distributions', () => {
    it('match scipy.stats.t and beta', () => {
      close(studentTCdf(1.5, 7.3), 0.912218453598457);
      close(studentTCdf(-2.2, 3), 0.05758597598823534);
      close(regularizedBeta(0.3, 2.5, 4), 0.3521975859067672);
      close(tCritical(0.95, 4), 2.7764451051977934, 1e-9);
      close(normalCritical(0.95), 1.959963984540054, 1e-9);
    });
  });

  describe('intervals', () => {
    it('wilsonInterval matches binomtest(45, 100).proportion_ci("wilson")', () => {
      const ci = wilsonInterval(45, 100);
      close(ci.low, 0.35614537979511984, 1e-9);
      close(ci.high, 0.5475539700255787, 1e-9);
    });

    it('tInterval matches scipy.stats.t.interval', () => {
      const ci = tInterval(moments([1.2, 2.3, 0.7, 1.9, 1.1]));
      close(ci.low, 0.6372279747686899, 1e-9);
      close(ci.high, 2.24277202523131, 1e-9);
    });
  });
});
