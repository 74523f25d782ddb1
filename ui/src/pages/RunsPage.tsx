import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useMemo } from 'react';
import { api } from '../api';
import { ColumnPicker } from '../components/runs/ColumnPicker';
import { FilterBox } from '../components/runs/FilterBox';
import { fetchDefaultColumns, hasChildRuns } from '../components/runs/runs-table-api';
import { RunsTable } from '../components/runs/RunsTable';
import { SavedViews } from '../components/runs/SavedViews';
import { ErrorBox } from '../components/Status';
import type { RunsSearch } from '../router';
import './tracking.css';

const route = getRouteApi('/experiments/$experimentId');

const NO_COLUMNS: string[] = [];

function splitList(v?: string): string[] {
  return (v ?? '').split(',').filter(Boolean);
}

/**
 * An experiment's runs: filter, sort, columns and selection live in the URL.
 * Without chosen columns the table shows the experiment's metric keys, then
 * its param keys, up to 200. Child runs are grouped under their parents when
 * the experiment has any, as in MLflow's UI, unless the URL says otherwise
 * (`nest=0`: every run is a row, a child run marked with ↳; `nest=1`: grouped).
 */
export function RunsPage() {
  const { experimentId } = route.useParams();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const setSearch = (patch: Partial<RunsSearch>) => navigate({ search: (s) => ({ ...s, ...patch }), replace: true });

  const experiment = useQuery({ queryKey: ['experiment', experimentId], queryFn: () => api.getExperiment(experimentId) });
  const defaults = useQuery({
    queryKey: ['run-default-columns', experimentId],
    queryFn: () => fetchDefaultColumns(experimentId),
    enabled: search.cols === undefined,
    staleTime: 30_000,
  });
  // Without its keys the table still lists the runs, with the fixed columns only.
  const fallback = defaults.isError ? NO_COLUMNS : defaults.data;
  const chosen = useMemo(() => (search.cols === undefined ? fallback : splitList(search.cols)), [search.cols, fallback]);
  const children = useQuery({
    queryKey: ['has-child-runs', experimentId],
    queryFn: () => hasChildRuns(experimentId),
    enabled: search.nest === undefined,
    staleTime: 30_000,
  });
  // Unknown until the experiment's tags answer; an error leaves the table flat.
  const grouped = search.nest === undefined ? (children.isError ? false : children.data) : search.nest === '1';
  const selected = useMemo(() => new Set(splitList(search.sel)), [search.sel]);
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSearch({ sel: next.size ? [...next].join(',') : undefined });
  };

  const experimentName = experiment.data?.experiment.name ?? `Experiment ${experimentId}`;
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">Experiments</Link>
      </nav>
      <h1>{experimentName}</h1>
      {experiment.isError && <ErrorBox error={experiment.error} what={`experiment ${experimentId}`} />}
      <div className="toolbar">
        <FilterBox value={search.filter ?? ''} onSubmit={(filter) => setSearch({ filter: filter || undefined, sel: undefined })} />
        <ColumnPicker experimentId={experimentId} chosen={chosen ?? []} onChange={(cols) => setSearch({ cols: cols.join(',') })} />
        <label className="nest-toggle">
          <input type="checkbox" checked={grouped === true} onChange={(e) => setSearch({ nest: e.target.checked ? '1' : '0', sel: undefined })} />
          Group child runs under parents
        </label>
        <SavedViews experimentId={experimentId} current={search} onApply={(view) => navigate({ search: view, replace: false })} />
        {selected.size >= 2 ? (
          <Link className="button primary" to="/compare" search={{ runs: [...selected].join(','), experiments: experimentId }}>
            Compare {selected.size} runs
          </Link>
        ) : (
          <span className="muted">Select two or more runs to compare.</span>
        )}
        <Link className="button" to="/compare" search={{ experiments: experimentId, filter: search.filter, order: search.order, max: '1000' }}>
          Compare all matching (up to 1,000)
        </Link>
      </div>
      {defaults.isError && <ErrorBox error={defaults.error} what="the column keys" />}
      <RunsTable
        experimentId={experimentId}
        experimentName={experimentName}
        filter={search.filter}
        order={search.order}
        columns={grouped === undefined ? undefined : chosen}
        selected={selected}
        onToggle={toggle}
        onOrder={(order) => setSearch({ order })}
        grouped={grouped === true}
      />
    </>
  );
}
