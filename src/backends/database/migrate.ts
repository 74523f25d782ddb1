import { Migrator, sql, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import { InternalError } from '../../errors.js';
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
