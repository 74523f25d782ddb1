import { ConflictError, InvalidArgumentError, NotFoundError } from '../../errors.js';
import type { AuditRecord } from '../audit-log.js';
import type { ModelVersion } from '../registry-types.js';
import { isStorableVersion, parseVersion, validateAliasName, validateAliasNotReserved, validateModelName, versionNotFound } from '../registry-validation.js';
import { requireApprover, type GovernanceContext } from './governance-context.js';
import { asRegistryExecutor, type GovernanceTrx } from './governance-schema.js';
import { PROMOTION_STATUSES, type CheckResult, type GovernanceActor, type PolicyRules, type PromotionRequest, type PromotionStatus } from './governance-types.js';
import { evaluatePolicy } from './promotion-checks.js';

/** An alias without a policy: no checks, no approval; the move is still recorded as a request. */
const NO_RULES: PolicyRules = { metrics: [], signature: 'none', approval: { required: false, approvers: [] } };
const MAX_COMMENT = 10_000;
const MAX_LIST = 1000;

export interface ListPromotionsQuery {
  model?: unknown;
  alias?: unknown;
  version?: unknown;
  status?: unknown;
  maxResults?: number;
}

function comment(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new InvalidArgumentError('comment must be a string.');
  if (value.length > MAX_COMMENT) throw new InvalidArgumentError(`comment exceeds the maximum length of ${MAX_COMMENT} characters.`);
  return value;
}

function holderCheck(expected: number | null, observed: number | null, candidate: number): CheckResult {
  const message =
    observed === candidate
      ? `alias holder: version ${candidate} already holds the alias`
      : `alias holder: the alias moved to ${observed === null ? 'no version' : `version ${observed}`} while this request was judged against ${expected === null ? 'no holder' : `version ${expected}`}; request the promotion again`;
  return { check: 'alias_holder', expectedVersion: expected, observedVersion: observed, passed: false, message };
}

function failure(r: PromotionRequest): ConflictError {
  const failed = r.checks.filter((c) => !c.passed);
  return new ConflictError(
    `Promotion of '${r.model}' version ${r.version} to '${r.alias}' failed ${failed.length} of ${r.checks.length} check${r.checks.length === 1 ? '' : 's'} (request #${r.id}): ${failed.map((c) => c.message).join('; ')}`,
    { details: { request: r, failedChecks: failed } },
  );
}

/**
 * Promotion requests: judged against the alias's policy at once, then either
 * failed, pending an approver, or promoted. A promotion moves the alias in
 * the transaction that records the request's outcome and the audit rows, by
 * compare-and-set on the holder the checks were judged against, so of two
 * concurrent promotions to one alias exactly one wins and both are recorded.
 */
export class PromotionService {
  constructor(private readonly ctx: GovernanceContext) {}

  /**
   * Asks to move `alias` to the version. The outcome is recorded either way.
   * @returns the request, `promoted` or `pending`.
   * @throws ConflictError (after recording the request as `failed`) naming each failed check and its numbers;
   *   also, recording nothing, when the version already holds the alias or an identical request is pending.
   */
  async request(name: unknown, version: unknown, alias: unknown, who: GovernanceActor): Promise<PromotionRequest> {
    const n = validateModelName(name);
    const v = parseVersion(version);
    if (!isStorableVersion(v)) throw versionNotFound(n, v);
    const a = validateAliasNotReserved(validateAliasName(alias));
    const candidate = await this.ctx.registry.versions.get(n, v);
    const rules = (await this.ctx.store.getPolicy(this.ctx.store.db, n, a))?.rules ?? NO_RULES;
    const holder = await this.holderOf(n, a);
    if (holder?.version === v) throw new ConflictError(`Version ${v} of '${n}' already holds alias '${a}'.`);
    await this.refuseDuplicate(n, v, a);
    const checks = await evaluatePolicy(this.ctx.options, rules, a, candidate, holder);
    const id = await this.ctx.store.db.transaction().execute(async (trx) => {
      await this.ctx.lockModel(trx, n);
      if (!(await this.ctx.versions.getOne(asRegistryExecutor(trx), n, v))) throw versionNotFound(n, v);
      await this.refuseDuplicate(n, v, a, trx);
      const now = this.ctx.clock();
      const passed = checks.every((c) => c.passed);
      let status: PromotionStatus = !passed ? 'failed' : rules.approval.required ? 'pending' : 'promoted';
      if (status === 'promoted' && !(await this.ctx.store.moveAlias(trx, n, a, holder?.version ?? null, v))) {
        checks.push(holderCheck(holder?.version ?? null, await this.currentHolder(trx, n, a), v));
        status = 'failed';
      }
      const decided = status === 'pending' ? { decidedBy: null, decidedAt: null } : { decidedBy: who.actor, decidedAt: now };
      const request = { model: n, version: v, alias: a, requestedBy: who.actor, requestedAt: now, status, checks, comment: null, ...decided };
      const requestId = await this.ctx.store.insertRequest(trx, request);
      const audit: AuditRecord[] = [
        { actor: who.actor, entityType: 'model_version', entityName: n, entityVersion: v, action: 'request_promotion', after: { requestId, alias: a, status, checks } },
      ];
      if (status === 'promoted') audit.push(this.aliasMove(who, n, a, holder?.version ?? null, v, requestId));
      await this.ctx.registry.audit.appendMany(asRegistryExecutor(trx), audit);
      return requestId;
    });
    const recorded = await this.get(id);
    if (recorded.status === 'failed') throw failure(recorded);
    return recorded;
  }

  /**
   * Approves a pending request: checks are judged again against the version
   * holding the alias now, and if they pass the alias moves.
   * @throws PermissionDeniedError when `who` is not an approver of the alias's policy.
   * @throws ConflictError when the request is not pending, or (after recording it as `failed`) when a check now fails.
   */
  async approve(id: unknown, who: GovernanceActor, note?: unknown): Promise<PromotionRequest> {
    const c = comment(note);
    const { request, rules } = await this.pendingForDecision(id, who, 'approve');
    const candidate = await this.ctx.registry.versions.get(request.model, request.version);
    const holder = await this.holderOf(request.model, request.alias);
    const checks =
      holder?.version === request.version
        ? [holderCheck(null, holder.version, request.version)]
        : await evaluatePolicy(this.ctx.options, rules, request.alias, candidate, holder);
    await this.ctx.store.db.transaction().execute(async (trx) => {
      await this.ctx.lockModel(trx, request.model);
      let status: PromotionStatus = checks.every((x) => x.passed) ? 'promoted' : 'failed';
      if (status === 'promoted' && !(await this.ctx.store.moveAlias(trx, request.model, request.alias, holder?.version ?? null, request.version))) {
        checks.push(holderCheck(holder?.version ?? null, await this.currentHolder(trx, request.model, request.alias), request.version));
        status = 'failed';
      }
      // The status compare-and-set: a concurrent approve or reject of the same request rolls this one back.
      if (!(await this.ctx.store.decide(trx, request.id, { status, checks, decidedBy: who.actor, decidedAt: this.ctx.clock(), comment: c }))) {
        throw new ConflictError(`Promotion request #${request.id} was decided by someone else meanwhile.`);
      }
      const audit: AuditRecord[] = [
        {
          actor: who.actor,
          entityType: 'model_version',
          entityName: request.model,
          entityVersion: request.version,
          action: 'approve_promotion',
          before: { requestId: request.id, alias: request.alias, status: 'pending' },
          after: { requestId: request.id, alias: request.alias, status, comment: c, checks },
        },
      ];
      if (status === 'promoted') audit.push(this.aliasMove(who, request.model, request.alias, holder?.version ?? null, request.version, request.id));
      await this.ctx.registry.audit.appendMany(asRegistryExecutor(trx), audit);
    });
    const decided = await this.get(request.id);
    if (decided.status === 'failed') throw failure(decided);
    return decided;
  }

  /** Rejects a pending request. @throws PermissionDeniedError for a non-approver; ConflictError when it is not pending. */
  async reject(id: unknown, who: GovernanceActor, note?: unknown): Promise<PromotionRequest> {
    const c = comment(note);
    const { request } = await this.pendingForDecision(id, who, 'reject');
    await this.ctx.store.db.transaction().execute(async (trx) => {
      await this.ctx.lockModel(trx, request.model);
      if (!(await this.ctx.store.decide(trx, request.id, { status: 'rejected', checks: request.checks, decidedBy: who.actor, decidedAt: this.ctx.clock(), comment: c }))) {
        throw new ConflictError(`Promotion request #${request.id} was decided by someone else meanwhile.`);
      }
      await this.ctx.registry.audit.append(asRegistryExecutor(trx), {
        actor: who.actor,
        entityType: 'model_version',
        entityName: request.model,
        entityVersion: request.version,
        action: 'reject_promotion',
        before: { requestId: request.id, alias: request.alias, status: 'pending' },
        after: { requestId: request.id, alias: request.alias, status: 'rejected', comment: c },
      });
    });
    return this.get(request.id);
  }

  async get(id: unknown): Promise<PromotionRequest> {
    const n = typeof id === 'number' ? id : typeof id === 'string' && /^\d{1,15}$/.test(id) ? Number(id) : NaN;
    if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`A promotion request id is a positive integer, got '${String(id).slice(0, 100)}'.`);
    const r = await this.ctx.store.getRequest(this.ctx.store.db, n);
    if (!r) throw new NotFoundError(`Promotion request #${n} not found.`);
    return r;
  }

  /** Requests newest first, filtered by model, alias, version and status. */
  async list(q: ListPromotionsQuery): Promise<PromotionRequest[]> {
    const limit = q.maxResults ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST) throw new InvalidArgumentError(`max_results must be an integer from 1 to ${MAX_LIST}, got ${limit}.`);
    if (q.status !== undefined && !PROMOTION_STATUSES.includes(q.status as PromotionStatus)) {
      throw new InvalidArgumentError(`status must be one of ${PROMOTION_STATUSES.join(', ')}, got '${String(q.status).slice(0, 100)}'.`);
    }
    let version: number | undefined;
    if (q.version !== undefined) {
      version = parseVersion(q.version);
      if (!isStorableVersion(version)) return [];
    }
    return this.ctx.store.listRequests(this.ctx.store.db, {
      model: q.model === undefined ? undefined : validateModelName(q.model, 'model'),
      alias: q.alias === undefined ? undefined : validateAliasName(q.alias),
      version,
      status: q.status as PromotionStatus | undefined,
      limit,
    });
  }

  private async pendingForDecision(id: unknown, who: GovernanceActor, what: 'approve' | 'reject'): Promise<{ request: PromotionRequest; rules: PolicyRules }> {
    const request = await this.get(id);
    if (request.status !== 'pending') throw new ConflictError(`Promotion request #${request.id} is ${request.status}, not pending: there is nothing to ${what}.`);
    // A policy removed since the request falls back to no rules: then only admins may decide.
    const rules = (await this.ctx.store.getPolicy(this.ctx.store.db, request.model, request.alias))?.rules ?? NO_RULES;
    requireApprover(who, rules, `${what} promotions of '${request.model}' to '${request.alias}'`);
    return { request, rules };
  }

  private async currentHolder(ex: GovernanceTrx, name: string, alias: string): Promise<number | null> {
    return (await this.ctx.models.getAlias(asRegistryExecutor(ex), name, alias)) ?? null;
  }

  private async holderOf(name: string, alias: string): Promise<ModelVersion | undefined> {
    const version = await this.ctx.models.getAlias(asRegistryExecutor(this.ctx.store.db), name, alias);
    return version === undefined ? undefined : this.ctx.registry.versions.get(name, version);
  }

  private async refuseDuplicate(name: string, version: number, alias: string, ex: GovernanceTrx | undefined = undefined): Promise<void> {
    const [pending] = await this.ctx.store.listRequests(ex ?? this.ctx.store.db, { model: name, alias, version, status: 'pending', limit: 1 });
    if (pending) throw new ConflictError(`Promotion request #${pending.id} of '${name}' version ${version} to '${alias}' is already pending; approve or reject it.`, { details: { requestId: pending.id } });
  }

  private aliasMove(who: GovernanceActor, name: string, alias: string, before: number | null, version: number, requestId: number): AuditRecord {
    return {
      actor: who.actor,
      entityType: 'registered_model_alias',
      entityName: name,
      entityVersion: version,
      action: 'set_alias',
      before: before === null ? null : { alias, version: before },
      after: { alias, version, promotionRequestId: requestId },
    };
  }
}
