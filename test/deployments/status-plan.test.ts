import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDeploymentDocument } from '../../src/deployments/deployment-spec.js';
import { neededRefs, planStatus } from '../../src/deployments/status-plan.js';

const spec = (s: Record<string, unknown>) => parseDeploymentDocument({ metadata: { name: 'd' }, spec: s }).spec;
const NOW = 1_000_000;
const versions = (status: { variants: Array<{ name: string; version: number; weight: number }> }) => status.variants.map((v) => `${v.name}:v${v.version}:${v.weight}`);

describe('status-plan', () => {
  describe('planStatus', () => {
    it('serves the first version of a canary deployment at once: there is nothing to compare with', () => {
      const { status, events } = planStatus(undefined, spec({ strategy: 'canary', model: 'models:/m/1' }), 1, NOW);
      assert.deepEqual(versions(status), ['stable:v1:100']);
      assert.equal(status.phase, 'ready');
      assert.deepEqual(events.map((e) => e.kind), ['switched']);
    });

    it('starts a roll-out at the first step for a new version, and keeps its progress when only settings change', () => {
      const first = planStatus(undefined, spec({ strategy: 'canary', model: 'models:/m/1' }), 1, NOW).status;
      const started = planStatus(first, spec({ strategy: 'canary', model: 'models:/m/2', canary: { steps: [10, 50, 100], interval: '1m' } }), 2, NOW);
      assert.deepEqual(versions(started.status), ['stable:v1:90', 'canary:v2:10']);
      assert.equal(started.status.rollout!.nextAnalysisAt, NOW + 60_000);
      assert.deepEqual(started.events.map((e) => e.kind), ['rollout_started']);
      const advanced = { ...started.status, rollout: { ...started.status.rollout!, step: 1, weight: 50 } };
      const retuned = planStatus(advanced, spec({ strategy: 'canary', model: 'models:/m/2', canary: { steps: [10, 50, 100], interval: '2m', minRequests: 5 } }), 3, NOW + 1);
      assert.equal(retuned.status.rollout!.step, 1);
      assert.deepEqual(versions(retuned.status), ['stable:v1:50', 'canary:v2:50']);
      assert.equal(retuned.status.rollout!.nextAnalysisAt, NOW + 120_000);
      assert.deepEqual(retuned.events, []);
      const back = planStatus(advanced, spec({ strategy: 'canary', model: 'models:/m/1' }), 4, NOW + 2);
      assert.deepEqual(versions(back.status), ['stable:v1:100']);
      assert.equal(back.status.rollout!.state, 'aborted');
      assert.deepEqual(back.events.map((e) => e.kind), ['aborted']);
    });

    it('switches a direct deployment at once and keeps the replaced version for the retention time', () => {
      const v1 = planStatus(undefined, spec({ model: 'models:/m/1', previousRetention: '5m' }), 1, NOW).status;
      const v2 = planStatus(v1, spec({ model: 'models:/m/2', previousRetention: '5m' }), 2, NOW);
      assert.deepEqual(versions(v2.status), ['stable:v2:100']);
      assert.deepEqual(v2.status.previous, { model: 'm', version: 1, retainedUntil: NOW + 300_000 });
      assert.deepEqual(neededRefs(v2.status, NOW).map((r) => r.version), [2, 1]);
      assert.deepEqual(neededRefs(v2.status, NOW + 300_000).map((r) => r.version), [2], 'released once its retention ends');
    });

    it('adds a shadow with no traffic weight, and records an A/B split only when the arms change', () => {
      const shadowed = planStatus(undefined, spec({ strategy: 'shadow', model: 'models:/m/1', shadow: 'models:/m/2' }), 1, NOW).status;
      assert.deepEqual(versions(shadowed), ['stable:v1:100', 'shadow:v2:0']);
      const ab = spec({ strategy: 'ab', variants: [{ name: 'a', model: 'models:/m/1', weight: 50 }, { name: 'b', model: 'models:/m/2', weight: 50 }] });
      const split = planStatus(shadowed, ab, 2, NOW);
      assert.deepEqual(versions(split.status), ['a:v1:50', 'b:v2:50']);
      assert.deepEqual(split.events.map((e) => e.kind), ['switched']);
      assert.deepEqual(planStatus(split.status, ab, 3, NOW).events, []);
    });
  });
});
