import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binCategorical, binNumerical } from '../../../src/data/drift/binning.js';
import { countCategories } from '../../../src/data/drift/category-counts.js';
import {
  jensenShannonDistance,
  klDivergence,
  populationStabilityIndex,
  relEntr,
} from '../../../src/data/drift/relative-entropy.js';
import { categoricalCases } from './categorical-fixtures.js';
import { assertClose } from './fixture-data.js';
import { numericalCases } from './numerical-fixtures.js';

describe('Evidently PSI, KL divergence and Jensen–Shannon distance', () => {
  for (const c of numericalCases()) {
    it(`numerical: ${c.name}`, () => {
      const filled = binNumerical(c.ref, c.cur, true);
      const raw = binNumerical(c.ref, c.cur, false);
      assert.equal(raw.reference.length, c.bins, 'bins');
      assertClose(populationStabilityIndex(filled.reference, filled.current), c.psi, 'psi');
      assertClose(klDivergence(filled.reference, filled.current), c.kl_div, 'kl_div');
      assertClose(jensenShannonDistance(raw.reference, raw.current), c.jensenshannon, 'jensenshannon');
    });
  }
  for (const c of categoricalCases()) {
    it(`categorical: ${c.name}`, () => {
      const counts = countCategories(c.ref, c.cur);
      const filled = binCategorical(counts, true);
      const raw = binCategorical(counts, false);
      assert.equal(raw.reference.length, c.bins, 'bins');
      assertClose(populationStabilityIndex(filled.reference, filled.current), c.psi, 'psi');
      assertClose(klDivergence(filled.reference, filled.current), c.kl_div, 'kl_div');
      assertClose(jensenShannonDistance(raw.reference, raw.current), c.jensenshannon, 'jensenshannon');
    });
  }
});

describe('jensenShannonDistance', () => {
  it('matches scipy.spatial.distance.jensenshannon on small cases', () => {
    assertClose(jensenShannonDistance([1, 0, 0], [0, 1, 0]), Math.sqrt(Math.log(2)), 'disjoint');
    assertClose(jensenShannonDistance([1, 0], [0.5, 0.5]), 0.46450140402245893, 'overlap');
    assert.equal(jensenShannonDistance([1, 0, 0], [1, 0, 0]), 0);
  });
});

describe('relEntr', () => {
  it('follows scipy.special.rel_entr at the edges', () => {
    assert.equal(relEntr(0, 0), 0);
    assert.equal(relEntr(0, 1), 0);
    assert.equal(relEntr(1, 0), Infinity);
    assert.equal(relEntr(-1, 1), Infinity);
  });
});
