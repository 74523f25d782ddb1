import {
  AlreadyExistsError,
  ConflictError,
  FerryError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  UnauthenticatedError,
  UnavailableError,
  errorFromCode,
  type FerryErrorOptions,
} from '../errors.js';

export type Json = Record<string, unknown>;

export interface RetryOptions {
  /** Extra attempts after the first one (default 5). */
  retries?: number;
  /** First backoff delay; it doubles each attempt, with jitter (default 500 ms). */
  baseDelayMs?: number;
  /** Longest single backoff delay, also caps Retry-After (default 10 s). */
  maxDelayMs?: number;
}

export interface HttpClientOptions {
  /** Server root, e.g. http://127.0.0.1:5000 (a trailing slash is fine). */
  url: string;
  /** API token, sent as `Authorization: Bearer <token>`. */
  token?: string;
  fetch?: typeof fetch;
  retry?: RetryOptions;
  /** Per-attempt timeout for JSON calls (default 60 s). Artifact transfers have none. */
  timeoutMs?: number;
}

/** What fetch accepts as a request body (Node's `BodyInit`, which @types/node does not name globally). */
export type RequestBody = NonNullable<RequestInit['body']>;

export type QueryValue = string | number | boolean | string[] | undefined;

export interface SendOptions {
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  /** Makes the body for each attempt, so a retry can send a fresh stream. */
  body?: () => RequestBody;
  /** Sending twice does no harm: network errors and 5xx answers may then be retried. */
  idempotent?: boolean;
  /** Never retry, not even a 429 (the body is a one-shot stream). */
  once?: boolean;
  timeoutMs?: number;
}

/** MLflow's error_code values and the Ferry error class each becomes. */
const MLFLOW_CODES: Record<string, new (message: string, options?: FerryErrorOptions) => FerryError> = {
  INVALID_PARAMETER_VALUE: InvalidArgumentError,
  BAD_REQUEST: InvalidArgumentError,
  RESOURCE_EXHAUSTED: InvalidArgumentError,
  NOT_IMPLEMENTED: InvalidArgumentError,
  RESOURCE_DOES_NOT_EXIST: NotFoundError,
  ENDPOINT_NOT_FOUND: NotFoundError,
  RESOURCE_ALREADY_EXISTS: AlreadyExistsError,
  INVALID_STATE: ConflictError,
  UNAUTHENTICATED: UnauthenticatedError,
  PERMISSION_DENIED: PermissionDeniedError,
  TEMPORARILY_UNAVAILABLE: UnavailableError,
  REQUEST_LIMIT_EXCEEDED: UnavailableError,
  INTERNAL_ERROR: InternalError,
};

/** Answers that mean "not done, try again later": 429 always, the 5xx ones only when a repeat is harmless. */
const RETRY_IF_IDEMPOTENT = new Set([500, 502, 503, 504]);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The SDK's one HTTP helper: JSON in and out, MLflow errors turned back into
 * Ferry error classes, and retries with exponential backoff for failures a
 * repeat can fix (network errors, 429, 5xx) — network errors and 5xx only on
 * idempotent calls, since the server may have acted before the answer was lost.
 */
export class HttpClient {
  readonly baseUrl: string;
  private readonly token?: string;
  private readonly fetchImpl: typeof fetch;
  private readonly retries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly timeoutMs: number;

  constructor(options: HttpClientOptions) {
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.token = options.token || undefined;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.retries = options.retry?.retries ?? 5;
    this.baseDelayMs = options.retry?.baseDelayMs ?? 500;
    this.maxDelayMs = options.retry?.maxDelayMs ?? 10_000;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** A JSON call under /api/2.0/mlflow. GET fields go in the query string, POST fields in the body. */
  async mlflow<T = Json>(method: 'GET' | 'POST', path: string, fields: Json = {}, options: { idempotent?: boolean } = {}): Promise<T> {
    const url = `/api/2.0/mlflow${path}`;
    const idempotent = options.idempotent ?? method === 'GET';
    const res =
      method === 'GET'
        ? await this.send('GET', url, { query: fields as Record<string, QueryValue>, idempotent })
        : await this.send('POST', url, { body: () => JSON.stringify(fields), headers: { 'content-type': 'application/json' }, idempotent });
    const text = await res.text();
    if (text.trim() === '') return {} as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new InternalError(`The server at ${this.baseUrl} answered ${method} ${path} with something that is not JSON: ${text.slice(0, 200)}`);
    }
  }

  /** Sends a request with retries; resolves with a 2xx response and throws a Ferry error for anything else. */
  async send(method: string, path: string, options: SendOptions = {}): Promise<Response> {
    const url = this.baseUrl + path + queryString(options.query);
    const idempotent = options.idempotent ?? (method === 'GET' || method === 'PUT' || method === 'DELETE');
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { ...options.headers };
      if (this.token) headers.authorization = `Bearer ${this.token}`;
      const body = options.body?.();
      const init: RequestInit & { duplex?: 'half' } = { method, headers, body };
      // Streams need half-duplex in Node's fetch.
      if (body !== undefined && typeof body === 'object' && Symbol.asyncIterator in body) init.duplex = 'half';
      if (timeoutMs > 0) init.signal = AbortSignal.timeout(timeoutMs);
      let res: Response | undefined;
      let failure: unknown;
      try {
        res = await this.fetchImpl(url, init);
      } catch (err) {
        failure = err;
      }
      if (res?.ok) return res;
      const retryable = res ? res.status === 429 || (idempotent && RETRY_IF_IDEMPOTENT.has(res.status)) : idempotent;
      if (!retryable || options.once || attempt >= this.retries) {
        if (res) throw await errorFromResponse(res);
        throw this.networkError(method, path, failure);
      }
      await res?.body?.cancel().catch(() => undefined);
      await sleep(this.backoff(attempt, res?.headers.get('retry-after') ?? null));
    }
  }

  private backoff(attempt: number, retryAfter: string | null): number {
    const seconds = retryAfter !== null ? Number(retryAfter) : NaN;
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, this.maxDelayMs);
    const exp = Math.min(this.baseDelayMs * 2 ** attempt, this.maxDelayMs);
    return exp / 2 + Math.random() * (exp / 2);
  }

  private networkError(method: string, path: string, err: unknown): UnavailableError {
    const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    const reason =
      e?.name === 'TimeoutError' ? 'the request timed out' : (e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err));
    return new UnavailableError(
      `Cannot reach the Ferry server at ${this.baseUrl} (${method} ${path.split('?')[0]}: ${reason}). Is it running? Set the URL with --url or FERRY_URL.`,
      { cause: err },
    );
  }
}

function queryString(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) params.append(k, x);
    else params.append(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/**
 * Rebuilds the Ferry error a failed response stands for. MLflow bodies
 * (`{error_code, message}`) and Ferry bodies (`{error: {code, message}}`) map
 * by code; anything else (a proxy's HTML page) by status.
 */
export async function errorFromResponse(res: Response): Promise<FerryError> {
  const text = await res.text().catch(() => '');
  let code: string | undefined;
  let message: string | undefined;
  let ferryCode: string | undefined;
  try {
    const body = JSON.parse(text) as { error_code?: unknown; message?: unknown; error?: { code?: unknown; message?: unknown } };
    if (typeof body.error_code === 'string') code = body.error_code;
    if (typeof body.message === 'string') message = body.message;
    if (body.error && typeof body.error === 'object') {
      if (typeof body.error.code === 'string') ferryCode = body.error.code;
      if (typeof body.error.message === 'string') message ??= body.error.message;
    }
  } catch {
    // not JSON: fall back to the status below
  }
  message ??= text.trim().slice(0, 300) || `HTTP ${res.status} ${res.statusText}`;
  const details = { status: res.status, ...(code ? { errorCode: code } : {}) };
  if (ferryCode && !code) return errorFromCode(ferryCode, message, details);
  const cls = (code && MLFLOW_CODES[code]) || classForStatus(res.status);
  return new cls(message, { details, protocolCode: code });
}

function classForStatus(status: number): new (message: string, options?: FerryErrorOptions) => FerryError {
  if (status === 401) return UnauthenticatedError;
  if (status === 403) return PermissionDeniedError;
  if (status === 404) return NotFoundError;
  if (status === 409) return ConflictError;
  if (status === 429 || status >= 500) return UnavailableError;
  return InvalidArgumentError;
}
