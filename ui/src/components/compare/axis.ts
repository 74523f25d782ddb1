import type { Run } from '../../api';

/** A compare field: a run's latest value of a metric (`m:loss`) or one of its params (`p:lr`). */
export type Field = `m:${string}` | `p:${string}`;

export function fieldLabel(f: string): string {
  return f.slice(2);
}

/** The run's value of a field: metrics as numbers, params as their logged string. */
export function valueOf(run: Run, f: string): string | number | undefined {
  const key = f.slice(2);
  if (f.startsWith('m:')) {
    const v = run.data.metrics?.find((m) => m.key === key)?.value;
    return v === undefined ? undefined : Number(v);
  }
  return run.data.params?.find((p) => p.key === key)?.value;
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

export function makeAxis(values: Array<string | number | undefined>): Axis {
  const present = values.filter((v): v is string | number => v !== undefined && v !== '');
  const nums = present.map(Number);
  if (present.length > 0 && nums.every(Number.isFinite)) {
    let lo = Math.min(...nums);
    let hi = Math.max(...nums);
    if (lo === hi) [lo, hi] = [lo - 1, hi + 1];
    const ticks = Array.from({ length: 5 }, (_, i) => ({ pos: i / 4, label: fmt(lo + ((hi - lo) * i) / 4) }));
    return { kind: 'numeric', pos: (v) => (v === undefined || v === '' ? undefined : (Number(v) - lo) / (hi - lo)), ticks };
  }
  const cats = [...new Set(present.map(String))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const at = new Map(cats.map((c, i) => [c, cats.length === 1 ? 0.5 : i / (cats.length - 1)]));
  return { kind: 'categorical', pos: (v) => (v === undefined ? undefined : at.get(String(v))), ticks: cats.map((c) => ({ pos: at.get(c)!, label: c })) };
}

/** Viridis stops: a colour-blind-safe, perceptually even scale from low to high. */
const VIRIDIS = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

export function viridis(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const c = VIRIDIS[i]!.map((a, k) => Math.round(a + (VIRIDIS[i + 1]![k]! - a) * f));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** A picker of one field among metrics and params. */
export function fieldOptions(metricKeys: string[], paramKeys: string[]): Array<{ value: string; label: string; group: string }> {
  return [...metricKeys.map((k) => ({ value: `m:${k}`, label: k, group: 'Metrics (latest)' })), ...paramKeys.map((k) => ({ value: `p:${k}`, label: k, group: 'Params' }))];
}
