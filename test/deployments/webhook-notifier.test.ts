import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { DeploymentEvent } from '../../src/deployments/deployment-types.js';
import { notifyWebhook } from '../../src/deployments/webhook-notifier.js';
import { eventually } from './deployment-fixtures.js';

const event: DeploymentEvent = { id: 7, deployment: 'fraud', at: 1, actor: 'ferry-rollout-controller', kind: 'rolled_back', message: 'error rate 100 %', data: { analysis: { verdict: 'fail' } } };

describe('notifyWebhook', () => {
  let server: Server;
  let url: string;
  const received: unknown[] = [];
  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push({ path: req.url, type: req.headers['content-type'], body: JSON.parse(body) });
        if (req.url === '/slow') return setTimeout(() => res.end(), 500);
        res.statusCode = req.url === '/broken' ? 500 : 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('POSTs the transition as JSON without the caller waiting', async () => {
    const warnings: string[] = [];
    notifyWebhook({ url: `${url}/ok`, timeout: '2s' }, event, { warn: (m) => void warnings.push(m) });
    const got = await eventually(() => received.find((r) => (r as { path: string }).path === '/ok'));
    assert.deepEqual(got, { path: '/ok', type: 'application/json', body: { type: 'ferry.deployment.transition', event } });
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(warnings, []);
  });

  it('logs a failing, unreachable or slow receiver', async () => {
    const warnings: string[] = [];
    const logger = { warn: (m: string) => void warnings.push(m) };
    notifyWebhook({ url: `${url}/broken`, timeout: '2s' }, event, logger);
    notifyWebhook({ url: 'http://127.0.0.1:1/none', timeout: '2s' }, event, logger);
    notifyWebhook({ url: `${url}/slow`, timeout: '50ms' }, event, logger);
    await eventually(() => (warnings.length === 3 ? true : undefined));
    assert.ok(warnings.some((w) => /\/broken failed for 'fraud' rolled_back: HTTP 500/.test(w)), warnings.join('\n'));
    assert.ok(warnings.some((w) => /127\.0\.0\.1:1\/none failed/.test(w)), warnings.join('\n'));
    assert.ok(warnings.some((w) => /no answer within 50ms/.test(w)), warnings.join('\n'));
  });
});
