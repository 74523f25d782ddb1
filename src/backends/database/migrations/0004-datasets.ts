import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';

/**
 * The dataset registry: named datasets with numbered versions, each version
 * one digest (the exact bytes). Named `registered_datasets` because MLflow's
 * `datasets` table (run inputs, per experiment) is already taken; the two
 * meet through a run input whose source is `datasets:/NAME/VERSION`.
 */
export async function up(db: Kysely<any>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('registered_datasets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('description', 'text')
    .addColumn('creation_time', 'bigint', (c) => c.notNull())
    .addColumn('last_updated_time', 'bigint', (c) => c.notNull())
    // The highest version number ever given: numbers are never reused after a delete, so a
    // `datasets:/NAME/3` logged by an old run can never come to mean other bytes.
    .addColumn('max_version', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('registered_dataset_tags')
    .addColumn('name', 'text', (c) => c.notNull().references('registered_datasets.name').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('registered_dataset_tags_pk', ['name', 'key'])
    .execute();

  await db.schema
    .createTable('dataset_versions')
    .addColumn('name', 'text', (c) => c.notNull().references('registered_datasets.name').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    // 'file' | 'directory'
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('file_count', 'bigint', (c) => c.notNull())
    .addColumn('source', 'text')
    .addColumn('schema_json', 'text')
    .addColumn('profile_json', 'text')
    .addColumn('description', 'text')
    .addColumn('created_by', 'text')
    .addColumn('creation_time', 'bigint', (c) => c.notNull())
    .addColumn('last_updated_time', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('dataset_versions_pk', ['name', 'version'])
    // One version per digest of a dataset: registering the same bytes again finds it.
    .addUniqueConstraint('dataset_versions_name_digest', ['name', 'digest'])
    .execute();
  await db.schema.createIndex('dataset_versions_digest').on('dataset_versions').column('digest').execute();

  await db.schema
    .createTable('dataset_version_tags')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('dataset_version_tags_pk', ['name', 'version', 'key'])
    .addForeignKeyConstraint('dataset_version_tags_fk', ['name', 'version'], 'dataset_versions', ['name', 'version'], (fk) => fk.onDelete('cascade'))
    .execute();
}
