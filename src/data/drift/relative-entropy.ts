/** `scipy.special.rel_entr` and `scipy.stats.entropy(pk, qk)`. */

/** x·ln(x/y) for x, y > 0; 0 for x = 0, y >= 0; ∞ otherwise. */
export function relEntr(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

function normalise(values: readonly number[]): number[] {
  let total = 0;
  for (const v of values) total += v;
  return values.map((v) => v / total);
}

/** Kullback–Leibler divergence D(p‖q) in nats after normalising both, `scipy.stats.entropy(p, q)`. */
export function klDivergence(p: readonly number[], q: readonly number[]): number {
  if (p.length !== q.length) throw new RangeError('distributions differ in length');
  const pn = normalise(p);
  const qn = normalise(q);
  let sum = 0;
  for (let i = 0; i < pn.length; i++) sum += relEntr(pn[i]!, qn[i]!);
  return sum;
}

/** Jensen–Shannon distance (natural log), `scipy.spatial.distance.jensenshannon(p, q)`. */
export function jensenShannonDistance(p: readonly number[], q: readonly number[]): number {
  if (p.length !== q.length) throw new RangeError('distributions differ in length');
  const pn = normalise(p);
  const qn = normalise(q);
  let left = 0;
  let right = 0;
  for (let i = 0; i < pn.length; i++) {
    const m = (pn[i]! + qn[i]!) / 2;
    left += relEntr(pn[i]!, m);
    right += relEntr(qn[i]!, m);
  }
  return Math.sqrt((left + right) / 2);
}

/** Population stability index Σ (r − c)·ln(r/c), on shares with zeros already filled. */
export function populationStabilityIndex(reference: readonly number[], current: readonly number[]): number {
  if (reference.length !== current.length) throw new RangeError('distributions differ in length');
  let sum = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]!;
    const c = current[i]!;
    sum += (r - c) * Math.log(r / c);
  }
  return sum;
}
