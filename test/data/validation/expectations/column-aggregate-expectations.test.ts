import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { check, openPeople, writeTable, type PeopleFixture } from '../validation-fixtures.js';

// Observed values are the pandas statistics of the people fixture's non-null values (see validation-fixtures.ts).
describe('column aggregate expectations', () => {
  let f: PeopleFixture;
  before(async () => {
    f = await openPeople();
  });
  after(async () => {
    await f.close();
  });

  const both = async (type: string, kwargs: Record<string, unknown>) => Promise.all(f.files.map((file) => check(f.engine, file, type, kwargs)));
  const outcome = (r: { success: boolean; result: unknown }) => ({ success: r.success, result: r.result });

  describe('expect_column_min_to_be_between / max', () => {
    it('observes the smallest and largest non-null value', async () => {
      for (const r of await both('expect_column_min_to_be_between', { column: 'age', min_value: 20, max_value: 30 })) {
        assert.deepEqual(outcome(r), { success: true, result: { observed_value: 25 } });
      }
      for (const r of await both('expect_column_max_to_be_between', { column: 'age', max_value: 40 })) {
        assert.deepEqual(outcome(r), { success: false, result: { observed_value: 41 } });
      }
      for (const r of await both('expect_column_max_to_be_between', { column: 'age', min_value: 41, strict_min: true })) {
        assert.deepEqual(outcome(r), { success: false, result: { observed_value: 41 } });
      }
    });

    it('observes text values in code point order', async () => {
      for (const r of await both('expect_column_min_to_be_between', { column: 'city' })) {
        assert.deepEqual(outcome(r), { success: true, result: { observed_value: 'Berlin' } });
      }
    });
  });

  describe('expect_column_mean_to_be_between', () => {
    it('averages the non-null values', async () => {
      // (88.5 + 92 + 75.25 + 60 + 99) / 5
      for (const r of await both('expect_column_mean_to_be_between', { column: 'score', min_value: 80, max_value: 85 })) {
        assert.deepEqual(outcome(r), { success: true, result: { observed_value: 82.95 } });
      }
      for (const r of await both('expect_column_mean_to_be_between', { column: 'score', min_value: 83 })) assert.equal(r.success, false);
    });

    it('raises for a text column', async () => {
      for (const r of await both('expect_column_mean_to_be_between', { column: 'city', min_value: 0 })) {
        assert.equal(r.success, false);
        assert.equal(r.exception_info.raised_exception, true);
      }
    });
  });

  describe('expect_column_median_to_be_between', () => {
    it('takes the middle value, or the mean of the two middle values for an even count', async () => {
      for (const r of await both('expect_column_median_to_be_between', { column: 'score', min_value: 88, max_value: 89 })) {
        assert.deepEqual(outcome(r), { success: true, result: { observed_value: 88.5 } });
      }
      // id: 1, 2, 3, 4, 4, 6 → (3 + 4) / 2
      for (const r of await both('expect_column_median_to_be_between', { column: 'id', max_value: 3 })) {
        assert.deepEqual(outcome(r), { success: false, result: { observed_value: 3.5 } });
      }
    });
  });

  describe('expect_column_stdev_to_be_between', () => {
    it('uses the sample standard deviation (ddof = 1)', async () => {
      for (const r of await both('expect_column_stdev_to_be_between', { column: 'score', min_value: 15, max_value: 16 })) {
        assert.equal(r.success, true);
        // sqrt(956.3 / 4); pandas prints 15.462050316824092.
        assert.ok(Math.abs((r.result.observed_value as number) - 15.462050316824092) < 1e-12);
      }
      for (const r of await both('expect_column_stdev_to_be_between', { column: 'score', max_value: 15 })) assert.equal(r.success, false);
    });

    it('fails with observed null when there are fewer than two values', async () => {
      const path = join(f.dir, 'one.parquet');
      await writeTable(f.engine, 'SELECT 5.0::DOUBLE AS v', path, 'parquet');
      const r = await check(f.engine, await f.engine.tableFile(path), 'expect_column_stdev_to_be_between', { column: 'v', min_value: 0 });
      assert.deepEqual(outcome(r), { success: false, result: { observed_value: null } });
    });
  });

  describe('expect_column_sum_to_be_between', () => {
    it('sums the non-null values', async () => {
      for (const r of await both('expect_column_sum_to_be_between', { column: 'a', min_value: 21, max_value: 21 })) {
        assert.deepEqual(outcome(r), { success: true, result: { observed_value: 21 } });
      }
      for (const r of await both('expect_column_sum_to_be_between', { column: 'a', max_value: 20 })) {
        assert.deepEqual(outcome(r), { success: false, result: { observed_value: 21 } });
      }
    });
  });

  describe('expect_column_unique_value_count_to_be_between', () => {
    it('counts distinct non-null values', async () => {
      for (const r of await both('expect_column_unique_value_count_to_be_between', { column: 'city', min_value: 3, max_value: 3 })) {
        assert.deepEqual(outcome(r), { success: true, result: { observed_value: 3 } });
      }
      for (const r of await both('expect_column_unique_value_count_to_be_between', { column: 'city', min_value: 4 })) assert.equal(r.success, false);
    });
  });

  describe('expect_column_proportion_of_unique_values_to_be_between', () => {
    it('divides distinct values by non-null values', async () => {
      // 3 cities among 5 non-null values.
      for (const r of await both('expect_column_proportion_of_unique_values_to_be_between', { column: 'city', min_value: 0.5, max_value: 0.6 })) {
        assert.deepEqual(outcome(r), { success: true, result: { observed_value: 0.6 } });
      }
      for (const r of await both('expect_column_proportion_of_unique_values_to_be_between', { column: 'city', max_value: 0.6, strict_max: true })) {
        assert.equal(r.success, false);
      }
      // 5 distinct ids of 6, serialised as GE does: round(5 / 6, 15).
      for (const r of await both('expect_column_proportion_of_unique_values_to_be_between', { column: 'id', min_value: 0.9 })) {
        assert.deepEqual(outcome(r), { success: false, result: { observed_value: 0.833333333333333 } });
      }
    });
  });

  describe('expect_column_distinct_values_to_be_in_set / contain_set / equal_set', () => {
    const observed = { observed_value: ['Berlin', 'London', 'Paris'], details: { value_counts: [{ value: 'Berlin', count: 1 }, { value: 'London', count: 1 }, { value: 'Paris', count: 3 }] } };

    it('be_in_set: every distinct value must be in the set', async () => {
      for (const r of await both('expect_column_distinct_values_to_be_in_set', { column: 'city', value_set: ['Paris', 'London'] })) {
        assert.deepEqual(outcome(r), { success: false, result: observed });
      }
      for (const r of await both('expect_column_distinct_values_to_be_in_set', { column: 'city', value_set: ['Paris', 'London', 'Berlin', 'Rome'] })) assert.equal(r.success, true);
    });

    it('contain_set: every value of the set must occur', async () => {
      for (const r of await both('expect_column_distinct_values_to_contain_set', { column: 'city', value_set: ['Paris', 'Rome'] })) {
        assert.deepEqual(outcome(r), { success: false, result: observed });
      }
      for (const r of await both('expect_column_distinct_values_to_contain_set', { column: 'city', value_set: ['Paris'] })) assert.equal(r.success, true);
    });

    it('equal_set: the distinct values are exactly the set', async () => {
      for (const r of await both('expect_column_distinct_values_to_equal_set', { column: 'city', value_set: ['Berlin', 'Paris', 'London'] })) {
        assert.deepEqual(outcome(r), { success: true, result: observed });
      }
      for (const r of await both('expect_column_distinct_values_to_equal_set', { column: 'city', value_set: ['Paris', 'London'] })) assert.equal(r.success, false);
    });

    it('compares numbers by value (1 and 1.0 are one element)', async () => {
      for (const r of await both('expect_column_distinct_values_to_equal_set', { column: 'id', value_set: [1.0, 2, 3, 4, 6] })) {
        assert.equal(r.success, true);
        assert.deepEqual(r.result.observed_value, [1, 2, 3, 4, 6]);
      }
    });
  });
});
