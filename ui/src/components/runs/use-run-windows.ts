import { useQueries, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { columnsOf, searchRunTable, type RunTableRow, type RunTableWindow } from './runs-table-api';

/** Runs per window fetch: a screenful is ~20 rows, so one or two windows cover the view. */
export const WINDOW_SIZE = 100;
/**
 * Rows past the view whose window is fetched already, so scrolling on rarely
 * meets a placeholder: a whole window, since a fast scroll (a dozen rows a
 * frame) crosses a window in ~0.3 s while one takes ~0.1 s to arrive on a
 * busy 2-core machine (measured: with 40 rows ahead, a third of the frames of
 * such a scroll showed placeholders).
 */
const AHEAD = WINDOW_SIZE;
/** A jump (scrollbar drag, End key) waits this long for the view to settle before fetching where it landed. */
const JUMP_SETTLE_MS = 80;
/** A window showing a running run is fetched again this often, so its status, metrics and duration follow the run. */
const LIVE_REFRESH_MS = 5_000;
/** The first window is fetched again this often (while the page is visible), so new runs and the new total show up. */
const NEW_RUNS_REFRESH_MS = 30_000;

export interface RunWindowsQuery {
  experimentId: string;
  filter?: string;
  order?: string;
  /** Only top-level runs, each with its child count. */
  rootsOnly?: boolean;
  /** Column ids (`metrics.loss`, `params.lr`): only these keys are fetched. */
  columns: string[];
  /** The rows in view, overscan included. */
  first: number;
  last: number;
  /** False until the columns are known. */
  enabled: boolean;
}

export interface RunWindows {
  /** Runs matching the filter; undefined until a window answers. */
  total?: number;
  /** The run at `index`, or undefined while its window is loading. */
  row(index: number): RunTableRow | undefined;
  error: unknown;
}

function pagesOf(first: number, last: number): [number, number] {
  return [Math.floor(Math.max(0, first) / WINDOW_SIZE), Math.floor(Math.max(0, last) / WINDOW_SIZE)];
}

/** The windows a view from row `first` to `last` asks for, as a key: it changes once per window scrolled, not per row. */
export function windowSpan(first: number, last: number): string {
  return pagesOf(first - AHEAD, last + AHEAD).join(':');
}

/**
 * The windows to fetch: follows the view at once while it scrolls into
 * neighbouring windows, but only fetches where a jump lands once it stops,
 * so dragging the scrollbar across 100,000 rows fetches one place, not every
 * window on the way.
 */
function useRequestedPages(first: number, last: number): [number, number] {
  const [wanted, setWanted] = useState(() => pagesOf(first, last));
  const [lo, hi] = pagesOf(first, last);
  const near = lo <= wanted[1] + 1 && hi >= wanted[0] - 1;
  useEffect(() => {
    if (lo === wanted[0] && hi === wanted[1]) return;
    if (near) {
      setWanted([lo, hi]);
      return;
    }
    const timer = setTimeout(() => setWanted([lo, hi]), JUMP_SETTLE_MS);
    return () => clearTimeout(timer);
  }, [lo, hi, near, wanted]);
  return near ? [lo, hi] : wanted;
}

/**
 * Fetches only the windows of a run search that intersect the view, each
 * cached by (experiment, filter, order, columns, window index), and keeps
 * the total so the scroller stays sized for every run while windows load.
 */
export function useRunWindows(q: RunWindowsQuery): RunWindows {
  const columnsKey = q.columns.join('\n');
  const columns = useMemo(() => columnsOf(columnsKey ? columnsKey.split('\n') : []), [columnsKey]);
  // The total belongs to the filter, not to a window: keep it while the view moves to windows not loaded yet.
  const totalKey = `${q.experimentId}\n${q.filter ?? ''}\n${q.rootsOnly ? 'roots' : 'all'}`;
  const known = useRef<{ key: string; total?: number }>({ key: totalKey });
  if (known.current.key !== totalKey) known.current = { key: totalKey };
  const lastRow = Math.min(q.last + AHEAD, (known.current.total ?? 1) - 1);
  const [lo, hi] = useRequestedPages(q.first - AHEAD, Math.max(0, lastRow));
  const pages = useMemo(() => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i), [lo, hi]);
  const keyOf = (page: number) => ['run-table', q.experimentId, q.filter ?? '', q.order ?? '', columnsKey, q.rootsOnly ?? false, page];
  // The windows in view are fetched first, those ahead once they have answered: on 2 cores, windows asked
  // for together answer together, so a landing view would wait for the windows past it too.
  const [viewLo, viewHi] = pagesOf(q.first, q.last);
  const client = useQueryClient();
  const viewLoaded = pages.every((page) => page < viewLo || page > viewHi || client.getQueryData(keyOf(page)) !== undefined);
  const results = useQueries({
    queries: pages.map((page) => ({
      queryKey: keyOf(page),
      queryFn: () =>
        searchRunTable({
          experiment_ids: [q.experimentId],
          filter: q.filter,
          order_by: q.order ? [q.order] : undefined,
          offset: page * WINDOW_SIZE,
          limit: WINDOW_SIZE,
          columns,
          ...(q.rootsOnly ? { roots_only: true } : {}),
        }),
      enabled: q.enabled && (viewLoaded || (page >= viewLo && page <= viewHi)),
      staleTime: 30_000,
      // MLflow's runs table refreshes on its own; a table left open should not show a finished run as RUNNING.
      refetchInterval: (query: { state: { data?: RunTableWindow } }) =>
        query.state.data?.runs.some((r) => r.info.status === 'RUNNING') ? LIVE_REFRESH_MS : page === 0 ? NEW_RUNS_REFRESH_MS : false,
      // Windows scrolled past are dropped soon: at 200 columns each holds 20,000 values.
      gcTime: 60_000,
    })),
  });
  const loaded = new Map<number, RunTableWindow>();
  results.forEach((r, i) => r.data && loaded.set(pages[i]!, r.data));

  const answered = results.find((r) => r.data)?.data;
  if (answered) known.current.total = answered.total;

  return {
    total: known.current.total,
    row: (index) => loaded.get(Math.floor(index / WINDOW_SIZE))?.runs[index % WINDOW_SIZE],
    error: results.find((r) => r.isError)?.error ?? null,
  };
}
