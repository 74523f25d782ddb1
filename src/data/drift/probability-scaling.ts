/** Power-of-two scaling shared by the exact Kolmogorov algorithms (SciPy's _E128 trick). */

export const E128 = 2 ** 128;
export const EM128 = 2 ** -128;

export function clip01(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

/** x · 2^e without intermediate overflow or underflow. */
export function ldexp(x: number, e: number): number {
  let result = x;
  let rest = e;
  while (rest > 1000) {
    result *= 2 ** 1000;
    rest -= 1000;
  }
  while (rest < -1000) {
    result *= 2 ** -1000;
    rest += 1000;
  }
  return result * 2 ** rest;
}
