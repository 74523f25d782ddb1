import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyRequest } from 'fastify';
import { registerAuth, roleAllows, tokenFrom } from '../../src/auth/auth-hook.js';
import type { Role } from '../../src/auth/token-service.js';
import { installErrorHandler, protocolOf } from '../../src/server/error-handler.js';
import { listRoutes, type Permission, type RouteEntry } from '../../src/server/route-permission.js';
import { openApiHarness, type ApiHarness } from '../helpers/api-server.js';
import { concreteUrl, pairKey, printedRoutes } from '../helpers/route-table.js';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';

const PERMISSIONS: Permission[] = ['public', 'read', 'write', 'admin'];
/** The lowest role holding each permission, written out independently of the code under test. */
const MIN_ROLE: Record<Exclude<Permission, 'public'>, number> = { read: 1, write: 2, admin: 3 };
const ROLE_RANK: Record<Role, number> = { viewer: 1, editor: 2, admin: 3 };

const basic = (user: string, password?: string) => `Basic ${Buffer.from(password === undefined ? user : `${user}:${password}`).toString('base64')}`;

interface Credential {
  name: string;
  /** undefined: not a valid live token. */
  role?: Role;
  authorization?: string;
}

/** What a credential must get from a route: 'ok' (neither 401 nor 403, never 5xx), or the refusal status. */
function expectedFor(permission: Permission, cred: Credential): 'ok' | 401 | 403 {
  if (permission === 'public') return 'ok';
  if (!cred.role) return 401;
  return ROLE_RANK[cred.role] >= MIN_ROLE[permission] ? 'ok' : 403;
}

function fakeRequest(authorization?: string): FastifyRequest {
  return { headers: authorization === undefined ? {} : { authorization } } as FastifyRequest;
}

describe('auth hook', () => {
  describe('tokenFrom', () => {
    it('reads a Bearer token, any case of the scheme', () => {
      assert.equal(tokenFrom(fakeRequest('Bearer ferry_abc')), 'ferry_abc');
      assert.equal(tokenFrom(fakeRequest('bearer ferry_abc')), 'ferry_abc');
      assert.equal(tokenFrom(fakeRequest('BEARER ferry_abc')), 'ferry_abc');
    });

    it('reads HTTP Basic: the password, as MLflow sends MLFLOW_TRACKING_USERNAME/PASSWORD', () => {
      assert.equal(tokenFrom(fakeRequest(basic('alice', 'ferry_abc'))), 'ferry_abc');
    });

    it('reads HTTP Basic: the user name when the password is empty or missing', () => {
      assert.equal(tokenFrom(fakeRequest(basic('ferry_abc', ''))), 'ferry_abc');
      assert.equal(tokenFrom(fakeRequest(basic('ferry_abc'))), 'ferry_abc');
    });

    it('keeps colons inside a Basic password', () => {
      assert.equal(tokenFrom(fakeRequest(basic('u', 'a:b:c'))), 'a:b:c');
    });

    it('finds nothing without a header or with an unknown scheme', () => {
      assert.equal(tokenFrom(fakeRequest()), undefined);
      assert.equal(tokenFrom(fakeRequest('Token ferry_abc')), undefined);
      assert.equal(tokenFrom(fakeRequest('ferry_abc')), undefined);
    });
  });

  describe('roleAllows', () => {
    it('grants each permission to its role and the ones above it, and public to all', () => {
      for (const role of ['viewer', 'editor', 'admin'] as const) {
        for (const permission of PERMISSIONS) {
          assert.equal(roleAllows(role, permission), expectedFor(permission, { name: role, role }) === 'ok', `${role} × ${permission}`);
        }
      }
    });
  });

  describe('registerAuth on a bare app', () => {
    let h: ApiHarness;
    before(async () => {
      h = await openApiHarness(testDatabaseKinds()[0]!);
    });
    after(async () => h.close());

    async function bareApp(enabled: boolean) {
      const app = Fastify({ logger: false });
      installErrorHandler(app);
      registerAuth(app, h.app.services.tokens, enabled);
      app.get('/api/ferry/v1/undeclared', async () => ({ ok: true }));
      app.get('/api/ferry/v1/readable', { config: { permission: 'read' } }, async () => ({ ok: true }));
      await app.ready();
      return app;
    }

    it('treats a route that declares no permission as admin-only (fails closed)', async () => {
      const app = await bareApp(true);
      const { token: editor } = await h.app.services.tokens.create('bare-editor', 'editor');
      const { token: admin } = await h.app.services.tokens.create('bare-admin', 'admin');
      try {
        assert.equal((await app.inject({ url: '/api/ferry/v1/undeclared' })).statusCode, 401);
        const denied = await app.inject({ url: '/api/ferry/v1/undeclared', headers: { authorization: `Bearer ${editor}` } });
        assert.equal(denied.statusCode, 403);
        assert.equal(denied.json().error.code, 'PERMISSION_DENIED');
        assert.match(denied.json().error.message, /admin/);
        assert.equal((await app.inject({ url: '/api/ferry/v1/undeclared', headers: { authorization: `Bearer ${admin}` } })).statusCode, 200);
        assert.equal((await app.inject({ url: '/api/ferry/v1/readable', headers: { authorization: `Bearer ${editor}` } })).statusCode, 200);
      } finally {
        await app.close();
      }
    });

    it('adds no check when auth is off', async () => {
      const app = await bareApp(false);
      try {
        assert.equal((await app.inject({ url: '/api/ferry/v1/undeclared' })).statusCode, 200);
      } finally {
        await app.close();
      }
    });
  });

  for (const kind of testDatabaseKinds()) {
    describe(`with auth on (${kind.name})`, () => {
      let h: ApiHarness;
      let routes: RouteEntry[];
      const creds: Credential[] = [];

      before(async () => {
        h = await openApiHarness(kind, { auth: true });
        routes = listRoutes(h.app);
        const { token: revoked } = await h.app.services.tokens.create('gone', 'admin');
        await h.app.services.tokens.revoke('gone');
        creds.push(
          { name: 'no token' },
          { name: 'unknown scheme', authorization: 'Token whatever' },
          { name: 'bad bearer', authorization: 'Bearer ferry_not-a-real-token-at-all' },
          { name: 'bad basic password', authorization: basic('alice', 'ferry_not-a-real-token') },
          { name: 'non-ferry bearer', authorization: 'Bearer hunter2' },
          { name: 'empty bearer', authorization: 'Bearer ' },
          { name: 'revoked bearer', authorization: `Bearer ${revoked}` },
          { name: 'revoked basic', authorization: basic('alice', revoked) },
          // A wrong password beside a good user name: the password is what counts.
          { name: 'admin token as user, wrong password', authorization: basic(revoked, 'nope') },
        );
        for (const role of ['viewer', 'editor', 'admin'] as const) {
          const { token } = await h.app.services.tokens.create(`${role}-token`, role);
          creds.push(
            { name: `${role} bearer`, role, authorization: `Bearer ${token}` },
            { name: `${role} basic password`, role, authorization: basic('mlflow-user', token) },
            { name: `${role} basic username`, role, authorization: basic(token, '') },
          );
        }
      });
      after(async () => h.close());

      it('records a non-empty route table in which every route declares a permission', () => {
        assert.ok(routes.length > 50, `only ${routes.length} routes recorded`);
        const missing = routes.filter((r) => !r.permission || !PERMISSIONS.includes(r.permission));
        assert.deepEqual(missing.map(pairKey), [], 'routes without a valid config.permission');
      });

      it('records exactly the routes Fastify serves', () => {
        const recorded = new Set(routes.map(pairKey));
        for (const r of routes) assert.ok(h.app.hasRoute({ method: r.method as 'GET', url: r.url }), `recorded but not served: ${pairKey(r)}`);
        for (const p of printedRoutes(h.app)) assert.ok(recorded.has(pairKey(p)), `served but not recorded: ${pairKey(p)}`);
        assert.equal(recorded.size, routes.length, 'a route was recorded twice');
      });

      it('declares the permissions the API implies: reads need read, changes need write', () => {
        for (const r of routes) {
          // Liveness and readiness probes (Kubernetes sends no credentials).
          if (['/health', '/version', '/ping', '/api/ferry/v1/health', '/api/ferry/v1/auth/whoami', '/v2/health/live', '/v2/health/ready'].includes(r.url)) assert.equal(r.permission, 'public', pairKey(r));
          // The web UI's page and assets hold no data (it calls the APIs with the user's token).
          else if ((r.method === 'GET' || r.method === 'HEAD') && (r.url === '/' || r.url === '/*')) assert.equal(r.permission, 'public', pairKey(r));
          else if (r.method === 'GET' || r.method === 'HEAD') assert.equal(r.permission, 'read', pairKey(r));
          // Reads MLflow serves over POST too: searches, metric history, get-latest-versions.
          else if (/\/(search|get-history|get-latest-versions)$/.test(r.url)) assert.equal(r.permission, 'read', pairKey(r));
          // Inference (on a model or a deployment) and Triton's repository index change nothing, though the protocol POSTs them.
          // Profiling, validating and comparing data that is already on the server compute answers and store nothing.
          else if (/^\/api\/ferry\/v1\/data\/(profile|validate|suggest|drift)$/.test(r.url)) assert.equal(r.permission, 'read', pairKey(r));
          else if (/^(\/deployments\/:name)?\/v2\/(models\/.*\/infer|repository\/index)$/.test(r.url) || /^(\/(models|deployments)\/:name)?\/invocations$/.test(r.url)) assert.equal(r.permission, 'read', pairKey(r));
          else assert.ok(r.permission === 'write' || r.permission === 'admin', `${pairKey(r)} changes state but needs only ${r.permission}`);
        }
      });

      it('answers every route × credential as the route’s permission requires', async () => {
        const failures: string[] = [];
        let checked = 0;
        for (const route of routes) {
          const url = concreteUrl(route.url, 'no-such-id', 'auth-walk/file.txt');
          const hasBody = !['GET', 'HEAD'].includes(route.method);
          for (const cred of creds) {
            const res = await h.app.inject({
              method: route.method as 'GET',
              url,
              headers: { ...(cred.authorization !== undefined ? { authorization: cred.authorization } : {}), ...(hasBody ? { 'content-type': 'application/json' } : {}) },
              payload: hasBody ? '{}' : undefined,
            });
            checked++;
            const want = expectedFor(route.permission!, cred);
            const where = `${route.method} ${url} [${route.permission}] with ${cred.name}: got ${res.statusCode} ${res.body.slice(0, 200)}`;
            // The multipart stubs answer 501 NOT_IMPLEMENTED on purpose: MLflow's client falls back on it.
            const intended501 = res.statusCode === 501 && /\/(mpu|presigned)\//.test(url);
            if (res.statusCode >= 500 && !intended501) failures.push(`5xx: ${where}`);
            else if (want === 'ok' && (res.statusCode === 401 || res.statusCode === 403)) failures.push(`refused: ${where}`);
            else if (want !== 'ok' && res.statusCode !== want) failures.push(`expected ${want}: ${where}`);
            else if (want !== 'ok' && route.method !== 'HEAD') {
              const body = res.json();
              const code = want === 401 ? 'UNAUTHENTICATED' : 'PERMISSION_DENIED';
              const protocol = protocolOf(url);
              const shapeOk =
                protocol === 'mlflow' || protocol === 'scoring'
                  ? body.error_code === code && typeof body.message === 'string' && body.message.length > 0
                  : protocol === 'oip'
                    ? typeof body.error === 'string' && body.error.length > 0
                    : body.error?.code === code && typeof body.error?.message === 'string' && body.error.message.length > 0;
              if (!shapeOk) failures.push(`error shape: ${where}`);
              if (want === 401 && cred.authorization === undefined && !res.headers['www-authenticate']) failures.push(`no WWW-Authenticate: ${where}`);
            }
          }
        }
        assert.ok(checked >= routes.length * creds.length);
        assert.deepEqual(failures.slice(0, 30), [], `${failures.length} of ${checked} checks failed`);
      });

      it('challenges with WWW-Authenticate: Basic so MLflow clients send credentials', async () => {
        const res = await h.call('GET', '/api/2.0/mlflow/experiments/get', { experiment_id: '0' });
        assert.equal(res.status, 401);
        const raw = await h.app.inject({ url: '/api/2.0/mlflow/experiments/get?experiment_id=0' });
        assert.match(String(raw.headers['www-authenticate']), /^Basic realm="ferry"/);
        // A browser script's fetch gets a Bearer challenge, which opens no password prompt over the web UI.
        const fetched = await h.app.inject({ url: '/api/2.0/mlflow/experiments/get?experiment_id=0', headers: { 'sec-fetch-mode': 'cors' } });
        assert.equal(fetched.statusCode, 401);
        assert.match(String(fetched.headers['www-authenticate']), /^Bearer realm="ferry"/);
        const navigated = await h.app.inject({ url: '/api/2.0/mlflow/experiments/get?experiment_id=0', headers: { 'sec-fetch-mode': 'navigate' } });
        assert.match(String(navigated.headers['www-authenticate']), /^Basic realm="ferry"/);
      });

      it('lets a viewer read but not write, with a message naming the role needed', async () => {
        const viewer = creds.find((c) => c.name === 'viewer bearer')!.authorization!;
        const read = await h.call('GET', '/api/2.0/mlflow/experiments/get', { experiment_id: '0' }, { authorization: viewer });
        assert.equal(read.status, 200);
        assert.equal(read.body.experiment.name, 'Default');
        const write = await h.call('POST', '/api/2.0/mlflow/experiments/create', { name: 'viewer-made' }, { authorization: viewer });
        assert.equal(write.status, 403);
        assert.equal(write.body.error_code, 'PERMISSION_DENIED');
        assert.match(write.body.message, /editor/);
        assert.match(write.body.message, /viewer/);
        const editor = creds.find((c) => c.name === 'editor basic password')!.authorization!;
        const made = await h.call('POST', '/api/2.0/mlflow/experiments/create', { name: 'editor-made' }, { authorization: editor });
        assert.equal(made.status, 200);
      });

      it('refuses a token from the moment it is revoked', async () => {
        const { token } = await h.app.services.tokens.create('short-lived', 'editor');
        const auth = { authorization: `Bearer ${token}` };
        assert.equal((await h.call('GET', '/api/2.0/mlflow/experiments/get', { experiment_id: '0' }, auth)).status, 200);
        await h.app.services.tokens.revoke('short-lived');
        const after = await h.call('GET', '/api/2.0/mlflow/experiments/get', { experiment_id: '0' }, auth);
        assert.equal(after.status, 401);
        assert.equal(after.body.error_code, 'UNAUTHENTICATED');
        assert.match(after.body.message, /revoked/);
      });

      it('answers an unknown endpoint with 401 without a token and 404 for every valid token', async () => {
        for (const url of ['/api/2.0/mlflow/no-such-resource/search', '/api/ferry/v1/nothing-here', '/v2/nope', '/metrics/nope']) {
          assert.equal((await h.call('GET', url)).status, 401, url);
          for (const cred of creds.filter((c) => c.role)) {
            const res = await h.call('GET', url, undefined, { authorization: cred.authorization! });
            assert.equal(res.status, 404, `${url} with ${cred.name}: ${JSON.stringify(res.body)}`);
          }
        }
        const viewer = creds.find((c) => c.name === 'viewer bearer')!.authorization!;
        const wrongMethod = await h.call('GET', '/api/2.0/mlflow/runs/log-batch', undefined, { authorization: viewer });
        assert.equal(wrongMethod.status, 404);
        assert.equal(wrongMethod.body.error_code, 'ENDPOINT_NOT_FOUND');
      });

      it('keeps public probes open to anyone, whatever they send', async () => {
        for (const url of ['/health', '/version', '/api/ferry/v1/health']) {
          assert.equal((await h.call('GET', url)).status, 200);
          assert.equal((await h.call('GET', url, undefined, { authorization: 'Bearer garbage' })).status, 200);
        }
      });
    });
  }
});
