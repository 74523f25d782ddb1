/** Client for `POST /api/ferry/v1/runs/search` (docs/api/runs-table.md): one window of runs with chosen columns. */
import { fetchRunKeys, request, type RunInfo } from '../../api';
import { GIT_COMMIT_TAG, PARENT_RUN_TAG, parseMetricColumn } from './run-columns';

export type ColumnKind = 'metrics' | 'params' | 'tags';
/** A metric summarised over its history: min or max of its numeric points, or its value at one step. */
export type MetricAggregate = { key: string; agg: 'min' | 'max' } | { key: string; agg: 'step'; step: number };
export type RunTableColumns = Partial<Record<ColumnKind, string[]>> & { metric_aggregates?: MetricAggregate[] };

export interface RunTableRow {
  info: RunInfo;
  metrics: Record<string, number | string>;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** `{ "loss@min": 0.1, "loss@step=100": 0.2 }`, when aggregates were asked for. */
  metric_aggregates?: Record<string, number | string>;
  /** With roots_only: the run's children in the same search. */
  child_count?: number;
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
  roots_only?: boolean;
  parent_run_id?: string;
}

export function searchRunTable(body: RunTableRequest): Promise<RunTableWindow> {
  return request<RunTableWindow>('POST', '/api/ferry/v1/runs/search', body);
}

const KINDS: readonly ColumnKind[] = ['metrics', 'params', 'tags'];

/**
 * Splits column ids (`metrics.loss`, `metrics.loss@min`, `params.lr`) into the
 * request's `columns`, adding the tags the fixed columns read; attributes come
 * with every run and unknown prefixes are left out.
 */
export function columnsOf(ids: readonly string[]): RunTableColumns {
  const out: RunTableColumns = { tags: [GIT_COMMIT_TAG, PARENT_RUN_TAG] };
  for (const id of ids) {
    const dot = id.indexOf('.');
    const kind = id.slice(0, dot) as ColumnKind;
    if (dot <= 0 || !KINDS.includes(kind)) continue;
    const rest = id.slice(dot + 1);
    if (kind !== 'metrics') {
      if (!out[kind]?.includes(rest)) (out[kind] ??= []).push(rest);
      continue;
    }
    const { key, aggregate } = parseMetricColumn(rest);
    if (aggregate) (out.metric_aggregates ??= []).push(aggregate);
    else (out.metrics ??= []).push(key);
  }
  return out;
}

/** Whether any active run of the experiment is a child run (carries MLflow's parent tag). */
export async function hasChildRuns(experimentId: string): Promise<boolean> {
  const { keys } = await fetchRunKeys(experimentId, 'tags', 10, PARENT_RUN_TAG);
  return keys.includes(PARENT_RUN_TAG);
}

/** Columns shown when the URL chooses none: the experiment's metric keys, then its param keys. */
export const DEFAULT_COLUMNS = 200;

/** The default column ids of an experiment, metrics first, at most DEFAULT_COLUMNS. */
export async function fetchDefaultColumns(experimentId: string): Promise<string[]> {
  const [m, p] = await Promise.all([fetchRunKeys(experimentId, 'metrics', DEFAULT_COLUMNS), fetchRunKeys(experimentId, 'params', DEFAULT_COLUMNS)]);
  return [...m.keys.map((k) => `metrics.${k}`), ...p.keys.map((k) => `params.${k}`)].slice(0, DEFAULT_COLUMNS);
}
