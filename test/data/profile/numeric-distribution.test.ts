import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { numericDistribution, type DistributionTuning } from '../../../src/data/profile/numeric-distribution.js';
import { histogramBinOf, histogramEdges, linearQuantile } from '../../../src/data/profile/numpy-semantics.js';
import { PROFILE_QUANTILES } from '../../../src/data/profile/profile-types.js';
import { DuckDbEngine } from '../../../src/data/table/index.js';
import { seededRandom } from '../../helpers/seeded-random.js';

/** What the profile must produce: a full sort, NumPy's quantile and histogram. */
function reference(values: number[], bins: number) {
  const sorted = [...values].sort((a, b) => a - b);
  const quantiles = Object.fromEntries(
    Object.entries(PROFILE_QUANTILES).map(([k, p]) => [k, linearQuantile(sorted.length, p, (i) => sorted[i]!)]),
  );
  const edges = histogramEdges(sorted[0]!, sorted.at(-1)!, bins);
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[histogramBinOf(v, edges)]! += 1;
  return { quantiles, histogram: counts.map((count, i) => ({ lower: edges[i]!, upper: edges[i + 1]!, count })) };
}

describe('numericDistribution', () => {
  let engine: DuckDbEngine;
  let queries: string[];
  const query = (sql: string) => {
    queries.push(sql);
    return engine.rows(sql);
  };

  before(async () => {
    engine = await DuckDbEngine.open({ threads: 1 });
  });
  after(() => engine.close());

  async function check(name: string, values: number[], bins: number, tuning?: DistributionTuning) {
    await engine.run(`CREATE OR REPLACE TABLE ${name} (v DOUBLE)`);
    await engine.run(`INSERT INTO ${name} SELECT unnest(string_split($1, ','))::DOUBLE`, [values.join(',')]);
    queries = [];
    const min = Math.min(...values);
    const max = Math.max(...values);
    const got = await numericDistribution(query, `(SELECT v FROM ${name})`, { count: values.length, min, max }, bins, tuning);
    assert.deepEqual(got, reference(values, bins));
    return got;
  }

  it('reads a small column in one query', async () => {
    const rnd = seededRandom(1);
    await check('small', Array.from({ length: 500 }, () => rnd.next() * 100 - 50), 20);
    assert.equal(queries.length, 1);
  });

  it('splits full bins again until they are small, and stays exact on skewed data with ties', async () => {
    const rnd = seededRandom(2);
    // Log-normal-like bulk, a far outlier, and heavy ties: most fine bins are empty or hold one value.
    const values = Array.from({ length: 3000 }, (_, i) =>
      i % 10 === 0 ? 7 : i % 97 === 0 ? 1e6 : Math.exp(rnd.next() * 3 + rnd.next() * 3) - 1,
    );
    await check('skewed', values, 20, { fineBins: 8, leafGatherMax: 16, maxDepth: 8 });
    assert.ok(queries.filter((q) => q.includes('count(*) AS n')).length >= 3, 'several split passes');
  });

  it('gathers whatever is left at the depth limit', async () => {
    const rnd = seededRandom(3);
    await check('deep', Array.from({ length: 400 }, () => Math.round(rnd.next() * 50) / 7), 7, { fineBins: 2, leafGatherMax: 1, maxDepth: 2 });
  });

  it('needs no reads for a constant column', async () => {
    const got = await check('constant', [2.5, 2.5, 2.5], 20);
    assert.equal(queries.length, 0);
    assert.equal(got.histogram[10]!.count, 3);
  });

  it('handles a range wider than the largest double', async () => {
    await check('wide', [-1.7e308, -1, 0, 1, 1.7e308, 1.7e308], 4, { fineBins: 4, leafGatherMax: 1, maxDepth: 3 });
  });
});
