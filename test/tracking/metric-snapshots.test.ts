import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { buildServer, type FerryServer } from '../../src/server/build-server.js';
import { metricHistoryCache, type MetricHistory } from '../../src/tracking/metric-history-cache.js';
import { SERIES_PATH } from '../../src/tracking/metric-series-routes.js';
import { BLOCK_SIZE, decodeHistory, encodeHistory, metricSnapshots, MIN_SNAPSHOT_POINTS } from '../../src/tracking/metric-snapshots.js';
import { injectCall, type ApiHarness } from '../helpers/api-server.js';
import { seededRandom } from '../helpers/seeded-random.js';
import { testDatabaseKinds, type TestDatabaseUrl } from '../helpers/test-database-urls.js';

const history = (step: number[], time: number[], value: number[]): MetricHistory => ({
  n: step.length,
  step: Float64Array.from(step),
  time: Float64Array.from(time),
  value: Float64Array.from(value),
});

const plain = (h: MetricHistory) => ({ step: [...h.step.subarray(0, h.n)], time: [...h.time.subarray(0, h.n)], value: [...h.value.subarray(0, h.n)] });

describe('metric snapshot encoding', () => {
  const rand = seededRandom(3);
  const cases: Array<[string, MetricHistory]> = [
    ['empty', history([], [], [])],
    ['one point', history([7], [1_700_000_000_123], [0.5])],
    ['even steps, ms apart (odd length)', history([0, 2, 4, 6, 8], [10, 11, 13, 12, 20], [1, NaN, -0, Infinity, -Infinity])],
    ['uneven steps', history([0, 1, 1, 5, 1e15], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5])],
    ['timestamps too far apart for 32 bits', history([0, 1, 2], [0, 2 ** 40, 2 ** 40 + 1], [1, 2, 3])],
    ['fractional timestamps', history([0, 1], [0.5, 1.25], [1, 2])],
    ['a long training loop', history(Array.from({ length: 10_001 }, (_, i) => i), Array.from({ length: 10_001 }, (_, i) => 1_700_000_000_000 + i * 37 + rand.int(0, 5)), Array.from({ length: 10_001 }, () => rand.next()))],
  ];
  for (const [name, h] of cases) {
    it(`round-trips ${name} exactly`, () => {
      const data = encodeHistory(h);
      assert.deepEqual(plain(decodeHistory(data, h.n)!), plain(h));
      // A driver may hand back bytes at any offset: unaligned ones are copied, not misread.
      const shifted = new Uint8Array(data.byteLength + 1).subarray(1);
      shifted.set(data);
      assert.deepEqual(plain(decodeHistory(shifted, h.n)!), plain(h));
    });
  }

  it('packs a training loop in a little over half the bytes of three float64 columns', () => {
    const h = cases.at(-1)![1];
    // 8 bytes of value, 4 of timestamp delta, 1 of block extremes per point.
    assert.ok(encodeHistory(h).byteLength <= h.n * 13 + 64, `${encodeHistory(h).byteLength} bytes`);
  });

  it('stores the extremes of every full block of values, skipping NaN', () => {
    const value = Array.from({ length: 2 * BLOCK_SIZE + 3 }, (_, i) => (i < BLOCK_SIZE ? NaN : i === BLOCK_SIZE + 2 ? -5 : i === BLOCK_SIZE + 7 ? Infinity : i));
    const h = history(value.map((_, i) => i), value.map((_, i) => i), value);
    const blocks = decodeHistory(encodeHistory(h), h.n)!.blocks!;
    assert.equal(blocks.size, BLOCK_SIZE);
    assert.deepEqual([...blocks.min], [Infinity, -5], 'an all-NaN block has no extremes; the partial last block is not stored');
    assert.deepEqual([...blocks.max], [-Infinity, Infinity]);
  });

  it('builds evenly spaced steps and packed timestamps only when they are read', () => {
    const h = decodeHistory(encodeHistory(cases.at(-1)![1]), 10_001)!;
    assert.deepEqual(h.evenSteps, { first: 0, stride: 1 });
    assert.equal(h.step[10_000], 10_000);
    assert.equal(h.time[0], cases.at(-1)![1].time[0]);
  });

  it('reads snapshots written before block extremes, including one step repeated', () => {
    // That format: flags (1 = evenly spaced steps, 2 = int32 timestamp deltas), first step, stride, first time, values, deltas.
    const old = (stepFirst: number, stride: number, values: number[], time0: number, deltas: number[]) => {
      const words = new Float64Array(4 + values.length + Math.ceil(values.length / 2));
      words.set([3, stepFirst, stride, time0, ...values]);
      new Int32Array(words.buffer, (4 + values.length) * 8, values.length).set([0, ...deltas]);
      return new Uint8Array(words.buffer, 0, (4 + values.length) * 8 + 4 * values.length);
    };
    assert.deepEqual(plain(decodeHistory(old(10, 5, [1, 2, 3], 100, [7, -2]), 3)!), { step: [10, 15, 20], time: [100, 107, 105], value: [1, 2, 3] });
    const repeated = decodeHistory(old(0, 0, [1, 2], 100, [1]), 2)!;
    assert.equal(repeated.evenSteps, undefined);
    assert.deepEqual(plain(repeated), { step: [0, 0], time: [100, 101], value: [1, 2] });
  });

  it('refuses a blob that does not hold the stated number of points', () => {
    const data = encodeHistory(cases[2]![1]);
    assert.equal(decodeHistory(data, 4), undefined);
    assert.equal(decodeHistory(data.subarray(0, 8), 5), undefined);
  });
});

/**
 * Snapshots make charts read after a restart cheap; they must never make them
 * wrong: a snapshot answers exactly what the metrics table answers, and any
 * write to its (run, key) removes it in the same transaction.
 */
for (const kind of testDatabaseKinds()) {
  describe(`metric snapshots (${kind.name})`, () => {
    let db: TestDatabaseUrl;
    const homes: string[] = [];
    const apps: FerryServer[] = [];
    let first: ApiHarness['call'];
    let run: string;
    const N = MIN_SNAPSHOT_POINTS + 2000;
    const rand = seededRandom(11);

    const server = async () => {
      const home = await mkdtemp(join(tmpdir(), 'ferry-snapshots-'));
      homes.push(home);
      const app = await buildServer(loadConfig({ home, databaseUrl: db.url, logLevel: 'silent' }), { logger: false });
      await app.ready();
      apps.push(app);
      return { call: injectCall(app), app };
    };
    const snapshotRows = async (app: FerryServer) =>
      (await app.services.database.db.selectFrom('metric_snapshots').select(['run_uuid', 'key', 'n']).where('run_uuid', '=', run).orderBy('key').execute()).map((r) => [r.key, Number(r.n)]);

    before(async () => {
      db = await kind.create();
      if (kind.name === 'sqlite') {
        const dir = await mkdtemp(join(tmpdir(), 'ferry-snapshots-db-'));
        homes.push(dir);
        db = { url: `sqlite:${join(dir, 'ferry.db')}`, cleanup: async () => undefined };
      }
      first = (await server()).call;
      run = (await first('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0', start_time: 1 })).body.run.info.run_id as string;
      for (let start = 0; start < N; start += 500) {
        // Scattered NaN, and a stretch of them as long as several stored blocks.
        const metrics = Array.from({ length: 500 }, (_, i) => ({ key: 'loss', value: rand.chance(0.01) || (start + i >= 5000 && start + i < 5100) ? 'NaN' : rand.next(), timestamp: 1_700_000_000_000 + (start + i) * 40, step: start + i }));
        metrics.push({ key: 'acc', value: rand.next(), timestamp: 1, step: start });
        assert.equal((await first('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: run, metrics })).status, 200);
      }
    });

    after(async () => {
      for (const app of apps) await app.close();
      await db?.cleanup();
      for (const home of homes) await rm(home, { recursive: true, force: true });
    });

    // Buckets of many stored blocks, of about one, of parts of two; ranges that start and end inside blocks; one over the NaN stretch.
    const queries = [
      { buckets: 700 },
      { buckets: 10_000 },
      { buckets: 1 },
      { buckets: 97 },
      { buckets: 50, min_step: 3000, max_step: 9000 },
      { buckets: 37, min_step: 1234, max_step: 11_111 },
      { buckets: 20, min_step: 4901, max_step: 5299 },
      { buckets: 300, x: 'time' },
      { buckets: 100, smoothing: 'ema' },
    ];

    it('writes snapshots of the long histories of a run when it ends, not of short ones', async () => {
      const app = apps[0]!;
      assert.deepEqual(await snapshotRows(app), [], 'none while the run logs');
      assert.equal((await first('POST', '/api/2.0/mlflow/runs/update', { run_id: run, status: 'FINISHED', end_time: 2 })).status, 200);
      await metricSnapshots(app.services.database).idle();
      assert.deepEqual(await snapshotRows(app), [['loss', N]]);
    });

    it('answers a restarted server from the snapshot exactly as the metrics table does', async () => {
      const expected = await Promise.all(queries.map(async (q) => (await first('GET', SERIES_PATH, { run_id: run, key: 'loss', ...q })).body));
      const { call, app } = await server();
      const snap = await metricSnapshots(app.services.database).read([run], 'loss');
      assert.equal(snap.get(run)?.n, N, 'the restarted server finds the snapshot');
      for (const [i, q] of queries.entries()) assert.deepEqual((await call('GET', SERIES_PATH, { run_id: run, key: 'loss', ...q })).body, expected[i], JSON.stringify(q));
      assert.equal(metricHistoryCache(app.services.database).get(run, 'loss')?.n, N, 'held in memory after the first chart');
      // The raw points equal MLflow's own history endpoint, point for point.
      const raw = (await call('GET', SERIES_PATH, { run_id: run, key: 'loss', buckets: 10_000 })).body.series[0];
      const hist = (await call('GET', '/api/2.0/mlflow/metrics/get-history', { run_id: run, metric_key: 'loss', max_results: 25_000 })).body.metrics;
      assert.deepEqual(raw.x, hist.map((m: { step: number }) => m.step));
      assert.deepEqual(raw.last, hist.map((m: { value: number | string }) => (m.value === 'NaN' ? null : m.value)));
    });

    it('answers from a snapshot of unevenly stepped points (gaps, repeated steps) exactly as the metrics table does', async () => {
      const uneven = (await first('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0', start_time: 1 })).body.run.info.run_id as string;
      // Steps skip every seventh and repeat every 500th (two points at one step); a stretch of NaN spans several blocks.
      for (let start = 0; start < N; start += 1000) {
        const metrics = Array.from({ length: 1000 }, (_, i) => {
          const n = start + i;
          return { key: 'loss', value: n >= 3000 && n < 3090 ? 'NaN' : rand.next() * 10 - 5, timestamp: 1_700_000_000_000 + n, step: n + Math.floor(n / 7) - (n % 500 === 1 ? 1 : 0) };
        });
        assert.equal((await first('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: uneven, metrics })).status, 200);
      }
      assert.equal((await first('POST', '/api/2.0/mlflow/runs/update', { run_id: uneven, status: 'FINISHED', end_time: 3 })).status, 200);
      await metricSnapshots(apps[0]!.services.database).idle();
      const qs = [{ buckets: 700 }, { buckets: 61 }, { buckets: 29, min_step: 2000, max_step: 9001 }, { buckets: 7, min_step: 3400, max_step: 3600 }];
      const expected = await Promise.all(qs.map(async (q) => (await first('GET', SERIES_PATH, { run_id: uneven, key: 'loss', ...q })).body));
      const { call, app } = await server();
      const snap = (await metricSnapshots(app.services.database).read([uneven], 'loss')).get(uneven);
      assert.equal(snap?.n, N);
      assert.equal(snap?.evenSteps, undefined, 'steps stored as they are');
      assert.ok(snap?.blocks, 'with block extremes');
      for (const [i, q] of qs.entries()) assert.deepEqual((await call('GET', SERIES_PATH, { run_id: uneven, key: 'loss', ...q })).body, expected[i], JSON.stringify(q));
      // The history this server unpacked from the snapshot takes new points, a late one (merged into place), then one after the last step.
      const writes = [
        { value: -99, timestamp: 5, step: 5 },
        { value: 99, timestamp: 2_000_000_000_000, step: 99_999 },
      ];
      for (const [w, point] of writes.entries()) {
        assert.equal((await call('POST', '/api/2.0/mlflow/runs/log-metric', { run_id: uneven, key: 'loss', ...point })).status, 200);
        const { call: fresh } = await server();
        for (const q of [...qs, { buckets: 10_000 }]) {
          const held = (await call('GET', SERIES_PATH, { run_id: uneven, key: 'loss', ...q })).body;
          assert.deepEqual(held, (await fresh('GET', SERIES_PATH, { run_id: uneven, key: 'loss', ...q })).body, `after write ${w}: ${JSON.stringify(q)}`);
        }
      }
      assert.equal((await call('GET', SERIES_PATH, { run_id: uneven, key: 'loss', buckets: 10_000 })).body.series[0].x.length, N + 2);
    });

    it('answers points logged after its history came from a snapshot of evenly spaced steps', async () => {
      const even = (await first('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0', start_time: 1 })).body.run.info.run_id as string;
      for (let start = 0; start < MIN_SNAPSHOT_POINTS; start += 1000) {
        const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: 'loss', value: Math.sin(start + i), timestamp: 1_700_000_000_000 + start + i, step: 2 * (start + i) }));
        assert.equal((await first('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: even, metrics })).status, 200);
      }
      assert.equal((await first('POST', '/api/2.0/mlflow/runs/update', { run_id: even, status: 'FINISHED', end_time: 3 })).status, 200);
      await metricSnapshots(apps[0]!.services.database).idle();
      const { call } = await server();
      assert.equal((await call('GET', SERIES_PATH, { run_id: even, key: 'loss', buckets: 300 })).status, 200);
      // Off the progression: a held copy still describing steps as first + i·stride would misplace it.
      assert.equal((await call('POST', '/api/2.0/mlflow/runs/log-metric', { run_id: even, key: 'loss', value: 7, timestamp: 2_000_000_000_000, step: 30_001 })).status, 200);
      const { call: fresh } = await server();
      for (const q of [{ buckets: 300 }, { buckets: 10_000 }, { buckets: 10, min_step: 19_990, max_step: 30_001 }]) {
        const held = (await call('GET', SERIES_PATH, { run_id: even, key: 'loss', ...q })).body;
        assert.deepEqual(held, (await fresh('GET', SERIES_PATH, { run_id: even, key: 'loss', ...q })).body, JSON.stringify(q));
        assert.equal(held.series[0].last_step, 30_001);
      }
    });

    it('drops a snapshot in the transaction of any write to its run and key, and only then', async () => {
      const { call, app } = await server();
      assert.equal((await call('POST', '/api/2.0/mlflow/runs/log-metric', { run_id: run, key: 'acc', value: 1, timestamp: 3, step: 99_999 })).status, 200);
      assert.deepEqual(await snapshotRows(app), [['loss', N]], 'another key of the run leaves it');
      // A late point, in the middle of the history: a count-and-last-step check alone could not see it.
      assert.equal((await call('POST', '/api/2.0/mlflow/runs/log-metric', { run_id: run, key: 'loss', value: 42, timestamp: 5, step: 17 })).status, 200);
      assert.deepEqual(await snapshotRows(app), [], 'gone with the write');
      const { call: restarted } = await server();
      const series = (await restarted('GET', SERIES_PATH, { run_id: run, key: 'loss', buckets: 10_000 })).body.series[0];
      assert.equal(series.x.length, N + 1);
      assert.ok(series.x.some((x: number, i: number) => x === 17 && series.last[i] === 42), 'the late point is in the chart');
    });

    it('writes a snapshot only of a copy that matches the stored history', async () => {
      const { app } = await server();
      // The restarted server of the test before read the history whole in the background and persists it.
      for (let i = 0; i < 200 && (await snapshotRows(app)).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      const before = await snapshotRows(app);
      assert.deepEqual(before, [['loss', N + 1]]);
      const snapshots = metricSnapshots(app.services.database);
      const cache = metricHistoryCache(app.services.database);
      const stale = { n: N, step: Float64Array.from({ length: N }, (_, i) => i), time: new Float64Array(N), value: new Float64Array(N) };
      cache.put(run, 'loss', stale, cache.generation(run));
      assert.equal(await snapshots.write(run, 'loss'), false, 'the stored history has one point more');
      assert.deepEqual(await snapshotRows(app), before, 'nothing written');
    });

    it('is deleted with its run', async () => {
      const { app } = await server();
      assert.deepEqual(await snapshotRows(app), [['loss', N + 1]]);
      await app.services.database.db.deleteFrom('runs').where('run_uuid', '=', run).execute();
      assert.deepEqual(await snapshotRows(app), []);
    });
  });
}
