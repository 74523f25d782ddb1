/**
 * The whole ordered list of run ids of recent searches, so that a table can
 * jump to any window of a large search without sorting it again: at 100,000
 * runs ordered by a metric, every window costs a full sort (most of a
 * second on SQLite), while a slice of a kept list costs nothing.
 *
 * A list is kept only while the database is unchanged, so an answer is never
 * stale. SQLite says so cheaply: `total_changes()` counts every row this
 * connection (the server's only one) wrote, and `data_version` moves when
 * another process commits. PostgreSQL has no such cheap signal here, so
 * nothing is cached there.
 */
import { sql } from 'kysely';
import type { Database } from '../backends/database/database.js';
import { buildRunSearchQuery, type SearchRunIdsInput } from './run-search.js';
import { scopeToNesting, type RunNesting } from './run-table-search.js';

export type RunOrderQuery = Omit<SearchRunIdsInput, 'maxResults' | 'pageToken'> & { nesting?: RunNesting };

interface Entry {
  stamp: string;
  ids: string[];
}

export class RunOrderCache {
  private readonly entries = new Map<string, Entry>();
  private size = 0;

  /**
   * @param maxIds run ids kept over all lists (about 60 bytes each); a longer list is not kept.
   * @param maxLists lists kept, least recently used dropped first.
   */
  constructor(
    private readonly database: Database,
    private readonly maxIds = 1_000_000,
    private readonly maxLists = 16,
  ) {}

  /** What identifies the database's content now, or undefined where that is not cheap to know. */
  private async stamp(): Promise<string | undefined> {
    if (this.database.dialect !== 'sqlite') return undefined;
    const row = await sql<{ changes: number; version: number }>`select total_changes() as changes, (select data_version from pragma_data_version) as version`
      .execute(this.database.db)
      .then((r) => r.rows[0]);
    return row ? `${row.changes}:${row.version}` : undefined;
  }

  /** The kept list for `query` if the database has not changed since it was made. */
  async get(query: RunOrderQuery): Promise<string[] | undefined> {
    const key = JSON.stringify(query);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.stamp !== (await this.stamp())) {
      this.drop(key, entry);
      return undefined;
    }
    // Re-insert: the map stays in least-recently-used order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.ids;
  }

  /**
   * Every run id the search matches, in its order, kept for the next call.
   * Returns undefined (and keeps nothing) on databases it cannot validate.
   * @throws InvalidArgumentError for a bad filter, order_by or experiment ID.
   */
  async load(query: RunOrderQuery): Promise<string[] | undefined> {
    const stamp = await this.stamp();
    if (stamp === undefined) return undefined;
    const { query: search } = buildRunSearchQuery(this.database, { ...query, maxResults: 1 });
    const ids = query.experimentIds.length === 0 ? [] : (await scopeToNesting(search, query.nesting).clearLimit().clearOffset().execute()).map((r) => r.run_uuid);
    // Written to meanwhile: the list may already be outdated, so answer with it once and keep nothing.
    if (stamp !== (await this.stamp()) || ids.length > this.maxIds) return ids;
    const key = JSON.stringify(query);
    const old = this.entries.get(key);
    if (old) this.drop(key, old);
    this.entries.set(key, { stamp, ids });
    this.size += ids.length;
    for (const [k, e] of this.entries) {
      if (this.size <= this.maxIds && this.entries.size <= this.maxLists) break;
      this.drop(k, e);
    }
    return ids;
  }

  private drop(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.size -= entry.ids.length;
  }
}
