import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { buildServer, type FerryServer } from '../../src/server/build-server.js';
import { MetricHistoryCache, metricHistoryCache, seriesCacheBudget } from '../../src/tracking/metric-history-cache.js';
import { SERIES_PATH } from '../../src/tracking/metric-series-routes.js';
import { injectCall, type ApiHarness } from '../helpers/api-server.js';
import { seededRandom } from '../helpers/seeded-random.js';
import { testDatabaseKinds, type TestDatabaseUrl } from '../helpers/test-database-urls.js';

const steps = (c: MetricHistoryCache, run: string, key: string) => {
  const h = c.get(run, key);
  return h ? [...h.step.subarray(0, h.n)] : undefined;
};

describe('metric history cache', () => {
  it('builds the histories of runs created here from their writes, in key order, skipping identical points', () => {
    const c = new MetricHistoryCache(1 << 20);
    c.runCreated('r');
    assert.deepEqual(steps(c, 'r', 'loss'), [], 'a run created here has empty histories, not unknown ones');
    c.committed([{ runId: 'r', metrics: [2, 0, 1].map((step) => ({ key: 'loss', value: step, timestamp: 5, step })) }]);
    c.committed([{ runId: 'r', metrics: [{ key: 'loss', value: 2, timestamp: 5, step: 2 }, { key: 'loss', value: NaN, timestamp: 5, step: 3 }] }]);
    const h = c.get('r', 'loss')!;
    assert.deepEqual([...h.step.subarray(0, h.n)], [0, 1, 2, 3]);
    assert.ok(Number.isNaN(h.value[3]));
    assert.equal(c.get('other', 'loss'), undefined, 'a run not created here is unknown');
  });

  it('merges late and out-of-order points into place, identical ones once, as the database keeps them', () => {
    const c = new MetricHistoryCache(1 << 20);
    c.runCreated('r');
    const pt = (step: number, value = step) => ({ key: 'a', value, timestamp: 1, step });
    c.committed([{ runId: 'r', metrics: [pt(10), pt(20), pt(30)] }]);
    c.committed([{ runId: 'r', metrics: [pt(25), pt(5), pt(20), pt(40), pt(20, NaN)] }]);
    assert.deepEqual(steps(c, 'r', 'a'), [5, 10, 20, 20, 25, 30, 40]);
    const h = c.get('r', 'a')!;
    assert.ok(Number.isNaN(h.value[2]), 'NaN is stored as value 0, so it sorts before 20 at the same step and timestamp');
    assert.equal(h.value[3], 20);
    c.committed([{ runId: 'r', metrics: Array.from({ length: 200 }, (_, i) => pt(199 - i)) }]);
    assert.equal(c.get('r', 'a')!.n, 201, 'steps 0..199 once each (5, 10, … already there are not doubled), plus the NaN at 20');
  });

  it('refuses a history read while the run was written, and appends later writes to a stored one', () => {
    const c = new MetricHistoryCache(1 << 20);
    const read = { n: 2, step: Float64Array.of(0, 1), time: Float64Array.of(0, 0), value: Float64Array.of(1, 2) };
    const g = c.generation('r');
    c.committed([{ runId: 'r', metrics: [{ key: 'loss', value: 3, timestamp: 0, step: 2 }] }]);
    c.put('r', 'loss', read, g);
    assert.equal(c.get('r', 'loss'), undefined, 'the read may have missed the write');
    c.put('r', 'loss', read, c.generation('r'));
    c.committed([{ runId: 'r', metrics: [{ key: 'loss', value: 3, timestamp: 0, step: 2 }] }]);
    assert.deepEqual(steps(c, 'r', 'loss'), [0, 1, 2]);
  });

  it('keeps within its memory budget, least recently used out first', () => {
    const c = new MetricHistoryCache(4 * (1000 * 24 + 256));
    const h = () => ({ n: 1000, step: new Float64Array(1000), time: new Float64Array(1000), value: new Float64Array(1000) });
    for (const run of ['a', 'b', 'c', 'd']) c.put(run, 'k', h(), 0);
    c.get('a', 'k');
    c.put('e', 'k', h(), 0);
    assert.ok(c.get('a', 'k'), 'recently read stays');
    assert.equal(c.get('b', 'k'), undefined, 'least recently used went');
    assert.ok(c.size.bytes <= 4 * (1000 * 24 + 256));
  });

  it('holds at most 20,000 histories however small, so the garbage collector never walks millions', () => {
    const c = new MetricHistoryCache(1 << 30);
    const one = () => ({ n: 1, step: Float64Array.of(0), time: Float64Array.of(0), value: Float64Array.of(0) });
    for (let i = 0; i < 20_050; i++) c.put(`r${i}`, 'k', one(), 0);
    assert.equal(c.size.entries, 20_000);
    assert.equal(c.get('r0', 'k'), undefined, 'oldest out');
    assert.ok(c.get('r20049', 'k'));
    // A long history outlives newer short ones: it is the one worth keeping.
    const long = { n: 5000, step: new Float64Array(5000), time: new Float64Array(5000), value: new Float64Array(5000) };
    c.put('long', 'k', long, 0);
    for (let i = 0; i < 20_050; i++) c.put(`s${i}`, 'k', one(), 0);
    // Also when one write brings thousands of new keys at once (the long history is now the oldest).
    c.runCreated('wide');
    c.committed([{ runId: 'wide', metrics: Array.from({ length: 3000 }, (_, i) => ({ key: `m${i}`, value: 1, timestamp: 1, step: 0 })) }]);
    assert.equal(c.get('long', 'k')?.n, 5000);
    assert.equal(c.size.entries, 20_000);
  });

  it('empties itself when another connection has written', () => {
    let token = 1;
    const c = new MetricHistoryCache(1 << 20, () => token);
    c.put('r', 'k', { n: 1, step: Float64Array.of(0), time: Float64Array.of(0), value: Float64Array.of(0) }, 0);
    assert.ok(c.get('r', 'k'));
    token = 2;
    assert.equal(c.get('r', 'k'), undefined);
  });

  it('reads FERRY_SERIES_CACHE_MB, 0 turning it off', () => {
    assert.equal(seriesCacheBudget({}), 256 * 1024 * 1024);
    assert.equal(seriesCacheBudget({ FERRY_SERIES_CACHE_MB: '0' }), 0);
    assert.throws(() => seriesCacheBudget({ FERRY_SERIES_CACHE_MB: 'lots' }), /FERRY_SERIES_CACHE_MB/);
    const off = new MetricHistoryCache(0);
    off.runCreated('r');
    assert.equal(off.get('r', 'k'), undefined);
  });
});

/**
 * Charts served from memory must equal charts read cold from the database,
 * whatever order, duplicates and NaNs the points came in, and must see points
 * written by another server on the same database.
 */
for (const kind of testDatabaseKinds()) {
  describe(`metric series from the history cache (${kind.name})`, () => {
    let db: TestDatabaseUrl;
    const homes: string[] = [];
    const apps: FerryServer[] = [];
    let warm: ApiHarness['call'];
    let run: string;
    const rand = seededRandom(7);

    const server = async () => {
      const home = await mkdtemp(join(tmpdir(), 'ferry-series-cache-'));
      homes.push(home);
      const app = await buildServer(loadConfig({ home, databaseUrl: db.url, logLevel: 'silent' }), { logger: false });
      await app.ready();
      apps.push(app);
      return injectCall(app);
    };
    const point = (step: number) => ({ key: 'loss', value: rand.chance(0.02) ? 'NaN' : rand.next() * 10, timestamp: 1000 + rand.int(0, 3), step });

    before(async () => {
      db = await kind.create();
      if (kind.name === 'sqlite') {
        // Two servers need one database file (the default test SQLite is in memory, one per connection).
        const dir = await mkdtemp(join(tmpdir(), 'ferry-series-cache-db-'));
        homes.push(dir);
        db = { url: `sqlite:${join(dir, 'ferry.db')}`, cleanup: async () => undefined };
      }
      warm = await server();
      run = (await warm('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0', start_time: 1 })).body.run.info.run_id as string;
      // In order, then a batch out of order, re-sent points, single points through the group-commit path.
      for (let start = 0; start < 4000; start += 500) {
        const metrics = Array.from({ length: 500 }, (_, i) => point(start + i));
        if (start === 2000) metrics.reverse();
        assert.equal((await warm('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: run, metrics })).status, 200);
        if (start === 1000) assert.equal((await warm('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: run, metrics: metrics.slice(0, 50) })).status, 200);
      }
      for (const step of [4000, 4001, 17, 4002]) {
        const p = point(step);
        assert.equal((await warm('POST', '/api/2.0/mlflow/runs/log-metric', { run_id: run, ...p, value: p.value === 'NaN' ? 1 : p.value })).status, 200);
      }
    });

    after(async () => {
      for (const app of apps) await app.close();
      await db?.cleanup();
      for (const home of homes) await rm(home, { recursive: true, force: true });
    });

    const queries = [
      { buckets: 100 },
      { buckets: 5000 },
      { buckets: 50, min_step: 1000, max_step: 2999 },
      { buckets: 100, after_step: 3990 },
      { buckets: 100, smoothing: 'ema', smoothing_weight: 0.9 },
      { buckets: 100, x: 'relative' },
    ];

    it('answers exactly what a cold read of the database answers', async () => {
      const cold = await server();
      for (const q of queries) {
        const a = await warm('GET', SERIES_PATH, { run_id: run, key: 'loss', ...q });
        const b = await cold('GET', SERIES_PATH, { run_id: run, key: 'loss', ...q });
        assert.equal(a.status, 200, JSON.stringify(a.body));
        assert.deepEqual(a.body, b.body, JSON.stringify(q));
      }
      const full = await warm('GET', SERIES_PATH, { run_id: run, key: 'loss', buckets: 10_000 });
      // 4,003 steps; step 17 twice (a second point at another timestamp or value).
      assert.equal(full.body.series[0].x.length, 4004, 'every distinct point once');
      assert.ok(full.body.series[0].last.some((v: number | null) => v === null), 'NaNs answered as null');
    });

    it('serves a run logged in order to this server from memory, equal to the database', async () => {
      const app = apps[0]!;
      const id = (await warm('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0', start_time: 1 })).body.run.info.run_id as string;
      for (let start = 0; start < 3000; start += 300) {
        const metrics = Array.from({ length: 300 }, (_, i) => point(start + i)).sort(() => rand.next() - 0.5);
        assert.equal((await warm('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: id, metrics })).status, 200);
      }
      const cache = metricHistoryCache(app.services.database);
      assert.equal(cache.get(id, 'loss')?.n, 3000, 'built from the writes alone');
      const cold = await server();
      for (const q of queries) {
        const a = await warm('GET', SERIES_PATH, { run_id: id, key: 'loss', ...q });
        assert.deepEqual(a.body, (await cold('GET', SERIES_PATH, { run_id: id, key: 'loss', ...q })).body, JSON.stringify(q));
      }
    });

    it('reads a history whole in the background after answering a cold chart from SQL, then answers the same from memory', async () => {
      const cold = await server();
      const coldApp = apps.at(-1)!;
      const cache = metricHistoryCache(coldApp.services.database);
      const q = { run_id: run, key: 'loss', buckets: 100 };
      const first = await cold('GET', SERIES_PATH, q);
      assert.equal(first.status, 200);
      for (let i = 0; i < 100 && !cache.get(run, 'loss'); i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(cache.get(run, 'loss')?.n, 4004, 'held after the background read');
      assert.deepEqual((await cold('GET', SERIES_PATH, q)).body, first.body);
    });

    it('sees points another server wrote to the same database', async () => {
      const before = await warm('GET', SERIES_PATH, { run_id: run, key: 'loss', buckets: 10_000 });
      const other = await server();
      assert.equal((await other('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: run, metrics: [{ key: 'loss', value: 123, timestamp: 5000, step: 9000 }] })).status, 200);
      const afterWrite = await warm('GET', SERIES_PATH, { run_id: run, key: 'loss', buckets: 10_000 });
      assert.equal(afterWrite.body.series[0].x.length, before.body.series[0].x.length + 1);
      assert.equal(afterWrite.body.series[0].last_step, 9000);
      assert.equal(afterWrite.body.series[0].last.at(-1), 123);
    });
  });
}
