import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AlreadyExistsError, NotFoundError } from '../../src/errors.js';
import { Ferry } from '../../src/sdk/ferry-client.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { harnessOf } from '../registry/lineage-fixtures.js';
import { registryClient } from '../registry/registry-fixtures.js';

describe('RegistryApi', () => {
  let server: TestServer;
  let ferry: Ferry;
  let runId: string;

  before(async () => {
    server = await startTestServer();
    ferry = new Ferry({ url: server.url, retry: { retries: 0 } });
    runId = (await registryClient(harnessOf(server.app)).buildRun()).runId;
  });
  after(async () => {
    await server.close();
  });

  describe('.register', () => {
    it('creates the model on first use, then adds versions', async () => {
      const v1 = await ferry.registry.register(`runs:/${runId}/model`, 'sdk-model', { tags: { owner: 'ana' }, description: 'd' });
      assert.equal(v1.name, 'sdk-model');
      assert.equal(v1.version, 1);
      assert.equal(v1.runId, runId);
      assert.deepEqual(v1.tags, [{ key: 'owner', value: 'ana' }]);
      const v2 = await ferry.registry.register(`runs:/${runId}/model`, 'sdk-model');
      assert.equal(v2.version, 2);
      assert.match(await ferry.registry.getDownloadUri('sdk-model', 2), /model$/);
    });
  });

  describe('.createModel / .getModel / .searchModels', () => {
    it('round-trips a model and refuses a taken name', async () => {
      const m = await ferry.registry.createModel('sdk-other', { description: 'x', tags: [{ key: 't', value: '1' }] });
      assert.equal(m.description, 'x');
      await assert.rejects(ferry.registry.createModel('sdk-other'), AlreadyExistsError);
      const got = await ferry.registry.getModel('sdk-other');
      assert.deepEqual(got.tags, [{ key: 't', value: '1' }]);
      const page = await ferry.registry.searchModels({ filter: "name LIKE 'sdk-%'", orderBy: ['name ASC'] });
      assert.deepEqual(page.items.map((x) => x.name), ['sdk-model', 'sdk-other']);
      await assert.rejects(ferry.registry.getModel('sdk-none'), NotFoundError);
    });
  });

  describe('aliases', () => {
    it('sets, reads, moves and deletes an alias', async () => {
      await ferry.registry.setAlias('sdk-model', 'champion', 1);
      assert.equal((await ferry.registry.getByAlias('sdk-model', 'champion')).version, 1);
      await ferry.registry.setAlias('sdk-model', 'champion', '2');
      const v = await ferry.registry.getByAlias('sdk-model', 'champion');
      assert.equal(v.version, 2);
      assert.deepEqual(v.aliases, ['champion']);
      assert.deepEqual((await ferry.registry.getModel('sdk-model')).aliases, [{ alias: 'champion', version: 2 }]);
      await ferry.registry.deleteAlias('sdk-model', 'champion');
      await ferry.registry.deleteAlias('sdk-model', 'champion');
      await assert.rejects(ferry.registry.getByAlias('sdk-model', 'champion'));
    });
  });

  describe('.searchVersions / .getVersion', () => {
    it('finds versions by filter', async () => {
      const page = await ferry.registry.searchVersions({ filter: "name = 'sdk-model'", orderBy: ['version_number DESC'] });
      assert.deepEqual(page.items.map((v) => v.version), [2, 1]);
      assert.equal((await ferry.registry.getVersion('sdk-model', 1)).description, 'd');
    });
  });

  describe('.lineage', () => {
    it('answers for a version, an alias and a run', async () => {
      await ferry.registry.setAlias('sdk-model', 'prod', 1);
      const byVersion = await ferry.registry.lineage({ model: 'sdk-model', version: 1 });
      assert.deepEqual(byVersion.roots, ['model_version:sdk-model/1']);
      assert.ok(byVersion.edges.some((e) => e.from === `run:${runId}` && e.type === 'registered_as'));
      assert.deepEqual((await ferry.registry.lineage({ model: 'sdk-model', alias: 'prod' })).roots, ['model_version:sdk-model/1']);
      const byRun = await ferry.registry.lineage({ runId });
      assert.equal(byRun.nodes.filter((n) => n.type === 'model_version').length, 2);
      await assert.rejects(ferry.registry.lineage({ model: 'sdk-model', version: 9 }), NotFoundError);
    });
  });

  describe('.audit', () => {
    it('pages through a model history, oldest first', async () => {
      const first = await ferry.registry.audit({ model: 'sdk-model', maxResults: 2 });
      assert.deepEqual(first.items.map((e) => e.action), ['create', 'create']);
      assert.ok(first.nextPageToken);
      const next = await ferry.registry.audit({ model: 'sdk-model', maxResults: 2, pageToken: first.nextPageToken });
      assert.equal(next.items[0]!.entityVersion, 2);
      assert.equal(next.items[1]!.action, 'set_alias');
    });
  });
});
