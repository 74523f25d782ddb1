import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, DialectName } from '../../backends/database/database.js';
import type { DatasetKind, DatasetPatch, DatasetSchema, DatasetVersion, RegisteredDataset } from './dataset-types.js';

/** Kysely's view of the tables created by migration 0004-datasets. */
// A type alias, not an interface: `withTables` needs an index signature.
export type DatasetTables = {
  registered_datasets: { name: string; description: string | null; creation_time: number; last_updated_time: number; max_version: number };
  registered_dataset_tags: { name: string; key: string; value: string };
  dataset_versions: DatasetVersionsTable;
  dataset_version_tags: { name: string; version: number; key: string; value: string };
};

export interface DatasetVersionsTable {
  name: string;
  version: number;
  digest: string;
  kind: string;
  size_bytes: number;
  file_count: number;
  source: string | null;
  schema_json: string | null;
  profile_json: string | null;
  description: string | null;
  created_by: string | null;
  creation_time: number;
  last_updated_time: number;
}

export type DatasetDb = Kysely<DatasetTables>;
/** The database or an open transaction: writes that must happen together take the transaction. */
export type DatasetExecutor = DatasetDb | Transaction<DatasetTables>;

/** A version as stored, before its tags are attached. */
export type NewDatasetVersion = Omit<DatasetVersion, 'tags' | 'lastUpdatedTime'>;

/**
 * Kysely queries for the dataset registry (SQLite and PostgreSQL alike).
 * Every value is a bound parameter; names and digests never reach SQL text.
 */
export class DatasetStore {
  readonly db: DatasetDb;
  private readonly dialect: DialectName;

  constructor(database: Database) {
    this.db = database.db.withTables<DatasetTables>() as unknown as DatasetDb;
    this.dialect = database.dialect;
  }

  transaction<T>(work: (trx: Transaction<DatasetTables>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  /**
   * Creates the dataset row unless it exists; true when this call created it.
   * Being a write, it is also the first statement of a registration, so
   * SQLite takes its write lock at once instead of upgrading a read lock later.
   */
  async ensureDataset(ex: DatasetExecutor, name: string, description: string | null, now: number): Promise<boolean> {
    const r = await ex
      .insertInto('registered_datasets')
      .values({ name, description, creation_time: now, last_updated_time: now, max_version: 0 })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /**
   * Takes the dataset's write lock without changing it (PostgreSQL holds the
   * row lock until commit), so registrations of one dataset take turns and
   * cannot both number a version N+1.
   */
  async lock(ex: DatasetExecutor, name: string): Promise<void> {
    await ex
      .updateTable('registered_datasets')
      .set((eb) => ({ max_version: eb.ref('max_version') }))
      .where('name', '=', name)
      .execute();
  }

  /** Gives out the next version number (never one given before, even if deleted since). */
  async nextVersion(ex: DatasetExecutor, name: string, now: number): Promise<number> {
    await ex
      .updateTable('registered_datasets')
      .set((eb) => ({ max_version: eb('max_version', '+', 1), last_updated_time: now }))
      .where('name', '=', name)
      .execute();
    const row = await ex.selectFrom('registered_datasets').select('max_version').where('name', '=', name).executeTakeFirstOrThrow();
    return Number(row.max_version);
  }

  async insertVersion(ex: DatasetExecutor, v: NewDatasetVersion, tags: Record<string, string>): Promise<void> {
    await ex
      .insertInto('dataset_versions')
      .values({
        name: v.name,
        version: v.version,
        digest: v.digest,
        kind: v.kind,
        size_bytes: v.size,
        file_count: v.files,
        source: v.source,
        schema_json: v.schema === null ? null : JSON.stringify(v.schema),
        profile_json: v.profile === null ? null : JSON.stringify(v.profile),
        description: v.description,
        created_by: v.createdBy,
        creation_time: v.creationTime,
        last_updated_time: v.creationTime,
      })
      .execute();
    const rows = Object.entries(tags).map(([key, value]) => ({ name: v.name, version: v.version, key, value }));
    if (rows.length > 0) await ex.insertInto('dataset_version_tags').values(rows).execute();
  }

  /** The version of `name` holding `digest`, if any. */
  async versionNumberByDigest(ex: DatasetExecutor, name: string, digest: string): Promise<number | undefined> {
    const row = await ex.selectFrom('dataset_versions').select('version').where('name', '=', name).where('digest', '=', digest).executeTakeFirst();
    return row === undefined ? undefined : Number(row.version);
  }

  /** The highest existing version number of `name`, if any. */
  async latestVersionNumber(ex: DatasetExecutor, name: string): Promise<number | undefined> {
    const row = await ex.selectFrom('dataset_versions').select((eb) => eb.fn.max('version').as('v')).where('name', '=', name).executeTakeFirst();
    return row?.v === null || row?.v === undefined ? undefined : Number(row.v);
  }

  async getVersion(ex: DatasetExecutor, name: string, version: number): Promise<DatasetVersion | undefined> {
    const [row, tags] = await Promise.all([
      ex.selectFrom('dataset_versions').selectAll().where('name', '=', name).where('version', '=', version).executeTakeFirst(),
      ex.selectFrom('dataset_version_tags').select(['key', 'value']).where('name', '=', name).where('version', '=', version).orderBy('key').execute(),
    ]);
    return row === undefined ? undefined : versionOf(row, tagMap(tags));
  }

  async getDataset(ex: DatasetExecutor, name: string): Promise<RegisteredDataset | undefined> {
    return (await this.getDatasets(ex, [name]))[0];
  }

  /** Datasets with tags, version counts and latest versions, in the order of `names`; unknown names are skipped. */
  async getDatasets(ex: DatasetExecutor, names: string[]): Promise<RegisteredDataset[]> {
    if (names.length === 0) return [];
    const [rows, tags, stats] = await Promise.all([
      ex.selectFrom('registered_datasets').selectAll().where('name', 'in', names).execute(),
      ex.selectFrom('registered_dataset_tags').selectAll().where('name', 'in', names).orderBy('key').execute(),
      ex
        .selectFrom('dataset_versions')
        .select((eb) => ['name', eb.fn.max('version').as('latest'), eb.fn.countAll().as('count')])
        .where('name', 'in', names)
        .groupBy('name')
        .execute(),
    ]);
    const latest = new Map<string, DatasetVersion>();
    await Promise.all(
      stats.map(async (s) => {
        const v = await this.getVersion(ex, s.name, Number(s.latest));
        if (v) latest.set(s.name, v);
      }),
    );
    const counts = new Map(stats.map((s) => [s.name, Number(s.count)]));
    const byName = new Map<string, RegisteredDataset>();
    for (const r of rows) {
      byName.set(r.name, {
        name: r.name,
        description: r.description,
        tags: tagMap(tags.filter((t) => t.name === r.name)),
        creationTime: Number(r.creation_time),
        lastUpdatedTime: Number(r.last_updated_time),
        versionCount: counts.get(r.name) ?? 0,
        latestVersion: latest.get(r.name) ?? null,
      });
    }
    return names.map((n) => byName.get(n)).filter((d): d is RegisteredDataset => d !== undefined);
  }

  /** Names in byte order after `after`, at most `limit`; `nameContains` matches any case. */
  async listNames(query: { nameContains?: string; after?: string; limit: number }): Promise<string[]> {
    let q = this.db.selectFrom('registered_datasets').select('name');
    if (query.nameContains) {
      const pattern = `%${query.nameContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where(sql<boolean>`lower(name) like lower(${pattern}) escape '\\'`);
    }
    if (query.after !== undefined) q = q.where(sql<boolean>`${this.byteOrder(sql.ref('name'))} > ${this.byteOrder(sql`${query.after}`)}`);
    const rows = await q.orderBy(this.byteOrder(sql.ref('name'))).limit(query.limit).execute();
    return rows.map((r) => r.name);
  }

  /** Versions of `name`, newest first, below `before`, at most `limit`. */
  async listVersions(name: string, query: { digest?: string; before?: number; limit: number }): Promise<DatasetVersion[]> {
    let q = this.db.selectFrom('dataset_versions').selectAll().where('name', '=', name);
    if (query.digest !== undefined) q = q.where('digest', '=', query.digest);
    if (query.before !== undefined) q = q.where('version', '<', query.before);
    const rows = await q.orderBy('version', 'desc').limit(query.limit).execute();
    if (rows.length === 0) return [];
    const versions = rows.map((r) => Number(r.version));
    const tags = await this.db
      .selectFrom('dataset_version_tags')
      .select(['version', 'key', 'value'])
      .where('name', '=', name)
      .where('version', 'in', versions)
      .orderBy('key')
      .execute();
    return rows.map((r) => versionOf(r, tagMap(tags.filter((t) => Number(t.version) === Number(r.version)))));
  }

  /** Deletes one version and its tags; false when it did not exist. */
  async deleteVersion(ex: DatasetExecutor, name: string, version: number, now: number): Promise<boolean> {
    await ex.deleteFrom('dataset_version_tags').where('name', '=', name).where('version', '=', version).execute();
    const r = await ex.deleteFrom('dataset_versions').where('name', '=', name).where('version', '=', version).executeTakeFirst();
    const deleted = Number(r.numDeletedRows) > 0;
    if (deleted) await ex.updateTable('registered_datasets').set({ last_updated_time: now }).where('name', '=', name).execute();
    return deleted;
  }

  /** Applies a patch to a dataset; false when there is no such dataset. */
  async updateDataset(ex: DatasetExecutor, name: string, patch: DatasetPatch, now: number): Promise<boolean> {
    const set = patch.description === undefined ? { last_updated_time: now } : { last_updated_time: now, description: patch.description };
    const r = await ex.updateTable('registered_datasets').set(set).where('name', '=', name).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    for (const [key, value] of Object.entries(patch.tags ?? {})) {
      if (value === null) await ex.deleteFrom('registered_dataset_tags').where('name', '=', name).where('key', '=', key).execute();
      else {
        await ex
          .insertInto('registered_dataset_tags')
          .values({ name, key, value })
          .onConflict((oc) => oc.columns(['name', 'key']).doUpdateSet({ value }))
          .execute();
      }
    }
    return true;
  }

  /** Applies a patch to a version; false when there is no such version. */
  async updateVersion(ex: DatasetExecutor, name: string, version: number, patch: DatasetPatch, now: number): Promise<boolean> {
    const set = patch.description === undefined ? { last_updated_time: now } : { last_updated_time: now, description: patch.description };
    const r = await ex.updateTable('dataset_versions').set(set).where('name', '=', name).where('version', '=', version).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    for (const [key, value] of Object.entries(patch.tags ?? {})) {
      if (value === null) {
        await ex.deleteFrom('dataset_version_tags').where('name', '=', name).where('version', '=', version).where('key', '=', key).execute();
      } else {
        await ex
          .insertInto('dataset_version_tags')
          .values({ name, version, key, value })
          .onConflict((oc) => oc.columns(['name', 'version', 'key']).doUpdateSet({ value }))
          .execute();
      }
    }
    return true;
  }

  /** PostgreSQL compares text by locale; "C" makes it byte order, as in SQLite, so paging is the same on both. */
  private byteOrder(expr: ReturnType<typeof sql.ref> | ReturnType<typeof sql>) {
    return this.dialect === 'postgres' ? sql`${expr} collate "C"` : expr;
  }
}

function tagMap(rows: Array<{ key: string; value: string }>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of rows) out[r.key] = r.value;
  return out;
}

function versionOf(r: DatasetVersionsTable, tags: Record<string, string>): DatasetVersion {
  return {
    name: r.name,
    version: Number(r.version),
    digest: r.digest,
    kind: r.kind as DatasetKind,
    size: Number(r.size_bytes),
    files: Number(r.file_count),
    source: r.source,
    schema: r.schema_json === null ? null : (JSON.parse(r.schema_json) as DatasetSchema),
    profile: r.profile_json === null ? null : (JSON.parse(r.profile_json) as Record<string, unknown>),
    description: r.description,
    tags,
    createdBy: r.created_by,
    creationTime: Number(r.creation_time),
    lastUpdatedTime: Number(r.last_updated_time),
  };
}
