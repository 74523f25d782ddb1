import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDeploymentDocument } from '../../src/deployments/deployment-spec.js';
import { diffDocuments, formatChange } from '../../src/deployments/spec-diff.js';

const parse = (spec: Record<string, unknown>) => parseDeploymentDocument({ metadata: { name: 'fraud' }, spec });

describe('spec-diff', () => {
  describe('diffDocuments', () => {
    it('lists every field of a new deployment as added', () => {
      const changes = diffDocuments(undefined, parse({ model: 'models:/m/1' }));
      assert.deepEqual(
        changes.map((c) => `${c.op} ${c.path}`),
        ['add metadata.name', 'add spec.strategy', 'add spec.previousRetention', 'add spec.warmup', 'add spec.model'],
      );
    });

    it('finds no change when only defaults were written out', () => {
      assert.deepEqual(diffDocuments(parse({ model: 'models:/m/1' }), parse({ model: 'models:/m/1', strategy: 'direct', warmup: true, previousRetention: '10m' })), []);
    });

    it('reports changed, added and removed fields, lists of objects by index', () => {
      const before = parse({ strategy: 'ab', variants: [{ name: 'a', model: 'models:/m/1', weight: 50 }, { name: 'b', model: 'models:/m/2', weight: 50 }] });
      const after = parse({ strategy: 'ab', stickyHeader: 'x-user', variants: [{ name: 'a', model: 'models:/m/1', weight: 80 }, { name: 'b', model: 'models:/m/2', weight: 20 }] });
      const lines = diffDocuments(before, after).map(formatChange);
      assert.deepEqual(lines, ['~ spec.variants[0].weight: 50 → 80', '~ spec.variants[1].weight: 50 → 20', '~ spec.stickyHeader: x-ferry-user → x-user']);
      const direct = diffDocuments(parse({ strategy: 'canary', model: 'models:/m/1', canary: { steps: [10, 100] } }), parse({ model: 'models:/m/2' })).map(formatChange);
      assert.ok(direct.includes('~ spec.model: models:/m/1 → models:/m/2'), direct.join('\n'));
      assert.ok(direct.includes('- spec.canary.steps: [10,100]'), direct.join('\n'));
    });
  });
});
