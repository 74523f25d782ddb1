/**
 * Exact two-sided p-value of the two-sample Kolmogorov–Smirnov statistic by
 * lattice-path counting (Hodges 1958), as SciPy 1.10's `_attempt_exact_2kssamp`
 * does: `_compute_prob_outside_square` when n1 = n2, otherwise Viehmann's
 * recursion for 1 - p (`_compute_outer_prob_inside_method`, arXiv 2102.08037).
 */

/** Python's `round`: half to even, as `np.round` does. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/** Proportion of n-by-n lattice paths that leave the band |x - y| < h. */
export function probOutsideSquare(n: number, h: number): number {
  // 2·(A0 − A0·A1 + …) in Horner form to avoid subtractive cancellation.
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    p = p1 * (1 - p);
  }
  return 2 * p;
}

/**
 * Proportion of m-by-n lattice paths that do not stay strictly inside
 * |x/m − y/n| < h/lcm(m, n); g = gcd(m, n).
 */
export function probOutsideBand(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  // Only a sliding window of one column of the path-count table is kept.
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    const shift = minj - lastminj;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + shift]! * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, curlen, lastlen);
  }
  return A[maxj - minj - 1]!;
}

export interface ExactKsResult {
  /** False where SciPy would fall back to the asymptotic distribution. */
  success: boolean;
  /** The statistic rounded to a multiple of 1/lcm(n1, n2), as SciPy returns it. */
  statistic: number;
  pvalue: number;
}

/** SciPy's `_attempt_exact_2kssamp` for the two-sided alternative. */
export function exactKsPValue(n1: number, n2: number, d: number): ExactKsResult {
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const statistic = h / lcm;
  if (h === 0) return { success: true, statistic, pvalue: 1 };
  const pvalue = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideBand(n1, n2, g, h);
  const success = Number.isFinite(pvalue) && pvalue >= 0 && pvalue <= 1;
  return { success, statistic, pvalue };
}
