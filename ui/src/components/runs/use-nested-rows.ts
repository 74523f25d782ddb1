import { useQueries } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { columnsOf, searchRunTable, type RunTableRow } from './runs-table-api';

/** Children fetched per expanded parent: one request, as many as one window may hold. */
export const MAX_CHILDREN = 1000;

interface Expansion {
  runId: string;
  /** The parent's position among the top-level runs. */
  rootIndex: number;
  /** Rows it adds: its child count until the children load, then how many came. */
  count: number;
}

/** Where a row of the flattened list is: a top-level run, or a child right under its parent. */
export type RowPlace = { root: number; parent?: undefined } | { root: number; parent: string; child: number };

export interface NestedRows {
  /** Rows in the flattened list: the top-level runs plus every expanded parent's children. */
  count(roots: number): number;
  locate(index: number): RowPlace;
  isExpanded(runId: string): boolean;
  /** A child run, or undefined while its parent's children load. */
  child(parent: string, index: number): RunTableRow | undefined;
  toggle(runId: string, rootIndex: number, childCount: number): void;
  error: unknown;
}

export interface NestedRowsQuery {
  experimentId: string;
  filter?: string;
  order?: string;
  columns: string[];
  /** Off: no parent is expandable, every row is a top-level row. */
  enabled: boolean;
}

/**
 * Expanded parents of the grouped runs table and their children, fetched
 * with `parent_run_id` in the table's filter and order. The rows stay one
 * flat list, so the virtual scroller sizes itself for the children too.
 * A new filter, order or grouping collapses every parent.
 */
export function useNestedRows(q: NestedRowsQuery): NestedRows {
  const scope = `${q.experimentId}\n${q.filter ?? ''}\n${q.order ?? ''}\n${q.enabled}`;
  const [state, setState] = useState<{ scope: string; open: Expansion[] }>({ scope, open: [] });
  const open = state.scope === scope ? state.open : [];
  const columnsKey = q.columns.join('\n');
  const columns = useMemo(() => columnsOf(columnsKey ? columnsKey.split('\n') : []), [columnsKey]);
  const results = useQueries({
    queries: open.map((e) => ({
      queryKey: ['run-children', q.experimentId, q.filter ?? '', q.order ?? '', columnsKey, e.runId],
      queryFn: () =>
        searchRunTable({
          experiment_ids: [q.experimentId],
          filter: q.filter,
          order_by: q.order ? [q.order] : undefined,
          offset: 0,
          limit: MAX_CHILDREN,
          columns,
          parent_run_id: e.runId,
        }),
      staleTime: 30_000,
    })),
  });
  const loaded = new Map<string, RunTableRow[]>();
  results.forEach((r, i) => r.data && loaded.set(open[i]!.runId, r.data.runs));
  const segments = open.map((e) => ({ ...e, count: loaded.get(e.runId)?.length ?? e.count })).sort((a, b) => a.rootIndex - b.rootIndex);
  const added = segments.reduce((n, e) => n + e.count, 0);

  return {
    count: (roots) => roots + added,
    locate(index) {
      let before = 0;
      for (const e of segments) {
        const parentRow = e.rootIndex + before;
        if (index <= parentRow) break;
        if (index <= parentRow + e.count) return { root: e.rootIndex, parent: e.runId, child: index - parentRow - 1 };
        before += e.count;
      }
      return { root: index - before };
    },
    isExpanded: (runId) => open.some((e) => e.runId === runId),
    child: (parent, index) => loaded.get(parent)?.[index],
    toggle(runId, rootIndex, childCount) {
      const next = open.some((e) => e.runId === runId) ? open.filter((e) => e.runId !== runId) : [...open, { runId, rootIndex, count: Math.min(childCount, MAX_CHILDREN) }];
      setState({ scope, open: next });
    },
    error: results.find((r) => r.isError)?.error ?? null,
  };
}
