/** The error function and the standard normal CDF as cephes (`scipy.special.ndtr`) forms it. */
import { regularizedGammaP, regularizedGammaQ } from './gamma.js';

/** `erf(x)`, via `P(1/2, x²)`. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x === 0) return x;
  const value = regularizedGammaP(0.5, x * x);
  return x < 0 ? -value : value;
}

/** `erfc(x) = 1 - erf(x)`, accurate in the upper tail, via `Q(1/2, x²)`. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x === 0) return 1;
  return regularizedGammaQ(0.5, x * x);
}

/**
 * Standard normal CDF with cephes' `ndtr` branch structure (erf near 0,
 * `1 - erfc/2` above), so `1 - normalCdf(z)` rounds as SciPy's does.
 */
export function normalCdf(a: number): number {
  if (Number.isNaN(a)) return Number.NaN;
  const x = a * Math.SQRT1_2;
  const z = Math.abs(x);
  if (z < Math.SQRT1_2) return 0.5 + 0.5 * erf(x);
  const y = 0.5 * erfc(z);
  return x > 0 ? 1 - y : y;
}
