import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, FerryError, type ErrorCode } from '../errors.js';

/** The only place an error code becomes an HTTP status. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  CONFLICT: 409,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** MLflow's error_code for each Ferry code, with MLflow's statuses (it answers 400 for a duplicate name). */
export const MLFLOW_ERROR: Record<ErrorCode, { code: string; status: number }> = {
  INVALID_ARGUMENT: { code: 'INVALID_PARAMETER_VALUE', status: 400 },
  NOT_FOUND: { code: 'RESOURCE_DOES_NOT_EXIST', status: 404 },
  ALREADY_EXISTS: { code: 'RESOURCE_ALREADY_EXISTS', status: 400 },
  CONFLICT: { code: 'INVALID_STATE', status: 400 },
  UNAUTHENTICATED: { code: 'UNAUTHENTICATED', status: 401 },
  PERMISSION_DENIED: { code: 'PERMISSION_DENIED', status: 403 },
  UNAVAILABLE: { code: 'TEMPORARILY_UNAVAILABLE', status: 503 },
  INTERNAL: { code: 'INTERNAL_ERROR', status: 500 },
};

/** Which wire shape an error takes, by the protocol the path belongs to. */
export type ErrorProtocol = 'mlflow' | 'scoring' | 'oip' | 'ferry';

export function protocolOf(url: string): ErrorProtocol {
  // MLflow 3 clients also call /api/3.0/mlflow/... (traces, scorers, server-info) and read error_code there.
  if (/^\/(api|ajax-api)\/[23]\.0\/(preview\/)?mlflow/.test(url)) return 'mlflow';
  if (url.startsWith('/v2') || /^\/deployments\/[^/?]+\/v2(\/|\?|$)/.test(url)) return 'oip';
  // MLflow's scoring server (`mlflow models serve`): /invocations, and Ferry's per-model /models/NAME/invocations.
  if (/^(\/(models|deployments)\/[^/?]+)?\/invocations(\?|$)/.test(url)) return 'scoring';
  return 'ferry';
}

/** Turns any thrown value into a FerryError; framework 4xx errors keep their meaning. */
export function toFerryError(err: unknown): { error: FerryError; status?: number } {
  if (err instanceof FerryError) return { error: err };
  // PostgreSQL refuses NUL in text (SQLSTATE 22021) where SQLite stores it; the value is the client's, so answer 400.
  if ((err as { code?: unknown } | null)?.code === '22021') {
    return { error: new FerryError('INVALID_ARGUMENT', 'Text values may not contain NUL characters (\\u0000); remove them.') };
  }
  const fe = err as Partial<FastifyError> & { status?: number };
  const status = fe.statusCode ?? fe.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code: ErrorCode = status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'PERMISSION_DENIED' : status === 404 ? 'NOT_FOUND' : 'INVALID_ARGUMENT';
    return { error: new FerryError(code, describeFrameworkError(fe)), status };
  }
  return { error: new FerryError('INTERNAL', 'Internal error: the server failed to process the request. It has been logged.') };
}

function describeFrameworkError(fe: Partial<FastifyError>): string {
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `Request body is too large: the limit is set by FERRY_BODY_LIMIT. Split the request (for example, log metrics in batches of at most 1000).`;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return `Unsupported Content-Type: send JSON with 'Content-Type: application/json'.`;
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'Request body is empty: send a JSON object.';
    default:
      if (fe instanceof SyntaxError || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return `Malformed JSON in request body: ${fe.message}`;
      return fe.message ?? 'Bad request';
  }
}

export function sendError(reply: FastifyReply, url: string, err: unknown): FastifyReply {
  const { error, status } = toFerryError(err);
  const protocol = protocolOf(url);
  if (protocol === 'mlflow') {
    const m = MLFLOW_ERROR[error.code];
    const code = error.protocolCode ?? (status === 413 ? 'RESOURCE_EXHAUSTED' : m.code);
    // MLflow's clients ignore fields they don't know; Ferry's SDK reads `details` (e.g. which params conflicted).
    return reply.status(status ?? m.status).send({ error_code: code, message: error.message, ...(error.details ? { details: error.details } : {}) });
  }
  const httpStatus = status ?? HTTP_STATUS[error.code];
  if (protocol === 'scoring') {
    // The scoring server reports any bad input as BAD_REQUEST; other failures keep MLflow's codes.
    const code = error.protocolCode ?? (error.code === 'INVALID_ARGUMENT' ? 'BAD_REQUEST' : MLFLOW_ERROR[error.code].code);
    const retry = error.details?.retryAfterSeconds;
    if (httpStatus === 503 && typeof retry === 'number') reply.header('retry-after', String(Math.max(1, Math.ceil(retry))));
    return reply.status(httpStatus).send({ error_code: code, message: error.message });
  }
  // An overloaded or loading model says when to come back (RFC 9110 §10.2.3), in every protocol.
  const retryAfter = error.details?.retryAfterSeconds;
  if (httpStatus === 503 && typeof retryAfter === 'number') reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfter))));
  if (protocol === 'oip') return reply.status(httpStatus).send({ error: error.message });
  return reply.status(httpStatus).send({ error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } });
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { error } = toFerryError(err);
    if (error.code === 'INTERNAL') request.log.error({ err }, 'unhandled error');
    return sendError(reply, request.url, err);
  });
  app.setNotFoundHandler((request, reply) => {
    const protocol = protocolOf(request.url);
    const message = `No endpoint ${request.method} ${request.url.split('?')[0]}: Ferry does not implement it yet, or the path is misspelled.`;
    if (protocol === 'mlflow' || protocol === 'scoring') return reply.status(404).send({ error_code: 'ENDPOINT_NOT_FOUND', message });
    if (protocol === 'oip') return reply.status(404).send({ error: message });
    return reply.status(404).send({ error: { code: 'NOT_FOUND', message } });
  });
}

export { ERROR_CODES };
