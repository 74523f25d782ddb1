import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { check, openPeople, PEOPLE_COLUMNS, type PeopleFixture } from '../validation-fixtures.js';

describe('table expectations', () => {
  let f: PeopleFixture;
  before(async () => {
    f = await openPeople();
  });
  after(async () => {
    await f.close();
  });

  const both = async (type: string, kwargs: Record<string, unknown>) => Promise.all(f.files.map((file) => check(f.engine, file, type, kwargs)));
  const outcome = (r: { success: boolean; result: unknown }) => ({ success: r.success, result: r.result });

  describe('expect_column_to_exist', () => {
    it('passes a present column and fails an absent one, with an empty result', async () => {
      for (const r of await both('expect_column_to_exist', { column: 'name' })) assert.deepEqual(outcome(r), { success: true, result: {} });
      for (const r of await both('expect_column_to_exist', { column: 'nope' })) assert.deepEqual(outcome(r), { success: false, result: {} });
    });

    it('checks the position when column_index is given (0 only asks for presence, as in GE)', async () => {
      for (const r of await both('expect_column_to_exist', { column: 'name', column_index: 1 })) assert.equal(r.success, true);
      for (const r of await both('expect_column_to_exist', { column: 'name', column_index: 2 })) assert.equal(r.success, false);
      for (const r of await both('expect_column_to_exist', { column: 'name', column_index: 0 })) assert.equal(r.success, true);
    });
  });

  describe('expect_table_columns_to_match_ordered_list', () => {
    it('observes the columns in order', async () => {
      for (const r of await both('expect_table_columns_to_match_ordered_list', { column_list: PEOPLE_COLUMNS })) {
        assert.deepEqual(outcome(r), { success: true, result: { observed_value: PEOPLE_COLUMNS } });
      }
    });

    it('lists each mismatched position', async () => {
      const swapped = ['name', 'id', ...PEOPLE_COLUMNS.slice(2), 'extra'];
      for (const r of await both('expect_table_columns_to_match_ordered_list', { column_list: swapped })) {
        assert.equal(r.success, false);
        assert.deepEqual(r.result.details, {
          mismatched: [
            { 'Expected Column Position': 0, Expected: 'name', Found: 'id' },
            { 'Expected Column Position': 1, Expected: 'id', Found: 'name' },
            { 'Expected Column Position': 14, Expected: 'extra', Found: null },
          ],
        });
      }
    });
  });

  describe('expect_table_columns_to_match_set', () => {
    it('ignores order', async () => {
      const shuffled = [...PEOPLE_COLUMNS].reverse();
      for (const r of await both('expect_table_columns_to_match_set', { column_set: shuffled })) {
        assert.deepEqual(outcome(r), { success: true, result: { observed_value: PEOPLE_COLUMNS } });
      }
    });

    it('fails missing or extra columns, reporting both sorted; exact_match: false allows extras', async () => {
      const fewer = PEOPLE_COLUMNS.filter((c) => c !== 'note' && c !== 'y');
      for (const r of await both('expect_table_columns_to_match_set', { column_set: [...fewer, 'zip'] })) {
        assert.equal(r.success, false);
        assert.deepEqual(r.result.details, { mismatched: { unexpected: ['note', 'y'], missing: ['zip'] } });
        assert.deepEqual(r.result.observed_value, [...PEOPLE_COLUMNS].sort());
      }
      for (const r of await both('expect_table_columns_to_match_set', { column_set: fewer, exact_match: false })) {
        assert.equal(r.success, true);
        assert.deepEqual(r.result.details, { mismatched: { unexpected: ['note', 'y'] } });
      }
      for (const r of await both('expect_table_columns_to_match_set', { column_set: fewer })) assert.equal(r.success, false);
    });
  });

  describe('expect_table_row_count_to_be_between / _to_equal', () => {
    it('observes the row count against either or both bounds', async () => {
      for (const r of await both('expect_table_row_count_to_be_between', { min_value: 1, max_value: 10 })) {
        assert.deepEqual(outcome(r), { success: true, result: { observed_value: 6 } });
      }
      for (const r of await both('expect_table_row_count_to_be_between', { min_value: 7 })) assert.deepEqual(outcome(r), { success: false, result: { observed_value: 6 } });
      for (const r of await both('expect_table_row_count_to_be_between', { max_value: 6 })) assert.equal(r.success, true);
      for (const r of await both('expect_table_row_count_to_equal', { value: 6 })) assert.deepEqual(outcome(r), { success: true, result: { observed_value: 6 } });
      for (const r of await both('expect_table_row_count_to_equal', { value: 5 })) assert.equal(r.success, false);
    });
  });

  describe('expect_table_column_count_to_equal / _be_between', () => {
    it('observes the column count', async () => {
      for (const r of await both('expect_table_column_count_to_equal', { value: 14 })) assert.deepEqual(outcome(r), { success: true, result: { observed_value: 14 } });
      for (const r of await both('expect_table_column_count_to_be_between', { max_value: 10 })) assert.deepEqual(outcome(r), { success: false, result: { observed_value: 14 } });
    });
  });
});
