import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readFile } from 'node:fs/promises';
import { openApiHarness, type ApiHarness } from '../../helpers/api-server.js';
import { testDatabaseKinds } from '../../helpers/test-database-urls.js';

describe('upload routes', () => {
  let api: ApiHarness;
  before(async () => {
    api = await openApiHarness(testDatabaseKinds()[0]!);
  });
  after(async () => api.close());

  const upload = (url: string, body: string, type = 'application/octet-stream') =>
    api.app.inject({ method: 'POST', url, headers: { 'content-type': type }, payload: body });

  it('stores a CSV body and resolves its ref to the same bytes', async () => {
    const res = await upload('/api/ferry/v1/data/uploads?format=csv', 'a,b\n1,2\n');
    assert.equal(res.statusCode, 201);
    const { upload: info } = res.json();
    assert.match(info.id, /^[0-9a-f]{32}$/);
    assert.equal(info.ref, `upload:${info.id}`);
    assert.equal(info.format, 'csv');
    assert.equal(info.size_bytes, 8);
    const table = await api.app.services.data.sources.resolve(info.ref);
    assert.equal(table.format, 'csv');
    assert.equal(await readFile(table.path, 'utf8'), 'a,b\n1,2\n');
  });

  it('takes the format from the content type', async () => {
    const res = await upload('/api/ferry/v1/data/uploads', '{"a":1}\n', 'application/x-ndjson');
    assert.equal(res.statusCode, 201);
    assert.equal(res.json().upload.format, 'jsonl');
  });

  it('answers 400 naming the formats when none is given', async () => {
    const res = await upload('/api/ferry/v1/data/uploads', 'a\n');
    assert.equal(res.statusCode, 400);
    assert.match(res.json().error.message, /format=csv\|parquet\|jsonl/);
  });

  it('answers 400 for an unknown format', async () => {
    const res = await upload('/api/ferry/v1/data/uploads?format=xlsx', 'a\n');
    assert.equal(res.statusCode, 400);
    assert.match(res.json().error.message, /Unknown table format 'xlsx'/);
  });

  it('deletes an upload, after which its ref is not found', async () => {
    const { upload: info } = (await upload('/api/ferry/v1/data/uploads?format=csv', 'x\n1\n')).json();
    const del = await api.app.inject({ method: 'DELETE', url: `/api/ferry/v1/data/uploads/${info.id}` });
    assert.equal(del.statusCode, 200);
    await assert.rejects(api.app.services.data.sources.resolve(info.ref), { code: 'NOT_FOUND' });
  });
});

describe('DataSourceResolver', () => {
  let api: ApiHarness;
  before(async () => {
    api = await openApiHarness(testDatabaseKinds()[0]!);
  });
  after(async () => api.close());

  it('refuses upload ids that are not 32 hex digits, so no id can name a path', async () => {
    for (const id of ['../../etc/passwd', '..%2f', 'ABC', '']) {
      await assert.rejects(api.app.services.data.sources.resolve(`upload:${id}`), { code: 'INVALID_ARGUMENT' });
    }
  });

  it('names the accepted forms for an unknown scheme or a non-string', async () => {
    await assert.rejects(api.app.services.data.sources.resolve('/etc/passwd'), (err: Error) => /upload:ID/.test(err.message));
    await assert.rejects(api.app.services.data.sources.resolve(42), { code: 'INVALID_ARGUMENT' });
  });
});
