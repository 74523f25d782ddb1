/** The numerical cases of numerical.json, with their samples replayed and sorted. */
import { loadFixture, sampleValues, type FixtureNumber, type FixtureSample } from './fixture-data.js';

export interface NumericalCase {
  name: string;
  a: FixtureSample;
  b: FixtureSample;
  wasserstein: FixtureNumber;
  wasserstein_normed: FixtureNumber;
  psi: FixtureNumber;
  kl_div: FixtureNumber;
  jensenshannon: FixtureNumber;
  bins: number;
}

export function numericalCases(): (NumericalCase & { ref: Float64Array; cur: Float64Array })[] {
  return loadFixture<{ cases: NumericalCase[] }>('numerical.json').cases.map((c) => ({
    ...c,
    ref: Float64Array.from(sampleValues(c.a)).sort(),
    cur: Float64Array.from(sampleValues(c.b)).sort(),
  }));
}
