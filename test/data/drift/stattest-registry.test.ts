import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STATTESTS, STATTEST_NAMES, isStatTestName } from '../../../src/data/drift/stattest-registry.js';

describe('STATTESTS', () => {
  it("carries Evidently's default thresholds", () => {
    const thresholds = Object.fromEntries(STATTEST_NAMES.map((n) => [n, STATTESTS[n].defaultThreshold]));
    assert.deepEqual(thresholds, {
      ks: 0.05,
      chisquare: 0.05,
      z: 0.05,
      wasserstein: 0.1,
      jensenshannon: 0.1,
      psi: 0.1,
      kl_div: 0.1,
    });
  });

  it('flags ks at p <= threshold but chisquare and z only at p < threshold', () => {
    assert.equal(STATTESTS.ks.isDrift(0.05, 0.05), true);
    assert.equal(STATTESTS.chisquare.isDrift(0.05, 0.05), false);
    assert.equal(STATTESTS.z.isDrift(0.05, 0.05), false);
    assert.equal(STATTESTS.z.isDrift(0.049, 0.05), true);
  });

  it('flags distances at or above the threshold', () => {
    for (const name of ['wasserstein', 'jensenshannon', 'psi', 'kl_div'] as const) {
      assert.equal(STATTESTS[name].isDrift(0.1, 0.1), true, name);
      assert.equal(STATTESTS[name].isDrift(0.0999, 0.1), false, name);
    }
  });
});

describe('isStatTestName', () => {
  it('knows the registered names only', () => {
    assert.equal(isStatTestName('kl_div'), true);
    assert.equal(isStatTestName('anderson'), false);
    assert.equal(isStatTestName('toString'), false);
  });
});
