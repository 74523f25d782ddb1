import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError, UnavailableError } from '../../errors.js';
import type { DatabaseSchema } from './database-schema.js';

export type DialectName = 'sqlite' | 'postgres';

/** An open metadata database: one Kysely instance plus what stores need to know about its dialect. */
export interface Database {
  readonly db: Kysely<DatabaseSchema>;
  readonly dialect: DialectName;
  readonly url: string;
  close(): Promise<void>;
}

/** Parses `sqlite:path`, `sqlite:///abs/path`, `sqlite::memory:` into a filename for better-sqlite3. */
export function sqliteFilename(url: string): string {
  const rest = url.slice('sqlite:'.length);
  if (rest === ':memory:' || rest === '//:memory:') return ':memory:';
  // sqlite:///abs → /abs ; sqlite://rel → rel ; sqlite:rel → rel
  if (rest.startsWith('///')) return rest.slice(2);
  if (rest.startsWith('//')) return rest.slice(2);
  if (rest.length === 0) throw new InvalidArgumentError('sqlite URL needs a file path, e.g. sqlite:.ferry/ferry.db');
  return rest;
}

async function openSqlite(url: string): Promise<Database> {
  const { default: BetterSqlite3 } = await import('better-sqlite3');
  const filename = sqliteFilename(url);
  if (filename !== ':memory:') mkdirSync(dirname(resolve(filename)), { recursive: true });
  const sqlite = new BetterSqlite3(filename);
  // WAL lets readers run beside the writer. synchronous=NORMAL keeps every
  // committed transaction across a killed process (the WAL is in the OS page
  // cache); only an OS crash or power loss can drop the last commits.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('cache_size = -65536');
  const db = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    db,
    dialect: 'sqlite',
    url,
    close: async () => {
      await db.destroy();
    },
  };
}

async function openPostgres(url: string): Promise<Database> {
  const pg = await import('pg');
  const { Pool, types } = pg.default;
  // int8 columns hold epoch milliseconds and steps, which fit a JS number.
  types.setTypeParser(20, (v: string) => Number(v));
  const pool = new Pool({ connectionString: url, max: Number(process.env.FERRY_DATABASE_POOL_SIZE ?? 16) });
  try {
    const client = await pool.connect();
    client.release();
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new UnavailableError(`cannot connect to PostgreSQL at ${redactUrl(url)}: ${(err as Error).message}`, { cause: err });
  }
  pool.on('error', () => undefined);
  const db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    url,
    close: async () => {
      await db.destroy();
    },
  };
}

/** Opens the metadata database named by `url` (`sqlite:` or `postgres://`). Does not migrate. */
export async function openDatabase(url: string): Promise<Database> {
  if (url.startsWith('sqlite:')) return openSqlite(url);
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url);
  throw new InvalidArgumentError(
    `unsupported database URL '${redactUrl(url)}': use sqlite:<path> or postgres://user@host:port/database`,
  );
}

/** Hides a password in a URL before it reaches a message or a log. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
