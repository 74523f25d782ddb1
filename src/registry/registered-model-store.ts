import type { Database } from '../backends/database/database.js';
import type { ModelVersionStore } from './model-version-store.js';
import type { RegisteredModel, RegisteredModelAlias, Tag } from './registry-types.js';
import { registryDb, type RegistryDb, type RegistryExecutor } from './registry-schema.js';

/** Kysely queries for registered models, their tags and aliases (SQLite and PostgreSQL alike). */
export class RegisteredModelStore {
  readonly db: RegistryDb;

  constructor(
    database: Database,
    private readonly versions: ModelVersionStore,
  ) {
    this.db = registryDb(database);
  }

  /** Inserts a model and its tags. Throws the driver's unique violation on a duplicate name. */
  async insert(ex: RegistryExecutor, m: { name: string; now: number; description: string | null; tags: Tag[] }): Promise<void> {
    await ex
      .insertInto('registered_models')
      .values({ name: m.name, creation_time: m.now, last_updated_time: m.now, description: m.description })
      .execute();
    if (m.tags.length > 0) {
      await ex
        .insertInto('registered_model_tags')
        .values(m.tags.map((t) => ({ name: m.name, key: t.key, value: t.value })))
        .execute();
    }
  }

  async exists(ex: RegistryExecutor, name: string): Promise<boolean> {
    return (await ex.selectFrom('registered_models').select('name').where('name', '=', name).executeTakeFirst()) !== undefined;
  }

  /**
   * Sets `last_updated_time`; false when there is no such model. Inside a
   * transaction this is also the model's write lock: PostgreSQL holds the
   * row lock and SQLite the database write lock until commit, so writers of
   * one model (version numbering, alias moves) take turns.
   */
  async touch(ex: RegistryExecutor, name: string, now: number): Promise<boolean> {
    const r = await ex.updateTable('registered_models').set({ last_updated_time: now }).where('name', '=', name).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /**
   * Takes the model's write lock without changing it (a no-op update, so SQLite
   * takes its write lock at once rather than upgrading a read lock later);
   * false when there is no such model.
   */
  async lock(ex: RegistryExecutor, name: string): Promise<boolean> {
    const r = await ex
      .updateTable('registered_models')
      .set((eb) => ({ last_updated_time: eb.ref('last_updated_time') }))
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Loads models with tags, aliases and latest versions, in the order of `names`; unknown names are skipped. */
  async getMany(ex: RegistryExecutor, names: string[]): Promise<RegisteredModel[]> {
    if (names.length === 0) return [];
    const [rows, tags, aliases, latest] = await Promise.all([
      ex.selectFrom('registered_models').selectAll().where('name', 'in', names).execute(),
      ex.selectFrom('registered_model_tags').selectAll().where('name', 'in', names).orderBy('key').execute(),
      ex.selectFrom('registered_model_aliases').selectAll().where('name', 'in', names).orderBy('alias').execute(),
      this.versions.latestPerStage(ex, names),
    ]);
    const byName = new Map<string, RegisteredModel>();
    for (const r of rows) {
      byName.set(r.name, {
        name: r.name,
        creationTimestamp: Number(r.creation_time),
        lastUpdatedTimestamp: Number(r.last_updated_time),
        description: r.description,
        tags: [],
        aliases: [],
        latestVersions: [],
      });
    }
    for (const t of tags) byName.get(t.name)?.tags.push({ key: t.key, value: t.value });
    for (const a of aliases) byName.get(a.name)?.aliases.push({ alias: a.alias, version: Number(a.version) });
    // MLflow leaves aliases off the versions nested in a registered model.
    for (const v of latest) byName.get(v.name)?.latestVersions.push({ ...v, aliases: [] });
    return names.map((n) => byName.get(n)).filter((m): m is RegisteredModel => m !== undefined);
  }

  async getOne(ex: RegistryExecutor, name: string): Promise<RegisteredModel | undefined> {
    return (await this.getMany(ex, [name]))[0];
  }

  /** Renames the model (false when it is gone); foreign keys carry the new name to its versions, tags and aliases. */
  async rename(ex: RegistryExecutor, name: string, newName: string, now: number): Promise<boolean> {
    const r = await ex.updateTable('registered_models').set({ name: newName, last_updated_time: now }).where('name', '=', name).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async setDescription(ex: RegistryExecutor, name: string, description: string | null, now: number): Promise<boolean> {
    const r = await ex.updateTable('registered_models').set({ description, last_updated_time: now }).where('name', '=', name).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Deletes the model; foreign keys delete its versions, tags and aliases with it. */
  async delete(ex: RegistryExecutor, name: string): Promise<void> {
    await ex.deleteFrom('registered_models').where('name', '=', name).execute();
  }

  async getTag(ex: RegistryExecutor, name: string, key: string): Promise<string | undefined> {
    const row = await ex.selectFrom('registered_model_tags').select('value').where('name', '=', name).where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async setTag(ex: RegistryExecutor, name: string, tag: Tag): Promise<void> {
    await ex
      .insertInto('registered_model_tags')
      .values({ name, key: tag.key, value: tag.value })
      .onConflict((oc) => oc.columns(['name', 'key']).doUpdateSet({ value: tag.value }))
      .execute();
  }

  async deleteTag(ex: RegistryExecutor, name: string, key: string): Promise<number> {
    const r = await ex.deleteFrom('registered_model_tags').where('name', '=', name).where('key', '=', key).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async getAlias(ex: RegistryExecutor, name: string, alias: string): Promise<number | undefined> {
    const row = await ex
      .selectFrom('registered_model_aliases')
      .select('version')
      .where('name', '=', name)
      .where('alias', '=', alias)
      .executeTakeFirst();
    return row === undefined ? undefined : Number(row.version);
  }

  async setAlias(ex: RegistryExecutor, name: string, alias: string, version: number): Promise<void> {
    await ex
      .insertInto('registered_model_aliases')
      .values({ name, alias, version })
      .onConflict((oc) => oc.columns(['name', 'alias']).doUpdateSet({ version }))
      .execute();
  }

  async deleteAlias(ex: RegistryExecutor, name: string, alias: string): Promise<number> {
    const r = await ex.deleteFrom('registered_model_aliases').where('name', '=', name).where('alias', '=', alias).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** Removes every alias pointing at `version` and returns them. */
  async deleteAliasesOf(ex: RegistryExecutor, name: string, version: number): Promise<RegisteredModelAlias[]> {
    const rows = await ex
      .selectFrom('registered_model_aliases')
      .select('alias')
      .where('name', '=', name)
      .where('version', '=', version)
      .orderBy('alias')
      .execute();
    if (rows.length > 0) {
      await ex.deleteFrom('registered_model_aliases').where('name', '=', name).where('version', '=', version).execute();
    }
    return rows.map((r) => ({ alias: r.alias, version }));
  }
}
