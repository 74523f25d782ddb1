import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listValue, type DuckDBValue } from '@duckdb/node-api';
import { DuckDbEngine } from '../../../../src/data/table/index.js';
import { duckdbCanParse, strftimeMatchSql, strftimePattern } from '../../../../src/data/validation/expectations/strftime-pattern.js';

describe('strftimePattern', () => {
  let engine: DuckDbEngine;
  before(async () => {
    engine = await DuckDbEngine.open({ threads: 1 });
  });
  after(() => engine.close());

  /** Which of `values` parse with `format`, by the generated SQL, with and without DuckDB's fast path. */
  async function parses(format: string, values: string[]): Promise<boolean[][]> {
    const pattern = strftimePattern(format);
    const out: boolean[][] = [];
    for (const fast of [false, true]) {
      if (fast && !duckdbCanParse(pattern)) continue;
      const params: Record<string, DuckDBValue> = { re: pattern.regex, vals: listValue(values) };
      if (fast) params.fmt = format;
      const sql = `SELECT ${strftimeMatchSql('v', pattern, '$re', fast ? '$fmt' : undefined)} AS ok FROM (SELECT unnest($vals) AS v)`;
      const reader = await engine.connection.runAndReadAll(sql, params);
      out.push(reader.getRowObjectsJS().map((r) => r.ok as boolean));
    }
    return out;
  }

  it('accepts what datetime.strptime accepts: unpadded fields, any case, leap days', async () => {
    for (const result of await parses('%Y-%m-%d', ['2024-01-05', '2024-1-5', '2024-02-29', '2023-02-29', '2024-13-01', '24-01-05', '2024-01-05 ', '2024-01-05x'])) {
      assert.deepEqual(result, [true, true, true, false, false, false, false, false]);
    }
    for (const result of await parses('%d %b %Y %H:%M', ['05 jan 2024 10:30', '5 JAN 2024 9:05', '31 Apr 2024 10:30', '05  Jan 2024 10:30', '05 Jan 2024 24:00'])) {
      assert.deepEqual(result, [true, true, false, true, false]);
    }
  });

  it('handles time zones, fractions, AM/PM and literal percent signs', async () => {
    const [exact] = await parses('%Y-%m-%dT%H:%M:%S.%f%z', ['2024-01-05T10:00:00.5+02:00', '2024-01-05T10:00:00.123456Z', '2024-01-05T10:00:00.1234567Z']);
    assert.deepEqual(exact, [true, true, false]);
    for (const result of await parses('%I:%M %p (%%)', ['09:30 PM (%)', '13:30 PM (%)'])) assert.deepEqual(result, [true, false]);
  });

  it("rejects bad directives and stray percent signs with Python's wording", () => {
    assert.throws(() => strftimePattern('%Y-%q'), /'q' is a bad directive in format '%Y-%q'/);
    assert.throws(() => strftimePattern('%Y-%'), /stray % in format '%Y-%'/);
    assert.throws(() => strftimePattern('%Y %Y'), /appears twice/);
  });

  it('expands the C locale composites %c, %x and %X', () => {
    assert.deepEqual(strftimePattern('%x %X').groups, ['m', 'd', 'y', 'H', 'M', 'S']);
  });
});
