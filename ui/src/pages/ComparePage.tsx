import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link, useRouterState } from '@tanstack/react-router';
import { useMemo } from 'react';
import { ChartControls, LazyMount, sectionsByPrefix, useChartOptions } from '../components/chart-options';
import { MetricChart } from '../components/MetricChart';
import { fieldOptions } from '../components/compare/axis';
import { CompareSummary, differingParams } from '../components/compare/CompareSummary';
import { compareQueryKey, fetchCompareRuns, parseSelection, type CompareSelection } from '../components/compare/compare-runs';
import { GroupedChart } from '../components/compare/GroupedChart';
import { ParallelCoordinates } from '../components/compare/ParallelCoordinates';
import { Scatter } from '../components/compare/Scatter';
import '../components/compare/compare.css';
import './tracking.css';
import { EmptyState, ErrorBox, Loading } from '../components/Status';
import { runLabel, plural } from '../format';
import { parseRange } from '../router';

const route = getRouteApi('/compare');

const VIEWS = [
  ['charts', 'Charts'],
  ['parallel', 'Parallel coordinates'],
  ['scatter', 'Scatter'],
  ['grouped', 'Grouped'],
] as const;
type View = (typeof VIEWS)[number][0];

/** Runs overlaid in one metric chart: the series endpoint's limit, and past it the lines cannot be told apart. */
const CHART_RUNS = 100;

/** Charts on screen when the page opens: mounted at once rather than a frame later, when the viewport observer reports. */
const EAGER_CHARTS = 2;
const firstCharts = (sections: Array<{ keys: string[] }>, section: number, index: number) =>
  sections.slice(0, section).reduce((n, s) => n + s.keys.length, 0) + index < EAGER_CHARTS;

const rawStr = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

export function ComparePage() {
  const search = route.useSearch();
  const [options, setOptions, setRaw] = useChartOptions();
  // View choices are read from the raw URL, like the chart options, so they survive beside the route's own params.
  const raw = useRouterState({ select: (s) => s.location.search as Record<string, unknown> });
  const { runs: runsParam, experiments, filter, order, max } = search;
  const { selection, error } = useMemo(() => parseSelection({ runs: runsParam, experiments, filter, order, max }), [runsParam, experiments, filter, order, max]);
  const q = useQuery({ queryKey: compareQueryKey(selection!), queryFn: () => fetchCompareRuns(selection!), enabled: selection !== undefined });
  const runs = useMemo(() => q.data?.runs ?? [], [q.data]);
  const chartIds = useMemo(() => runs.slice(0, CHART_RUNS).map((r) => r.info.run_id), [runs]);
  // Keyed by content: a new labels object on each render would redraw every chart.
  const labelsKey = JSON.stringify(runs.slice(0, CHART_RUNS).map((r) => [r.info.run_id, runLabel(r.info)]));
  const labels = useMemo(() => Object.fromEntries(JSON.parse(labelsKey) as Array<[string, string]>), [labelsKey]);
  const range = parseRange(search.range);

  if (error) return <ErrorBox error={new Error(error)} what="the runs to compare" />;
  if (!selection) {
    return (
      <>
        <h1>Compare runs</h1>
        <EmptyState title="No runs chosen.">
          <p>
            Open an <Link to="/">experiment</Link>, tick two or more runs and press Compare.
          </p>
        </EmptyState>
      </>
    );
  }
  if (q.isError) return <ErrorBox error={q.error} what="the runs to compare" />;
  if (!q.data) return <Loading what="runs" />;
  if (runs.length === 0) {
    return (
      <>
        <h1>Compare runs</h1>
        <SearchLine selection={selection} count={0} more={false} />
        <EmptyState title="No runs match this search.">
          <p>Change the filter, or compare runs of another experiment.</p>
        </EmptyState>
      </>
    );
  }

  const metricKeys = [...new Set(runs.flatMap((r) => (r.data.metrics ?? []).map((m) => m.key)))].sort();
  const paramKeys = [...new Set(runs.flatMap((r) => (r.data.params ?? []).map((p) => p.key)))].sort();
  const sections = sectionsByPrefix(metricKeys);
  const live = runs.some((r) => r.info.status === 'RUNNING');
  const onRange = (r: [number, number] | undefined) => setRaw({ range: r ? `${r[0]}-${r[1]}` : undefined });
  const differing = differingParams(runs, paramKeys);
  const view: View = VIEWS.find(([v]) => v === raw.view)?.[0] ?? 'charts';
  const pick = (v: unknown, among: string[], fallback: string | undefined) => {
    const s = rawStr(v);
    return s !== undefined && among.includes(s) ? s : fallback;
  };
  const fields = fieldOptions(metricKeys, paramKeys);
  const fieldValues = fields.map((f) => f.value);
  const pcParamsRaw = (rawStr(raw.pc_params) ?? '').split(',').filter((k) => paramKeys.includes(k));
  const pcParams = pcParamsRaw.length > 0 ? pcParamsRaw : (differing.length > 0 ? differing : paramKeys).slice(0, 8);
  const pcMetric = pick(raw.pc_metric, metricKeys, metricKeys[0]);
  const sx = pick(raw.sx, fieldValues, paramKeys[0] ? `p:${paramKeys[0]}` : metricKeys[1] ? `m:${metricKeys[1]}` : undefined);
  const sy = pick(raw.sy, fieldValues, metricKeys[0] ? `m:${metricKeys[0]}` : undefined);
  const group = pick(raw.group, paramKeys, differing[0] ?? paramKeys[0]);
  const gMetric = pick(raw.gmetric, metricKeys, metricKeys[0]);
  const fieldSelect = (label: string, value: string | undefined, key: string) => (
    <label>
      {label}{' '}
      <select aria-label={`${label} axis`} value={value ?? ''} onChange={(e) => setRaw({ [key]: e.target.value })}>
        {['Metrics (latest)', 'Params'].map((g) => (
          <optgroup key={g} label={g}>
            {fields
              .filter((f) => f.group === g)
              .map((f) => (
                <option key={f.value} value={f.value}>
                  {f.label}
                </option>
              ))}
          </optgroup>
        ))}
      </select>
    </label>
  );
  const keySelect = (label: string, value: string | undefined, keys: string[], key: string) => (
    <label>
      {label}{' '}
      <select value={value ?? ''} onChange={(e) => setRaw({ [key]: e.target.value })}>
        {keys.map((k) => (
          <option key={k} value={k}>
            {k}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <>
      <h1>Compare {plural(runs.length, 'run')}</h1>
      <SearchLine selection={selection} count={runs.length} more={q.data.more} />
      <CompareSummary runs={runs} paramKeys={paramKeys} differing={differing} />
      <div className="view-tabs" role="group" aria-label="View">
        {VIEWS.map(([v, label]) => (
          <button key={v} type="button" aria-pressed={view === v} onClick={() => setRaw({ view: v === 'charts' ? undefined : v })}>
            {label}
          </button>
        ))}
      </div>
      {view === 'parallel' && (
        <section aria-labelledby="cmp-parallel">
          <h2 id="cmp-parallel">Parallel coordinates</h2>
          {paramKeys.length === 0 || !pcMetric ? (
            <p className="muted">Parallel coordinates need runs with params and metrics: log them with mlflow.log_params and mlflow.log_metric.</p>
          ) : (
            <>
              <div className="chart-controls view-controls" role="group" aria-label="Parallel coordinates options">
                <label>
                  Params{' '}
                  <select multiple value={pcParams} onChange={(e) => setRaw({ pc_params: [...e.target.selectedOptions].map((o) => o.value).join(',') || undefined })}>
                    {paramKeys.map((k) => (
                      <option key={k} value={k}>
                        {k}
                      </option>
                    ))}
                  </select>
                </label>
                {keySelect('Metric', pcMetric, metricKeys, 'pc_metric')}
              </div>
              <ParallelCoordinates runs={runs} params={pcParams} metric={pcMetric} />
            </>
          )}
        </section>
      )}
      {view === 'scatter' && (
        <section aria-labelledby="cmp-scatter">
          <h2 id="cmp-scatter">Scatter</h2>
          {!sx || !sy ? (
            <p className="muted">A scatter needs two metrics or params: log them with mlflow.log_params and mlflow.log_metric.</p>
          ) : (
            <>
              <div className="chart-controls view-controls" role="group" aria-label="Scatter options">
                {fieldSelect('X', sx, 'sx')}
                {fieldSelect('Y', sy, 'sy')}
              </div>
              <Scatter runs={runs} x={sx} y={sy} />
            </>
          )}
        </section>
      )}
      {view === 'grouped' && (
        <section aria-labelledby="cmp-grouped">
          <h2 id="cmp-grouped">Grouped by parameter</h2>
          {!group || !gMetric ? (
            <p className="muted">Grouping needs runs with params and metrics: log them with mlflow.log_params and mlflow.log_metric.</p>
          ) : (
            <>
              <div className="chart-controls view-controls" role="group" aria-label="Grouping options">
                {keySelect('Group by', group, paramKeys, 'group')}
                {keySelect('Metric', gMetric, metricKeys, 'gmetric')}
              </div>
              <GroupedChart runs={runs} param={group} metric={gMetric} />
            </>
          )}
        </section>
      )}
      {view === 'charts' && (
        <section aria-labelledby="cmp-metrics">
          <h2 id="cmp-metrics">Metrics</h2>
          {metricKeys.length === 0 && <p className="muted">None of these runs logged metrics.</p>}
          {runs.length > CHART_RUNS && (
            <p className="compare-note" role="note">
              Charts show the first {CHART_RUNS} of {runs.length.toLocaleString('en-US')} runs: more lines than that cannot be told apart. Parallel coordinates, scatter and grouped show all {runs.length.toLocaleString('en-US')}.
            </p>
          )}
          {metricKeys.length > 0 && <ChartControls options={options} onChange={setOptions} />}
          {/* One series call per metric names every run, with buckets = the chart's pixel width (MetricChart). */}
          {sections.map((sec, si) => (
            <section key={sec.name} className="chart-section" aria-labelledby={`cmp-sec-${sec.name}`}>
              <h3 id={`cmp-sec-${sec.name}`}>
                {sec.name} <span className="muted">({sec.keys.length})</span>
              </h3>
              <div className="charts">
                {sec.keys.map((k, ki) => (
                  <LazyMount key={k} height={340} eager={firstCharts(sections, si, ki)}>
                    <MetricChart metricKey={k} runIds={chartIds} labels={labels} range={range} onRange={onRange} options={options} live={live} />
                  </LazyMount>
                ))}
              </div>
            </section>
          ))}
        </section>
      )}
    </>
  );
}

/** What a search-based comparison holds, with a link back to the runs table showing the same search. */
function SearchLine({ selection, count, more }: { selection: CompareSelection; count: number; more: boolean }) {
  if (selection.kind !== 'query') return null;
  const [only] = selection.experimentIds;
  const what = selection.experimentIds.length === 1 ? `experiment ${only}` : `experiments ${selection.experimentIds.join(', ')}`;
  return (
    <p className="muted compare-search">
      {more ? `The first ${count.toLocaleString('en-US')}` : `All ${count.toLocaleString('en-US')}`} runs of {what}
      {selection.filter && (
        <>
          {' '}
          matching <code>{selection.filter}</code>
        </>
      )}
      {selection.order && (
        <>
          {' '}
          by <code>{selection.order}</code>
        </>
      )}
      {more && ` (more match; max is ${selection.max}, at most 1000)`}.{' '}
      {selection.experimentIds.length === 1 && (
        <Link to="/experiments/$experimentId" params={{ experimentId: only! }} search={{ filter: selection.filter, order: selection.order }}>
          Open this search in the runs table
        </Link>
      )}
    </p>
  );
}
