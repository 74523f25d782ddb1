import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';
import { applyOk, deploymentDoc, inferOnce, linearPackage, openDeploymentHarness, registerVersions, type DeploymentHarness } from './deployment-fixtures.js';

const sqlite = testDatabaseKinds().find((k) => k.name === 'sqlite')!;
const BASE = '/api/ferry/v1/deployments';

/** The class a two-score answer predicts. */
const argmax = (scores: number[]) => (scores[1]! > scores[0]! ? 1 : 0);

describe('feedback routes', () => {
  let h: DeploymentHarness;
  let model: string;
  /** Request id → predicted class, of the requests sent to 'scored'. */
  const predicted = new Map<string, number>();

  before(async () => {
    h = await openDeploymentHarness(sqlite);
    model = await registerVersions(h, 'feedback', [linearPackage(), linearPackage({ bias: [10, -20] })]);
    await applyOk(h, deploymentDoc('scored', { model: `models:/${model}/1`, logging: { sampleRate: 1, flushInterval: '1h' } }));
    for (let i = 0; i < 8; i++) {
      const r = await inferOnce(h, 'scored', [i, 1, -i, 2], { 'x-request-id': `req-${i}` });
      assert.equal(r.status, 200);
      predicted.set(`req-${i}`, argmax(r.body.outputs[0].data));
    }
  });
  after(async () => {
    await h.close();
  });

  describe('spec.logging', () => {
    it('takes a sampling rate and flush interval, and names the field of a bad one', async () => {
      const bad = await h.call('PUT', `${BASE}/scored-bad`, deploymentDoc('scored-bad', { model: `models:/${model}/1`, logging: { sampleRate: 2 } }));
      assert.equal(bad.status, 400);
      assert.match(bad.body.error.message, /^spec\.logging\.sampleRate: must be a number from 0 to 1/);
      const typo = await h.call('PUT', `${BASE}/scored-bad`, deploymentDoc('scored-bad', { model: `models:/${model}/1`, logging: { rate: 1 } }));
      assert.match(typo.body.error.message, /^spec\.logging\.rate: unknown field/);
      const shown = await h.call('GET', `${BASE}/scored`);
      assert.deepEqual(shown.body.deployment.spec.logging, { sampleRate: 1, flushInterval: '1h' });
    });
  });

  describe('POST /deployments/:name/feedback', () => {
    it('stores one label, and counts unknown request ids in bulk without failing', async () => {
      const one = await h.call('POST', `${BASE}/scored/feedback`, { request_id: 'req-0', label: predicted.get('req-0') });
      assert.equal(one.status, 200, JSON.stringify(one.body));
      assert.deepEqual(one.body, { accepted: 1, unknown: 0, unknown_request_ids: [] });
      // Labels: right for req-0…5, wrong for req-6 and req-7; plus two ids nobody logged.
      const feedback = [...predicted].map(([id, p], i) => ({ request_id: id, label: i < 6 ? p : 1 - p }));
      const bulk = await h.call('POST', `${BASE}/scored/feedback`, { feedback: [...feedback, { request_id: 'nope-1', label: 1 }, { request_id: 'nope-2', label: true }] });
      assert.equal(bulk.status, 200, JSON.stringify(bulk.body));
      assert.deepEqual(bulk.body, { accepted: 8, unknown: 2, unknown_request_ids: ['nope-1', 'nope-2'] });
      const parts = await readdir(join(h.home, 'artifacts', 'feedback', 'deployment=scored'));
      assert.equal(parts.filter((f) => f.endsWith('.parquet')).length, 2);
    });

    it('answers 400 naming what to fix for a bad body', async () => {
      const cases: Array<[unknown, RegExp]> = [
        [[1, 2], /must be a JSON object/],
        [{ feedback: [] }, /list of 1 to/],
        [{ feedback: [{ request_id: 'a' }] }, /feedback\[0\]\.label/],
        [{ request_id: '', label: 1 }, /request_id/],
        [{ request_id: 'a', label: { x: 1 } }, /label must be/],
      ];
      for (const [body, message] of cases) {
        const r = await h.call('POST', `${BASE}/scored/feedback`, body);
        assert.equal(r.status, 400, JSON.stringify(body));
        assert.match(r.body.error.message, message);
      }
    });

    it('answers 404 for an unknown deployment', async () => {
      const r = await h.call('POST', `${BASE}/ghost/feedback`, { request_id: 'a', label: 1 });
      assert.equal(r.status, 404);
    });
  });

  describe('GET /deployments/:name/quality', () => {
    it('joins the latest labels with logged predictions, per version and window', async () => {
      const r = await h.call('GET', `${BASE}/scored/quality?metric=accuracy&window=1h`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.task, 'classification');
      // req-0 was labelled twice, both times right: 6 of 8 right.
      assert.deepEqual(r.body.overall, [{ variant: 'stable', version: 1, count: 8, value: 0.75 }]);
      assert.equal(r.body.points.reduce((s: number, p: { count: number }) => s + p.count, 0), 8);
      assert.ok(r.body.points.every((p: { windowStart: number }) => p.windowStart % 3_600_000 === 0));
    });

    it('answers 400 for an unknown metric or a bad window', async () => {
      for (const q of ['metric=bogus', 'window=soon', 'task=ranking', 'since=yesterday']) {
        const r = await h.call('GET', `${BASE}/scored/quality?${q}`);
        assert.equal(r.status, 400, q);
      }
    });
  });

  describe('GET /deployments/:name/ab-report', () => {
    it('reports the single variant and says there is nothing to compare', async () => {
      const r = await h.call('GET', `${BASE}/scored/ab-report?metric=accuracy`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.variants.length, 1);
      assert.deepEqual({ logged: r.body.variants[0].logged, labelled: r.body.variants[0].labelled, value: r.body.variants[0].value }, { logged: 8, labelled: 8, value: 0.75 });
      assert.ok(r.body.variants[0].requests >= 8);
      assert.equal(r.body.winner, null);
      assert.match(r.body.verdict, /no winner yet/);
    });
  });

  describe('GET /deployments/:name/predictions', () => {
    it('lists the latest logged predictions, newest first', async () => {
      const r = await h.call('GET', `${BASE}/scored/predictions?max_results=3`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.predictions.length, 3);
      assert.ok(r.body.predictions.every((p: { status: string; version: number }) => p.status === 'ok' && p.version === 1));
      assert.equal((await h.call('GET', `${BASE}/scored/predictions?max_results=x`)).status, 400);
    });
  });
});
