/**
 * Survival function of the two-sided one-sample Kolmogorov–Smirnov statistic
 * D_n, `scipy.stats.kstwo.sf(x, n)` (SciPy 1.10 `_ksstats.py`): Simard and
 * L'Ecuyer's choice between Ruben–Gambino closed forms, Durbin's matrix
 * (Marsaglia–Tsang–Wang), Pomeranz's recursion, Pelz–Good's expansion and
 * twice the one-sided Smirnov tail, with SciPy's exact cut-offs.
 */
import { durbinMatrix } from './kolmogorov-durbin.js';
import { pelzGood } from './kolmogorov-pelz-good.js';
import { pomeranz } from './kolmogorov-pomeranz.js';
import { clip01 } from './probability-scaling.js';
import { smirnovSf } from './smirnov.js';

const LOG_2PI = Math.log(2 * Math.PI);
// B_{2j}/(2j)/(2j-1) for j = 8..1, highest power first.
const STIRLING = [
  -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3,
  8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4,
  -2.7777777777777777778e-3, 8.3333333333333333333e-2,
];

/** ln(n! / n^n) by Stirling's series with n·ln(n) removed up front. */
function logFactorialOverPower(n: number): number {
  const rn = 1 / n;
  let poly = 0;
  for (const c of STIRLING) poly = poly * (rn / n) + c;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
}

/** `kstwo.sf(x, n)`: P(D_n >= x) for integer n >= 1. */
export function kolmogorovSmirnovSf(x: number, n: number): number {
  if (!(n >= 1) || !Number.isInteger(n) || Number.isNaN(x)) return Number.NaN;
  // rv_continuous clamps to the support [0.5/n, 1].
  if (x <= 0.5 / n) return 1;
  if (x >= 1) return 0;
  return clip01(kolmogn(n, x));
}

function kolmogn(n: number, x: number): number {
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    let prob: number;
    if (n <= 140) {
      prob = 1;
      const base = 2 * t - 1;
      for (let i = 1; i <= n; i++) prob *= i * (1 / n) * base;
    } else {
      prob = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    }
    return 1 - prob;
  }
  if (t >= n - 1) return 2 * Math.pow(1 - x, n);
  if (x >= 0.5) return 2 * smirnovSf(n, x);

  const nxSquared = t * x;
  if (n <= 140) {
    if (nxSquared <= 0.754693) return 1 - durbinMatrix(n, x);
    if (nxSquared <= 4) return 1 - pomeranz(n, x);
    return 2 * smirnovSf(n, x);
  }
  if (nxSquared >= 370) return 0;
  if (nxSquared >= 2.2) return 2 * smirnovSf(n, x);
  const cdf = n <= 100000 && n * x ** 1.5 <= 1.4 ? durbinMatrix(n, x) : pelzGood(n, x);
  return 1 - clip01(cdf);
}
