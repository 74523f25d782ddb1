export function formatTime(ms?: number): string {
  if (!ms) return '—';
  return new Date(Number(ms)).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** `status` RUNNING without an end: the time so far, as MLflow's UI shows it. */
export function formatDuration(start?: number, end?: number, status?: string): string {
  if (start && !end && status === 'RUNNING') end = Date.now();
  if (!start || !end) return '—';
  const s = Math.max(0, (Number(end) - Number(start)) / 1000);
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(6).replace(/\.?0+$/, '');
  return String(v);
}

/** The run's name, else the start of its id. */
export function runLabel(info: { run_name?: string; run_id: string }): string {
  return info.run_name || info.run_id.slice(0, 8);
}

/** `1 run`, `3 runs`: the count with its noun in the right number. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
