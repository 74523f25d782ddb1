import { InvalidArgumentError, UnavailableError } from '../errors.js';
import { buildAbReport, type AbReport } from './ab-report.js';
import type { DeploymentService } from './deployment-service.js';
import { parseDuration } from './deployment-spec.js';
import { parseFeedback, type FeedbackResult, type FeedbackStore, type LoggedPrediction } from './feedback-store.js';
import { parseMetric, qualitySeries, type QualitySeries, type Task } from './quality-report.js';

/** Query options of the quality and A/B report endpoints, as strings from a URL. */
export interface QualityQuery {
  metric?: string;
  /** Window length, e.g. '1h' (quality series). */
  window?: string;
  /** Only predictions this recent, e.g. '24h'; default all. */
  since?: string;
  output?: string;
  task?: string;
  /** A/B: the variant compared against. */
  control?: string;
  confidence?: string;
}

function sinceOf(raw: string | undefined, now: number): number {
  return raw === undefined || raw === '' ? 0 : now - parseDuration(raw, 'since');
}

function taskParam(raw: string | undefined): Task | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw !== 'classification' && raw !== 'regression') throw new InvalidArgumentError(`task must be classification or regression, got '${raw}'.`);
  return raw;
}

/**
 * Ground truth for deployments: labels joined with logged predictions, the
 * quality of each version over time, and A/B reports. Needs the prediction log.
 */
export class FeedbackService {
  constructor(
    private readonly deployments: DeploymentService,
    private readonly store: FeedbackStore | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  private logged(): FeedbackStore {
    if (!this.store) throw new UnavailableError('Prediction logging is off on this server: it needs a local artifact store (file://) to write Parquet under.');
    return this.store;
  }

  /**
   * Stores labels (one `{request_id, label}` or `{feedback: […]}`) of `name`'s logged predictions.
   * @throws NotFoundError for an unknown deployment; InvalidArgumentError for a bad body.
   */
  async record(name: string, body: unknown): Promise<FeedbackResult> {
    const items = parseFeedback(body);
    await this.deployments.get(name);
    return this.logged().record(name, items);
  }

  /** A metric per version of `name` in windows (default 1h). @throws InvalidArgumentError for a bad metric, window or since. */
  async quality(name: string, q: QualityQuery): Promise<QualitySeries & { deployment: string }> {
    const metric = parseMetric(q.metric);
    const windowMs = q.window === undefined || q.window === '' ? 3_600_000 : parseDuration(q.window, 'window');
    if (windowMs < 1000) throw new InvalidArgumentError(`window must be at least 1s, got '${q.window}'.`);
    const since = sinceOf(q.since, this.now());
    const task = taskParam(q.task);
    await this.deployments.get(name);
    const rows = await this.logged().labelled(name, since);
    return { deployment: name, ...qualitySeries(rows, metric, windowMs, { ...(task ? { task } : {}), ...(q.output ? { output: q.output } : {}) }) };
  }

  /** The A/B report of `name` on `metric` (default accuracy). */
  async abReport(name: string, q: QualityQuery): Promise<AbReport> {
    const metric = parseMetric(q.metric);
    const since = sinceOf(q.since, this.now());
    const confidence = q.confidence === undefined || q.confidence === '' ? 0.95 : Number(q.confidence);
    if (!(confidence >= 0.5 && confidence < 1)) throw new InvalidArgumentError(`confidence must be a number from 0.5 to below 1, e.g. 0.95, got '${q.confidence}'.`);
    await this.deployments.get(name);
    const view = await this.deployments.view(name);
    const requests = new Map(view.variants.map((v) => [`${v.name}@${v.version}`, v.total.requests]));
    const store = this.logged();
    const [labelled, traffic] = [await store.labelled(name, since), await store.traffic(name, since)];
    return buildAbReport({
      deployment: name,
      metric,
      labelled,
      traffic,
      requests,
      confidence,
      ...(q.control ? { control: q.control } : {}),
      ...(q.output ? { output: q.output } : {}),
    });
  }

  /** The latest logged predictions of `name`, newest first. */
  async predictions(name: string, q: { since?: string; limit?: number }): Promise<LoggedPrediction[]> {
    const since = sinceOf(q.since, this.now());
    const limit = q.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new InvalidArgumentError(`limit must be an integer from 1 to 10000, got '${q.limit}'.`);
    await this.deployments.get(name);
    return this.logged().recent(name, { sinceMs: since, limit });
  }
}
