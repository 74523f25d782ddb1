import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { profileTable } from '../../../src/data/profile/profile-table.js';
import type { ColumnProfile, TableProfile } from '../../../src/data/profile/profile-types.js';
import { DuckDbEngine } from '../../../src/data/table/index.js';
import { describe as pandasDescribe, histogramCounts, writeFixture, writeParquet, type FixtureRows } from './profile-fixtures.js';

function close(actual: number | undefined, expected: number, label: string) {
  assert.ok(actual !== undefined, `${label} missing`);
  assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${label}: ${actual} vs ${expected}`);
}

function col(p: TableProfile, name: string): ColumnProfile {
  const c = p.columns.find((x) => x.name === name);
  assert.ok(c, `column ${name}`);
  return c;
}

/** Every number in the profile is finite and nothing is a bigint, so JSON round-trips it unchanged. */
function assertPlainJson(value: unknown, path = '$'): void {
  if (typeof value === 'bigint') assert.fail(`${path} is a bigint`);
  if (typeof value === 'number') assert.ok(Number.isFinite(value), `${path} is ${value}`);
  if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) assertPlainJson(v, `${path}.${k}`);
}

describe('profileTable', () => {
  let dir: string;
  let engine: DuckDbEngine;
  let fixture: { csv: string; parquet: string; jsonl: string; rows: FixtureRows };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-profile-'));
    engine = await DuckDbEngine.open({ threads: 2 });
    fixture = await writeFixture(engine, dir);
  });
  after(async () => {
    engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  const profileOf = async (path: string, options = {}) => profileTable(engine, await engine.tableFile(path), options);

  for (const format of ['csv', 'parquet', 'jsonl'] as const) {
    it(`profiles the mixed table from ${format} with pandas' numbers`, async () => {
      const p = await profileOf(fixture[format]);
      const rows = fixture.rows;
      assert.equal(p.format, format);
      assert.equal(p.rows, 203);
      assert.equal(p.duplicate_rows, 3);
      assert.equal(p.duplicate_method, 'exact');
      assert.deepEqual(p.columns.map((c) => c.name), ['id', 'amount', 'qty', 'city', 'note', 'day', 'flag', 'empty']);
      assertPlainJson(p);

      const amounts = rows.amount.filter((v): v is number => v !== null);
      const expected = pandasDescribe(amounts);
      const amount = col(p, 'amount');
      assert.equal(amount.kind, 'numeric');
      assert.equal(amount.count, expected.count);
      assert.equal(amount.nulls, 203 - expected.count);
      close(amount.null_fraction, (203 - expected.count) / 203, 'null_fraction');
      assert.equal(amount.distinct, new Set(amounts).size);
      assert.equal(amount.distinct_method, 'exact');
      assert.equal(amount.min, expected.min);
      assert.equal(amount.max, expected.max);
      close(amount.mean, expected.mean, 'mean');
      close(amount.stddev, expected.std, 'std');
      for (const [k, v] of Object.entries(expected.quantiles)) close(amount.quantiles?.[k as 'p50'], v, k);
      assert.deepEqual(amount.histogram?.map((b) => b.count), histogramCounts(amounts, 20));
      assert.equal(amount.histogram?.reduce((s, b) => s + b.count, 0), amount.count);
      assert.equal(amount.histogram?.[0]?.lower, expected.min);
      assert.equal(amount.histogram?.at(-1)?.upper, expected.max);

      const qty = col(p, 'qty');
      assert.equal(qty.distinct, 5);
      const q = pandasDescribe(rows.qty);
      for (const [k, v] of Object.entries(q.quantiles)) close(qty.quantiles?.[k as 'p50'], v, `qty ${k}`);
      assert.equal(col(p, 'id').distinct, 200);

      const city = col(p, 'city');
      assert.equal(city.kind, 'categorical');
      assert.equal(city.distinct, 5);
      assert.deepEqual(city.top_values, [
        { value: 'lima', count: 68 },
        { value: 'oslo', count: 50 },
        { value: 'kyiv', count: 42 },
        { value: 'rome', count: 42 },
        { value: 'nuuk', count: 1 },
      ]);
      assert.equal(city.mean, undefined);

      const note = col(p, 'note');
      assert.equal(note.kind, 'text');
      assert.equal(note.distinct, new Set(rows.note).size);
      const lengths = rows.note.map((s) => s.length);
      assert.deepEqual(note.length, {
        min: Math.min(...lengths),
        max: Math.max(...lengths),
        mean: lengths.reduce((s, v) => s + v, 0) / lengths.length,
      });
      assert.equal(note.top_values?.length, 10);
      assert.equal(note.top_values?.[0]?.count, 3, 'the note of row 5, copied twice, comes first');

      const day = col(p, 'day');
      assert.equal(day.kind, 'datetime');
      assert.equal(day.min, '2024-01-01');
      assert.equal(day.max, [...rows.day].sort().at(-1));

      const flag = col(p, 'flag');
      assert.equal(flag.kind, 'boolean');
      const trues = rows.flag.filter(Boolean).length;
      assert.deepEqual(flag.top_values, [
        { value: false, count: 203 - trues },
        { value: true, count: trues },
      ]);

      const empty = col(p, 'empty');
      assert.equal(empty.count, 0);
      assert.equal(empty.nulls, 203);
      assert.equal(empty.null_fraction, 1);
      assert.equal(empty.distinct, 0);
      assert.equal(empty.top_values, undefined);
      assert.equal(empty.min, undefined);
    });
  }

  it('matches NumPy on the amount column bit for bit where NumPy is deterministic', async () => {
    // Computed once with NumPy 2.4.6 over fixtureRows().amount (pandas is not installed on the
    // build machine; its describe/quantile delegate to these routines): np.nanmean, np.nanstd(ddof=1),
    // np.nanquantile (method 'linear'), np.histogram(bins=20) of the non-NaN values.
    const amount = col(await profileOf(fixture.parquet), 'amount');
    assert.equal(amount.count, 183);
    assert.equal(amount.nulls, 20);
    assert.equal(amount.distinct, 179);
    close(amount.mean, 57.64732240437158, 'mean');
    close(amount.stddev, 58.06722832569548, 'std');
    assert.deepEqual(Object.values(amount.quantiles!), [-48.8106, -41.027, 6.54, 62.53, 105.57, 143.878, 146.76160000000002]);
    assert.deepEqual(amount.histogram!.map((b) => b.count), [10, 10, 7, 5, 7, 9, 4, 6, 8, 7, 13, 16, 8, 11, 12, 12, 9, 6, 8, 15]);
    assert.deepEqual([amount.min, amount.max], [-49.46, 149.94]);
  });

  it('counts NaN as missing and leaves ±Infinity out of the statistics', async () => {
    const path = await writeParquet(
      engine,
      join(dir, 'special.parquet'),
      `SELECT * FROM (VALUES (1, 1.0::DOUBLE, TIMESTAMP '2024-05-01 10:30:00'), (2, 2.0, NULL), (3, 'NaN'::DOUBLE, TIMESTAMP '2023-12-31 23:59:59.5'),
        (4, 'inf'::DOUBLE, NULL), (5, '-inf'::DOUBLE, NULL), (6, NULL, NULL), (7, 3.0, NULL)) t(k, x, ts)`,
    );
    const p = await profileOf(path);
    const x = col(p, 'x');
    assert.deepEqual(
      { count: x.count, nulls: x.nulls, nan: x.nan, infinite: x.infinite, distinct: x.distinct, min: x.min, max: x.max, mean: x.mean, stddev: x.stddev },
      { count: 5, nulls: 2, nan: 1, infinite: 2, distinct: 5, min: 1, max: 3, mean: 2, stddev: 1 },
    );
    assert.deepEqual(x.quantiles, { p01: 1.02, p05: 1.1, p25: 1.5, p50: 2, p75: 2.5, p95: 2.9, p99: 2.98 });
    assert.equal(x.histogram?.reduce((s, b) => s + b.count, 0), 3);
    const ts = col(p, 'ts');
    assert.equal(ts.kind, 'datetime');
    assert.equal(ts.min, '2023-12-31T23:59:59.5');
    assert.equal(ts.max, '2024-05-01T10:30:00');
    assertPlainJson(p);
    assert.doesNotThrow(() => JSON.stringify(p));
  });

  it('computes the standard deviation of values whose squares overflow a double', async () => {
    const path = await writeParquet(engine, join(dir, 'huge.parquet'), `SELECT * FROM (VALUES (1e300::DOUBLE, 1::BIGINT), (-1e300, 2), (1e300, 3)) t(x, k)`);
    const p = await profileOf(path);
    const x = col(p, 'x');
    close(x.stddev, 1e300 * Math.sqrt(4 / 3), 'stddev');
    close(x.mean, 1e300 / 3, 'mean');
    assert.equal(col(p, 'k').stddev, 1);
  });

  it('reports an empty table with zero rows and no statistics', async () => {
    const path = await writeParquet(engine, join(dir, 'empty.parquet'), `SELECT 1.5::DOUBLE AS x, 'a' AS s, 1::BIGINT AS n WHERE false`);
    const p = await profileOf(path);
    assert.equal(p.rows, 0);
    assert.equal(p.duplicate_rows, 0);
    for (const c of p.columns) {
      assert.equal(c.count, 0);
      assert.equal(c.nulls, 0);
      assert.equal(c.null_fraction, 0);
      assert.equal(c.mean, undefined);
      assert.equal(c.quantiles, undefined);
      assert.equal(c.histogram, undefined);
    }
    assertPlainJson(p);
    const csv = join(dir, 'header-only.csv');
    await writeFile(csv, 'a,b\n');
    assert.equal((await profileOf(csv)).rows, 0);
  });

  it('gives an all-null numeric column count 0 and no statistics', async () => {
    const path = await writeParquet(engine, join(dir, 'nulls.parquet'), `SELECT range AS k, NULL::DOUBLE AS x FROM range(4)`);
    const x = col(await profileOf(path), 'x');
    assert.deepEqual(
      { count: x.count, nulls: x.nulls, distinct: x.distinct, mean: x.mean, stddev: x.stddev, quantiles: x.quantiles, histogram: x.histogram },
      { count: 0, nulls: 4, distinct: 0, mean: undefined, stddev: undefined, quantiles: undefined, histogram: undefined },
    );
  });

  it('turns BIGINT, HUGEINT and DECIMAL into plain numbers', async () => {
    const path = await writeParquet(
      engine,
      join(dir, 'wide.parquet'),
      `SELECT (range * 3)::BIGINT AS b, (range::HUGEINT * 1000000000000) AS h, (range / 4)::DECIMAL(10, 2) AS d, [range] AS l,
        (range / 3 + 0.1)::DECIMAL(18, 17) AS fine, (range::HUGEINT * 123456789012345678901) AS huge FROM range(9)`,
    );
    const p = await profileOf(path);
    assertPlainJson(p);
    // Bounds and values reach the histogram as the same doubles, so every value lands in a bin.
    for (const name of ['b', 'h', 'd', 'fine', 'huge']) assert.equal(col(p, name).histogram?.reduce((n, b) => n + b.count, 0), 9, name);
    assert.equal(col(p, 'b').max, 24);
    assert.equal(col(p, 'h').quantiles?.p50, 4e12);
    assert.equal(col(p, 'd').mean, 1);
    assert.equal(col(p, 'l').kind, 'other');
    assert.equal(col(p, 'l').distinct, 9);
  });

  it('profiles only the named columns, with the given top and bins', async () => {
    const p = await profileOf(fixture.parquet, { columns: ['city', 'amount'], top: 2, bins: 4 });
    assert.deepEqual(p.columns.map((c) => c.name), ['city', 'amount']);
    assert.deepEqual(col(p, 'city').top_values?.map((t) => t.value), ['lima', 'oslo']);
    assert.equal(col(p, 'amount').histogram?.length, 4);
    // Over city and amount alone, more rows repeat than over whole rows.
    assert.ok(p.duplicate_rows >= 3);
  });

  it('counts distinct values and duplicates by hash above the exact-row limit', async () => {
    const path = await writeParquet(engine, join(dir, 'many.parquet'), `SELECT range AS u, range % 7 AS r, (range % 1000)::VARCHAR AS s FROM range(20000) UNION ALL SELECT 1, 1, '1'`);
    const p = await profileOf(path, { exactRowLimit: 1000 });
    assert.equal(p.duplicate_method, 'hashed');
    assert.equal(p.duplicate_rows, 1);
    assert.equal(col(p, 'r').distinct, 7);
    assert.equal(col(p, 'r').distinct_method, 'exact');
    assert.equal(col(p, 's').distinct, 1000);
    assert.equal(col(p, 's').distinct_method, 'exact');
    const u = col(p, 'u');
    assert.equal(u.distinct_method, 'approximate');
    assert.ok(Math.abs(u.distinct - 20000) <= 200, `≈20000, got ${u.distinct}`);
    assert.match(p.methods.distinct, /approximate/);
  });

  it('refuses unknown columns and out-of-range options', async () => {
    await assert.rejects(profileOf(fixture.csv, { columns: ['nope'] }), { code: 'INVALID_ARGUMENT', message: /No column 'nope'.*it has id, amount/ });
    await assert.rejects(profileOf(fixture.csv, { bins: 0 }), { code: 'INVALID_ARGUMENT', message: /bins must be a whole number from 1/ });
    await assert.rejects(profileOf(fixture.csv, { top: 2.5 }), { code: 'INVALID_ARGUMENT' });
  });

  it('reports a missing file as NOT_FOUND and an unreadable one as INVALID_ARGUMENT naming it', async () => {
    await assert.rejects(profileOf(join(dir, 'absent.parquet')), { code: 'NOT_FOUND' });
    const bad = join(dir, 'garbage.parquet');
    await writeFile(bad, 'this is not parquet');
    await assert.rejects(profileOf(bad), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'INVALID_ARGUMENT');
      assert.match(err.message, /garbage\.parquet/);
      return true;
    });
  });
});
