import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';
import {
  applyOk,
  deploymentDoc,
  eventually,
  inferOnce,
  linearPackage,
  openDeploymentHarness,
  registerVersions,
  traffic,
  type DeploymentHarness,
} from './deployment-fixtures.js';

const sqlite = testDatabaseKinds().find((k) => k.name === 'sqlite')!;

for (const kind of testDatabaseKinds()) {
  describe(`DeploymentService (${kind.name})`, () => {
    let h: DeploymentHarness;
    let model: string;
    const uri = (v: number) => `models:/${model}/${v}`;

    before(async () => {
      h = await openDeploymentHarness(kind);
      model = await registerVersions(h, 'svc', [linearPackage(), linearPackage({ bias: [10, 20] })]);
    });
    after(async () => {
      await h.close();
    });

    it('applies idempotently: created, unchanged, configured with the diff; a dry run changes nothing', async () => {
      const doc = deploymentDoc('applied', { strategy: 'canary', model: uri(1) });
      const created = await applyOk(h, doc);
      assert.equal(created.action, 'created');
      assert.equal(created.deployment.generation, 1);
      const again = await applyOk(h, doc);
      assert.deepEqual([again.action, again.changes, again.deployment.generation], ['unchanged', [], 1]);

      const next = deploymentDoc('applied', { strategy: 'canary', model: uri(2), canary: { interval: '1h' } });
      const dry = await applyOk(h, next, true);
      assert.equal(dry.action, 'configured');
      assert.equal(dry.dryRun, true);
      assert.deepEqual(dry.changes.find((c: { path: string }) => c.path === 'spec.model'), { op: 'change', path: 'spec.model', from: uri(1), to: uri(2) });
      assert.equal(dry.deployment.status.phase, 'progressing', 'the dry run shows what would happen');
      const unchanged = (await h.call('GET', '/api/ferry/v1/deployments/applied')).body.deployment;
      assert.equal(unchanged.spec.model, uri(1));
      assert.equal(unchanged.generation, 1);
      assert.equal(h.serving.index().some((e) => e.name === `applied--${model}-v2`), false, 'a dry run loads nothing');

      const configured = await applyOk(h, next);
      assert.equal(configured.action, 'configured');
      assert.equal(configured.deployment.generation, 2);
      assert.equal((await applyOk(h, next)).action, 'unchanged');
      const kinds = (await h.call('GET', '/api/ferry/v1/deployments/applied/events')).body.events.map((e: { kind: string }) => e.kind);
      assert.deepEqual(kinds, ['created', 'switched', 'updated', 'rollout_started']);
    });

    it('resumes a stored roll-out after a restart, serving both versions again', async () => {
      await applyOk(h, deploymentDoc('resumed', { model: uri(1) }));
      await applyOk(h, deploymentDoc('resumed', { strategy: 'canary', model: uri(2), canary: { steps: [50, 100], interval: '1h' } }));
      await h.stop();
      h = await openDeploymentHarness(kind, { reuse: { home: h.home, databaseUrl: h.databaseUrl } });
      const status = (await h.call('GET', '/api/ferry/v1/deployments/resumed/rollout')).body;
      assert.equal(status.deployment.status.phase, 'progressing');
      assert.equal(status.deployment.status.rollout.step, 0);
      assert.deepEqual(status.variants.map((v: { name: string; version: number; loaded: boolean }) => [v.name, v.version, v.loaded]), [['stable', 1, true], ['canary', 2, true]]);
      const versions = new Set((await traffic(h, 'resumed', { max: 60 })).map((a) => a.version));
      assert.deepEqual([...versions].sort(), ['1', '2']);
      assert.ok(status.deployment.status.rollout.nextAnalysisAt > Date.now() + 59 * 60_000, 'the step window restarts');
    });
  });
}

describe('DeploymentService (sqlite)', () => {
  let h: DeploymentHarness;
  let model: string;
  const uri = (v: number) => `models:/${model}/${v}`;

  before(async () => {
    h = await openDeploymentHarness(sqlite);
    model = await registerVersions(h, 'svc', [
      linearPackage({ delayMs: 3 }),
      linearPackage({ bias: [10, 20], delayMs: 3 }),
      linearPackage({ example: [[1, 2, 3, 4]] }),
      linearPackage({ example: [[1, 2, 3]] }),
      linearPackage({ delayMs: 300 }),
    ]);
  });
  after(async () => {
    await h.close();
  });

  it('switches versions under concurrent load without a failed request, in-flight requests finishing on the old version', async () => {
    await applyOk(h, deploymentDoc('switching', { model: uri(1), previousRetention: '0s' }));
    let stop = false;
    const load = traffic(h, 'switching', { until: () => stop, max: 1_000_000, concurrency: 16 });
    for (const v of [2, 1, 2, 1, 2]) {
      await new Promise((r) => setTimeout(r, 40));
      await applyOk(h, deploymentDoc('switching', { model: uri(v), previousRetention: '0s' }));
    }
    await new Promise((r) => setTimeout(r, 40));
    stop = true;
    const answers = await load;
    assert.deepEqual(answers.filter((a) => a.status !== 200), []);
    assert.ok(answers.length > 100, `${answers.length} requests`);
    assert.deepEqual([...new Set(answers.map((a) => a.version))].sort(), ['1', '2']);
    // Released once their requests finished: only the version serving now stays loaded.
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(h.serving.index(true).filter((e) => e.name.startsWith('switching--')).map((e) => e.version), ['2']);
  });

  it('lets a request in flight finish on the version that took it, then unloads that version', async () => {
    await applyOk(h, deploymentDoc('in-flight', { model: uri(5), warmup: false, previousRetention: '0s' }));
    const slow = inferOnce(h, 'in-flight');
    await new Promise((r) => setTimeout(r, 50));
    await applyOk(h, deploymentDoc('in-flight', { model: uri(2), previousRetention: '0s' }));
    assert.equal((await inferOnce(h, 'in-flight')).version, '2', 'new requests go to the new version at once');
    const old = await slow;
    assert.equal(old.status, 200);
    assert.equal(old.version, '5');
    await eventually(() => (h.serving.index(true).some((e) => e.name === `in-flight--${model}-v5`) ? undefined : true));
  });

  it('warms a new version on its input example before it gets traffic', async () => {
    await applyOk(h, deploymentDoc('warm', { model: uri(3) }));
    const [stats] = h.serving.statistics(`warm--${model}-v3`);
    assert.equal(stats!.inferenceCount, 1, 'one warm-up inference, no traffic yet');
    assert.equal((await inferOnce(h, 'warm')).status, 200);
  });

  it('refuses a version that fails its warm-up, and keeps serving the old one', async () => {
    await applyOk(h, deploymentDoc('refused', { model: uri(1) }));
    const badExample = await h.call('PUT', '/api/ferry/v1/deployments/refused', deploymentDoc('refused', { model: uri(4) }));
    assert.equal(badExample.status, 400);
    assert.match(badExample.body.error.message, /\/4 failed its warm-up inference on its input example/);
    const d = (await h.call('GET', '/api/ferry/v1/deployments/refused')).body.deployment;
    assert.equal(d.spec.model, uri(1));
    assert.equal(d.generation, 1);
    assert.equal((await inferOnce(h, 'refused')).version, '1');
  });

  it('answers bad requests with 400 naming the field, 404 and 409 where they belong', async () => {
    const put = (name: string, body: unknown) => h.call('PUT', `/api/ferry/v1/deployments/${name}`, body);
    const steps = await put('bad', deploymentDoc('bad', { strategy: 'canary', model: uri(1), canary: { steps: [50, 10] } }));
    assert.equal(steps.status, 400);
    assert.equal(steps.body.error.code, 'INVALID_ARGUMENT');
    assert.equal(steps.body.error.details.field, 'spec.canary.steps[1]');
    assert.match(steps.body.error.message, /^spec\.canary\.steps\[1\]: must be greater than the step before it \(50\), got 10\.$/);
    const missing = await put('bad', deploymentDoc('bad', { model: uri(99) }));
    assert.equal(missing.status, 400);
    assert.match(missing.body.error.message, /^spec\.model: models:\/.*\/99 is not in the registry/);
    const typo = await put('bad', { metadata: { name: 'bad' }, spec: { model: uri(1), strategey: 'ab' } });
    assert.equal(typo.body.error.details.field, 'spec.strategey');
    assert.equal((await put('bad', [1, 2])).status, 400);
    assert.equal((await h.call('PUT', '/api/ferry/v1/deployments/bad?dry_run=maybe', deploymentDoc('bad', { model: uri(1) }))).status, 400);
    assert.equal((await h.call('GET', '/api/ferry/v1/deployments/bad')).status, 404);

    assert.equal((await h.call('POST', '/api/ferry/v1/deployments', deploymentDoc('posted', { model: uri(1) }))).status, 201);
    const twice = await h.call('POST', '/api/ferry/v1/deployments', deploymentDoc('posted', { model: uri(1) }));
    assert.equal(twice.status, 409);
    await h.serving.load('taken', { uri: uri(1) });
    const taken = await put('taken', deploymentDoc('taken', { model: uri(1) }));
    assert.equal(taken.status, 409);
    assert.match(taken.body.error.message, /already served as 'taken'/);
  });

  it('lists and deletes deployments; a deleted one stops answering, unloads, and keeps its history', async () => {
    await applyOk(h, deploymentDoc('doomed', { model: uri(2) }));
    const names = (await h.call('GET', '/api/ferry/v1/deployments')).body.deployments.map((d: { name: string }) => d.name);
    assert.ok(names.includes('doomed') && names.includes('switching'));
    assert.equal((await h.call('DELETE', '/api/ferry/v1/deployments/doomed', { user_id: 'carol' })).status, 200);
    assert.equal((await inferOnce(h, 'doomed')).status, 404);
    assert.equal((await h.call('DELETE', '/api/ferry/v1/deployments/doomed')).status, 404);
    const events = (await h.call('GET', '/api/ferry/v1/deployments/doomed/events')).body.events;
    assert.deepEqual(events.map((e: { kind: string; actor: string }) => [e.kind, e.actor]).at(-1), ['deleted', 'carol']);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(h.serving.index(true).some((e) => e.name === `doomed--${model}-v2`), false);
  });

  it('records each transition in the audit log and posts it to the webhook', async () => {
    const received: Array<{ event: { kind: string; deployment: string } }> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const webhook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      await applyOk(h, deploymentDoc('hooked', { model: uri(1), webhook }));
      await applyOk(h, deploymentDoc('hooked', { model: uri(2), webhook }));
      const kinds = await eventually(() => (received.length === 4 ? received.map((r) => r.event.kind) : undefined));
      assert.deepEqual(kinds.sort(), ['created', 'switched', 'switched', 'updated']);
      const audit = await h.call('GET', '/api/ferry/v1/audit', { model: 'deployments/hooked' });
      assert.equal(audit.status, 200);
      assert.deepEqual(audit.body.entries.map((e: { action: string }) => e.action), ['deployment_created', 'deployment_switched', 'deployment_updated', 'deployment_switched']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('marks a deployment failed when its version no longer loads at startup, and serves the others', async () => {
    const other = await registerVersions(h, 'gone', [linearPackage()]);
    await applyOk(h, deploymentDoc('orphan', { model: `models:/${other}/1` }));
    await applyOk(h, deploymentDoc('survivor', { model: uri(3) }));
    await h.stop();
    h = await openDeploymentHarness(sqlite, {
      reuse: { home: h.home, databaseUrl: h.databaseUrl },
      // Nothing serves the version between the two processes, so the registry lets it go.
      beforeStart: async (services) => services.registry.versions.delete(other, '1', { actor: 'test' }),
    });
    const status = (await h.call('GET', '/api/ferry/v1/deployments/orphan')).body.deployment.status;
    assert.equal(status.phase, 'failed');
    assert.match(status.message, /^versions failed to load at startup: /);
    const answer = await inferOnce(h, 'orphan');
    assert.equal(answer.status, 503);
    assert.match(answer.body.error, /is not loaded/);
    assert.equal((await inferOnce(h, 'survivor')).status, 200);
    const kinds = (await h.call('GET', '/api/ferry/v1/deployments/orphan/events')).body.events.map((e: { kind: string }) => e.kind);
    assert.equal(kinds.at(-1), 'load_failed');
  });
});
