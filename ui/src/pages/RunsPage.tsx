import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { createColumnHelper, tableFeatures, useTable, type ColumnDef } from '@tanstack/react-table';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import { api, fetchRunKeys, type Run } from '../api';
import { isTyping } from '../components/KeyboardShortcuts';
import './tracking.css';
import { EmptyState, ErrorBox, Loading } from '../components/Status';
import { formatDuration, formatTime, formatValue, runLabel } from '../format';
import type { RunsSearch } from '../router';

const route = getRouteApi('/experiments/$experimentId');

/** Runs per runs/search request: pages are fetched as the table scrolls near the end of what is loaded. */
const PAGE_SIZE = 200;
const ROW_HEIGHT = 34;
const KEY_WIDTH = 150;

interface RunRow {
  id: string;
  name: string;
  status: string;
  start?: number;
  end?: number;
  user?: string;
  metrics: Record<string, number | string>;
  params: Record<string, string>;
}

function toRow(r: Run): RunRow {
  return {
    id: r.info.run_id,
    name: runLabel(r.info),
    status: r.info.status,
    start: r.info.start_time,
    end: r.info.end_time,
    user: r.info.user_id,
    metrics: Object.fromEntries((r.data.metrics ?? []).map((m) => [m.key, m.value])),
    params: Object.fromEntries((r.data.params ?? []).map((p) => [p.key, p.value])),
  };
}

const features = tableFeatures({});
const helper = createColumnHelper<typeof features, RunRow>();

/** Fixed columns, always drawn, with the MLflow attribute each sorts by. */
const FIXED: Array<{ id: string; header: string; width: number; sortKey?: string }> = [
  { id: 'select', header: 'Select', width: 64 },
  { id: 'name', header: 'Run', width: 200, sortKey: 'attributes.run_name' },
  { id: 'status', header: 'Status', width: 110, sortKey: 'attributes.status' },
  { id: 'start', header: 'Started', width: 200, sortKey: 'attributes.start_time' },
  { id: 'duration', header: 'Duration', width: 110 },
];
const FIXED_WIDTH = FIXED.reduce((n, c) => n + c.width, 0);

/** `metrics.loss` → ``metrics.`loss` ``: backticks let keys hold dots, spaces and dashes. */
function orderKey(columnId: string): string | undefined {
  const fixed = FIXED.find((c) => c.id === columnId);
  if (fixed) return fixed.sortKey;
  const dot = columnId.indexOf('.');
  return `${columnId.slice(0, dot)}.\`${columnId.slice(dot + 1)}\``;
}

function parseOrder(order?: string): { key: string; desc: boolean } | undefined {
  const m = /^(.*)\s+(ASC|DESC)$/i.exec(order ?? '');
  return m ? { key: m[1]!, desc: m[2]!.toUpperCase() === 'DESC' } : undefined;
}

function splitList(v?: string): string[] {
  return (v ?? '').split(',').filter(Boolean);
}

export function RunsPage() {
  const { experimentId } = route.useParams();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const setSearch = (patch: Partial<RunsSearch>) => navigate({ search: (s) => ({ ...s, ...patch }), replace: true });
  const go = useNavigate();
  const [cursor, setCursor] = useState(-1);

  const experiment = useQuery({ queryKey: ['experiment', experimentId], queryFn: () => api.getExperiment(experimentId) });
  const order = parseOrder(search.order);
  const runs = useInfiniteQuery({
    queryKey: ['runs', experimentId, search.filter ?? '', search.order ?? ''],
    queryFn: ({ pageParam }) =>
      api.searchRuns({
        experiment_ids: [experimentId],
        filter: search.filter,
        order_by: search.order ? [search.order] : undefined,
        max_results: PAGE_SIZE,
        page_token: pageParam,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_page_token || undefined,
  });
  const rows = useMemo(() => (runs.data?.pages ?? []).flatMap((p) => (p.runs ?? []).map(toRow)), [runs.data]);

  // Every metric and param key among the loaded runs, for the column picker.
  const allKeys = useMemo(() => {
    const metrics = new Set<string>();
    const params = new Set<string>();
    for (const r of rows) {
      for (const k in r.metrics) metrics.add(k);
      for (const k in r.params) params.add(k);
    }
    return [...[...metrics].sort().map((k) => `metrics.${k}`), ...[...params].sort().map((k) => `params.${k}`)];
  }, [rows]);
  const chosen = search.cols === undefined ? allKeys : splitList(search.cols);
  const chosenKey = chosen.join('\n');
  const selected = useMemo(() => new Set(splitList(search.sel)), [search.sel]);

  const columns = useMemo<Array<ColumnDef<typeof features, RunRow, any>>>(
    () => [
      helper.display({ id: 'select', header: 'Select' }),
      helper.accessor((r) => r.name, { id: 'name', header: 'Run' }),
      helper.accessor((r) => r.status, { id: 'status', header: 'Status' }),
      helper.accessor((r) => formatTime(r.start), { id: 'start', header: 'Started' }),
      helper.accessor((r) => formatDuration(r.start, r.end), { id: 'duration', header: 'Duration' }),
      ...chosenKey
        .split('\n')
        .filter(Boolean)
        .map((id) => {
          const dot = id.indexOf('.');
          const kind = id.slice(0, dot) as 'metrics' | 'params';
          const key = id.slice(dot + 1);
          return helper.accessor((r) => formatValue(r[kind][key]), { id, header: `${kind === 'metrics' ? 'metric' : 'param'}: ${key}` });
        }),
    ],
    [chosenKey],
  );
  const table = useTable({ features, columns, data: rows, getRowId: (r) => r.id });
  const headers = table.getHeaderGroups()[0]?.headers ?? [];
  const keyHeaders = headers.slice(FIXED.length);

  const scroller = useRef<HTMLDivElement>(null);
  const rowVirtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 8 });
  const colVirtualizer = useVirtualizer({
    horizontal: true,
    count: keyHeaders.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => KEY_WIDTH,
    overscan: 2,
  });
  const virtualRows = rowVirtualizer.getVirtualItems();
  const virtualCols = colVirtualizer.getVirtualItems();

  // Windowed fetching: ask for the next page once the view nears the last loaded row.
  const lastIndex = virtualRows.at(-1)?.index ?? 0;
  useEffect(() => {
    if (runs.hasNextPage && !runs.isFetchingNextPage && lastIndex >= rows.length - 40) void runs.fetchNextPage();
  }, [lastIndex, rows.length, runs.hasNextPage, runs.isFetchingNextPage]); // eslint-disable-line react-hooks/exhaustive-deps

  const totalWidth = FIXED_WIDTH + colVirtualizer.getTotalSize();
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSearch({ sel: next.size ? [...next].join(',') : undefined });
  };
  // j/k move a cursor row (its link takes focus, so the focus ring shows), x selects it, c compares.
  const keys = useRef({ rows, cursor, selected, toggle });
  keys.current = { rows, cursor, selected, toggle };
  useEffect(() => {
    const focusRow = (i: number, tries = 5) => {
      const link = scroller.current?.querySelector<HTMLAnchorElement>(`tr[aria-rowindex="${i + 2}"] a`);
      if (link) link.focus();
      else if (tries > 0) setTimeout(() => focusRow(i, tries - 1), 30);
    };
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e)) return;
      const { rows, cursor, selected, toggle } = keys.current;
      if ((e.key === 'j' || e.key === 'k') && rows.length > 0) {
        e.preventDefault();
        const next = e.key === 'j' ? Math.min(rows.length - 1, cursor + 1) : Math.max(0, cursor - 1);
        setCursor(next);
        rowVirtualizer.scrollToIndex(next, { align: 'auto' });
        focusRow(next);
      } else if (e.key === 'x' && rows[cursor]) {
        e.preventDefault();
        toggle(rows[cursor].id);
      } else if (e.key === 'c' && selected.size >= 2) {
        e.preventDefault();
        void go({ to: '/compare', search: { runs: [...selected].join(',') } });
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  const sortBy = (columnId: string) => {
    const key = orderKey(columnId);
    if (!key) return;
    const desc = order?.key === key ? !order.desc : true;
    setSearch({ order: `${key} ${desc ? 'DESC' : 'ASC'}` });
  };
  const ariaSort = (columnId: string) => {
    const key = orderKey(columnId);
    if (!key || order?.key !== key) return undefined;
    return order.desc ? 'descending' : 'ascending';
  };

  const headerCell = (id: string, label: string, left: number, width: number, colIndex: number) => {
    const sortable = id !== 'select' && id !== 'duration';
    return (
      <th
        key={id}
        role="columnheader"
        scope="col"
        aria-colindex={colIndex}
        aria-sort={ariaSort(id)}
        className="vcell vhead"
        style={{ left, width }}
        title={label}
      >
        {id === 'select' ? (
          <span className="sr-only">Select</span>
        ) : sortable ? (
          <button type="button" className="sort" onClick={() => sortBy(id)}>
            <span className="truncate">{label}</span>
            <span aria-hidden="true">{ariaSort(id) === 'descending' ? ' ▼' : ariaSort(id) === 'ascending' ? ' ▲' : ''}</span>
          </button>
        ) : (
          label
        )}
      </th>
    );
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
        <ColumnPicker experimentId={experimentId} loaded={allKeys} chosen={chosen} onChange={(cols) => setSearch({ cols: cols.join(',') })} />
        <SavedViews experimentId={experimentId} current={search} onApply={(view) => navigate({ search: view, replace: false })} />
        {selected.size >= 2 ? (
          <Link className="button primary" to="/compare" search={{ runs: [...selected].join(',') }}>
            Compare {selected.size} runs
          </Link>
        ) : (
          <span className="muted">Select two or more runs to compare.</span>
        )}
      </div>
      {runs.isPending && <Loading what="runs" />}
      {runs.isError && <ErrorBox error={runs.error} what="runs" />}
      {runs.isSuccess && rows.length === 0 && (search.filter ? <EmptyState title={`No runs match ${search.filter}.`}><p>Change or clear the filter.</p></EmptyState> : <EmptyState title="No runs yet." />)}
      {rows.length > 0 && (
        <>
          <p className="muted" role="status">
            {rows.length}
            {runs.hasNextPage ? '+' : ''} runs{selected.size ? `, ${selected.size} selected` : ''}
          </p>
          <div ref={scroller} className="vscroll" tabIndex={0} role="region" aria-label="Runs table, scrollable">
            <table role="table" className="vtable" aria-rowcount={rows.length + 1} aria-colcount={headers.length} style={{ width: totalWidth }}>
              <caption className="sr-only">Runs of {experimentName}</caption>
              <thead className="vthead" role="rowgroup">
                <tr role="row" aria-rowindex={1} style={{ width: totalWidth, height: ROW_HEIGHT }}>
                  {(() => {
                    let left = 0;
                    return FIXED.map((c, i) => {
                      const cell = headerCell(c.id, c.header, left, c.width, i + 1);
                      left += c.width;
                      return cell;
                    });
                  })()}
                  {virtualCols.map((vc) => {
                    const h = keyHeaders[vc.index]!;
                    return headerCell(h.column.id, String(h.column.columnDef.header), FIXED_WIDTH + vc.start, vc.size, FIXED.length + vc.index + 1);
                  })}
                </tr>
              </thead>
              <tbody role="rowgroup" style={{ height: rowVirtualizer.getTotalSize(), width: totalWidth }} className="vtbody">
                {virtualRows.map((vr) => {
                  const row = table.getRowModel().rows[vr.index]!;
                  const r = row.original;
                  const cells = row.getAllCells();
                  let left = 0;
                  return (
                    <tr
                      key={row.id}
                      role="row"
                      aria-rowindex={vr.index + 2}
                      aria-selected={selected.has(r.id)}
                      className={[selected.has(r.id) ? 'selected' : '', vr.index === cursor ? 'cursor' : ''].join(' ').trim() || undefined}
                      style={{ transform: `translateY(${vr.start}px)`, height: ROW_HEIGHT, width: totalWidth }}
                    >
                      {FIXED.map((c, i) => {
                        const style = { left, width: c.width };
                        left += c.width;
                        let content: React.ReactNode;
                        if (c.id === 'select') {
                          content = <input type="checkbox" checked={selected.has(r.id)} onChange={() => toggle(r.id)} aria-label={`Select run ${r.name}`} />;
                        } else if (c.id === 'name') {
                          content = (
                            <Link to="/runs/$runId" params={{ runId: r.id }} search={{}} className="truncate">
                              {r.name}
                            </Link>
                          );
                        } else if (c.id === 'status') {
                          content = <span className={`status status-${r.status.toLowerCase()}`}>{r.status}</span>;
                        } else content = <span className="truncate">{String(cells[i]!.getValue() ?? '')}</span>;
                        return (
                          <td key={c.id} role="cell" aria-colindex={i + 1} className="vcell" style={style}>
                            {content}
                          </td>
                        );
                      })}
                      {virtualCols.map((vc) => {
                        const cell = cells[FIXED.length + vc.index]!;
                        return (
                          <td key={cell.column.id} role="cell" aria-colindex={FIXED.length + vc.index + 1} className="vcell mono num" style={{ left: FIXED_WIDTH + vc.start, width: vc.size }}>
                            <span className="truncate">{String(cell.getValue() ?? '')}</span>
                          </td>
                        );
                      })}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {runs.isFetchingNextPage && <Loading what="more runs" />}
        </>
      )}
    </>
  );
}

function FilterBox({ value, onSubmit }: { value: string; onSubmit(filter: string): void }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  return (
    <form
      role="search"
      className="filter"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(text.trim());
      }}
    >
      <label htmlFor="run-filter">Filter runs</label>
      <input
        id="run-filter"
        type="search"
        value={text}
        placeholder="metrics.loss < 0.5 and params.lr = '0.01'"
        onChange={(e) => setText(e.target.value)}
        aria-describedby="filter-help"
        data-shortcut="search"
        aria-keyshortcuts="/"
      />
      <button type="submit" className="button">
        Search
      </button>
      <span id="filter-help" className="sr-only">
        MLflow search syntax, for example metrics.loss &lt; 0.5 and params.optimizer = 'adam'
      </span>
    </form>
  );
}

const PICKER_ROW = 28;

/**
 * Picks which metric and param columns show; the choice lives in the URL.
 * Lists every key of the experiment from the keys endpoint (not only those of
 * the loaded runs), filtered as you type in memory and drawn as a virtual list,
 * so 12,000 keys cost a screenful of checkboxes.
 */
function ColumnPicker({ experimentId, loaded, chosen, onChange }: { experimentId: string; loaded: string[]; chosen: string[]; onChange(cols: string[]): void }) {
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const keys = useQuery({
    queryKey: ['run-keys', experimentId],
    queryFn: async () => {
      const [m, p] = await Promise.all([fetchRunKeys(experimentId, 'metrics'), fetchRunKeys(experimentId, 'params')]);
      return [...m.keys.map((k) => `metrics.${k}`), ...p.keys.map((k) => `params.${k}`)];
    },
    enabled: open,
    staleTime: 30_000,
  });
  const all = useMemo(() => [...new Set([...(keys.data ?? []), ...loaded])], [keys.data, loaded]);
  const lower = useMemo(() => all.map((k) => k.toLowerCase()), [all]);
  const shown = useMemo(() => {
    const q = query.toLowerCase();
    return q ? all.filter((_, i) => lower[i]!.includes(q)) : all;
  }, [all, lower, query]);
  const set = new Set(chosen);
  const list = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: shown.length, getScrollElement: () => list.current, estimateSize: () => PICKER_ROW, overscan: 6 });
  return (
    <details className="picker" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary className="button">
        Columns ({chosen.length}/{all.length})
      </summary>
      <div className="picker-panel">
        <label htmlFor="col-search">Find a column</label>
        <input id="col-search" type="search" value={query} onChange={(e) => setQuery(e.target.value)} aria-describedby="col-count" />
        <p id="col-count" className="muted" role="status">
          {keys.isFetching ? 'Loading keys…' : `${shown.length} of ${all.length} columns`}
        </p>
        {keys.isError && <ErrorBox error={keys.error} what="the column keys" />}
        <div className="picker-actions">
          <button type="button" className="button small" onClick={() => onChange([...new Set([...chosen, ...shown])])}>
            Show all{query ? ' matching' : ''}
          </button>
          <button type="button" className="button small" onClick={() => {
            const hide = new Set(shown);
            onChange(chosen.filter((k) => !hide.has(k)));
          }}>
            Hide all{query ? ' matching' : ''}
          </button>
        </div>
        <div ref={list} className="picker-list" role="group" aria-label="Columns">
          <div style={{ height: v.getTotalSize(), position: 'relative' }}>
            {v.getVirtualItems().map((item) => {
              const k = shown[item.index]!;
              return (
                <label key={k} className="check" style={{ top: item.start }}>
                  <input type="checkbox" checked={set.has(k)} onChange={() => onChange(set.has(k) ? chosen.filter((c) => c !== k) : [...chosen, k])} />
                  {k}
                </label>
              );
            })}
          </div>
        </div>
      </div>
    </details>
  );
}

interface SavedView {
  name: string;
  search: RunsSearch;
}

function loadViews(experimentId: string): SavedView[] {
  try {
    const v = JSON.parse(localStorage.getItem(`ferry-views:${experimentId}`) ?? '[]');
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

/** Named runs-table states (filter, sort, columns), kept in this browser's localStorage per experiment. */
function SavedViews({ experimentId, current, onApply }: { experimentId: string; current: RunsSearch; onApply(search: RunsSearch): void }) {
  const [views, setViews] = useState(() => loadViews(experimentId));
  const [name, setName] = useState('');
  const store = (next: SavedView[]) => {
    setViews(next);
    localStorage.setItem(`ferry-views:${experimentId}`, JSON.stringify(next));
  };
  return (
    <details className="views">
      <summary className="button">Saved views ({views.length})</summary>
      <div className="views-panel">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const n = name.trim();
            if (!n) return;
            // The selection is a moment's choice, not part of a view.
            const search: RunsSearch = { filter: current.filter, order: current.order, cols: current.cols };
            store([...views.filter((v) => v.name !== n), { name: n, search }]);
            setName('');
          }}
        >
          <label htmlFor="view-name">Save this view as</label>
          <input id="view-name" value={name} onChange={(e) => setName(e.target.value)} />
          <button type="submit" className="button small">
            Save view
          </button>
        </form>
        {views.length === 0 ? (
          <p className="muted">No saved views yet: set a filter, sort or columns, then save.</p>
        ) : (
          <ul aria-label="Saved views">
            {views.map((v) => (
              <li key={v.name}>
                <button type="button" className="button small" onClick={() => onApply(v.search)}>
                  Apply {v.name}
                </button>
                <button type="button" className="button small" aria-label={`Delete view ${v.name}`} onClick={() => store(views.filter((x) => x.name !== v.name))}>
                  Delete
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </details>
  );
}
