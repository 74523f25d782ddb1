import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accuracy, computeMetric, mae, precisionRecallF1, rmse, rocAuc } from '../../src/deployments/quality-metrics.js';

const close = (actual: number, expected: number, tol = 1e-12) => assert.ok(Math.abs(actual - expected) <= tol, `${actual} ≠ ${expected}`);

describe('quality metrics', () => {
  describe('accuracy', () => {
    it('is the share of predictions equal to their label', () => {
      assert.equal(accuracy([1, 0, 1, 1], [1, 1, 1, 0]), 0.5);
      assert.equal(accuracy(['cat', 'dog'], ['cat', 'dog']), 1);
      assert.ok(Number.isNaN(accuracy([], [])));
    });

    it('refuses labels and predictions of different lengths', () => {
      assert.throws(() => accuracy([1, 0], [1]), /as many predictions as labels/);
    });
  });

  describe('precisionRecallF1', () => {
    it('scores class 1 for binary labels', () => {
      // tp = 2 (i 0, 2), fp = 1 (i 1), fn = 1 (i 3)
      const r = precisionRecallF1([1, 0, 1, 1, 0], [1, 1, 1, 0, 0]);
      assert.equal(r.average, 'binary');
      close(r.precision, 2 / 3);
      close(r.recall, 2 / 3);
      close(r.f1, 2 / 3);
    });

    it('gives 0, not NaN, where nothing was predicted positive (sklearn zero_division=0)', () => {
      const r = precisionRecallF1([1, 0], [0, 0]);
      assert.deepEqual([r.precision, r.recall, r.f1], [0, 0, 0]);
    });

    it('macro-averages over every class for multiclass labels', () => {
      // class 0: p 1, r 1; class 1: p 1/2, r 1/2; class 2: p 1/2, r 1/2 (sklearn average='macro': 0.6667 each)
      const r = precisionRecallF1([0, 1, 2, 2, 1], [0, 2, 2, 1, 1]);
      assert.equal(r.average, 'macro');
      close(r.precision, 2 / 3);
      close(r.recall, 2 / 3);
      close(r.f1, 2 / 3);
    });
  });

  describe('rocAuc', () => {
    it('matches sklearn roc_auc_score', () => {
      close(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75);
    });

    it('counts tied scores as half a win', () => {
      // positives 0.5, 0.9, 0.5 against negatives 0.5, 0.2: (0.5 + 1 + 1 + 1 + 0.5 + 1) / 6
      close(rocAuc([0, 1, 0, 1, 1], [0.5, 0.5, 0.2, 0.9, 0.5]), 5 / 6);
      close(rocAuc([0, 1], [0.3, 0.3]), 0.5);
    });

    it('is NaN with one class only', () => {
      assert.ok(Number.isNaN(rocAuc([1, 1], [0.2, 0.9])));
    });
  });

  describe('mae and rmse', () => {
    it('match hand-computed values', () => {
      // errors 0.5, -1, 2, 0
      close(mae([3, 2, 7, 1], [3.5, 1, 9, 1]), 3.5 / 4);
      close(rmse([3, 2, 7, 1], [3.5, 1, 9, 1]), Math.sqrt((0.25 + 1 + 4 + 0) / 4));
    });
  });

  describe('computeMetric', () => {
    it('computes AUC from scores and leaves it undefined without them', () => {
      const rows = [
        { label: 0, predicted: 0, score: 0.1 },
        { label: 0, predicted: 0, score: 0.4 },
        { label: 1, predicted: 0, score: 0.35 },
        { label: 1, predicted: 1, score: 0.8 },
      ];
      close(computeMetric('auc', rows), 0.75);
      assert.equal(computeMetric('accuracy', rows), 0.75);
      assert.ok(Number.isNaN(computeMetric('auc', [{ label: 0, predicted: 0 }, { label: 1, predicted: 1 }])));
    });
  });
});
