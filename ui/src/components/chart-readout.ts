/**
 * A chart's points as the cursor reads them, kept apart from the drawing so
 * Node tests can check them: the steps each point stands for (a bucket's
 * range, computed as the server assigns steps to buckets), live appends that
 * keep those spans, and the readout text.
 */
// With its extension: Node's tests import this module too (tsconfig.json resolves as Node does).
import { formatValue, formatXSpan } from '../format.js';

/** One run's points as the series endpoint answers them (api.ts's LiveSeries, restated so this module needs no browser). */
export interface SeriesPoints {
  run_id: string;
  bucketed: boolean;
  x: number[];
  last: Array<number | null>;
  min: Array<number | null>;
  max: Array<number | null>;
  last_step: number | null;
}
/** The answer's grid: the range it bucketed (docs/api/series.md). */
interface Grid {
  min_step: number | null;
  max_step: number | null;
}
/** A series with what each point stands for: steps (or ms) `first[i]`..`end[i]`, one for a raw point, a bucket's for a bucketed one. */
export type SpannedSeries<S extends SeriesPoints = SeriesPoints> = S & { first: number[]; end: number[] };
type Spanned<A extends Grid & { series: SeriesPoints[] }> = Omit<A, 'series'> & { series: Array<SpannedSeries<A['series'][number]>> };

/**
 * Adds each point's span to an answer. A bucketed `x` is the bucket's start
 * on the grid `min_step + b * range / buckets` (docs/api/series.md): a float
 * such as 24.999999999999996, whose ceiling may miss the bucket's first step,
 * so the edges are found with the server's own test of a step's bucket.
 */
export function withSpans<A extends Grid & { series: SeriesPoints[] }>(answer: A, buckets: number): Spanned<A> {
  const lo = answer.min_step ?? 0;
  const range = answer.max_step === null ? 0 : answer.max_step - lo + 1;
  const width = range / buckets;
  const bucketOf = (step: number) => Math.floor(((step - lo) * buckets) / range);
  // Every run shares the grid: each bucket's first step is found once, not once per run.
  const starts = new Map<number, number>();
  const startOf = (b: number) => {
    let step = starts.get(b);
    if (step !== undefined) return step;
    step = lo + Math.ceil((b * range) / buckets);
    while (bucketOf(step - 1) >= b) step--;
    while (bucketOf(step) < b) step++;
    starts.set(b, step);
    return step;
  };
  return {
    ...answer,
    series: answer.series.map((s) => {
      if (!s.bucketed || width <= 0) return { ...s, first: s.x, end: s.x };
      const first: number[] = [];
      const end: number[] = [];
      for (const x of s.x) {
        const b = Math.round((x - lo) / width);
        const start = startOf(b);
        first.push(start);
        end.push(Math.max(start, Math.min(answer.max_step!, startOf(b + 1) - 1)));
      }
      return { ...s, first, end };
    }),
  };
}

/**
 * Puts every run's points on one x array (uPlot's data model), null where a
 * run has no point; the first `withBands` runs add their max and min columns.
 */
export function alignSeries(series: SeriesPoints[], withBands: number): Array<Array<number | null>> {
  // Runs bucketed on one grid over the same steps share every x: their columns are used as they are.
  const first = series[0]?.x;
  if (first && series.every((s) => s.x.length === first.length && s.x.every((x, i) => x === first[i]))) {
    const bands = series.slice(0, withBands).flatMap((s) => [s.max, s.min]);
    return [first, ...series.map((s) => s.last), ...bands];
  }
  const xs = [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const columns: Array<Array<number | null>> = [];
  const fill = (s: SeriesPoints, values: Array<number | null>) => {
    const col: Array<number | null> = new Array(xs.length).fill(null);
    s.x.forEach((x, i) => (col[at.get(x)!] = values[i] ?? null));
    return col;
  };
  series.forEach((s) => columns.push(fill(s, s.last)));
  series.slice(0, withBands).forEach((s) => {
    columns.push(fill(s, s.max));
    columns.push(fill(s, s.min));
  });
  return [xs, ...columns];
}

/** Appends a live fetch's points to what a chart holds: only points past each run's last x. */
export function appendSeries<A extends Grid & { series: SpannedSeries[] }>(prev: A, next: A): A {
  const byRun = new Map(next.series.map((s) => [s.run_id, s]));
  const series = prev.series.map((s) => {
    const add = byRun.get(s.run_id);
    if (!add || add.x.length === 0) return s;
    const lastX = s.x.at(-1) ?? -Infinity;
    const keep = add.x.map((x, i) => (x > lastX ? i : -1)).filter((i) => i >= 0);
    return {
      ...s,
      x: [...s.x, ...keep.map((i) => add.x[i]!)],
      last: [...s.last, ...keep.map((i) => add.last[i] ?? null)],
      min: [...s.min, ...keep.map((i) => add.min[i] ?? null)],
      max: [...s.max, ...keep.map((i) => add.max[i] ?? null)],
      first: [...s.first, ...keep.map((i) => add.first[i]!)],
      end: [...s.end, ...keep.map((i) => add.end[i]!)],
      last_step: add.last_step ?? s.last_step,
    };
  });
  const maxes = series.map((s) => s.x.at(-1)).filter((x): x is number => x !== undefined);
  return { ...prev, max_step: maxes.length ? Math.max(prev.max_step ?? -Infinity, ...maxes) : prev.max_step, series };
}

type XAxis = 'step' | 'time' | 'relative';

/**
 * What the readout says at one x of the chart: the step (or time) each
 * point stands for and its value. A bucket reads as its range of steps and
 * its last value, with its min and max where they differ; never the
 * bucket's fractional start as if it were a step. Maps from x to each
 * series' point are built once per chart, not per mouse move.
 */
export function makeReadout(series: SpannedSeries[], axis: XAxis, labels: Record<string, string>): (x: number) => string {
  // Built on the first cursor move, not when the chart is drawn: most charts are only looked at.
  let index: Array<Map<number, number>> | undefined;
  return (x) => {
    index ??= series.map((s) => new Map(s.x.map((x, i) => [x, i])));
    const points = series.flatMap((s, k) => {
      const i = index![k]!.get(x);
      if (i === undefined) return [];
      return [{ name: labels[s.run_id] ?? s.run_id, span: formatXSpan(axis, s.first[i]!, s.end[i]!), bucket: s.first[i] !== s.end[i], last: s.last[i] ?? null, min: s.min[i] ?? null, max: s.max[i] ?? null }];
    });
    if (points.length === 0) return '';
    const withValue = points.filter((p) => p.last !== null);
    const shown = (withValue.length > 0 ? withValue : points).slice(0, 8);
    const more = withValue.length > 8 ? ` · +${withValue.length - 8} more` : '';
    const spread = (p: (typeof points)[number]) => p.bucket && p.min !== null && p.max !== null && p.min !== p.max;
    const value = (p: (typeof points)[number]) => (p.last === null ? '—' : formatValue(p.last));
    if (series.length === 1) {
      const p = shown[0]!;
      return `${p.span}: ${spread(p) ? `last ${value(p)}, min ${formatValue(p.min)}, max ${formatValue(p.max)}` : value(p)}`;
    }
    const entry = (p: (typeof points)[number]) => `${value(p)}${spread(p) ? ` [${formatValue(p.min)}, ${formatValue(p.max)}]` : ''}`;
    const oneSpan = shown.every((p) => p.span === shown[0]!.span);
    if (oneSpan) {
      const legend = shown.some(spread) ? ', last [min, max]' : '';
      return `${shown[0]!.span}${legend}: ${shown.map((p) => `${p.name} ${entry(p)}`).join(' · ')}${more}`;
    }
    return `${shown.map((p) => `${p.name} (${p.span}) ${entry(p)}`).join(' · ')}${more}`;
  };
}
