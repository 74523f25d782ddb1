import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { assertSafeBind, isLoopback, loadConfig, SETTINGS, type FerryConfig } from '../../src/config/config.js';
import { InvalidArgumentError } from '../../src/errors.js';

const NO_ENV = {};

describe('config', () => {
  describe('loadConfig', () => {
    it('has safe defaults with an empty environment', () => {
      const c = loadConfig({}, NO_ENV);
      const home = resolve('./.ferry');
      assert.deepEqual(c, {
        home,
        databaseUrl: `sqlite:${resolve(home, 'ferry.db')}`,
        artifactsUrl: pathToFileURL(resolve(home, 'artifacts')).href,
        host: '127.0.0.1',
        port: 5000,
        auth: false,
        insecure: false,
        bodyLimit: 32 * 1024 * 1024,
        defaultArtifactRoot: 'mlflow-artifacts:/',
        logLevel: 'info',
        serveModels: '',
      } satisfies FerryConfig);
    });

    it('puts the database and artifacts under FERRY_HOME, resolved to an absolute path', () => {
      const c = loadConfig({}, { FERRY_HOME: 'some/rel' });
      assert.equal(c.home, resolve('some/rel'));
      assert.equal(c.databaseUrl, `sqlite:${resolve('some/rel/ferry.db')}`);
      assert.equal(c.artifactsUrl, pathToFileURL(resolve('some/rel/artifacts')).href);
    });

    it('reads every FERRY_* variable', () => {
      const c = loadConfig(
        {},
        {
          FERRY_HOME: '/tmp/h',
          FERRY_DATABASE_URL: 'postgres://u@db:5432/ferry',
          FERRY_ARTIFACTS_URL: 's3://bucket/prefix',
          FERRY_HOST: '0.0.0.0',
          FERRY_PORT: '8080',
          FERRY_AUTH: 'on',
          FERRY_INSECURE: 'yes',
          FERRY_BODY_LIMIT: '1024',
          FERRY_DEFAULT_ARTIFACT_ROOT: 's3://bucket/root',
          FERRY_LOG_LEVEL: 'debug',
        },
      );
      assert.deepEqual(c, {
        home: '/tmp/h',
        databaseUrl: 'postgres://u@db:5432/ferry',
        artifactsUrl: 's3://bucket/prefix',
        host: '0.0.0.0',
        port: 8080,
        auth: true,
        insecure: true,
        bodyLimit: 1024,
        defaultArtifactRoot: 's3://bucket/root',
        logLevel: 'debug',
        serveModels: '',
      });
    });

    it('lets explicit overrides (CLI flags) win over the environment', () => {
      const c = loadConfig({ port: 9000, auth: false, host: '127.0.0.2', home: '/tmp/flag' }, { FERRY_PORT: '8080', FERRY_AUTH: 'on', FERRY_HOST: '0.0.0.0', FERRY_HOME: '/tmp/env' });
      assert.equal(c.port, 9000);
      assert.equal(c.auth, false);
      assert.equal(c.host, '127.0.0.2');
      assert.equal(c.home, '/tmp/flag');
      assert.equal(c.databaseUrl, 'sqlite:/tmp/flag/ferry.db');
    });

    it('treats empty variables as unset', () => {
      const c = loadConfig({}, { FERRY_PORT: '', FERRY_AUTH: '', FERRY_BODY_LIMIT: '' });
      assert.equal(c.port, 5000);
      assert.equal(c.auth, false);
      assert.equal(c.bodyLimit, 32 * 1024 * 1024);
    });

    for (const [text, value] of [
      ['on', true],
      ['ON', true],
      ['true', true],
      ['1', true],
      ['yes', true],
      ['off', false],
      ['False', false],
      ['0', false],
      ['no', false],
    ] as const) {
      it(`reads FERRY_AUTH=${text} as ${value}`, () => {
        assert.equal(loadConfig({}, { FERRY_AUTH: text }).auth, value);
      });
    }

    it('rejects a boolean it cannot read, naming the variable', () => {
      assert.throws(() => loadConfig({}, { FERRY_AUTH: 'maybe' }), (e: unknown) => e instanceof InvalidArgumentError && /FERRY_AUTH/.test(e.message));
      assert.throws(() => loadConfig({}, { FERRY_INSECURE: 'sure' }), (e: unknown) => e instanceof InvalidArgumentError && /FERRY_INSECURE/.test(e.message));
    });

    for (const bad of ['abc', '-1', '1.5', '5000x']) {
      it(`rejects FERRY_PORT=${bad}`, () => {
        assert.throws(() => loadConfig({}, { FERRY_PORT: bad }), (e: unknown) => e instanceof InvalidArgumentError && /FERRY_PORT/.test(e.message));
      });
    }

    it('rejects a port above 65535 from either source', () => {
      assert.throws(() => loadConfig({}, { FERRY_PORT: '65536' }), InvalidArgumentError);
      assert.throws(() => loadConfig({ port: 70000 }, NO_ENV), InvalidArgumentError);
    });

    it('rejects a flag port that is not a number (`--port abc` arrives as NaN)', () => {
      assert.throws(() => loadConfig({ port: Number('abc') }, NO_ENV), InvalidArgumentError);
      assert.throws(() => loadConfig({ port: -1 }, NO_ENV), InvalidArgumentError);
      assert.throws(() => loadConfig({ port: 80.5 }, NO_ENV), InvalidArgumentError);
    });

    it('accepts port 0 (the OS picks one)', () => {
      assert.equal(loadConfig({ port: 0 }, NO_ENV).port, 0);
    });

    it('rejects a body limit that is not a non-negative integer', () => {
      assert.throws(() => loadConfig({}, { FERRY_BODY_LIMIT: 'lots' }), (e: unknown) => e instanceof InvalidArgumentError && /FERRY_BODY_LIMIT/.test(e.message));
      assert.throws(() => loadConfig({ bodyLimit: Number('lots') }, NO_ENV), InvalidArgumentError);
      assert.throws(() => loadConfig({ bodyLimit: -5 }, NO_ENV), InvalidArgumentError);
    });

    it('reads process.env when no environment is given', () => {
      const saved = process.env.FERRY_LOG_LEVEL;
      process.env.FERRY_LOG_LEVEL = 'warn';
      try {
        assert.equal(loadConfig().logLevel, 'warn');
      } finally {
        if (saved === undefined) delete process.env.FERRY_LOG_LEVEL;
        else process.env.FERRY_LOG_LEVEL = saved;
      }
    });
  });

  describe('SETTINGS', () => {
    it('documents every FERRY_* variable loadConfig reads, with a flag each', () => {
      const names = SETTINGS.map((s) => s[0]);
      assert.deepEqual(new Set(names).size, names.length);
      for (const s of SETTINGS) {
        assert.match(s[0], /^FERRY_[A-Z_]+$/);
        assert.match(s[1], /^--[a-z-]+$/);
        assert.ok(s[3].length > 0);
      }
      // Every documented variable changes the config when set.
      const base = loadConfig({}, NO_ENV);
      const sample: Record<string, string> = {
        FERRY_HOME: '/tmp/x',
        FERRY_DATABASE_URL: 'sqlite:/tmp/y.db',
        FERRY_ARTIFACTS_URL: 'file:///tmp/z',
        FERRY_HOST: '10.0.0.1',
        FERRY_PORT: '1234',
        FERRY_AUTH: 'on',
        FERRY_INSECURE: 'on',
        FERRY_BODY_LIMIT: '99',
        FERRY_DEFAULT_ARTIFACT_ROOT: 'file:///tmp/r',
        FERRY_LOG_LEVEL: 'error',
        FERRY_SERVE_MODELS: 'iris=models:/iris@production',
      };
      for (const name of names) {
        assert.ok(name in sample, `no sample value for ${name}`);
        assert.notDeepEqual(loadConfig({}, { [name]: sample[name] }), base, `${name} has no effect`);
      }
    });
  });

  describe('isLoopback', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) {
      it(`treats ${host} as loopback`, () => assert.equal(isLoopback(host), true));
    }
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.5', 'example.com', '127.0.0.1.evil.com', 'localhost.evil.com', '', '::ffff:0.0.0.0']) {
      it(`does not treat '${host}' as loopback`, () => assert.equal(isLoopback(host), false));
    }
  });

  describe('assertSafeBind', () => {
    const at = (host: string, extra: Partial<FerryConfig> = {}) => ({ ...loadConfig({ host }, NO_ENV), ...extra });

    it('allows loopback without auth', () => {
      assert.doesNotThrow(() => assertSafeBind(at('127.0.0.1')));
      assert.doesNotThrow(() => assertSafeBind(at('localhost')));
      assert.doesNotThrow(() => assertSafeBind(at('::1')));
    });

    it('refuses a public address without auth, naming FERRY_AUTH and --insecure', () => {
      for (const host of ['0.0.0.0', '::', '10.1.2.3']) {
        assert.throws(
          () => assertSafeBind(at(host)),
          (e: unknown) => e instanceof InvalidArgumentError && e.message.includes('FERRY_AUTH') && e.message.includes('--insecure') && e.message.includes(host),
        );
      }
    });

    it('allows a public address with auth on', () => {
      assert.doesNotThrow(() => assertSafeBind(at('0.0.0.0', { auth: true })));
    });

    it('allows a public address with insecure set', () => {
      assert.doesNotThrow(() => assertSafeBind(at('0.0.0.0', { insecure: true })));
    });
  });
});
