import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';

/**
 * Promotion governance: a policy per registered model and alias, promotion
 * requests with the checks they were judged by, and the owner-written fields
 * of each version's model card.
 */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  // ON UPDATE CASCADE follows a model rename; ON DELETE CASCADE goes with the model (the audit log keeps the history).
  await db.schema
    .createTable('promotion_policies')
    .addColumn('name', 'text', (c) => c.notNull().references('registered_models.name').onDelete('cascade').onUpdate('cascade'))
    .addColumn('alias', 'text', (c) => c.notNull())
    .addColumn('policy_json', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('promotion_policies_pk', ['name', 'alias'])
    .execute();

  const requests = db.schema.createTable('promotion_requests');
  await (dialect === 'sqlite'
    ? requests.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    : requests.addColumn('id', 'bigserial', (c) => c.primaryKey())
  )
    .addColumn('name', 'text', (c) => c.notNull().references('registered_models.name').onDelete('cascade').onUpdate('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('alias', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'bigint', (c) => c.notNull())
    // pending | approved | rejected | failed | promoted
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('checks_json', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'bigint')
    .addColumn('comment', 'text')
    .execute();
  await db.schema.createIndex('promotion_requests_model').on('promotion_requests').columns(['name', 'alias', 'status']).execute();

  await db.schema
    .createTable('model_cards')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('intended_use', 'text')
    .addColumn('limitations', 'text')
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('model_cards_pk', ['name', 'version'])
    .addForeignKeyConstraint('model_cards_fk', ['name', 'version'], 'model_versions', ['name', 'version'], (fk) => fk.onDelete('cascade').onUpdate('cascade'))
    .execute();
}
