import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidArgumentError, NotFoundError } from '../errors.js';
import { sendError, toFerryError } from '../server/error-handler.js';
import { parseJsonBody } from '../server/json-body-parser.js';
import { badScoringRequest, decodeScoringCsv, decodeScoringJson, encodePredictions } from '../serving/mlflow-scoring-codec.js';
import { HEADER_LENGTH, splitBinaryBody } from '../serving/oip-binary.js';
import { decodeInferRequest, encodeInferResponse } from '../serving/oip-codec.js';
import type { DeploymentService } from './deployment-service.js';
import type { RoutedVariant } from './deployment-state.js';

/** Response headers naming who answered. */
export const VARIANT_HEADER = 'x-ferry-variant';
export const VERSION_HEADER = 'x-ferry-model-version';
export const REQUEST_ID_HEADER = 'x-ferry-request-id';

const SCORING_TYPES = ['text/csv', 'application/json', 'text/json'];

type Params = { name: string; model?: string; version?: string };

function requestIdOf(request: FastifyRequest, fromBody?: string): string {
  const header = request.headers['x-request-id'];
  const id = fromBody ?? (typeof header === 'string' && header !== '' ? header : undefined);
  return id?.slice(0, 200) ?? randomUUID();
}

function versionOf(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,15}$/.test(raw)) throw new InvalidArgumentError(`Model version '${raw}' is not a version number.`);
  return Number(raw);
}

/** The OIP model name of a deployment is the deployment's name. */
function checkModel(p: Params): void {
  if (p.model !== undefined && p.model !== p.name) {
    throw new NotFoundError(`Deployment '${p.name}' serves model '${p.name}', not '${p.model}': use /deployments/${p.name}/v2/models/${p.name}/….`);
  }
}

const answered = (reply: FastifyReply, requestId: string) => (v: RoutedVariant) =>
  void reply.header(VARIANT_HEADER, v.name).header(VERSION_HEADER, String(v.version)).header(REQUEST_ID_HEADER, requestId);

/** An OIP inference request to a deployment; `body` is the parsed JSON, `binary` what followed it. */
export async function oipInfer(deployments: DeploymentService, name: string, version: number | undefined, request: FastifyRequest, reply: FastifyReply, body: unknown, binary?: Buffer): Promise<FastifyReply> {
  const decoded = decodeInferRequest(body, binary);
  const requestId = requestIdOf(request, decoded.request.id);
  const { result, variant } = await deployments.infer(name, {
    requestId,
    headers: request.headers,
    ...(version === undefined ? {} : { version }),
    decode: () => decoded.request,
    onRoute: answered(reply, requestId),
  });
  const encoded = encodeInferResponse({ ...result, modelName: name, modelVersion: String(variant.version) }, decoded.binaryOutput);
  if (encoded.headerLength === undefined) return reply.type('application/json').send(encoded.body);
  return reply.type('application/octet-stream').header(HEADER_LENGTH, String(encoded.headerLength)).send(encoded.body);
}

/** An MLflow scoring request (`/invocations`) to a deployment; `raw` is the body as sent. */
export async function scoringInfer(deployments: DeploymentService, name: string, request: FastifyRequest, reply: FastifyReply, raw: Buffer | undefined): Promise<FastifyReply> {
  const contentType = String(request.headers['content-type'] ?? 'application/json');
  const [mime, ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length);
  if ((charset !== undefined && charset !== 'utf-8') || !SCORING_TYPES.includes(mime!)) {
    return reply.status(415).send({ error_code: 'BAD_REQUEST', message: `Send ${SCORING_TYPES.join(', ')} in UTF-8; got '${contentType}'.` });
  }
  const text = raw?.toString('utf8') ?? '';
  let body: unknown;
  if (mime !== 'text/csv') {
    try {
      body = parseJsonBody(text);
    } catch (err) {
      throw badScoringRequest(`Failed to parse input from JSON. Ensure that input is a valid JSON formatted string. Error: '${(err as Error).message}'.`);
    }
  }
  let tabular = false;
  const requestId = requestIdOf(request);
  const { result } = await deployments.infer(name, {
    requestId,
    headers: request.headers,
    decode: (model) => {
      const decoded = mime === 'text/csv' ? decodeScoringCsv(model, text) : decodeScoringJson(model, body);
      tabular = decoded.tabular;
      return decoded.request;
    },
    onRoute: answered(reply, requestId),
  });
  return reply.type('application/json').send(encodePredictions(result, tabular));
}

/** Error bodies in the protocol of the path: OIP's `{error}` under …/v2/, MLflow scoring's `{error_code, message}` for invocations. */
function protocolUrl(url: string): string {
  return /^\/deployments\/[^/?]+\/v2(\/|\?|$)/.test(url) ? '/v2' : /^\/deployments\/[^/?]+\/invocations/.test(url) ? '/invocations' : url;
}

/**
 * Inference at a deployment's own paths: `/deployments/NAME/v2/models/NAME[/versions/V]`
 * (metadata), `…/ready`, `…/infer` (OIP, binary tensor data included) and
 * `/deployments/NAME/invocations` (MLflow scoring). The response names the
 * variant that answered (`x-ferry-variant`), its version and the request id.
 * A version in the path pins the request to the live variant serving it.
 */
export function registerDeploymentInferenceRoutes(app: FastifyInstance, deployments: DeploymentService): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scope.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
      if (toFerryError(err).error.code === 'INTERNAL') request.log.error({ err }, 'unhandled error');
      return sendError(reply, protocolUrl(request.url), err);
    });

    const base = '/deployments/:name/v2/models/:model';
    for (const url of [base, `${base}/versions/:version`]) {
      scope.get(url, { config: { permission: 'read' } }, async (request) => {
        const p = request.params as Params;
        checkModel(p);
        return deployments.metadata(p.name, versionOf(p.version));
      });
      scope.get(`${url}/ready`, { config: { permission: 'read' } }, async (request, reply) => {
        const p = request.params as Params;
        checkModel(p);
        if (await deployments.isReady(p.name)) return { name: p.name, ready: true };
        return reply.status(503).send({ error: `Deployment '${p.name}' is not ready: a version taking traffic is not loaded.` });
      });
      // Inference changes nothing, so a read token may call it.
      scope.post(`${url}/infer`, { config: { permission: 'read' } }, async (request, reply) => {
        const p = request.params as Params;
        checkModel(p);
        const raw = request.body as Buffer | undefined;
        if (!raw || raw.length === 0) throw new InvalidArgumentError('The inference request needs a JSON body with "inputs".');
        const header = request.headers[HEADER_LENGTH];
        const { json, binary } = typeof header === 'string' ? splitBinaryBody(raw, header) : { json: raw.toString('utf8'), binary: undefined };
        return oipInfer(deployments, p.name, versionOf(p.version), request, reply, parseJsonBody(json), binary);
      });
    }
    scope.post('/deployments/:name/invocations', { config: { permission: 'read' } }, async (request, reply) =>
      scoringInfer(deployments, (request.params as Params).name, request, reply, request.body as Buffer | undefined),
    );
  });
}

/** The serving routes a deployment also answers under its name, as `METHOD url-pattern`. */
const ALIASED = new Set([
  'GET /v2/models/:name',
  'GET /v2/models/:name/versions/:version',
  'GET /v2/models/:name/ready',
  'GET /v2/models/:name/versions/:version/ready',
  'POST /v2/models/:name/infer',
  'POST /v2/models/:name/versions/:version/infer',
  'POST /models/:name/invocations',
]);

/**
 * Makes a deployment's name an OIP model name (and a `/models/NAME/invocations`
 * name) without touching the serving routes: a root preHandler hook answers
 * requests whose model name is a deployment before the serving handler runs;
 * every other name goes on to serving as before. Must be installed before the app is ready.
 * Binary tensor data cannot come this way (the serving body parser keeps it
 * private), so such a request is pointed at `/deployments/NAME/v2/…`.
 */
export function installDeploymentAliases(app: FastifyInstance, deployments: DeploymentService): void {
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const key = `${request.method} ${request.routeOptions.url}`;
    if (!ALIASED.has(key)) return;
    const p = request.params as Params;
    if (!deployments.has(p.name)) return;
    const version = versionOf(p.version);
    if (key.endsWith('/invocations')) return scoringInfer(deployments, p.name, request, reply, Buffer.isBuffer(request.body) ? request.body : undefined);
    if (key.endsWith('/infer')) {
      if (request.headers[HEADER_LENGTH] !== undefined) {
        throw new InvalidArgumentError(`Send binary tensor data for deployment '${p.name}' to /deployments/${p.name}/v2/models/${p.name}/infer.`);
      }
      if (request.body === undefined) throw new InvalidArgumentError('The inference request needs a JSON body with "inputs".');
      return oipInfer(deployments, p.name, version, request, reply, request.body);
    }
    if (key.endsWith('/ready')) {
      if (await deployments.isReady(p.name)) return reply.send({ name: p.name, ready: true });
      return reply.status(503).send({ error: `Deployment '${p.name}' is not ready: a version taking traffic is not loaded.` });
    }
    return reply.send(await deployments.metadata(p.name, version));
  });
}
