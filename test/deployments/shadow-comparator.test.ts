import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareOutputs, ShadowComparator } from '../../src/deployments/shadow-comparator.js';
import type { OutputTensor } from '../../src/serving/serving-types.js';

const out = (data: number[], name = 'y'): OutputTensor => ({ name, datatype: 'FP32', shape: [1, data.length], data: Float32Array.from(data) });

describe('shadow-comparator', () => {
  describe('compareOutputs', () => {
    it('matches within the tolerance and measures the mean absolute difference', () => {
      assert.deepEqual(compareOutputs([out([1, 2])], [out([1, 2])], 1e-6), { match: true, meanAbsDiff: 0 });
      const c = compareOutputs([out([1, 2])], [out([1.5, 3])], 1e-6);
      assert.equal(c.match, false);
      assert.equal(c.meanAbsDiff, 0.75);
      assert.equal(compareOutputs([out([1, 2])], [out([1.5, 3])], 1).match, true);
    });

    it('counts a different output name or shape as a mismatch', () => {
      assert.equal(compareOutputs([out([1, 2])], [out([1, 2], 'z')], 0).match, false);
      assert.equal(compareOutputs([out([1, 2])], [out([1, 2, 3])], 0).match, false);
    });
  });

  describe('ShadowComparator', () => {
    it('aggregates mismatch rate, mean difference and shadow errors, and skips copies past its in-flight limit', () => {
      const s = new ShadowComparator(1e-6, 2);
      assert.ok(s.begin());
      assert.ok(s.begin());
      assert.equal(s.begin(), false, 'third copy in flight is skipped');
      s.finish([out([1])], [out([1])]);
      s.finish([out([1])], [out([2])]);
      assert.ok(s.begin());
      s.finish([out([1])], undefined);
      assert.deepEqual(s.stats({ shadowP99Ms: 3, stableP99Ms: 1 }), {
        mirrored: 3,
        compared: 2,
        mismatches: 1,
        mismatchRate: 0.5,
        meanAbsDiff: 0.5,
        shadowErrors: 1,
        skipped: 1,
        shadowP99Ms: 3,
        stableP99Ms: 1,
      });
    });
  });
});
