import { Migrator, sql, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import { InternalError, UnavailableError } from '../../errors.js';
import type { Database, DialectName } from './database.js';
import * as m0001 from './migrations/0001-tracking.js';
import * as m0002 from './migrations/0002-registry.js';
import * as m0003 from './migrations/0003-governance.js';

type DialectMigration = { up(db: Kysely<any>, dialect: DialectName): Promise<void> };

/** Every migration in order. Names are fixed forever once released. */
const MIGRATIONS: Record<string, DialectMigration> = {
  '0001-tracking': m0001,
  '0002-registry': m0002,
  '0003-governance': m0003,
};

/**
 * Brings the schema up to date. Safe to call on every start and from several
 * processes: Kysely's migrator takes a lock table while it works.
 */
export async function migrateToLatest(database: Database): Promise<string[]> {
  const migrations: Record<string, Migration> = {};
  for (const [name, m] of Object.entries(MIGRATIONS)) {
    migrations[name] = { up: (db) => m.up(db, database.dialect) };
  }
  // Kysely looks for its tables in every schema; pin them to the connection's own so
  // databases that share a server (one schema per tenant or test) stay apart.
  const schema =
    database.dialect === 'postgres'
      ? (await sql<{ s: string }>`select current_schema() as s`.execute(database.db)).rows[0]?.s
      : undefined;
  const migrator = new Migrator({
    ...(schema ? { migrationTableSchema: schema } : {}),
    db: database.db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'ferry_migrations',
    migrationLockTableName: 'ferry_migrations_lock',
  });
  const { error, results }: MigrationResultSet = await migrator.migrateToLatest();
  if (error) throw new InternalError(`database migration failed: ${(error as Error).message}`, { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Checks, reading only, that every migration has been applied: for processes
 * that must not write the schema (the standalone `ferry serve` replica).
 * @throws UnavailableError naming the missing migrations, or when the schema was never created.
 */
export async function assertSchemaCurrent(database: Database): Promise<void> {
  let applied: string[];
  try {
    const rows = await sql<{ name: string }>`select name from ferry_migrations`.execute(database.db);
    applied = rows.rows.map((r) => r.name);
  } catch {
    throw new UnavailableError('The database has no Ferry schema: start `ferry server` or run `ferry db upgrade` against it first.');
  }
  const missing = Object.keys(MIGRATIONS).filter((name) => !applied.includes(name));
  if (missing.length > 0) {
    throw new UnavailableError(`The database schema is behind this version of Ferry (missing ${missing.join(', ')}): run \`ferry db migrate\` first.`);
  }
}
