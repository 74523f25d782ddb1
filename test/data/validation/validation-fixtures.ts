import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbEngine, type TableFile } from '../../../src/data/table/index.js';
import { validateTable } from '../../../src/data/validation/validate-table.js';
import type { ExpectationSuite, ExpectationValidationResult, ResultFormatName } from '../../../src/data/validation/suite-types.js';

/**
 * Six people, with the nulls, duplicates and odd values the expectation tests
 * need. Rows (0-based):
 *
 * | # | id | name  | age | score | city   | joined     | day        | when                | code | a | b | x | y |
 * |---|----|-------|-----|-------|--------|------------|------------|---------------------|------|---|---|---|---|
 * | 0 | 1  | alice | 30  | 88.5  | Paris  | 2024-01-05 | 2024-01-05 | Jan 5 2024          | AB-1 | 5 | 3 | 1 | p |
 * | 1 | 2  | bob   | 25  | 92    | London | 2024-02-30 | 2024-02-29 | 5 January 2024      | AB-2 | 4 | 4 | 1 | p |
 * | 2 | 3  |       |     | 75.25 | Paris  | 2024-03-01 | 2023-12-31 | 2024-01-05T10:00:00 | xx   |   |   | 2 | q |
 * | 3 | 4  | dave  | 41  |       | Berlin | not a date | 2024-03-01 | 01/05/2024          | AB-4 | 2 |   |   |   |
 * | 4 | 4  | eve   | 35  | 60    | Paris  | 03/15/2024 | 2024-1-5   | March 3, 2024       | AB-5 | 1 | 7 | 1 | r |
 * | 5 | 6  | frank | 29  | 99    |        | 2024-04-10 | 2024-04-10 | 2024/01/05          | ab-6 | 9 | 1 |   | s |
 *
 * `note` is null throughout.
 */
export const PEOPLE_SQL = `SELECT * FROM (VALUES
  (1::BIGINT, 'alice', 30::BIGINT, 88.5::DOUBLE, 'Paris', '2024-01-05', '2024-01-05', 'Jan 5 2024', 'AB-1', 5::BIGINT, 3::BIGINT, 1::BIGINT, 'p', NULL::VARCHAR),
  (2, 'bob', 25, 92.0, 'London', '2024-02-30', '2024-02-29', '5 January 2024', 'AB-2', 4, 4, 1, 'p', NULL),
  (3, NULL, NULL, 75.25, 'Paris', '2024-03-01', '2023-12-31', '2024-01-05T10:00:00', 'xx', NULL, NULL, 2, 'q', NULL),
  (4, 'dave', 41, NULL, 'Berlin', 'not a date', '2024-03-01', '01/05/2024', 'AB-4', 2, NULL, NULL, NULL, NULL),
  (4, 'eve', 35, 60.0, 'Paris', '03/15/2024', '2024-1-5', 'March 3, 2024', 'AB-5', 1, 7, 1, 'r', NULL),
  (6, 'frank', 29, 99.0, NULL, '2024-04-10', '2024-04-10', '2024/01/05', 'ab-6', 9, 1, NULL, 's', NULL)
) v(id, name, age, score, city, joined, day, "when", code, a, b, x, y, note)`;

export const PEOPLE_COLUMNS = ['id', 'name', 'age', 'score', 'city', 'joined', 'day', 'when', 'code', 'a', 'b', 'x', 'y', 'note'];

/** A temp folder, an engine, and the people table written as CSV and Parquet by DuckDB's COPY. */
export interface PeopleFixture {
  dir: string;
  engine: DuckDbEngine;
  csv: TableFile;
  parquet: TableFile;
  /** Both files, for tests that check each format. */
  files: TableFile[];
  close(): Promise<void>;
}

/** Writes `sql`'s rows to `path` with DuckDB COPY (csv with a header, or parquet). */
export async function writeTable(engine: DuckDbEngine, sql: string, path: string, format: 'csv' | 'parquet'): Promise<void> {
  await engine.run(`COPY (${sql}) TO '${path.replace(/'/g, "''")}' (FORMAT ${format}${format === 'csv' ? ', HEADER' : ''})`);
}

export async function openPeople(): Promise<PeopleFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-validation-'));
  const engine = await DuckDbEngine.open({ threads: 2, memoryLimit: '256MB' });
  await writeTable(engine, PEOPLE_SQL, join(dir, 'people.csv'), 'csv');
  await writeTable(engine, PEOPLE_SQL, join(dir, 'people.parquet'), 'parquet');
  const csv = await engine.tableFile(join(dir, 'people.csv'));
  const parquet = await engine.tableFile(join(dir, 'people.parquet'));
  return {
    dir,
    engine,
    csv,
    parquet,
    files: [csv, parquet],
    close: async () => {
      engine.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Validates one expectation and returns its result. */
export async function check(
  engine: DuckDbEngine,
  file: TableFile,
  type: string,
  kwargs: Record<string, unknown>,
  resultFormat?: ResultFormatName,
): Promise<ExpectationValidationResult> {
  const suite: ExpectationSuite = { name: 't', expectations: [{ type, kwargs }] };
  const result = await validateTable(engine, file, suite, { resultFormat });
  return result.results[0]!;
}

