import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { datasetDrift, detectDrift } from '../../../src/data/drift/detect-drift.js';
import type { ColumnDrift, DriftScalar } from '../../../src/data/drift/drift-types.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { assertClose, loadFixture, materialize, type FixtureNumber } from './fixture-data.js';

interface FrameFixture {
  reference: Record<string, (DriftScalar | 'inf' | '-inf')[]>;
  current: Record<string, (DriftScalar | 'inf' | '-inf')[]>;
  columns: { column: string; type: string; method: string; statistic: FixtureNumber; drifted: boolean }[];
  dataset: { share: number; dataset_drift: boolean };
}

function decode(frame: FrameFixture['reference']): Record<string, DriftScalar[]> {
  const out: Record<string, DriftScalar[]> = {};
  for (const [name, values] of Object.entries(frame)) {
    out[name] = values.map((v) => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v));
  }
  return out;
}

function frames() {
  return {
    reference: { a: materialize({ kind: 'normal', seed: 1, n: 300, loc: 0, scale: 1 }), b: ['x', 'y', 'x'], c: [1, 2, 3] },
    current: { a: materialize({ kind: 'normal', seed: 2, n: 300, loc: 2, scale: 1 }), b: ['x', 'y', 'y'], d: [4, 5] },
  };
}

describe('detectDrift', () => {
  it('agrees column by column with Evidently defaults over SciPy (frame.json)', () => {
    const fixture = loadFixture<FrameFixture>('frame.json');
    const report = detectDrift(decode(fixture.reference), decode(fixture.current));
    assert.equal(report.columns.length, fixture.columns.length);
    for (const expected of fixture.columns) {
      const actual = report.columns.find((c) => c.column === expected.column);
      assert.ok(actual?.computed, expected.column);
      assert.equal(actual.type, expected.type, expected.column);
      assert.equal(actual.method, expected.method, expected.column);
      assertClose(actual.statistic, expected.statistic, expected.column);
      assert.equal(actual.drifted, expected.drifted, expected.column);
    }
    assert.equal(report.dataset.share, fixture.dataset.share);
    assert.equal(report.dataset.dataset_drift, fixture.dataset.dataset_drift);
  });

  it('reports columns missing on one side and leaves them out of the share', () => {
    const { reference, current } = frames();
    const report = detectDrift(reference, current);
    assert.deepEqual(
      report.columns.map((c) => [c.column, c.computed]),
      [
        ['a', true],
        ['b', true],
        ['c', false],
        ['d', false],
      ],
    );
    assert.deepEqual(report.dataset, {
      number_of_columns: 4,
      computed_columns: 2,
      drifted_columns: 1,
      share: 0.5,
      drift_share: 0.5,
      dataset_drift: true,
    });
  });

  it('honours a column list, a global test and per-column overrides', () => {
    const { reference, current } = frames();
    const report = detectDrift(reference, current, {
      columns: ['a', 'b'],
      stattest: 'psi',
      threshold: 0.2,
      perColumn: { b: { stattest: 'jensenshannon', threshold: 0.5 } },
    });
    const [a, b] = report.columns as [ColumnDrift, ColumnDrift];
    assert.ok(a.computed && b.computed);
    assert.deepEqual([a.method, a.threshold, b.method, b.threshold], ['psi', 0.2, 'jensenshannon', 0.5]);
  });

  it('applies the drift share threshold', () => {
    const { reference, current } = frames();
    assert.equal(detectDrift(reference, current, { driftShare: 0.6 }).dataset.dataset_drift, false);
    assert.equal(detectDrift(reference, current, { driftShare: 0.5 }).dataset.dataset_drift, true);
  });

  it('takes Maps and typed arrays as a columnar reader would give them', () => {
    const ref = new Map([['v', Float64Array.from(materialize({ kind: 'uniform', seed: 3, n: 2000, lo: 0, hi: 1 }))]]);
    const cur = new Map([['v', Float64Array.from(materialize({ kind: 'uniform', seed: 4, n: 2000, lo: 0, hi: 1 }))]]);
    const [column] = detectDrift(ref, cur).columns;
    assert.ok(column?.computed);
    assert.equal(column.method, 'wasserstein');
    assert.equal(column.drifted, false);
  });

  it('uses declared column types', () => {
    const report = detectDrift({ n: [1, 2, 3, 1] }, { n: [1, 2, 2, 2] }, { columnTypes: { n: 'categorical' } });
    assert.equal(report.columns[0]?.type, 'categorical');
  });

  describe('bad options', () => {
    const { reference, current } = frames();
    const cases: [string, object, RegExp][] = [
      ['unknown test', { stattest: 'anderson' }, /unknown stattest "anderson" for all columns; available: ks, chisquare/],
      ['unknown per-column test', { perColumn: { a: { stattest: 'mmd' } } }, /unknown stattest "mmd" for column "a"/],
      ['negative threshold', { threshold: -1 }, /threshold for all columns must be a finite number >= 0/],
      ['NaN threshold', { perColumn: { a: { threshold: Number.NaN } } }, /threshold for column "a"/],
      ['drift share above 1', { driftShare: 1.5 }, /driftShare must be between 0 and 1/],
      ['unknown column', { columns: ['zzz'] }, /column "zzz" is in neither dataset/],
      ['per-column options for an unknown column', { perColumn: { zzz: {} } }, /unknown column "zzz"/],
      ['unknown column type', { columnTypes: { a: 'text' } }, /must be numerical or categorical/],
    ];
    for (const [name, options, message] of cases) {
      it(`rejects ${name} before reading data`, () => {
        assert.throws(() => detectDrift(reference, current, options as never), (e: unknown) => {
          assert.ok(e instanceof InvalidArgumentError);
          assert.match(e.message, message);
          return true;
        });
      });
    }
  });
});

describe('datasetDrift', () => {
  it('is no drift, with share 0, when no column was computed', () => {
    const columns: ColumnDrift[] = [{ column: 'x', computed: false, type: null, reason: 'not computed: column is only in current' }];
    assert.deepEqual(datasetDrift(columns), {
      number_of_columns: 1,
      computed_columns: 0,
      drifted_columns: 0,
      share: 0,
      drift_share: 0.5,
      dataset_drift: false,
    });
  });
});
