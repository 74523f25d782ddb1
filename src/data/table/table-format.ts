import { extname } from 'node:path';
import { InvalidArgumentError } from '../../errors.js';

/** The tabular file formats Ferry reads and writes through DuckDB. */
export const TABLE_FORMATS = ['csv', 'parquet', 'jsonl'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

const BY_EXTENSION: Record<string, TableFormat> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json': 'jsonl',
};

/**
 * The format of a table file: the explicit one when given, else from its
 * extension (`.gz`/`.zst` compression suffixes are looked through).
 * @throws InvalidArgumentError naming the accepted formats when neither tells.
 */
export function tableFormatOf(path: string, explicit?: string): TableFormat {
  if (explicit !== undefined) {
    if ((TABLE_FORMATS as readonly string[]).includes(explicit)) return explicit as TableFormat;
    throw new InvalidArgumentError(`Unknown table format '${explicit}'; use one of ${TABLE_FORMATS.join(', ')}.`);
  }
  const bare = path.replace(/\.(gz|zst)$/i, '');
  const format = BY_EXTENSION[extname(bare).toLowerCase()];
  if (format) return format;
  throw new InvalidArgumentError(
    `Cannot tell the format of '${path}' from its extension; name it (${TABLE_FORMATS.join(', ')}) or use .csv, .parquet or .jsonl.`,
  );
}

/**
 * The DuckDB table function reading a file of this format, with its path as
 * parameter `$1` — paths are always bound, never spliced into SQL.
 */
export function tableScanSql(format: TableFormat): string {
  switch (format) {
    case 'csv':
      return 'read_csv($1, auto_detect = true, header = true)';
    case 'parquet':
      return 'read_parquet($1)';
    case 'jsonl':
      return "read_json_auto($1, format = 'newline_delimited')";
  }
}
