import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pythonRegexToRe2 } from '../../../../src/data/validation/expectations/column-map-expectations.js';
import { check, openPeople, type PeopleFixture } from '../validation-fixtures.js';

// Expected numbers are worked out by hand from GE 1.x's pandas semantics on the people fixture (see validation-fixtures.ts).
describe('column map expectations', () => {
  let f: PeopleFixture;
  before(async () => {
    f = await openPeople();
  });
  after(async () => {
    await f.close();
  });

  /** Runs the expectation on the CSV and the Parquet file and returns both results. */
  const both = async (type: string, kwargs: Record<string, unknown>) => Promise.all(f.files.map((file) => check(f.engine, file, type, kwargs)));

  describe('expect_column_values_to_not_be_null', () => {
    it('counts nulls over every row, with no missing_* fields', async () => {
      for (const r of await both('expect_column_values_to_not_be_null', { column: 'name' })) {
        assert.equal(r.success, false);
        assert.deepEqual(r.result, {
          element_count: 6,
          unexpected_count: 1,
          unexpected_percent: 16.666666666666664,
          partial_unexpected_list: [null],
          partial_unexpected_counts: [{ value: null, count: 1 }],
          partial_unexpected_index_list: [2],
        });
      }
    });

    it('passes a column without nulls, and a failing one with mostly', async () => {
      for (const r of await both('expect_column_values_to_not_be_null', { column: 'id' })) {
        assert.equal(r.success, true);
        assert.equal(r.result.unexpected_count, 0);
        assert.equal(r.result.unexpected_percent, 0);
        assert.deepEqual(r.result.partial_unexpected_list, []);
      }
      // 5 of 6 present: 0.833 ≥ 0.8.
      for (const r of await both('expect_column_values_to_not_be_null', { column: 'name', mostly: 0.8 })) {
        assert.equal(r.success, true);
        assert.equal(r.result.unexpected_count, 1);
      }
      for (const r of await both('expect_column_values_to_not_be_null', { column: 'name', mostly: 0.9 })) assert.equal(r.success, false);
    });
  });

  describe('expect_column_values_to_be_null', () => {
    it('lists the present values as unexpected', async () => {
      for (const r of await both('expect_column_values_to_be_null', { column: 'name' })) {
        assert.equal(r.success, false);
        assert.equal(r.result.element_count, 6);
        assert.equal(r.result.unexpected_count, 5);
        assert.equal(r.result.unexpected_percent, 83.33333333333334);
        assert.deepEqual(r.result.partial_unexpected_list, ['alice', 'bob', 'dave', 'eve', 'frank']);
        assert.deepEqual(r.result.partial_unexpected_index_list, [0, 1, 3, 4, 5]);
        assert.equal('missing_count' in r.result, false);
      }
    });

    it('passes an all-null column', async () => {
      for (const r of await both('expect_column_values_to_be_null', { column: 'note' })) {
        assert.equal(r.success, true);
        assert.equal(r.result.unexpected_count, 0);
      }
    });
  });

  describe('expect_column_values_to_be_unique', () => {
    it('marks every occurrence of a repeated value, not just the repeats', async () => {
      for (const r of await both('expect_column_values_to_be_unique', { column: 'id' })) {
        assert.equal(r.success, false);
        assert.deepEqual(r.result, {
          element_count: 6,
          unexpected_count: 2,
          unexpected_percent: 33.33333333333333,
          partial_unexpected_list: [4, 4],
          missing_count: 0,
          missing_percent: 0,
          unexpected_percent_total: 33.33333333333333,
          unexpected_percent_nonmissing: 33.33333333333333,
          partial_unexpected_counts: [{ value: 4, count: 2 }],
          partial_unexpected_index_list: [3, 4],
        });
      }
    });

    it('ignores nulls: a column with one null and distinct values passes', async () => {
      for (const r of await both('expect_column_values_to_be_unique', { column: 'name' })) {
        assert.equal(r.success, true);
        assert.equal(r.result.missing_count, 1);
        assert.equal(r.result.unexpected_count, 0);
      }
    });
  });

  describe('expect_column_values_to_be_between', () => {
    it('counts values outside the bounds over non-null values', async () => {
      // age: 30, 25, null, 41, 35, 29 — 25 and 41 are outside [26, 40].
      for (const r of await both('expect_column_values_to_be_between', { column: 'age', min_value: 26, max_value: 40 })) {
        assert.equal(r.success, false);
        assert.deepEqual(r.result, {
          element_count: 6,
          unexpected_count: 2,
          unexpected_percent: 40,
          partial_unexpected_list: [25, 41],
          missing_count: 1,
          missing_percent: 16.666666666666664,
          unexpected_percent_total: 33.33333333333333,
          unexpected_percent_nonmissing: 40,
          partial_unexpected_counts: [
            { value: 25, count: 1 },
            { value: 41, count: 1 },
          ],
          partial_unexpected_index_list: [1, 3],
        });
      }
    });

    it('applies mostly to the share of non-null values in range', async () => {
      // 3 of 5 non-null ages are in range: 0.6 ≥ 0.6 passes, 0.61 does not.
      for (const r of await both('expect_column_values_to_be_between', { column: 'age', min_value: 26, max_value: 40, mostly: 0.6 })) assert.equal(r.success, true);
      for (const r of await both('expect_column_values_to_be_between', { column: 'age', min_value: 26, max_value: 40, mostly: 0.61 })) assert.equal(r.success, false);
    });

    it('honours strict_min and a lone max_value', async () => {
      for (const r of await both('expect_column_values_to_be_between', { column: 'age', min_value: 25, strict_min: true })) {
        assert.equal(r.result.unexpected_count, 1);
        assert.deepEqual(r.result.partial_unexpected_list, [25]);
      }
      for (const r of await both('expect_column_values_to_be_between', { column: 'score', max_value: 90 })) {
        assert.deepEqual(r.result.partial_unexpected_list, [92, 99]);
        assert.equal(r.result.unexpected_percent, 40);
      }
      for (const r of await both('expect_column_values_to_be_between', { column: 'score', min_value: 0, max_value: 100 })) {
        assert.equal(r.success, true);
        assert.equal(r.result.unexpected_count, 0);
      }
    });

    it('raises for a text column with numeric bounds, as pandas does', async () => {
      for (const r of await both('expect_column_values_to_be_between', { column: 'city', min_value: 0 })) {
        assert.equal(r.success, false);
        assert.equal(r.exception_info.raised_exception, true);
        assert.match(r.exception_info.exception_message!, /same type/);
      }
    });
  });

  describe('expect_column_values_to_be_in_set / _not_to_be_in_set', () => {
    it('lists values outside the set, nulls not counted', async () => {
      for (const r of await both('expect_column_values_to_be_in_set', { column: 'city', value_set: ['Paris', 'London'] })) {
        assert.equal(r.success, false);
        assert.equal(r.result.unexpected_count, 1);
        assert.equal(r.result.unexpected_percent, 20);
        assert.deepEqual(r.result.partial_unexpected_list, ['Berlin']);
        assert.deepEqual(r.result.partial_unexpected_index_list, [3]);
      }
      for (const r of await both('expect_column_values_to_be_in_set', { column: 'city', value_set: ['Paris', 'London', 'Berlin'] })) assert.equal(r.success, true);
    });

    it('never matches values of another type (a number never equals a string)', async () => {
      for (const r of await both('expect_column_values_to_be_in_set', { column: 'id', value_set: ['1', 2, 3, 4, 6] })) {
        assert.deepEqual(r.result.partial_unexpected_list, [1]);
      }
    });

    it('lists values inside a forbidden set', async () => {
      for (const r of await both('expect_column_values_to_not_be_in_set', { column: 'city', value_set: ['Berlin', 'Rome'] })) {
        assert.equal(r.success, false);
        assert.deepEqual(r.result.partial_unexpected_list, ['Berlin']);
        assert.equal(r.result.unexpected_percent, 20);
      }
      for (const r of await both('expect_column_values_to_not_be_in_set', { column: 'city', value_set: ['Rome'] })) assert.equal(r.success, true);
    });
  });

  describe('expect_column_values_to_match_regex / _not_match_regex', () => {
    it('searches anywhere in the value (re.search), case-sensitively', async () => {
      for (const r of await both('expect_column_values_to_match_regex', { column: 'code', regex: '^AB-\\d$' })) {
        assert.equal(r.success, false);
        assert.equal(r.result.unexpected_count, 2);
        assert.equal(r.result.unexpected_percent, 33.33333333333333);
        assert.deepEqual(r.result.partial_unexpected_list, ['xx', 'ab-6']);
        assert.deepEqual(r.result.partial_unexpected_index_list, [2, 5]);
      }
      for (const r of await both('expect_column_values_to_match_regex', { column: 'code', regex: '[a-zA-Z]' })) assert.equal(r.success, true);
    });

    it('matches numbers as pandas prints them: an integer column with nulls reads as floats ("30.0")', async () => {
      for (const r of await both('expect_column_values_to_match_regex', { column: 'age', regex: '\\.0$' })) assert.equal(r.success, true);
      for (const r of await both('expect_column_values_to_match_regex', { column: 'id', regex: '\\.0$' })) assert.equal(r.result.unexpected_count, 6);
    });

    it('fails values that match a forbidden regex', async () => {
      for (const r of await both('expect_column_values_to_not_match_regex', { column: 'code', regex: '^ab' })) {
        assert.equal(r.success, false);
        assert.deepEqual(r.result.partial_unexpected_list, ['ab-6']);
      }
      for (const r of await both('expect_column_values_to_not_match_regex', { column: 'code', regex: 'zzz' })) assert.equal(r.success, true);
    });

    it("translates Python's \\Z to RE2's \\z", () => {
      assert.equal(pythonRegexToRe2('^a\\Z'), '^a\\z');
      assert.equal(pythonRegexToRe2('a\\\\Z'), 'a\\\\Z');
    });
  });

  describe('expect_column_values_to_be_of_type', () => {
    it('compares a non-object column as a whole, observing its pandas dtype', async () => {
      for (const r of await both('expect_column_values_to_be_of_type', { column: 'id', type_: 'int64' })) {
        assert.deepEqual({ success: r.success, result: r.result }, { success: true, result: { observed_value: 'int64' } });
      }
      // An integer column with nulls is float64 to pandas.
      for (const r of await both('expect_column_values_to_be_of_type', { column: 'age', type_: 'int64' })) {
        assert.deepEqual({ success: r.success, result: r.result }, { success: false, result: { observed_value: 'float64' } });
      }
    });

    it('checks an object (text) column value by value', async () => {
      for (const r of await both('expect_column_values_to_be_of_type', { column: 'name', type_: 'str' })) {
        assert.equal(r.success, true);
        assert.equal(r.result.missing_count, 1);
      }
      for (const r of await both('expect_column_values_to_be_of_type', { column: 'name', type_: 'int' })) {
        assert.equal(r.success, false);
        assert.equal(r.result.unexpected_count, 5);
        assert.equal(r.result.unexpected_percent, 100);
        assert.deepEqual(r.result.partial_unexpected_list, ['alice', 'bob', 'dave', 'eve', 'frank']);
      }
    });

    it('takes SQL type names, observing the DuckDB type', async () => {
      for (const r of await both('expect_column_values_to_be_of_type', { column: 'id', type_: 'BIGINT' })) {
        assert.deepEqual({ success: r.success, result: r.result }, { success: true, result: { observed_value: 'BIGINT' } });
      }
      for (const r of await both('expect_column_values_to_be_of_type', { column: 'score', type_: 'varchar' })) {
        assert.deepEqual({ success: r.success, result: r.result }, { success: false, result: { observed_value: 'DOUBLE' } });
      }
    });
  });

  describe('expect_column_values_to_be_dateutil_parseable', () => {
    it('fails impossible dates and free text', async () => {
      for (const r of await both('expect_column_values_to_be_dateutil_parseable', { column: 'joined' })) {
        assert.equal(r.success, false);
        assert.equal(r.result.unexpected_count, 2);
        assert.deepEqual(r.result.partial_unexpected_list, ['2024-02-30', 'not a date']);
        assert.deepEqual(r.result.partial_unexpected_index_list, [1, 3]);
      }
    });

    it('accepts ISO, month-name, numeric and slash forms', async () => {
      for (const r of await both('expect_column_values_to_be_dateutil_parseable', { column: 'when' })) {
        assert.equal(r.success, true, JSON.stringify(r.result.partial_unexpected_list));
      }
    });

    it('raises for a column that is not text, as GE does', async () => {
      for (const r of await both('expect_column_values_to_be_dateutil_parseable', { column: 'score' })) {
        assert.equal(r.exception_info.raised_exception, true);
        assert.match(r.exception_info.exception_message!, /must be of type string/);
      }
    });
  });

  describe('expect_column_values_to_match_strftime_format', () => {
    it('needs the whole value to parse as datetime.strptime would, real calendar dates only', async () => {
      for (const r of await both('expect_column_values_to_match_strftime_format', { column: 'joined', strftime_format: '%Y-%m-%d' })) {
        assert.equal(r.success, false);
        assert.equal(r.result.unexpected_count, 3);
        assert.equal(r.result.unexpected_percent, 50);
        assert.deepEqual(r.result.partial_unexpected_list, ['2024-02-30', 'not a date', '03/15/2024']);
        assert.deepEqual(r.result.partial_unexpected_index_list, [1, 3, 4]);
      }
    });

    it('accepts leap days and unpadded fields, as strptime does', async () => {
      for (const r of await both('expect_column_values_to_match_strftime_format', { column: 'day', strftime_format: '%Y-%m-%d' })) {
        assert.equal(r.success, true, JSON.stringify(r.result.partial_unexpected_list));
      }
      for (const r of await both('expect_column_values_to_match_strftime_format', { column: 'joined', strftime_format: '%m/%d/%Y', mostly: 0.1 })) {
        assert.equal(r.success, true);
        assert.equal(r.result.unexpected_count, 5);
      }
    });
  });

  describe('expect_column_values_to_match_strftime_format without a date', () => {
    it('matches literal text case-insensitively, as strptime does', async () => {
      for (const r of await both('expect_column_values_to_match_strftime_format', { column: 'code', strftime_format: 'AB-%M' })) {
        assert.equal(r.result.unexpected_count, 1);
        assert.deepEqual(r.result.partial_unexpected_list, ['xx']);
      }
    });
  });

  describe('expect_column_value_lengths_to_be_between', () => {
    it('measures lengths in characters of non-null values', async () => {
      for (const r of await both('expect_column_value_lengths_to_be_between', { column: 'name', min_value: 3, max_value: 4 })) {
        assert.equal(r.success, false);
        assert.equal(r.result.unexpected_count, 2);
        assert.equal(r.result.unexpected_percent, 40);
        assert.deepEqual(r.result.partial_unexpected_list, ['alice', 'frank']);
      }
      for (const r of await both('expect_column_value_lengths_to_be_between', { column: 'code', min_value: 2 })) assert.equal(r.success, true);
    });
  });
});
