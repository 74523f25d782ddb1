import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgumentError, UnavailableError, type FerryError } from '../../src/errors.js';
import { Ferry } from '../../src/sdk/ferry-client.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const fastRetry = { retries: 2, baseDelayMs: 1, maxDelayMs: 5 };

/** Records log-batch bodies and fails them on demand, in the ways a network and a server fail. */
class FaultyNetwork {
  /** Bodies of log-batch requests that reached the server. */
  batches: Array<{ metrics?: unknown[]; params?: unknown[]; tags?: unknown[] }> = [];
  /** How the next log-batch calls fail: before reaching the server, with a 503, or after the server acted (lost answer). */
  failures: Array<'network' | '503' | 'lost-answer'> = [];
  down = false;

  readonly fetch: typeof fetch = async (input, init) => {
    const url = String(input);
    if (!url.includes('/runs/log-batch')) return fetch(input, init);
    if (this.down) throw new TypeError('fetch failed');
    const failure = this.failures.shift();
    if (failure === 'network') throw new TypeError('fetch failed');
    if (failure === '503') return new Response('{"error_code":"TEMPORARILY_UNAVAILABLE","message":"busy"}', { status: 503 });
    const res = await fetch(input, init);
    if (res.ok) this.batches.push(JSON.parse(String(init?.body)));
    if (failure === 'lost-answer') {
      await res.body?.cancel();
      throw new TypeError('fetch failed: socket hang up');
    }
    return res;
  };
}

async function until(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
}

describe('ActiveRun', () => {
  let server: TestServer;
  let ferry: Ferry;

  before(async () => {
    server = await startTestServer();
    ferry = new Ferry({ url: server.url, retry: fastRetry });
  });
  after(async () => {
    await server.close();
  });

  describe('buffering', () => {
    it('holds points in memory and sends them in the background about every second', async () => {
      const run = await ferry.runs.start();
      run.log({ loss: 0.9, acc: 0.1 }, { step: 0 });
      run.logParams({ lr: 0.01 });
      run.setTags({ phase: 'train' });
      assert.equal(run.pending, 4);
      await sleep(300);
      assert.deepEqual((await ferry.runs.get(run.id)).data.metrics, [], 'nothing is sent before the interval');
      await until(async () => (await ferry.runs.get(run.id)).data.metrics.length === 2, 3000);
      const got = await ferry.runs.get(run.id);
      assert.deepEqual(got.data.params, [{ key: 'lr', value: '0.01' }]);
      assert.ok(got.data.tags.some((t) => t.key === 'phase'));
      assert.equal(run.pending, 0);
    });

    it('sends at once when 1000 entries are waiting', async () => {
      const run = await ferry.runs.start({ buffer: { flushIntervalMs: 60_000 } });
      for (let step = 0; step < 1000; step++) run.log({ x: step }, { step });
      await until(async () => (await ferry.runs.metricHistory(run.id, 'x')).length === 1000, 3000);
      await run.end();
    });

    it('keeps every request within MLflow batch limits', async () => {
      const net = new FaultyNetwork();
      const client = new Ferry({ url: server.url, fetch: net.fetch, retry: fastRetry });
      const run = await client.runs.start({ buffer: { flushIntervalMs: 60_000, flushAt: 1e9 } });
      const params: Record<string, number> = {};
      for (let i = 0; i < 250; i++) params[`p${i}`] = i;
      run.logParams(params);
      const tags: Record<string, string> = {};
      for (let i = 0; i < 150; i++) tags[`t${i}`] = 'v';
      run.setTags(tags);
      for (let step = 0; step < 2500; step++) run.log({ a: step }, { step });
      await run.flush();
      for (const b of net.batches) {
        const [m, p, t] = [b.metrics?.length ?? 0, b.params?.length ?? 0, b.tags?.length ?? 0];
        assert.ok(m <= 1000 && p <= 100 && t <= 100 && m + p + t <= 1000, `batch of ${m}/${p}/${t}`);
      }
      const got = await client.runs.get(run.id);
      assert.equal(got.data.params.length, 250);
      assert.equal((await client.runs.metricHistory(run.id, 'a')).length, 2500);
    });

    it('rejects an invalid key or a changed param at once', async () => {
      const run = await ferry.runs.start();
      assert.throws(() => run.log({ 'bad key!': 1 }), InvalidArgumentError);
      run.logParams({ lr: 0.1 });
      run.logParams({ lr: 0.1 });
      assert.throws(() => run.logParams({ lr: 0.2 }), /already logged/);
      assert.equal(run.pending, 1);
      await run.end();
    });
  });

  describe('.end', () => {
    it('flushes, then finishes the run', async () => {
      const run = await ferry.runs.start({ buffer: { flushIntervalMs: 60_000 } });
      for (let step = 0; step < 10; step++) run.log({ loss: 1 / (step + 1) }, { step });
      run.logParams({ epochs: 10 });
      const info = await run.end();
      assert.equal(info.status, 'FINISHED');
      assert.ok(info.endTime !== null);
      assert.equal(run.pending, 0);
      const got = await ferry.runs.get(run.id);
      assert.equal(got.info.status, 'FINISHED');
      assert.equal((await ferry.runs.metricHistory(run.id, 'loss')).length, 10);
      assert.deepEqual(got.data.params, [{ key: 'epochs', value: '10' }]);
    });

    it('accepts another final status', async () => {
      const run = await ferry.runs.start();
      assert.equal((await run.end('KILLED')).status, 'KILLED');
    });
  });

  describe('failures', () => {
    it('delivers every point exactly once through network errors, 503s and lost answers', async () => {
      const net = new FaultyNetwork();
      net.failures = ['network', '503', 'lost-answer', 'network', 'lost-answer'];
      const client = new Ferry({ url: server.url, fetch: net.fetch, retry: { retries: 10, baseDelayMs: 1, maxDelayMs: 5 } });
      const run = await client.runs.start({ buffer: { flushIntervalMs: 20 } });
      const now = Date.now();
      for (let step = 0; step < 3000; step++) {
        run.log({ loss: step / 3000 }, { step, timestamp: now });
        if (step % 500 === 0) await sleep(25);
      }
      run.logParams({ seed: 42 });
      await run.end();
      assert.equal(net.failures.length, 0, 'every planned failure happened');
      const history = await client.runs.metricHistory(run.id, 'loss');
      assert.equal(history.length, 3000);
      assert.deepEqual(history.map((m) => m.step), Array.from({ length: 3000 }, (_, i) => i));
      assert.deepEqual((await client.runs.get(run.id)).data.params, [{ key: 'seed', value: '42' }]);
    });

    it('keeps points buffered and says how many are unsent when retries run out, then delivers them', async () => {
      const net = new FaultyNetwork();
      const client = new Ferry({ url: server.url, fetch: net.fetch, retry: fastRetry });
      const run = await client.runs.start({ buffer: { flushIntervalMs: 60_000 } });
      net.down = true;
      for (let step = 0; step < 5; step++) run.log({ m: step }, { step });
      run.setTags({ t: 'x' });
      await assert.rejects(run.flush(), (err: FerryError) => {
        assert.ok(err instanceof UnavailableError);
        assert.match(err.message, /6 logged entries .* are unsent \(5 metrics, 0 params, 1 tags\)/);
        assert.equal(err.details?.unsent, 6);
        return true;
      });
      assert.equal(run.pending, 6);
      await assert.rejects(run.end(), /6 logged entries/);
      assert.equal((await client.runs.get(run.id)).info.status, 'RUNNING', 'a failed end() leaves the run running');
      net.down = false;
      await run.end();
      assert.equal(run.pending, 0);
      assert.equal((await client.runs.metricHistory(run.id, 'm')).length, 5);
      assert.equal((await client.runs.get(run.id)).info.status, 'FINISHED');
    });

    it('retries in the background with backoff and tells onError', async () => {
      const net = new FaultyNetwork();
      const client = new Ferry({ url: server.url, fetch: net.fetch, retry: { retries: 0 } });
      const errors: FerryError[] = [];
      const run = await client.runs.start({ buffer: { flushIntervalMs: 10, maxRetryDelayMs: 40, onError: (e) => errors.push(e) } });
      net.down = true;
      run.log({ m: 1 });
      await until(async () => errors.length >= 2);
      assert.match(errors[0]!.message, /1 logged entries/);
      net.down = false;
      await until(async () => run.pending === 0);
      assert.equal((await client.runs.metricHistory(run.id, 'm')).length, 1);
      await run.end();
    });

    it('reports params that conflict with logged ones, sends the rest and does not retry them', async () => {
      const run = await ferry.runs.start({ buffer: { flushIntervalMs: 60_000 } });
      await ferry.runs.logParam(run.id, 'lr', '0.1');
      run.logParams({ lr: 0.2, batch: 32 });
      run.log({ loss: 1 }, { step: 0 });
      run.setTags({ team: 'a' });
      await assert.rejects(run.flush(), (err: FerryError) => {
        assert.ok(err instanceof InvalidArgumentError);
        assert.match(err.message, /1 param\(s\) .* refused .*'lr'/);
        assert.match(err.message, /Changing param values is not allowed/);
        return true;
      });
      assert.equal(run.pending, 0);
      const got = await ferry.runs.get(run.id);
      assert.deepEqual(
        got.data.params.map((p) => [p.key, p.value]),
        [
          ['batch', '32'],
          ['lr', '0.1'],
        ],
      );
      assert.equal(got.data.metrics.length, 1);
      assert.ok(got.data.tags.some((t) => t.key === 'team'));
      await run.flush();
      assert.equal((await run.end()).status, 'FINISHED');
    });

    it('ends the run even when a param was refused, and says so', async () => {
      const run = await ferry.runs.start({ buffer: { flushIntervalMs: 60_000 } });
      await ferry.runs.logParam(run.id, 'opt', 'adam');
      run.logParams({ opt: 'sgd' });
      await assert.rejects(run.end(), /refused/);
      assert.equal((await ferry.runs.get(run.id)).info.status, 'FINISHED');
    });
  });
});
