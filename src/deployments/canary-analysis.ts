import type { AnalysisResult, CanaryCheck, CanarySpec, CheckResult } from './deployment-types.js';
import { summarize, type WindowCounters } from './variant-stats.js';

/** Fewest predictions per side for a drift score; fewer makes the window inconclusive. */
const MIN_DRIFT_SAMPLES = 10;
const fmt = (v: number) => String(Number(v.toPrecision(4)));
const pct = (v: number) => `${fmt(v * 100)} %`;

/**
 * Population stability index of `actual` against `expected`, over bins cut
 * at the deciles of `expected`; 0 for identical distributions, above 0.25 is
 * usually read as a significant shift.
 */
export function populationStability(expected: readonly number[], actual: readonly number[], bins = 10): number {
  if (expected.length === 0 || actual.length === 0) return 0;
  const sorted = [...expected].sort((a, b) => a - b);
  const edges = [...new Set(Array.from({ length: bins - 1 }, (_, i) => sorted[Math.floor(((i + 1) * sorted.length) / bins)]!))];
  const share = (values: readonly number[]) => {
    const counts = new Array<number>(edges.length + 1).fill(0);
    for (const v of values) {
      let i = 0;
      while (i < edges.length && v >= edges[i]!) i++;
      counts[i]!++;
    }
    // A floor keeps an empty bin from making the index infinite.
    return counts.map((c) => Math.max(c / values.length, 1e-4));
  };
  const e = share(expected);
  const a = share(actual);
  return e.reduce((s, ei, i) => s + (a[i]! - ei) * Math.log(a[i]! / ei), 0);
}

function checkOne(check: CanaryCheck, canary: WindowCounters, stable: WindowCounters): CheckResult | 'inconclusive' {
  const c = summarize(canary);
  const s = summarize(stable);
  switch (check.metric) {
    case 'error_rate': {
      const limits: Record<string, number> = {};
      const failures: string[] = [];
      if (check.max !== undefined) {
        limits.max = check.max;
        if (c.errorRate > check.max) failures.push(`above the limit ${pct(check.max)}`);
      }
      if (check.maxIncrease !== undefined) {
        limits.maxIncrease = check.maxIncrease;
        if (c.errorRate > s.errorRate + check.maxIncrease) failures.push(`more than ${pct(check.maxIncrease)} over stable's ${pct(s.errorRate)}`);
      }
      const head = `error rate ${pct(c.errorRate)} (${c.errors} of ${c.requests})`;
      return { metric: 'error_rate', passed: failures.length === 0, value: c.errorRate, stableValue: s.errorRate, limits, message: failures.length ? `${head}: ${failures.join('; ')}` : `${head}: ok` };
    }
    case 'latency_p99': {
      const limits: Record<string, number> = { floorMs: check.floorMs };
      const failures: string[] = [];
      if (check.maxMs !== undefined) {
        limits.maxMs = check.maxMs;
        if (c.p99Ms > check.maxMs) failures.push(`above the limit ${fmt(check.maxMs)} ms`);
      }
      if (check.maxRatio !== undefined) {
        limits.maxRatio = check.maxRatio;
        const ratio = s.p99Ms > 0 ? c.p99Ms / s.p99Ms : 1;
        if (c.p99Ms > check.floorMs && ratio > check.maxRatio) failures.push(`${fmt(ratio)} × stable's ${fmt(s.p99Ms)} ms, above ${fmt(check.maxRatio)} ×`);
      }
      const head = `p99 latency ${fmt(c.p99Ms)} ms`;
      return { metric: 'latency_p99', passed: failures.length === 0, value: c.p99Ms, stableValue: s.p99Ms, limits, message: failures.length ? `${head}: ${failures.join('; ')}` : `${head}: ok` };
    }
    case 'drift': {
      if (canary.predictions.length < MIN_DRIFT_SAMPLES || stable.predictions.length < MIN_DRIFT_SAMPLES) return 'inconclusive';
      const psi = populationStability(stable.predictions, canary.predictions);
      const passed = psi <= check.max;
      return { metric: 'drift', passed, value: psi, limits: { max: check.max }, message: `prediction drift (PSI) ${fmt(psi)}${passed ? ': ok' : `: above ${fmt(check.max)}`}` };
    }
  }
}

/**
 * Judges one analysis window of a canary against the stable version: `fail`
 * when any check fails, `pass` when all pass, `inconclusive` when the canary
 * (or, for checks relative to stable, the stable version) saw fewer than
 * `minRequests` requests — too little traffic never counts as a pass.
 */
export function analyzeCanary(spec: Pick<CanarySpec, 'minRequests' | 'checks'>, canary: WindowCounters, stable: WindowCounters): AnalysisResult {
  const summaries = { canary: summarize(canary), stable: summarize(stable) };
  const relative = spec.checks.some((c) => (c.metric === 'error_rate' && c.maxIncrease !== undefined) || (c.metric === 'latency_p99' && c.maxRatio !== undefined) || c.metric === 'drift');
  if (canary.requests < spec.minRequests) {
    return { verdict: 'inconclusive', reason: `too few canary requests to judge: ${canary.requests} of the ${spec.minRequests} needed`, ...summaries, checks: [] };
  }
  if (relative && stable.requests < spec.minRequests) {
    return { verdict: 'inconclusive', reason: `too few stable requests to compare with: ${stable.requests} of the ${spec.minRequests} needed`, ...summaries, checks: [] };
  }
  const results: CheckResult[] = [];
  for (const check of spec.checks) {
    const r = checkOne(check, canary, stable);
    if (r === 'inconclusive') {
      return { verdict: 'inconclusive', reason: `too few predictions for a drift score (${MIN_DRIFT_SAMPLES} per version needed)`, ...summaries, checks: results };
    }
    results.push(r);
  }
  const failed = results.filter((r) => !r.passed);
  return {
    verdict: failed.length > 0 ? 'fail' : 'pass',
    reason: failed.length > 0 ? failed.map((r) => r.message).join('; ') : 'all checks passed',
    ...summaries,
    checks: results,
  };
}
