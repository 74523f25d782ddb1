import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InvalidArgumentError } from '../../src/errors.js';
import {
  parseModelVersionFilter,
  parseModelVersionOrderBy,
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
} from '../../src/registry/registry-search.js';
import { openApiHarness, type ApiHarness } from '../helpers/api-server.js';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';
import { registryClient, unique, type RegistryClient } from './registry-fixtures.js';

const PROMPT_FILTER = "tag.`mlflow.prompt.is_prompt` != 'true'";

function refuses(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof InvalidArgumentError && message.test(err.message));
}

describe('registry search grammar', () => {
  describe('parseRegisteredModelFilter', () => {
    it('parses name and tag clauses, as the MLflow 3 client sends them', () => {
      assert.deepEqual(parseRegisteredModelFilter(`name LIKE 'fraud-%' AND ${PROMPT_FILTER}`), [
        { type: 'attribute', key: 'name', comparator: 'LIKE', value: 'fraud-%' },
        { type: 'tag', key: 'mlflow.prompt.is_prompt', comparator: '!=', value: 'true' },
      ]);
      assert.deepEqual(parseRegisteredModelFilter("attribute.name = \"x\" and tags.team ILIKE 'M%'"), [
        { type: 'attribute', key: 'name', comparator: '=', value: 'x' },
        { type: 'tag', key: 'team', comparator: 'ILIKE', value: 'M%' },
      ]);
      assert.deepEqual(parseRegisteredModelFilter('  '), []);
    });

    it('refuses what MLflow refuses', () => {
      refuses(() => parseRegisteredModelFilter("description = 'x'"), /Invalid attribute key 'description'/);
      refuses(() => parseRegisteredModelFilter("params.x = 'x'"), /Invalid entity type 'params'/);
      refuses(() => parseRegisteredModelFilter('name = 3'), /Expected a quoted string value for attributes/);
      refuses(() => parseRegisteredModelFilter("name IN ('a')"), /Invalid comparator for attribute: IN/);
      refuses(() => parseRegisteredModelFilter("tags.k > 'a'"), /Invalid comparator for tag: >/);
      refuses(() => parseRegisteredModelFilter("name = 'a' OR name = 'b'"), /OR is not supported/);
    });
  });

  describe('parseModelVersionFilter', () => {
    it('parses name, run_id (also IN), source_path, version_number and tags', () => {
      assert.deepEqual(parseModelVersionFilter("name = 'm' AND run_id IN ('a', 'b') AND source_path LIKE 's3://%' AND version_number >= 2 AND tags.k != 'v'"), [
        { type: 'attribute', key: 'name', comparator: '=', value: 'm' },
        { type: 'attribute', key: 'run_id', comparator: 'IN', value: ['a', 'b'] },
        { type: 'attribute', key: 'source_path', comparator: 'LIKE', value: 's3://%' },
        { type: 'attribute', key: 'version_number', comparator: '>=', value: 2 },
        { type: 'tag', key: 'k', comparator: '!=', value: 'v' },
      ]);
      assert.deepEqual(parseModelVersionFilter("version_number = '3'"), [{ type: 'attribute', key: 'version_number', comparator: '=', value: 3 }]);
    });

    it('refuses what MLflow refuses', () => {
      refuses(() => parseModelVersionFilter("current_stage = 'None'"), /Invalid attribute key 'current_stage'/);
      refuses(() => parseModelVersionFilter("name IN ('a')"), /Invalid comparator for attribute: IN/);
      refuses(() => parseModelVersionFilter("version_number LIKE '1%'"), /Invalid comparator for attribute version_number: LIKE/);
      refuses(() => parseModelVersionFilter('name = 1'), /support comparison with numeric values/);
      refuses(() => parseModelVersionFilter("version_number = 'x'"), /Expected numeric value type/);
    });
  });

  describe('order_by', () => {
    it('orders registered models by name or last update, name breaking ties', () => {
      assert.deepEqual(parseRegisteredModelOrderBy(['timestamp DESC']), [
        { key: 'last_updated_timestamp', ascending: false },
        { key: 'name', ascending: true },
      ]);
      assert.deepEqual(parseRegisteredModelOrderBy(undefined), [{ key: 'name', ascending: true }]);
      refuses(() => parseRegisteredModelOrderBy(['creation_timestamp']), /Invalid order by key 'creation_timestamp'/);
      refuses(() => parseRegisteredModelOrderBy(['timestamp', 'last_updated_timestamp DESC']), /duplicate fields/);
    });

    it('orders versions newest change first by default, then name ASC and version DESC', () => {
      assert.deepEqual(parseModelVersionOrderBy([]), [
        { key: 'last_updated_timestamp', ascending: false },
        { key: 'name', ascending: true },
        { key: 'version_number', ascending: false },
      ]);
      assert.deepEqual(parseModelVersionOrderBy(['version_number ASC']), [
        { key: 'version_number', ascending: true },
        { key: 'name', ascending: true },
      ]);
      refuses(() => parseModelVersionOrderBy(['tags.k']), /Invalid order_by entity: tags/);
      refuses(() => parseModelVersionOrderBy(['run_id']), /Invalid order by key 'run_id'/);
    });
  });
});

for (const kind of testDatabaseKinds()) {
  describe(`registry search over HTTP (${kind.name})`, () => {
    let h: ApiHarness;
    let c: RegistryClient;
    let prefix: string;
    before(async () => {
      h = await openApiHarness(kind);
      c = registryClient(h);
      prefix = unique('srch');
      // alpha (team=ml), beta (team=ai), Gamma (no tags), a prompt, and delta (is_prompt=false).
      await c.createModel(`${prefix}-alpha`, { tags: [{ key: 'team', value: 'ml' }] });
      await c.createModel(`${prefix}-beta`, { tags: [{ key: 'team', value: 'ai' }] });
      await c.createModel(`${prefix}-Gamma`);
      await c.createModel(`${prefix}-prompt`, { tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }] });
      await c.createModel(`${prefix}-delta`, { tags: [{ key: 'mlflow.prompt.is_prompt', value: 'false' }] });
    });
    after(async () => h.close());

    async function names(filter: string, extra: Record<string, unknown> = {}): Promise<string[]> {
      const body = await c.ok('GET', '/registered-models/search', { filter, ...extra });
      return (body.registered_models ?? []).map((m: any) => m.name.slice(prefix.length + 1));
    }

    describe('registered-models/search', () => {
      it('keeps models without the prompt tag for the MLflow 3 client’s != filter, and leaves prompts out', async () => {
        assert.deepEqual(await names(`name LIKE '${prefix}-%' AND ${PROMPT_FILTER}`), ['Gamma', 'alpha', 'beta', 'delta']);
        assert.deepEqual(await names(`name LIKE '${prefix}-%'`), ['Gamma', 'alpha', 'beta', 'delta'], 'prompts are left out by default, as in MLflow 3');
        assert.deepEqual(await names(`name LIKE '${prefix}-%' AND tags.\`mlflow.prompt.is_prompt\` = 'true'`), ['prompt']);
        assert.deepEqual(await names(`name LIKE '${prefix}-%' AND tags.\`mlflow.prompt.is_prompt\` = 'false'`), ['Gamma', 'alpha', 'beta', 'delta']);
      });

      it('treats a missing tag as "not equal" for every key', async () => {
        assert.deepEqual(await names(`name LIKE '${prefix}-%' AND tags.team != 'ml'`), ['Gamma', 'beta', 'delta']);
        assert.deepEqual(await names(`name LIKE '${prefix}-%' AND tags.team = 'ml'`), ['alpha']);
        assert.deepEqual(await names(`name LIKE '${prefix}-%' AND tags.team LIKE '%i'`), ['beta']);
        assert.deepEqual(await names(`name LIKE '${prefix}-%' AND tags.team ILIKE 'M%'`), ['alpha']);
        assert.deepEqual(await names(`name LIKE '${prefix}-%' AND tags.team = 'ml' AND tags.team != 'ai'`), ['alpha']);
      });

      it('matches names exactly, with case-sensitive LIKE and case-insensitive ILIKE', async () => {
        assert.deepEqual(await names(`name = '${prefix}-alpha'`), ['alpha']);
        assert.deepEqual(await names(`name != '${prefix}-alpha' AND name LIKE '${prefix}-%'`), ['Gamma', 'beta', 'delta']);
        assert.deepEqual(await names(`name LIKE '${prefix}-g%'`), []);
        assert.deepEqual(await names(`name ILIKE '${prefix}-g%'`), ['Gamma']);
        assert.deepEqual(await names(`name LIKE '${prefix}-_eta'`), ['beta']);
      });

      it('orders by name (code point order) or last update, and pages with MLflow’s tokens', async () => {
        const filter = `name LIKE '${prefix}-%'`;
        assert.deepEqual(await names(filter, { order_by: ['name DESC'] }), ['delta', 'beta', 'alpha', 'Gamma']);
        await c.ok('PATCH', '/registered-models/update', { name: `${prefix}-beta`, description: 'touched' });
        assert.equal((await names(filter, { order_by: ['timestamp DESC'] }))[0], 'beta');
        assert.equal((await names(filter, { order_by: ['last_updated_timestamp ASC'] })).at(-1), 'beta');
        const first = await c.ok('GET', '/registered-models/search', { filter, max_results: 3 });
        assert.equal(first.registered_models.length, 3);
        assert.equal(first.next_page_token, Buffer.from('{"offset": 3}').toString('base64'));
        const second = await c.ok('GET', '/registered-models/search', { filter, max_results: 3, page_token: first.next_page_token });
        assert.equal(second.registered_models.length, 1);
        assert.equal(second.next_page_token, undefined);
        const exact = await c.ok('GET', '/registered-models/search', { filter, max_results: 4 });
        assert.equal(exact.next_page_token, undefined, 'no token when the page ends exactly');
      });

      it('refuses bad max_results, order_by, page tokens and filters', async () => {
        assert.match(await c.fails('GET', '/registered-models/search', { max_results: 1001 }, 'INVALID_PARAMETER_VALUE', 400), /at most 1000/);
        await c.fails('GET', '/registered-models/search', { max_results: 0 }, 'INVALID_PARAMETER_VALUE');
        await c.fails('GET', '/registered-models/search', { order_by: ['bogus'] }, 'INVALID_PARAMETER_VALUE');
        await c.fails('GET', '/registered-models/search', { page_token: 'not-a-token' }, 'INVALID_PARAMETER_VALUE');
        await c.fails('GET', '/registered-models/search', { filter: "name = 'a' OR name = 'b'" }, 'INVALID_PARAMETER_VALUE');
        assert.deepEqual(await c.ok('GET', '/registered-models/search', { filter: "name = 'no-such-model-anywhere'" }), {});
      });
    });

    describe('model-versions/search', () => {
      let name: string;
      let runA: string;
      let runB: string;
      before(async () => {
        name = `${prefix}-versions`;
        await c.createModel(name);
        const a = await c.buildRun();
        const b = await c.buildRun();
        runA = a.runId;
        runB = b.runId;
        await c.createVersion(name, `runs:/${runA}/model`, { tags: [{ key: 'stage', value: 'dev' }] });
        await c.createVersion(name, `runs:/${runB}/model`, { tags: [{ key: 'stage', value: 'prod' }] });
        await c.createVersion(name, 's3://bucket/third', { tags: [{ key: 'mlflow.prompt.is_prompt', value: 'false' }] });
        await c.createVersion(name, `runs:/${runA}/model`);
        await c.ok('DELETE', '/model-versions/delete', { name, version: '4' });
      });

      async function versions(filter: string, extra: Record<string, unknown> = {}): Promise<string[]> {
        const body = await c.ok('GET', '/model-versions/search', { filter, ...extra });
        return (body.model_versions ?? []).map((v: any) => v.version);
      }

      it('filters by name, run_id (= and IN), source_path, version_number and tags; deleted versions never match', async () => {
        assert.deepEqual(await versions(`name = '${name}'`, { order_by: ['version_number ASC'] }), ['1', '2', '3']);
        assert.deepEqual(await versions(`run_id = '${runA}'`), ['1']);
        assert.deepEqual(await versions(`run_id IN ('${runA}', '${runB}')`, { order_by: ['version_number'] }), ['1', '2']);
        assert.deepEqual(await versions(`name = '${name}' AND source_path LIKE 's3://%'`), ['3']);
        assert.deepEqual(await versions(`name = '${name}' AND version_number > 1`, { order_by: ['version_number ASC'] }), ['2', '3']);
        assert.deepEqual(await versions(`name = '${name}' AND version_number = 4`), []);
        assert.deepEqual(await versions(`name = '${name}' AND tags.stage = 'dev'`), ['1']);
        assert.deepEqual(await versions(`name = '${name}' AND tags.stage != 'dev'`, { order_by: ['version_number ASC'] }), ['2', '3'], 'a version without the tag is "not equal"');
        assert.deepEqual(await versions(`name LIKE '${prefix}-vers%'`, { order_by: ['version_number DESC'] }), ['3', '2', '1']);
      });

      it('orders newest change first by default, and pages', async () => {
        await c.ok('PATCH', '/model-versions/update', { name, version: '2', description: 'touched' });
        assert.equal((await versions(`name = '${name}'`))[0], '2');
        const first = await c.ok('GET', '/model-versions/search', { filter: `name = '${name}'`, max_results: 2, order_by: ['version_number ASC'] });
        assert.deepEqual(first.model_versions.map((v: any) => v.version), ['1', '2']);
        const second = await c.ok('GET', '/model-versions/search', { filter: `name = '${name}'`, max_results: 2, order_by: ['version_number ASC'], page_token: first.next_page_token });
        assert.deepEqual(second.model_versions.map((v: any) => v.version), ['3']);
      });

      it('leaves out the versions of prompts unless asked', async () => {
        const prompt = `${prefix}-p`;
        await c.createModel(prompt, { tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }] });
        await c.createVersion(prompt, 'dummy-source', { tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }] });
        assert.deepEqual(await versions(`name = '${prompt}'`), []);
        assert.deepEqual(await versions(`name = '${prompt}' AND tags.\`mlflow.prompt.is_prompt\` = 'true'`), ['1']);
      });

      it('refuses bad requests', async () => {
        assert.match(await c.fails('GET', '/model-versions/search', { max_results: 200_001 }, 'INVALID_PARAMETER_VALUE'), /at most 200000/);
        await c.fails('GET', '/model-versions/search', { filter: "stage = 'x'" }, 'INVALID_PARAMETER_VALUE');
        await c.fails('GET', '/model-versions/search', { order_by: ['run_id'] }, 'INVALID_PARAMETER_VALUE');
      });
    });
  });
}
