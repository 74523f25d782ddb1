import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidArgumentError } from '../errors.js';
import { parseJsonBody } from '../server/json-body-parser.js';
import { FERRY_VERSION } from '../version.js';
import { HEADER_LENGTH, splitBinaryBody } from './oip-binary.js';
import { decodeInferRequest, encodeInferResponse } from './oip-codec.js';
import { registerOipRepositoryRoutes } from './oip-repository-routes.js';
import { registerOipStatsRoutes } from './oip-stats-routes.js';
import type { ServingService } from './serving-service.js';

/** The Open Inference Protocol extensions Ferry implements, as server metadata lists them. */
export const OIP_EXTENSIONS = ['model_repository', 'statistics', 'binary_tensor_data'];

type ModelParams = { name: string; version?: string };

/** The binary part of a request that carried Inference-Header-Content-Length. */
const binaryParts = new WeakMap<FastifyRequest, Buffer>();

/**
 * Bodies under /v2 may be JSON followed by binary tensor data; any content
 * type is read (curl's default form type included), as Triton does.
 */
function installOipBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    try {
      const buffer = body as Buffer;
      const header = request.headers[HEADER_LENGTH];
      if (typeof header === 'string') {
        const { json, binary } = splitBinaryBody(buffer, header);
        binaryParts.set(request, binary);
        done(null, parseJsonBody(json));
      } else {
        done(null, parseJsonBody(buffer.toString('utf8')));
      }
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}

/** Both forms of a model URL: `/v2/models/NAME[/versions/VERSION]<suffix>`. */
const both = (suffix: string) => [`/v2/models/:name${suffix}`, `/v2/models/:name/versions/:version${suffix}`];

/**
 * Open Inference Protocol v2 over REST, as KServe and Triton serve it: health,
 * server and model metadata, model readiness and inference, plus Triton's
 * model repository, statistics and binary tensor data extensions. Thin: each
 * route decodes, calls the serving service, encodes. Errors answer `{"error": "…"}`
 * (error-handler.ts) with 400 for bad input, 404 for an unknown model, 503 for one not ready or overloaded.
 */
export function registerOipRoutes(app: FastifyInstance, serving: ServingService): void {
  void app.register(async (oip) => {
    installOipBodyParser(oip);

    // Probes carry no credentials, so they are public (as /health is).
    oip.get('/v2/health/live', { config: { permission: 'public' } }, async () => ({ live: true }));
    oip.get('/v2/health/ready', { config: { permission: 'public' } }, async (_req, reply) => {
      if (serving.isReady()) return { ready: true };
      const waiting = serving.index().filter((e) => e.state !== 'READY').map((e) => `${e.name} (${e.state}${e.reason ? `: ${e.reason}` : ''})`);
      return reply.status(503).header('retry-after', '1').send({ error: `Not ready: models loaded at startup are not ready: ${waiting.join('; ')}.` });
    });
    oip.get('/v2', { config: { permission: 'read' } }, async () => ({ name: 'ferry', version: FERRY_VERSION, extensions: OIP_EXTENSIONS }));

    for (const url of both('')) {
      oip.get(url, { config: { permission: 'read' } }, async (request) => {
        const { name, version } = request.params as ModelParams;
        const model = serving.model(name, version);
        return { name: model.name, versions: [model.version], platform: model.platform, inputs: model.inputs, outputs: model.outputs };
      });
    }
    for (const url of both('/ready')) {
      oip.get(url, { config: { permission: 'read' } }, async (request, reply) => {
        const { name, version } = request.params as ModelParams;
        if (serving.isModelReady(name, version)) return { name, ready: true };
        const entry = serving.index().find((e) => e.name === name);
        return reply.status(503).send({ error: `Model '${name}' is not ready: ${entry?.state ?? 'UNAVAILABLE'}${entry?.reason ? ` (${entry.reason})` : ''}.` });
      });
    }
    for (const url of both('/infer')) {
      // Inference changes nothing, so a read token may call it.
      oip.post(url, { config: { permission: 'read', protocol: 'oip' } }, (request, reply) => infer(serving, request, reply));
    }
    registerOipRepositoryRoutes(oip, serving);
    registerOipStatsRoutes(oip, serving);
  });
}

async function infer(serving: ServingService, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const { name, version } = request.params as ModelParams;
  if (request.body === undefined) throw new InvalidArgumentError('The inference request needs a JSON body with "inputs".');
  const model = serving.model(name, version);
  const decoded = decodeInferRequest(request.body, binaryParts.get(request));
  const result = await model.infer(decoded.request);
  const { body, headerLength } = encodeInferResponse(result, decoded.binaryOutput);
  if (headerLength === undefined) return reply.type('application/json').send(body);
  return reply.type('application/octet-stream').header(HEADER_LENGTH, String(headerLength)).send(body);
}
