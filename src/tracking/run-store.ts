import { sql, type Selectable, type Transaction } from 'kysely';
import type { Database, DialectName } from '../backends/database/database.js';
import type { DatabaseSchema, RunsTable } from '../backends/database/database-schema.js';
import { idList } from '../backends/database/id-list.js';
import { metricHistoryCache } from './metric-history-cache.js';
import { invalidateSnapshots, metricSnapshots } from './metric-snapshots.js';
import type { DatasetInput, LifecycleStage, Metric, ModelOutput, Run, RunInfo, RunStatus, Tag } from './tracking-types.js';

type Trx = Transaction<DatabaseSchema>;

/** Rows per multi-row INSERT: stays under SQLite's and Postgres' bound-parameter limits. */
const INSERT_CHUNK = 1000;

function chunks<T>(items: T[], size = INSERT_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** NaN cannot be stored by SQLite, so it travels as is_nan=1 with value 0 (as in MLflow's schema). */
export function metricRow(runId: string, m: Metric) {
  const nan = Number.isNaN(m.value);
  return { run_uuid: runId, key: m.key, value: nan ? 0 : m.value, timestamp: m.timestamp, step: m.step, is_nan: nan ? 1 : 0 };
}

/** True when `a` is later than `b` by (step, timestamp, value), MLflow's rule for the latest metric. */
function isLater(a: Metric, b: Metric): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return a.value > b.value;
}

/** Kysely queries for runs, their params, tags, metrics and inputs. */
export class RunStore {
  constructor(private readonly database: Database) {}

  private get db() {
    return this.database.db;
  }

  async insert(info: RunInfo, tags: Tag[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('runs')
        .values({
          run_uuid: info.runId,
          name: info.runName,
          experiment_id: Number(info.experimentId),
          user_id: info.userId,
          status: info.status,
          start_time: info.startTime,
          end_time: info.endTime,
          deleted_time: null,
          lifecycle_stage: info.lifecycleStage,
          artifact_uri: info.artifactUri,
        })
        .execute();
      if (tags.length > 0) await trx.insertInto('tags').values(tags.map((t) => ({ run_uuid: info.runId, key: t.key, value: t.value }))).execute();
    });
    metricHistoryCache(this.database).runCreated(info.runId);
  }

  async getInfo(runId: string): Promise<RunInfo | undefined> {
    const row = await this.db.selectFrom('runs').selectAll().where('run_uuid', '=', runId).executeTakeFirst();
    return row ? toInfo(row) : undefined;
  }

  /** Loads whole runs (latest metrics, params, tags, inputs, outputs) in the order of `runIds`. */
  async getMany(runIds: string[]): Promise<Run[]> {
    if (runIds.length === 0) return [];
    const byId = new Map<string, Run>();
    const part = idList(this.database.dialect, runIds);
    const [runs, inputs, links] = await Promise.all([
      this.runsWithData(part),
      this.db
        .selectFrom('inputs as i')
        .innerJoin('datasets as d', 'd.dataset_uuid', 'i.source_id')
        .select([
          'i.input_uuid',
          'i.destination_id',
          'd.name',
          'd.digest',
          'd.dataset_source_type',
          'd.dataset_source',
          'd.dataset_schema',
          'd.dataset_profile',
        ])
        .where('i.source_type', '=', 'DATASET')
        .where('i.destination_type', '=', 'RUN')
        .where('i.destination_id', 'in', part)
        .orderBy('i.input_uuid')
        .execute(),
      this.db.selectFrom('run_model_links').selectAll().where('run_uuid', 'in', part).orderBy('model_id').execute(),
    ]);
    for (const r of runs) {
      const metrics = JSON.parse(r.metrics_json ?? '[]') as Array<[string, number | string, number, number]>;
      const pairs = (json: string | null) => (JSON.parse(json ?? '[]') as Array<[string, string]>).map(([key, value]) => ({ key, value }));
      byId.set(r.run_uuid, {
        info: toInfo(r),
        data: {
          metrics: metrics.map(([key, value, timestamp, step]) => ({ key, value: Number(value), timestamp: Number(timestamp), step: Number(step) })),
          params: pairs(r.params_json),
          tags: pairs(r.tags_json),
        },
        inputs: { datasetInputs: [], modelInputs: [] },
        outputs: { modelOutputs: [] },
      });
    }
    const inputTags = await this.inputTags(inputs.map((i) => i.input_uuid));
    for (const i of inputs) {
      byId.get(i.destination_id)?.inputs.datasetInputs.push({
        tags: inputTags.get(i.input_uuid) ?? [],
        dataset: {
          name: i.name,
          digest: i.digest,
          sourceType: i.dataset_source_type,
          source: i.dataset_source,
          schema: i.dataset_schema,
          profile: i.dataset_profile,
        },
      });
    }
    for (const l of links) {
      const run = byId.get(l.run_uuid);
      if (!run) continue;
      if (l.direction === 'input') run.inputs.modelInputs.push({ modelId: l.model_id });
      else run.outputs.modelOutputs.push({ modelId: l.model_id, step: Number(l.step) });
    }
    return runIds.map((id) => byId.get(id)).filter((r): r is Run => r !== undefined);
  }

  /**
   * Runs with their latest metrics, params and tags folded into JSON columns by
   * the database: a page of 1000 runs is 1000 rows instead of 13,000, and
   * turning rows into objects is what such a page spends its time on.
   * Metrics are [key, value, timestamp, step]; NaN and infinities travel as strings.
   */
  private async runsWithData(ids: ReturnType<typeof idList>) {
    type Row = Selectable<RunsTable> & { metrics_json: string | null; params_json: string | null; tags_json: string | null };
    const query =
      this.database.dialect === 'sqlite'
        ? sql<Row>`
            select r.*,
              (select json_group_array(json_array(m.key,
                  case when m.is_nan then 'NaN' when m.value > 1.7976931348623157e308 then 'Infinity'
                       when m.value < -1.7976931348623157e308 then '-Infinity' else m.value end,
                  m.timestamp, m.step) order by m.key)
               from latest_metrics m where m.run_uuid = r.run_uuid) as metrics_json,
              (select json_group_array(json_array(p.key, p.value) order by p.key) from params p where p.run_uuid = r.run_uuid) as params_json,
              (select json_group_array(json_array(t.key, t.value) order by t.key) from tags t where t.run_uuid = r.run_uuid) as tags_json
            from runs r where r.run_uuid in ${ids}`
        : sql<Row>`
            select r.*,
              (select json_agg(json_build_array(m.key, case when m.is_nan = 1 then 'NaN'::float8 else m.value end, m.timestamp, m.step)
                               order by m.key collate "C")::text
               from latest_metrics m where m.run_uuid = r.run_uuid) as metrics_json,
              (select json_agg(json_build_array(p.key, p.value) order by p.key collate "C")::text from params p where p.run_uuid = r.run_uuid) as params_json,
              (select json_agg(json_build_array(t.key, t.value) order by t.key collate "C")::text from tags t where t.run_uuid = r.run_uuid) as tags_json
            from runs r where r.run_uuid in ${ids}`;
    return (await query.execute(this.db)).rows;
  }

  private async inputTags(inputIds: string[]): Promise<Map<string, Tag[]>> {
    const out = new Map<string, Tag[]>();
    if (inputIds.length === 0) return out;
    const rows = await this.db.selectFrom('input_tags').selectAll().where('input_uuid', 'in', idList(this.database.dialect, inputIds)).orderBy('name').execute();
    for (const r of rows) {
      const list = out.get(r.input_uuid) ?? [];
      list.push({ key: r.name, value: r.value });
      out.set(r.input_uuid, list);
    }
    return out;
  }

  async update(runId: string, patch: { status?: RunStatus; endTime?: number; runName?: string }): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const set: Partial<{ status: string; end_time: number; name: string }> = {};
      if (patch.status !== undefined) set.status = patch.status;
      if (patch.endTime !== undefined) set.end_time = patch.endTime;
      if (patch.runName !== undefined) set.name = patch.runName;
      if (Object.keys(set).length > 0) await trx.updateTable('runs').set(set).where('run_uuid', '=', runId).execute();
      if (patch.runName !== undefined) await upsertTags(trx, runId, [{ key: 'mlflow.runName', value: patch.runName }]);
    });
    // An ended run's histories stop changing: persist the long ones for charts read after a restart.
    if (patch.status !== undefined && patch.status !== 'RUNNING' && patch.status !== 'SCHEDULED') metricSnapshots(this.database).runEnded(runId);
  }

  /** Moves a run between stages; deleting an already deleted run keeps its first deletion time (gc ages from it). */
  async setLifecycle(runId: string, stage: LifecycleStage, now: number): Promise<void> {
    await this.db
      .updateTable('runs')
      .set({ lifecycle_stage: stage, deleted_time: stage === 'deleted' ? now : null })
      .where('run_uuid', '=', runId)
      .where('lifecycle_stage', '!=', stage)
      .execute();
  }

  async deleteTag(runId: string, key: string): Promise<number> {
    const r = await this.db.deleteFrom('tags').where('run_uuid', '=', runId).where('key', '=', key).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /**
   * Writes one log-batch atomically: params (immutable: a different value for
   * an existing key is reported, nothing is written), tags (upserted; a
   * mlflow.runName tag renames the run) and metrics (identical points are
   * stored once; the latest value per key is kept up to date).
   * @returns params whose stored value differs from the one sent, if any —
   * the whole batch is then rolled back.
   */
  async logBatch(runId: string, metrics: Metric[], params: Tag[], tags: Tag[]): Promise<{ conflicts: Array<{ key: string; old: string; new: string }> }> {
    const conflicts: Array<{ key: string; old: string; new: string }> = [];
    const abort = new Error('param conflict');
    try {
      await this.db.transaction().execute(async (trx) => {
        if (params.length > 0) {
          const inserted = await trx
            .insertInto('params')
            // Key order, as for tags: concurrent batches then wait on each other instead of deadlocking.
            .values(params.map((p) => [p.key, p.value] as [string, string]).sort(byFirst).map(([key, value]) => ({ run_uuid: runId, key, value })))
            .onConflict((oc) => oc.columns(['run_uuid', 'key']).doNothing())
            .returning('key')
            .execute();
          if (inserted.length < params.length) {
            const fresh = new Set(inserted.map((r) => r.key));
            const rest = params.filter((p) => !fresh.has(p.key));
            const existing = await trx
              .selectFrom('params')
              .select(['key', 'value'])
              .where('run_uuid', '=', runId)
              .where('key', 'in', rest.map((p) => p.key))
              .execute();
            const stored = new Map(existing.map((r) => [r.key, r.value]));
            for (const p of rest) {
              const old = stored.get(p.key);
              if (old !== undefined && old !== p.value) conflicts.push({ key: p.key, old, new: p.value });
            }
            if (conflicts.length > 0) throw abort;
          }
        }
        if (tags.length > 0) {
          await upsertTags(trx, runId, tags);
          const rename = tags.filter((t) => t.key === 'mlflow.runName').at(-1);
          if (rename) await trx.updateTable('runs').set({ name: rename.value }).where('run_uuid', '=', runId).execute();
        }
        if (metrics.length > 0) await insertMetrics(trx, this.database.dialect, [{ runId, metrics }]);
      });
    } catch (err) {
      if (err === abort) return { conflicts };
      throw err;
    }
    if (metrics.length > 0) metricHistoryCache(this.database).committed([{ runId, metrics }]);
    this.database.maintain?.();
    return { conflicts };
  }

  /**
   * One page of a metric's history (all of it when `limit` is 0) as MLflow's
   * JSON array, rendered by the database: for long histories building
   * millions of JS objects only to serialise them again costs more than the
   * query. Doubles are printed to full precision by both engines; NaN and
   * infinities become the strings proto JSON uses.
   */
  async metricHistoryJson(runId: string, key: string, limit: number, offset: number): Promise<{ json: string; more: boolean }> {
    const page = limit > 0 ? sql`limit ${limit} offset ${offset}` : sql``;
    const query =
      this.database.dialect === 'sqlite'
        ? sql<{ j: string | null }>`
            select json_group_array(json_object(
                'key', key,
                'value', case when is_nan then 'NaN' when value > 1.7976931348623157e308 then 'Infinity'
                              when value < -1.7976931348623157e308 then '-Infinity' else value end,
                'timestamp', timestamp, 'step', step) order by step, timestamp, value) as j
            from (select * from metrics where run_uuid = ${runId} and key = ${key} order by step, timestamp, value ${page})`
        : sql<{ j: string | null }>`
            select json_agg(json_build_object(
                'key', key, 'value', case when is_nan = 1 then 'NaN'::float8 else value end,
                'timestamp', timestamp, 'step', step) order by step, timestamp, value)::text as j
            from (select * from metrics where run_uuid = ${runId} and key = ${key} order by step, timestamp, value ${page}) as page`;
    const json = (await query.execute(this.db)).rows[0]?.j ?? '[]';
    if (limit === 0) return { json, more: false };
    const next = await this.db
      .selectFrom('metrics')
      .select('step')
      .where('run_uuid', '=', runId)
      .where('key', '=', key)
      .orderBy('step')
      .orderBy('timestamp')
      .orderBy('value')
      .limit(1)
      .offset(offset + limit)
      .executeTakeFirst();
    return { json, more: next !== undefined };
  }

  /** Links datasets to a run; datasets are shared per experiment by (name, digest). Idempotent. */
  async logInputs(runId: string, experimentId: string, inputs: DatasetInput[], newId: () => string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const input of inputs) {
        const d = input.dataset;
        await trx
          .insertInto('datasets')
          .values({
            dataset_uuid: newId(),
            experiment_id: Number(experimentId),
            name: d.name,
            digest: d.digest,
            dataset_source_type: d.sourceType,
            dataset_source: d.source,
            dataset_schema: d.schema ?? null,
            dataset_profile: d.profile ?? null,
          })
          .onConflict((oc) => oc.columns(['experiment_id', 'name', 'digest']).doNothing())
          .execute();
        const ds = await trx
          .selectFrom('datasets')
          .select('dataset_uuid')
          .where('experiment_id', '=', Number(experimentId))
          .where('name', '=', d.name)
          .where('digest', '=', d.digest)
          .executeTakeFirstOrThrow();
        const inputId = newId();
        const inserted = await trx
          .insertInto('inputs')
          .values({ input_uuid: inputId, source_type: 'DATASET', source_id: ds.dataset_uuid, destination_type: 'RUN', destination_id: runId })
          .onConflict((oc) => oc.columns(['source_type', 'source_id', 'destination_type', 'destination_id']).doNothing())
          .returning('input_uuid')
          .execute();
        if (inserted.length > 0 && input.tags.length > 0) {
          await trx
            .insertInto('input_tags')
            .values(input.tags.map((t) => ({ input_uuid: inputId, name: t.key, value: t.value })))
            .onConflict((oc) => oc.columns(['input_uuid', 'name']).doNothing())
            .execute();
        }
      }
    });
  }

  async linkModels(runId: string, direction: 'input' | 'output', models: ModelOutput[]): Promise<void> {
    if (models.length === 0) return;
    await this.db
      .insertInto('run_model_links')
      .values(models.map((m) => ({ run_uuid: runId, model_id: m.modelId, direction, step: m.step })))
      .onConflict((oc) => oc.columns(['run_uuid', 'model_id', 'direction']).doUpdateSet((eb) => ({ step: eb.ref('excluded.step') })))
      .execute();
  }

  /** Writes metric points of several runs in one transaction (the group commit of `MetricWriter`). */
  async writeMetricGroups(groups: MetricGroup[]): Promise<void> {
    await this.db.transaction().execute((trx) => insertMetrics(trx, this.database.dialect, groups));
    metricHistoryCache(this.database).committed(groups);
    this.database.maintain?.();
  }

  /** Deleted runs whose deletion is older than `before` (ms), for `ferry gc`. */
  async deletedRuns(before: number, experimentIds?: string[]): Promise<Array<{ runId: string; artifactUri: string }>> {
    let q = this.db
      .selectFrom('runs')
      .select(['run_uuid', 'artifact_uri'])
      .where('lifecycle_stage', '=', 'deleted')
      .where((eb) => eb.or([eb('deleted_time', '<=', before), eb('deleted_time', 'is', null)]));
    if (experimentIds && experimentIds.length > 0) q = q.where('experiment_id', 'in', experimentIds.map(Number));
    const rows = await q.execute();
    return rows.map((r) => ({ runId: r.run_uuid, artifactUri: r.artifact_uri }));
  }

  /** Removes runs and everything hanging off them. Irreversible. */
  async purge(runIds: string[]): Promise<void> {
    for (const part of chunks(runIds, 500)) {
      await this.db.transaction().execute(async (trx) => {
        for (const table of ['metrics', 'latest_metrics', 'params', 'tags', 'run_model_links'] as const) {
          await trx.deleteFrom(table).where('run_uuid', 'in', part).execute();
        }
        const inputIds = trx.selectFrom('inputs').select('input_uuid').where('destination_type', '=', 'RUN').where('destination_id', 'in', part);
        await trx.deleteFrom('input_tags').where('input_uuid', 'in', inputIds).execute();
        await trx.deleteFrom('inputs').where('destination_type', '=', 'RUN').where('destination_id', 'in', part).execute();
        await trx.deleteFrom('runs').where('run_uuid', 'in', part).execute();
      });
    }
  }
}

/** A runs row as the tracking types' RunInfo. */
export function toInfo(r: Selectable<RunsTable>): RunInfo {
  return {
    runId: r.run_uuid,
    runName: r.name,
    experimentId: String(r.experiment_id),
    userId: r.user_id,
    status: r.status as RunStatus,
    startTime: Number(r.start_time),
    endTime: r.end_time === null ? null : Number(r.end_time),
    artifactUri: r.artifact_uri,
    lifecycleStage: r.lifecycle_stage as LifecycleStage,
  };
}

/** Orders [key, …] pairs by key (code-unit order; any fixed total order prevents lock-order deadlocks). */
function byFirst(a: [string, unknown], b: [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

async function upsertTags(trx: Trx, runId: string, tags: Tag[]): Promise<void> {
  // The last value for a key wins; Postgres refuses to update one row twice in a statement.
  const last = new Map(tags.map((t) => [t.key, t.value]));
  await trx
    .insertInto('tags')
    // Rows in key order: Postgres locks them in the order given, and two batches locking the same keys in opposite orders deadlock.
    .values([...last].sort(byFirst).map(([key, value]) => ({ run_uuid: runId, key, value })))
    .onConflict((oc) => oc.columns(['run_uuid', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
    .execute();
}

/** Metric points of one run, as one unit of a (possibly grouped) write. */
export interface MetricGroup {
  runId: string;
  metrics: Metric[];
}

/**
 * Metric points travel as one JSON parameter that the database unpacks
 * (json_each / jsonb_array_elements): a short statement instead of one with
 * thousands of bound values, which costs more to build and prepare than to
 * run. Doubles round-trip exactly both ways (checked by tests). JSON has no
 * infinities, so groups holding one take the plain multi-row INSERT.
 */
async function insertMetricPoints(trx: Trx, dialect: DialectName, groups: MetricGroup[]): Promise<void> {
  const finite = groups.every((g) => g.metrics.every((m) => Number.isFinite(m.value) || Number.isNaN(m.value)));
  if (finite) {
    const rows: unknown[] = [];
    for (const g of groups) {
      for (const m of g.metrics) rows.push(Number.isNaN(m.value) ? [g.runId, m.key, m.step, m.timestamp, 0, 1] : [g.runId, m.key, m.step, m.timestamp, m.value, 0]);
    }
    const json = JSON.stringify(rows);
    const query =
      dialect === 'sqlite'
        ? sql`insert into metrics (run_uuid, key, step, timestamp, value, is_nan)
              select e.value ->> 0, e.value ->> 1, e.value ->> 2, e.value ->> 3, e.value ->> 4, e.value ->> 5
              from json_each(${json}) as e where true
              on conflict do nothing`
        : sql`insert into metrics (run_uuid, key, step, timestamp, value, is_nan)
              select e ->> 0, e ->> 1, (e ->> 2)::bigint, (e ->> 3)::bigint, (e ->> 4)::float8, (e ->> 5)::int
              from jsonb_array_elements(${json}::jsonb) as e
              on conflict do nothing`;
    await query.execute(trx);
    return;
  }
  for (const g of groups) {
    for (const part of chunks(g.metrics)) {
      await trx
        .insertInto('metrics')
        .values(part.map((m) => metricRow(g.runId, m)))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  }
}

/** Inserts the points and moves each (run, key)'s latest value forward where they are later. */
export async function insertMetrics(trx: Trx, dialect: DialectName, groups: MetricGroup[]): Promise<void> {
  await insertMetricPoints(trx, dialect, groups);
  const latest = new Map<string, { runId: string; m: Metric }>();
  for (const g of groups) {
    for (const m of g.metrics) {
      const id = `${g.runId}\u0000${m.key}`;
      const cur = latest.get(id);
      if (!cur || isLater(m, cur.m)) latest.set(id, { runId: g.runId, m });
    }
  }
  await trx
    .insertInto('latest_metrics')
    // In (run, key) order, so concurrent writers lock latest rows in one order and cannot deadlock.
    .values([...latest].sort(byFirst).map(([, { runId, m }]) => metricRow(runId, m)))
    .onConflict((oc) =>
      oc
        .columns(['run_uuid', 'key'])
        .doUpdateSet((eb) => ({
          value: eb.ref('excluded.value'),
          timestamp: eb.ref('excluded.timestamp'),
          step: eb.ref('excluded.step'),
          is_nan: eb.ref('excluded.is_nan'),
        }))
        .where(
          sql<boolean>`excluded.step > latest_metrics.step
            or (excluded.step = latest_metrics.step and excluded.timestamp > latest_metrics.timestamp)
            or (excluded.step = latest_metrics.step and excluded.timestamp = latest_metrics.timestamp and excluded.value > latest_metrics.value)`,
        ),
    )
    .execute();
  await invalidateSnapshots(trx, dialect, [...latest].sort(byFirst).map(([, { runId, m }]) => [runId, m.key]));
}
