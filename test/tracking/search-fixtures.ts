/**
 * Factories for search tests: `build*` return rows, `insert*` write them
 * (with a run's metrics, params, tags and dataset inputs) straight through Kysely.
 */
import { randomUUID } from 'node:crypto';
import type { Insertable } from 'kysely';
import type { ExperimentsTable, RunsTable } from '../../src/backends/database/database-schema.js';
import type { Database } from '../../src/backends/database/database.js';

let sequence = 0;

export function buildExperiment(overrides: Partial<Insertable<ExperimentsTable>> = {}): Insertable<ExperimentsTable> {
  sequence++;
  return {
    name: `experiment-${sequence}-${randomUUID().slice(0, 8)}`,
    artifact_location: `file:///tmp/ferry/${sequence}`,
    lifecycle_stage: 'active',
    creation_time: 1_000,
    last_update_time: 1_000,
    ...overrides,
  };
}

export function buildRun(overrides: Partial<RunsTable> & { experiment_id: number }): RunsTable {
  const runId = overrides.run_uuid ?? randomUUID().replaceAll('-', '');
  return {
    run_uuid: runId,
    name: `run-${runId.slice(0, 6)}`,
    user_id: 'tester',
    status: 'FINISHED',
    start_time: 1_000,
    end_time: null,
    deleted_time: null,
    lifecycle_stage: 'active',
    artifact_uri: `file:///tmp/ferry/${overrides.experiment_id}/${runId}/artifacts`,
    ...overrides,
  };
}

export interface DatasetInputFixture {
  name: string;
  digest?: string;
  /** Written as the `mlflow.data.context` input tag. */
  context?: string;
}

export interface RunFixture extends Partial<RunsTable> {
  experiment_id: number;
  /** Latest metric values; NaN is stored as MLflow does (is_nan = 1, value = 0). */
  metrics?: Record<string, number>;
  params?: Record<string, string>;
  tags?: Record<string, string>;
  datasets?: DatasetInputFixture[];
}

/** Inserts an experiment (and its tags) and returns its id. */
export async function insertExperiment(
  database: Database,
  overrides: Partial<Insertable<ExperimentsTable>> & { tags?: Record<string, string> } = {},
): Promise<number> {
  const { tags = {}, ...row } = overrides;
  const { experiment_id } = await database.db
    .insertInto('experiments')
    .values(buildExperiment(row))
    .returning('experiment_id')
    .executeTakeFirstOrThrow();
  const id = Number(experiment_id);
  for (const [key, value] of Object.entries(tags)) {
    await database.db.insertInto('experiment_tags').values({ experiment_id: id, key, value }).execute();
  }
  return id;
}

/** Inserts a run with its latest metrics, params, tags and dataset inputs; returns its id. */
export async function insertRun(database: Database, fixture: RunFixture): Promise<string> {
  const { metrics = {}, params = {}, tags = {}, datasets = [], ...row } = fixture;
  const run = buildRun(row);
  const { db } = database;
  await db.insertInto('runs').values(run).execute();
  for (const [key, value] of Object.entries(metrics)) {
    const isNan = Number.isNaN(value);
    const point = { run_uuid: run.run_uuid, key, value: isNan ? 0 : value, timestamp: run.start_time, step: 0, is_nan: isNan ? 1 : 0 };
    await db.insertInto('metrics').values(point).execute();
    await db.insertInto('latest_metrics').values(point).execute();
  }
  for (const [key, value] of Object.entries(params)) await db.insertInto('params').values({ run_uuid: run.run_uuid, key, value }).execute();
  for (const [key, value] of Object.entries(tags)) await db.insertInto('tags').values({ run_uuid: run.run_uuid, key, value }).execute();
  for (const input of datasets) {
    const digest = input.digest ?? 'digest';
    const existing = await db
      .selectFrom('datasets')
      .select('dataset_uuid')
      .where('experiment_id', '=', run.experiment_id)
      .where('name', '=', input.name)
      .where('digest', '=', digest)
      .executeTakeFirst();
    const datasetUuid = existing?.dataset_uuid ?? randomUUID().replaceAll('-', '');
    if (!existing) {
      await db
        .insertInto('datasets')
        .values({
          dataset_uuid: datasetUuid,
          experiment_id: run.experiment_id,
          name: input.name,
          digest,
          dataset_source_type: 'local',
          dataset_source: '{}',
          dataset_schema: null,
          dataset_profile: null,
        })
        .execute();
    }
    const inputUuid = randomUUID().replaceAll('-', '');
    await db
      .insertInto('inputs')
      .values({ input_uuid: inputUuid, source_type: 'DATASET', source_id: datasetUuid, destination_type: 'RUN', destination_id: run.run_uuid })
      .execute();
    if (input.context !== undefined) {
      await db.insertInto('input_tags').values({ input_uuid: inputUuid, name: 'mlflow.data.context', value: input.context }).execute();
    }
  }
  return run.run_uuid;
}
