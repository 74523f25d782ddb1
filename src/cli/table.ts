/** Plain-text output for CLI commands: aligned tables, JSON, and the few value formats they share. */

export interface TableOptions {
  /** Widest a cell may be; longer values are cut with '…' (default 48). */
  maxCellWidth?: number;
  /** Columns to right-align (numbers), by index. */
  alignRight?: number[];
}

/** Cuts `value` to `width` characters, ending with '…' when cut. Newlines become spaces. */
export function truncate(value: string, width: number): string {
  const flat = value.replace(/\s*[\r\n]+\s*/g, ' ');
  const chars = [...flat];
  return chars.length <= width ? flat : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/**
 * Formats rows under a header as aligned columns separated by two spaces,
 * with no trailing spaces.
 *
 * @example
 * formatTable(['ID', 'NAME'], [['0', 'Default'], ['12', 'mnist']])
 * // ID  NAME
 * // 0   Default
 * // 12  mnist
 */
export function formatTable(headers: string[], rows: string[][], options: TableOptions = {}): string {
  const max = options.maxCellWidth ?? 48;
  const right = new Set(options.alignRight ?? []);
  const cells = [headers, ...rows].map((row) => headers.map((_, i) => truncate(row[i] ?? '', max)));
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => [...row[i]!].length)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => {
          const pad = ' '.repeat(widths[i]! - [...cell].length);
          return right.has(i) ? pad + cell : cell + pad;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function printTable(headers: string[], rows: string[][], options?: TableOptions): void {
  process.stdout.write(`${formatTable(headers, rows, options)}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n`);
}

/** Epoch milliseconds as `YYYY-MM-DD HH:MM:SS` (UTC); '' for none. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || ms <= 0) return '';
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/** A duration in ms as `1h02m`, `3m05s`, `4.2s`. */
export function formatDuration(ms: number): string {
  if (ms < 0) return '';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  return `${Math.floor(s / 3600)}h${pad(Math.floor(s / 60) % 60)}m`;
}

/** A metric value short enough for a table: integers as they are, others to 6 significant digits. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}
