import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openApiHarness, type ApiHarness } from '../helpers/api-server.js';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';
import { API, registryClient, type RegistryClient } from './registry-fixtures.js';

for (const kind of testDatabaseKinds()) {
  describe(`ModelAliasService over /registered-models/alias (${kind.name})`, () => {
    let h: ApiHarness;
    let c: RegistryClient;
    before(async () => {
      h = await openApiHarness(kind);
      c = registryClient(h);
    });
    after(async () => h.close());

    describe('.set', () => {
      it('points an alias at a version, moves it, and shows it on the model and the version', async () => {
        const { name } = await c.modelWithVersions(2);
        assert.deepEqual(await c.ok('POST', '/registered-models/alias', { name, alias: 'champion', version: '1' }), {});
        let mv = (await c.ok('GET', '/registered-models/alias', { name, alias: 'champion' })).model_version;
        assert.equal(mv.version, '1');
        assert.deepEqual(mv.aliases, ['champion']);
        await c.ok('POST', '/registered-models/alias', { name, alias: 'champion', version: 2 });
        await c.ok('POST', '/registered-models/alias', { name, alias: 'also-2', version: '2' });
        mv = (await c.ok('GET', '/registered-models/alias', { name, alias: 'champion' })).model_version;
        assert.equal(mv.version, '2');
        assert.deepEqual(mv.aliases, ['also-2', 'champion']);
        assert.equal((await c.ok('GET', '/model-versions/get', { name, version: '1' })).model_version.aliases, undefined);
        const rm = (await c.ok('GET', '/registered-models/get', { name })).registered_model;
        assert.deepEqual(rm.aliases, [{ alias: 'also-2', version: '2' }, { alias: 'champion', version: '2' }]);
      });

      it('refuses reserved and malformed alias names with MLflow’s messages', async () => {
        const { name } = await c.modelWithVersions(1);
        const set = (alias: unknown) => c.fails('POST', '/registered-models/alias', { name, alias, version: '1' }, 'INVALID_PARAMETER_VALUE', 400);
        assert.equal(await set('latest'), "'latest' alias name (case insensitive) is reserved.");
        assert.equal(await set('LaTeSt'), "'latest' alias name (case insensitive) is reserved.");
        assert.equal(await set('v1'), "Version alias name 'v1' is reserved.");
        assert.equal(await set('V42'), "Version alias name 'V42' is reserved.");
        assert.equal(await set(''), 'Registered model alias name cannot be empty.');
        assert.match(await set('has space'), /Invalid alias name: 'has space'. Names may only contain alphanumerics, underscores \(_\), and dashes \(-\)\./);
        assert.match(await set('a'.repeat(256)), /exceeds the maximum length of 255/);
        await c.ok('POST', '/registered-models/alias', { name, alias: 'v1x', version: '1' });
        await c.ok('POST', '/registered-models/alias', { name, alias: 'étoile_1-b', version: '1' });
      });

      it('refuses an unknown model, an unknown or deleted version, and a non-integer version', async () => {
        const { name } = await c.modelWithVersions(2);
        await c.fails('POST', '/registered-models/alias', { name: 'no-such', alias: 'a', version: '1' }, 'RESOURCE_DOES_NOT_EXIST', 404);
        await c.fails('POST', '/registered-models/alias', { name, alias: 'a', version: '3' }, 'RESOURCE_DOES_NOT_EXIST', 404);
        await c.ok('DELETE', '/model-versions/delete', { name, version: '2' });
        await c.fails('POST', '/registered-models/alias', { name, alias: 'a', version: '2' }, 'RESOURCE_DOES_NOT_EXIST', 404);
        assert.equal(await c.fails('POST', '/registered-models/alias', { name, alias: 'a', version: 'two' }, 'INVALID_PARAMETER_VALUE'), "Parameter 'version' must be an integer, got 'two'.");
      });

      it('lets concurrent moves of one alias all commit, one at a time, each recorded with the right before', async () => {
        const { name } = await c.modelWithVersions(6);
        await c.ok('POST', '/registered-models/alias', { name, alias: 'production', version: '1' });
        const results = await Promise.all(
          [2, 3, 4, 5, 6].map((version) => h.call('POST', `${API}/registered-models/alias`, { name, alias: 'production', version: String(version) })),
        );
        for (const r of results) assert.equal(r.status, 200, JSON.stringify(r.body));
        const winner = (await c.ok('GET', '/registered-models/alias', { name, alias: 'production' })).model_version.version;
        const moves = (await c.audit({ model: name })).filter((e: any) => e.action === 'set_alias');
        assert.equal(moves.length, 6);
        // The history is a chain: each move's before is the previous move's after, and the last is the winner.
        for (let i = 1; i < moves.length; i++) assert.deepEqual(moves[i].before, moves[i - 1].after);
        assert.equal(String(moves[moves.length - 1].after.version), winner);
        assert.equal(new Set(moves.slice(1).map((m: any) => m.after.version)).size, 5);
      });
    });

    describe('.get', () => {
      it('answers an unknown alias with INVALID_PARAMETER_VALUE, as MLflow does', async () => {
        const { name } = await c.modelWithVersions(1);
        assert.equal(await c.fails('GET', '/registered-models/alias', { name, alias: 'nope' }, 'INVALID_PARAMETER_VALUE', 400), 'Registered model alias nope not found.');
        await c.fails('GET', '/registered-models/alias', { name: 'no-such', alias: 'a' }, 'RESOURCE_DOES_NOT_EXIST', 404);
      });

      it('resolves the reserved alias latest to the newest version', async () => {
        const { name } = await c.modelWithVersions(3);
        await c.ok('POST', '/model-versions/transition-stage', { name, version: '3', stage: 'Archived', archive_existing_versions: false });
        assert.equal((await c.ok('GET', '/registered-models/alias', { name, alias: 'latest' })).model_version.version, '3');
        const empty = (await c.createModel()).name;
        await c.fails('GET', '/registered-models/alias', { name: empty, alias: 'latest' }, 'RESOURCE_DOES_NOT_EXIST');
      });
    });

    describe('.delete', () => {
      it('removes an alias; a missing alias is no error; the model must exist', async () => {
        const { name } = await c.modelWithVersions(1);
        await c.ok('POST', '/registered-models/alias', { name, alias: 'a', version: '1' });
        assert.deepEqual(await c.ok('DELETE', '/registered-models/alias', { name, alias: 'a' }), {});
        await c.fails('GET', '/registered-models/alias', { name, alias: 'a' }, 'INVALID_PARAMETER_VALUE');
        await c.ok('DELETE', '/registered-models/alias', { name, alias: 'a' });
        await c.fails('DELETE', '/registered-models/alias', { name: 'no-such', alias: 'a' }, 'RESOURCE_DOES_NOT_EXIST');
        await c.fails('DELETE', '/registered-models/alias', { name, alias: 'bad alias' }, 'INVALID_PARAMETER_VALUE');
      });
    });
  });
}
