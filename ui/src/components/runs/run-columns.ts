/** The runs table's geometry and columns: what its header and its rows share. */
import type { ColumnKind } from './runs-table-api';

export const ROW_HEIGHT = 34;
export const KEY_WIDTH = 150;

/** Fixed columns, always drawn, with the MLflow attribute each sorts by. */
export const FIXED: Array<{ id: string; header: string; width: number; sortKey?: string }> = [
  { id: 'select', header: 'Select', width: 64 },
  { id: 'name', header: 'Run', width: 200, sortKey: 'attributes.run_name' },
  { id: 'status', header: 'Status', width: 110, sortKey: 'attributes.status' },
  { id: 'start', header: 'Started', width: 200, sortKey: 'attributes.start_time' },
  { id: 'duration', header: 'Duration', width: 110 },
];
export const FIXED_WIDTH = FIXED.reduce((n, c) => n + c.width, 0);
const KIND_LABEL: Record<ColumnKind, string> = { metrics: 'metric', params: 'param', tags: 'tag' };

/** A metric, param or tag column, from its id `metrics.loss`. */
export interface KeyColumn {
  id: string;
  kind: ColumnKind;
  key: string;
  header: string;
}

export function keyColumn(id: string): KeyColumn {
  const dot = id.indexOf('.');
  const kind = id.slice(0, dot) as ColumnKind;
  const key = id.slice(dot + 1);
  return { id, kind, key, header: `${KIND_LABEL[kind] ?? kind}: ${key}` };
}

/** `metrics.loss` → ``metrics.`loss` ``: backticks let keys hold dots, spaces and dashes. */
export function orderKey(columnId: string): string | undefined {
  const fixed = FIXED.find((c) => c.id === columnId);
  if (fixed) return fixed.sortKey;
  const dot = columnId.indexOf('.');
  return `${columnId.slice(0, dot)}.\`${columnId.slice(dot + 1)}\``;
}

export function parseOrder(order?: string): { key: string; desc: boolean } | undefined {
  const m = /^(.*)\s+(ASC|DESC)$/i.exec(order ?? '');
  return m ? { key: m[1]!, desc: m[2]!.toUpperCase() === 'DESC' } : undefined;
}
