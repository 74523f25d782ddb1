/** The categorical cases of categorical.json, with their samples replayed. */
import { categories, loadFixture, type CategorySpec, type FixtureNumber } from './fixture-data.js';

export interface CategoricalCase {
  name: string;
  reference: CategorySpec;
  current: CategorySpec;
  chisquare: { statistic: FixtureNumber; pvalue: FixtureNumber };
  z: { statistic: FixtureNumber; pvalue: FixtureNumber };
  psi: FixtureNumber;
  kl_div: FixtureNumber;
  jensenshannon: FixtureNumber;
  bins: number;
}

export function categoricalCases(): (CategoricalCase & { ref: (string | number)[]; cur: (string | number)[] })[] {
  return loadFixture<{ cases: CategoricalCase[] }>('categorical.json').cases.map((c) => ({
    ...c,
    ref: categories(c.reference),
    cur: categories(c.current),
  }));
}
