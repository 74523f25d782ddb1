import { InternalError } from '../errors.js';
import type { ModelCard, PolicyRules, PromotionPolicy, PromotionRequest, PromotionStatus } from '../registry/governance/index.js';
import type { HttpClient, Json, QueryValue } from './http-client.js';

const BASE = '/api/ferry/v1';
const seg = (s: string | number) => encodeURIComponent(String(s));

/**
 * Ferry's promotion governance over HTTP: policies, promotion requests and
 * model cards. `userId` names the actor when the server runs without auth
 * (with auth on, the token decides).
 *
 * @example
 * const gov = new GovernanceApi(ferry.http);
 * const request = await gov.promote('churn', 3, 'production'); // throws ConflictError naming a failed check
 * if (request.status === 'pending') await gov.approve(request.id, { comment: 'ship it' });
 */
export class GovernanceApi {
  constructor(
    private readonly http: HttpClient,
    private readonly userId?: string,
  ) {}

  private async json<T>(method: string, path: string, options: { body?: Json; query?: Record<string, QueryValue> } = {}): Promise<T> {
    const body = options.body === undefined ? undefined : { ...options.body, ...(this.userId ? { user_id: this.userId } : {}) };
    const res = await this.http.send(method, BASE + path, {
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

  /** Creates or replaces the policy of `alias`; `rules` as the API takes them. */
  async setPolicy(name: string, alias: string, rules: Partial<PolicyRules> | Record<string, unknown>): Promise<PromotionPolicy> {
    return (await this.json<{ policy: PromotionPolicy }>('PUT', `/models/${seg(name)}/policies/${seg(alias)}`, { body: rules as Json })).policy;
  }

  async getPolicy(name: string, alias: string): Promise<PromotionPolicy> {
    return (await this.json<{ policy: PromotionPolicy }>('GET', `/models/${seg(name)}/policies/${seg(alias)}`)).policy;
  }

  async listPolicies(name: string): Promise<PromotionPolicy[]> {
    return (await this.json<{ policies: PromotionPolicy[] }>('GET', `/models/${seg(name)}/policies`)).policies;
  }

  /** Requests a promotion. @throws ConflictError (409) naming each failed check and its numbers. */
  async promote(name: string, version: number | string, alias: string): Promise<PromotionRequest> {
    return (await this.json<{ request: PromotionRequest }>('POST', `/models/${seg(name)}/versions/${seg(version)}/promotions`, { body: { alias } })).request;
  }

  async approve(id: number | string, options: { comment?: string } = {}): Promise<PromotionRequest> {
    return (await this.json<{ request: PromotionRequest }>('POST', `/promotions/${seg(id)}/approve`, { body: options.comment ? { comment: options.comment } : {} })).request;
  }

  async reject(id: number | string, options: { comment?: string } = {}): Promise<PromotionRequest> {
    return (await this.json<{ request: PromotionRequest }>('POST', `/promotions/${seg(id)}/reject`, { body: options.comment ? { comment: options.comment } : {} })).request;
  }

  async getRequest(id: number | string): Promise<PromotionRequest> {
    return (await this.json<{ request: PromotionRequest }>('GET', `/promotions/${seg(id)}`)).request;
  }

  /** A model's promotion requests, newest first. */
  async listRequests(name: string, filter: { alias?: string; version?: number; status?: PromotionStatus; maxResults?: number } = {}): Promise<PromotionRequest[]> {
    const query = { alias: filter.alias, version: filter.version, status: filter.status, max_results: filter.maxResults };
    return (await this.json<{ requests: PromotionRequest[] }>('GET', `/models/${seg(name)}/promotions`, { query })).requests;
  }

  /** The generated model card as Markdown. */
  async cardMarkdown(name: string, version: number | string): Promise<string> {
    const res = await this.http.send('GET', `${BASE}/models/${seg(name)}/versions/${seg(version)}/card`);
    return res.text();
  }

  /** The model card's data and its Markdown. */
  async card(name: string, version: number | string): Promise<{ card: ModelCard; markdown: string }> {
    return this.json('GET', `/models/${seg(name)}/versions/${seg(version)}/card`, { query: { format: 'json' } });
  }

  async setCard(name: string, version: number | string, fields: { intendedUse?: string | null; limitations?: string | null }): Promise<void> {
    await this.json('PUT', `/models/${seg(name)}/versions/${seg(version)}/card`, { body: fields as Json });
  }
}
