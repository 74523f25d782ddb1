import type { LabelledPrediction } from './feedback-store.js';
import { CLASSIFICATION_METRICS, computeMetric, higherIsBetter, isBinary, REGRESSION_METRICS, type QualityMetric, type Scored } from './quality-metrics.js';
import { taskOf, toScored, type Task } from './quality-report.js';
import { moments, tInterval, twoProportionZTest, welchTTest, wilsonInterval, type Interval, type TestResult } from './significance.js';

/** One variant (a variant name at one version) in an A/B report. */
export interface AbVariantReport {
  variant: string;
  version: number;
  role: string;
  /** Requests answered since the variant went live (the live counters), where known. */
  requests?: number;
  /** Predictions logged (sampled). */
  logged: number;
  errors: number;
  /** Logged predictions with a label. */
  labelled: number;
  /** Every metric of the task, null where undefined. */
  metrics: Partial<Record<QualityMetric, number | null>>;
  /** The report's metric with its confidence interval (null where no interval applies: F1, AUC, multiclass precision/recall). */
  value: number | null;
  interval: Interval | null;
}

/** A challenger against the control on the report's metric. */
export interface AbComparison {
  variant: string;
  version: number;
  against: string;
  againstVersion: number;
  /** Challenger minus control. */
  difference: number | null;
  test: 'two-proportion z-test' | "Welch's t-test" | null;
  statistic: number | null;
  pValue: number | null;
  significant: boolean;
}

export interface AbReport {
  deployment: string;
  metric: QualityMetric;
  task: Task;
  confidence: number;
  /** The significance level each comparison is held to (Bonferroni: alpha / number of challengers). */
  alpha: number;
  variants: AbVariantReport[];
  comparisons: AbComparison[];
  /** The variant that is significantly better than every other, if any. */
  winner: { variant: string; version: number } | null;
  /** Plain words: 'canary wins on accuracy (p=0.0012)' or 'no winner yet (p=0.21, need more data)'. */
  verdict: string;
}

export interface AbReportInput {
  deployment: string;
  metric: QualityMetric;
  labelled: readonly LabelledPrediction[];
  traffic: ReadonlyArray<{ variant: string; role: string; version: number; logged: number; errors: number }>;
  /** Live request counts by variant name and version (`name@version`). */
  requests?: ReadonlyMap<string, number>;
  /** Variant compared against; default the stable role's, else the first with labels. */
  control?: string;
  output?: string;
  confidence?: number;
  alpha?: number;
}

/** Per-row values the test of `metric` runs on: hits (0/1) for rates, errors for means; undefined where no test applies. */
function testValues(metric: QualityMetric, rows: readonly Scored[]): { kind: 'rate' | 'mean'; values: number[] } | undefined {
  const binary = isBinary(rows.map((r) => r.label)) && isBinary(rows.map((r) => r.predicted));
  switch (metric) {
    case 'accuracy':
      return { kind: 'rate', values: rows.map((r) => (r.predicted === r.label ? 1 : 0)) };
    case 'precision':
      return binary ? { kind: 'rate', values: rows.filter((r) => r.predicted === 1).map((r) => (r.label === 1 ? 1 : 0)) } : undefined;
    case 'recall':
      return binary ? { kind: 'rate', values: rows.filter((r) => r.label === 1).map((r) => (r.predicted === 1 ? 1 : 0)) } : undefined;
    case 'mae':
      return { kind: 'mean', values: rows.map((r) => Math.abs(Number(r.predicted) - Number(r.label))) };
    case 'rmse':
      return { kind: 'mean', values: rows.map((r) => (Number(r.predicted) - Number(r.label)) ** 2) };
    default:
      return undefined;
  }
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
const fmtP = (p: number): string => (p < 0.0001 ? p.toExponential(1) : p.toPrecision(2));
const key = (variant: string, version: number) => `${variant}@${version}`;

/**
 * The A/B report of a deployment: per variant its traffic and quality with a
 * confidence interval, each challenger tested against the control (rates by
 * the two-proportion z-test, means by Welch's t-test), and a verdict.
 */
export function buildAbReport(input: AbReportInput): AbReport {
  const { metric } = input;
  const task = taskOf(metric);
  const confidence = input.confidence ?? 0.95;
  const groups = new Map<string, { variant: string; version: number; role: string; rows: Scored[] }>();
  for (const t of input.traffic) groups.set(key(t.variant, t.version), { variant: t.variant, version: t.version, role: t.role, rows: [] });
  for (const row of input.labelled) {
    const s = toScored(row, { task, ...(input.output === undefined ? {} : { output: input.output }) });
    if (!s) continue;
    const k = key(row.variant, row.version);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { variant: row.variant, version: row.version, role: row.role, rows: [] }));
    g.rows.push(s);
  }
  const metricsOfTask = task === 'regression' ? REGRESSION_METRICS : CLASSIFICATION_METRICS;
  const values = new Map<string, ReturnType<typeof testValues>>();
  const variants: AbVariantReport[] = [...groups.entries()].map(([k, g]) => {
    const t = input.traffic.find((x) => key(x.variant, x.version) === k);
    const tv = testValues(metric, g.rows);
    values.set(k, tv);
    let interval: Interval | null = null;
    const value = finite(computeMetric(metric, g.rows));
    if (tv?.kind === 'rate' && tv.values.length > 0) {
      interval = wilsonInterval(tv.values.reduce((s, v) => s + v, 0), tv.values.length, confidence);
    } else if (tv?.kind === 'mean' && tv.values.length > 1) {
      const ci = tInterval(moments(tv.values), confidence);
      // RMSE's interval is that of the mean squared error, square-rooted.
      interval = metric === 'rmse' ? { low: Math.sqrt(Math.max(0, ci.low)), high: Math.sqrt(ci.high) } : ci;
    }
    const requests = input.requests?.get(k);
    return {
      variant: g.variant,
      version: g.version,
      role: g.role,
      ...(requests === undefined ? {} : { requests }),
      logged: t?.logged ?? 0,
      errors: t?.errors ?? 0,
      labelled: g.rows.length,
      metrics: Object.fromEntries(metricsOfTask.map((m) => [m, finite(computeMetric(m, g.rows))])),
      value,
      interval,
    };
  });
  variants.sort((a, b) => (a.role === 'stable' ? -1 : b.role === 'stable' ? 1 : 0) || a.variant.localeCompare(b.variant) || a.version - b.version);
  const candidates = variants.filter((v) => v.role !== 'shadow' || input.control === v.variant);
  const control = (input.control === undefined ? undefined : candidates.find((v) => v.variant === input.control)) ?? candidates.find((v) => v.labelled > 0) ?? candidates[0];
  const challengers = candidates.filter((v) => v !== control && v.labelled > 0);
  const alpha = (input.alpha ?? 1 - confidence) / Math.max(1, challengers.length);
  const comparisons: AbComparison[] = control
    ? challengers.map((c) => {
        const a = values.get(key(control.variant, control.version));
        const b = values.get(key(c.variant, c.version));
        let test: AbComparison['test'] = null;
        let result: TestResult = { statistic: Number.NaN, pValue: Number.NaN };
        if (a && b && a.kind === 'rate') {
          test = 'two-proportion z-test';
          const sum = (xs: number[]) => xs.reduce((s, v) => s + v, 0);
          result = twoProportionZTest(sum(a.values), a.values.length, sum(b.values), b.values.length);
        } else if (a && b && a.kind === 'mean') {
          test = "Welch's t-test";
          result = welchTTest(moments(a.values), moments(b.values));
        }
        const pValue = finite(result.pValue);
        return {
          variant: c.variant,
          version: c.version,
          against: control.variant,
          againstVersion: control.version,
          difference: c.value !== null && control.value !== null ? c.value - control.value : null,
          test,
          statistic: finite(result.statistic),
          pValue,
          significant: pValue !== null && pValue < alpha,
        };
      })
    : [];
  const { winner, verdict } = decide(metric, control, comparisons, alpha);
  return { deployment: input.deployment, metric, task, confidence, alpha, variants, comparisons, winner, verdict };
}

function decide(metric: QualityMetric, control: AbVariantReport | undefined, comparisons: AbComparison[], alpha: number): Pick<AbReport, 'winner' | 'verdict'> {
  if (!control || control.labelled === 0 || comparisons.length === 0) {
    return { winner: null, verdict: 'no winner yet (need labelled predictions of at least two variants: send feedback)' };
  }
  if (comparisons.every((c) => c.test === null)) {
    return { winner: null, verdict: `no significance test for ${metric} (use accuracy, binary precision or recall, mae or rmse); no winner declared` };
  }
  const better = (c: AbComparison) => (c.difference ?? 0) * (higherIsBetter(metric) ? 1 : -1) > 0;
  const significant = comparisons.filter((c) => c.significant);
  const winners = significant.filter(better).sort((a, b) => a.pValue! - b.pValue!);
  if (winners.length > 0) {
    const w = winners[0]!;
    return { winner: { variant: w.variant, version: w.version }, verdict: `${w.variant} wins on ${metric} (p=${fmtP(w.pValue!)})` };
  }
  // The control wins only when it beats every challenger.
  if (significant.length === comparisons.length) {
    const worst = Math.max(...significant.map((c) => c.pValue!));
    return { winner: { variant: control.variant, version: control.version }, verdict: `${control.variant} wins on ${metric} (p=${fmtP(worst)})` };
  }
  const ps = comparisons.map((c) => c.pValue).filter((p): p is number => p !== null);
  const p = ps.length > 0 ? `p=${fmtP(Math.min(...ps))}, ` : '';
  return { winner: null, verdict: `no winner yet (${p}need more data${alpha < 0.05 ? `; each comparison needs p < ${fmtP(alpha)}` : ''})` };
}
