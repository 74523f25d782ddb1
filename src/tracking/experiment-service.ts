import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from '../errors.js';
import type { Database } from '../backends/database/database.js';
import { ExperimentStore } from './experiment-store.js';
import { searchExperimentIds } from './experiment-search.js';
import { validateExperimentName, validateExperimentTag, validateKey, validateMaxResults } from './tracking-limits.js';
import type { Experiment, Page, SearchExperimentsInput, Tag } from './tracking-types.js';

export const DEFAULT_EXPERIMENT_ID = '0';
export const DEFAULT_EXPERIMENT_NAME = 'Default';

/** Joins URI parts with single slashes, keeping the scheme's own (`mlflow-artifacts:/` + `0` → `mlflow-artifacts:/0`). */
export function appendToUri(base: string, ...parts: string[]): string {
  let out = base;
  for (const p of parts) out = out.endsWith('/') ? `${out}${p}` : `${out}/${p}`;
  return out;
}

/** Experiments: create, read, rename, delete/restore, tags, search. */
export class ExperimentService {
  readonly store: ExperimentStore;

  constructor(
    private readonly database: Database,
    private readonly defaultArtifactRoot: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.store = new ExperimentStore(database);
  }

  /** Creates the "Default" experiment (id 0) if missing, as MLflow does on first start. */
  async ensureDefaultExperiment(): Promise<void> {
    if (await this.store.getById(DEFAULT_EXPERIMENT_ID)) return;
    try {
      await this.store.insert({
        id: 0,
        name: DEFAULT_EXPERIMENT_NAME,
        artifactLocation: appendToUri(this.defaultArtifactRoot, DEFAULT_EXPERIMENT_ID),
        now: this.clock(),
        tags: [],
      });
    } catch (err) {
      // Another process created it between our read and our write.
      if (!(await this.store.getById(DEFAULT_EXPERIMENT_ID))) throw err;
    }
  }

  async create(input: { name: unknown; artifactLocation?: string; tags?: Tag[] }): Promise<string> {
    const name = validateExperimentName(input.name);
    const tags = (input.tags ?? []).map(validateExperimentTag);
    if (input.artifactLocation?.startsWith('runs:')) {
      throw new InvalidArgumentError(`Artifact location cannot be a runs:/ URI. Given: '${input.artifactLocation}'`);
    }
    if (await this.store.getByName(name)) throw duplicateName(name);
    let id: string;
    try {
      id = await this.store.insert({ name, artifactLocation: input.artifactLocation || null, now: this.clock(), tags });
    } catch (err) {
      if (await this.store.getByName(name)) throw duplicateName(name);
      throw err;
    }
    if (!input.artifactLocation) await this.store.setArtifactLocation(id, appendToUri(this.defaultArtifactRoot, id));
    return id;
  }

  async get(id: unknown): Promise<Experiment> {
    const experimentId = parseExperimentId(id);
    const e = await this.store.getById(experimentId);
    if (!e) throw new NotFoundError(`No Experiment with id=${experimentId} exists`);
    return e;
  }

  async getByName(name: unknown): Promise<Experiment> {
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError("Missing value for required parameter 'experiment_name'.");
    const e = await this.store.getByName(name);
    if (!e) throw new NotFoundError(`Could not find experiment with name '${name}'`);
    return e;
  }

  /** The experiment, which must exist and be active (runs can only be created in active experiments). */
  async getActive(id: unknown): Promise<Experiment> {
    const e = await this.get(id);
    if (e.lifecycleStage !== 'active') {
      throw new InvalidArgumentError(`The experiment ${e.experimentId} must be in the 'active' state. Current state is ${e.lifecycleStage}.`);
    }
    return e;
  }

  async rename(id: unknown, newName: unknown): Promise<void> {
    const e = await this.get(id);
    const name = validateExperimentName(newName);
    if (e.lifecycleStage !== 'active') throw new InvalidArgumentError('Cannot rename a non-active experiment.');
    const other = await this.store.getByName(name);
    if (other && other.experimentId !== e.experimentId) throw duplicateName(name);
    await this.store.rename(e.experimentId, name, this.clock());
  }

  async delete(id: unknown): Promise<void> {
    const e = await this.get(id);
    if (e.experimentId === DEFAULT_EXPERIMENT_ID) {
      throw new InvalidArgumentError(`Cannot delete the default experiment '${DEFAULT_EXPERIMENT_ID}'. This is an internally reserved experiment.`);
    }
    await this.store.setLifecycle(e.experimentId, 'deleted', this.clock());
  }

  async restore(id: unknown): Promise<void> {
    const e = await this.get(id);
    if (e.lifecycleStage !== 'deleted') {
      throw new InvalidArgumentError(`Cannot restore an active experiment: experiment ${e.experimentId} is not deleted.`);
    }
    await this.store.setLifecycle(e.experimentId, 'active', this.clock());
  }

  async setTag(id: unknown, key: unknown, value: unknown): Promise<void> {
    const e = await this.getActive(id);
    const tag = validateExperimentTag({ key: key as string, value: value as string });
    await this.store.setTag(e.experimentId, tag);
  }

  async deleteTag(id: unknown, key: unknown): Promise<void> {
    const e = await this.getActive(id);
    const k = validateKey('tag', key);
    if ((await this.store.deleteTag(e.experimentId, k)) === 0) {
      throw new NotFoundError(`No tag with name: ${k} in experiment with id ${e.experimentId}`);
    }
  }

  async search(input: SearchExperimentsInput): Promise<Page<Experiment>> {
    const maxResults = validateMaxResults(input.maxResults, 1000);
    const { experimentIds, nextPageToken } = await searchExperimentIds(this.database, {
      filter: input.filter,
      viewType: input.viewType ?? 'ACTIVE_ONLY',
      orderBy: input.orderBy,
      maxResults,
      pageToken: input.pageToken,
    });
    return { items: await this.store.getMany(experimentIds), nextPageToken };
  }
}

/** Experiment ids are decimal strings on the wire; anything else is a client mistake. */
export function parseExperimentId(id: unknown): string {
  const s = typeof id === 'number' && Number.isInteger(id) ? String(id) : id;
  if (s === undefined || s === null || s === '') throw new InvalidArgumentError("Missing value for required parameter 'experiment_id'.");
  if (typeof s !== 'string') throw new InvalidArgumentError(`Invalid experiment ID: ${JSON.stringify(id)}. Experiment IDs are strings such as '0' or '42'.`);
  // Ferry's experiment ids are decimal; MLflow answers other strings with INVALID_PARAMETER_VALUE too.
  if (!/^\d{1,15}$/.test(s)) throw new InvalidArgumentError(`Invalid experiment ID: '${s.slice(0, 100)}'. Experiment IDs are decimal numbers such as '0' or '42'.`);
  return String(Number(s));
}

function duplicateName(name: string): AlreadyExistsError {
  return new AlreadyExistsError(`Experiment(name=${name}) already exists. Choose a different name or use the existing experiment.`);
}
