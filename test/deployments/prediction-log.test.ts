import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbEngine } from '../../src/data/table/duckdb-engine.js';
import type { LoggingSpec, PredictionEvent } from '../../src/deployments/deployment-types.js';
import { hourOf, PREDICTION_COLUMNS, PredictionLog, predictionGlob } from '../../src/deployments/prediction-log.js';
import { eventually } from './deployment-fixtures.js';

const T0 = Date.UTC(2026, 10, 25, 22, 59, 59, 500);

function event(i: number, o: Partial<PredictionEvent> = {}): PredictionEvent {
  return {
    deployment: 'fraud',
    variant: i % 2 ? 'canary' : 'stable',
    role: i % 2 ? 'canary' : 'stable',
    model: 'm',
    version: i % 2 ? 2 : 1,
    requestId: `r${i}`,
    at: T0,
    inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: new Float32Array([i, 0.5]) }],
    outputs: [{ name: 'y', datatype: 'FP32', shape: [1, 1], data: new Float32Array([0.25]) }],
    latencyMs: 1.5,
    status: 'ok',
    ...o,
  };
}

async function readAll(engine: DuckDbEngine, dir: string, deployment = 'fraud') {
  return engine.rows(`SELECT * FROM read_parquet($1, hive_partitioning = true, hive_types_autocast = false) ORDER BY request_id`, [predictionGlob(dir, deployment)]);
}

describe('PredictionLog', () => {
  let dir: string;
  let engine: DuckDbEngine;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-predlog-'));
    engine = await DuckDbEngine.open({ threads: 1 });
  });
  after(async () => {
    engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  const open = (name: string, settings?: LoggingSpec, extra: Partial<ConstructorParameters<typeof PredictionLog>[0]> = {}) =>
    new PredictionLog({ dir: join(dir, name), settings: () => settings, ...extra });

  describe('.flush', () => {
    it('writes Parquet partitioned by deployment and hour that DuckDB reads with every column', async () => {
      const log = open('columns');
      log.onPrediction(event(0));
      log.onPrediction(event(1, { at: T0 + 1000, status: 'error', error: 'boom', outputs: undefined }));
      await log.flush();
      const folder = join(dir, 'columns', 'deployment=fraud');
      assert.deepEqual((await readdir(folder)).sort(), [`hour=${hourOf(T0)}`, `hour=${hourOf(T0 + 1000)}`]);
      const rows = await readAll(engine, join(dir, 'columns'));
      assert.equal(rows.length, 2);
      assert.deepEqual(Object.keys(rows[0]!), [...PREDICTION_COLUMNS, 'deployment', 'hour']);
      const [ok, failed] = rows;
      assert.equal(ok!.request_id, 'r0');
      assert.equal((ok!.ts as Date).getTime(), T0);
      assert.equal(ok!.deployment, 'fraud');
      assert.equal(ok!.hour, '2026-11-25T22');
      assert.equal(ok!.version, 1);
      assert.equal(ok!.latency_ms, 1.5);
      // Typed arrays are logged as JSON lists.
      assert.deepEqual(JSON.parse(ok!.inputs as string), [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: [0, 0.5] }]);
      assert.deepEqual(JSON.parse(ok!.outputs as string)[0].data, [0.25]);
      assert.equal(failed!.hour, '2026-11-25T23');
      assert.equal(failed!.status, 'error');
      assert.equal(failed!.error, 'boom');
      assert.equal(failed!.outputs, null);
      await log.close();
    });

    it('leaves only whole part files: no temporary files after a write', async () => {
      const log = open('atomic');
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 50; i++) log.onPrediction(event(round * 50 + i));
        await log.flush();
      }
      const folder = join(dir, 'atomic', 'deployment=fraud', `hour=${hourOf(T0)}`);
      const files = await readdir(folder);
      assert.equal(files.length, 3);
      assert.ok(files.every((f) => /^part-\d+-\d+-\d+\.parquet$/.test(f)), files.join(', '));
      assert.equal((await readAll(engine, join(dir, 'atomic'))).length, 150);
      assert.deepEqual({ written: log.stats.written, files: log.stats.files }, { written: 150, files: 3 });
      await log.close();
    });
  });

  describe('.onPrediction', () => {
    it('honours the sampling rate', () => {
      const log = open('sampled', { sampleRate: 0.3, flushInterval: '1h' });
      const n = 20_000;
      for (let i = 0; i < n; i++) log.onPrediction(event(i));
      // Binomial(20000, 0.3): sd ≈ 65; allow 5 sd.
      assert.ok(Math.abs(log.stats.queued - 0.3 * n) < 325, `queued ${log.stats.queued}`);
      assert.equal(log.stats.queued + log.stats.skipped, n);
      const off = open('off', { sampleRate: 0, flushInterval: '1h' });
      for (let i = 0; i < 100; i++) off.onPrediction(event(i));
      assert.equal(off.stats.queued, 0);
    });

    it('stays fast while a flush is slow, and keeps what arrives meanwhile', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let calls = 0;
      const log = open('slow', undefined, { beforeWrite: () => (calls++ === 0 ? gate : Promise.resolve()) });
      for (let i = 0; i < 10; i++) log.onPrediction(event(i));
      const flushing = log.flush();
      const start = performance.now();
      for (let i = 10; i < 5010; i++) log.onPrediction(event(i));
      const ms = performance.now() - start;
      assert.ok(ms < 250, `5000 predictions took ${ms} ms during a stalled flush`);
      release();
      await flushing;
      await log.close();
      assert.equal((await readAll(engine, join(dir, 'slow'))).length, 5010);
    });

    it('drops, and counts, what overflows the queue', async () => {
      const log = open('full', { sampleRate: 1, flushInterval: '1h' }, { maxQueued: 10 });
      for (let i = 0; i < 15; i++) log.onPrediction(event(i));
      assert.deepEqual({ queued: log.stats.queued, dropped: log.stats.dropped }, { queued: 10, dropped: 5 });
      await log.close();
    });
  });

  describe('flush interval', () => {
    it('writes queued predictions on its own after the interval', async () => {
      const log = open('timer', { sampleRate: 1, flushInterval: '50ms' });
      log.onPrediction(event(0));
      await eventually(() => (log.stats.written === 1 ? true : undefined), 5000, 'the timed flush');
      assert.equal((await readAll(engine, join(dir, 'timer'))).length, 1);
      await log.close();
    });
  });

  describe('.close', () => {
    it('writes out everything queued and then ignores new predictions', async () => {
      const log = open('closing', { sampleRate: 1, flushInterval: '1h' });
      for (let i = 0; i < 7; i++) log.onPrediction(event(i));
      await log.close();
      assert.equal((await readAll(engine, join(dir, 'closing'))).length, 7);
      log.onPrediction(event(99));
      assert.equal(log.stats.queued, 7);
    });
  });
});
