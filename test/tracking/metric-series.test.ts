import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { buildServer, type FerryServer } from '../../src/server/build-server.js';
import { SERIES_PATH } from '../../src/tracking/metric-series-routes.js';
import { injectCall, type ApiHarness } from '../helpers/api-server.js';
import { testDatabaseKinds, type TestDatabaseUrl } from '../helpers/test-database-urls.js';

const LONG_STEPS = 5000;
const SPIKE_STEP = 2345;
const SPIKE = 100;

/** A smooth curve in [0, 1] with one spike: what bucketing must not lose. */
function longValue(step: number): number {
  return step === SPIKE_STEP ? SPIKE : 0.5 + 0.5 * Math.sin(step / 200);
}

for (const kind of testDatabaseKinds()) {
  describe(`metric series endpoint (${kind.name})`, () => {
    let app: FerryServer;
    let call: ApiHarness['call'];
    let home: string;
    let db: TestDatabaseUrl;
    let longRun: string;
    let shortRun: string;

    before(async () => {
      home = await mkdtemp(join(tmpdir(), 'ferry-series-'));
      db = await kind.create();
      app = await buildServer(loadConfig({ home, databaseUrl: db.url, logLevel: 'silent' }), { logger: false });
      await app.ready();
      call = injectCall(app);
      const create = async () => (await call('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0', start_time: 1 })).body.run.info.run_id as string;
      longRun = await create();
      shortRun = await create();
      for (let start = 0; start < LONG_STEPS; start += 1000) {
        const metrics = [];
        for (let step = start; step < start + 1000; step++) metrics.push({ key: 'loss', value: longValue(step), timestamp: 1000, step });
        const res = await call('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: longRun, metrics });
        assert.equal(res.status, 200, JSON.stringify(res.body));
      }
      // Two points at step 10 of the short run: the later timestamp is its last value.
      const short = Array.from({ length: 50 }, (_, i) => ({ key: 'loss', value: i, timestamp: 1000, step: i * 2 }));
      short.push({ key: 'loss', value: -7, timestamp: 2000, step: 10 });
      assert.equal((await call('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: shortRun, metrics: short })).status, 200);
    });

    after(async () => {
      await app?.close();
      await db?.cleanup();
      await rm(home, { recursive: true, force: true });
    });

    it('keeps a single spike through bucketing, with right min, max and last per bucket', async () => {
      const buckets = 100;
      const res = await call('GET', SERIES_PATH, { run_id: longRun, key: 'loss', buckets });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.min_step, 0);
      assert.equal(res.body.max_step, LONG_STEPS - 1);
      const [s] = res.body.series;
      assert.equal(s.bucketed, true);
      assert.equal(s.x.length, buckets);
      const width = LONG_STEPS / buckets;
      for (let b = 0; b < buckets; b++) {
        const steps = Array.from({ length: width }, (_, i) => b * width + i);
        const vals = steps.map(longValue);
        assert.equal(s.x[b], b * width);
        assert.ok(Math.abs(s.min[b] - Math.min(...vals)) < 1e-12, `min of bucket ${b}`);
        assert.ok(Math.abs(s.max[b] - Math.max(...vals)) < 1e-12, `max of bucket ${b}`);
        assert.ok(Math.abs(s.last[b] - longValue(steps.at(-1)!)) < 1e-12, `last of bucket ${b}`);
      }
      const spiky = s.max.filter((v: number) => v === SPIKE);
      assert.equal(spiky.length, 1, 'exactly one bucket holds the spike');
      assert.equal(s.max.indexOf(SPIKE), Math.floor(SPIKE_STEP / width));
    });

    it('buckets a zoomed range on a grid shared by every run and serves raw points for short ones', async () => {
      const res = await call('GET', SERIES_PATH, { run_id: [longRun, shortRun], key: 'loss', buckets: 10, min_step: 0, max_step: 99 });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.bucket_width, 10);
      const [long, short] = res.body.series;
      assert.equal(long.run_id, longRun);
      assert.deepEqual(long.x, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
      assert.ok(Math.abs(long.last[0] - longValue(9)) < 1e-12);
      // 51 points in range, more than 10 buckets: bucketed too, on the same grid.
      assert.equal(short.bucketed, true);
      assert.deepEqual(short.x, long.x);
      assert.equal(short.min[1], -7);
      assert.equal(short.max[1], 9);
      assert.equal(short.last[1], 9, 'last is the value at the highest step of the bucket');

      const raw = await call('GET', SERIES_PATH, { run_id: shortRun, key: 'loss', buckets: 1000 });
      const [r] = raw.body.series;
      assert.equal(r.bucketed, false);
      assert.equal(r.x.length, 51);
      const at10 = r.x.map((x: number, i: number) => (x === 10 ? r.last[i] : undefined)).filter((v: unknown) => v !== undefined);
      assert.deepEqual(at10, [5, -7], 'both points of step 10, in timestamp order');
    });

    it('answers an empty series for a metric a run never logged', async () => {
      const res = await call('GET', SERIES_PATH, { run_id: longRun, key: 'nope' });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.series, [{ run_id: longRun, key: 'nope', bucketed: true, x: [], last: [], min: [], max: [], last_step: null }]);
    });

    it('rejects bad requests with a message saying what to fix', async () => {
      const noRun = await call('GET', SERIES_PATH, { key: 'loss' });
      assert.equal(noRun.status, 400);
      assert.match(noRun.body.error.message, /run_id/);
      const badBuckets = await call('GET', SERIES_PATH, { run_id: longRun, key: 'loss', buckets: 0 });
      assert.equal(badBuckets.status, 400);
      assert.match(badBuckets.body.error.message, /buckets/);
      const badRange = await call('GET', SERIES_PATH, { run_id: longRun, key: 'loss', min_step: 5, max_step: 1 });
      assert.equal(badRange.status, 400);
      const missing = await call('GET', SERIES_PATH, { run_id: 'doesnotexist', key: 'loss' });
      assert.equal(missing.status, 404);
      assert.match(missing.body.error.message, /doesnotexist/);
    });
    /** A run with `values` at steps 0, 1, … and the given timestamps; its id. */
    async function smallRun(values: Array<number | 'NaN'>, times: number[]): Promise<string> {
      const id = (await call('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0', start_time: 1 })).body.run.info.run_id as string;
      const metrics = values.map((value, step) => ({ key: 'acc', value, timestamp: times[step], step }));
      assert.equal((await call('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: id, metrics })).status, 200);
      return id;
    }
    const close = (actual: Array<number | null>, expected: Array<number | null>) => {
      assert.equal(actual.length, expected.length, `${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`);
      actual.forEach((a, i) => (expected[i] === null ? assert.equal(a, null) : assert.ok(Math.abs(a! - expected[i]!) < 1e-12, `[${i}] ${a} ≠ ${expected[i]}`)));
    };

    it('serves time and relative-time x-axes', async () => {
      const id = await smallRun([1, 2, 3, 4], [5000, 5500, 9000, 7000]);
      const time = (await call('GET', SERIES_PATH, { run_id: id, key: 'acc', x: 'time' })).body;
      assert.equal(time.x_axis, 'time');
      // Ordered by time: step 3 (t=7000) comes before step 2 (t=9000).
      assert.deepEqual(time.series[0].x, [5000, 5500, 7000, 9000]);
      assert.deepEqual(time.series[0].last, [1, 2, 4, 3]);
      assert.deepEqual([time.min_step, time.max_step], [5000, 9000]);
      const rel = (await call('GET', SERIES_PATH, { run_id: id, key: 'acc', x: 'relative', min_step: 400, max_step: 2000 })).body;
      assert.deepEqual(rel.series[0].x, [500, 2000]);
      assert.deepEqual(rel.series[0].last, [2, 4]);
      // Up to two points per bucket come back raw; one bucket for four points buckets them.
      assert.equal((await call('GET', SERIES_PATH, { run_id: id, key: 'acc', x: 'relative', buckets: 2 })).body.series[0].bucketed, false);
      const bucketed = (await call('GET', SERIES_PATH, { run_id: id, key: 'acc', x: 'relative', buckets: 1 })).body.series[0];
      assert.equal(bucketed.bucketed, true);
      assert.deepEqual(bucketed.x, [0]);
      assert.deepEqual([bucketed.last, bucketed.min, bucketed.max], [[3], [1], [4]]);
    });

    it('smooths with TensorBoard debiased EMA, running average and Gaussian before bucketing', async () => {
      const id = await smallRun([1, 2, 'NaN', 4, 8], [1, 2, 3, 4, 5]);
      const ema = (await call('GET', SERIES_PATH, { run_id: id, key: 'acc', smoothing: 'ema', smoothing_weight: 0.5 })).body;
      assert.deepEqual(ema.smoothing, { method: 'ema', weight: 0.5 });
      // last: 0.5, 1.25, (NaN kept), 2.625, 5.3125; debiased by 1 - 0.5^n: 1, 5/3, null, 3, 5.666…
      close(ema.series[0].last, [1, 1.25 / 0.75, null, 2.625 / 0.875, 5.3125 / 0.9375]);
      const running = (await call('GET', SERIES_PATH, { run_id: id, key: 'acc', smoothing: 'running', window: 2 })).body.series[0];
      close(running.last, [1, 1.5, null, 3, 6]);
      const gauss = (await call('GET', SERIES_PATH, { run_id: id, key: 'acc', smoothing: 'gaussian', window: 1 })).body.series[0];
      // sigma 0.5: neighbour weight e^-2, renormalised at the ends; the NaN point is skipped.
      const e = Math.exp(-2);
      close(gauss.last, [(1 + 2 * e) / (1 + e), (2 + e * 5) / (1 + 2 * e), null, (4 + e * 10) / (1 + 2 * e), (8 + 4 * e) / (1 + e)]);
      // Smoothing runs over the whole history, then the range is cut: step 3 keeps its EMA value.
      const zoom = (await call('GET', SERIES_PATH, { run_id: id, key: 'acc', smoothing: 'ema', smoothing_weight: 0.5, min_step: 3, max_step: 3 })).body.series[0];
      close(zoom.last, [2.625 / 0.875]);
      // Bucketed after smoothing: min/max/last of the smoothed values.
      const b = (await call('GET', SERIES_PATH, { run_id: id, key: 'acc', smoothing: 'running', window: 2, buckets: 2 })).body.series[0];
      assert.equal(b.bucketed, true);
      close(b.min, [1, 3]);
      close(b.max, [1.5, 6]);
      close(b.last, [null, 6]);
    });

    it('fetches only steps after after_step, on the step axis and smoothed', async () => {
      const id = await smallRun([1, 2, 3, 4], [1, 2, 3, 4]);
      const fresh = (await call('GET', SERIES_PATH, { run_id: id, key: 'acc', after_step: 1 })).body;
      assert.deepEqual(fresh.series[0].x, [2, 3]);
      assert.deepEqual(fresh.series[0].last, [3, 4]);
      assert.equal(fresh.series[0].last_step, 3, 'the next live fetch asks after step 3');
      const none = (await call('GET', SERIES_PATH, { run_id: id, key: 'acc', after_step: 3 })).body;
      assert.deepEqual(none.series[0].x, []);
      const smoothed = (await call('GET', SERIES_PATH, { run_id: id, key: 'acc', after_step: 2, smoothing: 'running', window: 4 })).body.series[0];
      assert.deepEqual(smoothed.x, [3]);
      assert.equal(smoothed.last_step, 3);
      close(smoothed.last, [2.5]);
    });

    it('rejects bad x, smoothing and after_step values', async () => {
      for (const [query, param] of [
        [{ x: 'wall' }, /'x' must be one of step, time, relative/],
        [{ smoothing: 'median' }, /'smoothing' must be one of/],
        [{ smoothing: 'ema', smoothing_weight: 1 }, /smoothing_weight/],
        [{ smoothing: 'running', window: 0 }, /'window'/],
        [{ smoothing: 'ema', window: 3 }, /'window' is for/],
        [{ smoothing_weight: 0.5 }, /need 'smoothing'/],
        [{ after_step: 'x' }, /after_step/],
      ] as const) {
        const res = await call('GET', SERIES_PATH, { run_id: longRun, key: 'loss', ...query });
        assert.equal(res.status, 400, JSON.stringify(query));
        assert.match(res.body.error.message, param);
      }
    });
  });
}
