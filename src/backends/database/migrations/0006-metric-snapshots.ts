import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';

/**
 * Metric snapshots: one run's whole history of one metric as three packed
 * float64 columns, so a chart read after a restart costs one blob instead of
 * a scan of the metrics table. Derived data: a metric write deletes the
 * snapshot of every (run, key) it touches, in its own transaction.
 * A rowid table, unlike the metrics tables: its rows are megabytes of blob.
 */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('metric_snapshots')
    .addColumn('run_uuid', 'text', (c) => c.notNull().references('runs.run_uuid').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addColumn('max_step', 'bigint', (c) => c.notNull())
    .addColumn('data', dialect === 'sqlite' ? 'blob' : 'bytea', (c) => c.notNull())
    .addPrimaryKeyConstraint('metric_snapshots_pk', ['run_uuid', 'key'])
    .execute();
}
