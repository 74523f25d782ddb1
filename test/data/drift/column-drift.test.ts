import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { columnDrift, type ColumnDriftRequest } from '../../../src/data/drift/column-drift.js';
import type { ColumnDrift, ComputedColumnDrift } from '../../../src/data/drift/drift-types.js';
import { ksTwoSample } from '../../../src/data/drift/ks-two-sample.js';
import { materialize } from './fixture-data.js';

function buildRequest(overrides: Partial<ColumnDriftRequest> = {}): ColumnDriftRequest {
  return {
    column: 'x',
    reference: materialize({ kind: 'normal', seed: 1, n: 200, loc: 0, scale: 1 }),
    current: materialize({ kind: 'normal', seed: 2, n: 200, loc: 0, scale: 1 }),
    ...overrides,
  };
}

function computed(result: ColumnDrift): ComputedColumnDrift {
  assert.ok(result.computed, `not computed: ${JSON.stringify(result)}`);
  return result;
}

function reason(result: ColumnDrift): string {
  assert.ok(!result.computed, `unexpectedly computed: ${JSON.stringify(result)}`);
  return result.reason;
}

describe('columnDrift', () => {
  describe('default test choice', () => {
    it('uses KS with p <= 0.05 on small numerical data', () => {
      const r = computed(columnDrift(buildRequest()));
      assert.equal(r.method, 'ks');
      assert.equal(r.stattest_name, 'K-S p_value');
      assert.equal(r.score_kind, 'p_value');
      assert.equal(r.threshold, 0.05);
      assert.equal(r.statistic, ksTwoSample(buildRequest().reference as number[], buildRequest().current as number[]).pvalue);
      assert.equal(r.drifted, r.statistic <= 0.05);
    });

    it('uses normed Wasserstein with distance >= 0.1 on large numerical data', () => {
      const r = computed(
        columnDrift(
          buildRequest({
            reference: materialize({ kind: 'normal', seed: 3, n: 1001, loc: 0, scale: 1 }),
            current: materialize({ kind: 'normal', seed: 4, n: 50, loc: 1, scale: 1 }),
          }),
        ),
      );
      assert.equal(r.method, 'wasserstein');
      assert.equal(r.threshold, 0.1);
      assert.equal(r.drifted, true);
    });

    it('counts rows after dropping nulls: 1001 rows with one null is small data', () => {
      const reference = [...materialize({ kind: 'normal', seed: 5, n: 1000, loc: 0, scale: 1 }), null];
      assert.equal(computed(columnDrift(buildRequest({ reference }))).method, 'ks');
    });

    it('uses chi-square or the Z-test on few values and Jensen–Shannon on large categorical data', () => {
      assert.equal(computed(columnDrift(buildRequest({ reference: ['a', 'b', 'c'], current: ['a', 'b'] }))).method, 'chisquare');
      assert.equal(computed(columnDrift(buildRequest({ reference: ['a', 'b'], current: ['a', 'b'] }))).method, 'z');
      assert.equal(computed(columnDrift(buildRequest({ reference: [1, 2, 3, 4, 5], current: [1, 2] }))).method, 'chisquare');
      const big = Array.from({ length: 1001 }, (_, i) => (i % 2 ? 'a' : 'b'));
      assert.equal(computed(columnDrift(buildRequest({ reference: big, current: ['a'] }))).method, 'jensenshannon');
    });
  });

  describe('overrides', () => {
    it('runs the chosen test with its own default threshold', () => {
      const r = computed(columnDrift(buildRequest({ stattest: 'psi' })));
      assert.equal(r.method, 'psi');
      assert.equal(r.stattest_name, 'PSI');
      assert.equal(r.threshold, 0.1);
      assert.equal(r.score_kind, 'distance');
    });

    it('applies a given threshold', () => {
      const base = computed(columnDrift(buildRequest()));
      const strict = computed(columnDrift(buildRequest({ threshold: base.statistic })));
      assert.equal(strict.threshold, base.statistic);
      assert.equal(strict.drifted, true, 'ks drifts at p == threshold');
      const loose = computed(columnDrift(buildRequest({ threshold: base.statistic / 2 })));
      assert.equal(loose.drifted, false);
    });

    it('refuses a test that does not apply to the column type', () => {
      assert.match(
        reason(columnDrift(buildRequest({ reference: ['a'], current: ['b'], stattest: 'ks' }))),
        /^not computed: ks does not apply to categorical columns/,
      );
      assert.match(reason(columnDrift(buildRequest({ stattest: 'chisquare' }))), /chisquare does not apply to numerical/);
    });

    it('lets a declared categorical type run chi-square on numbers', () => {
      const r = computed(
        columnDrift(buildRequest({ reference: [1, 2, 2, 3], current: [1, 1, 2, 3], declaredType: 'categorical', stattest: 'chisquare' })),
      );
      assert.equal(r.type, 'categorical');
    });
  });

  describe('bad input', () => {
    it('reports a column on one side only', () => {
      assert.equal(reason(columnDrift(buildRequest({ current: undefined }))), 'not computed: column is only in reference');
      assert.equal(reason(columnDrift(buildRequest({ reference: undefined }))), 'not computed: column is only in current');
    });

    it('reports empty and all-null columns', () => {
      assert.equal(reason(columnDrift(buildRequest({ reference: [] }))), 'not computed: reference column is empty');
      assert.equal(reason(columnDrift(buildRequest({ current: new Float64Array(0) }))), 'not computed: current column is empty');
      assert.equal(reason(columnDrift(buildRequest({ current: [null, Number.NaN, Infinity] }))), 'not computed: all values are null in current');
      assert.equal(
        reason(columnDrift(buildRequest({ reference: [null], current: [undefined] }))),
        'not computed: all values are null in reference and current',
      );
      assert.equal(reason(columnDrift(buildRequest({ reference: ['a', null], current: [null] }))), 'not computed: all values are null in current');
    });

    it('reports different types on the two sides', () => {
      assert.equal(
        reason(columnDrift(buildRequest({ current: ['a', 'b'] }))),
        'not computed: numerical in reference but categorical in current',
      );
    });

    it('reports a non-number in a column declared numerical', () => {
      assert.equal(
        reason(columnDrift(buildRequest({ current: [1, 'oops'], declaredType: 'numerical' }))),
        'not computed: non-numeric value "oops" in current of a numerical column',
      );
    });

    it('reports chi-square over a single value instead of a NaN p-value', () => {
      const r = columnDrift(buildRequest({ reference: ['a', 'a'], current: ['a'], stattest: 'chisquare' }));
      assert.equal(reason(r), 'not computed: chisquare needs at least two distinct values');
    });

    it('drops nulls and infinities before testing, as Evidently does', () => {
      const clean = computed(columnDrift(buildRequest()));
      const req = buildRequest();
      const noisy = computed(
        columnDrift({ ...req, reference: [null, ...(req.reference as number[]), Infinity], current: [...(req.current as number[]), Number.NaN, -Infinity] }),
      );
      assert.equal(noisy.statistic, clean.statistic);
      assert.equal(noisy.reference_rows, 200);
      assert.equal(noisy.current_rows, 200);
    });
  });

  it('gives p = 1 for identical constant columns', () => {
    const r = computed(columnDrift(buildRequest({ reference: [7, 7, 7], current: [7, 7] })));
    assert.equal(r.method, 'z');
    assert.equal(r.statistic, 1);
    assert.equal(r.drifted, false);
  });

  it('flags disjoint categories with chi-square p = 0', () => {
    const r = computed(columnDrift(buildRequest({ reference: ['a', 'b', 'a'], current: ['c', 'c', 'b'] })));
    assert.equal(r.method, 'chisquare');
    assert.equal(r.statistic, 0);
    assert.equal(r.drifted, true);
  });
});
