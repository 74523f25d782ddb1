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

/** Longest shortest-representation (sign aside) shown as logged: `120000.4`, `12.345678`, `1e-7`. */
const EXACT_CHARS = 10;

/**
 * A logged value for display: exactly as logged when its shortest form is
 * short, else to about six significant digits. Integer digits are never
 * dropped, and zeros are trimmed only after a decimal point or in an
 * exponent's mantissa, so 120000.4 never reads `12`.
 */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'number') return String(v);
  const exact = String(v);
  if (!Number.isFinite(v) || Number.isInteger(v) || exact.replace('-', '').length <= EXACT_CHARS) return exact;
  const abs = Math.abs(v);
  // toPrecision turns 123456789.1 into 1.23457e+8; from six integer digits up the digits stay and the fraction goes
  // (every double from 2^53 up is an integer, so toFixed never meets one past 1e21 here).
  if (abs >= 1e5) return v.toFixed(0);
  if (abs < 1e-4) return v.toExponential(5).replace(/\.?0+(?=e)/, '');
  return v.toPrecision(6).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

/**
 * A chart tick: as many decimals as the step between ticks needs, so ticks
 * 2e-8 apart do not all read `0`; an exponent where that would run long.
 */
export function formatTick(v: number, step: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const decimals = Math.min(20, Math.max(0, Math.ceil(-Math.log10(Math.abs(step)) - 1e-9)));
  const fixed = String(Number(v.toFixed(decimals)));
  if (fixed.replace('-', '').length <= 9 && !fixed.includes('e')) return fixed;
  const digits = Math.min(20, Math.max(0, Math.floor(Math.log10(Math.abs(v))) - Math.floor(Math.log10(Math.abs(step)))));
  return v.toExponential(digits).replace(/\.?0+(?=e)/, '');
}

/** The value as logged when formatValue rounds it (for a title), else undefined. */
export function exactIfRounded(v: unknown): string | undefined {
  if (typeof v !== 'number') return undefined;
  const exact = String(v);
  return formatValue(v) === exact ? undefined : exact;
}

/** An instant in ms as `YYYY-MM-DD HH:MM:SS UTC`, with milliseconds only when it has some. */
function utcInstant(ms: number): string {
  const iso = new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
  return ms % 1000 === 0 ? iso.slice(0, 19) : iso;
}

/**
 * The x a chart point stands for, `first`..`last` inclusive: one step or a
 * bucket's steps (`steps 0–4`), a time or a range of times in UTC, or seconds
 * since the run's first point. `first` and `last` are in the axis's server
 * units: steps, or milliseconds for `time` and `relative`.
 */
export function formatXSpan(axis: 'step' | 'time' | 'relative', first: number, last: number): string {
  if (axis === 'step') return first === last ? `step ${first}` : `steps ${first}–${last}`;
  if (axis === 'relative') return first === last ? `${formatValue(first / 1000)} s` : `${formatValue(first / 1000)}–${formatValue(last / 1000)} s`;
  const a = utcInstant(first);
  if (first === last) return `${a} UTC`;
  const b = utcInstant(last);
  // The same day: the end shows only its time.
  return `${a}–${b.slice(0, 10) === a.slice(0, 10) ? b.slice(11) : b} UTC`;
}

/** The run's name, else the start of its id. */
export function runLabel(info: { run_name?: string; run_id: string }): string {
  return info.run_name || info.run_id.slice(0, 8);
}

/** `1 run`, `3 runs`: the count with its noun in the right number. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
