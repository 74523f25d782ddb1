import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { InvalidArgumentError, UnavailableError } from '../../src/errors.js';
import { DynamicBatcher, type Execute } from '../../src/serving/dynamic-batcher.js';
import { ModelStats } from '../../src/serving/model-stats.js';
import { DEFAULT_BATCHING, type BatchingOptions } from '../../src/serving/serving-types.js';
import type { Tensor } from '../../src/serving/tensor.js';

/** A request of `rows` rows of width `width`, every value `value`. */
const req = (value: number, rows = 1, width = 2): Record<string, Tensor> => ({
  x: { datatype: 'FP32', shape: [rows, width], data: new Float32Array(rows * width).fill(value) },
});

/** A fake model: y = 2x per row (shape kept), each call taking `ms`; records the rows of every call. Values < 0 make it fail. */
function fakeModel(ms = 5) {
  const calls: number[] = [];
  const execute: Execute = async (inputs) => {
    const x = inputs.x!;
    calls.push(x.shape[0]!);
    await sleep(ms);
    if ((x.data as Float32Array).some((v) => v < 0)) throw new InvalidArgumentError('negative values are not allowed');
    return { y: { datatype: 'FP32', shape: [...x.shape], data: (x.data as Float32Array).map((v) => v * 2) } };
  };
  return { calls, execute };
}

function batcher(execute: Execute, options: Partial<BatchingOptions> = {}, batchable = true) {
  const stats = new ModelStats('m', '1');
  const b = new DynamicBatcher(execute, { ...DEFAULT_BATCHING, ...options }, stats, batchable);
  return { b, stats };
}

describe('DynamicBatcher', () => {
  describe('.submit', () => {
    it('runs a lone request on an idle model at once, alone', async () => {
      const m = fakeModel(0);
      const { b, stats } = batcher(m.execute);
      const pending = b.submit(req(1), 1, ['y']);
      // Dispatched in the same event-loop turn: no timer, no waiting for company.
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(m.calls, [1]);
      const out = await pending;
      assert.deepEqual([...(out.y!.data as Float32Array)], [2, 2]);
      assert.deepEqual(m.calls, [1]);
      assert.equal(stats.snapshot(0).executionCount, 1);
    });

    it('stacks requests that queue while the model is busy, and gives each its own rows back', async () => {
      const m = fakeModel(20);
      const { b, stats } = batcher(m.execute);
      const first = b.submit(req(100), 1, ['y']);
      await sleep(5);
      const rest = Array.from({ length: 10 }, (_, i) => b.submit(req(i, 1 + (i % 3)), 1 + (i % 3), ['y']));
      const outs = await Promise.all([first, ...rest]);
      assert.deepEqual([...(outs[0]!.y!.data as Float32Array)], [200, 200]);
      outs.slice(1).forEach((out, i) => {
        assert.deepEqual(out.y!.shape, [1 + (i % 3), 2]);
        assert.ok([...(out.y!.data as Float32Array)].every((v) => v === 2 * i));
      });
      const totalRows = 1 + rest.reduce((n, _p, i) => n + 1 + (i % 3), 0);
      assert.deepEqual(m.calls, [1, totalRows - 1]);
      const s = stats.snapshot(b.queueDepth);
      assert.equal(s.executionCount, 2);
      assert.deepEqual(
        s.batchStats.map((x) => [x.batchSize, x.computeInfer.count]),
        [
          [1, 1],
          [totalRows - 1, 1],
        ],
      );
      assert.equal(s.inferenceStats.queue.count, 11);
      assert.equal(s.inferenceStats.computeInfer.count, 11);
    });

    it('never exceeds maxBatchSize rows in one call', async () => {
      const m = fakeModel(10);
      const { b } = batcher(m.execute, { maxBatchSize: 4 });
      const first = b.submit(req(1), 1, ['y']);
      await sleep(2);
      await Promise.all([first, ...Array.from({ length: 9 }, () => b.submit(req(1), 1, ['y']))]);
      assert.deepEqual(m.calls, [1, 4, 4, 1]);
    });

    it('runs requests whose other dimensions differ in separate calls, never padded', async () => {
      const m = fakeModel(10);
      const { b } = batcher(m.execute);
      const first = b.submit(req(1), 1, ['y']);
      await sleep(2);
      const narrow = [b.submit(req(2, 1, 2), 1, ['y']), b.submit(req(3, 1, 2), 1, ['y'])];
      const wide = b.submit(req(4, 1, 5), 1, ['y']);
      const outs = await Promise.all([first, ...narrow, wide]);
      assert.deepEqual(outs[3]!.y!.shape, [1, 5]);
      assert.deepEqual([...(outs[3]!.y!.data as Float32Array)], [8, 8, 8, 8, 8]);
      assert.deepEqual(m.calls, [1, 2, 1]);
    });

    it('lets a request the model rejects fail alone, without poisoning its batch', async () => {
      const m = fakeModel(10);
      const { b, stats } = batcher(m.execute);
      const first = b.submit(req(1), 1, ['y']);
      await sleep(2);
      const good = [b.submit(req(2), 1, ['y']), b.submit(req(3), 1, ['y'])];
      const bad = b.submit(req(-1), 1, ['y']);
      const settled = await Promise.allSettled([first, ...good, bad]);
      assert.deepEqual(
        settled.map((s) => s.status),
        ['fulfilled', 'fulfilled', 'fulfilled', 'rejected'],
      );
      assert.deepEqual([...((settled[2] as PromiseFulfilledResult<Record<string, Tensor>>).value.y!.data as Float32Array)], [6, 6]);
      assert.match(String((settled[3] as PromiseRejectedResult).reason), /negative values/);
      // The failed batch of 3, then each of its requests alone.
      assert.deepEqual(m.calls, [1, 3, 1, 1, 1]);
      assert.equal(stats.snapshot(0).executionCount, 3);
    });

    it('refuses requests beyond maxQueueSize with UnavailableError saying when to retry', async () => {
      const m = fakeModel(30);
      const { b } = batcher(m.execute, { maxQueueSize: 2, maxBatchSize: 1 });
      const running = b.submit(req(1), 1, ['y']);
      await sleep(5);
      const queued = [b.submit(req(1), 1, ['y']), b.submit(req(1), 1, ['y'])];
      await assert.rejects(b.submit(req(1), 1, ['y']), (err: unknown) => {
        assert.ok(err instanceof UnavailableError);
        assert.match(err.message, /overloaded: 2 requests are waiting/);
        assert.equal(err.details?.retryAfterSeconds, 1);
        return true;
      });
      assert.equal(b.queueDepth, 2);
      await Promise.all([running, ...queued]);
    });

    it('runs every request alone for a model that cannot batch', async () => {
      const m = fakeModel(5);
      const { b } = batcher(m.execute, {}, false);
      const first = b.submit(req(1), 1, ['y']);
      await sleep(1);
      await Promise.all([first, b.submit(req(1), 1, ['y']), b.submit(req(1), 1, ['y'])]);
      assert.deepEqual(m.calls, [1, 1, 1]);
    });

    it('stops batching a model whose outputs are not one row per input row', async () => {
      const calls: number[] = [];
      const execute: Execute = async (inputs) => {
        calls.push(inputs.x!.shape[0]!);
        await sleep(5);
        return { total: { datatype: 'FP32', shape: [1], data: new Float32Array([(inputs.x!.data as Float32Array).reduce((s, v) => s + v, 0)]) } };
      };
      const { b } = batcher(execute);
      const first = b.submit(req(1), 1, ['total']);
      await sleep(1);
      const outs = await Promise.all([first, b.submit(req(2), 1, ['total']), b.submit(req(3), 1, ['total'])]);
      assert.deepEqual(
        outs.map((o) => o.total!.data[0]),
        [2, 4, 6],
      );
      assert.deepEqual(calls, [1, 2, 1, 1]);
    });

    it('with maxQueueDelayMs, waits for more requests before running', async () => {
      const m = fakeModel(0);
      const { b } = batcher(m.execute, { maxQueueDelayMs: 1000 });
      const first = b.submit(req(1), 1, ['y']);
      await sleep(5);
      const second = b.submit(req(2), 1, ['y']);
      await Promise.all([first, second]);
      assert.deepEqual(m.calls, [2]);
    });

    it('with maxQueueDelayMs, runs as soon as a batch is full', async () => {
      const m = fakeModel(0);
      const { b } = batcher(m.execute, { maxQueueDelayMs: 10_000, maxBatchSize: 2 });
      const both = Promise.all([b.submit(req(1), 1, ['y']), b.submit(req(2), 1, ['y'])]);
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(m.calls, [2]);
      await both;
    });
  });

  describe('.close', () => {
    it('fails queued requests and refuses new ones, letting the running call finish', async () => {
      const m = fakeModel(20);
      const { b } = batcher(m.execute, { maxBatchSize: 1 });
      const running = b.submit(req(1), 1, ['y']);
      await sleep(2);
      const queued = b.submit(req(1), 1, ['y']);
      b.close(new UnavailableError('unloaded'));
      await assert.rejects(queued, /unloaded/);
      await assert.rejects(b.submit(req(1), 1, ['y']), /unloaded/);
      assert.deepEqual([...((await running).y!.data as Float32Array)], [2, 2]);
      await b.idle();
    });
  });
});
