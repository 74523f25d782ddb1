import { InvalidArgumentError } from '../errors.js';
import type { LabelledPrediction } from './feedback-store.js';
import { computeMetric, QUALITY_METRICS, REGRESSION_METRICS, type Label, type QualityMetric, type Scored } from './quality-metrics.js';

export type Task = 'classification' | 'regression';

/** How logged outputs become a prediction: which output, and whether it is a class or a value. */
export interface ScoringOptions {
  task: Task;
  /** The output tensor to score; default the first. */
  output?: string;
}

/**
 * The metric named in a query, checked.
 * @throws InvalidArgumentError listing the metrics.
 */
export function parseMetric(raw: unknown, fallback: QualityMetric = 'accuracy'): QualityMetric {
  if (raw === undefined || raw === '') return fallback;
  if (typeof raw !== 'string' || !(QUALITY_METRICS as readonly string[]).includes(raw)) {
    throw new InvalidArgumentError(`metric must be one of ${QUALITY_METRICS.join(', ')}, got '${String(raw)}'.`);
  }
  return raw as QualityMetric;
}

/** The task a metric implies (MAE and RMSE score regressors, the others classifiers). */
export const taskOf = (metric: QualityMetric): Task => ((REGRESSION_METRICS as readonly string[]).includes(metric) ? 'regression' : 'classification');

/**
 * One labelled prediction as the metrics see it, or undefined when its
 * outputs or label cannot be scored (no such output, a label that is not a number for a regressor).
 *
 * The first row of the chosen output is the prediction (one label per request).
 * Classifiers: a row of two or more scores predicts its argmax (with two, the
 * second is the score of class 1 for AUC); a single number in (0, 1) that is
 * not 0 or 1 is the probability of class 1 (predicting 1 from 0.5); any other single value is the class.
 * Regressors: the row's first number.
 */
export function toScored(row: Pick<LabelledPrediction, 'outputs' | 'label'>, options: ScoringOptions): Scored | undefined {
  let outputs: Array<{ name: string; shape?: number[]; data: unknown[] }>;
  let label: unknown;
  try {
    outputs = JSON.parse(row.outputs);
    label = JSON.parse(row.label);
  } catch {
    return undefined;
  }
  if (typeof label === 'boolean') label = label ? 1 : 0;
  if (typeof label !== 'number' && typeof label !== 'string') return undefined;
  const out = options.output === undefined ? outputs?.[0] : outputs?.find((o) => o.name === options.output);
  if (!out || !Array.isArray(out.data) || out.data.length === 0) return undefined;
  const shape = Array.isArray(out.shape) ? out.shape : [out.data.length];
  const width = shape.length > 1 ? Math.max(1, Number(shape[shape.length - 1])) : 1;
  const first = out.data.slice(0, width) as unknown[];
  if (options.task === 'regression') {
    const value = Number(first[0]);
    const truth = Number(label);
    if (!Number.isFinite(value) || !Number.isFinite(truth)) return undefined;
    return { label: truth, predicted: value };
  }
  if (first.length >= 2) {
    const scores = first.map(Number);
    let best = 0;
    for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
    return { label: label as Label, predicted: best, ...(scores.length === 2 ? { score: scores[1]! } : {}) };
  }
  const v = first[0];
  if (typeof v === 'number' && v > 0 && v < 1) return { label: label as Label, predicted: v >= 0.5 ? 1 : 0, score: v };
  if (typeof v === 'number' || typeof v === 'string') return { label: label as Label, predicted: v, ...(typeof v === 'number' ? { score: v } : {}) };
  return undefined;
}

/** A metric's value for one version in one time window. */
export interface QualityPoint {
  variant: string;
  version: number;
  /** Start of the window (epoch ms). */
  windowStart: number;
  /** Labelled predictions in the window. */
  count: number;
  /** NaN-free: null where the metric is undefined (e.g. AUC with one class). */
  value: number | null;
}

export interface QualitySeries {
  metric: QualityMetric;
  task: Task;
  windowMs: number;
  points: QualityPoint[];
  /** Over all windows, per variant and version. */
  overall: Array<Omit<QualityPoint, 'windowStart'>>;
  /** Labelled predictions whose outputs could not be scored. */
  unscored: number;
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** `metric` per variant and version, in windows of `windowMs` aligned to the epoch. */
export function qualitySeries(rows: readonly LabelledPrediction[], metric: QualityMetric, windowMs: number, options: Partial<ScoringOptions> = {}): QualitySeries {
  const task = options.task ?? taskOf(metric);
  const groups = new Map<string, { variant: string; version: number; windowStart: number; rows: Scored[] }>();
  const overall = new Map<string, { variant: string; version: number; rows: Scored[] }>();
  let unscored = 0;
  for (const row of rows) {
    const s = toScored(row, { task, ...(options.output === undefined ? {} : { output: options.output }) });
    if (!s) {
      unscored++;
      continue;
    }
    const windowStart = Math.floor(row.at / windowMs) * windowMs;
    const key = `${row.variant}\u0000${row.version}\u0000${windowStart}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { variant: row.variant, version: row.version, windowStart, rows: [] }));
    g.rows.push(s);
    const okey = `${row.variant}\u0000${row.version}`;
    let o = overall.get(okey);
    if (!o) overall.set(okey, (o = { variant: row.variant, version: row.version, rows: [] }));
    o.rows.push(s);
  }
  return {
    metric,
    task,
    windowMs,
    points: [...groups.values()]
      .sort((a, b) => a.windowStart - b.windowStart || a.variant.localeCompare(b.variant) || a.version - b.version)
      .map((g) => ({ variant: g.variant, version: g.version, windowStart: g.windowStart, count: g.rows.length, value: finite(computeMetric(metric, g.rows)) })),
    overall: [...overall.values()].map((o) => ({ variant: o.variant, version: o.version, count: o.rows.length, value: finite(computeMetric(metric, o.rows)) })),
    unscored,
  };
}
