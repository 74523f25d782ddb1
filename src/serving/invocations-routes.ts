import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseJsonBody } from '../server/json-body-parser.js';
import { badScoringRequest, decodeScoringCsv, decodeScoringJson, encodePredictions } from './mlflow-scoring-codec.js';
import type { ServingService } from './serving-service.js';

export interface InvocationsRoutesOptions {
  /**
   * Serve this one model at `/invocations`, as `mlflow models serve` does
   * (the standalone `ferry serve`). Without it, every model is served at
   * `/models/NAME/invocations` (the multi-model `ferry server`).
   */
  singleModel?: string;
}

const CONTENT_TYPES = ['text/csv', 'application/json', 'text/json'];

/**
 * MLflow's scoring server answers 415 in plain text; Ferry keeps its rule that
 * every error body is JSON in the path's protocol shape (clients of either read the status).
 */
const unsupported = (reply: FastifyReply, message: string) => reply.status(415).send({ error_code: 'BAD_REQUEST', message });

/**
 * MLflow's scoring protocol: `POST /invocations` with a JSON body holding one
 * of dataframe_split, dataframe_records, instances or inputs, or a CSV body;
 * answers `{"predictions": …}`. Bad input answers 400
 * `{"error_code": "BAD_REQUEST", "message": …}` (error-handler.ts), an unsupported
 * content type 415 (in that JSON shape, where MLflow writes plain text). Also `/ping`.
 */
export function registerInvocationsRoutes(app: FastifyInstance, serving: ServingService, options: InvocationsRoutesOptions = {}): void {
  void app.register(async (scope) => {
    // Bodies are read raw and decoded by content type in the handler, so an unknown type gets MLflow's 415.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

    // Load balancers probe /ping without credentials (it says no more than /health).
    scope.get('/ping', { config: { permission: 'public' } }, async (_req, reply) => reply.status(serving.isReady() ? 200 : 503).type('application/json').send('\n'));

    const single = options.singleModel;
    // Inference changes nothing, so a read token may call it (as /v2/.../infer).
    const config = { permission: 'read' as const, protocol: 'mlflow' as const };
    if (single !== undefined) scope.post('/invocations', { config }, (request, reply) => invoke(serving, single, request, reply));
    else scope.post('/models/:name/invocations', { config }, (request, reply) => invoke(serving, (request.params as { name: string }).name, request, reply));
  });
}

async function invoke(serving: ServingService, name: string, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const contentType = String(request.headers['content-type'] ?? 'application/json');
  const [mime, ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length);
  if (charset !== undefined && charset !== 'utf-8') return unsupported(reply, 'The scoring server only supports UTF-8');
  if (!CONTENT_TYPES.includes(mime!)) {
    return unsupported(reply, `This predictor only supports the following content types: Types: ${JSON.stringify(CONTENT_TYPES)}. Got '${contentType}'.`);
  }
  const text = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '';
  // The body is parsed before the model is looked up, so a malformed body is a 400 whatever the name.
  let body: unknown;
  if (mime !== 'text/csv') {
    try {
      body = parseJsonBody(text);
    } catch (err) {
      throw badScoringRequest(`Failed to parse input from JSON. Ensure that input is a valid JSON formatted string. Error: '${(err as Error).message}'.`);
    }
  }
  const model = serving.model(name);
  const decoded = mime === 'text/csv' ? decodeScoringCsv(model, text) : decodeScoringJson(model, body);
  const result = await model.infer(decoded.request);
  return reply.type('application/json').send(encodePredictions(result, decoded.tabular));
}
