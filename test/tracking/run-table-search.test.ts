import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { installErrorHandler } from '../../src/server/error-handler.js';
import { runInfoJson } from '../../src/tracking/mlflow-json.js';
import { RunStore } from '../../src/tracking/run-store.js';
import { MAX_RUN_TABLE_COLUMNS, RUN_TABLE_SEARCH_PATH, parseRunTableSearch, registerRunTableRoutes } from '../../src/tracking/run-table-routes.js';
import { RunOrderCache } from '../../src/tracking/run-order-cache.js';
import { countRuns, searchRunTable, type RunTableSearchInput } from '../../src/tracking/run-table-search.js';
import { describeEachDatabase } from '../helpers/test-databases.js';
import { insertExperiment, insertRun } from './search-fixtures.js';

const RUNS = 30;
/** Run i starts at 1000 + i, so the default order (newest first) is run 29, 28, …, 0. */
const runId = (i: number) => `b${String(i).padStart(31, '0')}`;

function input(overrides: Partial<RunTableSearchInput> & { experimentIds: string[] }): RunTableSearchInput {
  return { orderBy: [], viewType: 'ACTIVE_ONLY', offset: 0, limit: 100, columns: { metrics: [], params: [], tags: [] }, ...overrides };
}

describeEachDatabase('searchRunTable', (getDatabase, databaseName) => {
  let exp = '';
  let app: FastifyInstance;
  const post = async (body: unknown) => {
    const res = await app.inject({ method: 'POST', url: RUN_TABLE_SEARCH_PATH, payload: body as object });
    return { status: res.statusCode, body: res.json() };
  };

  before(async () => {
    const database = getDatabase();
    const e = await insertExperiment(database);
    exp = String(e);
    const other = await insertExperiment(database);
    for (let i = 0; i < RUNS; i++) {
      await insertRun(database, {
        experiment_id: e,
        run_uuid: runId(i),
        name: `run-${i}`,
        start_time: 1000 + i,
        // Run 5 never logged `acc`; run 7's is NaN.
        metrics: { loss: i / 10, ...(i === 5 ? {} : { acc: i === 7 ? NaN : 1 - i / 100 }), other: i },
        // A computed key: a literal `__proto__:` would set the prototype instead of a property.
        params: { lr: String(i % 3), opt: i % 2 ? 'adam' : 'sgd', ['__proto__']: 'not a prototype' },
        tags: { team: 'vision', note: `n${i}` },
      });
    }
    await insertRun(database, { experiment_id: e, run_uuid: runId(99), name: 'deleted', start_time: 5000, lifecycle_stage: 'deleted' });
    await insertRun(database, { experiment_id: other, run_uuid: runId(98), name: 'elsewhere', start_time: 6000 });
    app = Fastify();
    installErrorHandler(app);
    registerRunTableRoutes(app, database);
    await app.ready();
  });

  it('answers the total and a window in the default order, newest first', async () => {
    const answer = await searchRunTable(getDatabase(), input({ experimentIds: [exp], offset: 4, limit: 3 }));
    assert.equal(answer.total, RUNS);
    assert.equal(answer.offset, 4);
    assert.deepEqual(
      answer.runs.map((r) => r.info.run_id),
      [25, 24, 23].map(runId),
    );
  });

  it('gives run info exactly as runs/search does', async () => {
    const database = getDatabase();
    const [run] = (await searchRunTable(database, input({ experimentIds: [exp], limit: 1 }))).runs;
    assert.deepEqual(run!.info, runInfoJson((await new RunStore(database).getInfo(runId(29)))!));
  });

  it('returns only the chosen metric, param and tag columns', async () => {
    const answer = await searchRunTable(getDatabase(), input({ experimentIds: [exp], limit: 2, columns: { metrics: ['loss', 'acc', 'missing'], params: ['lr', '__proto__'], tags: ['team'] } }));
    const [first] = answer.runs;
    assert.deepEqual({ ...first!.metrics }, { loss: 2.9, acc: 0.71 });
    assert.deepEqual(Object.entries(first!.params).sort(), [['__proto__', 'not a prototype'], ['lr', '2']]);
    assert.equal(Object.getPrototypeOf(first!.params), null, 'a key named __proto__ stays data');
    assert.deepEqual({ ...first!.tags }, { team: 'vision' });
    const none = await searchRunTable(getDatabase(), input({ experimentIds: [exp], limit: 1 }));
    assert.deepEqual(none.runs[0]!.metrics, {});
    assert.deepEqual(none.runs[0]!.params, {});
    assert.deepEqual(none.runs[0]!.tags, {});
  });

  it('counts and pages the runs that match the filter', async () => {
    const answer = await searchRunTable(getDatabase(), input({ experimentIds: [exp], filter: "params.opt = 'adam' and metrics.loss > 1", limit: 5, columns: { metrics: ['loss'], params: ['opt'], tags: [] } }));
    // Odd runs with loss > 1: 11, 13, …, 29.
    assert.equal(answer.total, 10);
    assert.deepEqual(
      answer.runs.map((r) => r.info.run_id),
      [29, 27, 25, 23, 21].map(runId),
    );
    assert.ok(answer.runs.every((r) => r.params.opt === 'adam' && (r.metrics.loss as number) > 1));
  });

  it('orders by a metric with NaN, then missing, last, and windows join up into the whole order', async () => {
    const all = await searchRunTable(getDatabase(), input({ experimentIds: [exp], orderBy: ['metrics.acc DESC'], limit: RUNS }));
    const order = all.runs.map((r) => r.info.run_id);
    assert.deepEqual(order.slice(0, 3), [0, 1, 2].map(runId));
    assert.deepEqual(order.slice(-2), [7, 5].map(runId));
    const windows = [];
    for (let offset = 0; offset < RUNS; offset += 7) {
      windows.push(...(await searchRunTable(getDatabase(), input({ experimentIds: [exp], orderBy: ['metrics.acc DESC'], offset, limit: 7 }))).runs.map((r) => r.info.run_id));
    }
    assert.deepEqual(windows, order);
    const nan = await searchRunTable(getDatabase(), input({ experimentIds: [exp], filter: `attributes.run_id = '${runId(7)}'`, columns: { metrics: ['acc'], params: [], tags: [] } }));
    assert.equal(nan.runs[0]!.metrics.acc, 'NaN');
  });

  it('answers an offset past the end with no runs and the total', async () => {
    const answer = await searchRunTable(getDatabase(), input({ experimentIds: [exp], offset: 1000 }));
    assert.deepEqual(answer, { total: RUNS, offset: 1000, runs: [] });
  });

  it('counts deleted runs only when asked for them', async () => {
    assert.equal(await countRuns(getDatabase(), input({ experimentIds: [exp] })), RUNS);
    assert.equal(await countRuns(getDatabase(), input({ experimentIds: [exp], viewType: 'ALL' })), RUNS + 1);
  });

  describe('with a kept run order', () => {
    it('answers the same windows as without it', async () => {
      const cache = new RunOrderCache(getDatabase());
      for (const orderBy of [['metrics.acc DESC'], ['params.lr ASC', 'metrics.loss DESC'], []]) {
        for (const offset of [0, 7, 1200]) {
          const q = input({ experimentIds: [exp], orderBy, offset, limit: 9, columns: { metrics: ['loss'], params: ['lr'], tags: [] } });
          assert.deepEqual(await searchRunTable(getDatabase(), q, cache), await searchRunTable(getDatabase(), q), `${orderBy} at ${offset}`);
        }
      }
    });

    it('keeps the order only while the database is unchanged, on SQLite only', async () => {
      const database = getDatabase();
      const e = String(await insertExperiment(database));
      const query = { experimentIds: [e], orderBy: ['metrics.loss ASC'], viewType: 'ACTIVE_ONLY' as const };
      await insertRun(database, { experiment_id: Number(e), run_uuid: runId(50), metrics: { loss: 2 } });
      const cache = new RunOrderCache(database);
      assert.deepEqual(await cache.load(query), databaseName === 'sqlite' ? [runId(50)] : undefined);
      assert.deepEqual(await cache.get(query), databaseName === 'sqlite' ? [runId(50)] : undefined);
      // A new run ranks first: the next window must show it, never the kept order.
      await insertRun(database, { experiment_id: Number(e), run_uuid: runId(51), metrics: { loss: 1 } });
      assert.equal(await cache.get(query), undefined);
      const window = await searchRunTable(database, input({ experimentIds: [e], orderBy: query.orderBy }), cache);
      assert.equal(window.total, 2);
      assert.deepEqual(
        window.runs.map((r) => r.info.run_id),
        [runId(51), runId(50)],
      );
      await database.db.updateTable('latest_metrics').set({ value: 3 }).where('run_uuid', '=', runId(51)).execute();
      const reordered = await searchRunTable(database, input({ experimentIds: [e], orderBy: query.orderBy, offset: 1, limit: 1 }), cache);
      assert.deepEqual(
        reordered.runs.map((r) => r.info.run_id),
        [runId(51)],
      );
    });
  });

  describe(`POST ${RUN_TABLE_SEARCH_PATH}`, () => {
    it('answers a window with the chosen columns', async () => {
      const res = await post({ experiment_ids: [exp], order_by: ['metrics.loss ASC'], offset: 1, limit: 2, columns: { metrics: ['loss'] } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.total, RUNS);
      assert.equal(res.body.offset, 1);
      assert.deepEqual(
        res.body.runs.map((r: { info: { run_id: string }; metrics: object }) => [r.info.run_id, r.metrics]),
        [
          [runId(1), { loss: 0.1 }],
          [runId(2), { loss: 0.2 }],
        ],
      );
      assert.deepEqual(res.body.runs[0].params, {});
    });

    it('rejects bad requests with a message naming the field', async () => {
      const cases: Array<[unknown, RegExp]> = [
        [{}, /'experiment_ids' must list at least one/],
        [{ experiment_ids: '1' }, /'experiment_ids' must be a list of strings/],
        [{ experiment_ids: [exp], limit: 0 }, /'limit' must be an integer from 1 to 1000/],
        [{ experiment_ids: [exp], limit: 1001 }, /'limit'/],
        [{ experiment_ids: [exp], offset: -1 }, /'offset' must be an integer from 0/],
        [{ experiment_ids: [exp], offset: 1.5 }, /'offset'/],
        [{ experiment_ids: [exp], offset: '10' }, /'offset'/],
        [{ experiment_ids: [exp], columns: ['loss'] }, /'columns' must be an object/],
        [{ experiment_ids: [exp], columns: { metric: ['loss'] } }, /'columns\.metric'/],
        [{ experiment_ids: [exp], columns: { params: [1] } }, /'columns\.params' must be a list of strings/],
        [{ experiment_ids: [exp], columns: { metrics: Array.from({ length: MAX_RUN_TABLE_COLUMNS + 1 }, (_, i) => `m${i}`) } }, /at most 2000/],
        [{ experiment_ids: [exp], order_by: 'metrics.loss' }, /'order_by' must be a list of strings/],
        [{ experiment_ids: [exp], filter: 3 }, /'filter' must be a string/],
        [{ experiment_ids: [exp], page_token: 'x' }, /Unknown field 'page_token'/],
        [{ experiment_ids: [exp], filter: 'metrics.loss <<< 1' }, /./],
        [{ experiment_ids: ['abc'] }, /experiment ID 'abc'/],
        [{ experiment_ids: [exp], order_by: ['metrics.loss SIDEWAYS'] }, /./],
      ];
      for (const [body, message] of cases) {
        const res = await post(body);
        assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 80)} → ${res.status}`);
        assert.equal(res.body.error.code, 'INVALID_ARGUMENT');
        assert.match(res.body.error.message, message, JSON.stringify(body).slice(0, 80));
      }
    });
  });
});

describe('parseRunTableSearch', () => {
  it('fills defaults and drops repeated keys', () => {
    assert.deepEqual(parseRunTableSearch({ experiment_ids: ['1'], columns: { metrics: ['a', 'a', 'b'] } }), {
      experimentIds: ['1'],
      filter: undefined,
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 100,
      columns: { metrics: ['a', 'b'], params: [], tags: [] },
    });
  });
});
