import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseResultFormat, parseSuite, parseSuiteText, resolveSuite } from '../../../src/data/validation/suite-parser.js';

const GE_SUITE = fileURLToPath(new URL('./fixtures/people.ge-suite.json', import.meta.url));

/** Asserts that parsing throws INVALID_ARGUMENT with a message matching `pattern`. */
function refuses(doc: unknown, pattern: RegExp): void {
  assert.throws(
    () => parseSuite(doc),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, 'INVALID_ARGUMENT');
      assert.match(err.message, pattern);
      return true;
    },
  );
}

describe('suite parser', () => {
  describe('parseSuiteText', () => {
    it('reads a GE 1.x suite file as GE wrote it, keeping ids, meta and notes', async () => {
      const suite = parseSuiteText(await readFile(GE_SUITE, 'utf8'));
      assert.equal(suite.name, 'people_suite');
      assert.equal(suite.id, '6b4f1f3e-3c1d-4b8e-9c57-0d7c0b8f2a11');
      assert.deepEqual(suite.meta, { great_expectations_version: '1.2.0' });
      assert.equal(suite.expectations.length, 5);
      assert.deepEqual(suite.expectations[2], {
        type: 'expect_column_values_to_be_between',
        kwargs: { column: 'age', min_value: 26, max_value: 40, mostly: 0.6, strict_min: false, strict_max: false },
        meta: { owner: 'people-team' },
        id: '2e4f6d0a-0c83-4173-9e4d-4b7c6d3f1a23',
        notes: ['Ages come from the signup form.'],
        description: 'Most members are between 26 and 40.',
      });
    });

    it("reads Ferry's short YAML form, mixed with GE entries and class names", () => {
      const suite = parseSuiteText(`
name: orders
expectations:
  - expect_column_values_to_not_be_null: {column: id}
  - type: expect_column_values_to_be_between
    kwargs: {column: amount, min_value: 0, mostly: 0.95}
  - ExpectColumnPairValuesAToBeGreaterThanB: {column_A: shipped, column_B: ordered, or_equal: true}
  - expect_table_row_count_to_be_between:
`);
      assert.deepEqual(
        suite.expectations.map((e) => [e.type, e.kwargs]),
        [
          ['expect_column_values_to_not_be_null', { column: 'id' }],
          ['expect_column_values_to_be_between', { column: 'amount', min_value: 0, mostly: 0.95 }],
          ['expect_column_pair_values_a_to_be_greater_than_b', { column_A: 'shipped', column_B: 'ordered', or_equal: true }],
          ['expect_table_row_count_to_be_between', {}],
        ],
      );
    });

    it('reads a GE 0.x suite (expectation_suite_name, expectation_type)', () => {
      const suite = parseSuiteText(
        JSON.stringify({ expectation_suite_name: 'legacy', expectations: [{ expectation_type: 'expect_column_to_exist', kwargs: { column: 'id' }, meta: {} }], data_asset_type: 'Dataset' }),
      );
      assert.equal(suite.name, 'legacy');
      assert.deepEqual(suite.expectations, [{ type: 'expect_column_to_exist', kwargs: { column: 'id' }, meta: {} }]);
    });

    it('says when the text is neither YAML nor JSON', () => {
      assert.throws(() => parseSuiteText('expectations: [oops', 'bad.yaml'), /Cannot read bad\.yaml as YAML or JSON/);
      assert.throws(() => parseSuiteText('name: x', 'x.yaml'), /has no 'expectations' list/);
    });
  });

  describe('parseSuite', () => {
    it('names an unknown expectation and suggests the nearest', () => {
      refuses({ expectations: [{ type: 'expect_column_to_exist', kwargs: { column: 'a' } }, { type: 'expect_column_values_to_be_uniqe', kwargs: {} }] }, /^expectations\[1\]: unknown expectation 'expect_column_values_to_be_uniqe'; did you mean 'expect_column_values_to_be_unique'\?/);
      refuses({ expectations: [{ type: 'expect_world_peace', kwargs: {} }] }, /unknown expectation 'expect_world_peace'\. Ferry supports/);
    });

    it('names a missing required argument', () => {
      refuses({ expectations: [{ type: 'expect_column_values_to_be_in_set', kwargs: { value_set: [1] } }] }, /^expectations\[0\] expect_column_values_to_be_in_set: missing required argument 'column'\.$/);
      refuses({ expectations: [{ type: 'expect_column_values_to_match_regex', kwargs: { column: 'a' } }] }, /missing required argument 'regex'/);
    });

    it('names a wrongly typed argument and what it should be', () => {
      refuses({ expectations: [{ type: 'expect_column_values_to_not_be_null', kwargs: { column: 'a', mostly: 1.5 } }] }, /'mostly' must be a number between 0 and 1; got 1\.5/);
      refuses({ expectations: [{ type: 'expect_column_values_to_be_in_set', kwargs: { column: 'a', value_set: 'abc' } }] }, /'value_set' must be a list/);
      refuses({ expectations: [{ type: 'expect_compound_columns_to_be_unique', kwargs: { column_list: [] } }] }, /'column_list' must be a non-empty list of column names/);
      refuses({ expectations: [{ type: 'expect_column_values_to_be_between', kwargs: { column: 'a', min_value: 'soon' } }] }, /'min_value' must be a number, a date/);
      refuses({ expectations: [{ type: 'expect_column_pair_values_a_to_be_greater_than_b', kwargs: { column_A: 'a', column_B: 'b', ignore_row_if: 'sometimes' } }] }, /'ignore_row_if' must be one of 'both_values_are_missing', 'either_value_is_missing', 'neither'/);
      refuses({ expectations: [{ type: 'expect_column_to_exist', kwargs: { column: 7 } }] }, /'column' must be a column name/);
    });

    it('refuses unknown arguments, naming the ones it takes', () => {
      refuses({ expectations: [{ type: 'expect_column_values_to_be_unique', kwargs: { colum: 'a' } }] }, /unknown argument 'colum'; it takes 'column', 'mostly'/);
    });

    it("applies GE's rules across arguments", () => {
      refuses({ expectations: [{ type: 'expect_column_values_to_be_between', kwargs: { column: 'a' } }] }, /needs 'min_value' or 'max_value'/);
      refuses({ expectations: [{ type: 'expect_column_value_lengths_to_be_between', kwargs: { column: 'a', min_value: 5, max_value: 2 } }] }, /'min_value' is greater than 'max_value'/);
      refuses({ expectations: [{ type: 'expect_column_values_to_match_strftime_format', kwargs: { column: 'a', strftime_format: '%Y-%q' } }] }, /'strftime_format' cannot be used: 'q' is a bad directive in format '%Y-%q'/);
      refuses({ expectations: [{ type: 'expect_column_values_to_be_of_type', kwargs: { column: 'a', type_: 'integerish' } }] }, /'type_' "integerish" is neither/);
    });

    it('refuses what Ferry cannot honour: suite parameters and row conditions', () => {
      refuses({ expectations: [{ type: 'expect_column_values_to_be_between', kwargs: { column: 'a', min_value: { $PARAMETER: 'lo' } } }] }, /suite parameter/);
      refuses({ expectations: [{ type: 'expect_column_values_to_not_be_null', kwargs: { column: 'a', row_condition: 'b > 1', condition_parser: 'pandas' } }] }, /'row_condition' is not supported/);
    });

    it('refuses arguments put beside type instead of under kwargs', () => {
      refuses({ expectations: [{ type: 'expect_column_to_exist', column: 'a' }] }, /unknown key 'column'; arguments go under 'kwargs'/);
    });

    it('accepts the common GE keys and a valid result_format', () => {
      const suite = parseSuite({
        expectations: [{ type: 'expect_column_to_exist', kwargs: { column: 'a', result_format: { result_format: 'COMPLETE', partial_unexpected_count: 5 }, catch_exceptions: true, meta: {} } }],
      });
      assert.deepEqual(resolveSuite(suite)[0]!.resultFormat, { result_format: 'COMPLETE', partial_unexpected_count: 5 });
      refuses({ expectations: [{ type: 'expect_column_to_exist', kwargs: { column: 'a', result_format: 'VERBOSE' } }] }, /'result_format' must be one of BOOLEAN_ONLY, BASIC, SUMMARY, COMPLETE/);
    });
  });

  describe('parseResultFormat', () => {
    it('reads names in any case and the dict form', () => {
      assert.deepEqual(parseResultFormat('basic'), { result_format: 'BASIC', partial_unexpected_count: 20 });
      assert.deepEqual(parseResultFormat({ result_format: 'SUMMARY', partial_unexpected_count: 3 }), { result_format: 'SUMMARY', partial_unexpected_count: 3 });
      assert.throws(() => parseResultFormat({ result_format: 'SUMMARY', partial_unexpected_count: -1 }), /non-negative integer/);
    });
  });
});
