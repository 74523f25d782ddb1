import { useQueries } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useMemo } from 'react';
import { api, type Run } from '../api';
import { ChartControls, LazyMount, sectionsByPrefix, useChartOptions } from '../components/chart-options';
import { MetricChart } from '../components/MetricChart';
import './tracking.css';
import { EmptyState, ErrorBox, Loading } from '../components/Status';
import { runLabel } from '../format';
import { parseRange } from '../router';

const route = getRouteApi('/compare');

export function ComparePage() {
  const search = route.useSearch();
  const [options, setOptions, setRaw] = useChartOptions();
  const runIds = useMemo(() => [...new Set((search.runs ?? '').split(',').filter(Boolean))], [search.runs]);
  const results = useQueries({ queries: runIds.map((id) => ({ queryKey: ['run', id], queryFn: () => api.getRun(id) })) });
  const runs = results.map((r) => r.data?.run).filter((r): r is Run => r !== undefined);
  const ready = runs.length === runIds.length;
  // Keyed by content: a new labels object on each render would redraw every chart.
  const labelsKey = JSON.stringify(runs.map((r) => [r.info.run_id, runLabel(r.info)]));
  const labels = useMemo(() => Object.fromEntries(JSON.parse(labelsKey) as Array<[string, string]>), [labelsKey]);
  const range = parseRange(search.range);

  if (runIds.length === 0) {
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
  const failed = results.find((r) => r.isError);
  if (failed) return <ErrorBox error={failed.error} what="the runs to compare" />;
  if (!ready) return <Loading what="runs" />;

  const metricKeys = [...new Set(runs.flatMap((r) => (r.data.metrics ?? []).map((m) => m.key)))].sort();
  const paramKeys = [...new Set(runs.flatMap((r) => (r.data.params ?? []).map((p) => p.key)))].sort();
  const paramOf = (r: Run, k: string) => r.data.params?.find((p) => p.key === k)?.value;
  const sections = sectionsByPrefix(metricKeys);
  const live = runs.some((r) => r.info.status === 'RUNNING');
  const onRange = (r: [number, number] | undefined) => setRaw({ range: r ? `${r[0]}-${r[1]}` : undefined });
  const differing = paramKeys.filter((k) => new Set(runs.map((r) => paramOf(r, k) ?? '\u0000')).size > 1);

  return (
    <>
      <h1>Compare {runs.length} runs</h1>
      <ul className="run-chips" aria-label="Runs compared">
        {runs.map((r) => (
          <li key={r.info.run_id}>
            <Link to="/runs/$runId" params={{ runId: r.info.run_id }} search={{}}>
              {runLabel(r.info)}
            </Link>
          </li>
        ))}
      </ul>
      <section aria-labelledby="cmp-params">
        <h2 id="cmp-params">Parameters that differ</h2>
        {differing.length === 0 ? (
          <p className="muted">All {paramKeys.length} parameters are equal across these runs.</p>
        ) : (
          <div className="table-wrap">
            <table className="grid-table">
              <caption className="sr-only">Parameters that differ between the runs</caption>
              <thead>
                <tr>
                  <th scope="col">Parameter</th>
                  {runs.map((r) => (
                    <th scope="col" key={r.info.run_id}>
                      {runLabel(r.info)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {differing.map((k) => (
                  <tr key={k}>
                    <th scope="row">{k}</th>
                    {runs.map((r) => (
                      <td className="mono" key={r.info.run_id}>
                        {paramOf(r, k) ?? '—'}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {differing.length > 0 && <p className="muted">{paramKeys.length - differing.length} equal parameter{paramKeys.length - differing.length === 1 ? "" : "s"} hidden.</p>}
      </section>
      <section aria-labelledby="cmp-metrics">
        <h2 id="cmp-metrics">Metrics</h2>
        {metricKeys.length === 0 && <p className="muted">None of these runs logged metrics.</p>}
        {metricKeys.length > 0 && <ChartControls options={options} onChange={setOptions} />}
        {/* One series call per metric names every run, with buckets = the chart's pixel width (MetricChart). */}
        {sections.map((sec) => (
          <section key={sec.name} className="chart-section" aria-labelledby={`cmp-sec-${sec.name}`}>
            <h3 id={`cmp-sec-${sec.name}`}>
              {sec.name} <span className="muted">({sec.keys.length})</span>
            </h3>
            <div className="charts">
              {sec.keys.map((k) => (
                <LazyMount key={k} height={340}>
                  <MetricChart metricKey={k} runIds={runIds} labels={labels} range={range} onRange={onRange} options={options} live={live} />
                </LazyMount>
              ))}
            </div>
          </section>
        ))}
      </section>
    </>
  );
}
