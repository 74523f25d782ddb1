import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbEngine, tableFormatOf } from '../../../src/data/table/index.js';

describe('DuckDbEngine', () => {
  let dir: string;
  let engine: DuckDbEngine;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-duckdb-'));
    engine = await DuckDbEngine.open({ threads: 1, memoryLimit: '256MB' });
  });
  after(async () => {
    engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads CSV, Parquet and JSON lines with the path bound, never spliced', async () => {
    // A quote in the file name would break SQL built by concatenation.
    const csv = join(dir, "it's.csv");
    await writeFile(csv, 'a,b\n1,x\n2,y\n');
    const file = await engine.tableFile(csv);
    assert.deepEqual(await engine.describe(file), [
      { name: 'a', type: 'BIGINT' },
      { name: 'b', type: 'VARCHAR' },
    ]);
    const parquet = join(dir, "o'k.parquet");
    await engine.run(`COPY (SELECT * FROM ${file.scanSql}) TO '${parquet.replace(/'/g, "''")}' (FORMAT parquet)`, [csv]);
    const rows = await engine.rows(`SELECT sum(a)::INTEGER AS s FROM ${(await engine.tableFile(parquet)).scanSql}`, [parquet]);
    assert.deepEqual(rows, [{ s: 3 }]);
    const jsonl = join(dir, 'r.jsonl');
    await writeFile(jsonl, '{"a":1}\n{"a":5}\n');
    const j = await engine.tableFile(jsonl);
    assert.deepEqual(await engine.rows(`SELECT max(a)::INTEGER AS m FROM ${j.scanSql}`, [jsonl], j), [{ m: 5 }]);
  });

  it('reports a missing file as NOT_FOUND and an unreadable one as INVALID_ARGUMENT naming it', async () => {
    await assert.rejects(engine.tableFile(join(dir, 'none.parquet')), { code: 'NOT_FOUND' });
    const bad = join(dir, 'bad.parquet');
    await writeFile(bad, 'not parquet');
    const file = await engine.tableFile(bad);
    await assert.rejects(engine.describe(file), (err: Error & { code?: string }) => err.code === 'INVALID_ARGUMENT' && err.message.includes(bad));
  });
});

describe('tableFormatOf', () => {
  it('reads the extension through compression suffixes and refuses unknown ones', () => {
    assert.equal(tableFormatOf('x/data.csv.gz'), 'csv');
    assert.equal(tableFormatOf('data.PARQUET'), 'parquet');
    assert.equal(tableFormatOf('data.ndjson'), 'jsonl');
    assert.equal(tableFormatOf('data.bin', 'parquet'), 'parquet');
    assert.throws(() => tableFormatOf('data.xlsx'), /Cannot tell the format/);
    assert.throws(() => tableFormatOf('data.csv', 'excel'), /Unknown table format 'excel'/);
  });
});
