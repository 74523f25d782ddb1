import { parseDuration } from './deployment-spec.js';
import type { DeploymentEvent, WebhookSpec } from './deployment-types.js';

/** The JSON body each webhook call carries. */
export interface WebhookPayload {
  type: 'ferry.deployment.transition';
  event: DeploymentEvent;
}

/**
 * POSTs the transition to the deployment's webhook without waiting for it:
 * a slow or failing receiver never holds up a roll-out. Failures (a refused
 * connection, a non-2xx answer, the timeout) are logged.
 */
export function notifyWebhook(spec: WebhookSpec, event: DeploymentEvent, logger: { warn(message: string, data?: Record<string, unknown>): void }): void {
  const payload: WebhookPayload = { type: 'ferry.deployment.transition', event };
  const fail = (reason: string) => logger.warn(`deployment webhook ${spec.url} failed for '${event.deployment}' ${event.kind}: ${reason}`, { url: spec.url, event: event.id });
  void fetch(spec.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'ferry-deployments' },
    body: JSON.stringify(payload),
    signal: AbortSignal.timeout(parseDuration(spec.timeout)),
  })
    .then(async (res) => {
      await res.body?.cancel().catch(() => undefined);
      if (!res.ok) fail(`HTTP ${res.status}`);
    })
    .catch((err: Error) => fail(err.name === 'TimeoutError' ? `no answer within ${spec.timeout}` : (err.cause as Error | undefined)?.message ?? err.message));
}
