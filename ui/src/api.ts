/** Thin client for the MLflow REST API and Ferry's own API, with the user's token when one is set. */

const TOKEN_KEY = 'ferry-token';

export function getToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** An API answer that was not 2xx, carrying the server's own message. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** One JSON call to Ferry with the signed-in token; failures become an ApiError carrying the server's own message. */
export async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new ApiError(`Cannot reach the Ferry server: ${(err as Error).message}`, 0);
  }
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    // MLflow routes answer { error_code, message }, Ferry's { error: { code, message } }.
    const message = json?.message ?? json?.error?.message ?? (typeof json?.error === 'string' ? json.error : undefined) ?? (text || res.statusText);
    throw new ApiError(`${res.status}: ${message}`, res.status);
  }
  if (json === undefined) throw new ApiError(`The server answered ${path} with something that is not JSON.`, res.status);
  return json as T;
}

/**
 * A raw fetch with the signed-in token, for bytes rather than JSON (artifact
 * previews and downloads: an <img src> or <a href> cannot carry the header).
 * Answers the Response with its body unread; a non-2xx answer becomes an
 * ApiError with the server's message. An abort through `init.signal` is
 * rethrown as the AbortError it is.
 */
export async function fetchWithToken(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = getToken();
  if (token) headers.set('authorization', `Bearer ${token}`);
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(`Cannot reach the Ferry server: ${(err as Error).message}`, 0);
  }
  if (res.ok) return res;
  const text = await res.text().catch(() => '');
  let message = text || res.statusText;
  try {
    const json = JSON.parse(text);
    message = json?.message ?? json?.error?.message ?? (typeof json?.error === 'string' ? json.error : undefined) ?? message;
  } catch {
    // Not JSON: the raw text is the message.
  }
  throw new ApiError(`${res.status}: ${message}`, res.status);
}

export interface KeyValue {
  key: string;
  value: string;
}
export interface Metric {
  key: string;
  value: number | string;
  timestamp: number;
  step: number;
}
export interface Experiment {
  experiment_id: string;
  name: string;
  lifecycle_stage: string;
  creation_time?: number;
  last_update_time?: number;
  artifact_location?: string;
  tags?: KeyValue[];
}
export interface RunInfo {
  run_id: string;
  run_name?: string;
  experiment_id: string;
  user_id?: string;
  status: string;
  start_time?: number;
  end_time?: number;
  lifecycle_stage: string;
  artifact_uri?: string;
}
export interface Run {
  info: RunInfo;
  data: { metrics?: Metric[]; params?: KeyValue[]; tags?: KeyValue[] };
}
export interface Series {
  run_id: string;
  key: string;
  bucketed: boolean;
  x: number[];
  last: Array<number | null>;
  min: Array<number | null>;
  max: Array<number | null>;
}
export interface SeriesAnswer {
  min_step: number | null;
  max_step: number | null;
  bucket_width: number | null;
  series: Series[];
}

export const api = {
  searchExperiments: () =>
    request<{ experiments?: Experiment[] }>('POST', '/api/2.0/mlflow/experiments/search', { max_results: 1000, order_by: ['experiment_id ASC'] }),
  getExperiment: (id: string) => request<{ experiment: Experiment }>('GET', `/api/2.0/mlflow/experiments/get?experiment_id=${encodeURIComponent(id)}`),
  searchRuns: (body: { experiment_ids: string[]; filter?: string; order_by?: string[]; max_results: number; page_token?: string }) =>
    request<{ runs?: Run[]; next_page_token?: string }>('POST', '/api/2.0/mlflow/runs/search', body),
  getRun: (id: string) => request<{ run: Run }>('GET', `/api/2.0/mlflow/runs/get?run_id=${encodeURIComponent(id)}`),
  series: (runIds: string[], key: string, buckets: number, range?: [number, number]) => {
    const q = new URLSearchParams();
    for (const id of runIds) q.append('run_id', id);
    q.set('key', key);
    q.set('buckets', String(buckets));
    if (range) {
      q.set('min_step', String(Math.floor(range[0])));
      q.set('max_step', String(Math.ceil(range[1])));
    }
    return request<SeriesAnswer>('GET', `/api/ferry/v1/runs/series?${q}`);
  },
};

/** How a chart draws: x-axis, smoothing (applied on the server to full-resolution points) and y scale. */
export interface SeriesOptions {
  x?: 'step' | 'time' | 'relative';
  smoothing?: 'ema' | 'running' | 'gaussian';
  /** EMA weight, or the running/Gaussian window in points. */
  amount?: number;
  /** Only steps after this one: a live chart's incremental fetch. */
  afterStep?: number;
}

export interface LiveSeries extends Series {
  last_step: number | null;
}

/** One call for every run of one metric: `buckets` should be the chart's width in pixels. */
export function fetchSeries(runIds: string[], key: string, buckets: number, range: [number, number] | undefined, opts: SeriesOptions): Promise<Omit<SeriesAnswer, 'series'> & { series: LiveSeries[] }> {
  const q = new URLSearchParams();
  for (const id of runIds) q.append('run_id', id);
  q.set('key', key);
  q.set('buckets', String(buckets));
  if (range) {
    q.set('min_step', String(Math.floor(range[0])));
    q.set('max_step', String(Math.ceil(range[1])));
  }
  if (opts.x && opts.x !== 'step') q.set('x', opts.x);
  if (opts.smoothing) {
    q.set('smoothing', opts.smoothing);
    if (opts.amount !== undefined) q.set(opts.smoothing === 'ema' ? 'smoothing_weight' : 'window', String(opts.amount));
  }
  if (opts.afterStep !== undefined) q.set('after_step', String(opts.afterStep));
  return request('GET', `/api/ferry/v1/runs/series?${q}`);
}

/** Distinct metric/param/tag keys of an experiment's runs (`GET /api/ferry/v1/experiments/{id}/keys`). */
export function fetchRunKeys(experimentId: string, kind: 'metrics' | 'params' | 'tags', maxResults = 50_000, contains?: string): Promise<{ kind: string; keys: string[]; truncated: boolean }> {
  const q = new URLSearchParams({ kind, max_results: String(maxResults) });
  if (contains) q.set('contains', contains);
  return request('GET', `/api/ferry/v1/experiments/${encodeURIComponent(experimentId)}/keys?${q}`);
}
