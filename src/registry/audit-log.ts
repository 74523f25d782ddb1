import type { Database } from '../backends/database/database.js';
import { InvalidArgumentError } from '../errors.js';
import type { AuditEntityType, AuditEntry, Page } from './registry-types.js';
import { registryDb, type RegistryDb, type RegistryExecutor } from './registry-schema.js';

export interface AuditRecord {
  actor: string;
  entityType: AuditEntityType;
  entityName: string;
  entityVersion?: number | null;
  action: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditQuery {
  /** A registered model name: its rows, and those it had under earlier names (followed through renames). */
  model?: string;
  version?: number;
  maxResults?: number;
  /** The id of the last entry of the previous page. */
  pageToken?: string;
}

const MAX_RENAME_HOPS = 100;

/**
 * The append-only audit log of registry changes. Rows are only ever inserted,
 * inside the transaction of the change they describe; there is no update or
 * delete here, and database triggers refuse both.
 */
export class AuditLog {
  private readonly db: RegistryDb;

  constructor(
    database: Database,
    private readonly clock: () => number = Date.now,
  ) {
    this.db = registryDb(database);
  }

  /** Appends one row; call it with the transaction that makes the change. */
  async append(ex: RegistryExecutor, record: AuditRecord): Promise<void> {
    await this.appendMany(ex, [record]);
  }

  async appendMany(ex: RegistryExecutor, records: AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    const at = this.clock();
    await ex
      .insertInto('audit_log')
      .values(
        records.map((r) => ({
          at,
          actor: r.actor,
          entity_type: r.entityType,
          entity_name: r.entityName,
          entity_version: r.entityVersion ?? null,
          action: r.action,
          before_json: r.before === undefined || r.before === null ? null : JSON.stringify(r.before),
          after_json: r.after === undefined || r.after === null ? null : JSON.stringify(r.after),
        })),
      )
      .execute();
  }

  /**
   * The history oldest first. With `model`, follows renames backwards: rows
   * filed under an earlier name count up to the rename that left it.
   * @throws InvalidArgumentError for a bad page token or max_results.
   */
  async list(query: AuditQuery = {}): Promise<Page<AuditEntry>> {
    const maxResults = query.maxResults ?? 1000;
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 10_000) {
      throw new InvalidArgumentError(`max_results must be an integer from 1 to 10000, got ${maxResults}`);
    }
    const afterId = parseToken(query.pageToken);
    let q = this.db.selectFrom('audit_log').selectAll().where('id', '>', afterId);
    if (query.model !== undefined) {
      const names = await this.namesOf(query.model);
      q = q.where((eb) => eb.or(names.map((n) => eb.and([eb('entity_name', '=', n.name), eb('id', '<=', n.untilId)]))));
    }
    if (query.version !== undefined) q = q.where('entity_version', '=', query.version);
    const rows = await q.orderBy('id').limit(maxResults + 1).execute();
    const items: AuditEntry[] = rows.slice(0, maxResults).map((r) => ({
      id: Number(r.id),
      at: Number(r.at),
      actor: r.actor,
      entityType: r.entity_type as AuditEntityType,
      entityName: r.entity_name,
      entityVersion: r.entity_version === null ? null : Number(r.entity_version),
      action: r.action,
      before: r.before_json === null ? null : JSON.parse(r.before_json),
      after: r.after_json === null ? null : JSON.parse(r.after_json),
    }));
    return rows.length > maxResults ? { items, nextPageToken: String(items[items.length - 1]!.id) } : { items };
  }

  /** The model's name and each earlier name, with the last row id that belongs to it under that name. */
  private async namesOf(model: string): Promise<Array<{ name: string; untilId: number }>> {
    const out = [{ name: model, untilId: Number.MAX_SAFE_INTEGER }];
    let current = out[0]!;
    for (let hop = 0; hop < MAX_RENAME_HOPS; hop++) {
      // The rename that gave `current` its name, before the rows we already attribute to it.
      const rename = await this.db
        .selectFrom('audit_log')
        .select(['id', 'before_json'])
        .where('entity_type', '=', 'registered_model')
        .where('action', '=', 'rename')
        .where('entity_name', '=', current.name)
        .where('id', '<=', current.untilId)
        .orderBy('id', 'desc')
        .executeTakeFirst();
      const previous = rename?.before_json ? (JSON.parse(rename.before_json) as { name?: unknown }).name : undefined;
      if (!rename || typeof previous !== 'string') break;
      current = { name: previous, untilId: Number(rename.id) - 1 };
      out.push(current);
    }
    return out;
  }
}

function parseToken(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  if (!/^\d{1,15}$/.test(token)) throw new InvalidArgumentError(`Invalid page token '${token.slice(0, 100)}': pass the next_page_token of the previous page.`);
  return Number(token);
}
