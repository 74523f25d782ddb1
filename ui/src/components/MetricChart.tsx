import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import { fetchSeries, type SeriesAnswer } from '../api';
import { alignSeries, appendSeries, makeReadout, withSpans, type SpannedSeries } from './chart-readout';
import { formatTick, formatValue } from '../format';
import type { ChartOptions } from './chart-options';
import { onThemeChange } from '../theme';
import { ErrorBox } from './Status';

/**
 * Line colours: Okabe–Ito's blue, vermillion and bluish green, then a violet,
 * a wine, an olive, a magenta and a grey, each darkened or lightened to at least
 * 3:1 against both themes' page and surface backgrounds. The first five stay
 * apart under protan, deutan and tritan colour vision as well.
 */
export const RUN_COLORS = ['#0072b2', '#d55e00', '#009e73', '#9c5bf4', '#a15478', '#8c7e3a', '#d2429a', '#6e7781'];

/** Most runs that also get a min/max band; beyond that the bands hide each other. */
const MAX_BANDS = 5;
/** How often a chart of a running run asks for the steps logged since its last fetch. */
export const LIVE_REFRESH_MS = 3000;
const DEFAULT_OPTIONS: ChartOptions = { x: 'step', log: false };
const AXIS_LABEL = { step: 'step', time: 'time (UTC)', relative: 'seconds since start' } as const;

type Answer = Omit<SeriesAnswer, 'series'> & { series: SpannedSeries[] };

/** Tick steps for the step axis: whole steps only, so a chart of three steps has no tick at 0.5. */
const STEP_INCRS = Array.from({ length: 16 }, (_, e) => [1, 2, 5].map((m) => m * 10 ** e)).flat();

/** A y-axis as wide as its longest label (uPlot's sizing demo); uPlot asks again while the labels settle. */
function fitLabels(u: uPlot, values: string[] | null, axisIdx: number, cycleNum: number): number {
  const axis = u.axes[axisIdx]!;
  // Once drawn, uPlot holds an axis's font as [css, px] and its size in _size.
  const drawn = axis as unknown as { font?: [string, number]; _size?: number };
  if (cycleNum > 1 && drawn._size !== undefined) return drawn._size;
  const longest = (values ?? []).reduce((a, b) => (b.length > a.length ? b : a), '');
  u.ctx.font = drawn.font?.[0] ?? '12px system-ui';
  return Math.ceil((axis.ticks?.size ?? 10) + (axis.gap ?? 5) + u.ctx.measureText(longest).width / devicePixelRatio) + 2;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

function useWidth(ref: React.RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(0);
  // Measured before the first paint, so the series request goes out in the same commit that mounts the chart.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setWidth(Math.floor(el.clientWidth));
    const ro = new ResizeObserver(() => setWidth(Math.floor(el.clientWidth)));
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return width;
}

export interface MetricChartProps {
  metricKey: string;
  runIds: string[];
  labels: Record<string, string>;
  /** The zoomed step range, or undefined for all steps. */
  range?: [number, number];
  onRange(range: [number, number] | undefined): void;
  /** X-axis, smoothing and log scale; step, raw and linear by default. */
  options?: ChartOptions;
  /** The runs are still logging: fetch the steps after the last one every few seconds and append them. */
  live?: boolean;
}

/**
 * One metric of one or more runs against step. The server buckets the
 * visible range into one bucket per pixel column (line: last value, band:
 * min/max), so long histories stay light and every spike shows; dragging
 * across the chart zooms and fetches that range again at full resolution.
 */
export function MetricChart({ metricKey, runIds, labels, range, onRange, options = DEFAULT_OPTIONS, live = false }: MetricChartProps) {
  const queryClient = useQueryClient();
  const box = useRef<HTMLDivElement>(null);
  const plotEl = useRef<HTMLDivElement>(null);
  const readout = useRef<HTMLParagraphElement>(null);
  const width = useWidth(box);
  const [themeTick, setThemeTick] = useState(0);
  useEffect(() => onThemeChange(() => setThemeTick((t) => t + 1)), []);
  const buckets = Math.max(50, Math.min(4000, width || 800));
  const seriesOpts = { x: options.x, smoothing: options.smoothing, amount: options.amount };
  const queryKey = ['series', runIds, metricKey, buckets, range, seriesOpts];
  const queryFn = () => fetchSeries(runIds, metricKey, buckets, range, seriesOpts).then((a) => withSpans(a, buckets));
  const enabled = width > 0 && runIds.length > 0;
  const q = useQuery({ queryKey, queryFn, enabled, placeholderData: (prev) => prev });
  // useQuery asks from a passive effect, after the page has painted; asking as soon as the width is known saves that frame.
  const keyText = JSON.stringify(queryKey);
  useLayoutEffect(() => {
    if (enabled) void queryClient.prefetchQuery({ queryKey, queryFn });
  }, [keyText, enabled]); // eslint-disable-line react-hooks/exhaustive-deps
  const onRangeRef = useRef(onRange);
  onRangeRef.current = onRange;
  const keyRef = useRef(queryKey);
  keyRef.current = queryKey;

  // Live refresh: only the steps after the lowest last step among the runs, appended in the cache.
  const canLive = live && !range && q.data !== undefined;
  useEffect(() => {
    if (!canLive) return;
    let busy = false;
    const timer = setInterval(async () => {
      const key = keyRef.current;
      const prev = queryClient.getQueryData<Answer>(key);
      if (!prev || busy) return;
      const steps = prev.series.map((s) => s.last_step ?? -1);
      busy = true;
      try {
        const next = withSpans(await fetchSeries(runIds, metricKey, buckets, undefined, { ...seriesOpts, afterStep: Math.min(...steps) }), buckets);
        if (next.series.some((s) => s.x.length > 0)) queryClient.setQueryData<Answer>(key, (cur) => (cur ? appendSeries(cur, next) : cur));
      } catch {
        // A failed refresh is retried on the next tick; the chart keeps what it has.
      } finally {
        busy = false;
      }
    }, LIVE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [canLive, runIds, metricKey, buckets, options.x, options.smoothing, options.amount]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    const el = plotEl.current;
    if (!el || !q.data || width === 0) return;
    const series = q.data.series;
    const bands = Math.min(MAX_BANDS, series.length);
    const text = cssVar('--text-muted');
    const grid = cssVar('--border');
    const axis: uPlot.Axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const xAxis = options.x ?? 'step';
    // uPlot's time scale counts seconds; the server answers milliseconds.
    const xScale = xAxis === 'step' ? 1 : 1000;
    const data = alignSeries(series, bands) as uPlot.AlignedData;
    const xs = data[0] as number[];
    if (xScale !== 1) data[0] = xs.map((x) => x / xScale);
    // A log axis cannot place zero or negative values: leave those points out.
    if (options.log) for (let c = 1; c < data.length; c++) data[c] = (data[c] as Array<number | null>).map((v) => (v !== null && v > 0 ? v : null));
    const readoutAt = makeReadout(series, xAxis, labels);
    const lone = data[0].length === 1 ? (data[0][0] as number) : undefined;
    const opts: uPlot.Options = {
      width,
      height: 220,
      legend: { show: false },
      // Times in UTC, as everywhere else in the UI, not in the browser's zone.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      scales: {
        // uPlot widens a lone x to 0..2x (0..100 at step 0, a day for a time) before any range function sees it: a step (or a second) either side instead.
        x: { time: xAxis === 'time', range: (_u, min, max) => (lone === undefined ? [min, max] : [lone - 1, lone + 1]) },
        y: options.log ? { distr: 3, log: 10 } : {},
      },
      axes: [
        // Time labels such as 12:05pm need more room than uPlot's 50 px between ticks.
        { ...axis, label: AXIS_LABEL[xAxis], labelSize: 20, ...(xAxis === 'step' ? { incrs: STEP_INCRS } : xAxis === 'time' ? { space: 80 } : {}) },
        // uPlot's own labels keep three decimals (1e-7 reads 0) and a fixed width that cuts 120,000 to 0,000.
        { ...axis, values: (_u, splits, _i, _space, incr) => splits.map((v) => (options.log ? formatValue(v) : formatTick(v, incr))), size: fitLabels },
      ],
      cursor: { drag: { x: true, y: false, setScale: false } },
      series: [
        { label: AXIS_LABEL[xAxis] },
        ...series.map((s, i) => ({ label: labels[s.run_id] ?? s.run_id, stroke: RUN_COLORS[i % RUN_COLORS.length], width: 1.5, spanGaps: true })),
        ...series.slice(0, bands).flatMap((s, i) => [
          { label: `${labels[s.run_id] ?? s.run_id} max`, stroke: withAlpha(RUN_COLORS[i % RUN_COLORS.length]!, 0.35), width: 0.5, spanGaps: true },
          { label: `${labels[s.run_id] ?? s.run_id} min`, stroke: withAlpha(RUN_COLORS[i % RUN_COLORS.length]!, 0.35), width: 0.5, spanGaps: true },
        ]),
      ],
      bands: series.slice(0, bands).map((_, i) => ({
        series: [1 + series.length + 2 * i, 2 + series.length + 2 * i] as [number, number],
        fill: withAlpha(RUN_COLORS[i % RUN_COLORS.length]!, 0.15),
      })),
      hooks: {
        // The values under the cursor, written straight into the readout: a React render per mouse move would stutter.
        setCursor: [
          (u) => {
            const out = readout.current;
            if (!out) return;
            const i = u.cursor.idx;
            out.textContent = i === null || i === undefined ? '' : readoutAt(xs[i]!);
          },
        ],
        setSelect: [
          (u) => {
            if (u.select.width < 3) return;
            const lo = u.posToVal(u.select.left, 'x') * xScale;
            const hi = u.posToVal(u.select.left + u.select.width, 'x') * xScale;
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            if (hi - lo >= 1) onRangeRef.current([Math.floor(lo), Math.ceil(hi)]);
          },
        ],
      },
    };
    const plot = new uPlot(opts, data, el);
    return () => plot.destroy();
  }, [q.data, width, labels, themeTick, options.x, options.log]); // eslint-disable-line react-hooks/exhaustive-deps

  const points = q.data?.series.reduce((n, s) => n + s.x.length, 0) ?? 0;
  const described = q.data
    ? `${metricKey} against ${AXIS_LABEL[options.x ?? 'step']} for ${runIds.length} run${runIds.length === 1 ? '' : 's'}, ${options.x === 'step' || !options.x ? 'steps' : 'from'} ${q.data.min_step ?? '–'} to ${q.data.max_step ?? '–'}${options.smoothing ? `, ${options.smoothing} smoothing` : ''}${options.log ? ', log scale' : ''}`
    : metricKey;
  return (
    <figure className="chart" data-metric={metricKey} data-live={canLive ? 'true' : undefined}>
      <figcaption>
        <span className="chart-title">{metricKey}</span>
        {range && (
          <button type="button" className="button small" onClick={() => onRange(undefined)}>
            Reset zoom
          </button>
        )}
      </figcaption>
      <p ref={readout} className="chart-readout" aria-hidden="true" />
      <div ref={box} className="chart-box">
        {q.isError && <ErrorBox error={q.error} what={`the ${metricKey} chart`} />}
        {q.data && points === 0 && <p className="muted">No points for {metricKey} in this range.</p>}
        <div ref={plotEl} role="img" aria-label={described} />
      </div>
      {runIds.length > 1 && (
        <ul className="legend" aria-label={`Runs in the ${metricKey} chart`}>
          {runIds.map((id, i) => (
            <li key={id}>
              <span className="swatch" style={{ background: RUN_COLORS[i % RUN_COLORS.length] }} aria-hidden="true" />
              {labels[id] ?? id}
            </li>
          ))}
        </ul>
      )}
      <p className="hint">Drag across the chart to zoom; the zoomed range is fetched again at full resolution.</p>
    </figure>
  );
}
