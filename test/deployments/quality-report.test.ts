import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LabelledPrediction } from '../../src/deployments/feedback-store.js';
import { parseMetric, qualitySeries, toScored } from '../../src/deployments/quality-report.js';

const outputs = (data: unknown[], shape = [1, data.length], name = 'y') => JSON.stringify([{ name, datatype: 'FP32', shape, data }]);

function row(variant: string, version: number, at: number, data: unknown[], label: unknown): LabelledPrediction {
  return { requestId: `${variant}-${at}`, variant, role: 'stable', model: 'm', version, at, outputs: outputs(data), label: JSON.stringify(label) };
}

describe('quality report', () => {
  describe('toScored', () => {
    it('reads a classifier’s class from its scores, a probability, or a label', () => {
      assert.deepEqual(toScored({ outputs: outputs([0.2, 0.8]), label: '1' }, { task: 'classification' }), { label: 1, predicted: 1, score: 0.8 });
      assert.deepEqual(toScored({ outputs: outputs([0.1, 0.7, 0.2]), label: '2' }, { task: 'classification' }), { label: 2, predicted: 1 });
      assert.deepEqual(toScored({ outputs: outputs([0.3], [1]), label: 'false' }, { task: 'classification' }), { label: 0, predicted: 0, score: 0.3 });
      assert.deepEqual(toScored({ outputs: outputs([2], [1]), label: '2' }, { task: 'classification' }), { label: 2, predicted: 2, score: 2 });
    });

    it('reads the first row of a batch, and the output named', () => {
      const two = JSON.stringify([
        { name: 'a', datatype: 'FP32', shape: [2, 1], data: [5, 6] },
        { name: 'b', datatype: 'FP32', shape: [2, 2], data: [1, 0, 0, 1] },
      ]);
      assert.deepEqual(toScored({ outputs: two, label: '4' }, { task: 'regression' }), { label: 4, predicted: 5 });
      assert.deepEqual(toScored({ outputs: two, label: '0' }, { task: 'classification', output: 'b' }), { label: 0, predicted: 0, score: 0 });
      assert.equal(toScored({ outputs: two, label: '0' }, { task: 'classification', output: 'c' }), undefined);
    });

    it('cannot score a regressor against a label that is not a number', () => {
      assert.equal(toScored({ outputs: outputs([1.5], [1]), label: '"high"' }, { task: 'regression' }), undefined);
    });
  });

  describe('qualitySeries', () => {
    it('computes the metric per version in windows aligned to the epoch', () => {
      const H = 3_600_000;
      const t0 = 1000 * H;
      const rows = [
        row('stable', 1, t0 + 1, [1.0], 1.5),
        row('stable', 1, t0 + 2, [2.0], 2.0),
        row('stable', 1, t0 + H + 5, [3.0], 1.0),
        row('canary', 2, t0 + 3, [1.0], 1.25),
        { ...row('canary', 2, t0 + 4, [1.0], 1), outputs: 'not json' },
      ];
      const s = qualitySeries(rows, 'mae', H);
      assert.equal(s.task, 'regression');
      assert.equal(s.unscored, 1);
      assert.deepEqual(s.points, [
        { variant: 'canary', version: 2, windowStart: t0, count: 1, value: 0.25 },
        { variant: 'stable', version: 1, windowStart: t0, count: 2, value: 0.25 },
        { variant: 'stable', version: 1, windowStart: t0 + H, count: 1, value: 2 },
      ]);
      assert.deepEqual(s.overall.find((o) => o.variant === 'stable'), { variant: 'stable', version: 1, count: 3, value: 2.5 / 3 });
    });

    it('reports an undefined metric as null', () => {
      const s = qualitySeries([row('stable', 1, 0, [0.2, 0.8], 1)], 'auc', 60_000);
      assert.equal(s.points[0]!.value, null);
    });
  });

  describe('parseMetric', () => {
    it('defaults to accuracy and lists the metrics for an unknown one', () => {
      assert.equal(parseMetric(undefined), 'accuracy');
      assert.throws(() => parseMetric('speed'), /metric must be one of accuracy, precision, recall, f1, auc, mae, rmse/);
    });
  });
});
