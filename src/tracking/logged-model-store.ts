import type { Database } from '../backends/database/database.js';
import type { LoggedModel, LoggedModelMetric, LoggedModelStatus, LifecycleStage, Tag } from './tracking-types.js';

/** Kysely queries for MLflow 3's logged models and their params, tags and metrics. */
export class LoggedModelStore {
  constructor(private readonly database: Database) {}

  private get db() {
    return this.database.db;
  }

  async insert(m: LoggedModel): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('logged_models')
        .values({
          model_id: m.modelId,
          experiment_id: Number(m.experimentId),
          name: m.name,
          artifact_location: m.artifactUri,
          creation_timestamp_ms: m.creationTimestampMs,
          last_updated_timestamp_ms: m.lastUpdatedTimestampMs,
          status: m.status,
          lifecycle_stage: m.lifecycleStage,
          model_type: m.modelType ?? null,
          source_run_id: m.sourceRunId ?? null,
          status_message: m.statusMessage ?? null,
        })
        .execute();
      if (m.params.length > 0) {
        await trx
          .insertInto('logged_model_params')
          .values(m.params.map((p) => ({ model_id: m.modelId, experiment_id: Number(m.experimentId), param_key: p.key, param_value: p.value })))
          .execute();
      }
      if (m.tags.length > 0) {
        await trx
          .insertInto('logged_model_tags')
          .values(m.tags.map((t) => ({ model_id: m.modelId, experiment_id: Number(m.experimentId), tag_key: t.key, tag_value: t.value })))
          .execute();
      }
    });
  }

  async getMany(ids: string[]): Promise<LoggedModel[]> {
    if (ids.length === 0) return [];
    const [rows, params, tags, metrics] = await Promise.all([
      this.db.selectFrom('logged_models').selectAll().where('model_id', 'in', ids).execute(),
      this.db.selectFrom('logged_model_params').selectAll().where('model_id', 'in', ids).orderBy('param_key').execute(),
      this.db.selectFrom('logged_model_tags').selectAll().where('model_id', 'in', ids).orderBy('tag_key').execute(),
      this.db.selectFrom('logged_model_metrics').selectAll().where('model_id', 'in', ids).orderBy('metric_name').orderBy('metric_step').execute(),
    ]);
    const byId = new Map<string, LoggedModel>();
    for (const r of rows) {
      byId.set(r.model_id, {
        modelId: r.model_id,
        experimentId: String(r.experiment_id),
        name: r.name,
        artifactUri: r.artifact_location,
        creationTimestampMs: Number(r.creation_timestamp_ms),
        lastUpdatedTimestampMs: Number(r.last_updated_timestamp_ms),
        status: r.status as LoggedModelStatus,
        statusMessage: r.status_message,
        modelType: r.model_type,
        sourceRunId: r.source_run_id,
        lifecycleStage: r.lifecycle_stage as LifecycleStage,
        params: [],
        tags: [],
        metrics: [],
      });
    }
    for (const p of params) byId.get(p.model_id)?.params.push({ key: p.param_key, value: p.param_value });
    for (const t of tags) byId.get(t.model_id)?.tags.push({ key: t.tag_key, value: t.tag_value });
    for (const m of metrics) {
      byId.get(m.model_id)?.metrics.push({
        key: m.metric_name,
        value: m.is_nan ? NaN : Number(m.metric_value),
        timestamp: Number(m.metric_timestamp_ms),
        step: Number(m.metric_step),
        runId: m.run_id,
        datasetName: m.dataset_name,
        datasetDigest: m.dataset_digest,
        modelId: m.model_id,
      });
    }
    return ids.map((id) => byId.get(id)).filter((m): m is LoggedModel => m !== undefined);
  }

  /** Ids of active models in the experiments, newest first. */
  async idsInExperiments(experimentIds: string[]): Promise<string[]> {
    if (experimentIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('logged_models')
      .select('model_id')
      .where('experiment_id', 'in', experimentIds.map(Number))
      .where('lifecycle_stage', '=', 'active')
      .orderBy('creation_timestamp_ms', 'desc')
      .orderBy('model_id')
      .execute();
    return rows.map((r) => r.model_id);
  }

  async setStatus(id: string, status: LoggedModelStatus, now: number): Promise<void> {
    await this.db.updateTable('logged_models').set({ status, last_updated_timestamp_ms: now }).where('model_id', '=', id).execute();
  }

  async markDeleted(id: string, now: number): Promise<void> {
    await this.db.updateTable('logged_models').set({ lifecycle_stage: 'deleted', last_updated_timestamp_ms: now }).where('model_id', '=', id).execute();
  }

  async setTags(id: string, experimentId: string, tags: Tag[]): Promise<void> {
    const last = new Map(tags.map((t) => [t.key, t.value]));
    if (last.size === 0) return;
    await this.db
      .insertInto('logged_model_tags')
      .values([...last].map(([k, v]) => ({ model_id: id, experiment_id: Number(experimentId), tag_key: k, tag_value: v })))
      .onConflict((oc) => oc.columns(['model_id', 'tag_key']).doUpdateSet((eb) => ({ tag_value: eb.ref('excluded.tag_value') })))
      .execute();
  }

  async deleteTag(id: string, key: string): Promise<number> {
    const r = await this.db.deleteFrom('logged_model_tags').where('model_id', '=', id).where('tag_key', '=', key).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** Adds params; returns keys that already hold a different value (nothing is written then). */
  async logParams(id: string, experimentId: string, params: Tag[]): Promise<string[]> {
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('logged_model_params').selectAll().where('model_id', '=', id).execute();
      const stored = new Map(existing.map((p) => [p.param_key, p.param_value]));
      const conflicts = params.filter((p) => stored.has(p.key) && stored.get(p.key) !== p.value).map((p) => p.key);
      if (conflicts.length > 0) return conflicts;
      const fresh = params.filter((p) => !stored.has(p.key));
      if (fresh.length > 0) {
        await trx
          .insertInto('logged_model_params')
          .values(fresh.map((p) => ({ model_id: id, experiment_id: Number(experimentId), param_key: p.key, param_value: p.value })))
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
      return [];
    });
  }

  /** The experiment of each existing model (deleted ones included), without loading the models. */
  async experimentIdsOf(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('logged_models').select(['model_id', 'experiment_id']).where('model_id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.model_id, String(r.experiment_id)]));
  }

  /**
   * Inserts metric points; identical points within the call are written once.
   * Points already stored are not looked up: the table has no index that
   * would make that cheap, and a training loop with an active model logs
   * every step here.
   */
  async logMetrics(metrics: Array<LoggedModelMetric & { experimentId: string }>): Promise<void> {
    if (metrics.length === 0) return;
    await this.db
      .insertInto('logged_model_metrics')
      .values(
        metrics.map((m) => ({
          model_id: m.modelId,
          metric_name: m.key,
          metric_timestamp_ms: m.timestamp,
          metric_step: m.step,
          metric_value: Number.isNaN(m.value) ? 0 : m.value,
          is_nan: Number.isNaN(m.value) ? 1 : 0,
          experiment_id: Number(m.experimentId),
          run_id: m.runId,
          dataset_uuid: null,
          dataset_name: m.datasetName ?? null,
          dataset_digest: m.datasetDigest ?? null,
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}
