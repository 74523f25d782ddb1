import type { Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../backends/database/database.js';
import type { AuditLog } from '../registry/audit-log.js';
import type { RegistryExecutor } from '../registry/registry-schema.js';
import type { Deployment, DeploymentEvent, DeploymentSpec, DeploymentStatus, TransitionKind } from './deployment-types.js';

/** Kysely's view of the tables created by migration 0005-deployments. */
// A type alias, not an interface: `withTables` needs an index signature.
export type DeploymentSchema = {
  deployments: DeploymentsTable;
  deployment_events: DeploymentEventsTable;
};

export interface DeploymentsTable {
  name: string;
  description: string | null;
  spec_json: string;
  status_json: string;
  generation: number;
  created_at: number;
  created_by: string;
  updated_at: number;
  updated_by: string;
}

export interface DeploymentEventsTable {
  id: Generated<number>;
  deployment: string;
  at: number;
  actor: string;
  kind: string;
  message: string;
  data_json: string;
}

type Db = Kysely<DeploymentSchema>;
type Executor = Db | Transaction<DeploymentSchema>;

/** A transition to record: the event without its id. */
export type NewEvent = Omit<DeploymentEvent, 'id'>;

function toDeployment(r: Selectable<DeploymentsTable>): Deployment {
  return {
    name: r.name,
    ...(r.description === null ? {} : { description: r.description }),
    spec: JSON.parse(r.spec_json) as DeploymentSpec,
    status: JSON.parse(r.status_json) as DeploymentStatus,
    generation: Number(r.generation),
    createdAt: Number(r.created_at),
    createdBy: r.created_by,
    updatedAt: Number(r.updated_at),
    updatedBy: r.updated_by,
  };
}

function toEvent(r: Selectable<DeploymentEventsTable>): DeploymentEvent {
  return {
    id: Number(r.id),
    deployment: r.deployment,
    at: Number(r.at),
    actor: r.actor,
    kind: r.kind as TransitionKind,
    message: r.message,
    data: JSON.parse(r.data_json) as Record<string, unknown>,
  };
}

/**
 * Kysely queries for deployments and their transition history (SQLite and
 * PostgreSQL alike). Each write stores the deployment and its events in one
 * transaction, and copies each event to the registry's audit log when one is given.
 */
export class DeploymentStore {
  private readonly db: Db;

  constructor(
    database: Database,
    private readonly audit?: AuditLog,
  ) {
    this.db = database.db.withTables<DeploymentSchema>() as unknown as Db;
  }

  async list(): Promise<Deployment[]> {
    return (await this.db.selectFrom('deployments').selectAll().orderBy('name').execute()).map(toDeployment);
  }

  async get(name: string): Promise<Deployment | undefined> {
    const r = await this.db.selectFrom('deployments').selectAll().where('name', '=', name).executeTakeFirst();
    return r && toDeployment(r);
  }

  /** Inserts or replaces the whole row, and appends `events`. Returns the events with their ids. */
  async save(d: Deployment, events: NewEvent[] = []): Promise<DeploymentEvent[]> {
    const row = {
      description: d.description ?? null,
      spec_json: JSON.stringify(d.spec),
      status_json: JSON.stringify(d.status),
      generation: d.generation,
      created_at: d.createdAt,
      created_by: d.createdBy,
      updated_at: d.updatedAt,
      updated_by: d.updatedBy,
    };
    return this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('deployments')
        .values({ name: d.name, ...row })
        .onConflict((oc) => oc.column('name').doUpdateSet(row))
        .execute();
      return this.append(trx, events);
    });
  }

  /** Deletes the deployment (its history stays) and appends `events`. */
  async delete(name: string, events: NewEvent[] = []): Promise<DeploymentEvent[]> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('deployments').where('name', '=', name).execute();
      return this.append(trx, events);
    });
  }

  /** A deployment's transitions, oldest first, after event `afterId`. */
  async events(name: string, options: { afterId?: number; limit?: number } = {}): Promise<DeploymentEvent[]> {
    const rows = await this.db
      .selectFrom('deployment_events')
      .selectAll()
      .where('deployment', '=', name)
      .where('id', '>', options.afterId ?? 0)
      .orderBy('id')
      .limit(options.limit ?? 1000)
      .execute();
    return rows.map(toEvent);
  }

  private async append(trx: Transaction<DeploymentSchema>, events: NewEvent[]): Promise<DeploymentEvent[]> {
    const out: DeploymentEvent[] = [];
    for (const e of events) {
      const { id } = await trx
        .insertInto('deployment_events')
        .values({ deployment: e.deployment, at: e.at, actor: e.actor, kind: e.kind, message: e.message, data_json: JSON.stringify(e.data) })
        .returning('id')
        .executeTakeFirstOrThrow();
      out.push({ ...e, id: Number(id) });
    }
    if (this.audit && events.length > 0) {
      await this.audit.appendMany(
        trx as unknown as RegistryExecutor,
        events.map((e) => ({
          actor: e.actor,
          // The audit log's reader types only registry entities; deployment rows share the table and its append-only guarantee.
          entityType: 'deployment',
          // Prefixed so a deployment's rows do not mix into the audit history of a model with the same name.
          entityName: `deployments/${e.deployment}`,
          action: `deployment_${e.kind}`,
          after: { message: e.message, ...e.data },
        })),
      );
    }
    return out;
  }
}

export type { Executor as DeploymentExecutor };
