import { Link } from '@tanstack/react-router';
import { memo } from 'react';
import { formatDuration, formatTime, formatValue, runLabel } from '../../format';
import { cellValue, FIXED, FIXED_WIDTH, GIT_COMMIT_TAG, KEY_WIDTH, PARENT_RUN_TAG, ROW_HEIGHT, type KeyColumn } from './run-columns';
import type { RunTableRow } from './runs-table-api';

/** Cells holding plain text: drawn as one element (no inner span), which matters at a dozen new rows a frame. */
const TEXT_CELLS = new Set(['start', 'duration', 'user']);

function rowStyle(index: number, width: number) {
  return { transform: `translateY(${index * ROW_HEIGHT}px)`, height: ROW_HEIGHT, width };
}

export interface RunRowProps {
  run: RunTableRow;
  index: number;
  width: number;
  keyColumns: KeyColumn[];
  /** The key columns in view, by index, inclusive. */
  firstCol: number;
  lastCol: number;
  selected: boolean;
  cursor: boolean;
  onToggle(runId: string): void;
  /** Grouped view: 0 for a top-level run, 1 for a child drawn under its parent; absent when not grouped. */
  depth?: 0 | 1;
  /** Grouped view, top-level run: whether its children are shown. */
  expanded?: boolean;
  onExpand?(runId: string, index: number): void;
}

type Nesting = Pick<RunRowProps, 'index' | 'depth' | 'expanded' | 'onExpand'>;

function nameCell(run: RunTableRow, { index, depth, expanded, onExpand }: Nesting) {
  const name = runLabel(run.info);
  const parent = run.tags[PARENT_RUN_TAG];
  const children = run.child_count ?? 0;
  const link = (
    <Link to="/runs/$runId" params={{ runId: run.info.run_id }} search={{}} className="truncate">
      {name}
    </Link>
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
      return <span className={`status status-${run.info.status.toLowerCase()}`}>{run.info.status}</span>;
    case 'start':
      return formatTime(run.info.start_time);
    default:
      return formatDuration(run.info.start_time, run.info.end_time);
  }
}

/**
 * One loaded run. Memoised on plain values: while the table scrolls, rows
 * already drawn are skipped and only those coming into view render.
 */
export const RunRow = memo(function RunRow({ run, index, width, keyColumns, firstCol, lastCol, selected, cursor, onToggle, depth, expanded, onExpand }: RunRowProps) {
  let left = 0;
  const cells = [];
  for (let i = firstCol; i <= lastCol && i < keyColumns.length; i++) {
    const c = keyColumns[i]!;
    cells.push(
      <td key={c.id} role="cell" aria-colindex={FIXED.length + i + 1} className="vcell vtext mono num" style={{ left: FIXED_WIDTH + i * KEY_WIDTH, width: KEY_WIDTH }}>
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
      style={rowStyle(index, width)}
    >
      {FIXED.map((c, i) => {
        const style = { left, width: c.width };
        left += c.width;
        return (
          <td key={c.id} role="cell" aria-colindex={i + 1} className={TEXT_CELLS.has(c.id) ? 'vcell vtext' : 'vcell'} style={style}>
            {fixedCell(c.id, run, selected, onToggle, { index, depth, expanded, onExpand })}
          </td>
        );
      })}
      {cells}
    </tr>
  );
});

/** A run whose window is still on its way: one cell, so scrolling through unloaded rows stays cheap. */
export const PlaceholderRow = memo(function PlaceholderRow({ index, width }: { index: number; width: number }) {
  return (
    <tr role="row" aria-rowindex={index + 2} aria-busy="true" className="placeholder" style={rowStyle(index, width)}>
      <td role="cell" aria-colindex={2} className="vcell" style={{ left: FIXED[0]!.width, width: FIXED_WIDTH - FIXED[0]!.width }}>
        <span className="skeleton" aria-hidden="true" />
        <span className="sr-only">Loading run</span>
      </td>
    </tr>
  );
});
