import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openApiHarness, type ApiHarness } from '../helpers/api-server.js';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';
import { API, registryClient, unique, type RegistryClient } from './registry-fixtures.js';

for (const kind of testDatabaseKinds()) {
  describe(`registered-model routes (${kind.name})`, () => {
    let h: ApiHarness;
    let c: RegistryClient;
    before(async () => {
      h = await openApiHarness(kind);
      c = registryClient(h);
    });
    after(async () => h.close());

    describe('POST /registered-models/create', () => {
      it('creates a model with tags and description, in MLflow’s shape', async () => {
        const name = unique('create');
        const rm = await c.createModel(name, { tags: [{ key: 'team', value: 'ml' }, { key: 'team', value: 'ai' }], description: 'd' });
        assert.equal(rm.name, name);
        assert.equal(typeof rm.creation_timestamp, 'number');
        assert.equal(rm.last_updated_timestamp, rm.creation_timestamp);
        assert.equal(rm.description, 'd');
        assert.deepEqual(rm.tags, [{ key: 'team', value: 'ai' }], 'the last of two same-key tags wins');
        assert.equal(rm.latest_versions, undefined);
        assert.equal(rm.aliases, undefined);
      });

      it('leaves out an empty description, as MLflow does', async () => {
        const rm = await c.createModel(unique('nodesc'));
        assert.deepEqual(Object.keys(rm).sort(), ['creation_timestamp', 'last_updated_timestamp', 'name']);
      });

      it('refuses a duplicate name with RESOURCE_ALREADY_EXISTS and MLflow’s message', async () => {
        const name = unique('dup');
        await c.createModel(name);
        const message = await c.fails('POST', '/registered-models/create', { name }, 'RESOURCE_ALREADY_EXISTS', 400);
        assert.equal(message, `Registered Model (name=${name}) already exists.`);
      });

      it('tells a prompt from a model when their names clash', async () => {
        const name = unique('clash');
        await c.createModel(name, { tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }] });
        const message = await c.fails('POST', '/registered-models/create', { name }, 'RESOURCE_ALREADY_EXISTS');
        assert.match(message, /already taken by a prompt/);
      });

      it('refuses names MLflow refuses', async () => {
        assert.equal(await c.fails('POST', '/registered-models/create', { name: '' }, 'INVALID_PARAMETER_VALUE', 400), "Missing value for required parameter 'name'.");
        assert.equal(await c.fails('POST', '/registered-models/create', { name: '   ' }, 'INVALID_PARAMETER_VALUE'), "Missing value for required parameter 'name'.");
        assert.match(await c.fails('POST', '/registered-models/create', { name: 'a/b' }, 'INVALID_PARAMETER_VALUE'), /Names cannot contain '\/' or ':'/);
        assert.match(await c.fails('POST', '/registered-models/create', { name: 'a:b' }, 'INVALID_PARAMETER_VALUE'), /Names cannot contain/);
        assert.match(await c.fails('POST', '/registered-models/create', { name: '..' }, 'INVALID_PARAMETER_VALUE'), /must not resolve to other names/);
        assert.match(await c.fails('POST', '/registered-models/create', { name: 'x'.repeat(300) }, 'INVALID_PARAMETER_VALUE'), /exceeds the maximum length/);
      });

      it('refuses bad tag keys', async () => {
        const message = await c.fails('POST', '/registered-models/create', { name: unique('badtag'), tags: [{ key: 'a!b', value: 'v' }] }, 'INVALID_PARAMETER_VALUE');
        assert.match(message, /Invalid value "a!b" for parameter 'key' supplied/);
      });
    });

    describe('GET /registered-models/get', () => {
      it('answers an unknown model with RESOURCE_DOES_NOT_EXIST (404)', async () => {
        const message = await c.fails('GET', '/registered-models/get', { name: 'no-such-model' }, 'RESOURCE_DOES_NOT_EXIST', 404);
        assert.equal(message, 'Registered Model with name=no-such-model not found');
      });

      it('lists the newest version of each stage, without aliases, and the model’s aliases', async () => {
        const { name } = await c.modelWithVersions(3);
        await c.ok('POST', '/model-versions/transition-stage', { name, version: '1', stage: 'Staging', archive_existing_versions: false });
        await c.ok('POST', '/registered-models/alias', { name, alias: 'champion', version: '2' });
        const rm = (await c.ok('GET', '/registered-models/get', { name })).registered_model;
        assert.deepEqual(rm.latest_versions.map((v: any) => [v.version, v.current_stage]), [['1', 'Staging'], ['3', 'None']]);
        assert.ok(rm.latest_versions.every((v: any) => v.aliases === undefined));
        assert.deepEqual(rm.aliases, [{ alias: 'champion', version: '2' }]);
      });
    });

    describe('POST /registered-models/rename', () => {
      it('renames the model and carries versions, tags and aliases along', async () => {
        const { name } = await c.modelWithVersions(2);
        await c.ok('POST', '/registered-models/set-tag', { name, key: 'k', value: 'v' });
        await c.ok('POST', '/model-versions/set-tag', { name, version: '1', key: 'vk', value: 'vv' });
        await c.ok('POST', '/registered-models/alias', { name, alias: 'prod', version: '2' });
        const newName = `${name}-renamed`;
        const rm = (await c.ok('POST', '/registered-models/rename', { name, new_name: newName })).registered_model;
        assert.equal(rm.name, newName);
        assert.deepEqual(rm.tags, [{ key: 'k', value: 'v' }]);
        assert.deepEqual(rm.aliases, [{ alias: 'prod', version: '2' }]);
        const v1 = (await c.ok('GET', '/model-versions/get', { name: newName, version: '1' })).model_version;
        assert.equal(v1.name, newName);
        assert.deepEqual(v1.tags, [{ key: 'vk', value: 'vv' }]);
        assert.equal(v1.last_updated_timestamp, rm.last_updated_timestamp, 'a rename touches every version');
        assert.equal((await c.ok('GET', '/registered-models/alias', { name: newName, alias: 'prod' })).model_version.version, '2');
        await c.fails('GET', '/registered-models/get', { name }, 'RESOURCE_DOES_NOT_EXIST');
        // The next version continues the numbering.
        const run = await c.buildRun();
        assert.equal((await c.createVersion(newName, `runs:/${run.runId}/model`)).version, '3');
      });

      it('refuses a taken name, a missing new_name and an unknown model', async () => {
        const a = (await c.createModel()).name;
        const b = (await c.createModel()).name;
        assert.equal(await c.fails('POST', '/registered-models/rename', { name: a, new_name: b }, 'RESOURCE_ALREADY_EXISTS', 400), `Registered Model (name=${b}) already exists.`);
        assert.equal(await c.fails('POST', '/registered-models/rename', { name: a }, 'INVALID_PARAMETER_VALUE'), "Missing value for required parameter 'new_name'.");
        await c.fails('POST', '/registered-models/rename', { name: 'no-such', new_name: unique('x') }, 'RESOURCE_DOES_NOT_EXIST', 404);
      });
    });

    describe('PATCH /registered-models/update', () => {
      it('sets the description and clears it when none is sent, as MLflow does', async () => {
        const name = (await c.createModel()).name;
        const updated = (await c.ok('PATCH', '/registered-models/update', { name, description: 'new' })).registered_model;
        assert.equal(updated.description, 'new');
        const cleared = (await c.ok('PATCH', '/registered-models/update', { name })).registered_model;
        assert.equal(cleared.description, undefined);
        await c.fails('PATCH', '/registered-models/update', { name: 'no-such', description: 'x' }, 'RESOURCE_DOES_NOT_EXIST');
      });
    });

    describe('tags', () => {
      it('sets, overwrites and deletes tags; deleting a missing tag is no error', async () => {
        const name = (await c.createModel()).name;
        assert.deepEqual(await c.ok('POST', '/registered-models/set-tag', { name, key: 'a', value: '1' }), {});
        await c.ok('POST', '/registered-models/set-tag', { name, key: 'a', value: '2' });
        await c.ok('POST', '/registered-models/set-tag', { name, key: 'b' });
        let rm = (await c.ok('GET', '/registered-models/get', { name })).registered_model;
        assert.deepEqual(rm.tags, [{ key: 'a', value: '2' }, { key: 'b', value: '' }]);
        assert.deepEqual(await c.ok('DELETE', '/registered-models/delete-tag', { name, key: 'a' }), {});
        await c.ok('DELETE', '/registered-models/delete-tag', { name, key: 'never-set' });
        rm = (await c.ok('GET', '/registered-models/get', { name })).registered_model;
        assert.deepEqual(rm.tags, [{ key: 'b', value: '' }]);
        await c.fails('POST', '/registered-models/set-tag', { name: 'no-such', key: 'a', value: '1' }, 'RESOURCE_DOES_NOT_EXIST');
        await c.fails('POST', '/registered-models/set-tag', { name, value: '1' }, 'INVALID_PARAMETER_VALUE');
      });
    });

    describe('DELETE /registered-models/delete', () => {
      it('deletes the model with its versions; the name can be reused and numbering restarts', async () => {
        const { name, runId } = await c.modelWithVersions(2);
        assert.deepEqual(await c.ok('DELETE', '/registered-models/delete', { name }), {});
        await c.fails('GET', '/registered-models/get', { name }, 'RESOURCE_DOES_NOT_EXIST');
        await c.fails('GET', '/model-versions/get', { name, version: '1' }, 'RESOURCE_DOES_NOT_EXIST');
        await c.createModel(name);
        assert.equal((await c.createVersion(name, `runs:/${runId}/model`)).version, '1');
        await c.fails('DELETE', '/registered-models/delete', { name: 'no-such' }, 'RESOURCE_DOES_NOT_EXIST', 404);
      });
    });

    describe('get-latest-versions', () => {
      it('answers POST and GET, per stage or for every stage, with aliases', async () => {
        const { name } = await c.modelWithVersions(4);
        await c.ok('POST', '/model-versions/transition-stage', { name, version: '1', stage: 'Production', archive_existing_versions: false });
        await c.ok('POST', '/model-versions/transition-stage', { name, version: '2', stage: 'production', archive_existing_versions: false });
        await c.ok('POST', '/model-versions/transition-stage', { name, version: '3', stage: 'Archived', archive_existing_versions: false });
        await c.ok('POST', '/registered-models/alias', { name, alias: 'best', version: '2' });
        const prod = (await c.ok('POST', '/registered-models/get-latest-versions', { name, stages: ['Production'] })).model_versions;
        assert.deepEqual(prod.map((v: any) => v.version), ['2']);
        assert.deepEqual(prod[0].aliases, ['best']);
        const all = (await c.ok('GET', '/registered-models/get-latest-versions', { name })).model_versions;
        assert.deepEqual(all.map((v: any) => [v.version, v.current_stage]), [['2', 'Production'], ['3', 'Archived'], ['4', 'None']]);
        const several = (await c.ok('GET', '/registered-models/get-latest-versions', { name, stages: ['none', 'ARCHIVED'] })).model_versions;
        assert.deepEqual(several.map((v: any) => v.version), ['3', '4']);
        assert.deepEqual(await c.ok('POST', '/registered-models/get-latest-versions', { name, stages: ['Staging'] }), {});
        assert.match(await c.fails('POST', '/registered-models/get-latest-versions', { name, stages: ['Bogus'] }, 'INVALID_PARAMETER_VALUE'), /Invalid Model Version stage: Bogus/);
        await c.fails('POST', '/registered-models/get-latest-versions', { name: 'no-such' }, 'RESOURCE_DOES_NOT_EXIST');
      });
    });

    it('is served under every MLflow prefix', async () => {
      const name = (await c.createModel()).name;
      for (const prefix of ['/ajax-api/2.0/mlflow', '/api/2.0/preview/mlflow']) {
        const r = await h.call('GET', `${prefix}/registered-models/get`, { name });
        assert.equal(r.status, 200, prefix);
      }
      assert.equal((await h.call('GET', `${API}/registered-models/get`, { name })).body.registered_model.name, name);
    });
  });
}
