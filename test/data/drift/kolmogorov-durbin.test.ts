import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durbinMatrix } from '../../../src/data/drift/kolmogorov-durbin.js';
import { pomeranz } from '../../../src/data/drift/kolmogorov-pomeranz.js';

describe('durbinMatrix', () => {
  it('agrees with the Pomeranz recursion, both being exact', () => {
    for (const n of [2, 7, 30, 140]) {
      for (const c of [0.3, 0.6, 1, 1.5]) {
        const x = Math.sqrt(c / n);
        const d = durbinMatrix(n, x);
        assert.ok(Math.abs(d - pomeranz(n, x)) <= 1e-12 * Math.max(d, 1e-300), `n=${n} x=${x}`);
      }
    }
  });

  it('is 0 below 1/(2n) and 1 from d = 1', () => {
    assert.equal(durbinMatrix(10, 0.04), 0);
    assert.equal(durbinMatrix(10, 1), 1);
  });
});
