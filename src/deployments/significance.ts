/**
 * Confidence intervals and tests for comparing two variants: Wilson intervals
 * and the two-proportion z-test for rates, t-intervals and Welch's t-test for
 * means. p-values are two-sided and match `scipy.stats` to about 1e-12.
 */
import { logGamma, regularizedGammaQ } from '../data/drift/gamma.js';

const EPS = 1e-15;
const TINY = 1e-300;

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** The regularized incomplete beta function `I_x(a, b)` for a, b > 0 and 0 ≤ x ≤ 1. */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0) || Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  // The fraction converges fast only below the mean; use the symmetry above it.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** `P(|T| ≥ |t|)` for Student's t with `df` degrees of freedom (df may be fractional, as Welch's is). */
export function studentTTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (!Number.isFinite(t)) return 0;
  return regularizedBeta(df / (df + t * t), df / 2, 0.5);
}

/** `P(T ≤ t)` for Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const tail = studentTTwoSidedP(t, df) / 2;
  return t >= 0 ? 1 - tail : tail;
}

/** `P(|Z| ≥ |z|)` for a standard normal Z. */
export function normalTwoSidedP(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  return regularizedGammaQ(0.5, (z * z) / 2);
}

/** The value whose two-sided tail has probability `1 - confidence`, found by bisection on a decreasing `tailP`. */
function criticalValue(tailP: (x: number) => number, confidence: number): number {
  const alpha = 1 - confidence;
  let lo = 0;
  let hi = 1;
  while (tailP(hi) > alpha) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (tailP(mid) > alpha) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** z such that a standard normal falls within ±z with probability `confidence` (1.959964 for 0.95). */
export const normalCritical = (confidence: number): number => criticalValue(normalTwoSidedP, confidence);

/** t such that Student's t with `df` falls within ±t with probability `confidence`. */
export const tCritical = (confidence: number, df: number): number => criticalValue((t) => studentTTwoSidedP(t, df), confidence);

export interface Interval {
  low: number;
  high: number;
}

/** Wilson score interval of a proportion `successes / n`; [0, 1] for n = 0. */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): Interval {
  if (n === 0) return { low: 0, high: 1 };
  const z = normalCritical(confidence);
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** Mean, sample variance (n − 1) and count. */
export interface Moments {
  n: number;
  mean: number;
  variance: number;
}

export function moments(values: readonly number[]): Moments {
  const n = values.length;
  const mean = n === 0 ? Number.NaN : values.reduce((s, v) => s + v, 0) / n;
  const variance = n < 2 ? Number.NaN : values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
  return { n, mean, variance };
}

/** t-interval of a mean; unbounded for fewer than two values. */
export function tInterval(m: Moments, confidence = 0.95): Interval {
  if (m.n < 2) return { low: -Infinity, high: Infinity };
  const half = tCritical(confidence, m.n - 1) * Math.sqrt(m.variance / m.n);
  return { low: m.mean - half, high: m.mean + half };
}

export interface TestResult {
  /** The z or t statistic (b − a direction: positive when the second sample is larger). */
  statistic: number;
  /** Two-sided p-value; NaN when the test cannot be computed (empty samples, no variance). */
  pValue: number;
  /** Degrees of freedom (Welch only). */
  df?: number;
}

/**
 * Two-proportion z-test with the pooled standard error, as
 * `statsmodels.stats.proportion.proportions_ztest([x1, x2], [n1, n2])` (sign reversed: b − a).
 */
export function twoProportionZTest(x1: number, n1: number, x2: number, n2: number): TestResult {
  if (n1 === 0 || n2 === 0) return { statistic: Number.NaN, pValue: Number.NaN };
  const p = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  const diff = x2 / n2 - x1 / n1;
  if (se === 0) return { statistic: Number.NaN, pValue: Number.NaN };
  const z = diff / se;
  return { statistic: z, pValue: normalTwoSidedP(z) };
}

/** Welch's unequal-variance t-test, as `scipy.stats.ttest_ind(b, a, equal_var=False)`. */
export function welchTTest(a: Moments, b: Moments): TestResult {
  if (a.n < 2 || b.n < 2) return { statistic: Number.NaN, pValue: Number.NaN };
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const se = Math.sqrt(va + vb);
  if (se === 0) return { statistic: Number.NaN, pValue: Number.NaN };
  const t = (b.mean - a.mean) / se;
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  return { statistic: t, pValue: studentTTwoSidedP(t, df), df };
}
