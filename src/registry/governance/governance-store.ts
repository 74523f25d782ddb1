import type { Selectable } from 'kysely';
import type { Database } from '../../backends/database/database.js';
import type { CheckResult, ModelCardFields, PolicyRules, PromotionPolicy, PromotionRequest, PromotionStatus } from './governance-types.js';
import { governanceDb, type GovernanceDb, type GovernanceExecutor, type PromotionRequestsTable } from './governance-schema.js';

function toRequest(r: Selectable<PromotionRequestsTable>): PromotionRequest {
  return {
    id: Number(r.id),
    model: r.name,
    version: Number(r.version),
    alias: r.alias,
    requestedBy: r.requested_by,
    requestedAt: Number(r.requested_at),
    status: r.status as PromotionStatus,
    checks: JSON.parse(r.checks_json) as CheckResult[],
    decidedBy: r.decided_by,
    decidedAt: r.decided_at === null ? null : Number(r.decided_at),
    comment: r.comment,
  };
}

export interface RequestFilter {
  model?: string;
  alias?: string;
  version?: number;
  status?: PromotionStatus;
  limit: number;
}

/** Kysely queries for policies, promotion requests, model cards and the alias compare-and-set (SQLite and PostgreSQL alike). */
export class GovernanceStore {
  readonly db: GovernanceDb;

  constructor(database: Database) {
    this.db = governanceDb(database);
  }

  async getPolicy(ex: GovernanceExecutor, name: string, alias: string): Promise<PromotionPolicy | undefined> {
    const r = await ex.selectFrom('promotion_policies').selectAll().where('name', '=', name).where('alias', '=', alias).executeTakeFirst();
    return r && { model: r.name, alias: r.alias, rules: JSON.parse(r.policy_json) as PolicyRules, updatedAt: Number(r.updated_at), updatedBy: r.updated_by };
  }

  async listPolicies(ex: GovernanceExecutor, name: string): Promise<PromotionPolicy[]> {
    const rows = await ex.selectFrom('promotion_policies').selectAll().where('name', '=', name).orderBy('alias').execute();
    return rows.map((r) => ({ model: r.name, alias: r.alias, rules: JSON.parse(r.policy_json) as PolicyRules, updatedAt: Number(r.updated_at), updatedBy: r.updated_by }));
  }

  async putPolicy(ex: GovernanceExecutor, p: PromotionPolicy): Promise<void> {
    const row = { policy_json: JSON.stringify(p.rules), updated_at: p.updatedAt, updated_by: p.updatedBy };
    await ex
      .insertInto('promotion_policies')
      .values({ name: p.model, alias: p.alias, ...row })
      .onConflict((oc) => oc.columns(['name', 'alias']).doUpdateSet(row))
      .execute();
  }

  async deletePolicy(ex: GovernanceExecutor, name: string, alias: string): Promise<void> {
    await ex.deleteFrom('promotion_policies').where('name', '=', name).where('alias', '=', alias).execute();
  }

  /** Inserts a request and returns its id. */
  async insertRequest(ex: GovernanceExecutor, r: Omit<PromotionRequest, 'id'>): Promise<number> {
    const row = await ex
      .insertInto('promotion_requests')
      .values({
        name: r.model,
        version: r.version,
        alias: r.alias,
        requested_by: r.requestedBy,
        requested_at: r.requestedAt,
        status: r.status,
        checks_json: JSON.stringify(r.checks),
        decided_by: r.decidedBy,
        decided_at: r.decidedAt,
        comment: r.comment,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async getRequest(ex: GovernanceExecutor, id: number): Promise<PromotionRequest | undefined> {
    const r = await ex.selectFrom('promotion_requests').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toRequest(r);
  }

  /** Requests newest first. */
  async listRequests(ex: GovernanceExecutor, f: RequestFilter): Promise<PromotionRequest[]> {
    let q = ex.selectFrom('promotion_requests').selectAll();
    if (f.model !== undefined) q = q.where('name', '=', f.model);
    if (f.alias !== undefined) q = q.where('alias', '=', f.alias);
    if (f.version !== undefined) q = q.where('version', '=', f.version);
    if (f.status !== undefined) q = q.where('status', '=', f.status);
    return (await q.orderBy('id', 'desc').limit(f.limit).execute()).map(toRequest);
  }

  /**
   * Decides a request that is still `pending` (a compare-and-set on its
   * status); false when another decision got there first.
   */
  async decide(
    ex: GovernanceExecutor,
    id: number,
    d: { status: PromotionStatus; checks: CheckResult[]; decidedBy: string; decidedAt: number; comment: string | null },
  ): Promise<boolean> {
    const r = await ex
      .updateTable('promotion_requests')
      .set({ status: d.status, checks_json: JSON.stringify(d.checks), decided_by: d.decidedBy, decided_at: d.decidedAt, comment: d.comment })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * Moves `alias` to `version` only if it still points at `expected` (null:
   * only if it is unset). The conditional update (and the insert that does
   * nothing on a conflict) is the compare-and-set: of two promotions that
   * evaluated against the same holder, the second finds it changed.
   */
  async moveAlias(ex: GovernanceExecutor, name: string, alias: string, expected: number | null, version: number): Promise<boolean> {
    if (expected === null) {
      const r = await ex
        .insertInto('registered_model_aliases')
        .values({ name, alias, version })
        .onConflict((oc) => oc.columns(['name', 'alias']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    }
    const r = await ex
      .updateTable('registered_model_aliases')
      .set({ version })
      .where('name', '=', name)
      .where('alias', '=', alias)
      .where('version', '=', expected)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async getCard(ex: GovernanceExecutor, name: string, version: number): Promise<ModelCardFields | undefined> {
    const r = await ex.selectFrom('model_cards').selectAll().where('name', '=', name).where('version', '=', version).executeTakeFirst();
    return (
      r && {
        model: r.name,
        version: Number(r.version),
        intendedUse: r.intended_use,
        limitations: r.limitations,
        updatedBy: r.updated_by,
        updatedAt: Number(r.updated_at),
      }
    );
  }

  async putCard(ex: GovernanceExecutor, c: ModelCardFields & { updatedBy: string; updatedAt: number }): Promise<void> {
    const row = { intended_use: c.intendedUse, limitations: c.limitations, updated_by: c.updatedBy, updated_at: c.updatedAt };
    await ex
      .insertInto('model_cards')
      .values({ name: c.model, version: c.version, ...row })
      .onConflict((oc) => oc.columns(['name', 'version']).doUpdateSet(row))
      .execute();
  }
}
