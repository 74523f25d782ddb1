import { sql, type Kysely } from 'kysely';
import { InternalError, UnavailableError } from '../../errors.js';
import type { Database, DialectName } from './database.js';
import * as m0001 from './migrations/0001-tracking.js';
import * as m0002 from './migrations/0002-registry.js';
import * as m0003 from './migrations/0003-governance.js';
import * as m0004 from './migrations/0004-datasets.js';
import * as m0005 from './migrations/0005-deployments.js';
import * as m0006 from './migrations/0006-metric-snapshots.js';

type DialectMigration = { up(db: Kysely<any>, dialect: DialectName): Promise<void> };

/** Every migration in order. Names are fixed forever once released. */
const MIGRATIONS: Record<string, DialectMigration> = {
  '0001-tracking': m0001,
  '0002-registry': m0002,
  '0003-governance': m0003,
  '0004-datasets': m0004,
  '0005-deployments': m0005,
  '0006-metric-snapshots': m0006,
};

/** Ferry's record of applied migrations, in the connection's own schema. */
const MIGRATIONS_TABLE = 'ferry_schema_migrations';

/**
 * Brings the schema up to date, all pending migrations in one transaction.
 * Safe to call on every start and from several processes at once: SQLite
 * takes the write lock up front (BEGIN IMMEDIATE), PostgreSQL an advisory
 * lock keyed by the current schema. Only the current schema is ever read —
 * a migrator that introspects every schema trips over schemas that other
 * processes drop meanwhile (one schema per test or tenant).
 * @returns the names of the migrations it applied.
 */
export async function migrateToLatest(database: Database): Promise<string[]> {
  const { dialect } = database;
  return database.db.connection().execute(async (conn) => {
    await sql.raw(dialect === 'sqlite' ? 'begin immediate' : 'begin').execute(conn);
    try {
      if (dialect === 'postgres') {
        await sql`select pg_advisory_xact_lock(hashtext(${`${MIGRATIONS_TABLE}:`} || current_schema()))`.execute(conn);
      }
      await sql`create table if not exists ${sql.table(MIGRATIONS_TABLE)} (name text primary key, applied_at bigint not null)`.execute(conn);
      const applied = new Set((await sql<{ name: string }>`select name from ${sql.table(MIGRATIONS_TABLE)}`.execute(conn)).rows.map((r) => r.name));
      const done: string[] = [];
      for (const [name, migration] of Object.entries(MIGRATIONS)) {
        if (applied.has(name)) continue;
        await migration.up(conn, dialect);
        await sql`insert into ${sql.table(MIGRATIONS_TABLE)} (name, applied_at) values (${name}, ${Date.now()})`.execute(conn);
        done.push(name);
      }
      await sql`commit`.execute(conn);
      return done;
    } catch (err) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw new InternalError(`database migration failed: ${(err as Error).message}`, { cause: err });
    }
  });
}

/**
 * Checks, reading only, that every migration has been applied: for processes
 * that must not write the schema (the standalone `ferry serve` replica).
 * @throws UnavailableError naming the missing migrations, or when the schema was never created.
 */
export async function assertSchemaCurrent(database: Database): Promise<void> {
  let applied: string[];
  try {
    const rows = await sql<{ name: string }>`select name from ${sql.table(MIGRATIONS_TABLE)}`.execute(database.db);
    applied = rows.rows.map((r) => r.name);
  } catch {
    throw new UnavailableError('The database has no Ferry schema: start `ferry server` or run `ferry db upgrade` against it first.');
  }
  const missing = Object.keys(MIGRATIONS).filter((name) => !applied.includes(name));
  if (missing.length > 0) {
    throw new UnavailableError(`The database schema is behind this version of Ferry (missing ${missing.join(', ')}): run \`ferry db upgrade\` first.`);
  }
}
