import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countCategories } from '../../../src/data/drift/category-counts.js';
import { runStatTest } from '../../../src/data/drift/run-stattest.js';

const numerical = { type: 'numerical' as const, reference: Float64Array.of(1, 2, 3, 4), current: Float64Array.of(3, 4, 5, 6) };
const categorical = { type: 'categorical' as const, counts: countCategories(['a', 'b', 'b'], ['a', 'c']) };

describe('runStatTest', () => {
  it('reports the KS statistic beside its p-value', () => {
    const r = runStatTest('ks', numerical);
    assert.equal(r.details?.ks_statistic, 0.5);
    assert.equal(r.details?.p_value_method, 'exact');
  });

  it('runs count-based tests on numerical columns by value', () => {
    assert.ok(Number.isFinite(runStatTest('chisquare', numerical).score));
    assert.ok(Number.isFinite(runStatTest('z', numerical).score));
  });

  it('keeps an infinite chi-square statistic JSON-safe', () => {
    const r = runStatTest('chisquare', categorical);
    assert.equal(r.score, 0);
    assert.equal(r.details?.chi_square, 'Infinity');
  });

  it('refuses ks and wasserstein on categorical data', () => {
    assert.throws(() => runStatTest('ks', categorical), TypeError);
    assert.throws(() => runStatTest('wasserstein', categorical), TypeError);
  });
});
