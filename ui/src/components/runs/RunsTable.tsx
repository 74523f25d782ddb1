import { useNavigate } from '@tanstack/react-router';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type CSSProperties } from 'react';
import { isTyping } from '../KeyboardShortcuts';
import { EmptyState, ErrorBox, Loading } from '../Status';
import { FIXED, FIXED_WIDTH, KEY_WIDTH, keyColumn, orderKey, parseOrder, ROW_HEIGHT, TABLE_CSS, type KeyColumn } from './run-columns';
import { RowPool, type PoolActions, type PoolColumns, type PoolRow } from './row-pool';
import { useNestedRows } from './use-nested-rows';
import { useQuietVirtualizer } from './use-quiet-virtualizer';
import { useRunWindows, windowSpan } from './use-run-windows';

const rowHeight = () => ROW_HEIGHT;
const keyWidth = () => KEY_WIDTH;

export interface RunsTableProps {
  experimentId: string;
  experimentName: string;
  filter?: string;
  order?: string;
  /** Column ids to show and fetch; undefined while the defaults load. */
  columns?: string[];
  selected: ReadonlySet<string>;
  onToggle(runId: string): void;
  onOrder(order: string): void;
  /** List top-level runs only, each expandable to its children. */
  grouped?: boolean;
}

/**
 * The runs of a search as one table sized for all of them: rows and columns
 * are virtual, and only the windows of runs in view are fetched (with the
 * chosen columns only); rows whose window is on its way show a placeholder.
 * Keyboard: j/k move a cursor row, x selects it, c compares the selection.
 */
export function RunsTable({ experimentId, experimentName, filter, order, columns, selected, onToggle, onOrder, grouped = false }: RunsTableProps) {
  const go = useNavigate();
  const [cursor, setCursor] = useState(-1);
  const keyColumns = useMemo(() => (columns ?? []).map(keyColumn), [columns]);
  const scroller = useRef<HTMLDivElement>(null);
  // The row count follows the windows' total; kept apart so the rows in view can pick the windows in the same render.
  const [count, setCount] = useState(0);
  const nested = useNestedRows({ experimentId, filter, order, columns: columns ?? [], enabled: grouped });
  const nestedRef = useRef(nested);
  nestedRef.current = nested;
  // Rows are drawn outside React (row-pool.ts) as the view scrolls; the table renders when the windows to fetch change.
  const draw = useRef(() => undefined as void);
  // Browsers cap an element's height near 33 million px: about a million rows at this height.
  const rowVirtualizer = useQuietVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: rowHeight,
    overscan: { ahead: 8, behind: 2 },
    draw: () => draw.current(),
    renderKey: (v) => {
      const items = v.getVirtualItems();
      const { locate } = nestedRef.current;
      return windowSpan(locate(items[0]?.index ?? 0).root, locate(items.at(-1)?.index ?? 0).root);
    },
  });
  const colVirtualizer = useVirtualizer({ horizontal: true, count: keyColumns.length, getScrollElement: () => scroller.current, estimateSize: keyWidth, overscan: 1 });
  const virtualRows = rowVirtualizer.getVirtualItems();
  const virtualCols = colVirtualizer.getVirtualItems();
  const windows = useRunWindows({
    experimentId,
    filter,
    order,
    rootsOnly: grouped,
    columns: columns ?? [],
    first: nested.locate(virtualRows[0]?.index ?? 0).root,
    last: nested.locate(virtualRows.at(-1)?.index ?? 0).root,
    enabled: columns !== undefined,
  });
  // Runs in the table's rows: the search's total, plus the children of expanded parents.
  const total = nested.count(windows.total ?? 0);
  useLayoutEffect(() => setCount(total), [total]);
  const rowAt = (index: number): Pick<PoolRow, 'run' | 'depth'> => {
    const place = nested.locate(index);
    if (place.parent !== undefined) return { run: nested.child(place.parent, place.child), depth: 1 };
    return { run: windows.row(place.root), depth: grouped ? 0 : undefined };
  };
  const onExpandRef = useRef<(runId: string, index: number) => void>(() => undefined);
  onExpandRef.current = (runId, index) => {
    const { root } = nested.locate(index);
    nested.toggle(runId, root, windows.row(root)?.child_count ?? 0);
  };

  // The rows' clicks and checkboxes reach the latest props through this ref: the pool outlives renders.
  const actions = useRef<PoolActions>({ open: () => undefined, toggle: () => undefined, expand: () => undefined });
  actions.current = {
    open(e, runId) {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      void go({ to: '/runs/$runId', params: { runId }, search: {} });
    },
    toggle: onToggle,
    expand: (runId, index) => onExpandRef.current(runId, index),
  };
  const onOrderRef = useRef(onOrder);
  onOrderRef.current = onOrder;
  const orderBy = useCallback((o: string) => onOrderRef.current(o), []);

  // A new filter or order is a new list: start at its top.
  useEffect(() => {
    scroller.current?.scrollTo({ top: 0 });
    setCursor(-1);
  }, [filter, order, grouped]);

  // The listener is added once; it reads the latest state through this ref.
  const keys = useRef({ rowAt, total, cursor, selected, onToggle, experimentId });
  keys.current = { rowAt, total, cursor, selected, onToggle, experimentId };
  useEffect(() => {
    const focusRow = (i: number, tries = 40) => {
      const link = scroller.current?.querySelector<HTMLAnchorElement>(`tr[aria-rowindex="${i + 2}"] a`);
      if (link) link.focus();
      else if (tries > 0) setTimeout(() => focusRow(i, tries - 1), 50);
    };
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e)) return;
      const { rowAt, total, cursor, selected, onToggle, experimentId } = keys.current;
      if ((e.key === 'j' || e.key === 'k') && total > 0) {
        e.preventDefault();
        const next = e.key === 'j' ? Math.min(total - 1, cursor + 1) : Math.max(0, cursor - 1);
        setCursor(next);
        rowVirtualizer.scrollToIndex(next, { align: 'auto' });
        focusRow(next);
      } else if (e.key === 'x' && cursor >= 0) {
        const { run } = rowAt(cursor);
        if (!run) return;
        e.preventDefault();
        onToggle(run.info.run_id);
      } else if (e.key === 'c' && selected.size >= 2) {
        e.preventDefault();
        void go({ to: '/compare', search: { runs: [...selected].join(','), experiments: experimentId } });
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  const body = useRef<HTMLTableSectionElement>(null);
  const pool = useRef<RowPool | null>(null);
  const firstCol = virtualCols[0]?.index ?? 0;
  const lastCol = virtualCols.at(-1)?.index ?? -1;
  const poolColumns = useMemo<PoolColumns>(() => ({ keyColumns, firstCol, lastCol }), [keyColumns, firstCol, lastCol]);
  draw.current = () => {
    const tbody = body.current;
    if (pool.current && pool.current.tbody !== tbody) {
      pool.current.destroy();
      pool.current = null;
    }
    if (!tbody) return;
    pool.current ??= new RowPool(tbody, () => actions.current);
    const rows: PoolRow[] = rowVirtualizer.getVirtualItems().map((vr) => {
      const { run, depth } = rowAt(vr.index);
      return {
        index: vr.index,
        run,
        depth,
        expanded: run && depth === 0 ? nested.isExpanded(run.info.run_id) : undefined,
        selected: run ? selected.has(run.info.run_id) : false,
        cursor: vr.index === cursor,
      };
    });
    pool.current.update(rows, poolColumns);
  };
  // Every render: the windows as they load, the selection, the cursor and the columns.
  useLayoutEffect(() => draw.current());
  useEffect(
    () => () => {
      pool.current?.destroy();
      pool.current = null;
    },
    [],
  );

  if (windows.error) return <ErrorBox error={windows.error} what="runs" />;
  if (nested.error) return <ErrorBox error={nested.error} what="child runs" />;
  if (windows.total === undefined) return <Loading what="runs" />;
  if (total === 0) {
    return filter ? (
      <EmptyState title={`No runs match ${filter}.`}>
        <p>Change or clear the filter.</p>
      </EmptyState>
    ) : (
      <EmptyState title="No runs yet." />
    );
  }

  const totalWidth = FIXED_WIDTH + colVirtualizer.getTotalSize();
  return (
    <>
      <style>{TABLE_CSS}</style>
      <p className="muted" role="status">
        {(windows.total ?? 0).toLocaleString('en-US')} {grouped ? 'top-level runs' : 'runs'}
        {selected.size ? `, ${selected.size} selected` : ''}
      </p>
      <div ref={scroller} className="vscroll" tabIndex={0} role="region" aria-label="Runs table, scrollable">
        <table
          role="table"
          className="vtable"
          aria-rowcount={total + 1}
          aria-colcount={FIXED.length + keyColumns.length}
          style={{ width: totalWidth, '--key-offset': `${firstCol * KEY_WIDTH}px` } as CSSProperties}
        >
          <caption className="sr-only">Runs of {experimentName}</caption>
          <thead className="vthead" role="rowgroup">
            <HeaderRow keyColumns={keyColumns} firstCol={firstCol} lastCol={lastCol} order={order} onOrder={orderBy} />
          </thead>
          {/* Its rows are drawn by the pool (row-pool.ts), not by React. */}
          <tbody ref={body} role="rowgroup" style={{ height: rowVirtualizer.getTotalSize() }} className="vtbody" />
        </table>
      </div>
    </>
  );
}

/**
 * A header's text, split so that a narrow column gives up its start first:
 * `metric: group3/metric_0001` keeps `metric_0001` and elides `metric: group3/`,
 * as the end of a key is what tells its siblings apart. The title holds it whole.
 */
function HeaderLabel({ label }: { label: string }) {
  const colon = label.indexOf(': ');
  const slash = label.lastIndexOf('/', label.endsWith(')') ? label.lastIndexOf(' (') : label.length);
  const cut = slash > colon ? slash + 1 : colon >= 0 ? colon + 2 : 0;
  if (cut === 0) return <span className="truncate">{label}</span>;
  // Spoken whole: the parts are flex items, and a browser joins flex items' text with a space.
  return (
    <>
      <span className="sr-only">{label}</span>
      <span className="truncate label-head" aria-hidden="true">
        {label.slice(0, cut)}
      </span>
      <span className="truncate label-leaf" aria-hidden="true">
        {label.slice(cut)}
      </span>
    </>
  );
}

/** The header row: memoised, so the table's renders for new windows, the selection or the cursor leave it alone. */
const HeaderRow = memo(function HeaderRow({ keyColumns, firstCol, lastCol, order, onOrder }: { keyColumns: KeyColumn[]; firstCol: number; lastCol: number; order?: string; onOrder(order: string): void }) {
  const sorted = parseOrder(order);
  const ariaSort = (columnId: string) => {
    const key = orderKey(columnId);
    if (!key || sorted?.key !== key) return undefined;
    return sorted.desc ? 'descending' : 'ascending';
  };
  const sortBy = (columnId: string) => {
    const key = orderKey(columnId);
    if (!key) return;
    const desc = sorted?.key === key ? !sorted.desc : true;
    onOrder(`${key} ${desc ? 'DESC' : 'ASC'}`);
  };
  const headerCell = (id: string, label: string, className: string, colIndex: number) => {
    const sortable = id !== 'select' && orderKey(id) !== undefined;
    const sort = ariaSort(id);
    // Summaries over a metric's history are computed per window, so the server cannot order by them.
    const title = !sortable && id.startsWith('metrics.') ? `${label}: not sortable` : label;
    return (
      <th key={id} role="columnheader" scope="col" aria-colindex={colIndex} aria-sort={sort} className={`vcell vhead ${className}`} title={title}>
        {id === 'select' ? (
          <span className="sr-only">Select</span>
        ) : sortable ? (
          <button type="button" className="sort" onClick={() => sortBy(id)}>
            <HeaderLabel label={label} />
            <span aria-hidden="true">{sort === 'descending' ? ' ▼' : sort === 'ascending' ? ' ▲' : ''}</span>
          </button>
        ) : (
          <span className="header-label">
            <HeaderLabel label={label} />
          </span>
        )}
      </th>
    );
  };
  const keyCells = [];
  for (let i = firstCol; i <= lastCol && i < keyColumns.length; i++) {
    const c = keyColumns[i]!;
    keyCells.push(headerCell(c.id, c.header, i === firstCol ? 'vkey first' : 'vkey', FIXED.length + i + 1));
  }
  return (
    <tr role="row" aria-rowindex={1}>
      {FIXED.map((c, i) => headerCell(c.id, c.header, `c-${c.id}`, i + 1))}
      {keyCells}
    </tr>
  );
});
