import { memo, type MouseEvent } from 'react';
import { formatDuration, formatTime, formatValue, runLabel } from '../../format';
import { cellValue, FIXED, GIT_COMMIT_TAG, PARENT_RUN_TAG, ROW_HEIGHT, type KeyColumn } from './run-columns';
import type { RunTableRow } from './runs-table-api';

/** Cells holding plain text: drawn as one element (no inner span), which matters at a dozen new rows a frame. */
const TEXT_CELLS = new Set(['start', 'duration', 'user', 'status']);

function cellClass(id: string, run: RunTableRow): string {
  if (id === 'status') return `vcell vtext c-status status status-${run.info.status.toLowerCase()}`;
  return TEXT_CELLS.has(id) ? `vcell vtext c-${id}` : `vcell c-${id}`;
}

/**
 * The row's one inline style: its place. Everything else comes from classes
 * (run-columns.ts, TABLE_CSS). `top`, not a transform: a transform gives each
 * row its own node in the paint property trees, which fast scrolling then
 * re-layerizes every frame (measured: ~8 % more main-thread time per frame).
 */
function rowStyle(index: number) {
  return { top: index * ROW_HEIGHT };
}

/** Opens a run in the app on a plain click; the href serves every other click. */
export type OpenRun = (e: MouseEvent<HTMLAnchorElement>, runId: string) => void;

export interface RunRowProps {
  run: RunTableRow;
  index: number;
  keyColumns: KeyColumn[];
  /** The key columns in view, by index, inclusive. */
  firstCol: number;
  lastCol: number;
  selected: boolean;
  cursor: boolean;
  onToggle(runId: string): void;
  onOpen: OpenRun;
  /** Grouped view: 0 for a top-level run, 1 for a child drawn under its parent; absent when not grouped. */
  depth?: 0 | 1;
  /** Grouped view, top-level run: whether its children are shown. */
  expanded?: boolean;
  onExpand?(runId: string, index: number): void;
}

type Nesting = Pick<RunRowProps, 'index' | 'depth' | 'expanded' | 'onExpand' | 'onOpen'>;

function nameCell(run: RunTableRow, { index, depth, expanded, onExpand, onOpen }: Nesting) {
  const name = runLabel(run.info);
  const parent = run.tags[PARENT_RUN_TAG];
  const children = run.child_count ?? 0;
  const runId = run.info.run_id;
  // A plain link: a router <Link> costs ~0.5 ms to render, a frame's worth at a dozen new rows.
  const link = (
    <a href={`/runs/${encodeURIComponent(runId)}`} onClick={(e) => onOpen(e, runId)} className="truncate">
      {name}
    </a>
  );
  if (depth === 1) {
    return (
      <span className="nested child">
        <span aria-hidden="true">↳ </span>
        {link}
      </span>
    );
  }
  if (depth === 0 && children > 0 && onExpand) {
    return (
      <span className="nested">
        <button
          type="button"
          className="expander"
          aria-expanded={expanded}
          aria-label={`${expanded ? 'Hide' : 'Show'} ${children} child run${children === 1 ? '' : 's'} of ${name}`}
          onClick={() => onExpand(run.info.run_id, index)}
        >
          <span aria-hidden="true">{expanded ? '▾' : '▸'} {children}</span>
        </button>
        {link}
      </span>
    );
  }
  // Not grouped: a child run still says it has a parent.
  if (parent && depth === undefined) {
    return (
      <span className="nested">
        <span className="parent-mark" title={`Child of run ${parent}`}>
          ↳<span className="sr-only"> child of run {parent.slice(0, 8)}</span>
        </span>
        {link}
      </span>
    );
  }
  return link;
}

function fixedCell(id: string, run: RunTableRow, selected: boolean, onToggle: (runId: string) => void, nesting: Nesting) {
  switch (id) {
    case 'select':
      return <input type="checkbox" checked={selected} onChange={() => onToggle(run.info.run_id)} aria-label={`Select run ${runLabel(run.info)}`} />;
    case 'name':
      return nameCell(run, nesting);
    case 'user':
      return run.info.user_id ?? '';
    case 'commit': {
      const commit = run.tags[GIT_COMMIT_TAG];
      return commit ? (
        <abbr className="mono commit" title={commit}>
          {commit.slice(0, 8)}
        </abbr>
      ) : (
        ''
      );
    }
    case 'status':
      return run.info.status;
    case 'start':
      return formatTime(run.info.start_time);
    default:
      return formatDuration(run.info.start_time, run.info.end_time, run.info.status);
  }
}

/**
 * One loaded run. Memoised on plain values: while the table scrolls, rows
 * already drawn are skipped and only those coming into view render.
 */
export const RunRow = memo(function RunRow({ run, index, keyColumns, firstCol, lastCol, selected, cursor, onToggle, onOpen, depth, expanded, onExpand }: RunRowProps) {
  const cells = [];
  for (let i = firstCol; i <= lastCol && i < keyColumns.length; i++) {
    const c = keyColumns[i]!;
    cells.push(
      <td key={c.id} role="cell" aria-colindex={FIXED.length + i + 1} className={i === firstCol ? 'vcell vtext mono num vkey first' : 'vcell vtext mono num vkey'}>
        {formatValue(cellValue(c, run))}
      </td>,
    );
  }
  return (
    <tr
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      className={[selected ? 'selected' : '', cursor ? 'cursor' : '', depth === 1 ? 'child-run' : ''].join(' ').trim() || undefined}
      style={rowStyle(index)}
    >
      {FIXED.map((c, i) => (
        <td key={c.id} role="cell" aria-colindex={i + 1} className={cellClass(c.id, run)}>
          {fixedCell(c.id, run, selected, onToggle, { index, depth, expanded, onExpand, onOpen })}
        </td>
      ))}
      {cells}
    </tr>
  );
});

/** A run whose window is still on its way: one cell, so scrolling through unloaded rows stays cheap. */
export const PlaceholderRow = memo(function PlaceholderRow({ index }: { index: number }) {
  return (
    <tr role="row" aria-rowindex={index + 2} aria-busy="true" className="placeholder" style={rowStyle(index)}>
      <td role="cell" aria-colindex={2} className="vcell c-placeholder">
        <span className="skeleton" aria-hidden="true" />
        <span className="sr-only">Loading run</span>
      </td>
    </tr>
  );
});
