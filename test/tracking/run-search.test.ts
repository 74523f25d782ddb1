import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { InvalidArgumentError } from '../../src/errors.js';
import { buildRunSearchQuery, likeToEscapedLike, likeToGlob, searchRunIds, type SearchRunIdsInput } from '../../src/tracking/run-search.js';
import { createPageToken } from '../../src/tracking/search-filter.js';
import { describeEachDatabase } from '../helpers/test-databases.js';
import { insertExperiment, insertRun } from './search-fixtures.js';

// Run ids sort r1 < r2 < … so run_uuid tie-breaks are predictable.
const r1 = 'a1000000000000000000000000000001';
const r2 = 'a2000000000000000000000000000002';
const r3 = 'a3000000000000000000000000000003';
const r4 = 'a4000000000000000000000000000004';
const r5 = 'a5000000000000000000000000000005';
const r6 = 'a6000000000000000000000000000006';

describe('likeToGlob', () => {
  it('maps wildcards and brackets GLOB metacharacters', () => {
    assert.equal(likeToGlob('a%b_c'), 'a*b?c');
    assert.equal(likeToGlob('*?[x]'), '[*][?][[]x]');
    assert.equal(likeToGlob('50\\%\\_'), '50%_');
  });
});

describe('likeToEscapedLike', () => {
  it('keeps wildcards and escapes literal %, _ and backslash', () => {
    assert.equal(likeToEscapedLike('a%b_c'), 'a%b_c');
    assert.equal(likeToEscapedLike('50\\%'), '50\\%');
    assert.equal(likeToEscapedLike('a\\\\b'), 'a\\\\b');
    assert.equal(likeToEscapedLike('end\\'), 'end\\\\');
  });
});

describeEachDatabase('searchRunIds', (getDatabase) => {
  let exp1 = '';
  let exp2 = '';

  before(async () => {
    const database = getDatabase();
    const e1 = await insertExperiment(database);
    const e2 = await insertExperiment(database);
    exp1 = String(e1);
    exp2 = String(e2);
    await insertRun(database, {
      experiment_id: e1,
      run_uuid: r1,
      name: 'alpha',
      user_id: 'alice',
      status: 'FINISHED',
      start_time: 1000,
      end_time: 2000,
      metrics: { acc: 0.9, loss: 0.1 },
      params: { lr: '0.1', model: 'cnn' },
      tags: { team: 'Vision', 'my key': 'v1', note: 'café ☕', glob: 'aZZb' },
      datasets: [{ name: 'mnist', digest: 'd1', context: 'training' }],
    });
    await insertRun(database, {
      experiment_id: e1,
      run_uuid: r2,
      name: 'beta',
      user_id: 'bob',
      status: 'RUNNING',
      start_time: 2000,
      end_time: null,
      metrics: { acc: 0.5, loss: Number.NaN },
      params: { lr: '0.01', model: 'rnn' },
      tags: { team: 'vision', glob: 'a*b[c]?' },
      datasets: [{ name: 'cifar', digest: 'd2', context: 'eval' }],
    });
    await insertRun(database, {
      experiment_id: e1,
      run_uuid: r3,
      name: 'Gamma_1',
      user_id: 'alice',
      status: 'FAILED',
      start_time: 3000,
      end_time: 3500,
      metrics: { acc: Number.NaN },
      params: { lr: '0.1' },
      tags: { quote: "it's" },
    });
    await insertRun(database, {
      experiment_id: e1,
      run_uuid: r4,
      name: 'delta%x',
      user_id: 'carol',
      status: 'FINISHED',
      start_time: 3000,
      end_time: 4000,
      tags: { team: 'audio' },
    });
    await insertRun(database, { experiment_id: e1, run_uuid: r5, name: 'gone', start_time: 500, lifecycle_stage: 'deleted', metrics: { acc: 0.99 } });
    await insertRun(database, { experiment_id: e2, run_uuid: r6, name: 'other', start_time: 1500, metrics: { acc: 0.95 } });
  });

  const search = async (input: Partial<SearchRunIdsInput> = {}) =>
    searchRunIds(getDatabase(), { experimentIds: [exp1], viewType: 'ACTIVE_ONLY', maxResults: 100, ...input });
  const ids = async (filter?: string, input: Partial<SearchRunIdsInput> = {}) => (await search({ filter, ...input })).runIds;

  describe('scope', () => {
    it('orders by start_time DESC then run id by default', async () => {
      assert.deepEqual(await ids(), [r3, r4, r2, r1]);
    });

    it('searches several experiments at once', async () => {
      assert.deepEqual(await ids(undefined, { experimentIds: [exp1, exp2] }), [r3, r4, r2, r6, r1]);
    });

    it('selects lifecycle stages by view type', async () => {
      assert.deepEqual(await ids(undefined, { viewType: 'DELETED_ONLY' }), [r5]);
      assert.deepEqual(await ids(undefined, { viewType: 'ALL' }), [r3, r4, r2, r1, r5]);
    });

    it('returns nothing for no experiments and rejects a non-numeric experiment id', async () => {
      assert.deepEqual(await ids(undefined, { experimentIds: [] }), []);
      await assert.rejects(search({ experimentIds: ["1 OR 1=1"] }), InvalidArgumentError);
    });
  });

  describe('metric filters', () => {
    it('compares the latest value', async () => {
      assert.deepEqual(await ids('metrics.acc > 0.6'), [r1]);
      assert.deepEqual(await ids('metrics.acc >= 0.5 AND metric.acc <= 0.9'), [r2, r1]);
      assert.deepEqual(await ids('metrics.acc > 0.6', { experimentIds: [exp1, exp2] }), [r6, r1]);
    });

    it('lets NaN match only !=, and never a run without the metric', async () => {
      assert.deepEqual(await ids('metrics.acc != 0.9'), [r3, r2]);
      assert.deepEqual(await ids('metrics.loss < 1'), [r1]);
      assert.deepEqual(await ids('metrics.loss = 0'), []);
      assert.deepEqual(await ids('metrics.acc < 1e999'), [r2, r1]);
    });

    it('accepts a backquoted key', async () => {
      assert.deepEqual(await ids('metrics.`acc` = 0.5'), [r2]);
    });
  });

  describe('param and tag filters', () => {
    it('compares values case-sensitively with = and LIKE', async () => {
      assert.deepEqual(await ids("params.lr = '0.1'"), [r3, r1]);
      assert.deepEqual(await ids("params.model LIKE 'c%'"), [r1]);
      assert.deepEqual(await ids("params.model LIKE 'C%'"), []);
      assert.deepEqual(await ids("tags.team = 'vision'"), [r2]);
      assert.deepEqual(await ids("tags.team LIKE 'V%'"), [r1]);
    });

    it('compares case-insensitively with ILIKE', async () => {
      assert.deepEqual(await ids("params.model ILIKE 'C%'"), [r1]);
      assert.deepEqual(await ids("tags.team ILIKE 'VISION'"), [r2, r1]);
    });

    it('needs the key to exist for != and NOT IN, as MLflow does', async () => {
      assert.deepEqual(await ids("params.lr != '0.1'"), [r2]);
      assert.deepEqual(await ids("tags.team != 'audio'"), [r2, r1]);
      assert.deepEqual(await ids("params.lr NOT IN ('0.1')"), [r2]);
    });

    it('matches IN lists', async () => {
      assert.deepEqual(await ids("params.lr IN ('0.01', '0.1')"), [r3, r2, r1]);
      assert.deepEqual(await ids("tags.team in ('audio', 'Vision')"), [r4, r1]);
    });

    it('treats GLOB metacharacters and escaped wildcards literally', async () => {
      assert.deepEqual(await ids("tags.glob LIKE 'a*b[c]?'"), [r2]);
      assert.deepEqual(await ids("tags.glob LIKE 'a*%'"), [r2]);
      assert.deepEqual(await ids("tags.glob LIKE 'a_b%'"), [r2]);
      assert.deepEqual(await ids('tags.glob = "a*b[c]?"'), [r2]);
      assert.deepEqual(await ids("tags.glob ILIKE 'A%B'"), [r1]);
    });

    it('handles quoted keys, quotes inside values and unicode', async () => {
      assert.deepEqual(await ids("tags.`my key` = 'v1'"), [r1]);
      assert.deepEqual(await ids('tags."my key" = \'v1\''), [r1]);
      assert.deepEqual(await ids("tags.quote = 'it''s'"), [r3]);
      assert.deepEqual(await ids('tags.quote = "it\'s"'), [r3]);
      assert.deepEqual(await ids("tags.quote = 'it\\'s'"), [r3]);
      assert.deepEqual(await ids("tags.note = 'café ☕'"), [r1]);
      assert.deepEqual(await ids("tags.note LIKE 'caf_ _'"), [r1]);
    });
  });

  describe('attribute filters', () => {
    it('compares string attributes', async () => {
      assert.deepEqual(await ids("attributes.status = 'FINISHED'"), [r4, r1]);
      assert.deepEqual(await ids("status IN ('FINISHED', 'FAILED')"), [r3, r4, r1]);
      assert.deepEqual(await ids("attr.status NOT IN ('FINISHED')"), [r3, r2]);
      assert.deepEqual(await ids("attributes.user_id = 'alice'"), [r3, r1]);
      assert.deepEqual(await ids(`attributes.run_id IN ('${r1}', '${r2}')`), [r2, r1]);
      assert.deepEqual(await ids(`run.run_id = '${r4}'`), [r4]);
      assert.deepEqual(await ids(`attributes.artifact_uri LIKE '%${r1}%'`), [r1]);
    });

    it('matches run names with LIKE, ILIKE and the Run name alias', async () => {
      assert.deepEqual(await ids("attributes.run_name = 'alpha'"), [r1]);
      assert.deepEqual(await ids("attributes.`Run name` = 'beta'"), [r2]);
      assert.deepEqual(await ids("attributes.run_name LIKE 'delta\\%x'"), [r4]);
      assert.deepEqual(await ids("attributes.run_name LIKE 'Gamma__'"), [r3]);
      assert.deepEqual(await ids("attributes.run_name LIKE 'gamma%'"), []);
      assert.deepEqual(await ids("attributes.run_name ILIKE 'gamma%'"), [r3]);
      assert.deepEqual(await ids("attributes.run_name ILIKE 'DELTA\\%X'"), [r4]);
      assert.deepEqual(await ids("attributes.run_name ILIKE 'DELTA\\%'"), []);
    });

    it('compares numeric attributes, skipping a missing end_time', async () => {
      assert.deepEqual(await ids('attributes.start_time > 1500'), [r3, r4, r2]);
      assert.deepEqual(await ids('attributes.created >= 3000'), [r3, r4]);
      assert.deepEqual(await ids('end_time > 1000'), [r3, r4, r1]);
      assert.deepEqual(await ids('attributes.end_time != 2000'), [r3, r4]);
      assert.deepEqual(await ids('attributes.start_time > 1500.5'), [r3, r4, r2]);
      assert.deepEqual(await ids('attributes.start_time < 99999999999999999999'), [r3, r4, r2, r1]);
      assert.deepEqual(await ids('attributes.start_time > -1'), [r3, r4, r2, r1]);
    });
  });

  describe('dataset filters', () => {
    it('matches a run that has some dataset input matching', async () => {
      assert.deepEqual(await ids("datasets.name = 'mnist'"), [r1]);
      assert.deepEqual(await ids("datasets.name IN ('mnist', 'cifar')"), [r2, r1]);
      assert.deepEqual(await ids("dataset.digest = 'd2'"), [r2]);
      assert.deepEqual(await ids("datasets.name != 'mnist'"), [r2]);
      assert.deepEqual(await ids("datasets.name NOT IN ('cifar')"), [r1]);
    });

    it('matches the mlflow.data.context input tag', async () => {
      assert.deepEqual(await ids("datasets.context = 'training'"), [r1]);
      assert.deepEqual(await ids("datasets.context LIKE 'ev%'"), [r2]);
    });
  });

  it('ANDs clauses of every kind', async () => {
    const filter =
      "metrics.acc > 0.4 AND params.model = 'cnn' AND tags.team ILIKE 'vision' and attributes.status = 'FINISHED' AND datasets.name = 'mnist'";
    assert.deepEqual(await ids(filter), [r1]);
  });

  describe('order_by', () => {
    const ordered = (orderBy: string[]) => ids(undefined, { orderBy });

    it('sorts by a metric with NaN after numbers and missing values last, either way', async () => {
      assert.deepEqual(await ordered(['metrics.acc DESC']), [r1, r2, r3, r4]);
      assert.deepEqual(await ordered(['metrics.`acc` ASC']), [r2, r1, r3, r4]);
    });

    it('sorts by a param or tag with missing values last and byte-wise text order', async () => {
      assert.deepEqual(await ordered(['params.lr']), [r2, r3, r1, r4]);
      assert.deepEqual(await ordered(['params.lr DESC']), [r3, r1, r2, r4]);
      assert.deepEqual(await ordered(['tags.team ASC']), [r1, r4, r2, r3]);
    });

    it('sorts by attributes with a missing end_time last', async () => {
      assert.deepEqual(await ordered(['attributes.end_time ASC']), [r1, r3, r4, r2]);
      assert.deepEqual(await ordered(['attributes.end_time DESC']), [r4, r3, r1, r2]);
      assert.deepEqual(await ordered(['start_time']), [r1, r2, r3, r4]);
      assert.deepEqual(await ordered(['created desc']), [r3, r4, r2, r1]);
      assert.deepEqual(await ordered(['attributes.run_name']), [r3, r1, r2, r4]);
    });

    it('applies several fields in order', async () => {
      assert.deepEqual(await ordered(['params.lr DESC', 'metrics.acc ASC']), [r1, r3, r2, r4]);
    });

    it('rejects a field named twice', async () => {
      await assert.rejects(ordered(['metrics.acc', 'metrics.`acc` DESC']), InvalidArgumentError);
      await assert.rejects(ordered(['start_time', 'created DESC']), InvalidArgumentError);
    });
  });

  describe('pagination', () => {
    it('pages with an offset token and no token after the last row', async () => {
      const first = await search({ maxResults: 2 });
      assert.deepEqual(first.runIds, [r3, r4]);
      assert.equal(first.nextPageToken, createPageToken(2));
      assert.equal(Buffer.from(first.nextPageToken ?? '', 'base64').toString(), '{"offset": 2}');
      const second = await search({ maxResults: 2, pageToken: first.nextPageToken });
      assert.deepEqual(second, { runIds: [r2, r1] });
    });

    it('keeps the order across pages', async () => {
      const first = await search({ maxResults: 3, orderBy: ['metrics.acc DESC'] });
      assert.deepEqual(first.runIds, [r1, r2, r3]);
      const second = await search({ maxResults: 3, orderBy: ['metrics.acc DESC'], pageToken: first.nextPageToken });
      assert.deepEqual(second, { runIds: [r4] });
    });

    it('rejects a bad token and a bad max_results', async () => {
      for (const pageToken of ['not base64!', Buffer.from('hello').toString('base64'), Buffer.from('{"offset": -1}').toString('base64')]) {
        await assert.rejects(search({ pageToken }), InvalidArgumentError);
      }
      await assert.rejects(search({ maxResults: 0 }), InvalidArgumentError);
      await assert.rejects(search({ maxResults: 50_001 }), InvalidArgumentError);
    });
  });

  describe('injection', () => {
    const marker = 'pwn3d';
    const attacks = [
      `params.lr = '0.1''; DROP TABLE runs; -- ${marker}'`,
      `metrics.\`acc" OR 1=1; -- ${marker}\` > 0`,
      `tags."x') OR ('1'='1 ${marker}" = 'y'`,
      `attributes.run_id IN ('a', 'b) OR 1=1 -- ${marker}')`,
      `datasets.name LIKE '%${marker}'' OR ''1''=''1'`,
      `params.a ILIKE '${marker}\\' OR 1=1 --'`,
    ];

    it('binds user text as parameters only', () => {
      for (const filter of attacks) {
        const compiled = buildRunSearchQuery(getDatabase(), {
          experimentIds: [exp1],
          viewType: 'ALL',
          maxResults: 10,
          filter,
          orderBy: [`tags.\`${marker}" desc; drop table runs\` DESC`],
        }).query.compile();
        assert.ok(!compiled.sql.includes(marker), `SQL holds user text for ${filter}: ${compiled.sql}`);
        assert.ok(!/drop table/i.test(compiled.sql));
        assert.ok(compiled.parameters.some((p) => typeof p === 'string' && p.includes(marker)), filter);
      }
    });

    it('runs hostile filters harmlessly', async () => {
      for (const filter of attacks) assert.deepEqual(await ids(filter), [], filter);
      assert.deepEqual(await ids(), [r3, r4, r2, r1]);
    });
  });

  it('rejects a bad filter with InvalidArgumentError', async () => {
    for (const filter of ["metrics.acc > 'x'", "params.lr = 1", "params.lr = '1' OR params.lr = '2'", 'metrics.acc > 1; DROP TABLE runs']) {
      await assert.rejects(ids(filter), InvalidArgumentError, filter);
    }
  });
});

describeEachDatabase('searchRunIds driven by the ranking metric', (getDatabase) => {
  let exp = '';
  let other = '';
  // acc per run; null = metric missing; NaN stored as is_nan. Ties on 0.8 break by start_time DESC, then run id.
  const fixtures: Array<{ id: string; acc: number | null; start: number; stage?: string }> = [
    { id: 'b1000000000000000000000000000001', acc: 0.8, start: 10 },
    { id: 'b2000000000000000000000000000002', acc: 0.95, start: 20 },
    { id: 'b3000000000000000000000000000003', acc: 0.8, start: 30 },
    { id: 'b4000000000000000000000000000004', acc: Number.NaN, start: 40 },
    { id: 'b5000000000000000000000000000005', acc: null, start: 50 },
    { id: 'b6000000000000000000000000000006', acc: 0.3, start: 60 },
    { id: 'b7000000000000000000000000000007', acc: 0.99, start: 70, stage: 'deleted' },
    { id: 'b8000000000000000000000000000008', acc: 0.8, start: 30 },
  ];

  before(async () => {
    const database = getDatabase();
    exp = String(await insertExperiment(database));
    other = String(await insertExperiment(database));
    for (const f of fixtures) {
      await insertRun(database, {
        experiment_id: Number(exp),
        run_uuid: f.id,
        start_time: f.start,
        lifecycle_stage: f.stage ?? 'active',
        metrics: f.acc === null ? {} : { acc: f.acc },
      });
    }
    // Same metric in another experiment must not leak in.
    await insertRun(database, { experiment_id: Number(other), run_uuid: 'c1000000000000000000000000000001', start_time: 1, metrics: { acc: 0.97 } });
  });

  /** The expected order computed independently: matching, active, by acc then start_time DESC then id. */
  function expected(keep: (acc: number) => boolean, ascending: boolean): string[] {
    return fixtures
      .filter((f) => (f.stage ?? 'active') === 'active' && f.acc !== null && !Number.isNaN(f.acc) && keep(f.acc))
      .sort((a, b) => (a.acc! !== b.acc! ? (ascending ? a.acc! - b.acc! : b.acc! - a.acc!) : b.start !== a.start ? b.start - a.start : a.id < b.id ? -1 : 1))
      .map((f) => f.id);
  }

  const cases: Array<[string, string, (acc: number) => boolean, boolean]> = [
    ['metrics.acc > 0.5', 'metrics.acc DESC', (a) => a > 0.5, false],
    ['metrics.acc >= 0.8', 'metrics.acc ASC', (a) => a >= 0.8, true],
    ['metrics.acc < 0.9', 'metrics.acc DESC', (a) => a < 0.9, false],
    ['metrics.acc = 0.8', 'metrics.acc', (a) => a === 0.8, true],
  ];
  for (const [filter, order, keep, ascending] of cases) {
    it(`${filter} ordered by ${order} matches the unindexed semantics`, async () => {
      const { runIds } = await searchRunIds(getDatabase(), { experimentIds: [exp], filter, orderBy: [order], viewType: 'ACTIVE_ONLY', maxResults: 100 });
      assert.deepEqual(runIds, expected(keep, ascending));
    });
  }

  it('pages through a driven search without gaps or repeats', async () => {
    const all: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await searchRunIds(getDatabase(), { experimentIds: [exp], filter: 'metrics.acc > 0', orderBy: ['metrics.acc DESC'], viewType: 'ACTIVE_ONLY', maxResults: 2, pageToken });
      all.push(...page.runIds);
      pageToken = page.nextPageToken;
    } while (pageToken);
    assert.deepEqual(all, expected((a) => a > 0, false));
  });

  it('starts from the metric index only when the filter pins the ranking metric', () => {
    const driven = buildRunSearchQuery(getDatabase(), { experimentIds: [exp], filter: 'metrics.acc > 0.5', orderBy: ['metrics.acc DESC'], viewType: 'ACTIVE_ONLY', maxResults: 10 });
    assert.match(driven.query.compile().sql, /from "latest_metrics" as "o0"/);
    const notDriven = buildRunSearchQuery(getDatabase(), { experimentIds: [exp], filter: 'metrics.acc != 0.5', orderBy: ['metrics.acc DESC'], viewType: 'ACTIVE_ONLY', maxResults: 10 });
    assert.match(notDriven.query.compile().sql, /from "runs" as "r"/);
  });
});
