import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultStatTest } from '../../../src/data/drift/default-stattest.js';

describe('defaultStatTest', () => {
  it("follows Evidently's choice on small data (reference rows <= 1000)", () => {
    assert.equal(defaultStatTest('numerical', 1000, 6), 'ks');
    assert.equal(defaultStatTest('numerical', 10, 5), 'chisquare');
    assert.equal(defaultStatTest('numerical', 10, 3), 'chisquare');
    assert.equal(defaultStatTest('numerical', 10, 2), 'z');
    assert.equal(defaultStatTest('numerical', 10, 1), 'z');
    assert.equal(defaultStatTest('categorical', 1000, 40), 'chisquare');
    assert.equal(defaultStatTest('categorical', 1000, 2), 'z');
  });

  it("follows Evidently's choice on large data (reference rows > 1000)", () => {
    assert.equal(defaultStatTest('numerical', 1001, 6), 'wasserstein');
    assert.equal(defaultStatTest('numerical', 1001, 5), 'jensenshannon');
    assert.equal(defaultStatTest('categorical', 1001, 2), 'jensenshannon');
    assert.equal(defaultStatTest('categorical', 100000, 500), 'jensenshannon');
  });
});
