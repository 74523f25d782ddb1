import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectDrift } from '../../../src/data/drift/detect-drift.js';
import { readDriftFrames } from '../../../src/data/drift/drift-reader.js';
import type { ColumnDrift, ColumnType, ComputedColumnDrift, DriftScalar, SkippedColumnDrift } from '../../../src/data/drift/drift-types.js';
import { detectFileDrift } from '../../../src/data/drift/file-drift.js';
import { DuckDbEngine } from '../../../src/data/table/duckdb-engine.js';
import { seededRandom } from '../../helpers/seeded-random.js';
import { writeTableFile, type FileColumn } from './drift-files.js';
import { assertClose, loadFixture, type FixtureNumber } from './fixture-data.js';

interface FrameFixture {
  reference: Record<string, (DriftScalar | 'inf' | '-inf')[]>;
  current: Record<string, (DriftScalar | 'inf' | '-inf')[]>;
  columns: { column: string; type: string; method: string; statistic: FixtureNumber; drifted: boolean }[];
  dataset: { share: number; dataset_drift: boolean };
}

type Cell = number | string | boolean | null;

/** Mixed columns with nulls, NaN, few-valued integers, strings and booleans; `shift` moves the current side. */
function mixedTable(seed: number, rows: number, shift: number): { columns: FileColumn[]; values: Record<string, Cell[]> } {
  const rnd = seededRandom(seed);
  const values: Record<string, Cell[]> = { num: [], wide: [], few: [], city: [], flag: [] };
  for (let i = 0; i < rows; i++) {
    const x = rnd.next() + rnd.next() + rnd.next() - 1.5 + shift;
    values.num!.push(i % 37 === 0 ? null : i % 53 === 0 ? Number.NaN : x);
    values.wide!.push(rnd.int(0, 1000 + Math.round(shift * 100)));
    values.few!.push(rnd.int(1, shift > 0 ? 3 : 2));
    values.city!.push(i % 29 === 0 ? null : rnd.pick(shift > 0 ? ['Oslo', 'Lima', 'Pune', 'Pune'] : ['Oslo', 'Lima', 'Pune']));
    values.flag!.push(i % 31 === 0 ? null : rnd.chance(0.5 + shift / 4));
  }
  const columns: FileColumn[] = [
    { name: 'num', type: 'DOUBLE', values: values.num! },
    { name: 'wide', type: 'BIGINT', values: values.wide! },
    { name: 'few', type: 'BIGINT', values: values.few! },
    { name: 'city', type: 'VARCHAR', values: values.city! },
    { name: 'flag', type: 'BOOLEAN', values: values.flag! },
  ];
  return { columns, values };
}

const MIXED_TYPES: Record<string, ColumnType> = { num: 'numerical', wide: 'numerical', few: 'categorical', city: 'categorical', flag: 'categorical' };

function computed(report: { columns: ColumnDrift[] }, column: string): ComputedColumnDrift {
  const c = report.columns.find((x) => x.column === column);
  assert.ok(c?.computed, `${column}: ${JSON.stringify(c)}`);
  return c;
}

function skipped(report: { columns: ColumnDrift[] }, column: string): SkippedColumnDrift {
  const c = report.columns.find((x) => x.column === column);
  assert.ok(c && !c.computed, `${column} should not be computed: ${JSON.stringify(c)}`);
  return c;
}

describe('readDriftFrames', () => {
  let dir: string;
  let engine: DuckDbEngine;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-drift-reader-'));
    engine = await DuckDbEngine.open({ threads: 1, memoryLimit: '256MB' });
  });
  after(async () => {
    engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Writes two tables in one format and runs file drift over them. */
  async function fileDrift(name: string, ref: FileColumn[], cur: FileColumn[], options = {}) {
    const [base, ext] = name.split('.');
    const r = join(dir, `${base}.ref.${ext}`);
    const c = join(dir, `${base}.cur.${ext}`);
    await writeTableFile(engine, r, ref);
    await writeTableFile(engine, c, cur);
    return (await detectFileDrift(engine, await engine.tableFile(r), await engine.tableFile(c), options)).report;
  }

  for (const format of ['csv', 'parquet', 'jsonl']) {
    it(`gives the same report as detectDrift on the same arrays (${format})`, async () => {
      const ref = mixedTable(11, 1200, 0);
      const cur = mixedTable(12, 900, 0.3);
      const report = await fileDrift(`mixed.${format}`, ref.columns, cur.columns);
      const memory = detectDrift(ref.values, cur.values, { columnTypes: MIXED_TYPES });
      assert.deepEqual(report.columns, memory.columns);
      assert.deepEqual(report.dataset, memory.dataset);
      assert.deepEqual(
        report.columns.map((c) => (c.computed ? c.method : c.reason)),
        ['wasserstein', 'wasserstein', 'jensenshannon', 'jensenshannon', 'jensenshannon'],
      );
      assert.deepEqual(report.reference, { source: join(dir, `mixed.ref.${format}`), format, rows: 1200 });
      assert.equal(report.current.rows, 900);
    });
  }

  it('gives the same report with per-column tests through a file (small data: ks, chisquare, z)', async () => {
    const ref = mixedTable(21, 300, 0);
    const cur = mixedTable(22, 250, 0.2);
    const perColumn = { num: { stattest: 'ks' as const, threshold: 0.01 }, few: { stattest: 'psi' as const }, wide: { stattest: 'kl_div' as const } };
    const report = await fileDrift('small.parquet', ref.columns, cur.columns, { perColumn });
    const memory = detectDrift(ref.values, cur.values, { columnTypes: MIXED_TYPES, perColumn });
    assert.deepEqual(report.columns, memory.columns);
    assert.deepEqual(
      report.columns.map((c) => (c.computed ? c.method : c.reason)),
      ['ks', 'kl_div', 'psi', 'chisquare', 'z'],
    );
  });

  for (const format of ['csv', 'parquet', 'jsonl']) {
    it(`keeps SciPy's numbers through a ${format} round trip (frame.json)`, async () => {
      const fixture = loadFixture<FrameFixture>('frame.json');
      const toColumns = (side: FrameFixture['reference']): FileColumn[] =>
        Object.entries(side).map(([name, values]) => {
          const decoded = values.map((v) => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as Cell)));
          const text = decoded.some((v) => typeof v === 'string');
          return { name, type: text ? 'VARCHAR' : 'DOUBLE', values: decoded };
        });
      const report = await fileDrift(`frame.${format}`, toColumns(fixture.reference), toColumns(fixture.current));
      for (const expected of fixture.columns) {
        const actual = computed(report, expected.column);
        assert.equal(actual.type, expected.type, expected.column);
        assert.equal(actual.method, expected.method, expected.column);
        assertClose(actual.statistic, expected.statistic, expected.column);
        assert.equal(actual.drifted, expected.drifted, expected.column);
      }
      assert.equal(report.dataset.share, fixture.dataset.share);
      assert.equal(report.dataset.dataset_drift, fixture.dataset.dataset_drift);
      // Infinities count as missing, like Evidently's replace([inf, -inf], nan).
      const inf = report.schema.find((s) => s.column === 'small_numeric_inf')!;
      assert.ok(inf.reference_missing! > 1300 - 200, JSON.stringify(inf));
    });
  }

  it('reports a column only one file has as not computed, and refuses it when named in columns', async () => {
    const report = await fileDrift(
      'sides.csv',
      [
        { name: 'a', type: 'DOUBLE', values: [1.5, 2.5, 3.5] },
        { name: 'old', type: 'DOUBLE', values: [1, 2, 3] },
      ],
      [
        { name: 'a', type: 'DOUBLE', values: [1.5, 2.5, 9.5] },
        { name: 'new', type: 'VARCHAR', values: ['x', 'y', 'z'] },
      ],
    );
    assert.deepEqual(
      report.columns.map((c) => [c.column, c.computed]),
      [
        ['a', true],
        ['old', false],
        ['new', false],
      ],
    );
    assert.equal(skipped(report, 'old').reason, 'not computed: column is only in reference');
    assert.equal(skipped(report, 'new').reason, 'not computed: column is only in current');
    assert.equal(report.dataset.computed_columns, 1);
    assert.deepEqual(report.schema[1], { column: 'old', reference_type: 'DOUBLE', current_type: null, type: null, reference_missing: null, current_missing: null });
    const ref = await engine.tableFile(join(dir, 'sides.ref.csv'));
    const cur = await engine.tableFile(join(dir, 'sides.cur.csv'));
    await assert.rejects(readDriftFrames(engine, ref, cur, { columns: ['a', 'old'] }), { code: 'INVALID_ARGUMENT', message: /"old" was asked for but only the reference/ });
    await assert.rejects(readDriftFrames(engine, ref, cur, { columns: ['zzz'] }), { code: 'INVALID_ARGUMENT', message: /names column "zzz", which neither file has/ });
    await assert.rejects(readDriftFrames(engine, ref, cur, { categoricalColumns: ['zzz'] }), /categorical columns list names column "zzz"/);
    const only = await readDriftFrames(engine, ref, cur, { columns: ['a'] });
    assert.deepEqual([...only.reference.keys()], ['a']);
    assert.deepEqual(only.schema.map((s) => s.column), ['a']);
  });

  it('reports different types as not computed, and compares them as text when declared categorical', async () => {
    const ref: FileColumn[] = [{ name: 'code', type: 'BIGINT', values: [1, 2, 3, 4, 5, 6, 7, 8, 1, 2] }];
    const cur: FileColumn[] = [{ name: 'code', type: 'VARCHAR', values: ['1', '2', 'x', '4', '5', '6', '7', '8', '1', '2'] }];
    const report = await fileDrift('types.parquet', ref, cur);
    assert.match(skipped(report, 'code').reason, /^not computed: types differ: numerical \(BIGINT\) in reference but text \(VARCHAR\) in current/);
    const declared = await fileDrift('types2.parquet', ref, cur, { categoricalColumns: ['code'] });
    const c = computed(declared, 'code');
    assert.equal(c.type, 'categorical');
    assert.equal(c.method, 'chisquare');
    assert.equal(c.details?.df, 8);
  });

  it('reports all-null columns as not computed, and lets an all-null side take the other side type', async () => {
    const report = await fileDrift(
      'nulls.csv',
      [
        { name: 'x', type: 'DOUBLE', values: [1, 2, 3, 4] },
        { name: 'gone', type: 'DOUBLE', values: [null, null, null, null] },
        { name: 'late', type: 'DOUBLE', values: [null, null, null, null] },
      ],
      [
        { name: 'x', type: 'DOUBLE', values: [1, 2, 3, 5] },
        { name: 'gone', type: 'DOUBLE', values: [null, null, null, null] },
        { name: 'late', type: 'DOUBLE', values: [1.5, 2.5, 3.5, 4.5] },
      ],
    );
    // An empty CSV column reads as VARCHAR; it must not be called a type mismatch.
    assert.equal(report.schema.find((s) => s.column === 'late')!.reference_type, 'VARCHAR');
    assert.equal(skipped(report, 'late').reason, 'not computed: all values are null in reference');
    assert.equal(skipped(report, 'gone').reason, 'not computed: all values are null in reference and current');
    assert.equal(report.dataset.computed_columns, 1);
  });

  it('treats NaN, infinities and nulls as missing and counts them per side', async () => {
    const frames = await readDriftFrames(
      engine,
      ...(await (async () => {
        const r = join(dir, 'nan.ref.parquet');
        const c = join(dir, 'nan.cur.parquet');
        await writeTableFile(engine, r, [{ name: 'v', type: 'DOUBLE', values: [1, Number.NaN, null, Infinity, 2, 3, 4, 5, 6, 7] }]);
        await writeTableFile(engine, c, [{ name: 'v', type: 'DOUBLE', values: [1, 2, -Infinity, 3, 4, 5, 6, 7, 8, 9] }]);
        return [await engine.tableFile(r), await engine.tableFile(c)] as const;
      })()),
    );
    assert.deepEqual(frames.schema, [{ column: 'v', reference_type: 'DOUBLE', current_type: 'DOUBLE', type: 'numerical', reference_missing: 3, current_missing: 1 }]);
    const values = frames.reference.get('v') as Float64Array;
    assert.ok(values instanceof Float64Array);
    assert.equal(values.length, 10);
    const report = detectDrift(frames.reference, frames.current);
    const v = computed(report, 'v');
    assert.equal(v.reference_rows, 7);
    assert.equal(v.current_rows, 9);
    assert.ok(Number.isFinite(v.statistic));
  });

  it('types integer columns as Evidently does over pandas dtypes', async () => {
    const repeat = (values: Cell[], n: number) => Array.from({ length: n }, (_, i) => values[i % values.length]!);
    const report = await fileDrift(
      'ints.parquet',
      [
        { name: 'five', type: 'BIGINT', values: repeat([1, 2, 3, 4, 5], 60) },
        { name: 'six', type: 'BIGINT', values: repeat([1, 2, 3, 4, 5, 6], 60) },
        { name: 'holed', type: 'BIGINT', values: repeat([1, 2, 3], 60) },
      ],
      [
        { name: 'five', type: 'BIGINT', values: repeat([1, 2, 3, 4, 5], 60) },
        { name: 'six', type: 'BIGINT', values: repeat([1, 2, 3, 4, 5, 6], 60) },
        // pandas reads an integer column with a null as float64: numerical.
        { name: 'holed', type: 'BIGINT', values: [null, ...repeat([1, 2, 3], 59)] },
      ],
    );
    assert.equal(computed(report, 'five').type, 'categorical');
    assert.equal(computed(report, 'six').type, 'numerical');
    assert.equal(computed(report, 'holed').type, 'numerical');
    // Few values still get chi-square, as Evidently's default choice counts values, not types.
    assert.equal(computed(report, 'holed').method, 'chisquare');
  });

  it('reads CSV text as pandas.read_csv would: NA markers are missing, numeric text with inf is numerical, dates are text', async () => {
    const r = join(dir, 'pandas.ref.csv');
    const c = join(dir, 'pandas.cur.csv');
    const rows = (f: (i: number) => string) => Array.from({ length: 40 }, (_, i) => f(i)).join('\n');
    await writeFile(r, `x,label,day\n${rows((i) => (i === 0 ? 'inf,NA,2024-01-01' : i === 1 ? 'NA,n/a,2024-01-02' : `${i / 4},${i % 2 ? 'a' : 'b'},2024-01-0${1 + (i % 3)}`))}\n`);
    await writeFile(c, `x,label,day\n${rows((i) => (i === 0 ? '-inf,null,2024-01-01' : `${i / 3},${i % 3 ? 'a' : 'b'},2024-01-0${1 + (i % 2)}`))}\n`);
    const { report } = await detectFileDrift(engine, await engine.tableFile(r), await engine.tableFile(c));
    assert.equal(report.schema[0]!.reference_type, 'VARCHAR');
    const x = computed(report, 'x');
    assert.equal(x.type, 'numerical');
    assert.equal(x.method, 'ks');
    assert.equal(x.reference_rows, 38);
    assert.equal(x.current_rows, 39);
    const label = computed(report, 'label');
    assert.equal(label.method, 'z');
    assert.equal(label.reference_rows, 38);
    assert.equal(label.current_rows, 39);
    // pandas leaves dates in CSV text as strings: categorical, not a datetime left out.
    assert.equal(report.schema[2]!.reference_type, 'DATE');
    assert.equal(computed(report, 'day').type, 'categorical');
    assert.equal(computed(report, 'day').method, 'chisquare');
  });

  it('parses text declared numerical and reports text that is not a number', async () => {
    const ref: FileColumn[] = [{ name: 'amount', type: 'VARCHAR', values: ['1.5', '2', ' 3e1 ', null, '4', '5', '6'] }];
    const report = await fileDrift('decl.parquet', ref, [{ name: 'amount', type: 'VARCHAR', values: ['1', '2', '3', '4', '5', '6', '7'] }], { numericalColumns: ['amount'] });
    const amount = computed(report, 'amount');
    assert.equal(amount.type, 'numerical');
    assert.equal(amount.reference_rows, 6);
    const bad = await fileDrift('decl2.parquet', ref, [{ name: 'amount', type: 'VARCHAR', values: ['1', 'two', '3', 'four', '5', '6', '7'] }], { numericalColumns: ['amount'] });
    assert.equal(skipped(bad, 'amount').reason, 'not computed: declared numerical, but 2 values in current are not numbers (such as "two")');
  });

  it('leaves Parquet dates out unless declared, then compares them as seconds', async () => {
    const days = (start: number) => Array.from({ length: 30 }, (_, i) => `2024-01-${String(1 + ((start + i) % 28)).padStart(2, '0')}`);
    const ref: FileColumn[] = [{ name: 'day', type: 'DATE', values: days(0) }, { name: 'tags', type: 'INTEGER[]', values: days(0).map(() => '[1, 2]') }];
    const cur: FileColumn[] = [{ name: 'day', type: 'DATE', values: days(10) }, { name: 'tags', type: 'INTEGER[]', values: days(0).map(() => '[1, 3]') }];
    const report = await fileDrift('dates.parquet', ref, cur);
    assert.match(skipped(report, 'day').reason, /^not computed: datetime column \(DATE\); Evidently does not test datetime features/);
    assert.match(skipped(report, 'tags').reason, /^not computed: unsupported type INTEGER\[\]; declare it categorical/);
    const declared = await fileDrift('dates2.parquet', ref, cur, { numericalColumns: ['day'], categoricalColumns: ['tags'] });
    assert.equal(computed(declared, 'day').method, 'ks');
    assert.equal(computed(declared, 'tags').method, 'z');
    assert.equal(computed(declared, 'tags').drifted, true);
  });

  it('fails clearly on a missing, unreadable or empty file', async () => {
    await assert.rejects(engine.tableFile(join(dir, 'absent.parquet')), { code: 'NOT_FOUND' });
    const good = join(dir, 'good.csv');
    await writeFile(good, 'a\n1\n2\n');
    const junk = join(dir, 'junk.parquet');
    await writeFile(junk, 'this is not parquet');
    await assert.rejects(readDriftFrames(engine, await engine.tableFile(good), await engine.tableFile(junk)), {
      code: 'INVALID_ARGUMENT',
      message: /junk\.parquet/,
    });
    const empty = join(dir, 'empty.csv');
    await writeFile(empty, 'a\n');
    await assert.rejects(readDriftFrames(engine, await engine.tableFile(good), await engine.tableFile(empty), { labels: { current: 'today' } }), {
      code: 'INVALID_ARGUMENT',
      message: 'today has no rows; drift needs data on both sides.',
    });
    // DuckDB sniffs types from a sample; a value past it that breaks them fails while streaming.
    const late = join(dir, 'late.csv');
    await writeFile(late, `a\n${Array.from({ length: 30_000 }, (_, i) => i).join('\n')}\nabc\n`);
    await assert.rejects(readDriftFrames(engine, await engine.tableFile(good), await engine.tableFile(late), { labels: { current: 'late data' } }), {
      code: 'INVALID_ARGUMENT',
      message: /^Cannot read late data as csv: Conversion Error/,
    });
    const blank = join(dir, 'blank.csv');
    await writeFile(blank, '');
    await assert.rejects(readDriftFrames(engine, await engine.tableFile(blank), await engine.tableFile(good)), /has no rows/);
  });

  it('reports progress per side', async () => {
    const r = join(dir, 'progress.parquet');
    await writeTableFile(engine, r, [{ name: 'v', type: 'DOUBLE', values: Float64Array.from({ length: 5000 }, (_, i) => i) }]);
    const seen: string[] = [];
    const file = await engine.tableFile(r);
    await readDriftFrames(engine, file, file, { onProgress: (p) => p.done && seen.push(`${p.side}:${p.rows}`) });
    assert.deepEqual(seen, ['reference:5000', 'current:5000']);
  });
});

describe('detectFileDrift', () => {
  let dir: string;
  let engine: DuckDbEngine;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-file-drift-'));
    engine = await DuckDbEngine.open({ threads: 1, memoryLimit: '256MB' });
  });
  after(async () => {
    engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('chooses tests per column, then per type, then for all, as Evidently does', async () => {
    const ref = mixedTable(31, 200, 0);
    const cur = mixedTable(32, 200, 0.1);
    const r = join(dir, 'p.ref.parquet');
    const c = join(dir, 'p.cur.parquet');
    await writeTableFile(engine, r, ref.columns);
    await writeTableFile(engine, c, cur.columns);
    const { report } = await detectFileDrift(engine, await engine.tableFile(r), await engine.tableFile(c), {
      stattest: 'psi',
      threshold: 0.3,
      numericalStattest: 'wasserstein',
      categoricalThreshold: 0.2,
      perColumn: { wide: { stattest: 'ks' }, city: { threshold: 0.05 } },
      driftShare: 0.2,
    });
    assert.deepEqual(
      report.columns.map((x) => (x.computed ? [x.column, x.method, x.threshold] : [x.column])),
      [
        ['num', 'wasserstein', 0.3],
        ['wide', 'ks', 0.3],
        ['few', 'psi', 0.2],
        ['city', 'psi', 0.05],
        ['flag', 'psi', 0.2],
      ],
    );
    assert.equal(report.dataset.drift_share, 0.2);
  });

  it('rejects bad options before reading any data', async () => {
    const junk = join(dir, 'junk.csv');
    await writeFile(junk, '\u0000\u0001 not a table');
    const file = await engine.tableFile(junk);
    await assert.rejects(detectFileDrift(engine, file, file, { stattest: 'anova' as never }), {
      code: 'INVALID_ARGUMENT',
      message: /Unknown stattest "anova"; use one of ks, chisquare, z/,
    });
    await assert.rejects(detectFileDrift(engine, file, file, { perColumn: { a: { threshold: -1 } } }), /threshold for column "a" must be a finite number >= 0/);
    await assert.rejects(detectFileDrift(engine, file, file, { driftShare: 1.5 }), /drift share must be a number between 0 and 1/);
    await assert.rejects(detectFileDrift(engine, file, file, { numericalColumns: ['a'], categoricalColumns: ['a'] }), /declared both numerical and categorical/);
  });
});
