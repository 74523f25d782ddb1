import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compare, parseMetricRule, parsePolicyRules } from '../../../src/registry/governance/promotion-policy.js';

describe('promotion-policy', () => {
  describe('parseMetricRule', () => {
    it('reads each operator, signs and exponents', () => {
      assert.deepEqual(parseMetricRule('val_auc >= 0.85'), { metric: 'val_auc', op: '>=', threshold: 0.85 });
      assert.deepEqual(parseMetricRule('loss<0.2'), { metric: 'loss', op: '<', threshold: 0.2 });
      assert.deepEqual(parseMetricRule(' eval/f1 > -1e-3 '), { metric: 'eval/f1', op: '>', threshold: -0.001 });
      assert.deepEqual(parseMetricRule('epochs == 10'), { metric: 'epochs', op: '==', threshold: 10 });
      assert.deepEqual(parseMetricRule('latency_ms <= .5'), { metric: 'latency_ms', op: '<=', threshold: 0.5 });
    });

    it('refuses what it cannot read, showing the rule and the form it wants', () => {
      for (const bad of ['val_auc', 'val_auc >= high', '>= 0.85', 'a != 1', 'a >= 1 2', 'a => 1']) {
        assert.throws(() => parseMetricRule(bad), /Cannot read metric rule .*'<metric> <op> <number>'/, bad);
      }
    });
  });

  describe('parsePolicyRules', () => {
    it('fills in defaults for an empty policy', () => {
      assert.deepEqual(parsePolicyRules({}), { metrics: [], signature: 'none', approval: { required: false, approvers: [] } });
    });

    it('keeps approvers unique and in order', () => {
      assert.deepEqual(parsePolicyRules({ approval: { required: true, approvers: ['b', 'a', 'b'] } }).approval, { required: true, approvers: ['b', 'a'] });
    });

    it('refuses negative margins, non-finite thresholds and unknown fields', () => {
      assert.throws(() => parsePolicyRules({ baseline: { metric: 'a', direction: 'lower', maxRegression: -1 } }), /maxRegression must not be negative/);
      assert.throws(() => parsePolicyRules({ metrics: [{ metric: 'a', op: '>', threshold: 'NaN' }] }), /threshold must be a finite number/);
      assert.throws(() => parsePolicyRules({ metrics: [{ metric: 'a', op: '>', threshold: 1, extra: 1 }] }), /Unknown field 'extra' in metrics\[0\]/);
      assert.throws(() => parsePolicyRules({ approval: { required: true, approvers: [''] } }), /approvers\[0\]/);
      assert.throws(() => parsePolicyRules(null), /must be an object/);
    });
  });

  describe('compare', () => {
    it('never passes NaN', () => {
      for (const op of ['>=', '>', '<=', '<', '=='] as const) assert.equal(compare(NaN, op, 0), false, op);
    });
  });
});
