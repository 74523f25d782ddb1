/**
 * The metric chart's pure parts, in Node: which steps a bucketed point
 * stands for (matching the server's grid), what the cursor readout says for
 * raw and bucketed answers, live appends keeping those spans, and the
 * columns handed to uPlot.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alignSeries, appendSeries, makeReadout, withSpans, type SeriesPoints } from '../../ui/src/components/chart-readout.js';

type RawAnswer = { min_step: number | null; max_step: number | null; bucket_width: number | null; series: SeriesPoints[] };

function series(runId: string, bucketed: boolean, x: number[], last: Array<number | null>, min = last, max = last): SeriesPoints {
  return { run_id: runId, bucketed, x, last, min, max, last_step: null };
}

/** The server's bucketing of steps lo..hi (src/tracking/metric-series.ts): bucket = floor((s - lo) * buckets / range). */
function serverBuckets(lo: number, hi: number, buckets: number): Map<number, number[]> {
  const range = hi - lo + 1;
  const out = new Map<number, number[]>();
  for (let s = lo; s <= hi; s++) {
    const b = Math.floor(((s - lo) * buckets) / range);
    out.set(b, [...(out.get(b) ?? []), s]);
  }
  return out;
}

describe('withSpans', () => {
  it("gives each bucket the steps the server put in it, whatever the float start rounds to", () => {
    for (const [lo, hi, buckets] of [
      [0, 9999, 1200],
      [0, 99, 12],
      [17, 100_016, 977],
      [3000, 8000, 1234],
      [0, 2, 1],
    ] as const) {
      const range = hi - lo + 1;
      const width = range / buckets;
      const grid = serverBuckets(lo, hi, buckets);
      const bs = [...grid.keys()];
      const answer: RawAnswer = { min_step: lo, max_step: hi, bucket_width: width, series: [series('a', true, bs.map((b) => lo + b * width), bs.map(() => 1))] };
      const s = withSpans(answer, buckets).series[0]!;
      bs.forEach((b, i) => {
        const steps = grid.get(b)!;
        assert.deepEqual([s.first[i], s.end[i]], [steps[0], steps.at(-1)], `bucket ${b} of ${lo}..${hi} in ${buckets}`);
      });
    }
  });

  it('spans a raw point over its own step only', () => {
    const s = withSpans({ min_step: 0, max_step: 9, bucket_width: 0.01, series: [series('a', false, [0, 5, 9], [1, 2, 3])] }, 1000).series[0]!;
    assert.deepEqual(s.first, [0, 5, 9]);
    assert.deepEqual(s.end, [0, 5, 9]);
  });
});

describe('chart readout', () => {
  const spanned = (answer: RawAnswer, buckets: number) => withSpans(answer, buckets).series;

  it('reads a raw point as its exact step and value', () => {
    const read = makeReadout(spanned({ min_step: 0, max_step: 9, bucket_width: 0.01, series: [series('a', false, [0, 1, 2], [1, 0.5, 0.30000000000000004])] }, 1000), 'step', { a: 'run-a' });
    assert.equal(read(0), 'step 0: 1');
    assert.equal(read(2), 'step 2: 0.3');
    // NaN is logged as null: the step still reads, its value as a dash.
    const nan = makeReadout(spanned({ min_step: 3, max_step: 3, bucket_width: 0.001, series: [series('a', false, [3], [null])] }, 1000), 'step', {});
    assert.equal(nan(3), 'step 3: —');
  });

  it("reads a bucket as its steps and last value, with min and max, never its fractional start", () => {
    // 10,000 steps in 1,200 buckets: bucket 119 starts at 991.666… and holds steps 992–999.
    const width = 10_000 / 1200;
    const x = 119 * width;
    const read = makeReadout(spanned({ min_step: 0, max_step: 9999, bucket_width: width, series: [series('a', true, [0, x], [2.34335, 0.2], [1.9, 0.1], [2.4, 0.3])] }, 1200), 'step', {});
    assert.equal(read(0), 'steps 0–8: last 2.34335, min 1.9, max 2.4');
    assert.equal(read(x), 'steps 992–999: last 0.2, min 0.1, max 0.3');
    assert.doesNotMatch(read(x), /\d\.\d+–|step \d+\.\d/);
  });

  it('leaves out min and max where a bucket holds one value', () => {
    const read = makeReadout(spanned({ min_step: 0, max_step: 99, bucket_width: 10, series: [series('a', true, [10], [0.5], [0.5], [0.5])] }, 10), 'step', {});
    assert.equal(read(10), 'steps 10–19: 0.5');
  });

  it('names each run, shares one header where the runs share a bucket and leaves out a run with no point there', () => {
    const answer: RawAnswer = {
      min_step: 0,
      max_step: 999,
      bucket_width: 10,
      series: [series('a', true, [0, 10], [1, 2], [0.5, 2], [1.5, 2]), series('b', true, [0], [-0.25], [-1, null], [0, null])],
    };
    const read = makeReadout(spanned(answer, 100), 'step', { a: 'run-a', b: 'run-b' });
    assert.equal(read(0), 'steps 0–9, last [min, max]: run-a 1 [0.5, 1.5] · run-b -0.25 [-1, 0]');
    assert.equal(read(10), 'steps 10–19: run-a 2');
  });

  it('gives each run its own span where a raw run and a bucketed run meet at one x', () => {
    const raw = withSpans({ min_step: 0, max_step: 99, bucket_width: 0.1, series: [series('a', false, [0, 1], [1, 2])] }, 1000).series[0]!;
    const bucketed = withSpans({ min_step: 0, max_step: 9999, bucket_width: 10, series: [series('b', true, [0], [3], [2, null], [4, null])] }, 1000).series[0]!;
    const read = makeReadout([raw, bucketed], 'step', { a: 'A', b: 'B' });
    assert.equal(read(0), 'A (step 0) 1 · B (steps 0–9) 3 [2, 4]');
  });

  it('reads wall-time buckets as a range of UTC times and relative ones in seconds', () => {
    const t0 = Date.UTC(2026, 0, 1);
    const time = makeReadout(spanned({ min_step: t0, max_step: t0 + 9999, bucket_width: 1000, series: [series('a', true, [t0 + 2000], [0.7])] }, 10), 'time', {});
    assert.equal(time(t0 + 2000), '2026-01-01 00:00:02–00:00:02.999 UTC: 0.7');
    const rawTime = makeReadout(spanned({ min_step: t0, max_step: t0 + 5, bucket_width: 0.006, series: [series('a', false, [t0 + 5], [0.7])] }, 1000), 'time', {});
    assert.equal(rawTime(t0 + 5), '2026-01-01 00:00:00.005 UTC: 0.7');
    const rel = makeReadout(spanned({ min_step: 0, max_step: 59_999, bucket_width: 500, series: [series('a', true, [1500], [0.7], [0.6], [0.8])] }, 120), 'relative', {});
    assert.equal(rel(1500), '1.5–1.999 s: last 0.7, min 0.6, max 0.8');
  });

  it('keeps spans through a live append of raw points', () => {
    const prev = withSpans({ min_step: 0, max_step: 9999, bucket_width: 10, series: [{ ...series('a', true, [0, 9990], [1, 2]), last_step: 9999 }] }, 1000);
    const next = withSpans({ min_step: 10_000, max_step: 10_001, bucket_width: 0.002, series: [{ ...series('a', false, [10_000, 10_001], [3, 4]), last_step: 10_001 }] }, 1000);
    const read = makeReadout(appendSeries(prev, next).series, 'step', {});
    assert.equal(read(9990), 'steps 9990–9999: 2');
    assert.equal(read(10_001), 'step 10001: 4');
  });
});

describe('alignSeries', () => {
  it('puts runs on the union of their x, null where a run has no point, bands after the lines', () => {
    const a = series('a', false, [0, 2, 4], [1, 2, 3], [0, 1, 2], [2, 3, 4]);
    const b = series('b', false, [1, 2], [10, null], [9, null], [11, null]);
    assert.deepEqual(alignSeries([a, b], 1), [
      [0, 1, 2, 4],
      [1, null, 2, 3],
      [null, 10, null, null],
      [2, null, 3, 4],
      [0, null, 1, 2],
    ]);
  });

  it('hands over the columns as they are when every run has the same x (one shared bucket grid)', () => {
    const a = series('a', true, [0, 8.5, 17], [1, 2, 3], [0, 1, 2], [2, 3, 4]);
    const b = series('b', true, [0, 8.5, 17], [5, null, 7], [4, null, 6], [6, null, 8]);
    const data = alignSeries([a, b], 2);
    assert.deepEqual(data, [[0, 8.5, 17], [1, 2, 3], [5, null, 7], [2, 3, 4], [0, 1, 2], [6, null, 8], [4, null, 6]]);
    // The same answer as the general path, which sorts the union.
    const c = series('c', true, [17, 0], [1, 2]);
    assert.deepEqual(alignSeries([a, c], 0), [[0, 8.5, 17], [1, 2, 3], [2, null, 1]]);
  });
});
