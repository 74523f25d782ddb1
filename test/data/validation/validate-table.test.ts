import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseSuiteText } from '../../../src/data/validation/suite-parser.js';
import type { ExpectationSuite } from '../../../src/data/validation/suite-types.js';
import { validateTable } from '../../../src/data/validation/validate-table.js';
import { openPeople, writeTable, type PeopleFixture } from './validation-fixtures.js';

const GE_SUITE = fileURLToPath(new URL('./fixtures/people.ge-suite.json', import.meta.url));

describe('validateTable', () => {
  let f: PeopleFixture;
  before(async () => {
    f = await openPeople();
  });
  after(async () => {
    await f.close();
  });

  it('runs a Great Expectations 1.x suite file unchanged, with GE statistics and result shape', async () => {
    const suite = parseSuiteText(await readFile(GE_SUITE, 'utf8'), 'people.ge-suite.json');
    for (const file of f.files) {
      const result = await validateTable(f.engine, file, suite);
      assert.equal(result.suite_name, 'people_suite');
      assert.equal(result.success, false);
      assert.deepEqual(result.statistics, { evaluated_expectations: 5, successful_expectations: 4, unsuccessful_expectations: 1, success_percent: 80 });
      assert.deepEqual(
        result.results.map((r) => [r.expectation_config.type, r.success]),
        [
          ['expect_table_columns_to_match_set', true],
          ['expect_column_values_to_not_be_null', true],
          ['expect_column_values_to_be_between', true],
          ['expect_column_values_to_be_in_set', false],
          ['expect_column_mean_to_be_between', true],
        ],
      );
      const between = result.results[2]!;
      assert.deepEqual(between.expectation_config, {
        type: 'expect_column_values_to_be_between',
        kwargs: { column: 'age', min_value: 26.0, max_value: 40.0, mostly: 0.6, strict_min: false, strict_max: false },
        meta: { owner: 'people-team' },
        id: '2e4f6d0a-0c83-4173-9e4d-4b7c6d3f1a23',
      });
      assert.deepEqual(between.exception_info, { raised_exception: false, exception_traceback: null, exception_message: null });
      assert.equal(between.result.unexpected_count, 2);
      // The in-set expectation asks for BASIC: no partial_unexpected_counts or index list.
      assert.deepEqual(result.results[3]!.result, {
        element_count: 6,
        unexpected_count: 1,
        unexpected_percent: 20,
        partial_unexpected_list: ['Berlin'],
        missing_count: 1,
        missing_percent: 16.666666666666664,
        unexpected_percent_total: 16.666666666666664,
        unexpected_percent_nonmissing: 20,
      });
      assert.equal(result.meta.row_count, 6);
      assert.equal(result.meta.source, file.path);
    }
  });

  it('reports an expectation it cannot evaluate as GE does, and still runs the others', async () => {
    const suite: ExpectationSuite = {
      name: 's',
      expectations: [
        { type: 'expect_column_values_to_not_be_null', kwargs: { column: 'missing_column' } },
        { type: 'expect_column_mean_to_be_between', kwargs: { column: 'city', min_value: 0 } },
        { type: 'expect_column_values_to_not_be_null', kwargs: { column: 'id' } },
      ],
    };
    const result = await validateTable(f.engine, f.parquet, suite);
    const [missing, mean, ok] = result.results;
    assert.deepEqual({ success: missing!.success, result: missing!.result, exception_info: missing!.exception_info }, {
      success: false,
      result: {},
      exception_info: { raised_exception: true, exception_traceback: null, exception_message: 'Error: The column "missing_column" in BatchData does not exist.' },
    });
    assert.equal(mean!.exception_info.raised_exception, true);
    assert.equal(ok!.success, true);
    assert.deepEqual(result.statistics, { evaluated_expectations: 3, successful_expectations: 1, unsuccessful_expectations: 2, success_percent: 33.33333333333333 });
  });

  it('checks the suite before reading: a bad expectation fails even when the file does not exist', async () => {
    const ghost = { path: join(f.dir, 'never-written.csv'), format: 'csv' as const, scanSql: 'unused' };
    await assert.rejects(
      validateTable(f.engine, ghost, { name: 's', expectations: [{ type: 'expect_column_values_to_be_betwen', kwargs: { column: 'age' } }] }),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, 'INVALID_ARGUMENT');
        assert.match(err.message, /expectations\[0\]: unknown expectation 'expect_column_values_to_be_betwen'; did you mean 'expect_column_values_to_be_between'\?/);
        return true;
      },
    );
    await assert.rejects(
      validateTable(f.engine, ghost, { name: 's', expectations: [{ type: 'expect_column_values_to_be_between', kwargs: { column: 'age', min_value: 'lots' } }] }),
      /expectations\[0\] expect_column_values_to_be_between: 'min_value' must be a number, a date/,
    );
  });

  it('refuses a regex RE2 cannot run, naming the expectation, before reading', async () => {
    const ghost = { path: join(f.dir, 'never-written.csv'), format: 'csv' as const, scanSql: 'unused' };
    const suite = { name: 's', expectations: [{ type: 'expect_column_values_to_match_regex', kwargs: { column: 'code', regex: '(?<=A)B' } }] };
    await assert.rejects(validateTable(f.engine, ghost, suite), /expectations\[0\] expect_column_values_to_match_regex: the regex "\(\?<=A\)B" is not supported/);
  });

  it('honours result formats: BOOLEAN_ONLY, BASIC and COMPLETE', async () => {
    const suite: ExpectationSuite = { name: 's', expectations: [{ type: 'expect_column_values_to_be_in_set', kwargs: { column: 'code', value_set: ['AB-1'] } }] };
    const boolean = await validateTable(f.engine, f.csv, suite, { resultFormat: 'BOOLEAN_ONLY' });
    assert.deepEqual(boolean.results[0]!.result, {});
    const basic = await validateTable(f.engine, f.csv, suite, { resultFormat: 'BASIC' });
    assert.equal('partial_unexpected_counts' in basic.results[0]!.result, false);
    const complete = await validateTable(f.engine, f.csv, suite, { resultFormat: { result_format: 'COMPLETE', partial_unexpected_count: 2 } });
    assert.deepEqual(complete.results[0]!.result.partial_unexpected_list, ['AB-2', 'xx']);
    assert.deepEqual(complete.results[0]!.result.unexpected_list, ['AB-2', 'xx', 'AB-4', 'AB-5', 'ab-6']);
    assert.deepEqual(complete.results[0]!.result.unexpected_index_list, [1, 2, 3, 4, 5]);
    // Counter(unexpected_list).most_common(2): the first two seen, as all counts tie.
    assert.deepEqual(complete.results[0]!.result.partial_unexpected_counts, [
      { value: 'AB-2', count: 1 },
      { value: 'xx', count: 1 },
    ]);
  });

  it('caps partial_unexpected_list at 20 values in file order', async () => {
    const path = join(f.dir, 'many.parquet');
    await writeTable(f.engine, 'SELECT i AS n FROM range(100) t(i)', path, 'parquet');
    const result = await validateTable(f.engine, await f.engine.tableFile(path), {
      name: 's',
      expectations: [{ type: 'expect_column_values_to_be_between', kwargs: { column: 'n', max_value: 9 } }],
    });
    const r = result.results[0]!.result;
    assert.equal(r.unexpected_count, 90);
    assert.deepEqual(r.partial_unexpected_list, Array.from({ length: 20 }, (_, i) => i + 10));
    assert.deepEqual(r.partial_unexpected_index_list, Array.from({ length: 20 }, (_, i) => i + 10));
  });

  it('gives the same answers when repetitive values are checked once per distinct value', async () => {
    // 200,000 rows of 4 dates: above the size where strftime and dateutil checks go through a distinct-value lookup.
    const path = join(f.dir, 'dates.parquet');
    const sql = "SELECT CASE i % 4 WHEN 0 THEN '2024-01-31' WHEN 1 THEN '2024-02-30' WHEN 2 THEN 'soon' ELSE NULL END AS d FROM range(200000) t(i)";
    await writeTable(f.engine, sql, path, 'parquet');
    const result = await validateTable(f.engine, await f.engine.tableFile(path), {
      name: 's',
      expectations: [
        { type: 'expect_column_values_to_match_strftime_format', kwargs: { column: 'd', strftime_format: '%Y-%m-%d' } },
        { type: 'expect_column_values_to_be_dateutil_parseable', kwargs: { column: 'd' } },
      ],
    });
    for (const r of result.results) {
      assert.equal(r.result.unexpected_count, 100000);
      assert.deepEqual(r.result.partial_unexpected_list!.slice(0, 4), ['2024-02-30', 'soon', '2024-02-30', 'soon']);
      assert.deepEqual(r.result.partial_unexpected_index_list!.slice(0, 4), [1, 2, 5, 6]);
      assert.equal(r.result.missing_count, 50000);
    }
  });

  it('validates JSON lines too', async () => {
    const path = join(f.dir, 'people.jsonl');
    await f.engine.run(`COPY (SELECT id, name FROM read_parquet('${f.parquet.path.replace(/'/g, "''")}')) TO '${path.replace(/'/g, "''")}' (FORMAT json)`);
    const result = await validateTable(f.engine, await f.engine.tableFile(path), {
      name: 's',
      expectations: [{ type: 'expect_column_values_to_be_unique', kwargs: { column: 'id' } }],
    });
    assert.deepEqual(result.results[0]!.result.partial_unexpected_list, [4, 4]);
  });

  it('passes an empty suite with null success_percent, as GE does', async () => {
    const result = await validateTable(f.engine, f.csv, { name: 'empty', expectations: [] });
    assert.equal(result.success, true);
    assert.deepEqual(result.statistics, { evaluated_expectations: 0, successful_expectations: 0, unsuccessful_expectations: 0, success_percent: null });
  });
});
