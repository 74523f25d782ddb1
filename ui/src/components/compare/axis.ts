/**
 * What the axes read of a run (api.ts's Run), restated so Node's tests
 * compile this module without the browser's API client.
 */
interface Run {
  data: { params?: Array<{ key: string; value: string }>; metrics?: Array<{ key: string; value: number | string }> };
}

/** A compare field: a run's latest value of a metric (`m:loss`) or one of its params (`p:lr`). */
export type Field = `m:${string}` | `p:${string}`;

export function fieldLabel(f: string): string {
  return f.slice(2);
}

/** Each run's fields by key, built once per run: views look up thousands of (run, field) pairs. */
const fieldsOf = new WeakMap<Run, Map<string, string | number>>();

/** The run's value of a field: metrics as numbers, params as their logged string. */
export function valueOf(run: Run, f: string): string | number | undefined {
  let byKey = fieldsOf.get(run);
  if (!byKey) {
    byKey = new Map();
    for (const p of run.data.params ?? []) byKey.set(`p:${p.key}`, p.value);
    for (const m of run.data.metrics ?? []) byKey.set(`m:${m.key}`, Number(m.value));
    fieldsOf.set(run, byKey);
  }
  return byKey.get(f);
}

/** One axis: numeric when every present value parses as a finite number, otherwise ordered categories. */
export interface Axis {
  kind: 'numeric' | 'categorical';
  /** Position in [0, 1], or undefined for a run without the value. */
  pos(v: string | number | undefined): number | undefined;
  ticks: Array<{ pos: number; label: string }>;
}

function fmt(n: number): string {
  if (n === 0) return '0';
  const a = Math.abs(n);
  return a >= 1e4 || a < 1e-3 ? n.toExponential(1) : String(Number(n.toPrecision(3)));
}

/**
 * Round values 1, 2 or 5 × 10^k apart inside [lo, hi], about `count` of
 * them, the way d3's ticks choose them: an axis from 0.0001 to 0.01 reads
 * 0.002, 0.004, … rather than quarters of its span (0.002575, 0.00505, …).
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) return [lo];
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const ratio = raw / power;
  const step = (ratio >= Math.sqrt(50) ? 10 : ratio >= Math.sqrt(10) ? 5 : ratio >= Math.SQRT2 ? 2 : 1) * power;
  // A hair of slack: 0.3 / 0.1 is 2.9999999999999996 in floats, and 0.3 belongs on the axis.
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  const out: number[] = [];
  // toPrecision drops the float noise of k × step (0.30000000000000004).
  for (let k = first; k <= last; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

export function makeAxis(values: Array<string | number | undefined>): Axis {
  const present = values.filter((v): v is string | number => v !== undefined && v !== '');
  const nums = present.map(Number);
  if (present.length > 0 && nums.every(Number.isFinite)) {
    let lo = Math.min(...nums);
    let hi = Math.max(...nums);
    if (lo === hi) [lo, hi] = [lo - 1, hi + 1];
    const ticks = niceTicks(lo, hi).map((v) => ({ pos: Math.min(1, Math.max(0, (v - lo) / (hi - lo))), label: fmt(v) }));
    return { kind: 'numeric', pos: (v) => (v === undefined || v === '' ? undefined : (Number(v) - lo) / (hi - lo)), ticks };
  }
  const cats = [...new Set(present.map(String))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const at = new Map(cats.map((c, i) => [c, cats.length === 1 ? 0.5 : i / (cats.length - 1)]));
  return { kind: 'categorical', pos: (v) => (v === undefined ? undefined : at.get(String(v))), ticks: cats.map((c) => ({ pos: at.get(c)!, label: c })) };
}

/** A picker of one field among metrics and params. */
export function fieldOptions(metricKeys: string[], paramKeys: string[]): Array<{ value: string; label: string; group: string }> {
  return [...metricKeys.map((k) => ({ value: `m:${k}`, label: k, group: 'Metrics (latest)' })), ...paramKeys.map((k) => ({ value: `p:${k}`, label: k, group: 'Params' }))];
}
