import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../../src/errors.js';
import { parseModelUri, type ModelRegistry } from '../../src/registry/model-registry.js';
import { openApiHarness, type ApiHarness } from '../helpers/api-server.js';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';
import { registryClient, type RegistryClient } from './registry-fixtures.js';

describe('parseModelUri', () => {
  it('reads the forms MLflow’s _parse_model_uri reads', () => {
    assert.deepEqual(parseModelUri('models:/fraud/3'), { name: 'fraud', version: 3 });
    assert.deepEqual(parseModelUri('models:/fraud/latest'), { name: 'fraud', latest: true });
    assert.deepEqual(parseModelUri('models:/fraud/LATEST'), { name: 'fraud', latest: true });
    assert.deepEqual(parseModelUri('models:/fraud/Production'), { name: 'fraud', stage: 'Production' });
    assert.deepEqual(parseModelUri('models:/fraud@champion'), { name: 'fraud', alias: 'champion' });
    assert.deepEqual(parseModelUri('models:/a@b@c'), { name: 'a@b', alias: 'c' });
    assert.deepEqual(parseModelUri('models:/m-0123abcd'), { modelId: 'm-0123abcd' });
  });

  it('refuses malformed URIs with MLflow’s message', () => {
    for (const uri of ['runs:/x/model', 'models:/', 'models:/a/b/c', 'models:/a/', 'models:/a@', 'models://']) {
      assert.throws(() => parseModelUri(uri), (e: unknown) => e instanceof InvalidArgumentError && /Not a proper models:\/ URI/.test(e.message), uri);
    }
  });
});

for (const kind of testDatabaseKinds()) {
  describe(`ModelRegistry (${kind.name})`, () => {
    let h: ApiHarness;
    let c: RegistryClient;
    let registry: ModelRegistry;
    before(async () => {
      h = await openApiHarness(kind);
      c = registryClient(h);
      registry = h.app.services.registry;
    });
    after(async () => h.close());

    describe('.resolveModelUri', () => {
      it('resolves versions, aliases, latest and legacy stages to the model version', async () => {
        const { name, artifactUri } = await c.modelWithVersions(3);
        await c.ok('POST', '/registered-models/alias', { name, alias: 'champion', version: '2' });
        await c.ok('POST', '/model-versions/transition-stage', { name, version: '1', stage: 'Production', archive_existing_versions: false });
        await c.ok('POST', '/model-versions/transition-stage', { name, version: '3', stage: 'Archived', archive_existing_versions: false });
        const v = await registry.resolveModelUri(`models:/${name}/1`);
        assert.equal(v.version, 1);
        assert.equal(v.storageLocation, `${artifactUri}/model`);
        assert.equal((await registry.resolveModelUri(`models:/${name}@champion`)).version, 2);
        assert.equal((await registry.resolveModelUri(`models:/${name}/latest`)).version, 3);
        assert.equal((await registry.resolveModelUri(`models:/${name}/production`)).version, 1);
        assert.equal((await registry.resolveModelUri(`models:/${name}/None`)).version, 2);
      });

      it('says what is missing', async () => {
        const { name } = await c.modelWithVersions(1);
        await assert.rejects(registry.resolveModelUri(`models:/${name}/9`), NotFoundError);
        await assert.rejects(registry.resolveModelUri(`models:/${name}@nope`), InvalidArgumentError);
        await assert.rejects(registry.resolveModelUri('models:/no-such-model/latest'), NotFoundError);
        await assert.rejects(registry.resolveModelUri(`models:/${name}/Staging`), (e: unknown) => e instanceof NotFoundError && /No versions of model with name '.*' and stage 'Staging' found/.test(e.message));
        await assert.rejects(registry.resolveModelUri(`models:/${name}/Bogus`), /Invalid Model Version stage/);
        await assert.rejects(registry.resolveModelUri('models:/m-0123'), /names a logged model/);
      });
    });

    describe('.setDeletionGuard', () => {
      it('refuses to delete a model (or one of its versions) the guard says is in use, and allows it once released', async () => {
        const { name } = await c.modelWithVersions(2);
        const inUse = new Set<string>([name]);
        const asked: Array<{ name: string; version?: number }> = [];
        registry.setDeletionGuard(async (target) => {
          asked.push(target);
          return inUse.has(target.name) ? [`deployment 'fraud-prod' (serving ${target.name})`] : [];
        });
        try {
          const message = await c.fails('DELETE', '/registered-models/delete', { name }, 'INVALID_STATE', 400);
          assert.match(message, /Cannot delete registered model '.*': it is in use by deployment 'fraud-prod'/);
          assert.match(await c.fails('DELETE', '/model-versions/delete', { name, version: '1' }, 'INVALID_STATE'), /Cannot delete version 1/);
          await assert.rejects(registry.models.delete(name, { actor: 'test' }), ConflictError);
          assert.deepEqual(asked.slice(0, 2), [{ name }, { name, version: 1 }]);
          assert.equal((await c.ok('GET', '/registered-models/get', { name })).registered_model.name, name, 'nothing was deleted');
          assert.ok((await c.audit({ model: name })).every((e: any) => e.action !== 'delete'));
          inUse.clear();
          await c.ok('DELETE', '/model-versions/delete', { name, version: '1' });
          await c.ok('DELETE', '/registered-models/delete', { name });
        } finally {
          registry.setDeletionGuard(async () => []);
        }
      });
    });
  });
}
