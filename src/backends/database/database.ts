import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError, UnavailableError } from '../../errors.js';
import { startCheckpointer, type Checkpointer } from './sqlite-checkpointer.js';
import type { DatabaseSchema } from './database-schema.js';

export type DialectName = 'sqlite' | 'postgres';

/** An open metadata database: one Kysely instance plus what stores need to know about its dialect. */
export interface Database {
  readonly db: Kysely<DatabaseSchema>;
  readonly dialect: DialectName;
  readonly url: string;
  /** Cheap housekeeping a writer calls after a commit (SQLite: bound the WAL if the checkpoint thread lags). */
  maintain?(): void;
  /**
   * A number that changes whenever another connection (another process) has
   * committed to the database since the last call; absent where that cannot
   * be known cheaply (PostgreSQL). Caches of this process's own writes use it.
   */
  changeToken?(): number;
  close(): Promise<void>;
}

/** A WAL larger than this is checkpointed inline: the checkpoint thread has fallen behind. */
const MAX_WAL_BYTES = 256 * 1024 * 1024;

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

/**
 * Kysely prepares every statement anew; preparing costs more than running a
 * small statement, so keep the most recent ones by SQL text. Safe because
 * Kysely runs each statement to completion (all/run) before the next one.
 */
function cachePreparedStatements(sqlite: { prepare(source: string): unknown }, size = 256): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, unknown>();
  sqlite.prepare = (source: string) => {
    let stmt = cache.get(source);
    if (stmt) {
      // Re-insert to keep the map in least-recently-used order.
      cache.delete(source);
    } else {
      stmt = prepare(source);
      if (cache.size >= size) cache.delete(cache.keys().next().value as string);
    }
    cache.set(source, stmt);
    return stmt;
  };
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
  cachePreparedStatements(sqlite);
  let checkpointer: Checkpointer | undefined;
  if (filename !== ':memory:') {
    sqlite.pragma('wal_autocheckpoint = 0');
    checkpointer = startCheckpointer(filename);
  }
  const db = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: sqlite }) });
  let lastCheck = 0;
  return {
    db,
    dialect: 'sqlite',
    url,
    changeToken: () => sqlite.pragma('data_version', { simple: true }) as number,
    maintain: () => {
      const now = Date.now();
      if (!checkpointer || now - lastCheck < 1000) return;
      lastCheck = now;
      if ((statSync(`${filename}-wal`, { throwIfNoEntry: false })?.size ?? 0) > MAX_WAL_BYTES) sqlite.pragma('wal_checkpoint(PASSIVE)');
    },
    close: async () => {
      await checkpointer?.stop();
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
