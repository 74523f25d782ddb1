import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A database URL that a test owns, and how to throw it away. */
export interface TestDatabaseUrl {
  url: string;
  cleanup(): Promise<void>;
}

export interface TestDatabaseKind {
  name: 'sqlite' | 'postgres';
  create(): Promise<TestDatabaseUrl>;
}

/**
 * PostgreSQL for tests: FERRY_TEST_POSTGRES_URL, or the local server this
 * machine kind runs. 'off' leaves it out (never in CI, where a missing
 * service must fail rather than skip).
 */
export function postgresTestUrl(): string | undefined {
  const url = process.env.FERRY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  if (url === 'off') {
    if (process.env.CI === 'true') throw new Error('FERRY_TEST_POSTGRES_URL=off is not allowed in CI: every backend must run');
    return undefined;
  }
  return url;
}

/** Each call gets a fresh schema, selected for every connection through libpq's `options`. */
async function createPostgresSchema(base: string): Promise<TestDatabaseUrl> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  await client.query(`create schema ${schema}`);
  await client.end();
  const sep = base.includes('?') ? '&' : '?';
  return {
    url: `${base}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    cleanup: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}

/** SQLite always; PostgreSQL unless switched off outside CI. */
export function testDatabaseKinds(): TestDatabaseKind[] {
  const kinds: TestDatabaseKind[] = [{ name: 'sqlite', create: async () => ({ url: 'sqlite::memory:', cleanup: async () => undefined }) }];
  const pgUrl = postgresTestUrl();
  if (pgUrl) kinds.push({ name: 'postgres', create: () => createPostgresSchema(pgUrl) });
  return kinds;
}
