import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sortFloat64 } from '../../../src/data/drift/sort-float64.js';
import { seededRandom } from '../../helpers/seeded-random.js';

function randomValues(seed: number, n: number): Float64Array {
  const rnd = seededRandom(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Mixed signs over many magnitudes, with repeats.
    out[i] = rnd.chance(0.1) ? rnd.int(-3, 3) : (rnd.next() - 0.5) * 10 ** rnd.int(-300, 300);
  }
  return out;
}

describe('sortFloat64', () => {
  it('orders like Float64Array.prototype.sort, radix path included', () => {
    for (const n of [0, 1, 100, 20_000, 100_000]) {
      const values = randomValues(n + 1, n);
      if (n > 3) values.set([-0, 0, -Infinity, Infinity], 0);
      const expected = Float64Array.from(values).sort();
      const actual = sortFloat64(values);
      assert.equal(actual, values);
      for (let i = 0; i < n; i++) assert.ok(Object.is(actual[i], expected[i]), `index ${i} of ${n}`);
    }
  });

  it('sorts a subarray view in place without touching the rest of the buffer', () => {
    const buffer = randomValues(7, 50_000);
    const before = Float64Array.from(buffer);
    const view = buffer.subarray(10, 40_010);
    const expected = Float64Array.from(view).sort();
    sortFloat64(view);
    assert.deepEqual(view, expected);
    assert.deepEqual(buffer.subarray(0, 10), before.subarray(0, 10));
    assert.deepEqual(buffer.subarray(40_010), before.subarray(40_010));
  });
});
