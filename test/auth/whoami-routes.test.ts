import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerAuth } from '../../src/auth/auth-hook.js';
import { registerWhoamiRoutes, WHOAMI_PATH } from '../../src/auth/whoami-routes.js';
import { installErrorHandler } from '../../src/server/error-handler.js';
import { openApiHarness, type ApiHarness } from '../helpers/api-server.js';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';

/** A bare app with only the auth hook and the whoami route, over the harness's real token store. */
async function appWith(h: ApiHarness, authEnabled: boolean): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  installErrorHandler(app);
  registerAuth(app, h.app.services.tokens, authEnabled);
  registerWhoamiRoutes(app, h.app.services.tokens, authEnabled);
  await app.ready();
  return app;
}

describe('whoami routes', () => {
  let h: ApiHarness;
  let on: FastifyInstance;
  let off: FastifyInstance;
  const bearer: Record<string, string> = {};

  before(async () => {
    h = await openApiHarness(testDatabaseKinds()[0]!, { auth: true });
    for (const [name, role] of [['ada', 'admin'], ['eve', 'editor'], ['vic', 'viewer']] as const) {
      bearer[name] = `Bearer ${(await h.app.services.tokens.create(name, role)).token}`;
    }
    on = await appWith(h, true);
    off = await appWith(h, false);
  });
  after(async () => {
    await on.close();
    await off.close();
    await h.close();
  });

  describe('GET /api/ferry/v1/auth/whoami', () => {
    it('names the token and its role for each role', async () => {
      for (const [name, role] of [['ada', 'admin'], ['eve', 'editor'], ['vic', 'viewer']] as const) {
        const res = await on.inject({ method: 'GET', url: WHOAMI_PATH, headers: { authorization: bearer[name]! } });
        assert.equal(res.statusCode, 200, res.body);
        assert.deepEqual(res.json(), { auth: true, name, role });
      }
    });

    it('answers anonymous without a token when auth is on, rather than 401', async () => {
      const res = await on.inject({ method: 'GET', url: WHOAMI_PATH });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { auth: true, anonymous: true });
    });

    it('answers anonymous with the problem for an invalid token, never refusing (the route is public)', async () => {
      const res = await on.inject({ method: 'GET', url: WHOAMI_PATH, headers: { authorization: 'Bearer ferry_nope' } });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.deepEqual([body.auth, body.anonymous], [true, true]);
      assert.match(body.problem, /Invalid or revoked API token\. Create a new one with `ferry tokens create`/);
    });

    it('reads a token sent as HTTP Basic too, as MLflow clients send it', async () => {
      const basic = `Basic ${Buffer.from(`mlflow-user:${bearer.eve!.slice('Bearer '.length)}`).toString('base64')}`;
      const res = await on.inject({ method: 'GET', url: WHOAMI_PATH, headers: { authorization: basic } });
      assert.deepEqual([res.statusCode, res.json()], [200, { auth: true, name: 'eve', role: 'editor' }]);
    });

    it('answers anonymous with auth off, whatever token is sent', async () => {
      for (const authorization of [undefined, 'Bearer ferry_nope', bearer.vic]) {
        const res = await off.inject({ method: 'GET', url: WHOAMI_PATH, headers: authorization ? { authorization } : {} });
        assert.deepEqual([res.statusCode, res.json()], [200, { auth: false, anonymous: true }]);
      }
    });
  });
});
