import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { DeploymentStore } from '../../src/deployments/deployment-store.js';
import type { Deployment } from '../../src/deployments/deployment-types.js';
import { AuditLog } from '../../src/registry/audit-log.js';
import { describeEachDatabase } from '../helpers/test-databases.js';

function buildDeployment(name: string, overrides: Partial<Deployment> = {}): Deployment {
  return {
    name,
    spec: { strategy: 'direct', model: 'models:/m/1', previousRetention: '10m', warmup: true },
    status: { phase: 'ready', message: 'serving models:/m/1', variants: [{ name: 'stable', role: 'stable', model: 'm', version: 1, weight: 100 }], observedGeneration: 1, updatedAt: 1000 },
    generation: 1,
    createdAt: 1000,
    createdBy: 'alice',
    updatedAt: 1000,
    updatedBy: 'alice',
    ...overrides,
  };
}

describeEachDatabase('DeploymentStore', (getDatabase) => {
  let store: DeploymentStore;
  let audit: AuditLog;
  before(async () => {
    audit = new AuditLog(getDatabase());
    store = new DeploymentStore(getDatabase(), audit);
  });

  it('saves, reads back, replaces and lists deployments with their spec and status', async () => {
    await store.save(buildDeployment('b-store'));
    await store.save(buildDeployment('a-store', { description: 'first' }));
    const a = await store.get('a-store');
    assert.deepEqual(a, buildDeployment('a-store', { description: 'first' }));
    const promoted = buildDeployment('a-store', { generation: 2, updatedBy: 'bob', status: { ...a!.status, phase: 'rolled_back', previous: { model: 'm', version: 0, retainedUntil: null } } });
    await store.save(promoted);
    assert.deepEqual(await store.get('a-store'), promoted);
    assert.deepEqual((await store.list()).filter((d) => d.name.endsWith('-store')).map((d) => d.name), ['a-store', 'b-store']);
    assert.equal(await store.get('missing'), undefined);
  });

  it('records transitions with their numbers in order, keeps them after deletion, and copies them to the audit log', async () => {
    const analysis = { verdict: 'fail', canary: { requests: 40, errors: 40 } };
    const saved = await store.save(buildDeployment('events-store'), [
      { deployment: 'events-store', at: 1, actor: 'alice', kind: 'created', message: 'direct deployment', data: {} },
      { deployment: 'events-store', at: 2, actor: 'ferry-rollout-controller', kind: 'rolled_back', message: 'error rate 100 %', data: { analysis } },
    ]);
    assert.deepEqual(saved.map((e) => e.kind), ['created', 'rolled_back']);
    assert.ok(saved[1]!.id > saved[0]!.id);
    await store.delete('events-store', [{ deployment: 'events-store', at: 3, actor: 'bob', kind: 'deleted', message: 'deleted by bob', data: {} }]);
    assert.equal(await store.get('events-store'), undefined);
    const events = await store.events('events-store');
    assert.deepEqual(events.map((e) => [e.kind, e.actor]), [['created', 'alice'], ['rolled_back', 'ferry-rollout-controller'], ['deleted', 'bob']]);
    assert.deepEqual(events[1]!.data, { analysis });
    assert.deepEqual((await store.events('events-store', { afterId: events[1]!.id })).map((e) => e.kind), ['deleted']);
    const rows = (await audit.list()).items.filter((e) => e.entityName === 'deployments/events-store');
    assert.deepEqual(rows.map((r) => r.action), ['deployment_created', 'deployment_rolled_back', 'deployment_deleted']);
    assert.deepEqual((rows[1]!.after as { analysis: unknown }).analysis, analysis);
  });
});
