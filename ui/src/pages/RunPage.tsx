import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { lazy, memo, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../api';
import { KeyValueTable } from '../components/KeyValueTable';
import { ChartControls, LazyMount, sectionsByPrefix, useChartOptions, type ChartOptions } from '../components/chart-options';
import { LIVE_REFRESH_MS, MetricChart } from '../components/MetricChart';
import './tracking.css';
import '../components/run/run.css';
import { ArtifactsBrowser } from '../components/run/ArtifactsBrowser';
import { DatasetInputs } from '../components/run/DatasetInputs';
import { LoggedModels } from '../components/run/LoggedModels';
import type { DatasetInput } from '../components/run/run-api';
import { ErrorBox, Loading } from '../components/Status';
import { exactIfRounded, formatDuration, formatTime, formatValue, plural, runLabel } from '../format';
import { parseRange } from '../router';

const route = getRouteApi('/runs/$runId');
/** The lineage graph brings the models area's drawing code; load it only with the run page's last section. */
const RunLineage = lazy(() => import('../components/run/RunLineage').then((m) => ({ default: m.RunLineage })));

/** Above this many metrics the latest-values table is drawn only on request: 10,000 rows would dwarf the charts. */
const TABLE_LIMIT = 200;
/** A chart's box before it mounts: what keeps the page's height right while charts come and go. */
const CHART_HEIGHT = 320;
/** Chart boxes drawn in the page's first render; the rest follow a moment later. */
const FIRST_BOXES = 40;
/** Charts mounted without waiting for the viewport observer: what the first screen holds. */
const EAGER_CHARTS = 4;

export function RunPage() {
  const { runId } = route.useParams();
  const search = route.useSearch();
  const [options, setOptions, setRaw] = useChartOptions();
  const [showTable, setShowTable] = useState(false);
  // A running run's status, latest values and duration move: ask again as often as its charts do.
  const q = useQuery({
    queryKey: ['run', runId],
    queryFn: () => api.getRun(runId),
    refetchInterval: (query) => (query.state.data?.run.info.status === 'RUNNING' ? LIVE_REFRESH_MS : false),
  });
  const run = q.data?.run;
  const experimentId = run?.info.experiment_id;
  const experiment = useQuery({ queryKey: ['experiment', experimentId], queryFn: () => api.getExperiment(experimentId!), enabled: experimentId !== undefined });
  const children = useQuery({
    queryKey: ['children', runId],
    queryFn: () => api.searchRuns({ experiment_ids: [experimentId!], filter: `tags.mlflow.parentRunId = '${runId.replace(/'/g, "''")}'`, max_results: 100 }),
    enabled: experimentId !== undefined,
  });
  // Keyed by the label itself: the live refetch makes a new run object every few seconds, and a new labels object would redraw every chart.
  const label = run ? runLabel(run.info) : '';
  const labels = useMemo(() => (label ? { [runId]: label } : {}), [runId, label]);
  const runIds = useMemo(() => [runId], [runId]);
  const rangeKey = search.range;
  // The page re-renders as its other queries land (experiment, children); the
  // charts, 2,000 of them on a wide run, must not: they get stable props and memo.
  const optionsKey = JSON.stringify(options);
  const stableOptions = useMemo(() => options, [optionsKey]); // eslint-disable-line react-hooks/exhaustive-deps
  const setters = useRef({ setOptions, setRaw });
  setters.current = { setOptions, setRaw };
  const stableSetOptions = useCallback((patch: Partial<ChartOptions>) => setters.current.setOptions(patch), []);
  const stableOnRange = useCallback((r: [number, number] | undefined) => setters.current.setRaw({ range: r ? `${r[0]}-${r[1]}` : undefined }), []);
  // Code-unit order, as the keys' charts are: localeCompare costs ~40 ms over 2,000 keys.
  const metrics = useMemo(() => [...(run?.data.metrics ?? [])].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)), [run]);
  const metricKeys = useMemo(() => metrics.map((m) => m.key).join('\n'), [metrics]);
  if (q.isPending) return <Loading what="the run" />;
  if (q.isError) return <ErrorBox error={q.error} what={`run ${runId}`} />;
  const info = run!.info;
  const live = info.status === 'RUNNING';
  const userTags = (run!.data.tags ?? []).filter((t) => !t.key.startsWith('mlflow.'));
  const systemTags = (run!.data.tags ?? []).filter((t) => t.key.startsWith('mlflow.'));
  const parentId = systemTags.find((t) => t.key === 'mlflow.parentRunId')?.value;
  // MLflow's run description (set_tag('mlflow.note.content', …) or the UI's description box).
  const description = systemTags.find((t) => t.key === 'mlflow.note.content')?.value.trim();
  const childRuns = children.data?.runs ?? [];
  const datasetInputs = ((run as { inputs?: { dataset_inputs?: DatasetInput[] } }).inputs?.dataset_inputs ?? []) as DatasetInput[];
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">Experiments</Link> /{' '}
        <Link to="/experiments/$experimentId" params={{ experimentId: info.experiment_id }} search={{}}>
          {experiment.data?.experiment.name ?? `Experiment ${info.experiment_id}`}
        </Link>
      </nav>
      <h1>Run {runLabel(info)}</h1>
      {description && (
        <section aria-labelledby="description" className="run-description">
          <h2 id="description">Description</h2>
          <p>{description}</p>
        </section>
      )}
      <section aria-labelledby="overview">
        <h2 id="overview">Overview</h2>
        <dl className="overview">
          <dt>Run ID</dt>
          <dd className="mono">{info.run_id}</dd>
          <dt>Status</dt>
          <dd>
            <span className={`status status-${info.status.toLowerCase()}`}>{info.status}</span>
          </dd>
          <dt>Started</dt>
          <dd>{formatTime(info.start_time)}</dd>
          <dt>Ended</dt>
          <dd>{formatTime(info.end_time)}</dd>
          <dt>Duration</dt>
          <dd>{formatDuration(info.start_time, info.end_time, info.status)}</dd>
          <dt>User</dt>
          <dd>{info.user_id || '—'}</dd>
          <dt>Artifacts</dt>
          <dd className="mono">{info.artifact_uri ?? '—'}</dd>
          {parentId && (
            <>
              <dt>Parent run</dt>
              <dd>
                <Link to="/runs/$runId" params={{ runId: parentId }} search={{}} className="mono">
                  {parentId}
                </Link>
              </dd>
            </>
          )}
          {childRuns.length > 0 && (
            <>
              <dt>Child runs</dt>
              <dd>
                <details>
                  <summary>{plural(childRuns.length, 'child run')}{children.data?.next_page_token ? ' (first 100)' : ''}</summary>
                  <ul className="child-runs">
                    {childRuns.map((c) => (
                      <li key={c.info.run_id}>
                        <Link to="/runs/$runId" params={{ runId: c.info.run_id }} search={{}}>
                          {runLabel(c.info)}
                        </Link>{' '}
                        <span className={`status status-${c.info.status.toLowerCase()}`}>{c.info.status}</span>
                      </li>
                    ))}
                  </ul>
                </details>
              </dd>
            </>
          )}
        </dl>
      </section>
      <section aria-labelledby="metrics">
        <h2 id="metrics">Metrics</h2>
        {metrics.length === 0 ? (
          <p className="muted">This run logged no metrics. Call <code>mlflow.log_metric("loss", value, step=step)</code> in the training script.</p>
        ) : (
          <>
            {metrics.length > TABLE_LIMIT && !showTable ? (
              <button type="button" className="button" onClick={() => setShowTable(true)}>
                Show the latest values of all {metrics.length} metrics
              </button>
            ) : (
            <div className="table-wrap">
              <table className="grid-table">
                <caption className="sr-only">Latest metric values</caption>
                <thead>
                  <tr>
                    <th scope="col">Metric</th>
                    <th scope="col">Latest value</th>
                    <th scope="col">Step</th>
                  </tr>
                </thead>
                <tbody>
                  {metrics.map((m) => (
                    <tr key={m.key}>
                      <th scope="row">{m.key}</th>
                      <td className="mono" title={exactIfRounded(m.value)}>
                        {formatValue(m.value)}
                      </td>
                      <td className="mono">{m.step}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            )}
            <RunCharts metricKeys={metricKeys} runIds={runIds} labels={labels} range={rangeKey} onRange={stableOnRange} options={stableOptions} setOptions={stableSetOptions} live={live} />
          </>
        )}
      </section>
      <section aria-labelledby="params">
        <h2 id="params">Parameters</h2>
        <KeyValueTable caption="Parameters" rows={run!.data.params ?? []} empty="No parameters logged." />
      </section>
      <section aria-labelledby="tags">
        <h2 id="tags">Tags</h2>
        <KeyValueTable caption="Tags" rows={userTags} empty="No tags of your own." />
        {systemTags.length > 0 && (
          <details>
            <summary>System tags ({systemTags.length})</summary>
            <KeyValueTable caption="System tags" rows={systemTags} empty="" />
          </details>
        )}
      </section>
      <section aria-labelledby="datasets">
        <h2 id="datasets">Dataset inputs</h2>
        <DatasetInputs inputs={datasetInputs} />
      </section>
      <section aria-labelledby="artifacts">
        <h2 id="artifacts">Artifacts</h2>
        <ArtifactsBrowser runId={info.run_id} artifactUri={info.artifact_uri} />
      </section>
      <section aria-labelledby="logged-models">
        <h2 id="logged-models">Logged models</h2>
        <LoggedModels experimentId={info.experiment_id} runId={info.run_id} />
      </section>
      <section aria-labelledby="lineage">
        <h2 id="lineage">Lineage</h2>
        <Suspense fallback={<Loading what="the lineage" />}>
          <RunLineage runId={info.run_id} />
        </Suspense>
      </section>
    </>
  );
}

interface RunChartsProps {
  /** Sorted metric keys joined by newlines: a string, so memo compares it by value. */
  metricKeys: string;
  runIds: string[];
  labels: Record<string, string>;
  range?: string;
  onRange(r: [number, number] | undefined): void;
  options: ChartOptions;
  setOptions(patch: Partial<ChartOptions>): void;
  live: boolean;
}

const RunCharts = memo(function RunCharts({ metricKeys, runIds, labels, range, onRange, options, setOptions, live }: RunChartsProps) {
  const sections = useMemo(() => sectionsByPrefix(metricKeys.split('\n').filter(Boolean)), [metricKeys]);
  const zoom = parseRange(range);
  // A run with thousands of metrics: the first boxes render at once, the rest a moment later,
  // so the first charts' fetches do not wait behind thousands of placeholders.
  const [limit, setLimit] = useState(FIRST_BOXES);
  useEffect(() => {
    if (limit >= Infinity) return;
    // When the browser is idle, i.e. after the first charts have drawn (at most 1.5 s).
    if (typeof window.requestIdleCallback === 'function') {
      const id = window.requestIdleCallback(() => setLimit(Infinity), { timeout: 1500 });
      return () => window.cancelIdleCallback(id);
    }
    const t = setTimeout(() => setLimit(Infinity), 500);
    return () => clearTimeout(t);
  }, [limit]);
  let index = 0;
  return (
    <>
      <ChartControls options={options} onChange={setOptions} />
      {live && <p className="muted">This run is running: its charts fetch new steps every few seconds.</p>}
      {sections.map((sec) => (
        <section key={sec.name} className="chart-section" aria-labelledby={`sec-${sec.name}`}>
          <h3 id={`sec-${sec.name}`}>
            {sec.name} <span className="muted">({sec.keys.length})</span>
          </h3>
          <div className="charts">
            {sec.keys.map((k) => {
              const i = index++;
              if (i >= limit) return null;
              return (
                <LazyMount key={k} height={CHART_HEIGHT} eager={i < EAGER_CHARTS}>
                  <MetricChart metricKey={k} runIds={runIds} labels={labels} range={zoom} onRange={onRange} options={options} live={live} />
                </LazyMount>
              );
            })}
          </div>
        </section>
      ))}
    </>
  );
});
