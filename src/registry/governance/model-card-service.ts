import { InvalidArgumentError, NotFoundError } from '../../errors.js';
import { GIT_TAGS } from '../lineage-graph.js';
import type { Metric, Tag } from '../../tracking/tracking-types.js';
import { isStorableVersion, parseVersion, validateModelName, versionNotFound } from '../registry-validation.js';
import type { GovernanceContext } from './governance-context.js';
import { asRegistryExecutor } from './governance-schema.js';
import type { GovernanceActor, ModelCardFields, PromotionRequest } from './governance-types.js';
import { renderModelCard } from './model-card-markdown.js';
import { readVersionSignature, type VersionSignature } from './version-signature.js';

const MAX_FIELD = 100_000;
// One set of MLflow's source tags, shared with lineage.

export interface CardDataset {
  name: string;
  digest: string;
  sourceType: string;
  source: string;
  /** The `mlflow.data.context` input tag: train, eval… */
  context: string | null;
}

/** Everything a model card shows, as data; `renderModelCard` turns it into Markdown. */
export interface ModelCard {
  model: string;
  version: number;
  description: string | null;
  modelDescription: string | null;
  createdAt: number;
  userId: string | null;
  source: string | null;
  stage: string;
  aliases: string[];
  intendedUse: string | null;
  limitations: string | null;
  signature: VersionSignature;
  lineage: {
    runId: string | null;
    runName: string | null;
    experimentId: string | null;
    metrics: Metric[];
    params: Tag[];
    datasets: CardDataset[];
    git: { commit: string | null; branch: string | null; repoUrl: string | null; dirty: boolean | null };
    /** Why the run could not be read, when it could not. */
    problem?: string;
  };
  /** Promotion requests of this version, oldest first. */
  promotions: PromotionRequest[];
}

function field(input: Record<string, unknown>, key: string): string | null | undefined {
  const v = input[key];
  if (v === undefined) return undefined;
  if (v === null || v === '') return null;
  if (typeof v !== 'string') throw new InvalidArgumentError(`${key} must be a string (Markdown is fine).`);
  if (v.length > MAX_FIELD) throw new InvalidArgumentError(`${key} exceeds the maximum length of ${MAX_FIELD} characters.`);
  return v;
}

/** Model cards: generated from the registry, the source run and the promotion history, plus the owner's intended use and limitations. */
export class ModelCardService {
  constructor(private readonly ctx: GovernanceContext) {}

  /** The card's data. @throws NotFoundError for an unknown model or version. */
  async get(name: unknown, version: unknown): Promise<ModelCard> {
    const n = validateModelName(name);
    const v = parseVersion(version);
    if (!isStorableVersion(v)) throw versionNotFound(n, v);
    const [mv, model] = await Promise.all([this.ctx.registry.versions.get(n, v), this.ctx.registry.models.get(n)]);
    const [fields, signature, promotions, lineage] = await Promise.all([
      this.ctx.store.getCard(this.ctx.store.db, n, v),
      readVersionSignature(this.ctx.options.artifacts, mv),
      this.ctx.store.listRequests(this.ctx.store.db, { model: n, version: v, limit: 1000 }),
      this.lineageOf(mv.runId),
    ]);
    return {
      model: n,
      version: v,
      description: mv.description,
      modelDescription: model.description,
      createdAt: mv.creationTimestamp,
      userId: mv.userId,
      source: mv.source,
      stage: mv.currentStage,
      aliases: mv.aliases,
      intendedUse: fields?.intendedUse ?? null,
      limitations: fields?.limitations ?? null,
      signature,
      lineage,
      promotions: promotions.reverse(),
    };
  }

  async markdown(name: unknown, version: unknown): Promise<string> {
    return renderModelCard(await this.get(name, version));
  }

  /**
   * Sets the owner-written fields; a field left out keeps its value, null or '' clears it.
   * @throws InvalidArgumentError when neither field is given or one is not a string.
   */
  async update(name: unknown, version: unknown, input: unknown, who: GovernanceActor): Promise<ModelCardFields> {
    const n = validateModelName(name);
    const v = parseVersion(version);
    if (!isStorableVersion(v)) throw versionNotFound(n, v);
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new InvalidArgumentError('Send {intendedUse?, limitations?}.');
    const body = input as Record<string, unknown>;
    const unknown = Object.keys(body).filter((k) => k !== 'intendedUse' && k !== 'limitations');
    if (unknown.length > 0) throw new InvalidArgumentError(`Unknown field '${unknown[0]!.slice(0, 100)}': a model card takes intendedUse and limitations.`);
    const intendedUse = field(body, 'intendedUse');
    const limitations = field(body, 'limitations');
    if (intendedUse === undefined && limitations === undefined) throw new InvalidArgumentError('Give intendedUse, limitations or both.');
    return this.ctx.store.db.transaction().execute(async (trx) => {
      await this.ctx.lockModel(trx, n);
      if (!(await this.ctx.versions.getOne(asRegistryExecutor(trx), n, v))) throw versionNotFound(n, v);
      const before = await this.ctx.store.getCard(trx, n, v);
      const next = {
        model: n,
        version: v,
        intendedUse: intendedUse === undefined ? (before?.intendedUse ?? null) : intendedUse,
        limitations: limitations === undefined ? (before?.limitations ?? null) : limitations,
        updatedBy: who.actor,
        updatedAt: this.ctx.clock(),
      };
      await this.ctx.store.putCard(trx, next);
      await this.ctx.registry.audit.append(asRegistryExecutor(trx), {
        actor: who.actor,
        entityType: 'model_version',
        entityName: n,
        entityVersion: v,
        action: 'update_model_card',
        before: before ? { intendedUse: before.intendedUse, limitations: before.limitations } : null,
        after: { intendedUse: next.intendedUse, limitations: next.limitations },
      });
      return next;
    });
  }

  private async lineageOf(runId: string | null): Promise<ModelCard['lineage']> {
    const empty = { runId, runName: null, experimentId: null, metrics: [], params: [], datasets: [], git: { commit: null, branch: null, repoUrl: null, dirty: null } };
    if (!runId) return empty;
    let run;
    try {
      run = await this.ctx.options.runs.get(runId);
    } catch (err) {
      if (err instanceof NotFoundError) return { ...empty, problem: `source run ${runId} no longer exists` };
      throw err;
    }
    const tag = (key: string) => run.data.tags.find((t) => t.key === key)?.value ?? null;
    const dirty = tag(GIT_TAGS.dirty);
    return {
      runId,
      runName: run.info.runName || null,
      experimentId: run.info.experimentId,
      metrics: [...run.data.metrics].sort((a, b) => a.key.localeCompare(b.key)),
      params: [...run.data.params].sort((a, b) => a.key.localeCompare(b.key)),
      datasets: run.inputs.datasetInputs
        .map((d) => ({
          name: d.dataset.name,
          digest: d.dataset.digest,
          sourceType: d.dataset.sourceType,
          source: d.dataset.source,
          context: d.tags.find((t) => t.key === 'mlflow.data.context')?.value ?? null,
        }))
        .sort((a, b) => a.name.localeCompare(b.name) || a.digest.localeCompare(b.digest)),
      git: { commit: tag(GIT_TAGS.commit), branch: tag(GIT_TAGS.branch), repoUrl: tag(GIT_TAGS.repoUrl), dirty: dirty === null ? null : dirty.toLowerCase() === 'true' },
    };
  }
}
