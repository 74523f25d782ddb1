import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMapOutput, partialUnexpectedCounts } from '../../../../src/data/validation/expectations/map-plan.js';
import { DEFAULT_RESULT_FORMAT } from '../../../../src/data/validation/suite-types.js';

describe('map-plan', () => {
  describe('formatMapOutput', () => {
    it("reports percentages over non-missing values, as GE's _format_map_output", () => {
      const out = formatMapOutput(DEFAULT_RESULT_FORMAT, { success: false, elementCount: 8, nonnullCount: 6, unexpectedCount: 3, unexpectedList: ['a', 'b', 'a'], unexpectedIndexList: [0, 2, 5] });
      assert.deepEqual(out.result, {
        element_count: 8,
        unexpected_count: 3,
        unexpected_percent: 50,
        partial_unexpected_list: ['a', 'b', 'a'],
        missing_count: 2,
        missing_percent: 25,
        unexpected_percent_total: 37.5,
        unexpected_percent_nonmissing: 50,
        partial_unexpected_counts: [
          { value: 'a', count: 2 },
          { value: 'b', count: 1 },
        ],
        partial_unexpected_index_list: [0, 2, 5],
      });
    });

    it('gives null percentages for an empty table and when every value is missing', () => {
      assert.equal(formatMapOutput(DEFAULT_RESULT_FORMAT, { success: true, elementCount: 0, nonnullCount: 0, unexpectedCount: 0 }).result.unexpected_percent, null);
      const allMissing = formatMapOutput(DEFAULT_RESULT_FORMAT, { success: true, elementCount: 4, nonnullCount: 0, unexpectedCount: 0 }).result;
      assert.equal(allMissing.unexpected_percent, null);
      assert.equal(allMissing.missing_percent, 100);
    });
  });

  describe('partialUnexpectedCounts', () => {
    it('sorts by count, then by value as Python sorts', () => {
      assert.deepEqual(partialUnexpectedCounts([3, 1, 3, 2, 1, 3]), [
        { value: 3, count: 3 },
        { value: 1, count: 2 },
        { value: 2, count: 1 },
      ]);
      assert.deepEqual(partialUnexpectedCounts([{ a: 1, b: 'x' }, { a: 1, b: 'x' }]), [{ value: [1, 'x'], count: 2 }]);
    });

    it('leaves the counts out where Python could not sort them (str against int)', () => {
      assert.equal(partialUnexpectedCounts(['a', 1]), undefined);
      assert.deepEqual(partialUnexpectedCounts(['a', 1, 1]), [
        { value: 1, count: 2 },
        { value: 'a', count: 1 },
      ]);
    });
  });
});
