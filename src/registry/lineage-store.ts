import type { Database, DialectName } from '../backends/database/database.js';
import { idList } from '../backends/database/id-list.js';
import type { VersionKey } from './model-version-store.js';
import { registryDb, type RegistryDb } from './registry-schema.js';
import { DELETED_STAGE } from './registry-types.js';

export interface DatasetRow {
  datasetUuid: string;
  experimentId: string;
  name: string;
  digest: string;
  sourceType: string;
  source: string;
  profile: string | null;
}

export interface LoggedModelRow {
  modelId: string;
  experimentId: string;
  name: string;
  artifactUri: string;
  status: string;
  modelType: string | null;
  sourceRunId: string | null;
  creationTimestampMs: number;
  lifecycleStage: string;
}

export interface ExperimentRow {
  experimentId: string;
  name: string;
  lifecycleStage: string;
}

/** The read-only batch queries lineage needs across tracking and registry tables (SQLite and PostgreSQL alike). */
export class LineageStore {
  private readonly db: RegistryDb;
  private readonly dialect: DialectName;

  constructor(database: Database) {
    this.db = registryDb(database);
    this.dialect = database.dialect;
  }

  /** Every experiment's copy of dataset `name` (one digest, or all of them), ordered by digest. */
  async datasets(name: string, digest?: string): Promise<DatasetRow[]> {
    let q = this.db.selectFrom('datasets').selectAll().where('name', '=', name);
    if (digest !== undefined) q = q.where('digest', '=', digest);
    const rows = await q.orderBy('digest').orderBy('experiment_id').execute();
    return rows.map((r) => ({
      datasetUuid: r.dataset_uuid,
      experimentId: String(r.experiment_id),
      name: r.name,
      digest: r.digest,
      sourceType: r.dataset_source_type,
      source: r.dataset_source,
      profile: r.dataset_profile,
    }));
  }

  /** The runs that took any of the datasets as an input, oldest input first, at most `limit`. */
  async runsUsing(datasetUuids: string[], limit: number): Promise<string[]> {
    if (datasetUuids.length === 0) return [];
    const rows = await this.db
      .selectFrom('inputs as i')
      .innerJoin('runs as r', 'r.run_uuid', 'i.destination_id')
      .select('r.run_uuid')
      .distinct()
      .where('i.source_type', '=', 'DATASET')
      .where('i.destination_type', '=', 'RUN')
      .where('i.source_id', 'in', idList(this.dialect, datasetUuids))
      .orderBy('r.run_uuid')
      .limit(limit)
      .execute();
    return rows.map((r) => r.run_uuid);
  }

  /** The live (not deleted) model versions registered from any of the runs, at most `limit`. */
  async versionsFromRuns(runIds: string[], limit: number): Promise<VersionKey[]> {
    if (runIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('model_versions')
      .select(['name', 'version'])
      .where('run_id', 'in', idList(this.dialect, runIds))
      .where('current_stage', '<>', DELETED_STAGE)
      .orderBy('name')
      .orderBy('version')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ name: r.name, version: Number(r.version) }));
  }

  /** Runs whose `mlflow.parentRunId` tag names `runId`, at most `limit`. */
  async childRuns(runId: string, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('tags')
      .select('run_uuid')
      .where('key', '=', 'mlflow.parentRunId')
      .where('value', '=', runId)
      .orderBy('run_uuid')
      .limit(limit)
      .execute();
    return rows.map((r) => r.run_uuid);
  }

  /** Logged models by id and those whose source run is one of `sourceRunIds`. */
  async loggedModels(modelIds: string[], sourceRunIds: string[] = []): Promise<LoggedModelRow[]> {
    if (modelIds.length === 0 && sourceRunIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('logged_models')
      .selectAll()
      .where((eb) =>
        eb.or([
          ...(modelIds.length > 0 ? [eb('model_id', 'in', idList(this.dialect, modelIds))] : []),
          ...(sourceRunIds.length > 0 ? [eb('source_run_id', 'in', idList(this.dialect, sourceRunIds))] : []),
        ]),
      )
      .orderBy('creation_timestamp_ms')
      .orderBy('model_id')
      .execute();
    return rows.map((r) => ({
      modelId: r.model_id,
      experimentId: String(r.experiment_id),
      name: r.name,
      artifactUri: r.artifact_location,
      status: r.status,
      modelType: r.model_type,
      sourceRunId: r.source_run_id,
      creationTimestampMs: Number(r.creation_timestamp_ms),
      lifecycleStage: r.lifecycle_stage,
    }));
  }

  async experiments(experimentIds: string[]): Promise<ExperimentRow[]> {
    const ids = [...new Set(experimentIds)].map(Number).filter(Number.isSafeInteger);
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('experiments').select(['experiment_id', 'name', 'lifecycle_stage']).where('experiment_id', 'in', ids).execute();
    return rows.map((r) => ({ experimentId: String(r.experiment_id), name: r.name, lifecycleStage: r.lifecycle_stage }));
  }
}
