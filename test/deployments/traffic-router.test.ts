import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LiveVariant } from '../../src/deployments/deployment-types.js';
import { chooseVariant, routeRequest, stableHash } from '../../src/deployments/traffic-router.js';
import { UnavailableError } from '../../src/errors.js';
import { seededRandom } from '../helpers/seeded-random.js';

const arm = (name: string, weight: number, role: LiveVariant['role'] = 'arm'): LiveVariant => ({ name, role, model: 'm', version: name.length, weight });

describe('traffic-router', () => {
  describe('stableHash', () => {
    it('maps one key to one point, in [0, 1), salted by the deployment', () => {
      assert.equal(stableHash('user-42', 'fraud'), stableHash('user-42', 'fraud'));
      assert.notEqual(stableHash('user-42', 'fraud'), stableHash('user-42', 'churn'));
      for (let i = 0; i < 1000; i++) {
        const p = stableHash(`user-${i}`, 'fraud');
        assert.ok(p >= 0 && p < 1);
      }
    });
  });

  describe('chooseVariant', () => {
    it('gives each variant its slice in order and never picks a shadow', () => {
      const variants = [arm('a', 20), arm('shadow', 0, 'shadow'), arm('bb', 80)];
      assert.equal(chooseVariant(variants, 0).name, 'a');
      assert.equal(chooseVariant(variants, 0.199).name, 'a');
      assert.equal(chooseVariant(variants, 0.2).name, 'bb');
      assert.equal(chooseVariant(variants, 0.9999).name, 'bb');
      assert.throws(() => chooseVariant([arm('shadow', 0, 'shadow')], 0.5), UnavailableError);
    });
  });

  describe('routeRequest', () => {
    it('sends one key to one variant every time', () => {
      const variants = [arm('a', 50), arm('bb', 50)];
      const first = routeRequest(variants, { key: 'user-7', salt: 'exp' }).name;
      for (let i = 0; i < 1000; i++) assert.equal(routeRequest(variants, { key: 'user-7', salt: 'exp', random: Math.random }).name, first);
    });

    it('splits many keys, and keyless requests, close to the weights', () => {
      const variants = [arm('a', 30), arm('bb', 70)];
      const byKey = { a: 0, bb: 0 } as Record<string, number>;
      for (let i = 0; i < 10_000; i++) byKey[routeRequest(variants, { key: `user-${i}`, salt: 'exp' }).name]!++;
      assert.ok(Math.abs(byKey.a! / 10_000 - 0.3) < 0.02, JSON.stringify(byKey));
      const random = seededRandom(7).next;
      const byChance = { a: 0, bb: 0 } as Record<string, number>;
      for (let i = 0; i < 10_000; i++) byChance[routeRequest(variants, { salt: 'exp', random }).name]!++;
      assert.ok(Math.abs(byChance.a! / 10_000 - 0.3) < 0.02, JSON.stringify(byChance));
    });
  });
});
