/**
 * The one-sided Kolmogorov–Smirnov (Smirnov) survival function
 * `P(D_n^+ >= x)`, as `scipy.special.smirnov(n, x)` computes it (SciPy 1.10,
 * cephes `kolmogorov.c` by van Mulbregt): the Birnbaum–Tingey sum with the same
 * special cases, term range and early termination. SciPy sums in double-double;
 * here terms are formed in log space from an exact split of `n·x`, which keeps
 * about 1e-10 relative accuracy for n up to a million.
 */
import { clip01 } from './probability-scaling.js';

const DBL_EPSILON = Number.EPSILON;
/** cephes MINLOG: ln(2^-1022). */
const MINLOG = -708.3964185322641;
/** Above this n SciPy switches to an approximation. */
const SMIRNOV_MAX_COMPUTE_N = 1_000_000;
const SM_UPPER_MAX_TERMS = 3;
const SM_UPPERSUM_MIN_N = 10;
const SPLITTER = 134217729; // 2^27 + 1

/** Exact product a·b as hi + lo (Dekker's TwoProduct; JS has no FMA). */
function twoProduct(a: number, b: number): [number, number] {
  const p = a * b;
  let c = SPLITTER * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLITTER * b;
  const bh = c - (c - b);
  const bl = b - bh;
  const err = ah * bh - p + ah * bl + al * bh + al * bl;
  return [p, err];
}

/**
 * floor(n·x) and the remainder alpha in [0, 1), computed from the exact
 * product; a remainder that rounds to 1 counts as the next integer, as SciPy's
 * `modNX` does.
 */
export function splitNX(n: number, x: number): { floor: number; alpha: number } {
  const [hi, lo] = twoProduct(n, x);
  let fl = Math.floor(hi);
  let alpha: number;
  if (fl !== hi) {
    alpha = hi - fl + lo;
  } else {
    const loFloor = Math.floor(lo);
    fl = hi + loFloor;
    alpha = lo - loFloor;
  }
  if (alpha >= 1) {
    fl += 1;
    alpha = 0;
  }
  return { floor: fl, alpha };
}

/** `scipy.special.smirnov(n, x)` for integer `n >= 1` and `0 <= x <= 1` (NaN otherwise). */
export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1) || !Number.isInteger(n)) return Number.NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;

  const { floor: nxfl, alpha } = splitNX(n, x);
  let n1mxfl = n - nxfl - (alpha === 0 ? 0 : 1);
  let n1mxceil = n - nxfl;
  // With alpha = 0 the boundary term belongs to neither sum.
  if (alpha === 0) {
    n1mxfl -= 1;
    n1mxceil += 1;
  }

  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) {
    const cdf = x * Math.exp((n - 1) * Math.log1p(x));
    return clip01(1 - cdf);
  }
  if (-2 * n * x * x < MINLOG) return 0;
  if (nxfl >= n - 1) return clip01(Math.exp(n * Math.log1p(-x)));
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    const logp = -Math.pow(6 * n * x + 1, 2) / 18 / n;
    return clip01(logp < -Math.LN2 ? Math.exp(logp) : 1 + Math.expm1(logp));
  }

  const nUpperTerms = n - n1mxceil + 1;
  const useUpperSum =
    (nUpperTerms <= 1 && x < 0.5) ||
    (n >= SM_UPPERSUM_MIN_N && nUpperTerms <= SM_UPPER_MAX_TERMS && x <= 0.5 / Math.sqrt(n));
  if (useUpperSum) return clip01(1 - upperSum(n, x, nxfl, alpha, nUpperTerms));
  return clip01(lowerSum(n, x, nxfl, alpha, n1mxfl + 1));
}

/** x · Σ_{v=0}^{nTerms-1} C(n,v) (x+v/n)^(v-1) (1-x-v/n)^(n-v): the survival function. */
function lowerSum(n: number, x: number, nxfl: number, alpha: number, nTerms: number): number {
  // Neumaier-compensated sum of positive terms.
  let sum = Math.exp(n * Math.log1p(-x) - Math.log(x));
  let comp = 0;
  // ln C(n, v) grows to ~n·ln 2 while each term's logarithm stays O(1), so it
  // is accumulated in double-double: a plain running sum loses 1e-8 at n = 1e6.
  let logCHi = Math.log(n); // C(n, 1)
  let logCLo = 0;
  const vmid = Math.floor(n / 2);
  for (let v = 1; v < nTerms; v++) {
    // x + v/n and 1 - x - v/n, from the exact split n·x = nxfl + alpha.
    const t1x = (nxfl + v + alpha) / n;
    const t2x = (n - nxfl - v - alpha) / n;
    const logTerm = logCHi + (v - 1) * Math.log(t1x) + (n - v) * Math.log(t2x) + logCLo;
    const term = Math.exp(logTerm);
    if (term !== 0 && Number.isFinite(term)) {
      const t = sum + term;
      comp += sum >= term ? sum - t + term : term - t + sum;
      sum = t;
      if (4 * (nTerms - v) * term < DBL_EPSILON * (sum + comp) && v !== nTerms - 1) break;
    } else if (v > vmid) {
      break;
    }
    const step = Math.log((n - v) / (v + 1));
    const hi = logCHi + step;
    const bb = hi - logCHi;
    logCLo += logCHi - (hi - bb) + (step - bb);
    logCHi = hi;
  }
  return x * (sum + comp);
}

/** The alternating upper sum (at most three terms), giving the CDF. */
function upperSum(n: number, x: number, nxfl: number, alpha: number, nTerms: number): number {
  let sum = Math.exp((n - 1) * Math.log1p(x));
  let c = n; // C(n, n-1)
  for (let j = 1; j < nTerms; j++) {
    const v = n - j;
    const t1x = (nxfl + v + alpha) / n;
    const t2x = (n - nxfl - v - alpha) / n;
    sum += c * Math.pow(t1x, v - 1) * Math.pow(t2x, n - v);
    c *= (n - j) / (j + 1);
  }
  return x * sum;
}
