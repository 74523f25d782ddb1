import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listRoutes } from '../../src/server/route-permission.js';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';
import { linearReference } from '../helpers/onnx-builder.js';
import { applyOk, deploymentDoc, eventually, inferOnce, linearPackage, openDeploymentHarness, registerVersions, traffic, type DeploymentHarness } from './deployment-fixtures.js';

const sqlite = testDatabaseKinds().find((k) => k.name === 'sqlite')!;
const ROW = [1, 2, 3, 4];
const expected = (bias: number[]) => linearReference([ROW], { inputs: 4, outputs: 2, bias })[0]!;

describe('deployment routes', () => {
  let h: DeploymentHarness;
  let model: string;
  const uri = (v: number) => `models:/${model}/${v}`;

  before(async () => {
    h = await openDeploymentHarness(sqlite, { listen: true });
    model = await registerVersions(h, 'routes', [linearPackage(), linearPackage({ bias: [10, 20] }), linearPackage({ delayMs: 600 })]);
    await applyOk(h, deploymentDoc('fraud', { model: uri(1) }));
  });
  after(async () => {
    await h.close();
  });

  it('declares a permission on every route it adds', () => {
    const mine = listRoutes(h.app).filter((r) => r.url.startsWith('/deployments') || r.url.startsWith('/api/ferry/v1/deployments'));
    assert.ok(mine.length >= 15, `${mine.length} routes`);
    assert.deepEqual(mine.filter((r) => r.permission === undefined), []);
  });

  it('never answers 500 to hostile names, bodies or queries', async () => {
    await applyOk(h, deploymentDoc('fuzzed', { model: uri(1) }));
    const names = ['fuzzed', 'ghost', '..', '%2e%2e', 'a'.repeat(300), '%00', 'ü🙂', "'%20OR%201=1"];
    const bodies: unknown[] = [
      undefined,
      'null',
      '[]',
      '{"spec": []}',
      JSON.stringify({ metadata: { name: {} }, spec: { model: 1 } }),
      JSON.stringify({ spec: { strategy: 'canary', model: 'models:/x/1', canary: { steps: 'x', interval: '1'.repeat(500) + 'ms', checks: [null] } } }),
      JSON.stringify({ spec: { strategy: 'ab', variants: [{ name: '\u0000', model: 'models:/\u0000/1', weight: 1e308 }, null] } }),
      JSON.stringify({ spec: { strategy: 'shadow', model: 'models:/x/9007199254740993', shadow: { model: 'a'.repeat(10_000) } } }),
      JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: 'x' }], id: 5 }),
      '{"inputs": [',
    ];
    const routes = listRoutes(h.app).filter((r) => r.url.startsWith('/deployments') || r.url.startsWith('/api/ferry/v1/deployments'));
    for (const route of routes) {
      for (const name of names) {
        for (const body of route.method === 'GET' ? [undefined] : bodies) {
          const url = route.url.replace(':name', name).replace(':model', name).replace(':version', 'x') + '?dry_run=%00&after_id=-1&max_results=1e400';
          const res = await h.app.inject({ method: route.method as 'GET', url, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { payload: body as string }) });
          assert.ok(res.statusCode < 500 || res.statusCode === 503, `${route.method} ${url} ${String(body).slice(0, 80)} → ${res.statusCode} ${res.body.slice(0, 200)}`);
        }
      }
    }
  });

  it('streams transitions as server-sent events: the history, then each new one', async () => {
    await applyOk(h, deploymentDoc('streamed', { model: uri(1) }));
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 5000);
    const res = await fetch(`${h.url}/api/ferry/v1/deployments/streamed/events?follow=true`, { signal: abort.signal });
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const chunk = await reader.read();
        if (chunk.done) assert.fail(`the stream ended before ${pattern}: ${text}`);
        text += new TextDecoder().decode(chunk.value);
      }
    };
    await until(/event: switched\n/);
    assert.match(text, /^id: \d+\nevent: created\ndata: \{.*"kind":"created"/);
    await applyOk(h, deploymentDoc('streamed', { model: uri(2) }));
    await until(/event: updated\n[\s\S]*event: switched\n/);
    const last = JSON.parse(/data: (.*)\n\n$/.exec(text)![1]!);
    assert.deepEqual([last.kind, last.data.to.version], ['switched', 2]);
    clearTimeout(timer);
    abort.abort();
    assert.equal((await h.call('GET', '/api/ferry/v1/deployments/bad%20name/events', { follow: 'true' })).status, 400);
  });

  describe('OIP at /deployments/NAME/v2/models/NAME', () => {
    it('answers under the deployment name, naming the variant, version and request id', async () => {
      const res = await h.app.inject({
        method: 'POST',
        url: '/deployments/fraud/v2/models/fraud/infer',
        payload: { id: 'req-1', inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: ROW }] },
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['x-ferry-variant'], 'stable');
      assert.equal(res.headers['x-ferry-model-version'], '1');
      assert.equal(res.headers['x-ferry-request-id'], 'req-1');
      const body = res.json();
      assert.equal(body.model_name, 'fraud');
      assert.equal(body.model_version, '1');
      assert.equal(body.id, 'req-1');
      assert.deepEqual(body.outputs[0].data, expected([0.5, 0.5]));
    });

    it('takes binary tensor data', async () => {
      const json = Buffer.from(JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], parameters: { binary_data_size: 16 } }] }));
      const res = await h.app.inject({
        method: 'POST',
        url: '/deployments/fraud/v2/models/fraud/infer',
        headers: { 'inference-header-content-length': String(json.length), 'content-type': 'application/octet-stream' },
        payload: Buffer.concat([json, Buffer.from(Float32Array.from(ROW).buffer)]),
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json().outputs[0].data, expected([0.5, 0.5]));
    });

    it('serves metadata and readiness, and pins a request to a version in the path', async () => {
      const meta = await h.call('GET', '/deployments/fraud/v2/models/fraud');
      assert.deepEqual(meta.body, {
        name: 'fraud',
        versions: ['1'],
        platform: 'onnxruntime_onnx',
        inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }],
        outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 2] }],
      });
      assert.deepEqual((await h.call('GET', '/deployments/fraud/v2/models/fraud/ready')).body, { name: 'fraud', ready: true });
      const pinned = await h.app.inject({ method: 'POST', url: '/deployments/fraud/v2/models/fraud/versions/1/infer', payload: { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: ROW }] } });
      assert.equal(pinned.statusCode, 200);
      const other = await h.call('POST', '/deployments/fraud/v2/models/fraud/versions/7/infer', { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: ROW }] });
      assert.equal(other.status, 404);
      assert.match(other.body.error, /does not serve version 7; it serves 1 \(stable\)/);
    });

    it("answers errors in OIP's shape", async () => {
      const wrongModel = await h.call('GET', '/deployments/fraud/v2/models/other');
      assert.equal(wrongModel.status, 404);
      assert.match(wrongModel.body.error, /serves model 'fraud', not 'other'/);
      const badJson = await h.app.inject({ method: 'POST', url: '/deployments/fraud/v2/models/fraud/infer', headers: { 'content-type': 'application/json' }, payload: '{"inputs": [' });
      assert.equal(badJson.statusCode, 400);
      assert.match(badJson.json().error, /Malformed JSON/);
      const badInput = await h.call('POST', '/deployments/fraud/v2/models/fraud/infer', { inputs: [{ name: 'q', datatype: 'FP32', shape: [1, 4], data: ROW }] });
      assert.equal(badInput.status, 400);
      assert.equal(typeof badInput.body.error, 'string');
      const unknown = await h.call('POST', '/deployments/ghost/v2/models/ghost/infer', { inputs: [] });
      assert.equal(unknown.status, 404);
      assert.match(unknown.body.error, /Deployment 'ghost' does not exist/);
    });
  });

  describe('the deployment name at /v2/models/NAME', () => {
    it('routes a deployment name to the deployment and leaves served models to serving', async () => {
      const res = await h.app.inject({ method: 'POST', url: '/v2/models/fraud/infer', payload: { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: ROW }] } });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['x-ferry-variant'], 'stable');
      assert.equal(res.json().model_name, 'fraud');
      assert.deepEqual((await h.call('GET', '/v2/models/fraud')).body.versions, ['1']);
      assert.deepEqual((await h.call('GET', '/v2/models/fraud/ready')).body, { name: 'fraud', ready: true });

      await h.app.services.serving.load('plain', { uri: uri(2), runtime: { thread: 'main' } });
      const plain = await h.app.inject({ method: 'POST', url: '/v2/models/plain/infer', payload: { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: ROW }] } });
      assert.equal(plain.statusCode, 200);
      assert.equal(plain.headers['x-ferry-variant'], undefined);
      assert.deepEqual(plain.json().outputs[0].data, expected([10, 20]));
      assert.equal((await h.call('POST', '/v2/models/nothing/infer', { inputs: [] })).status, 404);
    });

    it('points binary tensor data at the deployment path', async () => {
      const json = Buffer.from(JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], parameters: { binary_data_size: 16 } }] }));
      const res = await h.app.inject({
        method: 'POST',
        url: '/v2/models/fraud/infer',
        headers: { 'inference-header-content-length': String(json.length), 'content-type': 'application/octet-stream' },
        payload: Buffer.concat([json, Buffer.from(Float32Array.from(ROW).buffer)]),
      });
      assert.equal(res.statusCode, 400);
      assert.match(res.json().error, /\/deployments\/fraud\/v2\/models\/fraud\/infer/);
    });
  });

  describe('MLflow scoring', () => {
    it('answers at /deployments/NAME/invocations and /models/NAME/invocations', async () => {
      for (const url of ['/deployments/fraud/invocations', '/models/fraud/invocations']) {
        const res = await h.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ inputs: [ROW] }) });
        assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
        assert.equal(res.headers['x-ferry-variant'], 'stable');
        assert.deepEqual(res.json().predictions, { y: [expected([0.5, 0.5])] });
      }
      const instances = await h.app.inject({ method: 'POST', url: '/deployments/fraud/invocations', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ instances: [ROW, ROW] }) });
      assert.equal(instances.statusCode, 200, instances.body);
      assert.equal(instances.json().predictions.y.length, 2);
      const bad = await h.app.inject({ method: 'POST', url: '/deployments/fraud/invocations', headers: { 'content-type': 'application/json' }, payload: '{"nope": 1}' });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error_code, 'BAD_REQUEST');
      const type = await h.app.inject({ method: 'POST', url: '/deployments/fraud/invocations', headers: { 'content-type': 'text/plain' }, payload: 'x' });
      assert.equal(type.statusCode, 415);
    });
  });

  describe('A/B', () => {
    before(async () => {
      await applyOk(
        h,
        deploymentDoc('ab', { strategy: 'ab', variants: [{ name: 'control', model: uri(1), weight: 50 }, { name: 'treatment', model: uri(2), weight: 50 }] }),
      );
    });

    it('keeps one user on one arm for every request', async () => {
      const first = await inferOnce(h, 'ab', ROW, { 'x-ferry-user': 'user-17' });
      const answers = await traffic(h, 'ab', { max: 1000, concurrency: 16, headers: () => ({ 'x-ferry-user': 'user-17' }) });
      assert.equal(answers.length, 1000);
      assert.deepEqual([...new Set(answers.map((a) => a.variant))], [first.variant]);
      const bias = first.variant === 'control' ? [0.5, 0.5] : [10, 20];
      assert.deepEqual(first.body.outputs[0].data, expected(bias));
    });

    it('splits many users close to the weights', async () => {
      const counts: Record<string, number> = { control: 0, treatment: 0 };
      for (const a of await traffic(h, 'ab', { max: 1000, concurrency: 16, headers: (i) => ({ 'x-ferry-user': `user-${i}` }) })) counts[a.variant!]!++;
      assert.ok(Math.abs(counts.control! - 500) < 60, JSON.stringify(counts));
    });
  });

  describe('shadow', () => {
    it("answers with stable's output while the shadow's answers are compared", async () => {
      await applyOk(h, deploymentDoc('shadowed', { strategy: 'shadow', model: uri(1), shadow: { model: uri(2) } }));
      for (let i = 0; i < 20; i++) {
        const a = await inferOnce(h, 'shadowed');
        assert.equal(a.variant, 'stable');
        assert.deepEqual(a.body.outputs[0].data, expected([0.5, 0.5]));
      }
      const shadow = await eventually(async () => {
        const s = (await h.call('GET', '/api/ferry/v1/deployments/shadowed/rollout')).body.shadow;
        return s.compared === 20 ? s : undefined;
      });
      assert.equal(shadow.mirrored, 20);
      assert.equal(shadow.mismatchRate, 1);
      // Biases 0.5, 0.5 against 10, 20: the outputs differ by 9.5 and 19.5.
      assert.ok(Math.abs(shadow.meanAbsDiff - 14.5) < 1e-4, String(shadow.meanAbsDiff));
      assert.equal(shadow.shadowErrors, 0);
    });

    it('never makes the caller wait for a slow shadow', async () => {
      await applyOk(h, deploymentDoc('slow-shadow', { strategy: 'shadow', model: uri(1), shadow: { model: uri(3), tolerance: 0.001 } }));
      const started = Date.now();
      const answers = await Promise.all(Array.from({ length: 10 }, () => inferOnce(h, 'slow-shadow')));
      const took = Date.now() - started;
      assert.ok(answers.every((a) => a.status === 200 && a.variant === 'stable'));
      assert.ok(took < 300, `10 requests took ${took} ms; the shadow takes 600 ms each`);
      const shadow = await eventually(async () => {
        const s = (await h.call('GET', '/api/ferry/v1/deployments/slow-shadow/rollout')).body.shadow;
        return s.compared === 10 ? s : undefined;
      });
      assert.equal(shadow.mismatchRate, 0, 'the same weights answer the same');
      assert.ok(shadow.shadowP99Ms >= 570, String(shadow.shadowP99Ms));
      assert.ok(shadow.stableP99Ms < 300, String(shadow.stableP99Ms));
    });
  });
});
