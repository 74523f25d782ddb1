import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDeploymentName, parseDeploymentDocument, parseDuration, parseModelRef, specModels } from '../../src/deployments/deployment-spec.js';
import { InvalidArgumentError } from '../../src/errors.js';

const doc = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ apiVersion: 'ferry/v1', kind: 'Deployment', metadata: { name: 'fraud' }, spec, ...extra });

/** Asserts the document is refused with an error naming `field`, its message matching `pattern`. */
function refuses(raw: unknown, field: string, pattern: RegExp, name?: string): void {
  assert.throws(
    () => parseDeploymentDocument(raw, name),
    (err: unknown) => {
      assert.ok(err instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(err)}`);
      assert.equal(err.details?.field, field, err.message);
      assert.ok(err.message.startsWith(`${field}: `), err.message);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

describe('deployment-spec', () => {
  describe('parseDeploymentDocument', () => {
    it('fills in the defaults of a direct deployment', () => {
      const d = parseDeploymentDocument(doc({ model: 'models:/fraud/3' }));
      assert.deepEqual(d, {
        apiVersion: 'ferry/v1',
        kind: 'Deployment',
        metadata: { name: 'fraud' },
        spec: { strategy: 'direct', model: 'models:/fraud/3', previousRetention: '10m', warmup: true },
      });
    });

    it('fills in canary steps, interval, limits and relative checks', () => {
      const d = parseDeploymentDocument(doc({ strategy: 'canary', model: 'models:/fraud/4', canary: { interval: '30s' } }));
      assert.deepEqual(d.spec.canary, {
        steps: [5, 25, 50, 100],
        interval: '30s',
        minRequests: 20,
        failureLimit: 1,
        consecutiveErrorLimit: 10,
        checks: [
          { metric: 'error_rate', maxIncrease: 0.01 },
          { metric: 'latency_p99', maxRatio: 1.5, floorMs: 5 },
        ],
      });
    });

    it('reads A/B arms with a sticky header, lower-cased', () => {
      const d = parseDeploymentDocument(
        doc({ strategy: 'ab', stickyHeader: 'X-User-Id', variants: [{ name: 'a', model: 'models:/m/1', weight: 30 }, { name: 'b', model: 'models:/m/2', weight: 70 }] }),
      );
      assert.equal(d.spec.stickyHeader, 'x-user-id');
      assert.deepEqual(specModels(d.spec), [{ model: 'm', version: 1 }, { model: 'm', version: 2 }]);
    });

    it('reads a shadow given as a URI or a mapping, and a webhook given as a URL', () => {
      const d = parseDeploymentDocument(doc({ strategy: 'shadow', model: 'models:/m/1', shadow: 'models:/m/2', webhook: 'https://hooks.example/ferry' }));
      assert.deepEqual(d.spec.shadow, { model: 'models:/m/2', sampleRate: 1, tolerance: 1e-6 });
      assert.deepEqual(d.spec.webhook, { url: 'https://hooks.example/ferry', timeout: '2s' });
    });

    it('takes the name from the URL when the document has none, and refuses a different one', () => {
      assert.equal(parseDeploymentDocument({ spec: { model: 'models:/m/1' } }, 'churn').metadata.name, 'churn');
      refuses(doc({ model: 'models:/m/1' }), 'metadata.name', /'fraud' does not match the deployment addressed, 'churn'/, 'churn');
    });

    it('names the field of every mistake', () => {
      refuses({ spec: { model: 'models:/m/1' } }, 'metadata.name', /is required/);
      refuses({ ...doc({}), metadata: { name: 'bad name!' } }, 'metadata.name', /letters, digits/);
      refuses(doc({ model: 'models:/m/1' }, { kind: 'Model' }), 'kind', /must be Deployment/);
      refuses(doc({ model: 'models:/m/1' }, { apiVersion: 'v2' }), 'apiVersion', /must be ferry\/v1/);
      refuses(doc({ model: 'models:/m/1' }, { extra: 1 }), 'extra', /unknown field/);
      refuses({ metadata: { name: 'x' } }, 'spec', /is required/);
      refuses(doc({ strategy: 'blue-green', model: 'models:/m/1' }), 'spec.strategy', /direct, canary, ab, shadow/);
      refuses(doc({}), 'spec.model', /needs the version to serve/);
      refuses(doc({ model: 'models:/m@prod' }), 'spec.model', /does not pin a version/);
      refuses(doc({ model: 's3://bucket/model' }), 'spec.model', /models:\/NAME\/VERSION/);
      refuses(doc({ model: 'models:/m/1', modle: 'x' }), 'spec.modle', /unknown field; expected one of/);
      refuses(doc({ model: 'models:/m/1', canary: {} }), 'spec.canary', /not used by strategy 'direct'/);
      refuses(doc({ strategy: 'canary', model: 'models:/m/1', canary: { steps: [5, 50, 25] } }), 'spec.canary.steps[2]', /greater than the step before it \(50\), got 25/);
      refuses(doc({ strategy: 'canary', model: 'models:/m/1', canary: { steps: [0] } }), 'spec.canary.steps[0]', /from 1 to 100/);
      refuses(doc({ strategy: 'canary', model: 'models:/m/1', canary: { interval: 30 } }), 'spec.canary.interval', /duration such as/);
      refuses(doc({ strategy: 'canary', model: 'models:/m/1', canary: { intervall: '1m' } }), 'spec.canary.intervall', /unknown field/);
      refuses(doc({ strategy: 'canary', model: 'models:/m/1', canary: { minRequests: 2.5 } }), 'spec.canary.minRequests', /integer/);
      refuses(doc({ strategy: 'canary', model: 'models:/m/1', canary: { checks: [{ metric: 'error_rate' }] } }), 'spec.canary.checks[0]', /needs max .* or maxIncrease/);
      refuses(doc({ strategy: 'canary', model: 'models:/m/1', canary: { checks: [{ metric: 'accuracy', max: 1 }] } }), 'spec.canary.checks[0].metric', /error_rate, latency_p99 or drift/);
      refuses(doc({ strategy: 'canary', model: 'models:/m/1', canary: { checks: [{ metric: 'error_rate', max: 2 }] } }), 'spec.canary.checks[0].max', /from 0 to 1/);
      refuses(doc({ strategy: 'ab', variants: [{ name: 'a', model: 'models:/m/1', weight: 100 }] }), 'spec.variants', /2 to 16 arms/);
      refuses(doc({ strategy: 'ab', variants: [{ name: 'a', model: 'models:/m/1', weight: 50 }, { name: 'a', model: 'models:/m/2', weight: 50 }] }), 'spec.variants[1].name', /names two arms/);
      refuses(doc({ strategy: 'ab', variants: [{ name: 'a', model: 'models:/m/1', weight: 50 }, { name: 'b', model: 'models:/m/2', weight: 40 }] }), 'spec.variants', /add up to 100, got 90/);
      refuses(doc({ strategy: 'ab', variants: [{ name: 'a', model: 'models:/m/1', weight: 50 }, { name: 'b', model: 'm', weight: 50 }] }), 'spec.variants[1].model', /models:\/NAME\/VERSION/);
      refuses(doc({ strategy: 'ab', model: 'models:/m/1', variants: [] }), 'spec.model', /not used by strategy 'ab'/);
      refuses(doc({ strategy: 'shadow', model: 'models:/m/1' }), 'spec.shadow', /needs the challenger/);
      refuses(doc({ strategy: 'shadow', model: 'models:/m/1', shadow: { model: 'models:/m/1' } }), 'spec.shadow.model', /cannot shadow itself/);
      refuses(doc({ strategy: 'shadow', model: 'models:/m/1', shadow: { model: 'models:/m/2', sampleRate: 2 } }), 'spec.shadow.sampleRate', /from 0 to 1/);
      refuses(doc({ model: 'models:/m/1', webhook: 'ftp://x' }), 'spec.webhook.url', /http:\/\/ or https:\/\//);
      refuses(doc({ model: 'models:/m/1', warmup: 'yes' }), 'spec.warmup', /true or false/);
      refuses(doc({ model: 'models:/m/1', previousRetention: '10 minutes' }), 'spec.previousRetention', /duration/);
      refuses('not an object', 'document', /must be a mapping/);
    });
  });

  describe('parseDuration', () => {
    it('reads ms, s, m, h and sums of them', () => {
      assert.equal(parseDuration('250ms'), 250);
      assert.equal(parseDuration('30s'), 30_000);
      assert.equal(parseDuration('1m30s'), 90_000);
      assert.equal(parseDuration('1.5h'), 5_400_000);
      assert.throws(() => parseDuration('5', 'spec.x'), /^InvalidArgumentError: spec\.x: must be a duration/);
    });
  });

  describe('parseModelRef', () => {
    it('reads a pinned version and refuses the rest', () => {
      assert.deepEqual(parseModelRef('models:/fraud-detector/12'), { model: 'fraud-detector', version: 12 });
      assert.throws(() => parseModelRef('models:/fraud/latest'), /does not pin a version/);
      assert.throws(() => parseModelRef('models:/fraud/0'), /positive integer/);
    });
  });

  describe('checkDeploymentName', () => {
    it('accepts URL-safe names only', () => {
      assert.equal(checkDeploymentName('fraud_v2.prod-eu'), 'fraud_v2.prod-eu');
      assert.throws(() => checkDeploymentName('-x'), /starting with a letter or digit/);
      assert.throws(() => checkDeploymentName('a/b'), InvalidArgumentError);
      assert.throws(() => checkDeploymentName('x'.repeat(64)), InvalidArgumentError);
    });
  });
});
