/**
 * Evidently's `z` stattest (legacy `z_stattest.py`, v0.7.x): a two-proportion
 * Z-test on the share of the smallest value (in sort order) against all
 * others, two-sided p-value `2·(1 − Φ(|z|))` as `scipy.stats.norm.cdf` gives it.
 */
import type { CategoryCounts } from './category-counts.js';
import type { CategoryValue } from './drift-types.js';
import { normalCdf } from './normal.js';

export interface ZTestResult {
  /** NaN where both sides hold one and the same value (p-value 1 then). */
  statistic: number;
  pvalue: number;
}

/** Python's ordering for sorted(): numbers (and booleans as 0/1) by value, strings by code point. */
export function compareCategoryValues(a: CategoryValue, b: CategoryValue): number {
  const na = typeof a === 'string' ? null : Number(a);
  const nb = typeof b === 'string' ? null : Number(b);
  if (na !== null && nb !== null) return na - nb;
  if (na !== null) return -1;
  if (nb !== null) return 1;
  const sa = a as string;
  const sb = b as string;
  // Compare by code point, not UTF-16 unit, as Python does.
  const ia = sa[Symbol.iterator]();
  const ib = sb[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/** Z statistic for the difference of two proportions with the pooled variance. */
export function proportionsDiffZ(count1: number, n1: number, count2: number, n2: number): number {
  const p1 = count1 / n1;
  const p2 = count2 / n2;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  return (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
}

export function zTestTwoSample(counts: CategoryCounts): ZTestResult {
  const present = (side: number[]) => side.filter((c) => c > 0).length;
  if (present(counts.reference) === 1 && present(counts.current) === 1 && counts.keys.length === 1) {
    return { statistic: Number.NaN, pvalue: 1 };
  }
  let first = 0;
  for (let i = 1; i < counts.keys.length; i++) {
    if (compareCategoryValues(counts.keys[i]!, counts.keys[first]!) < 0) first = i;
  }
  // Evidently maps the first key to 0 and everything else to 1.
  const z = proportionsDiffZ(
    counts.referenceTotal - counts.reference[first]!,
    counts.referenceTotal,
    counts.currentTotal - counts.current[first]!,
    counts.currentTotal,
  );
  return { statistic: z, pvalue: 2 * (1 - normalCdf(Math.abs(z))) };
}
