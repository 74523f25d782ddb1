import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clip01, ldexp } from '../../../src/data/drift/probability-scaling.js';

describe('ldexp', () => {
  it('scales by powers of two beyond the double range in steps', () => {
    assert.equal(ldexp(2 ** 1000, -2000), 2 ** -1000);
    assert.equal(ldexp(2 ** -1000, 1500), 2 ** 500);
    assert.equal(ldexp(3, 0), 3);
  });
});

describe('clip01', () => {
  it('clamps to [0, 1]', () => {
    assert.deepEqual([-0.1, 0.5, 1.2].map(clip01), [0, 0.5, 1]);
  });
});
