import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { InvalidArgumentError } from '../../src/errors.js';
import { buildExperimentSearchQuery, searchExperimentIds, type SearchExperimentIdsInput } from '../../src/tracking/experiment-search.js';
import { describeEachDatabase } from '../helpers/test-databases.js';
import { insertExperiment } from './search-fixtures.js';

describeEachDatabase('searchExperimentIds', (getDatabase) => {
  let e1 = '';
  let e2 = '';
  let e3 = '';
  let e4 = '';
  let e5 = '';

  before(async () => {
    const database = getDatabase();
    const insert = async (row: Parameters<typeof insertExperiment>[1]) => String(await insertExperiment(database, row));
    e1 = await insert({ name: 'fraud-detection', creation_time: 1000, last_update_time: 5000, tags: { team: 'risk', env: 'prod' } });
    e2 = await insert({ name: 'Fraud-Audit', creation_time: 2000, last_update_time: 2000, tags: { team: 'Risk' } });
    e3 = await insert({ name: 'vision_x', creation_time: 3000, last_update_time: 3000 });
    e4 = await insert({ name: 'old', creation_time: 500, last_update_time: 500, lifecycle_stage: 'deleted' });
    e5 = await insert({ name: 'tie', creation_time: 3000, last_update_time: 3000 });
  });

  const search = (input: Partial<SearchExperimentIdsInput> = {}) =>
    searchExperimentIds(getDatabase(), { viewType: 'ACTIVE_ONLY', maxResults: 100, ...input });
  const ids = async (filter?: string, input: Partial<SearchExperimentIdsInput> = {}) => (await search({ filter, ...input })).experimentIds;

  it('orders by creation_time DESC then experiment_id ASC by default', async () => {
    assert.deepEqual(await ids(), [e3, e5, e2, e1]);
  });

  it('selects lifecycle stages by view type', async () => {
    assert.deepEqual(await ids(undefined, { viewType: 'ALL' }), [e3, e5, e2, e1, e4]);
    assert.deepEqual(await ids(undefined, { viewType: 'DELETED_ONLY' }), [e4]);
  });

  describe('filters', () => {
    it('matches the name with =, !=, LIKE and ILIKE', async () => {
      assert.deepEqual(await ids("name = 'fraud-detection'"), [e1]);
      assert.deepEqual(await ids("attributes.name != 'tie'"), [e3, e2, e1]);
      assert.deepEqual(await ids("name LIKE 'fraud%'"), [e1]);
      assert.deepEqual(await ids("attribute.name ILIKE 'FRAUD%'"), [e2, e1]);
      assert.deepEqual(await ids("name LIKE 'vision\\_x'"), [e3]);
      assert.deepEqual(await ids("name LIKE 'vision%' AND name LIKE '%_x'"), [e3]);
    });

    it('compares creation and update times', async () => {
      assert.deepEqual(await ids('creation_time > 1500'), [e3, e5, e2]);
      assert.deepEqual(await ids('attributes.last_update_time >= 5000'), [e1]);
      assert.deepEqual(await ids('creation_time = 3000'), [e3, e5]);
      assert.deepEqual(await ids('creation_time < 2000.5'), [e2, e1]);
    });

    it('matches tags, needing the tag to exist for !=', async () => {
      assert.deepEqual(await ids("tags.team = 'risk'"), [e1]);
      assert.deepEqual(await ids("tags.team ILIKE 'RISK'"), [e2, e1]);
      assert.deepEqual(await ids("tags.team != 'risk'"), [e2]);
      assert.deepEqual(await ids("tags.`env` = 'prod' AND name LIKE 'fraud%'"), [e1]);
    });

    it('rejects what MLflow rejects', async () => {
      for (const filter of [
        'metrics.x > 1',
        "name IN ('a')",
        "creation_time > 'abc'",
        "name = 'a' OR name = 'b'",
        'name = 1',
        "lifecycle_stage = 'active'",
      ]) {
        await assert.rejects(ids(filter), InvalidArgumentError, filter);
      }
    });
  });

  describe('order_by', () => {
    const ordered = (orderBy: string[]) => ids(undefined, { orderBy });

    it('sorts names byte-wise', async () => {
      assert.deepEqual(await ordered(['name ASC']), [e2, e1, e5, e3]);
      assert.deepEqual(await ordered(['name DESC']), [e3, e5, e1, e2]);
    });

    it('breaks ties by experiment_id DESC unless experiment_id is named', async () => {
      assert.deepEqual(await ordered(['last_update_time DESC']), [e1, e5, e3, e2]);
      assert.deepEqual(await ordered(['creation_time ASC', 'experiment_id DESC']), [e1, e2, e5, e3]);
      assert.deepEqual(await ordered(['experiment_id']), [e1, e2, e3, e5]);
    });

    it('rejects tags, unknown keys and duplicates', async () => {
      for (const orderBy of [['tags.team'], ['metrics.x'], ['lifecycle_stage'], ['name', 'name DESC'], ['name sideways']]) {
        await assert.rejects(ordered(orderBy), InvalidArgumentError, orderBy.join());
      }
    });
  });

  it('pages with an offset token', async () => {
    const first = await search({ maxResults: 2 });
    assert.deepEqual(first.experimentIds, [e3, e5]);
    assert.ok(first.nextPageToken);
    const second = await search({ maxResults: 2, pageToken: first.nextPageToken });
    assert.deepEqual(second, { experimentIds: [e2, e1] });
    await assert.rejects(search({ pageToken: 'garbage!' }), InvalidArgumentError);
  });

  it('binds user text as parameters only', async () => {
    const marker = 'pwn3d';
    const filter = `name LIKE '%${marker}'' OR 1=1 --' AND tags.\`x" = 1; drop table experiments; --${marker}\` = 'v'`;
    const compiled = buildExperimentSearchQuery(getDatabase(), { filter, viewType: 'ALL', maxResults: 10 }).query.compile();
    assert.ok(!compiled.sql.includes(marker), compiled.sql);
    assert.ok(!/drop table/i.test(compiled.sql));
    assert.equal(compiled.parameters.filter((p) => typeof p === 'string' && p.includes(marker)).length, 2);
    assert.deepEqual(await ids(filter), []);
    assert.equal((await ids()).length, 4);
  });
});
