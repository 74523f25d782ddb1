import { InternalError } from '../errors.js';
import type { HttpClient, QueryValue } from '../sdk/http-client.js';
import { DEPLOYMENTS_PREFIX } from './deployment-api-routes.js';
import type { DeploymentView } from './deployment-service.js';
import type { ApplyResult, Deployment, DeploymentEvent } from './deployment-types.js';
import type { AbReport } from './ab-report.js';
import type { LoggedPrediction } from './feedback-store.js';
import type { QualityQuery } from './feedback-service.js';
import type { QualitySeries } from './quality-report.js';

const seg = (s: string) => encodeURIComponent(s);

/**
 * The deployment API over HTTP, for the CLI (and SDK users). `userId` names
 * the actor when the server runs without auth (with auth on, the token decides).
 *
 * @example
 * const client = new DeploymentsClient(ferry.http);
 * const result = await client.apply(doc, { dryRun: true }); // result.changes lists what would change
 */
export class DeploymentsClient {
  constructor(
    private readonly http: HttpClient,
    private readonly userId?: string,
  ) {}

  private async json<T>(method: string, path: string, options: { body?: Record<string, unknown>; query?: Record<string, QueryValue> } = {}): Promise<T> {
    const body = options.body === undefined ? undefined : { ...options.body, ...(this.userId ? { user_id: this.userId } : {}) };
    const res = await this.http.send(method, DEPLOYMENTS_PREFIX + path, {
      query: options.query,
      ...(body ? { body: () => JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    const text = await res.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new InternalError(`The server answered ${method} ${path} with something that is not JSON: ${text.slice(0, 200)}`);
    }
  }

  /** Creates or updates the deployment the document names (idempotent). */
  apply(doc: Record<string, unknown>, options: { dryRun?: boolean } = {}): Promise<ApplyResult> {
    const name = String((doc.metadata as { name?: unknown } | undefined)?.name ?? '');
    return this.json('PUT', `/${seg(name)}`, { body: doc, query: options.dryRun ? { dry_run: 'true' } : undefined });
  }

  async list(): Promise<Deployment[]> {
    return (await this.json<{ deployments: Deployment[] }>('GET', '')).deployments;
  }

  async get(name: string): Promise<Deployment> {
    return (await this.json<{ deployment: Deployment }>('GET', `/${seg(name)}`)).deployment;
  }

  async delete(name: string): Promise<void> {
    await this.json('DELETE', `/${seg(name)}`, { body: {} });
  }

  /** The deployment with each variant's live counters, the roll-out's step and last analysis, and shadow statistics. */
  rollout(name: string): Promise<DeploymentView> {
    return this.json('GET', `/${seg(name)}/rollout`);
  }

  /** promote, abort or rollback; answers the transitions made and the deployment after them. */
  act(name: string, action: 'promote' | 'abort' | 'rollback'): Promise<DeploymentView & { events: DeploymentEvent[] }> {
    return this.json('POST', `/${seg(name)}/rollout/${action}`, { body: {} });
  }

  async events(name: string, options: { afterId?: number; maxResults?: number } = {}): Promise<DeploymentEvent[]> {
    return (await this.json<{ events: DeploymentEvent[] }>('GET', `/${seg(name)}/events`, { query: { after_id: options.afterId, max_results: options.maxResults } })).events;
  }

  /** Sends ground-truth labels of logged requests; unknown request ids are counted, not stored. */
  feedback(name: string, items: Array<{ request_id: string; label: number | string | boolean }>): Promise<{ accepted: number; unknown: number; unknown_request_ids: string[] }> {
    return this.json('POST', `/${seg(name)}/feedback`, { body: { feedback: items } });
  }

  /** A quality metric per version and time window. */
  quality(name: string, query: QualityQuery = {}): Promise<QualitySeries & { deployment: string }> {
    return this.json('GET', `/${seg(name)}/quality`, { query: { ...query } });
  }

  /** Per-variant traffic and quality with intervals, significance tests and a verdict. */
  abReport(name: string, query: QualityQuery = {}): Promise<AbReport> {
    return this.json('GET', `/${seg(name)}/ab-report`, { query: { ...query } });
  }

  /** The latest logged predictions, newest first. */
  async predictions(name: string, options: { since?: string; maxResults?: number } = {}): Promise<LoggedPrediction[]> {
    return (await this.json<{ predictions: LoggedPrediction[] }>('GET', `/${seg(name)}/predictions`, { query: { since: options.since, max_results: options.maxResults } })).predictions;
  }
}
