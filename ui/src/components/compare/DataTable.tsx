import { useState, type ReactNode } from 'react';

/** Rows per page: 1,000 runs would otherwise be 1,000 rows of DOM. */
export const DATA_TABLE_PAGE = 100;

export interface DataTableProps<T> {
  /** For screen readers: what the table holds. */
  caption: string;
  /** Header cells; the first heads the row headers. */
  columns: string[];
  rows: T[];
  rowKey(row: T): string;
  /** One row's cells: a `<th scope="row">`, then `<td>`s. */
  cells(row: T): ReactNode;
}

/**
 * A chart's data as a table, for keyboards and screen readers. It is built
 * only once opened, and a page of rows at a time.
 */
export function DataTable<T>({ caption, columns, rows, rowKey, cells }: DataTableProps<T>) {
  const [open, setOpen] = useState(false);
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(rows.length / DATA_TABLE_PAGE));
  const at = Math.min(page, pages - 1);
  const shown = rows.slice(at * DATA_TABLE_PAGE, (at + 1) * DATA_TABLE_PAGE);
  return (
    <details className="data-table" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>Data table</summary>
      {open && (
        <>
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Data table">
            <table className="grid-table">
              <caption className="sr-only">{caption}</caption>
              <thead>
                <tr>
                  {columns.map((c) => (
                    <th scope="col" key={c}>
                      {c}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {shown.map((r) => (
                  <tr key={rowKey(r)}>{cells(r)}</tr>
                ))}
              </tbody>
            </table>
          </div>
          {pages > 1 && (
            <div className="table-pager" role="group" aria-label="Data table pages">
              <button type="button" className="button small" disabled={at === 0} onClick={() => setPage(at - 1)}>
                Previous
              </button>
              <span aria-live="polite">
                Rows {(at * DATA_TABLE_PAGE + 1).toLocaleString('en-US')}–{(at * DATA_TABLE_PAGE + shown.length).toLocaleString('en-US')} of {rows.length.toLocaleString('en-US')}
              </span>
              <button type="button" className="button small" disabled={at === pages - 1} onClick={() => setPage(at + 1)}>
                Next
              </button>
            </div>
          )}
        </>
      )}
    </details>
  );
}
