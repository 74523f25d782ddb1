import { plural } from '../../format';
import { useQuery } from '@tanstack/react-query';
import { api, type Run, type Series, type SeriesAnswer } from '../../api';
import { RUN_COLORS } from '../MetricChart';
import { ErrorBox, Loading } from '../Status';
import { makeAxis } from './axis';
import { DataTable } from './DataTable';

const W = 720;
const H = 380;
const PAD = { top: 16, right: 24, bottom: 44, left: 72 };
/** One shared bucket grid for every run: the same buckets for all makes the per-x reduction exact. */
const BUCKETS = 200;
/** The series endpoint's limit of runs per call (MAX_SERIES_RUNS on the server). */
export const SERIES_RUNS_PER_CALL = 100;

/**
 * One metric's series for any number of runs, as side-by-side calls of at
 * most SERIES_RUNS_PER_CALL runs each. A fixed step range keeps every call's
 * buckets on one grid, so a group spanning two calls reduces exactly.
 */
async function seriesOfAll(runIds: string[], metric: string): Promise<Series[]> {
  if (runIds.length <= SERIES_RUNS_PER_CALL) return (await api.series(runIds, metric, BUCKETS)).series;
  const parts: string[][] = [];
  for (let i = 0; i < runIds.length; i += SERIES_RUNS_PER_CALL) parts.push(runIds.slice(i, i + SERIES_RUNS_PER_CALL));
  // Each call would otherwise bucket its own runs' step range; first learn the whole range, then ask each part for it.
  const probes: SeriesAnswer[] = await Promise.all(parts.map((ids) => api.series(ids, metric, 1)));
  const lows = probes.flatMap((a) => (a.min_step === null ? [] : [a.min_step]));
  const highs = probes.flatMap((a) => (a.max_step === null ? [] : [a.max_step]));
  if (lows.length === 0) return [];
  const range: [number, number] = [Math.min(...lows), Math.max(...highs)];
  return (await Promise.all(parts.map((ids) => api.series(ids, metric, BUCKETS, range)))).flatMap((a) => a.series);
}

export interface GroupLine {
  group: string;
  runs: number;
  x: number[];
  mean: number[];
  min: number[];
  max: number[];
}

/** Per x, the mean, min and max of the group's runs' values (runs without a point at that x are left out). */
export function reduceGroups(series: Series[], groupOf: Map<string, string>): GroupLine[] {
  const groups = new Map<string, Map<number, number[]>>();
  const counts = new Map<string, Set<string>>();
  for (const s of series) {
    const g = groupOf.get(s.run_id);
    if (g === undefined) continue;
    let byX = groups.get(g);
    if (!byX) groups.set(g, (byX = new Map()));
    let c = counts.get(g);
    if (!c) counts.set(g, (c = new Set()));
    c.add(s.run_id);
    s.x.forEach((x, i) => {
      const v = s.last[i];
      if (v === null || v === undefined || !Number.isFinite(v)) return;
      let vs = byX.get(x);
      if (!vs) byX.set(x, (vs = []));
      vs.push(v);
    });
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }))
    .map(([group, byX]) => {
      const xs = [...byX.keys()].sort((a, b) => a - b);
      const vals = xs.map((x) => byX.get(x)!);
      return {
        group,
        runs: counts.get(group)!.size,
        x: xs,
        mean: vals.map((v) => v.reduce((a, b) => a + b, 0) / v.length),
        min: vals.map((v) => Math.min(...v)),
        max: vals.map((v) => Math.max(...v)),
      };
    });
}

/** The runs grouped by a param's value: per group a mean line and a min/max band of the metric over steps. */
export function GroupedChart({ runs, param, metric }: { runs: Run[]; param: string; metric: string }) {
  const runIds = runs.map((r) => r.info.run_id);
  const q = useQuery({ queryKey: ['series-grouped', metric, runIds], queryFn: () => seriesOfAll(runIds, metric) });
  if (q.isError) return <ErrorBox error={q.error} what={`the ${metric} series`} />;
  if (!q.data) return <Loading what={`${metric} series`} />;
  const groupOf = new Map(runs.map((r) => [r.info.run_id, r.data.params?.find((p) => p.key === param)?.value ?? '(not set)']));
  const lines = reduceGroups(q.data, groupOf);
  const allX = lines.flatMap((l) => l.x);
  const allY = lines.flatMap((l) => [...l.min, ...l.max]);
  if (allX.length === 0) return <p className="muted">None of these runs logged {metric}.</p>;
  const ax = makeAxis(allX);
  const ay = makeAxis(allY);
  const pw = W - PAD.left - PAD.right;
  const ph = H - PAD.top - PAD.bottom;
  const px = (x: number) => PAD.left + pw * ax.pos(x)!;
  const py = (y: number) => PAD.top + ph * (1 - ay.pos(y)!);
  return (
    <div className="grouped">
      <ul className="grouped-legend" aria-label="Groups">
        {lines.map((l, i) => (
          <li key={l.group}>
            <span className="swatch" style={{ background: RUN_COLORS[i % RUN_COLORS.length] }} aria-hidden="true" />
            {param} = {l.group} <span className="muted">({plural(l.runs, 'run')})</span>
          </li>
        ))}
      </ul>
      <svg viewBox={`0 0 ${W} ${H}`} className="grouped-plot" role="img" aria-label={`Mean ${metric} by step for each ${param}, with min/max bands`}>
        <line className="scatter-axis" x1={PAD.left} x2={PAD.left + pw} y1={PAD.top + ph} y2={PAD.top + ph} />
        <line className="scatter-axis" x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={PAD.top + ph} />
        {ax.ticks.map((t) => (
          <text key={`x${t.label}`} className="scatter-tick" x={PAD.left + pw * t.pos} y={PAD.top + ph + 16} textAnchor="middle">
            {t.label}
          </text>
        ))}
        {ay.ticks.map((t) => (
          <text key={`y${t.label}`} className="scatter-tick" x={PAD.left - 6} y={PAD.top + ph * (1 - t.pos) + 4} textAnchor="end">
            {t.label}
          </text>
        ))}
        <text className="scatter-label" x={PAD.left + pw / 2} y={H - 8} textAnchor="middle">
          step
        </text>
        {lines.map((l, i) => {
          const color = RUN_COLORS[i % RUN_COLORS.length];
          const upper = l.x.map((x, j) => `${px(x)},${py(l.max[j]!)}`);
          const lower = l.x.map((x, j) => `${px(x)},${py(l.min[j]!)}`).reverse();
          return (
            <g key={l.group} className="group-line" data-group={l.group}>
              <polygon points={[...upper, ...lower].join(' ')} fill={color} fillOpacity={0.15} stroke="none" />
              <polyline points={l.x.map((x, j) => `${px(x)},${py(l.mean[j]!)}`).join(' ')} fill="none" stroke={color} strokeWidth={2} />
            </g>
          );
        })}
      </svg>
      <DataTable
        caption={`Grouped ${metric} data`}
        columns={[param, 'Step', 'Mean', 'Min', 'Max']}
        rows={lines.flatMap((l) => l.x.map((x, j) => ({ l, x, j })))}
        rowKey={({ l, x }) => `${l.group}-${x}`}
        cells={({ l, x, j }) => (
          <>
            <th scope="row">{l.group}</th>
            <td className="mono">{x}</td>
            <td className="mono">{l.mean[j]}</td>
            <td className="mono">{l.min[j]}</td>
            <td className="mono">{l.max[j]}</td>
          </>
        )}
      />
    </div>
  );
}
