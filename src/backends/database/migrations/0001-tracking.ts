import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

/** Tracking tables, shaped after MLflow's so its semantics carry over one to one. */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const experiments = db.schema.createTable('experiments');
  await (dialect === 'sqlite'
    ? experiments.addColumn('experiment_id', 'integer', (c) => c.primaryKey().autoIncrement())
    : experiments.addColumn('experiment_id', 'bigserial', (c) => c.primaryKey())
  )
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('artifact_location', 'text', (c) => c.notNull())
    .addColumn('lifecycle_stage', 'text', (c) => c.notNull())
    .addColumn('creation_time', 'bigint', (c) => c.notNull())
    .addColumn('last_update_time', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('experiment_tags')
    .addColumn('experiment_id', 'bigint', (c) => c.notNull().references('experiments.experiment_id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('experiment_tags_pk', ['experiment_id', 'key'])
    .execute();

  await db.schema
    .createTable('runs')
    .addColumn('run_uuid', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('experiment_id', 'bigint', (c) => c.notNull().references('experiments.experiment_id'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('start_time', 'bigint', (c) => c.notNull())
    .addColumn('end_time', 'bigint')
    .addColumn('deleted_time', 'bigint')
    .addColumn('lifecycle_stage', 'text', (c) => c.notNull())
    .addColumn('artifact_uri', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('runs_experiment_start').on('runs').columns(['experiment_id', 'start_time']).execute();

  // Per-run rows are read by run (search pages load thousands at once): on SQLite,
  // WITHOUT ROWID keeps them clustered in primary-key order, one B-tree search each.
  const clustered = <T extends { modifyEnd(s: ReturnType<typeof sql>): T; execute(): Promise<void> }>(t: T) =>
    dialect === 'sqlite' ? t.modifyEnd(sql`without rowid`) : t;

  for (const table of ['tags', 'params']) {
    await clustered(
      db.schema
        .createTable(table)
        .addColumn('run_uuid', 'text', (c) => c.notNull().references('runs.run_uuid').onDelete('cascade'))
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint(`${table}_pk`, ['run_uuid', 'key']),
    ).execute();
    await db.schema.createIndex(`${table}_key_value`).on(table).columns(['key', 'value']).execute();
  }

  // metrics: the primary key doubles as the history index and makes re-sent
  // identical points a no-op, as MLflow's does. latest_metrics: one row per key.
  type MetricColumn = 'run_uuid' | 'key' | 'step' | 'timestamp' | 'value' | 'is_nan';
  const metricTables: Array<[string, MetricColumn[]]> = [
    ['metrics', ['run_uuid', 'key', 'step', 'timestamp', 'value', 'is_nan']],
    ['latest_metrics', ['run_uuid', 'key']],
  ];
  for (const [table, primaryKey] of metricTables) {
    await clustered(
      db.schema
        .createTable(table)
        .addColumn('run_uuid', 'text', (c) => c.notNull().references('runs.run_uuid').onDelete('cascade'))
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('step', 'bigint', (c) => c.notNull())
        .addColumn('timestamp', 'bigint', (c) => c.notNull())
        .addColumn('value', 'double precision', (c) => c.notNull())
        .addColumn('is_nan', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint(`${table}_pk`, primaryKey),
    ).execute();
  }
  await db.schema.createIndex('latest_metrics_key_value').on('latest_metrics').columns(['key', 'value']).execute();

  await db.schema
    .createTable('datasets')
    .addColumn('dataset_uuid', 'text', (c) => c.primaryKey())
    .addColumn('experiment_id', 'bigint', (c) => c.notNull().references('experiments.experiment_id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('dataset_source_type', 'text', (c) => c.notNull())
    .addColumn('dataset_source', 'text', (c) => c.notNull())
    .addColumn('dataset_schema', 'text')
    .addColumn('dataset_profile', 'text')
    .addUniqueConstraint('datasets_experiment_name_digest', ['experiment_id', 'name', 'digest'])
    .execute();

  await db.schema
    .createTable('inputs')
    .addColumn('input_uuid', 'text', (c) => c.primaryKey())
    .addColumn('source_type', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('destination_type', 'text', (c) => c.notNull())
    .addColumn('destination_id', 'text', (c) => c.notNull())
    .addUniqueConstraint('inputs_source_destination', ['source_type', 'source_id', 'destination_type', 'destination_id'])
    .execute();
  await db.schema.createIndex('inputs_destination').on('inputs').columns(['destination_type', 'destination_id']).execute();

  await db.schema
    .createTable('input_tags')
    .addColumn('input_uuid', 'text', (c) => c.notNull().references('inputs.input_uuid').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('input_tags_pk', ['input_uuid', 'name'])
    .execute();

  await db.schema
    .createTable('logged_models')
    .addColumn('model_id', 'text', (c) => c.primaryKey())
    .addColumn('experiment_id', 'bigint', (c) => c.notNull().references('experiments.experiment_id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('artifact_location', 'text', (c) => c.notNull())
    .addColumn('creation_timestamp_ms', 'bigint', (c) => c.notNull())
    .addColumn('last_updated_timestamp_ms', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('lifecycle_stage', 'text', (c) => c.notNull())
    .addColumn('model_type', 'text')
    .addColumn('source_run_id', 'text')
    .addColumn('status_message', 'text')
    .execute();
  await db.schema.createIndex('logged_models_experiment').on('logged_models').columns(['experiment_id', 'creation_timestamp_ms']).execute();
  await db.schema.createIndex('logged_models_source_run').on('logged_models').column('source_run_id').execute();

  await db.schema
    .createTable('run_model_links')
    .addColumn('run_uuid', 'text', (c) => c.notNull().references('runs.run_uuid').onDelete('cascade'))
    .addColumn('model_id', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('step', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('run_model_links_pk', ['run_uuid', 'model_id', 'direction'])
    .execute();

  await db.schema
    .createTable('logged_model_params')
    .addColumn('model_id', 'text', (c) => c.notNull().references('logged_models.model_id').onDelete('cascade'))
    .addColumn('experiment_id', 'bigint', (c) => c.notNull())
    .addColumn('param_key', 'text', (c) => c.notNull())
    .addColumn('param_value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('logged_model_params_pk', ['model_id', 'param_key'])
    .execute();

  await db.schema
    .createTable('logged_model_tags')
    .addColumn('model_id', 'text', (c) => c.notNull().references('logged_models.model_id').onDelete('cascade'))
    .addColumn('experiment_id', 'bigint', (c) => c.notNull())
    .addColumn('tag_key', 'text', (c) => c.notNull())
    .addColumn('tag_value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('logged_model_tags_pk', ['model_id', 'tag_key'])
    .execute();

  await db.schema
    .createTable('logged_model_metrics')
    .addColumn('model_id', 'text', (c) => c.notNull().references('logged_models.model_id').onDelete('cascade'))
    .addColumn('metric_name', 'text', (c) => c.notNull())
    .addColumn('metric_timestamp_ms', 'bigint', (c) => c.notNull())
    .addColumn('metric_step', 'bigint', (c) => c.notNull())
    .addColumn('metric_value', 'double precision', (c) => c.notNull())
    .addColumn('is_nan', 'integer', (c) => c.notNull())
    .addColumn('experiment_id', 'bigint', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('dataset_uuid', 'text')
    .addColumn('dataset_name', 'text')
    .addColumn('dataset_digest', 'text')
    .execute();
  // MLflow's key for a model metric: a retried point is stored once.
  await db.schema
    .createIndex('logged_model_metrics_key')
    .on('logged_model_metrics')
    .columns(['model_id', 'metric_name', 'metric_timestamp_ms', 'metric_step', 'run_id'])
    .unique()
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('token_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();
}
