import type { Selectable } from 'kysely';
import type { Database } from '../backends/database/database.js';
import { DELETED_STAGE, type ModelVersion, type ModelVersionStatus, type Tag } from './registry-types.js';
import { registryDb, type ModelVersionsTable, type RegistryDb, type RegistryExecutor } from './registry-schema.js';

export interface VersionKey {
  name: string;
  version: number;
}

function toVersion(r: Selectable<ModelVersionsTable>): ModelVersion {
  return {
    name: r.name,
    version: Number(r.version),
    creationTimestamp: Number(r.creation_time),
    lastUpdatedTimestamp: Number(r.last_updated_time),
    description: r.description,
    userId: r.user_id,
    currentStage: r.current_stage,
    source: r.source,
    runId: r.run_id,
    runLink: r.run_link,
    status: r.status as ModelVersionStatus,
    statusMessage: r.status_message,
    storageLocation: r.storage_location,
    modelId: r.model_id,
    tags: [],
    aliases: [],
  };
}

const keyOf = (name: string, version: number) => `${name}\u0000${version}`;

/** Kysely queries for model versions and their tags (SQLite and PostgreSQL alike). */
export class ModelVersionStore {
  readonly db: RegistryDb;

  constructor(database: Database) {
    this.db = registryDb(database);
  }

  /** The highest version number the model ever had, deleted versions included (0 for none). */
  async maxVersion(ex: RegistryExecutor, name: string): Promise<number> {
    const row = await ex
      .selectFrom('model_versions')
      .select((eb) => eb.fn.max('version').as('max'))
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(row?.max ?? 0);
  }

  /** Inserts a version and its tags. Throws the driver's unique violation if the number is taken. */
  async insert(ex: RegistryExecutor, mv: ModelVersion): Promise<void> {
    await ex
      .insertInto('model_versions')
      .values({
        name: mv.name,
        version: mv.version,
        creation_time: mv.creationTimestamp,
        last_updated_time: mv.lastUpdatedTimestamp,
        description: mv.description,
        user_id: mv.userId,
        current_stage: mv.currentStage,
        source: mv.source,
        run_id: mv.runId,
        run_link: mv.runLink,
        status: mv.status,
        status_message: mv.statusMessage,
        storage_location: mv.storageLocation,
        model_id: mv.modelId,
      })
      .execute();
    if (mv.tags.length > 0) {
      await ex
        .insertInto('model_version_tags')
        .values(mv.tags.map((t) => ({ name: mv.name, version: mv.version, key: t.key, value: t.value })))
        .execute();
    }
  }

  /**
   * Loads versions with their tags and aliases, in the order of `keys`.
   * Unknown and (unless `includeDeleted`) deleted versions are skipped.
   */
  async getMany(ex: RegistryExecutor, keys: VersionKey[], includeDeleted = false): Promise<ModelVersion[]> {
    if (keys.length === 0) return [];
    const names = [...new Set(keys.map((k) => k.name))];
    const versions = [...new Set(keys.map((k) => k.version))];
    let rowsQuery = ex.selectFrom('model_versions').selectAll().where('name', 'in', names).where('version', 'in', versions);
    if (!includeDeleted) rowsQuery = rowsQuery.where('current_stage', '<>', DELETED_STAGE);
    const [rows, tags, aliases] = await Promise.all([
      rowsQuery.execute(),
      ex.selectFrom('model_version_tags').selectAll().where('name', 'in', names).where('version', 'in', versions).orderBy('key').execute(),
      ex.selectFrom('registered_model_aliases').selectAll().where('name', 'in', names).orderBy('alias').execute(),
    ]);
    const byKey = new Map<string, ModelVersion>();
    for (const r of rows) byKey.set(keyOf(r.name, Number(r.version)), toVersion(r));
    for (const t of tags) byKey.get(keyOf(t.name, Number(t.version)))?.tags.push({ key: t.key, value: t.value });
    for (const a of aliases) byKey.get(keyOf(a.name, Number(a.version)))?.aliases.push(a.alias);
    return keys.map((k) => byKey.get(keyOf(k.name, k.version))).filter((v): v is ModelVersion => v !== undefined);
  }

  async getOne(ex: RegistryExecutor, name: string, version: number): Promise<ModelVersion | undefined> {
    return (await this.getMany(ex, [{ name, version }]))[0];
  }

  /** The newest version in each stage of each model, ordered by name then version. */
  async latestPerStage(ex: RegistryExecutor, names: string[]): Promise<ModelVersion[]> {
    if (names.length === 0) return [];
    const rows = await ex
      .selectFrom('model_versions')
      .select(['name', 'current_stage'])
      .select((eb) => eb.fn.max('version').as('version'))
      .where('name', 'in', names)
      .where('current_stage', '<>', DELETED_STAGE)
      .groupBy(['name', 'current_stage'])
      .execute();
    const keys = rows
      .map((r) => ({ name: r.name, version: Number(r.version) }))
      .sort((a, b) => (a.name === b.name ? a.version - b.version : a.name < b.name ? -1 : 1));
    return this.getMany(ex, keys);
  }

  /** Versions of a model in `stage`, other than `except`. */
  async inStage(ex: RegistryExecutor, name: string, stage: string, except: number): Promise<number[]> {
    const rows = await ex
      .selectFrom('model_versions')
      .select('version')
      .where('name', '=', name)
      .where('current_stage', '=', stage)
      .where('version', '<>', except)
      .orderBy('version')
      .execute();
    return rows.map((r) => Number(r.version));
  }

  async update(
    ex: RegistryExecutor,
    key: VersionKey,
    set: Partial<Pick<Selectable<ModelVersionsTable>, 'description' | 'current_stage' | 'last_updated_time'>>,
  ): Promise<void> {
    await ex.updateTable('model_versions').set(set).where('name', '=', key.name).where('version', '=', key.version).execute();
  }

  /**
   * MLflow's delete: the row stays (so the number is never reused) with stage
   * Deleted_Internal and its user-facing fields redacted.
   */
  async softDelete(ex: RegistryExecutor, key: VersionKey, now: number): Promise<void> {
    await ex
      .updateTable('model_versions')
      .set({
        current_stage: DELETED_STAGE,
        last_updated_time: now,
        description: null,
        user_id: null,
        source: 'REDACTED-SOURCE-PATH',
        run_id: 'REDACTED-RUN-ID',
        run_link: 'REDACTED-RUN-LINK',
        status_message: null,
        storage_location: null,
      })
      .where('name', '=', key.name)
      .where('version', '=', key.version)
      .execute();
  }

  /** Sets `last_updated_time` on every version of a model (a rename touches them all, as in MLflow). */
  async touchAll(ex: RegistryExecutor, name: string, now: number): Promise<void> {
    await ex.updateTable('model_versions').set({ last_updated_time: now }).where('name', '=', name).execute();
  }

  async getTag(ex: RegistryExecutor, key: VersionKey, tagKey: string): Promise<string | undefined> {
    const row = await ex
      .selectFrom('model_version_tags')
      .select('value')
      .where('name', '=', key.name)
      .where('version', '=', key.version)
      .where('key', '=', tagKey)
      .executeTakeFirst();
    return row?.value;
  }

  async setTag(ex: RegistryExecutor, key: VersionKey, tag: Tag): Promise<void> {
    await ex
      .insertInto('model_version_tags')
      .values({ name: key.name, version: key.version, key: tag.key, value: tag.value })
      .onConflict((oc) => oc.columns(['name', 'version', 'key']).doUpdateSet({ value: tag.value }))
      .execute();
  }

  async deleteTag(ex: RegistryExecutor, key: VersionKey, tagKey: string): Promise<number> {
    const r = await ex
      .deleteFrom('model_version_tags')
      .where('name', '=', key.name)
      .where('version', '=', key.version)
      .where('key', '=', tagKey)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
