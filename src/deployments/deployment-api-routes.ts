import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidArgumentError } from '../errors.js';
import { changeContext } from '../registry/registry-actor.js';
import type { DeploymentService } from './deployment-service.js';
import type { DeploymentEvent } from './deployment-types.js';

/** Where Ferry's deployment management API lives. */
export const DEPLOYMENTS_PREFIX = '/api/ferry/v1/deployments';

const ROLLOUT_ACTIONS = ['promote', 'abort', 'rollback'] as const;

function bodyOf(request: FastifyRequest): Record<string, unknown> {
  const body = request.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidArgumentError('The request body must be a JSON object: a deployment document {apiVersion, kind, metadata, spec}.');
  return body as Record<string, unknown>;
}

function flag(value: unknown, name: string): boolean {
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === '' || value === 'true' || value === '1') return true;
  throw new InvalidArgumentError(`${name} must be true or false, got '${String(value)}'.`);
}

function intParam(value: unknown, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new InvalidArgumentError(`${name} must be an integer from 0 to ${max}, got '${String(value)}'.`);
  return n;
}

/** Splits the actor (`user_id`, when auth is off) from the document. */
function documentOf(request: FastifyRequest): { doc: Record<string, unknown>; actor: string } {
  const { user_id: userId, ...doc } = bodyOf(request);
  return { doc, actor: changeContext(request, { user_id: userId }).actor };
}

const actorOf = (request: FastifyRequest) => changeContext(request, request.body && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {}).actor;

/**
 * Ferry's deployment API:
 * - `GET /deployments`, `POST /deployments` (create; 409 if it exists), `GET|PUT|DELETE /deployments/:name`
 *   (PUT creates or updates: `ferry apply`). POST and PUT take `?dry_run=true` to report the diff and change nothing.
 * - `GET /deployments/:name/rollout`: status with each variant's live counters and the last analysis.
 * - `POST /deployments/:name/rollout/{promote|abort|rollback}`.
 * - `GET /deployments/:name/events?after_id=&max_results=`: recorded transitions, oldest first;
 *   with `follow=true`, a server-sent event stream of them that stays open for new ones.
 */
export function registerDeploymentApiRoutes(app: FastifyInstance, deployments: DeploymentService): void {
  const item = `${DEPLOYMENTS_PREFIX}/:name`;
  const streams = new Set<() => void>();
  const name = (request: FastifyRequest) => (request.params as { name: string }).name;

  app.get(DEPLOYMENTS_PREFIX, { config: { permission: 'read' } }, async () => ({ deployments: await deployments.list() }));
  app.post(DEPLOYMENTS_PREFIX, { config: { permission: 'write' } }, async (request, reply) => {
    const { doc, actor } = documentOf(request);
    const dryRun = flag((request.query as Record<string, unknown>).dry_run, 'dry_run');
    const result = await deployments.apply(doc, { actor, dryRun, createOnly: true });
    return reply.status(dryRun ? 200 : 201).send(result);
  });
  app.get(item, { config: { permission: 'read' } }, async (request) => ({ deployment: await deployments.get(name(request)) }));
  app.put(item, { config: { permission: 'write' } }, async (request) => {
    const { doc, actor } = documentOf(request);
    return deployments.apply(doc, { name: name(request), actor, dryRun: flag((request.query as Record<string, unknown>).dry_run, 'dry_run') });
  });
  app.delete(item, { config: { permission: 'write' } }, async (request) => {
    await deployments.delete(name(request), actorOf(request));
    return {};
  });
  app.get(`${item}/rollout`, { config: { permission: 'read' } }, async (request) => deployments.view(name(request)));
  for (const action of ROLLOUT_ACTIONS) {
    app.post(`${item}/rollout/${action}`, { config: { permission: 'write' } }, async (request) => {
      const events = await deployments[action](name(request), actorOf(request));
      return { events, ...(await deployments.view(name(request))) };
    });
  }
  app.get(`${item}/events`, { config: { permission: 'read' } }, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const afterId = intParam(q.after_id, 'after_id', 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(q.max_results, 'max_results', 1000, 10_000) || 1000;
    if (!flag(q.follow, 'follow')) return { events: await deployments.events(name(request), { afterId, limit }) };
    return streamEvents(deployments, name(request), afterId, request, reply, streams);
  });
  // An open stream would keep the server from closing.
  app.addHook('preClose', async () => {
    for (const end of streams) end();
  });
}

/**
 * Server-sent events: the recorded transitions after `afterId`, then each
 * new one as it happens, until the client disconnects. Each event's `id` is
 * its event id, so a client reconnects with `after_id` (or Last-Event-ID) and misses nothing.
 */
async function streamEvents(
  deployments: DeploymentService,
  name: string,
  afterId: number,
  request: FastifyRequest,
  reply: FastifyReply,
  streams: Set<() => void>,
): Promise<FastifyReply> {
  const lastEventId = Number(request.headers['last-event-id']);
  let last = Number.isSafeInteger(lastEventId) && lastEventId > afterId ? lastEventId : afterId;
  const buffered: DeploymentEvent[] = [];
  let live = false;
  const write = (e: DeploymentEvent) => {
    if (e.id <= last) return;
    last = e.id;
    reply.raw.write(`id: ${e.id}\nevent: ${e.kind}\ndata: ${JSON.stringify(e)}\n\n`);
  };
  // Subscribed before the history is read, so a transition in between is neither lost nor sent twice.
  const stop = deployments.watch(name, (e) => (live ? write(e) : buffered.push(e)));
  let history: DeploymentEvent[];
  try {
    history = await deployments.events(name, { afterId: last, limit: 10_000 });
  } catch (err) {
    stop();
    throw err;
  }
  reply.hijack();
  reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  history.forEach(write);
  buffered.forEach(write);
  live = true;
  // Comments keep proxies from closing an idle stream.
  const heartbeat = setInterval(() => reply.raw.write(': keep-alive\n\n'), 15_000);
  heartbeat.unref();
  const end = () => {
    stop();
    clearInterval(heartbeat);
    streams.delete(end);
    reply.raw.end();
  };
  streams.add(end);
  // The response's close, not the request's: a request emits 'close' once its (empty) body has been read.
  reply.raw.on('close', end);
  return reply;
}
