import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbEngine } from '../../../src/data/table/index.js';
import { openApiHarness, type ApiHarness } from '../../helpers/api-server.js';
import { testDatabaseKinds } from '../../helpers/test-database-urls.js';
import { writeFixture } from './profile-fixtures.js';

const PROFILE = '/api/ferry/v1/data/profile';

describe('profile routes', () => {
  let api: ApiHarness;
  let dir: string;
  let csvRef: string;
  let parquetRef: string;

  before(async () => {
    api = await openApiHarness(testDatabaseKinds()[0]!);
    dir = await mkdtemp(join(tmpdir(), 'ferry-profile-api-'));
    const engine = await DuckDbEngine.open({ threads: 1 });
    const fixture = await writeFixture(engine, dir);
    engine.close();
    const upload = async (path: string, format: string) => {
      const res = await api.app.inject({
        method: 'POST',
        url: `/api/ferry/v1/data/uploads?format=${format}`,
        headers: { 'content-type': 'application/octet-stream' },
        payload: await readFile(path),
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().upload.ref as string;
    };
    csvRef = await upload(fixture.csv, 'csv');
    parquetRef = await upload(fixture.parquet, 'parquet');
  });
  after(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('profiles an uploaded CSV as JSON', async () => {
    const res = await api.call('POST', PROFILE, { source: csvRef });
    assert.equal(res.status, 200);
    assert.equal(res.body.source, csvRef);
    assert.equal(res.body.format, 'csv');
    assert.equal(res.body.rows, 203);
    assert.equal(res.body.duplicate_rows, 3);
    const city = res.body.columns.find((c: { name: string }) => c.name === 'city');
    assert.deepEqual(city.top_values[0], { value: 'lima', count: 68 });
    const amount = res.body.columns.find((c: { name: string }) => c.name === 'amount');
    assert.equal(amount.count, 183);
    assert.equal(Object.keys(amount.quantiles).length, 7);
  });

  it('passes columns, top and bins through', async () => {
    const res = await api.call('POST', PROFILE, { source: parquetRef, columns: ['amount', 'city'], top: 1, bins: 5 });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.columns.map((c: { name: string }) => c.name), ['amount', 'city']);
    assert.equal(res.body.columns[0].histogram.length, 5);
    assert.equal(res.body.columns[1].top_values.length, 1);
  });

  it('answers a self-contained HTML report for format "html" or Accept: text/html', async () => {
    const viaBody = await api.app.inject({ method: 'POST', url: PROFILE, payload: { source: parquetRef, format: 'html' } });
    assert.equal(viaBody.statusCode, 200);
    assert.match(String(viaBody.headers['content-type']), /^text\/html; charset=utf-8/);
    assert.match(viaBody.body, /^<!doctype html>/);
    assert.match(viaBody.body, /Data profile: upload:/);
    assert.doesNotMatch(viaBody.body, /https?:\/\//);
    const viaAccept = await api.app.inject({ method: 'POST', url: PROFILE, payload: { source: parquetRef }, headers: { accept: 'text/html' } });
    assert.match(String(viaAccept.headers['content-type']), /^text\/html/);
    const jsonAnyway = await api.app.inject({ method: 'POST', url: PROFILE, payload: { source: parquetRef, format: 'json' }, headers: { accept: 'text/html' } });
    assert.equal(jsonAnyway.json().rows, 203);
  });

  it('answers 400 for an unknown source reference, naming the accepted ones', async () => {
    const res = await api.call('POST', PROFILE, { source: 's3://bucket/table.parquet' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'INVALID_ARGUMENT');
    assert.match(res.body.error.message, /upload:ID/);
  });

  it('answers 400 for a missing source, a bad format, bad options and an unknown column', async () => {
    for (const [body, pattern] of [
      [{}, /table reference must be a string/],
      [{ source: csvRef, format: 'xml' }, /format must be "json" or "html"/],
      [{ source: csvRef, bins: 'many' }, /bins must be a number/],
      [{ source: csvRef, top: -1 }, /top must be a whole number/],
      [{ source: csvRef, columns: 'city' }, /columns must be a list/],
      [{ source: csvRef, columns: ['nope'] }, /No column 'nope'/],
    ] as const) {
      const res = await api.call('POST', PROFILE, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.body.error.message, pattern);
    }
  });

  it('answers 404 for an upload that does not exist', async () => {
    const res = await api.call('POST', PROFILE, { source: `upload:${'0'.repeat(32)}` });
    assert.equal(res.status, 404);
  });

  it('answers 400 naming the upload when its content is not the declared format', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/ferry/v1/data/uploads?format=parquet',
      headers: { 'content-type': 'application/octet-stream' },
      payload: 'not,parquet\n1,2\n',
    });
    const ref = res.json().upload.ref as string;
    const profile = await api.call('POST', PROFILE, { source: ref });
    assert.equal(profile.status, 400);
    assert.match(profile.body.error.message, new RegExp(`^Cannot read ${ref} as parquet: `));
    assert.doesNotMatch(profile.body.error.message, /\/uploads\//, 'no server path');
  });
});
