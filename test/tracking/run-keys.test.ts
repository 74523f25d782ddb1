import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { buildServer, type FerryServer } from '../../src/server/build-server.js';
import { RUN_KEYS_PATH } from '../../src/tracking/run-keys-routes.js';
import { injectCall, type ApiHarness } from '../helpers/api-server.js';
import { testDatabaseKinds, type TestDatabaseUrl } from '../helpers/test-database-urls.js';

for (const kind of testDatabaseKinds()) {
  describe(`run keys endpoint (${kind.name})`, () => {
    let app: FerryServer;
    let call: ApiHarness['call'];
    let home: string;
    let db: TestDatabaseUrl;
    let experimentId: string;
    const path = (id: string) => RUN_KEYS_PATH.replace(':experimentId', id);

    before(async () => {
      home = await mkdtemp(join(tmpdir(), 'ferry-keys-'));
      db = await kind.create();
      const config = loadConfig({ home, databaseUrl: db.url, logLevel: 'silent' });
      app = await buildServer(config, { logger: false });
      await app.ready();
      call = injectCall(app);
      experimentId = (await call('POST', '/api/2.0/mlflow/experiments/create', { name: 'keys' })).body.experiment_id;
      const other = (await call('POST', '/api/2.0/mlflow/experiments/create', { name: 'other' })).body.experiment_id;
      const run = async (exp: string, metrics: string[], params: string[], tags: string[]) => {
        const id = (await call('POST', '/api/2.0/mlflow/runs/create', { experiment_id: exp })).body.run.info.run_id;
        const res = await call('POST', '/api/2.0/mlflow/runs/log-batch', {
          run_id: id,
          metrics: metrics.map((key) => ({ key, value: 1, timestamp: 1, step: 0 })),
          params: params.map((key) => ({ key, value: 'v' })),
          tags: tags.map((key) => ({ key, value: 'v' })),
        });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        return id;
      };
      await run(experimentId, ['loss', 'val/loss', 'val/Acc'], ['lr', 'batch_size'], ['team']);
      await run(experimentId, ['loss', 'top_1'], ['lr', 'optimizer'], ['team', 'owner']);
      const deleted = await run(experimentId, ['deleted_only'], [], []);
      assert.equal((await call('POST', '/api/2.0/mlflow/runs/delete', { run_id: deleted })).status, 200);
      await run(other, ['elsewhere'], ['elsewhere'], []);
    });

    after(async () => {
      await app?.close();
      await db?.cleanup();
      await rm(home, { recursive: true, force: true });
    });

    it('lists distinct metric keys of the active runs, in order', async () => {
      const res = await call('GET', path(experimentId));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body, { kind: 'metrics', keys: ['loss', 'top_1', 'val/Acc', 'val/loss'], truncated: false });
    });

    it('lists params and tags', async () => {
      assert.deepEqual((await call('GET', path(experimentId), { kind: 'params' })).body.keys, ['batch_size', 'lr', 'optimizer']);
      assert.deepEqual((await call('GET', path(experimentId), { kind: 'tags' })).body.keys.filter((k: string) => !k.startsWith('mlflow.')), ['owner', 'team']);
    });

    it('filters case-insensitively by substring, with % and _ taken literally', async () => {
      assert.deepEqual((await call('GET', path(experimentId), { contains: 'VAL/' })).body.keys, ['val/Acc', 'val/loss']);
      assert.deepEqual((await call('GET', path(experimentId), { contains: '%' })).body.keys, []);
      assert.deepEqual((await call('GET', path(experimentId), { contains: 'p_' })).body.keys, ['top_1']);
      assert.deepEqual((await call('GET', path(experimentId), { contains: 'l_l' })).body.keys, []);
    });

    it('caps the answer at max_results and says it is truncated', async () => {
      assert.deepEqual((await call('GET', path(experimentId), { max_results: 2 })).body, { kind: 'metrics', keys: ['loss', 'top_1'], truncated: true });
    });

    it('rejects bad requests with a message saying what to fix', async () => {
      const badKind = await call('GET', path(experimentId), { kind: 'artifacts' });
      assert.equal(badKind.status, 400);
      assert.match(badKind.body.error.message, /'kind' must be one of metrics, params, tags/);
      const badMax = await call('GET', path(experimentId), { max_results: 0 });
      assert.equal(badMax.status, 400);
      assert.match(badMax.body.error.message, /max_results/);
      assert.equal((await call('GET', path('abc'))).status, 400);
      assert.equal((await call('GET', path('99999999999999999999999'))).status, 404);
      const missing = await call('GET', path('987654'));
      assert.equal(missing.status, 404);
      assert.match(missing.body.error.message, /987654/);
    });
  });
}
