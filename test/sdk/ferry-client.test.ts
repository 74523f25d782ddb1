import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import {
  AlreadyExistsError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  UnauthenticatedError,
  UnavailableError,
} from '../../src/errors.js';
import { Ferry } from '../../src/sdk/ferry-client.js';
import { proxyPathOf } from '../../src/sdk/artifacts-api.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const fastRetry = { retries: 3, baseDelayMs: 1, maxDelayMs: 5 };

/** A fetch that answers the first `n` calls matching `match` with `fail()` and passes the rest through. */
function flakyFetch(n: number, fail: () => Response | never, match: (url: string) => boolean = () => true) {
  const calls: string[] = [];
  let failed = 0;
  const f: typeof fetch = async (input, init) => {
    const url = String(input);
    calls.push(`${init?.method ?? 'GET'} ${url}`);
    if (match(url) && failed < n) {
      failed++;
      return fail();
    }
    return fetch(input, init);
  };
  return { fetch: f, calls };
}

describe('Ferry', () => {
  let server: TestServer;
  let ferry: Ferry;

  before(async () => {
    server = await startTestServer();
    ferry = new Ferry({ url: server.url, retry: fastRetry });
  });
  after(async () => {
    await server.close();
  });

  describe('constructor', () => {
    it('reads FERRY_URL, then MLFLOW_TRACKING_URI, then the default', () => {
      const saved = { ...process.env };
      try {
        delete process.env.FERRY_URL;
        delete process.env.MLFLOW_TRACKING_URI;
        assert.equal(new Ferry().url, 'http://127.0.0.1:5000');
        process.env.MLFLOW_TRACKING_URI = 'http://mlflow:5000/';
        assert.equal(new Ferry().url, 'http://mlflow:5000');
        process.env.FERRY_URL = 'http://ferry:1';
        assert.equal(new Ferry().url, 'http://ferry:1');
        assert.equal(new Ferry({ url: 'http://x:2' }).url, 'http://x:2');
      } finally {
        process.env = saved;
      }
    });
  });

  describe('.experiments', () => {
    it('creates, reads, renames, tags, deletes and restores', async () => {
      const id = await ferry.experiments.create('exp-crud', { tags: { team: 'ml' } });
      const byId = await ferry.experiments.get(id);
      assert.equal(byId.name, 'exp-crud');
      assert.equal(byId.lifecycleStage, 'active');
      assert.deepEqual(byId.tags, [{ key: 'team', value: 'ml' }]);
      assert.match(byId.artifactLocation, /^mlflow-artifacts:\/\d+$/);
      assert.equal((await ferry.experiments.getByName('exp-crud')).experimentId, id);

      await ferry.experiments.rename(id, 'exp-crud-2');
      await ferry.experiments.setTag(id, 'stage', 'dev');
      const renamed = await ferry.experiments.get(id);
      assert.equal(renamed.name, 'exp-crud-2');
      assert.ok(renamed.tags.some((t) => t.key === 'stage' && t.value === 'dev'));

      await ferry.experiments.delete(id);
      assert.equal((await ferry.experiments.get(id)).lifecycleStage, 'deleted');
      await ferry.experiments.restore(id);
      assert.equal((await ferry.experiments.get(id)).lifecycleStage, 'active');
    });

    it('searches with a filter and pages', async () => {
      for (const n of ['page-a', 'page-b', 'page-c']) await ferry.experiments.create(n);
      const first = await ferry.experiments.search({ filter: "name LIKE 'page-%'", maxResults: 2, orderBy: ['name ASC'] });
      assert.deepEqual(first.items.map((e) => e.name), ['page-a', 'page-b']);
      assert.ok(first.nextPageToken);
      const second = await ferry.experiments.search({ filter: "name LIKE 'page-%'", maxResults: 2, orderBy: ['name ASC'], pageToken: first.nextPageToken });
      assert.deepEqual(second.items.map((e) => e.name), ['page-c']);
      const all = await ferry.experiments.searchAll({ filter: "name LIKE 'page-%'" });
      assert.equal(all.length, 3);
    });

    it('resolves an id or a name', async () => {
      const id = await ferry.experiments.create('resolve-me');
      assert.equal((await ferry.experiments.resolve(id)).name, 'resolve-me');
      assert.equal((await ferry.experiments.resolve('resolve-me')).experimentId, id);
      await assert.rejects(ferry.experiments.resolve('no-such-experiment'), NotFoundError);
    });

    it('maps MLflow error codes back to Ferry error classes', async () => {
      await assert.rejects(ferry.experiments.get('987654'), NotFoundError);
      await assert.rejects(ferry.experiments.getByName('nope'), NotFoundError);
      await ferry.experiments.create('dupe');
      await assert.rejects(ferry.experiments.create('dupe'), (err: unknown) => {
        assert.ok(err instanceof AlreadyExistsError);
        assert.equal(err.protocolCode, 'RESOURCE_ALREADY_EXISTS');
        assert.match(err.message, /already exists/);
        return true;
      });
      await assert.rejects(ferry.experiments.create(''), InvalidArgumentError);
    });
  });

  describe('.runs', () => {
    it('starts a run, logs directly and reads it back', async () => {
      const run = await ferry.runs.start({ experimentName: 'runs-direct', runName: 'r1', tags: { k: 'v' } });
      assert.equal(run.info.runName, 'r1');
      assert.equal(run.info.status, 'RUNNING');
      await ferry.runs.logParam(run.id, 'lr', 0.1);
      await ferry.runs.logMetric(run.id, 'loss', 0.5, { step: 1 });
      await ferry.runs.logMetric(run.id, 'loss', NaN, { step: 2 });
      await ferry.runs.setTag(run.id, 'note', 'hello');
      const got = await ferry.runs.get(run.id);
      assert.deepEqual(got.data.params, [{ key: 'lr', value: '0.1' }]);
      assert.equal(got.data.metrics[0]!.key, 'loss');
      assert.ok(Number.isNaN(got.data.metrics[0]!.value), 'the latest point (step 2) is NaN and decodes as NaN');
      assert.ok(got.data.tags.some((t) => t.key === 'note' && t.value === 'hello'));
      assert.ok(got.data.tags.some((t) => t.key === 'k' && t.value === 'v'));

      const info = await ferry.runs.update(run.id, { status: 'FAILED', endTime: 123 });
      assert.equal(info.status, 'FAILED');
      assert.equal(info.endTime, 123);
    });

    it('creates the named experiment once and reuses it', async () => {
      const a = await ferry.runs.create({ experimentName: 'reused' });
      const b = await ferry.runs.create({ experimentName: 'reused' });
      assert.equal(a.info.experimentId, b.info.experimentId);
    });

    it('splits a large logBatch within MLflow limits', async () => {
      const { fetch: f, calls } = flakyFetch(0, () => new Response());
      const client = new Ferry({ url: server.url, fetch: f });
      const run = await client.runs.create();
      const now = Date.now();
      await client.runs.logBatch({
        runId: run.id,
        metrics: Array.from({ length: 2500 }, (_, i) => ({ key: 'm', value: i, step: i, timestamp: now })),
        params: Array.from({ length: 150 }, (_, i) => ({ key: `p${i}`, value: String(i) })),
      });
      assert.equal(calls.filter((c) => c.includes('/runs/log-batch')).length, 3);
      assert.equal((await client.runs.get(run.id)).data.params.length, 150);
      assert.equal((await client.runs.metricHistory(run.id, 'm')).length, 2500);
    });

    it('follows page tokens for metric history', async () => {
      const run = await ferry.runs.create();
      const now = Date.now();
      await ferry.runs.logBatch({ runId: run.id, metrics: Array.from({ length: 25 }, (_, i) => ({ key: 'acc', value: i / 10, step: i, timestamp: now })) });
      const history = await ferry.runs.metricHistory(run.id, 'acc', { pageSize: 7 });
      assert.deepEqual(history.map((m) => m.step), Array.from({ length: 25 }, (_, i) => i));
    });

    it('searches, deletes and restores', async () => {
      const expId = await ferry.experiments.create('runs-search');
      const a = await ferry.runs.create({ experimentId: expId, runName: 'alpha' });
      const b = await ferry.runs.create({ experimentId: expId, runName: 'beta' });
      await ferry.runs.logMetric(a.id, 'score', 1);
      await ferry.runs.logMetric(b.id, 'score', 2);
      const page = await ferry.runs.search({ experimentIds: [expId], filter: 'metrics.score > 1', orderBy: ['metrics.score DESC'] });
      assert.deepEqual(page.items.map((r) => r.info.runName), ['beta']);
      await ferry.runs.delete(a.id);
      assert.equal((await ferry.runs.get(a.id)).info.lifecycleStage, 'deleted');
      assert.equal((await ferry.runs.search({ experimentIds: [expId] })).items.length, 1);
      assert.equal((await ferry.runs.search({ experimentIds: [expId], viewType: 'ALL' })).items.length, 2);
      await ferry.runs.restore(a.id);
      assert.equal((await ferry.runs.get(a.id)).info.lifecycleStage, 'active');
    });

    it('throws NotFoundError for an unknown run', async () => {
      await assert.rejects(ferry.runs.get('0123456789abcdef0123456789abcdef'), NotFoundError);
    });
  });

  describe('.artifacts', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'ferry-sdk-artifacts-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('uploads bytes, text and streams, lists and downloads them', async () => {
      const run = await ferry.runs.create();
      await ferry.artifacts.upload(run.id, 'model/weights.bin', Buffer.from([1, 2, 3]));
      await ferry.artifacts.upload(run.id, 'notes/read me.txt', 'hello ✓');
      await ferry.artifacts.upload(run.id, 'stream.txt', Readable.from([Buffer.from('ab'), Buffer.from('cd')]));
      assert.deepEqual([...(await ferry.artifacts.download(run.id, 'model/weights.bin'))], [1, 2, 3]);
      assert.equal((await ferry.artifacts.download(run.id, 'notes/read me.txt')).toString(), 'hello ✓');
      assert.equal((await ferry.artifacts.download(run.id, 'stream.txt')).toString(), 'abcd');
      const root = await ferry.artifacts.list(run.id);
      assert.deepEqual(
        root.map((f) => [f.path, f.isDir]),
        [
          ['model', true],
          ['notes', true],
          ['stream.txt', false],
        ],
      );
      assert.deepEqual(await ferry.runs.listArtifacts(run.id, 'model'), [{ path: 'model/weights.bin', isDir: false, fileSize: 3 }]);
      await ferry.artifacts.downloadTo(run.id, 'stream.txt', join(dir, 'out', 'stream.txt'));
      assert.equal(await readFile(join(dir, 'out', 'stream.txt'), 'utf8'), 'abcd');
    });

    it('uploads a local file or folder', async () => {
      const run = await ferry.runs.create();
      await mkdir(join(dir, 'tree', 'sub'), { recursive: true });
      await writeFile(join(dir, 'tree', 'a.txt'), 'A');
      await writeFile(join(dir, 'tree', 'sub', 'b.txt'), 'B');
      await ferry.artifacts.uploadFile(run.id, join(dir, 'tree', 'a.txt'));
      await ferry.artifacts.uploadFile(run.id, join(dir, 'tree'), 'copy');
      assert.equal((await ferry.artifacts.download(run.id, 'a.txt')).toString(), 'A');
      assert.equal((await ferry.artifacts.download(run.id, 'copy/sub/b.txt')).toString(), 'B');
    });

    it('rejects paths that escape the run and reports missing files', async () => {
      const run = await ferry.runs.create();
      await assert.rejects(ferry.artifacts.upload(run.id, '../other/x', 'x'), InvalidArgumentError);
      await assert.rejects(ferry.artifacts.download(run.id, 'missing.txt'), NotFoundError);
    });

    it('maps artifact URIs to proxy paths', () => {
      assert.equal(proxyPathOf('mlflow-artifacts:/1/abc/artifacts'), '1/abc/artifacts');
      assert.equal(proxyPathOf('mlflow-artifacts://host:5000/1/abc/artifacts'), '1/abc/artifacts');
      assert.equal(proxyPathOf('s3://bucket/1/abc'), undefined);
    });
  });

  describe('retries', () => {
    it('retries network errors and 503 on idempotent calls', async () => {
      const flaky = flakyFetch(2, () => {
        throw new TypeError('fetch failed');
      });
      const client = new Ferry({ url: server.url, fetch: flaky.fetch, retry: fastRetry });
      assert.equal((await client.experiments.get('0')).name, 'Default');
      const busy = flakyFetch(2, () => new Response('{"error_code":"TEMPORARILY_UNAVAILABLE","message":"busy"}', { status: 503 }));
      const client2 = new Ferry({ url: server.url, fetch: busy.fetch, retry: fastRetry });
      assert.equal((await client2.experiments.get('0')).name, 'Default');
      assert.equal(busy.calls.length, 3);
    });

    it('retries 429 even for a create, but not a network error', async () => {
      const limited = flakyFetch(1, () => new Response('slow down', { status: 429, headers: { 'retry-after': '0' } }));
      const client = new Ferry({ url: server.url, fetch: limited.fetch, retry: fastRetry });
      assert.match(await client.experiments.create('after-429'), /^\d+$/);
      const broken = flakyFetch(1, () => {
        throw new TypeError('fetch failed');
      });
      const client2 = new Ferry({ url: server.url, fetch: broken.fetch, retry: fastRetry });
      await assert.rejects(client2.experiments.create('after-network-error'), UnavailableError);
      assert.equal(broken.calls.length, 1);
    });

    it('gives up with UnavailableError naming the server', async () => {
      const client = new Ferry({ url: 'http://127.0.0.1:1', retry: fastRetry });
      await assert.rejects(client.experiments.get('0'), (err: unknown) => {
        assert.ok(err instanceof UnavailableError);
        assert.match(err.message, /127\.0\.0\.1:1/);
        return true;
      });
    });

    it('maps a non-JSON 502 to UnavailableError and INTERNAL_ERROR to InternalError', async () => {
      const gw = flakyFetch(99, () => new Response('<html>bad gateway</html>', { status: 502 }));
      await assert.rejects(new Ferry({ url: server.url, fetch: gw.fetch, retry: fastRetry }).experiments.get('0'), UnavailableError);
      const bug = flakyFetch(99, () => new Response('{"error_code":"INTERNAL_ERROR","message":"boom"}', { status: 500 }));
      await assert.rejects(new Ferry({ url: server.url, fetch: bug.fetch, retry: { ...fastRetry, retries: 0 } }).experiments.get('0'), InternalError);
    });
  });
});

describe('Ferry with auth on', () => {
  let server: TestServer;
  let editor: string;
  let viewer: string;

  before(async () => {
    server = await startTestServer({ auth: true });
    editor = (await server.app.services.tokens.create('sdk-editor', 'editor')).token;
    viewer = (await server.app.services.tokens.create('sdk-viewer', 'viewer')).token;
  });
  after(async () => {
    await server.close();
  });

  it('sends the token as a bearer token', async () => {
    const ferry = new Ferry({ url: server.url, token: editor });
    const run = await ferry.runs.create();
    await ferry.artifacts.upload(run.id, 'x.txt', 'x');
    assert.equal((await ferry.artifacts.download(run.id, 'x.txt')).toString(), 'x');
  });

  it('reads the token from MLFLOW_TRACKING_TOKEN', async () => {
    const saved = { ...process.env };
    try {
      delete process.env.FERRY_TOKEN;
      process.env.MLFLOW_TRACKING_TOKEN = viewer;
      assert.equal((await new Ferry({ url: server.url }).experiments.get('0')).name, 'Default');
    } finally {
      process.env = saved;
    }
  });

  it('maps 401 and 403 to UnauthenticatedError and PermissionDeniedError', async () => {
    await assert.rejects(new Ferry({ url: server.url, token: '' }).experiments.get('0'), UnauthenticatedError);
    await assert.rejects(new Ferry({ url: server.url, token: viewer }).experiments.create('nope'), PermissionDeniedError);
  });
});
