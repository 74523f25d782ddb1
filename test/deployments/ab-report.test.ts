import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildAbReport } from '../../src/deployments/ab-report.js';
import type { LabelledPrediction } from '../../src/deployments/feedback-store.js';
import { twoProportionZTest, welchTTest, moments } from '../../src/deployments/significance.js';

/** `n` labelled predictions of a classifier of which `right` are right (class scores [1-p, p]). */
function classified(variant: string, role: string, version: number, n: number, right: number): LabelledPrediction[] {
  return Array.from({ length: n }, (_, i) => ({
    requestId: `${variant}-${i}`,
    variant,
    role,
    model: 'm',
    version,
    at: 1_700_000_000_000 + i,
    outputs: JSON.stringify([{ name: 'y', datatype: 'FP32', shape: [1, 2], data: [0.2, 0.8] }]),
    label: JSON.stringify(i < right ? 1 : 0),
  }));
}

/** Regressor answers `predictions[i]` with label 0. */
function regressed(variant: string, role: string, version: number, predictions: number[]): LabelledPrediction[] {
  return predictions.map((p, i) => ({
    requestId: `${variant}-${i}`,
    variant,
    role,
    model: 'm',
    version,
    at: 1_700_000_000_000 + i,
    outputs: JSON.stringify([{ name: 'y', datatype: 'FP32', shape: [1, 1], data: [p] }]),
    label: '0',
  }));
}

const traffic = (rows: LabelledPrediction[]) => {
  const m = new Map<string, { variant: string; role: string; version: number; logged: number; errors: number }>();
  for (const r of rows) {
    const t = m.get(r.variant) ?? { variant: r.variant, role: r.role, version: r.version, logged: 0, errors: 0 };
    t.logged++;
    m.set(r.variant, t);
  }
  return [...m.values()];
};

describe('buildAbReport', () => {
  it('declares the challenger the winner when it is significantly more accurate', () => {
    const labelled = [...classified('stable', 'stable', 1, 1000, 600), ...classified('canary', 'canary', 2, 1000, 750)];
    const r = buildAbReport({ deployment: 'd', metric: 'accuracy', labelled, traffic: traffic(labelled) });
    assert.deepEqual(r.variants.map((v) => [v.variant, v.labelled, v.value]), [['stable', 1000, 0.6], ['canary', 1000, 0.75]]);
    const stable = r.variants[0]!;
    assert.ok(stable.interval!.low < 0.6 && stable.interval!.high > 0.6);
    const c = r.comparisons[0]!;
    assert.equal(c.test, 'two-proportion z-test');
    const expected = twoProportionZTest(600, 1000, 750, 1000);
    assert.equal(c.pValue, expected.pValue);
    assert.ok(c.pValue! < 1e-10);
    assert.deepEqual(r.winner, { variant: 'canary', version: 2 });
    assert.match(r.verdict, /^canary wins on accuracy \(p=/);
  });

  it('says there is no winner yet when the difference is within the noise', () => {
    const labelled = [...classified('a', 'arm', 1, 50, 30), ...classified('b', 'arm', 2, 50, 31)];
    const r = buildAbReport({ deployment: 'd', metric: 'accuracy', labelled, traffic: traffic(labelled), control: 'a' });
    assert.equal(r.winner, null);
    assert.equal(r.comparisons[0]!.significant, false);
    assert.match(r.verdict, /^no winner yet \(p=0\.\d+, need more data\)$/);
  });

  it('tests mean errors with Welch’s t-test, where lower is better', () => {
    const stable = [0.9, 1.1, 0.8, 1.3, 1.0, 1.2, 0.9, 1.1];
    const canary = [0.2, 0.4, 0.1, 0.5, 0.3, 0.6, 0.2, 0.4];
    const labelled = [...regressed('stable', 'stable', 1, stable), ...regressed('canary', 'canary', 2, canary)];
    const r = buildAbReport({ deployment: 'd', metric: 'mae', labelled, traffic: traffic(labelled) });
    const c = r.comparisons[0]!;
    assert.equal(c.test, "Welch's t-test");
    assert.equal(c.pValue, welchTTest(moments(stable), moments(canary)).pValue);
    assert.ok(c.difference! < 0);
    assert.deepEqual(r.winner, { variant: 'canary', version: 2 });
    assert.equal(r.task, 'regression');
    assert.ok(r.variants[1]!.metrics.rmse! > 0);
  });

  it('declares no winner for a metric without a test', () => {
    const labelled = [...classified('stable', 'stable', 1, 100, 60), ...classified('canary', 'canary', 2, 100, 90)];
    const r = buildAbReport({ deployment: 'd', metric: 'f1', labelled, traffic: traffic(labelled) });
    assert.equal(r.winner, null);
    assert.match(r.verdict, /no significance test for f1/);
  });
});
