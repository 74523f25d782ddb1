import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openApiHarness, type ApiHarness } from '../helpers/api-server.js';
import { buildLinearModel } from '../helpers/onnx-builder.js';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';
import { packageFiles, registerPackage } from './serving-fixtures.js';

const sqlite = testDatabaseKinds().find((k) => k.name === 'sqlite')!;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(,|$)/y;

/**
 * Parses Prometheus text exposition format 0.0.4 strictly: every line is a
 * HELP, a TYPE or a sample; every sample belongs to a family announced by
 * TYPE before it; label sets are well-formed; values are numbers.
 */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: Sample[] = [];
  assert.ok(text.endsWith('\n'), 'ends with a newline');
  for (const [n, line] of text.slice(0, -1).split('\n').entries()) {
    const where = `line ${n + 1}: ${line}`;
    // The format ignores empty lines; prom-client puts one between families.
    if (line === '') continue;
    if (line.startsWith('# HELP ')) {
      const [name] = line.slice(7).split(' ');
      assert.match(name!, NAME, where);
      helps.add(name!);
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const [name, type, ...rest] = line.slice(7).split(' ');
      assert.match(name!, NAME, where);
      assert.ok(['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type!), where);
      assert.equal(rest.length, 0, where);
      assert.ok(!types.has(name!), `family declared twice: ${where}`);
      types.set(name!, type!);
      continue;
    }
    assert.ok(!line.startsWith('#'), `unexpected comment: ${where}`);
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( \d+)?$/.exec(line);
    assert.ok(m, `not a sample: ${where}`);
    const [, name, , labelText, value] = m;
    const labels: Record<string, string> = {};
    if (labelText) {
      LABEL.lastIndex = 0;
      while (LABEL.lastIndex < labelText.length) {
        const l = LABEL.exec(labelText);
        assert.ok(l, `bad label syntax at ${LABEL.lastIndex}: ${where}`);
        labels[l[1]!] = l[2]!;
      }
    }
    assert.ok(value === 'NaN' || value === '+Inf' || value === '-Inf' || Number.isFinite(Number(value)), `bad value: ${where}`);
    const family = name!.replace(/_(bucket|sum|count)$/, '');
    const type = types.get(name!) ?? types.get(family);
    assert.ok(type, `sample before its TYPE: ${where}`);
    assert.ok(helps.has(types.has(name!) ? name! : family), `no HELP: ${where}`);
    if (type === 'histogram' && name!.endsWith('_bucket')) assert.ok('le' in labels, `bucket without le: ${where}`);
    samples.push({ name: name!, labels, value: Number(value === '+Inf' ? Infinity : value) });
  }
  return { types, samples };
}

describe('ServingMetrics', () => {
  let h: ApiHarness;

  const scrape = async () => {
    const res = await h.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    return parseExposition(res.body);
  };
  const value = (samples: Sample[], name: string, labels: Record<string, string>) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);

  before(async () => {
    h = await openApiHarness(sqlite);
    await registerPackage(h, 'linear', packageFiles(buildLinearModel({ inputs: 2, outputs: 1 })));
    const r = await h.call('POST', '/v2/repository/models/lin/load', { parameters: { uri: 'models:/linear/1' } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  });
  after(async () => h.close());

  describe('GET /metrics', () => {
    it('is valid Prometheus text format declaring every serving family', async () => {
      const { types } = await scrape();
      assert.equal(types.get('ferry_serving_requests_total'), 'counter');
      assert.equal(types.get('ferry_serving_request_duration_seconds'), 'histogram');
      assert.equal(types.get('ferry_serving_runtime_duration_seconds'), 'histogram');
      assert.equal(types.get('ferry_serving_batch_size'), 'histogram');
      assert.equal(types.get('ferry_serving_queue_depth'), 'gauge');
      assert.equal(types.get('ferry_serving_models'), 'gauge');
      assert.equal(types.get('ferry_serving_process_resident_memory_bytes'), 'gauge');
    });

    it('counts requests by model, version, protocol and status code', async () => {
      const x = { name: 'x', datatype: 'FP32', shape: [2, 2], data: [1, 2, 3, 4] };
      assert.equal((await h.call('POST', '/v2/models/lin/infer', { inputs: [x] })).status, 200);
      assert.equal((await h.call('POST', '/v2/models/lin/infer', { inputs: [{ ...x, shape: [1, 3], data: [1, 2, 3] }] })).status, 400);
      assert.equal((await h.call('POST', '/models/lin/invocations', { inputs: [[1, 2]] })).status, 200);
      assert.equal((await h.call('POST', '/models/unknown-model/invocations', { inputs: [[1, 2]] })).status, 404);
      const { samples } = await scrape();
      const count = (labels: Record<string, string>) => value(samples, 'ferry_serving_requests_total', labels);
      assert.equal(count({ model: 'lin', version: '1', protocol: 'oip', code: '200' }), 1);
      assert.equal(count({ model: 'lin', version: '1', protocol: 'oip', code: '400' }), 1);
      assert.equal(count({ model: 'lin', version: '1', protocol: 'mlflow', code: '200' }), 1);
      // A name not in the repository is counted without becoming a label value.
      assert.equal(count({ model: '', protocol: 'mlflow', code: '404' }), 1);
      assert.ok(!samples.some((s) => s.labels.model === 'unknown-model'));
      assert.equal(value(samples, 'ferry_serving_request_duration_seconds_count', { model: 'lin', protocol: 'oip' }), 2);
    });

    it('records runtime time and batch sizes per runtime call, and model states', async () => {
      const { samples } = await scrape();
      assert.equal(value(samples, 'ferry_serving_runtime_duration_seconds_count', { model: 'lin', version: '1' }), 2);
      assert.equal(value(samples, 'ferry_serving_batch_size_sum', { model: 'lin', version: '1' }), 3);
      assert.equal(value(samples, 'ferry_serving_batch_size_bucket', { model: 'lin', le: '2' }), 2);
      assert.equal(value(samples, 'ferry_serving_queue_depth', { model: 'lin', version: '1' }), 0);
      assert.equal(value(samples, 'ferry_serving_models', { state: 'READY' }), 1);
      assert.ok(value(samples, 'ferry_serving_process_resident_memory_bytes', {}) > 0);
    });

    it('keeps each app in its own registry', async () => {
      const other = await openApiHarness(sqlite);
      try {
        const res = await other.app.inject({ method: 'GET', url: '/metrics' });
        const { samples } = parseExposition(res.body);
        assert.equal(value(samples, 'ferry_serving_requests_total', {}), 0);
      } finally {
        await other.close();
      }
    });
  });
});
