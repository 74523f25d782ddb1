import type { Generated, Kysely, Transaction } from 'kysely';
import type { Database } from '../../backends/database/database.js';
import type { RegistryExecutor, RegistryTables } from '../registry-schema.js';

/** Kysely's view of the tables created by migration 0003-governance. */
// A type alias, not an interface: `withTables` needs an index signature.
export type GovernanceSchema = {
  promotion_policies: { name: string; alias: string; policy_json: string; updated_at: number; updated_by: string };
  promotion_requests: PromotionRequestsTable;
  model_cards: ModelCardsTable;
};

export interface PromotionRequestsTable {
  id: Generated<number>;
  name: string;
  version: number;
  alias: string;
  requested_by: string;
  requested_at: number;
  status: string;
  checks_json: string;
  decided_by: string | null;
  decided_at: number | null;
  comment: string | null;
}

export interface ModelCardsTable {
  name: string;
  version: number;
  intended_use: string | null;
  limitations: string | null;
  updated_by: string;
  updated_at: number;
}

export type GovernanceTables = RegistryTables & GovernanceSchema;
export type GovernanceDb = Kysely<GovernanceTables>;
export type GovernanceTrx = Transaction<GovernanceTables>;
export type GovernanceExecutor = GovernanceDb | GovernanceTrx;

/** The metadata database typed with the registry and governance tables. */
export function governanceDb(database: Database): GovernanceDb {
  return database.db.withTables<GovernanceSchema>() as unknown as GovernanceDb;
}

/** The same transaction, typed for the registry's stores (their tables are a subset of ours). */
export function asRegistryExecutor(ex: GovernanceExecutor): RegistryExecutor {
  return ex as unknown as RegistryExecutor;
}
