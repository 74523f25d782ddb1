import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';

/**
 * Deployments: one row per named endpoint with its spec and live status
 * (JSON), and the history of its transitions with the numbers behind each.
 */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('deployments')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('description', 'text')
    .addColumn('spec_json', 'text', (c) => c.notNull())
    .addColumn('status_json', 'text', (c) => c.notNull())
    .addColumn('generation', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();

  // No foreign key: a deployment's history outlives the deployment.
  const events = db.schema.createTable('deployment_events');
  await (dialect === 'sqlite'
    ? events.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    : events.addColumn('id', 'bigserial', (c) => c.primaryKey())
  )
    .addColumn('deployment', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('data_json', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('deployment_events_deployment').on('deployment_events').columns(['deployment', 'id']).execute();
}
