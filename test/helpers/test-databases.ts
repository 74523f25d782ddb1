/**
 * The metadata databases a test suite runs against: SQLite in memory always,
 * and PostgreSQL unless `FERRY_TEST_POSTGRES_URL=off` (refused in CI, where
 * every backend must run). Each `open()` gives a
 * fresh, migrated database; on PostgreSQL that is a schema of its own
 * (`t_<random>`), dropped again by the database's `close()`.
 *
 * @example
 * describeEachDatabase('RunStore', (getDatabase) => {
 *   it('creates a run', async () => {
 *     const database = getDatabase();
 *     // ...
 *   });
 * });
 */
import { randomBytes } from 'node:crypto';
import { after, before, describe } from 'node:test';
import { openDatabase, type Database } from '../../src/backends/database/database.js';
import { migrateToLatest } from '../../src/backends/database/migrate.js';

/** Where PostgreSQL tests connect: `FERRY_TEST_POSTGRES_URL`, else a local trust-auth server. */
export const POSTGRES_TEST_URL = process.env.FERRY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  /** `sqlite` or `postgres`, for test names. */
  name: 'sqlite' | 'postgres';
  /** Opens a fresh, migrated database that no other test shares. Close it when done. */
  open(): Promise<Database>;
}

async function openSqlite(): Promise<Database> {
  const database = await openDatabase('sqlite::memory:');
  await migrateToLatest(database);
  return database;
}

/** Adds `options=-c search_path=<schema>` so every pooled connection works inside the schema. */
function withSearchPath(url: string, schema: string): string {
  const separator = url.includes('?') ? '&' : '?';
  return `${url}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

async function openPostgres(): Promise<Database> {
  const { default: pg } = await import('pg');
  // Only hex digits after a fixed prefix, so the name is safe to splice into DDL.
  const schema = `t_${randomBytes(8).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_TEST_URL });
  await admin.connect();
  try {
    await admin.query(`create schema "${schema}"`);
  } catch (err) {
    await admin.end();
    throw err;
  }
  let database: Database;
  try {
    database = await openDatabase(withSearchPath(POSTGRES_TEST_URL, schema));
    await migrateToLatest(database);
  } catch (err) {
    await admin.query(`drop schema if exists "${schema}" cascade`).finally(() => admin.end());
    throw err;
  }
  return {
    db: database.db,
    dialect: database.dialect,
    url: database.url,
    close: async () => {
      try {
        await database.close();
      } finally {
        await admin.query(`drop schema if exists "${schema}" cascade`).finally(() => admin.end());
      }
    },
  };
}

/** The databases to run a suite against, SQLite first. */
export function testDatabases(): TestDatabase[] {
  const databases: TestDatabase[] = [{ name: 'sqlite', open: openSqlite }];
  if (process.env.FERRY_TEST_POSTGRES_URL !== 'off') databases.push({ name: 'postgres', open: openPostgres });
  else if (process.env.CI === 'true') throw new Error('FERRY_TEST_POSTGRES_URL=off is not allowed in CI: every backend must run');
  return databases;
}

/**
 * Declares `describe('<title> (<database>)')` once per test database; the
 * suite reaches its database through `getDatabase()`, opened before its first
 * test and closed after its last.
 */
export function describeEachDatabase(title: string, suite: (getDatabase: () => Database, name: TestDatabase['name']) => void): void {
  for (const target of testDatabases()) {
    describe(`${title} (${target.name})`, () => {
      let database: Database | undefined;
      before(async () => {
        database = await target.open();
      });
      after(async () => {
        await database?.close();
      });
      suite(() => {
        if (!database) throw new Error('the test database is not open yet: call getDatabase() inside a test or hook');
        return database;
      }, target.name);
    });
  }
}
