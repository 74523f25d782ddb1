import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listRoutes } from '../../../src/server/route-permission.js';
import { openApiHarness, type ApiHarness } from '../../helpers/api-server.js';
import { testDatabaseKinds } from '../../helpers/test-database-urls.js';
import { digestOf, uniqueName } from './dataset-fixtures.js';

const BASE = '/api/ferry/v1/datasets';

const body = (name: string, seed: string, extra: Record<string, unknown> = {}) => ({
  name,
  digest: digestOf(seed),
  kind: 'directory',
  size: 4096,
  files: 3,
  source: 's3://bucket/images/',
  schema: { format: 'parquet', rows: 10, columns: [{ name: 'x', type: 'DOUBLE' }] },
  profile: { null_fraction: { x: 0 } },
  description: 'images',
  tags: { split: 'train' },
  ...extra,
});

for (const kind of testDatabaseKinds()) {
  describe(`dataset routes (${kind.name})`, () => {
    let h: ApiHarness;
    before(async () => {
      h = await openApiHarness(kind);
    });
    after(async () => h.close());

    describe(`POST ${BASE}`, () => {
      it('answers 201 for a new digest and 200 with the same version for a repeat, in snake_case', async () => {
        const name = uniqueName('images');
        const created = await h.call('POST', BASE, body(name, `${name}-1`, { user_id: 'ana' }));
        assert.equal(created.status, 201, JSON.stringify(created.body));
        assert.equal(created.body.created, true);
        const v = created.body.dataset_version;
        assert.deepEqual(
          [v.name, v.version, v.ref, v.kind, v.size, v.files, v.created_by, v.tags, v.source],
          [name, 1, `datasets:/${name}/1`, 'directory', 4096, 3, 'ana', { split: 'train' }, 's3://bucket/images/'],
        );
        assert.equal(v.run_input_digest, v.digest.slice(7, 39));
        assert.equal(typeof v.creation_time, 'number');

        const repeat = await h.call('POST', BASE, body(name, `${name}-1`));
        assert.equal(repeat.status, 200);
        assert.deepEqual([repeat.body.created, repeat.body.dataset_version.version], [false, 1]);

        const next = await h.call('POST', BASE, body(name, `${name}-2`));
        assert.deepEqual([next.status, next.body.dataset_version.version], [201, 2]);
      });

      it('answers 400 INVALID_ARGUMENT naming the field for malformed input', async () => {
        const cases: Array<[unknown, RegExp]> = [
          [body('bad name!', 'x'), /Invalid dataset name/],
          [body('ok', 'x', { digest: 'abc' }), /sha256:<64 lowercase hex digits>/],
          [body('ok', 'x', { size: '12' }), /'size' must be a non-negative integer/],
          [body('ok', 'x', { files: -3 }), /'files' must be a non-negative integer/],
          [[1, 2], /must be a JSON object/],
        ];
        for (const [payload, message] of cases) {
          const res = await h.call('POST', BASE, payload);
          assert.equal(res.status, 400, JSON.stringify(res.body));
          assert.equal(res.body.error.code, 'INVALID_ARGUMENT');
          assert.match(res.body.error.message, message);
        }
      });

      it('answers 409 CONFLICT when a digest comes back with another size', async () => {
        const name = uniqueName('conflict');
        await h.call('POST', BASE, body(name, name));
        const res = await h.call('POST', BASE, body(name, name, { size: 1 }));
        assert.equal(res.status, 409);
        assert.equal(res.body.error.code, 'CONFLICT');
      });
    });

    describe(`GET ${BASE}`, () => {
      it('pages with max_results and page_token and filters with name_contains', async () => {
        const stem = uniqueName('paged');
        for (const n of ['a', 'b', 'c']) await h.call('POST', BASE, body(`${stem}-${n}`, `${stem}-${n}`));
        const first = await h.call('GET', BASE, { name_contains: stem, max_results: 2 });
        assert.equal(first.status, 200);
        assert.deepEqual(first.body.datasets.map((d: any) => d.name), [`${stem}-a`, `${stem}-b`]);
        assert.equal(first.body.datasets[0].latest_version.version, 1);
        assert.equal(first.body.datasets[0].version_count, 1);
        const second = await h.call('GET', BASE, { name_contains: stem, max_results: 2, page_token: first.body.next_page_token });
        assert.deepEqual(second.body.datasets.map((d: any) => d.name), [`${stem}-c`]);
        assert.equal(second.body.next_page_token, undefined);
        const bad = await h.call('GET', BASE, { max_results: 'many' });
        assert.equal(bad.status, 400);
      });
    });

    describe(`${BASE}/:name and /versions`, () => {
      it('gets, patches, lists and deletes versions', async () => {
        const name = uniqueName('crud');
        await h.call('POST', BASE, body(name, `${name}-1`));
        await h.call('POST', BASE, body(name, `${name}-2`));

        const got = await h.call('GET', `${BASE}/${name}`);
        assert.deepEqual([got.status, got.body.dataset.version_count, got.body.dataset.latest_version.version], [200, 2, 2]);

        const latest = await h.call('GET', `${BASE}/${name}/versions/latest`);
        assert.equal(latest.body.dataset_version.version, 2);
        const v1 = await h.call('GET', `${BASE}/${name}/versions/1`);
        assert.equal(v1.body.dataset_version.digest, digestOf(`${name}-1`));

        const patched = await h.call('PATCH', `${BASE}/${name}`, { description: 'all images', tags: { owner: 'ml' } });
        assert.deepEqual([patched.status, patched.body.dataset.description, patched.body.dataset.tags], [200, 'all images', { owner: 'ml' }]);
        const patchedVersion = await h.call('PATCH', `${BASE}/${name}/versions/1`, { tags: { split: null, qa: 'passed' } });
        assert.deepEqual(patchedVersion.body.dataset_version.tags, { qa: 'passed' });

        const byDigest = await h.call('GET', `${BASE}/${name}/versions`, { digest: digestOf(`${name}-2`) });
        assert.deepEqual(byDigest.body.versions.map((v: any) => v.version), [2]);

        const deleted = await h.call('DELETE', `${BASE}/${name}/versions/2`);
        assert.equal(deleted.status, 200);
        const all = await h.call('GET', `${BASE}/${name}/versions`);
        assert.deepEqual(all.body.versions.map((v: any) => v.version), [1]);
      });

      it('answers 404 NOT_FOUND naming what is missing, and 400 for a bad version', async () => {
        const missing = await h.call('GET', `${BASE}/never-registered`);
        assert.equal(missing.status, 404);
        assert.deepEqual([missing.body.error.code, /No dataset 'never-registered'/.test(missing.body.error.message)], ['NOT_FOUND', true]);
        const name = uniqueName('missing-version');
        await h.call('POST', BASE, body(name, name));
        const noVersion = await h.call('GET', `${BASE}/${name}/versions/5`);
        assert.equal(noVersion.status, 404);
        assert.match(noVersion.body.error.message, /has no version 5/);
        const badVersion = await h.call('DELETE', `${BASE}/${name}/versions/one`);
        assert.equal(badVersion.status, 400);
        const emptyPatch = await h.call('PATCH', `${BASE}/${name}`, {});
        assert.equal(emptyPatch.status, 400);
        assert.match(emptyPatch.body.error.message, /Nothing to update/);
      });
    });

    it('declares read for every GET and write for every change', () => {
      const routes = listRoutes(h.app).filter((r) => r.url.startsWith(BASE) && r.method !== 'HEAD');
      assert.equal(routes.length, 8, routes.map((r) => `${r.method} ${r.url}`).join(', '));
      for (const r of routes) assert.equal(r.permission, r.method === 'GET' || r.method === 'HEAD' ? 'read' : 'write', `${r.method} ${r.url}`);
    });
  });
}
