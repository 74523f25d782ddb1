import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseSuiteText } from '../../src/data/validation/suite-parser.js';
import { ferryCli } from '../helpers/ferry-cli.js';
import { openPeople, type PeopleFixture } from '../data/validation/validation-fixtures.js';

const GE_SUITE = fileURLToPath(new URL('../data/validation/fixtures/people.ge-suite.json', import.meta.url));

describe('ferry data validate', () => {
  let f: PeopleFixture;
  let passing: string;
  let failing: string;
  before(async () => {
    f = await openPeople();
    passing = join(f.dir, 'passing.yaml');
    await writeFile(
      passing,
      'name: people\nexpectations:\n  - expect_column_values_to_not_be_null: {column: id}\n  - expect_table_row_count_to_be_between: {min_value: 1}\n',
    );
    failing = join(f.dir, 'failing.yaml');
    await writeFile(
      failing,
      [
        'name: people',
        'expectations:',
        '  - expect_column_values_to_be_between: {column: age, min_value: 26, max_value: 40}',
        '  - expect_column_mean_to_be_between: {column: score, min_value: 80, max_value: 85}',
        '  - expect_column_values_to_not_be_null: {column: nope}',
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    await f.close();
  });

  it('exits 0 and prints one ✓ line per expectation when everything passes', async () => {
    const r = await ferryCli(['data', 'validate', f.parquet.path, '--suite', passing]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^Suite people · .*people\.parquet \(parquet\) · 6 rows · /);
    assert.equal(lines[1], '✓ expect_column_values_to_not_be_null  column=id');
    assert.equal(lines[2], '✓ expect_table_row_count_to_be_between  min_value=1  observed 6');
    assert.equal(lines[3], 'All 2 expectations passed.');
  });

  it('exits 1 for CI when an expectation fails, showing unexpected values, observed values and errors', async () => {
    const r = await ferryCli(['data', 'validate', f.csv.path, '-s', failing]);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[1], '✗ expect_column_values_to_be_between  column=age min_value=26 max_value=40  2 unexpected (40%): 25, 41');
    assert.equal(lines[2], '✓ expect_column_mean_to_be_between  column=score min_value=80 max_value=85  observed 82.95');
    assert.equal(lines[3], '✗ expect_column_values_to_not_be_null  column=nope  error: Error: The column "nope" in BatchData does not exist.');
    assert.equal(lines[4], '2 of 3 expectations failed (33.33% passed).');
  });

  it("prints GE's validation result with --json, for a GE 1.x suite file as it is", async () => {
    const r = await ferryCli(['data', 'validate', f.csv.path, '--suite', GE_SUITE, '--json']);
    assert.equal(r.code, 1, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.suite_name, 'people_suite');
    assert.deepEqual(result.statistics, { evaluated_expectations: 5, successful_expectations: 4, unsuccessful_expectations: 1, success_percent: 80 });
    assert.deepEqual(result.results[3].result.partial_unexpected_list, ['Berlin']);
  });

  it('exits 2 naming the bad expectation before opening the data (even a missing file)', async () => {
    const bad = join(f.dir, 'bad.yaml');
    await writeFile(bad, 'expectations:\n  - expect_column_values_to_not_be_null: {column: id}\n  - expect_column_valuez_to_be_unique: {column: id}\n');
    const r = await ferryCli(['data', 'validate', join(f.dir, 'no-such-data.csv'), '--suite', bad]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^error: expectations\[1\]: unknown expectation 'expect_column_valuez_to_be_unique'; did you mean 'expect_column_values_to_be_unique'\?/);
  });

  it('exits 2 for a missing data file and for usage errors', async () => {
    const missing = await ferryCli(['data', 'validate', join(f.dir, 'no-such-data.csv'), '--suite', passing]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^error: No such file: .*no-such-data\.csv/);
    const noSuite = await ferryCli(['data', 'validate', f.csv.path]);
    assert.equal(noSuite.code, 2);
    assert.match(noSuite.stderr, /required option '-s, --suite <file>' not specified/);
  });

  describe('ferry data suggest', () => {
    it('writes a YAML suite the file passes, one expectation per line', async () => {
      const out = join(f.dir, 'suggested.yaml');
      const r = await ferryCli(['data', 'suggest', f.csv.path, '-o', out, '--name', 'people']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Wrote \d+ expectations to .*suggested\.yaml\.\n$/);
      const text = await readFile(out, 'utf8');
      assert.match(text, /^name: people\n/);
      assert.match(text, /\n {2}- expect_column_values_to_not_be_null: \{column: id\}\n/);
      const suite = parseSuiteText(text);
      assert.ok(suite.expectations.length > 20);
      const v = await ferryCli(['data', 'validate', f.csv.path, '--suite', out]);
      assert.equal(v.code, 0, v.stdout);
    });
  });
});
