import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { after, before, describe, it } from 'node:test';
import { ExperimentService } from '../../src/tracking/experiment-service.js';
import { RunService } from '../../src/tracking/run-service.js';
import { ModelRegistry } from '../../src/registry/model-registry.js';
import { listRoutes } from '../../src/server/route-permission.js';
import { openApiHarness, type ApiHarness } from '../helpers/api-server.js';
import { describeEachDatabase } from '../helpers/test-databases.js';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';
import { AUDIT, registryClient, type RegistryClient } from './registry-fixtures.js';

const anonymous = { actor: 'anonymous' };

for (const kind of testDatabaseKinds()) {
  describe(`AuditLog (${kind.name})`, () => {
    let h: ApiHarness;
    let c: RegistryClient;
    before(async () => {
      h = await openApiHarness(kind);
      c = registryClient(h);
    });
    after(async () => h.close());

    describe('.append', () => {
      it('records every registry change, oldest first, with before and after', async () => {
        const run = await c.buildRun();
        const name = (await c.createModel(undefined, { description: 'd0', tags: [{ key: 't', value: '1' }] })).name;
        await c.ok('PATCH', '/registered-models/update', { name, description: 'd1' });
        await c.ok('POST', '/registered-models/set-tag', { name, key: 't', value: '2' });
        await c.ok('DELETE', '/registered-models/delete-tag', { name, key: 't' });
        await c.ok('DELETE', '/registered-models/delete-tag', { name, key: 't' }); // no change, no row
        await c.createVersion(name, `runs:/${run.runId}/model`);
        await c.createVersion(name, `runs:/${run.runId}/model`);
        await c.ok('PATCH', '/model-versions/update', { name, version: '1', description: 'v1' });
        await c.ok('POST', '/model-versions/set-tag', { name, version: '1', key: 'k', value: 'v' });
        await c.ok('DELETE', '/model-versions/delete-tag', { name, version: '1', key: 'k' });
        await c.ok('POST', '/model-versions/transition-stage', { name, version: '1', stage: 'Production', archive_existing_versions: false });
        await c.ok('POST', '/model-versions/transition-stage', { name, version: '2', stage: 'Production', archive_existing_versions: true });
        await c.ok('POST', '/registered-models/alias', { name, alias: 'champion', version: '1' });
        await c.ok('POST', '/registered-models/alias', { name, alias: 'champion', version: '2' });
        await c.ok('DELETE', '/registered-models/alias', { name, alias: 'champion' });
        await c.ok('POST', '/registered-models/alias', { name, alias: 'gone-with-v2', version: '2' });
        await c.ok('DELETE', '/model-versions/delete', { name, version: '2' });
        await c.ok('DELETE', '/registered-models/delete', { name });

        const entries = await c.audit({ model: name });
        assert.deepEqual(
          entries.map((e: any) => [e.entityType, e.action, e.entityVersion]),
          [
            ['registered_model', 'create', null],
            ['registered_model', 'update', null],
            ['registered_model', 'set_tag', null],
            ['registered_model', 'delete_tag', null],
            ['model_version', 'create', 1],
            ['model_version', 'create', 2],
            ['model_version', 'update', 1],
            ['model_version', 'set_tag', 1],
            ['model_version', 'delete_tag', 1],
            ['model_version', 'transition_stage', 1],
            ['model_version', 'transition_stage', 1],
            ['model_version', 'transition_stage', 2],
            ['registered_model_alias', 'set_alias', 1],
            ['registered_model_alias', 'set_alias', 2],
            ['registered_model_alias', 'delete_alias', 2],
            ['registered_model_alias', 'set_alias', 2],
            ['registered_model_alias', 'delete_alias', 2],
            ['model_version', 'delete', 2],
            ['registered_model', 'delete', null],
          ],
        );
        const byAction = (i: number) => entries[i];
        assert.deepEqual(byAction(0).after, { name, description: 'd0', tags: { t: '1' }, aliases: {} });
        assert.equal(byAction(0).before, null);
        assert.deepEqual([byAction(1).before, byAction(1).after], [{ description: 'd0' }, { description: 'd1' }]);
        assert.deepEqual([byAction(2).before, byAction(2).after], [{ key: 't', value: '1' }, { key: 't', value: '2' }]);
        assert.deepEqual([byAction(3).before, byAction(3).after], [{ key: 't', value: '2' }, null]);
        assert.equal(byAction(4).after.source, `runs:/${run.runId}/model`);
        assert.equal(byAction(4).after.storageLocation, `${run.artifactUri}/model`);
        assert.deepEqual(byAction(10).after, { currentStage: 'Archived', archivedBy: 2 }, 'archiving by a transition is recorded on the archived version');
        assert.deepEqual([byAction(13).before, byAction(13).after], [{ alias: 'champion', version: 1 }, { alias: 'champion', version: 2 }]);
        assert.equal(byAction(17).before.currentStage, 'Production');
        assert.deepEqual(byAction(18).before.versions, [{ version: 1, currentStage: 'Archived' }]);
        for (const e of entries) {
          assert.equal(e.actor, 'anonymous');
          assert.equal(e.entityName, name);
          assert.equal(typeof e.at, 'number');
        }
        assert.ok(entries.every((e: any, i: number) => i === 0 || e.id > entries[i - 1].id));
      });

      it('commits in the transaction of the change: no row for a refused change, no change without its row', async () => {
        const run = await c.buildRun();
        const name = (await c.createModel()).name;
        const before = (await c.audit({ model: name })).length;
        await c.fails('POST', '/registered-models/alias', { name, alias: 'latest', version: '1' }, 'INVALID_PARAMETER_VALUE');
        await c.fails('POST', '/model-versions/create', { name, source: '/etc/passwd' }, 'INVALID_PARAMETER_VALUE');
        assert.equal((await c.audit({ model: name })).length, before);

        // A registry whose audit insert fails (its clock gives NaN on every second call: the row's `at`) changes nothing.
        let calls = 0;
        const experiments = new ExperimentService(h.app.services.database, 'mlflow-artifacts:/');
        const registry = new ModelRegistry({
          database: h.app.services.database,
          runs: new RunService(h.app.services.database, experiments),
          clock: () => (calls++ % 2 === 0 ? Date.now() : NaN),
        });
        await assert.rejects(registry.versions.create({ name, source: `runs:/${run.runId}/model` }, anonymous));
        await c.fails('GET', '/model-versions/get', { name, version: '1' }, 'RESOURCE_DOES_NOT_EXIST');
        assert.equal((await c.createVersion(name, `runs:/${run.runId}/model`)).version, '1');
      });

      it('names the actor: user_id without auth, else anonymous', async () => {
        const name = (await c.createModel(undefined, { user_id: 'ada' })).name;
        await c.ok('POST', '/registered-models/set-tag', { name, key: 'k', value: 'v' });
        assert.deepEqual((await c.audit({ model: name })).map((e: any) => e.actor), ['ada', 'anonymous']);
      });
    });

    describe('.list', () => {
      it('follows renames back to the model’s earlier names, but not into a later model of the old name', async () => {
        const name = (await c.createModel()).name;
        const renamed = `${name}-2`;
        await c.ok('POST', '/registered-models/set-tag', { name, key: 'before', value: 'rename' });
        await c.ok('POST', '/registered-models/rename', { name, new_name: renamed });
        await c.ok('POST', '/registered-models/set-tag', { name: renamed, key: 'after', value: 'rename' });
        await c.createModel(name); // a new model takes the old name
        const history = await c.audit({ model: renamed });
        assert.deepEqual(history.map((e: any) => [e.entityName, e.action]), [
          [name, 'create'],
          [name, 'set_tag'],
          [renamed, 'rename'],
          [renamed, 'set_tag'],
        ]);
        assert.deepEqual([history[2].before, history[2].after], [{ name }, { name: renamed }]);
        assert.deepEqual((await c.audit({ model: name })).map((e: any) => e.action), ['create', 'set_tag', 'create'], 'the old name’s own rows');
      });

      it('filters by version, pages with next_page_token, and answers in Ferry’s error shape', async () => {
        const { name } = await c.modelWithVersions(3);
        assert.deepEqual((await c.audit({ model: name, version: 2 })).map((e: any) => e.entityVersion), [2]);
        const first = await c.ok('GET', AUDIT, { model: name, max_results: 2 });
        assert.equal(first.entries.length, 2);
        const second = await c.ok('GET', AUDIT, { model: name, max_results: 2, page_token: first.nextPageToken });
        assert.deepEqual(second.entries.map((e: any) => e.entityVersion), [2, 3]);
        assert.equal(second.nextPageToken, undefined);
        const bad = await h.call('GET', AUDIT, { page_token: 'x' });
        assert.equal(bad.status, 400);
        assert.equal(bad.body.error.code, 'INVALID_ARGUMENT');
        assert.equal((await h.call('GET', AUDIT, { max_results: 0 })).body.error.code, 'INVALID_ARGUMENT');
        assert.deepEqual((await c.ok('GET', AUDIT, { model: 'never-existed' })).entries, []);
      });
    });

    describe('append-only', () => {
      it('has no route that changes audit rows', async () => {
        const routes = listRoutes(h.app).filter((r) => r.url.includes('/audit'));
        assert.deepEqual(routes.map((r) => `${r.method} ${r.url}`).sort(), ['GET /api/ferry/v1/audit', 'HEAD /api/ferry/v1/audit']);
        for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
          for (const url of [AUDIT, `${AUDIT}/1`]) {
            const r = await h.call(method, url, {});
            assert.equal(r.status, 404, `${method} ${url}`);
            assert.equal(r.body.error.code, 'NOT_FOUND');
          }
        }
      });
    });
  });
}

describeEachDatabase('audit_log table', (getDatabase) => {
  it('refuses UPDATE and DELETE in the database itself', async () => {
    const db = getDatabase().db;
    await sql`insert into audit_log (at, actor, entity_type, entity_name, action) values (1, 'a', 'registered_model', 'm', 'create')`.execute(db);
    await assert.rejects(sql`update audit_log set actor = 'mallory'`.execute(db), /append-only/);
    await assert.rejects(sql`delete from audit_log`.execute(db), /append-only/);
    const rows = await sql<{ actor: string }>`select actor from audit_log`.execute(db);
    assert.deepEqual(rows.rows.map((r) => r.actor), ['a']);
  });
});

for (const kind of testDatabaseKinds()) {
  describe(`AuditLog with auth on (${kind.name})`, () => {
    let h: ApiHarness;
    before(async () => {
      h = await openApiHarness(kind, { auth: true });
    });
    after(async () => h.close());

    it('names the token as the actor, whatever user_id the request claims', async () => {
      const { token } = await h.app.services.tokens.create('release-bot', 'editor');
      const { token: viewer } = await h.app.services.tokens.create('reader', 'viewer');
      const auth = { authorization: `Bearer ${token}` };
      const r = await h.call('POST', '/api/2.0/mlflow/registered-models/create', { name: 'audited', user_id: 'someone-else' }, auth);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const entries = (await h.call('GET', AUDIT, { model: 'audited' }, { authorization: `Bearer ${viewer}` })).body.entries;
      assert.deepEqual(entries.map((e: any) => e.actor), ['release-bot']);
      assert.equal((await h.call('GET', AUDIT, { model: 'audited' })).status, 401);
    });
  });
}
