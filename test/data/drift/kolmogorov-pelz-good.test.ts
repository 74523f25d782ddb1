import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durbinMatrix } from '../../../src/data/drift/kolmogorov-durbin.js';
import { pelzGood } from '../../../src/data/drift/kolmogorov-pelz-good.js';

describe('pelzGood', () => {
  it('approximates the exact CDF closely for large n', () => {
    const n = 5000;
    for (const c of [0.3, 0.6, 1]) {
      const x = Math.sqrt(c / n);
      assert.ok(Math.abs(pelzGood(n, x) - durbinMatrix(n, x)) < 1e-7, `x=${x}`);
    }
  });

  it('is 0 at x <= 0 and 1 at x >= 1', () => {
    assert.equal(pelzGood(100, 0), 0);
    assert.equal(pelzGood(100, 1), 1);
  });
});
