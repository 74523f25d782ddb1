import type { Database } from '../backends/database/database.js';
import type { Experiment, LifecycleStage, Tag } from './tracking-types.js';

/** Kysely queries for experiments and their tags (SQLite and Postgres alike). */
export class ExperimentStore {
  constructor(private readonly database: Database) {}

  private get db() {
    return this.database.db;
  }

  /** Inserts an experiment and returns its id. Throws the driver's unique-violation error on a duplicate name. */
  async insert(e: { name: string; artifactLocation: string | null; now: number; tags: Tag[]; id?: number }): Promise<string> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('experiments')
        .values({
          ...(e.id !== undefined ? { experiment_id: e.id } : {}),
          name: e.name,
          artifact_location: e.artifactLocation ?? '',
          lifecycle_stage: 'active',
          creation_time: e.now,
          last_update_time: e.now,
        })
        .returning('experiment_id')
        .executeTakeFirstOrThrow();
      const id = Number(row.experiment_id);
      if (e.tags.length > 0) {
        await trx
          .insertInto('experiment_tags')
          .values(e.tags.map((t) => ({ experiment_id: id, key: t.key, value: t.value })))
          .execute();
      }
      return String(id);
    });
  }

  async setArtifactLocation(id: string, location: string): Promise<void> {
    await this.db.updateTable('experiments').set({ artifact_location: location }).where('experiment_id', '=', Number(id)).execute();
  }

  async getById(id: string): Promise<Experiment | undefined> {
    return (await this.getMany([id]))[0];
  }

  async getByName(name: string): Promise<Experiment | undefined> {
    const row = await this.db.selectFrom('experiments').select('experiment_id').where('name', '=', name).executeTakeFirst();
    return row ? this.getById(String(row.experiment_id)) : undefined;
  }

  /** Loads experiments with their tags, in the order of `ids`; unknown ids are skipped. */
  async getMany(ids: string[]): Promise<Experiment[]> {
    const numeric = ids.map(Number).filter((n) => Number.isSafeInteger(n));
    if (numeric.length === 0) return [];
    const [rows, tags] = await Promise.all([
      this.db.selectFrom('experiments').selectAll().where('experiment_id', 'in', numeric).execute(),
      this.db.selectFrom('experiment_tags').selectAll().where('experiment_id', 'in', numeric).orderBy('key').execute(),
    ]);
    const byId = new Map<string, Experiment>();
    for (const r of rows) {
      byId.set(String(r.experiment_id), {
        experimentId: String(r.experiment_id),
        name: r.name,
        artifactLocation: r.artifact_location,
        lifecycleStage: r.lifecycle_stage as LifecycleStage,
        creationTime: Number(r.creation_time),
        lastUpdateTime: Number(r.last_update_time),
        tags: [],
      });
    }
    for (const t of tags) byId.get(String(t.experiment_id))?.tags.push({ key: t.key, value: t.value });
    return ids.map((id) => byId.get(String(Number(id)))).filter((e): e is Experiment => e !== undefined);
  }

  async rename(id: string, name: string, now: number): Promise<void> {
    await this.db.updateTable('experiments').set({ name, last_update_time: now }).where('experiment_id', '=', Number(id)).execute();
  }

  /** Moves the experiment and all its runs to `stage` in one transaction. */
  async setLifecycle(id: string, stage: LifecycleStage, now: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('experiments')
        .set({ lifecycle_stage: stage, last_update_time: now })
        .where('experiment_id', '=', Number(id))
        .execute();
      await trx
        .updateTable('runs')
        .set({ lifecycle_stage: stage, deleted_time: stage === 'deleted' ? now : null })
        .where('experiment_id', '=', Number(id))
        .execute();
    });
  }

  async setTag(id: string, tag: Tag): Promise<void> {
    await this.db
      .insertInto('experiment_tags')
      .values({ experiment_id: Number(id), key: tag.key, value: tag.value })
      .onConflict((oc) => oc.columns(['experiment_id', 'key']).doUpdateSet({ value: tag.value }))
      .execute();
  }

  async deleteTag(id: string, key: string): Promise<number> {
    const r = await this.db.deleteFrom('experiment_tags').where('experiment_id', '=', Number(id)).where('key', '=', key).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async touch(id: string, now: number): Promise<void> {
    await this.db.updateTable('experiments').set({ last_update_time: now }).where('experiment_id', '=', Number(id)).execute();
  }
}
