import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { installErrorHandler } from '../../src/server/error-handler.js';
import { runInfoJson } from '../../src/tracking/mlflow-json.js';
import { RunStore } from '../../src/tracking/run-store.js';
import { MAX_RUN_TABLE_COLUMNS, RUN_TABLE_SEARCH_PATH, parseRunTableSearch, registerRunTableRoutes } from '../../src/tracking/run-table-routes.js';
import { RunOrderCache } from '../../src/tracking/run-order-cache.js';
import { countRuns, searchRunTable, type RunTableSearchInput } from '../../src/tracking/run-table-search.js';
import type { Database } from '../../src/backends/database/database.js';
import { describeEachDatabase } from '../helpers/test-databases.js';
import { insertExperiment, insertRun } from './search-fixtures.js';

const RUNS = 30;
/** Run i starts at 1000 + i, so the default order (newest first) is run 29, 28, …, 0. */
const runIdOf = (prefix: string) => (i: number) => `${prefix}${String(i).padStart(31, '0')}`;
const runId = runIdOf('b');

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

  /** A fresh experiment for a describe block, seeded before its tests; its runs are named `<prefix>000…i`. */
  const ownExperiment = (prefix: string, seed: (database: Database, experimentId: number, run: (i: number) => string) => Promise<void>) => {
    const scope = { e: '', run: runIdOf(prefix) };
    before(async () => {
      const database = getDatabase();
      const id = await insertExperiment(database);
      scope.e = String(id);
      await seed(database, id, scope.run);
    });
    return scope;
  };

  describe('metric aggregates', () => {
    const scope = ownExperiment('c', async (database, e, run) => {
      for (let i = 0; i < 3; i++) await insertRun(database, { experiment_id: e, run_uuid: run(i), start_time: 100 + i, metrics: { loss: 9 } });
      // History of run 0: a NaN, a negative, and two points at step 100 (the later timestamp wins); run 1 has loss at steps 0 and 1 only.
      const points = [
        { run_uuid: run(0), key: 'loss', value: -2, timestamp: 5, step: 3, is_nan: 0 },
        { run_uuid: run(0), key: 'loss', value: 0, timestamp: 6, step: 4, is_nan: 1 },
        { run_uuid: run(0), key: 'loss', value: 7, timestamp: 8, step: 100, is_nan: 0 },
        { run_uuid: run(0), key: 'loss', value: 5, timestamp: 9, step: 100, is_nan: 0 },
        { run_uuid: run(0), key: 'a@min', value: 1, timestamp: 9, step: 100, is_nan: 0 },
        { run_uuid: run(1), key: 'loss', value: 4, timestamp: 9, step: 1, is_nan: 0 },
        { run_uuid: run(2), key: 'loss', value: 0, timestamp: 9, step: 100, is_nan: 1 },
      ];
      await database.db.insertInto('metrics').values(points).execute();
    });

    it('answers min and max without NaN points, and the latest value at a step, for the window only', async () => {
      const columns = {
        metrics: ['loss'],
        params: [],
        tags: [],
        metricAggregates: [
          { key: 'loss', agg: 'min' as const },
          { key: 'loss', agg: 'max' as const },
          { key: 'loss', agg: 'step' as const, step: 100 },
          { key: 'a@min', agg: 'max' as const },
        ],
      };
      const answer = await searchRunTable(getDatabase(), input({ experimentIds: [scope.e], orderBy: ['attributes.start_time ASC'], columns }));
      const byRun = answer.runs.map((r) => ({ ...r.metric_aggregates }));
      assert.deepEqual(byRun[0], { 'loss@min': -2, 'loss@max': 9, 'loss@step=100': 5, 'a@min@max': 1 });
      assert.deepEqual(byRun[1], { 'loss@min': 4, 'loss@max': 9 });
      assert.deepEqual(byRun[2], { 'loss@min': 9, 'loss@max': 9, 'loss@step=100': 'NaN' });
      assert.equal(answer.runs[0]!.metrics.loss, 9, 'the last value is still the latest metric');
      const window = await searchRunTable(getDatabase(), input({ experimentIds: [scope.e], orderBy: ['attributes.start_time ASC'], offset: 1, limit: 1, columns }));
      assert.deepEqual({ ...window.runs[0]!.metric_aggregates }, byRun[1]);
      const none = await searchRunTable(getDatabase(), input({ experimentIds: [scope.e], limit: 1 }));
      assert.equal(none.runs[0]!.metric_aggregates, undefined);
    });

    it('is asked for over HTTP as columns.metric_aggregates', async () => {
      const res = await post({ experiment_ids: [scope.e], order_by: ['attributes.start_time ASC'], limit: 1, columns: { metric_aggregates: [{ key: 'loss', agg: 'step', step: 3 }, { key: 'loss', agg: 'step', step: 3 }] } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.runs[0].metric_aggregates, { 'loss@step=3': -2 });
    });
  });

  describe('nested runs', () => {
    const scope = ownExperiment('d', async (database, e, run) => {
      // Runs 0 and 1 are parents; 2, 3, 4 are run 0's children (4 is deleted), 5 is run 1's; 6 names a parent elsewhere.
      const parents: Record<number, string> = { 2: run(0), 3: run(0), 4: run(0), 5: run(1), 6: 'gone' };
      for (let i = 0; i < 7; i++) {
        await insertRun(database, {
          experiment_id: e,
          run_uuid: run(i),
          start_time: 100 + i,
          lifecycle_stage: i === 4 ? 'deleted' : 'active',
          params: { kind: i === 3 ? 'b' : 'a' },
          metrics: { loss: i },
          tags: parents[i] ? { 'mlflow.parentRunId': parents[i]! } : {},
        });
      }
    });
    const { run } = scope;
    const ids = (runs: Array<{ info: Json }>) => runs.map((r) => r.info.run_id);
    type Json = Record<string, unknown>;

    it('lists only top-level runs with how many children each has in the same search', async () => {
      for (const cache of [undefined, new RunOrderCache(getDatabase())]) {
        const roots = await searchRunTable(getDatabase(), input({ experimentIds: [scope.e], orderBy: ['attributes.start_time ASC'], nesting: { rootsOnly: true } }), cache);
        assert.equal(roots.total, 2);
        assert.deepEqual(ids(roots.runs), [run(0), run(1)]);
        assert.deepEqual(roots.runs.map((r) => r.child_count), [2, 1]);
      }
      const filtered = await searchRunTable(getDatabase(), input({ experimentIds: [scope.e], filter: "params.kind = 'a'", nesting: { rootsOnly: true } }));
      assert.deepEqual(filtered.runs.map((r) => [r.info.run_id, r.child_count]), [[run(1), 1], [run(0), 1]]);
      // A metric filter starts the search from the metrics index: children are counted through it too.
      const byMetric = await searchRunTable(getDatabase(), input({ experimentIds: [scope.e], filter: 'metrics.loss >= 1', orderBy: ['metrics.loss DESC'], nesting: { rootsOnly: true } }));
      assert.deepEqual(byMetric.runs.map((r) => [r.info.run_id, r.child_count]), [[run(1), 1]]);
      const children = await searchRunTable(getDatabase(), input({ experimentIds: [scope.e], filter: 'metrics.loss >= 3', orderBy: ['metrics.loss ASC'], nesting: { parentRunId: run(0) } }));
      assert.deepEqual(ids(children.runs), [run(3)]);
      const flat = await searchRunTable(getDatabase(), input({ experimentIds: [scope.e], limit: 1 }));
      assert.equal(flat.total, 6);
      assert.equal(flat.runs[0]!.child_count, undefined);
    });

    it("lists one run's children", async () => {
      const res = await post({ experiment_ids: [scope.e], parent_run_id: run(0), order_by: ['attributes.start_time ASC'] });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.total, 2);
      assert.deepEqual(ids(res.body.runs), [run(2), run(3)]);
      const all = await post({ experiment_ids: [scope.e], parent_run_id: run(0), run_view_type: 'ALL', roots_only: false });
      assert.deepEqual(ids(all.body.runs), [run(4), run(3), run(2)]);
      const none = await post({ experiment_ids: [scope.e], parent_run_id: "x' or '1'='1" });
      assert.deepEqual(none.body, { total: 0, offset: 0, runs: [] });
      const roots = await post({ experiment_ids: [scope.e], roots_only: true, limit: 1, offset: 1 });
      assert.deepEqual(roots.body.runs.map((r: Json & { info: Json }) => [r.info.run_id, r.child_count]), [[run(0), 2]]);
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
        [{ experiment_ids: [exp], columns: { metric_aggregates: { key: 'loss' } } }, /'columns\.metric_aggregates' must be a list/],
        [{ experiment_ids: [exp], columns: { metric_aggregates: ['loss'] } }, /'columns\.metric_aggregates\[0\]' must be an object/],
        [{ experiment_ids: [exp], columns: { metric_aggregates: [{ agg: 'min' }] } }, /'columns\.metric_aggregates\[0\]\.key'/],
        [{ experiment_ids: [exp], columns: { metric_aggregates: [{ key: 'loss', agg: 'avg' }] } }, /'columns\.metric_aggregates\[0\]\.agg' must be one of min, max, step/],
        [{ experiment_ids: [exp], columns: { metric_aggregates: [{ key: 'loss', agg: 'step' }] } }, /'columns\.metric_aggregates\[0\]\.step' must be an integer/],
        [{ experiment_ids: [exp], columns: { metric_aggregates: [{ key: 'loss', agg: 'step', step: 1.5 }] } }, /\.step' must be an integer/],
        [{ experiment_ids: [exp], columns: { metric_aggregates: [{ key: 'loss', agg: 'min', step: 1 }] } }, /\.step' is only for agg 'step'/],
        [{ experiment_ids: [exp], columns: { metric_aggregates: [{ key: 'loss', agg: 'min', of: 1 }] } }, /Unknown field 'columns\.metric_aggregates\[0\]\.of'/],
        [{ experiment_ids: [exp], columns: { metrics: Array.from({ length: MAX_RUN_TABLE_COLUMNS }, (_, i) => `m${i}`), metric_aggregates: [{ key: 'loss', agg: 'min' }] } }, /at most 2000/],
        [{ experiment_ids: [exp], roots_only: 'yes' }, /'roots_only' must be true or false/],
        [{ experiment_ids: [exp], parent_run_id: 5 }, /'parent_run_id' must be a run ID/],
        [{ experiment_ids: [exp], parent_run_id: '' }, /'parent_run_id'/],
        [{ experiment_ids: [exp], roots_only: true, parent_run_id: runId(1) }, /either 'roots_only' or 'parent_run_id'/],
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
