import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openApiHarness, type ApiHarness } from '../../helpers/api-server.js';
import { testDatabaseKinds } from '../../helpers/test-database-urls.js';
import { openPeople, type PeopleFixture } from './validation-fixtures.js';

const GE_SUITE = fileURLToPath(new URL('./fixtures/people.ge-suite.json', import.meta.url));

describe('validation routes', () => {
  let h: ApiHarness;
  let f: PeopleFixture;
  let csvRef: string;
  let parquetRef: string;

  /** Uploads a file as the raw request body; returns its `upload:ID` reference. */
  async function upload(path: string, format: string): Promise<string> {
    const res = await h.app.inject({ method: 'POST', url: `/api/ferry/v1/data/uploads?format=${format}`, headers: { 'content-type': 'application/octet-stream' }, payload: await readFile(path) });
    assert.equal(res.statusCode, 201, res.body);
    return JSON.parse(res.body).upload.ref;
  }

  before(async () => {
    h = await openApiHarness(testDatabaseKinds()[0]!);
    f = await openPeople();
    csvRef = await upload(f.csv.path, 'csv');
    parquetRef = await upload(f.parquet.path, 'parquet');
  });
  after(async () => {
    await h.close();
    await f.close();
  });

  describe('POST /api/ferry/v1/data/validate', () => {
    it('validates an upload against a GE suite object, naming the reference, not the server path', async () => {
      const suite = JSON.parse(await readFile(GE_SUITE, 'utf8'));
      for (const source of [csvRef, parquetRef]) {
        const res = await h.call('POST', '/api/ferry/v1/data/validate', { source, suite });
        assert.equal(res.status, 200);
        assert.equal(res.body.success, false);
        assert.deepEqual(res.body.statistics, { evaluated_expectations: 5, successful_expectations: 4, unsuccessful_expectations: 1, success_percent: 80 });
        assert.equal(res.body.meta.source, source);
        assert.deepEqual(res.body.results[3].result.partial_unexpected_list, ['Berlin']);
      }
    });

    it('takes the suite as YAML text and a result_format', async () => {
      const suite = 'expectations:\n  - expect_column_values_to_be_unique: {column: id}\n';
      const res = await h.call('POST', '/api/ferry/v1/data/validate', { source: csvRef, suite, result_format: 'BOOLEAN_ONLY' });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.results.map((r: { success: boolean; result: unknown }) => [r.success, r.result]), [[false, {}]]);
    });

    it('answers 400 naming the expectation for a bad suite, before looking at the source', async () => {
      const res = await h.call('POST', '/api/ferry/v1/data/validate', {
        source: 'upload:does-not-exist',
        suite: { expectations: [{ type: 'expect_column_values_to_be_between', kwargs: { column: 'age', mostly: 2 } }] },
      });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'INVALID_ARGUMENT');
      assert.match(res.body.error.message, /expectations\[0\] expect_column_values_to_be_between: 'mostly' must be a number between 0 and 1/);
    });

    it('answers 400 without a suite and 404 for an unknown upload', async () => {
      const missingSuite = await h.call('POST', '/api/ferry/v1/data/validate', { source: csvRef });
      assert.equal(missingSuite.status, 400);
      assert.match(missingSuite.body.error.message, /Give 'suite'/);
      const unknown = await h.call('POST', '/api/ferry/v1/data/validate', { source: `upload:${'0'.repeat(32)}`, suite: { expectations: [] } });
      assert.equal(unknown.status, 404);
    });
  });

  describe('POST /api/ferry/v1/data/suggest', () => {
    it('drafts a suite that validates against the same upload', async () => {
      const suggested = await h.call('POST', '/api/ferry/v1/data/suggest', { source: parquetRef, name: 'people' });
      assert.equal(suggested.status, 200);
      assert.equal(suggested.body.name, 'people');
      assert.equal(suggested.body.expectations[0].type, 'expect_table_columns_to_match_ordered_list');
      const res = await h.call('POST', '/api/ferry/v1/data/validate', { source: parquetRef, suite: suggested.body });
      assert.equal(res.status, 200);
      assert.equal(res.body.success, true);
    });
  });
});
