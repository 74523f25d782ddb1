import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ColumnProfile, TableProfile } from '../../../src/data/profile/profile-types.js';
import { suggestSuite } from '../../../src/data/validation/suggest-suite.js';
import { suggestSuiteForFile } from '../../../src/data/validation/validate-file.js';
import { validateTable } from '../../../src/data/validation/validate-table.js';
import { openPeople, type PeopleFixture } from './validation-fixtures.js';

const column = (c: Partial<ColumnProfile> & Pick<ColumnProfile, 'name' | 'type' | 'kind'>): ColumnProfile => ({
  count: 100,
  nulls: 0,
  null_fraction: 0,
  distinct: 100,
  distinct_method: 'exact',
  ...c,
});

const profile = (columns: ColumnProfile[], format: TableProfile['format'] = 'parquet'): TableProfile => ({
  source: '/data/orders.parquet',
  format,
  rows: 100,
  duplicate_rows: 0,
  duplicate_method: 'exact',
  columns,
  // suggestSuite reads no method descriptions.
  methods: {} as TableProfile['methods'],
  duration_ms: 1,
});

describe('suggestSuite', () => {
  it('drafts table, null, type, uniqueness and range expectations from a profile', () => {
    const suite = suggestSuite(
      profile([
        column({ name: 'id', type: 'BIGINT', kind: 'numeric', min: 1, max: 100 }),
        column({ name: 'amount', type: 'DOUBLE', kind: 'numeric', count: 93, nulls: 7, null_fraction: 0.07, distinct: 60, min: -5.5, max: 990.25 }),
      ]),
    );
    assert.equal(suite.name, 'orders_suite');
    assert.deepEqual(
      suite.expectations.map((e) => [e.type, e.kwargs]),
      [
        ['expect_table_columns_to_match_ordered_list', { column_list: ['id', 'amount'] }],
        ['expect_table_row_count_to_be_between', { min_value: 90, max_value: 110 }],
        ['expect_column_values_to_not_be_null', { column: 'id' }],
        ['expect_column_values_to_be_of_type', { column: 'id', type_: 'int64' }],
        ['expect_column_values_to_be_unique', { column: 'id' }],
        ['expect_column_values_to_be_between', { column: 'id', min_value: 1, max_value: 100 }],
        ['expect_column_values_to_not_be_null', { column: 'amount', mostly: 0.93 }],
        ['expect_column_values_to_be_of_type', { column: 'amount', type_: 'float64' }],
        ['expect_column_values_to_be_between', { column: 'amount', min_value: -5.5, max_value: 990.25 }],
      ],
    );
  });

  it('lists small, fully known categories as a value set and bounds text lengths', () => {
    const suite = suggestSuite(
      profile([
        column({ name: 'status', type: 'VARCHAR', kind: 'categorical', distinct: 2, top_values: [{ value: 'paid', count: 70 }, { value: 'open', count: 30 }] }),
        column({ name: 'note', type: 'VARCHAR', kind: 'text', length: { min: 3, max: 80, mean: 20 } }),
        column({ name: 'region', type: 'VARCHAR', kind: 'categorical', distinct: 40, top_values: [{ value: 'eu', count: 50 }] }),
      ]),
    );
    const byColumn = (name: string) => suite.expectations.filter((e) => e.kwargs.column === name).map((e) => e.type);
    assert.ok(suite.expectations.some((e) => e.type === 'expect_column_values_to_be_in_set' && e.kwargs.column === 'status' && JSON.stringify(e.kwargs.value_set) === '["paid","open"]'));
    assert.ok(suite.expectations.some((e) => e.type === 'expect_column_value_lengths_to_be_between' && e.kwargs.min_value === 3 && e.kwargs.max_value === 80));
    // Only some of region's values were listed: no set.
    assert.equal(byColumn('region').includes('expect_column_values_to_be_in_set'), false);
  });

  it('checks CSV dates as text (dateutil), and an all-null column as null', () => {
    const suite = suggestSuite(
      profile(
        [
          column({ name: 'day', type: 'DATE', kind: 'datetime', min: '2024-01-01', max: '2024-12-31' }),
          column({ name: 'gone', type: 'VARCHAR', kind: 'text', count: 0, nulls: 100, null_fraction: 1, distinct: 0 }),
        ],
        'csv',
      ),
    );
    const types = suite.expectations.map((e) => `${e.type}:${String(e.kwargs.column)}`);
    assert.ok(types.includes('expect_column_values_to_be_dateutil_parseable:day'));
    assert.ok(!types.includes('expect_column_values_to_be_between:day'));
    assert.deepEqual(
      types.filter((t) => t.endsWith(':gone')),
      ['expect_column_values_to_be_null:gone'],
    );
  });

  describe('suggestSuiteForFile', () => {
    let f: PeopleFixture;
    before(async () => {
      f = await openPeople();
    });
    after(async () => {
      await f.close();
    });

    it('drafts a suite the profiled file passes, for CSV and Parquet', async () => {
      for (const file of f.files) {
        const suite = await suggestSuiteForFile(file.path);
        assert.ok(suite.expectations.length > 20);
        const result = await validateTable(f.engine, file, suite);
        const failed = result.results.filter((r) => !r.success).map((r) => `${r.expectation_config.type} ${JSON.stringify(r.expectation_config.kwargs)}`);
        assert.deepEqual(failed, []);
      }
    });
  });
});
