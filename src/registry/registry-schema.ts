import type { Generated, Kysely, Transaction } from 'kysely';
import type { Database } from '../backends/database/database.js';
import type { DatabaseSchema } from '../backends/database/database-schema.js';

/** Kysely's view of the registry tables created by migration 0002-registry. */
// A type alias, not an interface: `withTables` needs an index signature.
export type RegistrySchema = {
  registered_models: { name: string; creation_time: number; last_updated_time: number; description: string | null };
  registered_model_tags: { name: string; key: string; value: string };
  registered_model_aliases: { name: string; alias: string; version: number };
  model_versions: ModelVersionsTable;
  model_version_tags: { name: string; version: number; key: string; value: string };
  audit_log: AuditLogTable;
};

export interface ModelVersionsTable {
  name: string;
  version: number;
  creation_time: number;
  last_updated_time: number;
  description: string | null;
  user_id: string | null;
  current_stage: string;
  source: string | null;
  run_id: string | null;
  run_link: string | null;
  status: string;
  status_message: string | null;
  storage_location: string | null;
  model_id: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor: string;
  entity_type: string;
  entity_name: string;
  entity_version: number | null;
  action: string;
  before_json: string | null;
  after_json: string | null;
}

export type RegistryTables = DatabaseSchema & RegistrySchema;
export type RegistryDb = Kysely<RegistryTables>;
export type RegistryTrx = Transaction<RegistryTables>;
/** Either the database or an open transaction: store methods that take part in a caller's transaction accept both. */
export type RegistryExecutor = RegistryDb | RegistryTrx;

/** The metadata database typed with the registry tables as well. */
export function registryDb(database: Database): RegistryDb {
  return database.db.withTables<RegistrySchema>() as unknown as RegistryDb;
}
