/** Client for `POST /api/ferry/v1/runs/search` (docs/api/runs-table.md): one window of runs with chosen columns. */
import { fetchRunKeys, request, type RunInfo } from '../../api';

export type ColumnKind = 'metrics' | 'params' | 'tags';
export type RunTableColumns = Partial<Record<ColumnKind, string[]>>;

export interface RunTableRow {
  info: RunInfo;
  metrics: Record<string, number | string>;
  params: Record<string, string>;
  tags: Record<string, string>;
}

export interface RunTableWindow {
  /** Runs matching the filter, over every window. */
  total: number;
  offset: number;
  runs: RunTableRow[];
}

export interface RunTableRequest {
  experiment_ids: string[];
  filter?: string;
  order_by?: string[];
  offset: number;
  limit: number;
  columns: RunTableColumns;
}

export function searchRunTable(body: RunTableRequest): Promise<RunTableWindow> {
  return request<RunTableWindow>('POST', '/api/ferry/v1/runs/search', body);
}

const KINDS: readonly ColumnKind[] = ['metrics', 'params', 'tags'];

/** Splits column ids (`metrics.loss`, `params.lr`) into the request's `columns`; unknown prefixes are left out. */
export function columnsOf(ids: readonly string[]): RunTableColumns {
  const out: RunTableColumns = {};
  for (const id of ids) {
    const dot = id.indexOf('.');
    const kind = id.slice(0, dot) as ColumnKind;
    if (dot > 0 && KINDS.includes(kind)) (out[kind] ??= []).push(id.slice(dot + 1));
  }
  return out;
}

/** Columns shown when the URL chooses none: the experiment's metric keys, then its param keys. */
export const DEFAULT_COLUMNS = 200;

/** The default column ids of an experiment, metrics first, at most DEFAULT_COLUMNS. */
export async function fetchDefaultColumns(experimentId: string): Promise<string[]> {
  const [m, p] = await Promise.all([fetchRunKeys(experimentId, 'metrics', DEFAULT_COLUMNS), fetchRunKeys(experimentId, 'params', DEFAULT_COLUMNS)]);
  return [...m.keys.map((k) => `metrics.${k}`), ...p.keys.map((k) => `params.${k}`)].slice(0, DEFAULT_COLUMNS);
}
