import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pomeranz } from '../../../src/data/drift/kolmogorov-pomeranz.js';

describe('pomeranz', () => {
  it('gives the Ruben–Gambino closed form n!/n^n (2nx − 1)^n for 1/(2n) < x <= 1/n', () => {
    const n = 6;
    const x = 0.15;
    let expected = 1;
    for (let i = 1; i <= n; i++) expected *= (i / n) * (2 * n * x - 1);
    assert.ok(Math.abs(pomeranz(n, x) - expected) < 1e-14);
  });

  it('approaches 1 for large x', () => {
    assert.ok(pomeranz(20, 0.6) > 0.9999);
  });
});
