import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { check, openPeople, type PeopleFixture } from '../validation-fixtures.js';

// a, b: (5,3) (4,4) (–,–) (2,–) (1,7) (9,1); x, y: (1,p) (1,p) (2,q) (–,–) (1,r) (–,s). See validation-fixtures.ts.
describe('multi-column expectations', () => {
  let f: PeopleFixture;
  before(async () => {
    f = await openPeople();
  });
  after(async () => {
    await f.close();
  });

  const both = async (type: string, kwargs: Record<string, unknown>) => Promise.all(f.files.map((file) => check(f.engine, file, type, kwargs)));

  describe('expect_column_pair_values_a_to_be_greater_than_b', () => {
    it('skips rows where both are missing; a missing side fails (NaN comparisons are false)', async () => {
      for (const r of await both('expect_column_pair_values_a_to_be_greater_than_b', { column_A: 'a', column_B: 'b' })) {
        assert.equal(r.success, false);
        assert.deepEqual(r.result, {
          element_count: 6,
          unexpected_count: 3,
          unexpected_percent: 60,
          partial_unexpected_list: [
            [4, 4],
            [2, null],
            [1, 7],
          ],
          missing_count: 1,
          missing_percent: 16.666666666666664,
          unexpected_percent_total: 50,
          unexpected_percent_nonmissing: 60,
          partial_unexpected_counts: [
            { value: [1, 7], count: 1 },
            { value: [2, null], count: 1 },
            { value: [4, 4], count: 1 },
          ],
          partial_unexpected_index_list: [1, 3, 4],
        });
      }
    });

    it('honours or_equal and ignore_row_if', async () => {
      for (const r of await both('expect_column_pair_values_a_to_be_greater_than_b', { column_A: 'a', column_B: 'b', or_equal: true })) {
        assert.deepEqual(r.result.partial_unexpected_list, [
          [2, null],
          [1, 7],
        ]);
      }
      const kwargs = { column_A: 'a', column_B: 'b', or_equal: true, ignore_row_if: 'either_value_is_missing' };
      for (const r of await both('expect_column_pair_values_a_to_be_greater_than_b', kwargs)) {
        assert.equal(r.result.unexpected_count, 1);
        assert.equal(r.result.unexpected_percent, 25);
        assert.equal(r.result.missing_count, 2);
      }
      for (const r of await both('expect_column_pair_values_a_to_be_greater_than_b', { ...kwargs, mostly: 0.75 })) assert.equal(r.success, true);
    });

    it('passes when A is always greater', async () => {
      for (const r of await both('expect_column_pair_values_a_to_be_greater_than_b', { column_A: 'age', column_B: 'a' })) {
        assert.equal(r.success, true);
        assert.equal(r.result.unexpected_count, 0);
      }
    });
  });

  describe('expect_compound_columns_to_be_unique', () => {
    it('marks every row of a repeated combination; all-missing rows are skipped', async () => {
      for (const r of await both('expect_compound_columns_to_be_unique', { column_list: ['x', 'y'] })) {
        assert.equal(r.success, false);
        assert.deepEqual(r.result, {
          element_count: 6,
          unexpected_count: 2,
          unexpected_percent: 40,
          partial_unexpected_list: [
            { x: 1, y: 'p' },
            { x: 1, y: 'p' },
          ],
          missing_count: 1,
          missing_percent: 16.666666666666664,
          unexpected_percent_total: 33.33333333333333,
          unexpected_percent_nonmissing: 40,
          partial_unexpected_counts: [{ value: [1, 'p'], count: 2 }],
          partial_unexpected_index_list: [0, 1],
        });
      }
    });

    it('treats missing values as equal to each other', async () => {
      // With ignore_row_if 'never', (–, –) is considered and unique; (–, s) differs from it.
      for (const r of await both('expect_compound_columns_to_be_unique', { column_list: ['x', 'y'], ignore_row_if: 'never' })) {
        assert.equal(r.result.unexpected_count, 2);
        assert.equal(r.result.missing_count, 0);
      }
      // (x, note): (1,–) three times and (–,–) twice.
      for (const r of await both('expect_compound_columns_to_be_unique', { column_list: ['x', 'note'], ignore_row_if: 'never' })) {
        assert.equal(r.result.unexpected_count, 5);
        assert.deepEqual(r.result.partial_unexpected_index_list, [0, 1, 3, 4, 5]);
      }
    });

    it('passes unique combinations', async () => {
      for (const r of await both('expect_compound_columns_to_be_unique', { column_list: ['id', 'name'] })) assert.equal(r.success, true);
    });
  });

  describe('expect_select_column_values_to_be_unique_within_record', () => {
    it('fails records where two of the columns hold the same value', async () => {
      for (const r of await both('expect_select_column_values_to_be_unique_within_record', { column_list: ['a', 'b'] })) {
        assert.equal(r.success, false);
        assert.equal(r.result.unexpected_count, 1);
        assert.equal(r.result.unexpected_percent, 20);
        assert.deepEqual(r.result.partial_unexpected_list, [{ a: 4, b: 4 }]);
        assert.deepEqual(r.result.partial_unexpected_index_list, [1]);
      }
    });

    it('counts two missing values in a record as a repeat unless the row is ignored', async () => {
      // (a, b, x): (5,3,1) (4,4,1) (–,–,2) (2,–,–) (1,7,1) (9,1,–): rows 2 and 3 repeat a missing value.
      for (const r of await both('expect_select_column_values_to_be_unique_within_record', { column_list: ['a', 'b', 'x'] })) {
        assert.deepEqual(r.result.partial_unexpected_index_list, [1, 2, 3, 4]);
      }
      for (const r of await both('expect_select_column_values_to_be_unique_within_record', { column_list: ['a', 'b', 'x'], ignore_row_if: 'any_value_is_missing' })) {
        assert.deepEqual(r.result.partial_unexpected_index_list, [1, 4]);
        assert.equal(r.result.missing_count, 3);
      }
    });

    it('passes records of distinct values', async () => {
      for (const r of await both('expect_select_column_values_to_be_unique_within_record', { column_list: ['id', 'age'] })) assert.equal(r.success, true);
    });
  });
});
