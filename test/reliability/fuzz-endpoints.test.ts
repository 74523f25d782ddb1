import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import { ERROR_CODES } from '../../src/errors.js';
import { protocolOf } from '../../src/server/error-handler.js';
import { MLFLOW_PREFIXES } from '../../src/server/mlflow-routes.js';
import { listRoutes, type RouteEntry } from '../../src/server/route-permission.js';
import { openApiHarness, type ApiHarness } from '../helpers/api-server.js';
import { concreteUrl, pairKey, printedRoutes } from '../helpers/route-table.js';
import { seededRandom, type SeededRandom } from '../helpers/seeded-random.js';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';

/** Replay a failure with FERRY_FUZZ_SEED=<n>. */
const SEED = Number(process.env.FERRY_FUZZ_SEED ?? 20_240_611);
const BODY_LIMIT = 64 * 1024;
const MB = 'x'.repeat(1024 * 1024);
const JSON_TYPE = { 'content-type': 'application/json' };
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Values of the wrong type, or the right type with a hostile value, for any field. */
const WRONG_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  9007199254740993,
  '',
  ' ',
  'x',
  '-1',
  '1.5',
  '1e400',
  'NaN',
  'Infinity',
  '-Infinity',
  '0x10',
  'null',
  {},
  { a: 1 },
  { key: 'k', value: 'v' },
  [],
  [null],
  [1],
  ['x'],
  [{}],
  [[]],
  [[['deep']]],
  'ü🙂\u0000\ud800\u200f',
  '../../etc/passwd',
  '/etc/passwd',
  "' OR 1=1 --",
  'a'.repeat(10_000),
];

/** Query-string values: everything arrives as text, so hostility is in the text. */
const WRONG_QUERY: Array<string | string[]> = ['', 'x', '-1', '1.5', '1e400', 'NaN', 'Infinity', 'true', '[]', '{}', '\u0000', '%', 'ü🙂', '../..', ['a', 'b'], ['', ''], 'a'.repeat(10_000), "' OR 1=1 --"];

/** Ids that look right but name nothing. */
const UNKNOWN_IDS = { run_id: 'deadbeefdeadbeefdeadbeefdeadbeef', experiment_id: '987654321', model_id: 'm-0000000000000000', experiment_name: 'no-such-experiment' };

/** Hostile values for path parameters and artifact paths, already URL-encoded where that matters. */
const HOSTILE_PATHS = [
  '..',
  '../..',
  '..%2f..%2f..%2fetc%2fpasswd',
  '%2e%2e',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '%252e%252e%252f',
  '..%5c..%5cwindows',
  '/etc/passwd',
  '%2Fetc%2Fpasswd',
  '//etc/passwd',
  'C:%5cWindows',
  '%00',
  'a%00b',
  'a%00.txt',
  '%',
  '%zz',
  '%c0%ae%c0%ae',
  '%ed%a0%80',
  '%C3%BC%2F%E6%97%A5%E6%9C%AC%2F%F0%9F%99%82',
  'ü/日本/🙂',
  '.',
  './.',
  'a/./b/../c',
  'a'.repeat(5000),
  `${'a/'.repeat(2000)}x`,
  'x?y=1',
  'x#frag',
  'CON',
  '%20',
];

interface Failure {
  label: string;
  detail: string;
}

/** encodeURIComponent that cannot throw: lone surrogates become U+FFFD first. */
const enc = (s: string) => encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'));

/** The path as the app sees it: inject resolves '.' and '..' segments (and %2e) as a WHATWG URL does. */
function servedPath(url: string): string {
  try {
    const u = new URL(url, 'http://localhost');
    return u.pathname + u.search;
  } catch {
    return url;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Sends bytes exactly as given over a socket, so '..' and '%2e' reach the
 * server unresolved (curl --path-as-is does the same). Returns status and body.
 */
function rawRequest(port: number, head: string, body = ''): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.write(`${head}\r\nHost: localhost\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (data += d));
    socket.on('error', reject);
    socket.on('end', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      resolve({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4) });
    });
  });
}

/** A decoded artifact path that must never be accepted: a '..' segment, NUL, a leading '/', a backslash. */
const DECODED_TRAVERSAL = /(^|\/)\.\.(\/|$)|\u0000|^\/|\\/;

function isNonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

/** Sends nothing that needs a fixture: a valid-looking body per MLflow route, built from the ids the fixtures made. */
function templates(ids: { experimentId: string; runId: string; victimRunId: string; victimExperimentId: string }): Record<string, Record<string, unknown>> {
  const kv = [{ key: 'k', value: 'v' }];
  return {
    'POST /experiments/create': { name: 'fz-new', artifact_location: 'mlflow-artifacts:/fz', tags: kv },
    'GET /experiments/get': { experiment_id: ids.experimentId },
    'GET /experiments/get-by-name': { experiment_name: 'fz-exp' },
    'POST /experiments/search': { filter: "name LIKE 'fz%'", view_type: 'ALL', max_results: 10, order_by: ['name ASC'], page_token: '' },
    'GET /experiments/search': { filter: "name LIKE 'fz%'", view_type: 'ALL', max_results: 10 },
    'POST /experiments/update': { experiment_id: ids.victimExperimentId, new_name: 'fz-renamed' },
    'POST /experiments/delete': { experiment_id: ids.victimExperimentId },
    'POST /experiments/restore': { experiment_id: ids.victimExperimentId },
    'POST /experiments/set-experiment-tag': { experiment_id: ids.experimentId, key: 'k', value: 'v' },
    'POST /experiments/delete-experiment-tag': { experiment_id: ids.experimentId, key: 'k' },
    'POST /runs/create': { experiment_id: ids.experimentId, user_id: 'u', run_name: 'r', start_time: 1, tags: kv },
    'POST /runs/update': { run_id: ids.runId, status: 'RUNNING', end_time: 2, run_name: 'n' },
    'POST /runs/delete': { run_id: ids.victimRunId },
    'POST /runs/restore': { run_id: ids.victimRunId },
    'GET /runs/get': { run_id: ids.runId },
    'POST /runs/log-metric': { run_id: ids.runId, key: 'm', value: 1.5, timestamp: 1, step: 0 },
    'POST /runs/log-parameter': { run_id: ids.runId, key: 'p', value: 'v' },
    'POST /runs/set-tag': { run_id: ids.runId, key: 't', value: 'v' },
    'POST /runs/delete-tag': { run_id: ids.runId, key: 't' },
    'POST /runs/log-batch': { run_id: ids.runId, metrics: [{ key: 'm', value: 2, timestamp: 2, step: 1 }], params: [{ key: 'bp', value: 'v' }], tags: kv },
    'POST /runs/log-model': { run_id: ids.runId, model_json: '{"artifact_path":"model","flavors":{}}' },
    'POST /runs/log-inputs': {
      run_id: ids.runId,
      datasets: [{ tags: kv, dataset: { name: 'd', digest: 'abc', source_type: 'local', source: '{}', schema: '{}', profile: '{}' } }],
      models: [{ model_id: UNKNOWN_IDS.model_id }],
    },
    'POST /runs/outputs': { run_id: ids.runId, models: [{ model_id: UNKNOWN_IDS.model_id, step: 1 }] },
    'POST /runs/search': { experiment_ids: [ids.experimentId], filter: 'metrics.m > 0', run_view_type: 'ALL', max_results: 10, order_by: ['metrics.m DESC'], page_token: '' },
    'GET /runs/search': { experiment_ids: ids.experimentId, filter: 'metrics.m > 0', run_view_type: 'ALL', max_results: 10 },
    'GET /metrics/get-history': { run_id: ids.runId, metric_key: 'm', max_results: 10, page_token: '' },
    'POST /logged-models': { experiment_id: ids.experimentId, name: 'lm', model_type: 't', source_run_id: ids.runId, params: kv, tags: kv },
    'POST /logged-models/search': {
      experiment_ids: [ids.experimentId],
      filter: "name = 'lm'",
      datasets: [{ dataset_name: 'd', dataset_digest: 'abc' }],
      order_by: [{ field_name: 'creation_time', ascending: false }],
      max_results: 10,
      page_token: '',
    },
    'GET /logged-models/:model_id': {},
    'PATCH /logged-models/:model_id': { status: 'READY' },
    'DELETE /logged-models/:model_id': {},
    'POST /logged-models/:model_id/params': { params: kv },
    'PATCH /logged-models/:model_id/tags': { tags: kv },
    'DELETE /logged-models/:model_id/tags/:tag_key': {},
    'GET /artifacts/list': { run_id: ids.runId, path: 'dir' },
    // The model registry, on the registered model 'fz-rm' (version 1) the fixtures made.
    'POST /registered-models/create': { name: 'fz-rm-new', tags: kv, description: 'd' },
    'POST /registered-models/rename': { name: 'fz-rm-victim', new_name: 'fz-rm-renamed' },
    'PATCH /registered-models/update': { name: 'fz-rm', description: 'd' },
    'DELETE /registered-models/delete': { name: 'fz-rm-victim' },
    'GET /registered-models/get': { name: 'fz-rm' },
    'GET /registered-models/search': { filter: "name LIKE 'fz%' AND tags.k != 'v'", max_results: 10, order_by: ['name DESC'], page_token: '' },
    'POST /registered-models/get-latest-versions': { name: 'fz-rm', stages: ['None', 'Production'] },
    'GET /registered-models/get-latest-versions': { name: 'fz-rm', stages: ['None'] },
    'POST /registered-models/set-tag': { name: 'fz-rm', key: 'k', value: 'v' },
    'DELETE /registered-models/delete-tag': { name: 'fz-rm', key: 'k' },
    'POST /registered-models/alias': { name: 'fz-rm', alias: 'champ', version: '1' },
    'DELETE /registered-models/alias': { name: 'fz-rm', alias: 'champ' },
    'GET /registered-models/alias': { name: 'fz-rm', alias: 'champ' },
    'POST /model-versions/create': { name: 'fz-rm', source: `runs:/${ids.runId}/dir`, run_id: ids.runId, tags: kv, run_link: 'l', description: 'd' },
    'GET /model-versions/get': { name: 'fz-rm', version: '1' },
    'PATCH /model-versions/update': { name: 'fz-rm', version: '1', description: 'd' },
    'DELETE /model-versions/delete': { name: 'fz-rm', version: '2' },
    'GET /model-versions/search': { filter: "name = 'fz-rm' AND version_number >= 1", max_results: 10, order_by: ['version_number DESC'], page_token: '' },
    'GET /model-versions/get-download-uri': { name: 'fz-rm', version: '1' },
    'POST /model-versions/transition-stage': { name: 'fz-rm', version: '1', stage: 'Staging', archive_existing_versions: true },
    'POST /model-versions/set-tag': { name: 'fz-rm', version: '1', key: 'k', value: 'v' },
    'DELETE /model-versions/delete-tag': { name: 'fz-rm', version: '1', key: 'k' },
    /** For routes added later without a template of their own. */
    generic: { run_id: ids.runId, experiment_id: ids.experimentId, name: 'fz-generic', key: 'k', value: 'v', max_results: 10, tags: kv },
  };
}

/** Every JSON path inside a value, e.g. ['metrics', 0, 'value']; the root is []. */
function paths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function setAt(value: unknown, path: Array<string | number>, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy: any = Array.isArray(value) ? [...value] : { ...(value as object) };
  copy[path[0]!] = setAt(copy[path[0]!], path.slice(1), replacement);
  return copy;
}

function randomValue(rnd: SeededRandom, depth = 0): unknown {
  const r = rnd.next();
  if (depth > 3 || r < 0.55) return rnd.pick(WRONG_VALUES);
  if (r < 0.75) return Array.from({ length: rnd.int(0, 3) }, () => randomValue(rnd, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = rnd.int(0, 4); i > 0; i--) o[rnd.pick(FIELD_NAMES)] = randomValue(rnd, depth + 1);
  return o;
}

const FIELD_NAMES = [
  'run_id',
  'run_uuid',
  'experiment_id',
  'experiment_ids',
  'experiment_name',
  'name',
  'new_name',
  'key',
  'value',
  'timestamp',
  'step',
  'metrics',
  'params',
  'tags',
  'status',
  'start_time',
  'end_time',
  'run_name',
  'user_id',
  'filter',
  'order_by',
  'max_results',
  'page_token',
  'view_type',
  'run_view_type',
  'metric_key',
  'model_json',
  'datasets',
  'dataset',
  'models',
  'model_id',
  'source_run_id',
  'model_type',
  'artifact_location',
  'path',
  'field_name',
  'ascending',
  'version',
  'alias',
  'stage',
  'stages',
  'source',
  'description',
  'archive_existing_versions',
  '__proto__',
  'constructor',
];

describe('endpoint fuzzer (sqlite)', () => {
  const kind = testDatabaseKinds().find((k) => k.name === 'sqlite')!;
  let h: ApiHarness;
  /** A second app whose body limit lets 1 MB strings reach the handlers. */
  let roomy: ApiHarness;
  let routes: RouteEntry[];
  let bodies: Record<string, Record<string, unknown>>;
  let modelId: string;
  let port: number;
  let requests = 0;

  before(async () => {
    h = await openApiHarness(kind, { bodyLimit: BODY_LIMIT });
    roomy = await openApiHarness(kind);
    routes = listRoutes(h.app);
    // Also on a socket, for what inject cannot send (raw dot segments, over-long request lines).
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    port = (h.app.server.address() as AddressInfo).port;
    const mk = async (a: ApiHarness) => {
      const experimentId = (await a.call('POST', '/api/2.0/mlflow/experiments/create', { name: 'fz-exp' })).body.experiment_id;
      const victimExperimentId = (await a.call('POST', '/api/2.0/mlflow/experiments/create', { name: 'fz-victim' })).body.experiment_id;
      const runId = (await a.call('POST', '/api/2.0/mlflow/runs/create', { experiment_id: experimentId })).body.run.info.run_id;
      const victimRunId = (await a.call('POST', '/api/2.0/mlflow/runs/create', { experiment_id: experimentId })).body.run.info.run_id;
      const model = await a.call('POST', '/api/2.0/mlflow/logged-models', { experiment_id: experimentId, name: 'lm' });
      assert.equal(model.status, 200, JSON.stringify(model.body));
      await a.call('PUT', `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/dir/file.txt`, 'hello');
      for (const name of ['fz-rm', 'fz-rm-victim']) {
        await a.call('POST', '/api/2.0/mlflow/registered-models/create', { name });
        const mv = await a.call('POST', '/api/2.0/mlflow/model-versions/create', { name, source: `runs:/${runId}/dir` });
        assert.equal(mv.status, 200, JSON.stringify(mv.body));
      }
      return { experimentId, victimExperimentId, runId, victimRunId, modelId: model.body.model.info.model_id as string };
    };
    const ids = await mk(h);
    await mk(roomy);
    modelId = ids.modelId;
    bodies = templates(ids);
  });
  after(async () => {
    await h.close();
    await roomy.close();
  });

  /** Sends one request and records every way the answer breaks the contract. */
  async function probe(app: ApiHarness, opts: InjectOptions & { url: string; method: string }, label: string, failures: Failure[]) {
    requests++;
    let res;
    try {
      res = await app.app.inject(opts);
    } catch (err) {
      failures.push({ label, detail: `inject threw ${String(err)}` });
      return undefined;
    }
    const where = `${label} → ${res.statusCode} ${res.body.slice(0, 300)}`;
    // MLflow's client falls back to plain transfers only on a 501 NOT_IMPLEMENTED from the multipart endpoints.
    const intended501 = res.statusCode === 501 && /\/(mpu|presigned)\//.test(opts.url) && (opts.method === 'HEAD' || /"error_code":"NOT_IMPLEMENTED"/.test(res.body));
    if (res.statusCode >= 500 && !intended501) failures.push({ label, detail: `5xx: ${where}` });
    if (/root:.*:0:0:/.test(res.body)) failures.push({ label, detail: `leaked /etc/passwd: ${where}` });
    if (res.statusCode >= 400 && opts.method !== 'HEAD') {
      let body: any;
      try {
        body = JSON.parse(res.body);
      } catch {
        failures.push({ label, detail: `error body is not JSON: ${where}` });
        return res;
      }
      const protocol = protocolOf(servedPath(opts.url));
      const ok =
        protocol === 'mlflow' || protocol === 'scoring'
          ? isNonEmptyString(body?.error_code) &&
            isNonEmptyString(body?.message) &&
            // Ferry may add `details` (an object) for its own SDK; MLflow clients ignore unknown fields.
            Object.keys(body).every((k) => k === 'error_code' || k === 'message' || (k === 'details' && typeof body.details === 'object'))
          : protocol === 'oip'
            ? isNonEmptyString(body?.error)
            : (ERROR_CODES as readonly string[]).includes(body?.error?.code) && isNonEmptyString(body?.error?.message);
      if (!ok) failures.push({ label, detail: `not ${protocol}-shaped: ${where}` });
    }
    return res;
  }

  function report(failures: Failure[]) {
    const unique = new Map<string, string>();
    for (const f of failures) if (!unique.has(f.detail.slice(0, 120))) unique.set(f.detail.slice(0, 120), `${f.label}: ${f.detail}`);
    assert.deepEqual([...unique.values()].slice(0, 25), [], `${failures.length} contract violations (seed ${SEED})`);
  }

  /** The MLflow route behind a recorded route, e.g. 'POST /runs/log-batch', or undefined for others. */
  function templateKey(r: RouteEntry): string | undefined {
    const prefix = MLFLOW_PREFIXES.find((p) => r.url.startsWith(`${p}/`));
    if (!prefix) return undefined;
    return `${r.method === 'HEAD' ? 'GET' : r.method} ${r.url.slice(prefix.length)}`;
  }

  function urlOf(r: RouteEntry, param = modelId, wildcard = 'fz/file.txt'): string {
    return concreteUrl(r.url, param, wildcard);
  }

  function queryUrl(url: string, query: Record<string, unknown>): string {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (Array.isArray(v)) v.forEach((x) => qs.append(k, typeof x === 'string' ? x : JSON.stringify(x)));
      else if (v !== undefined) qs.append(k, typeof v === 'string' ? v : JSON.stringify(v));
    }
    const s = qs.toString();
    return s ? `${url}?${s}` : url;
  }

  /** One request carrying `payload` the way the route reads input: query for GET/HEAD, JSON body otherwise. */
  function requestFor(r: RouteEntry, payload: unknown, url = urlOf(r)): InjectOptions & { url: string; method: string } {
    if (BODY_METHODS.has(r.method)) return { method: r.method, url, headers: JSON_TYPE, payload: JSON.stringify(payload) };
    return { method: r.method, url: queryUrl(url, (payload && typeof payload === 'object' && !Array.isArray(payload) ? payload : { v: payload }) as Record<string, unknown>) };
  }

  it('walks a route table that covers everything Fastify serves', () => {
    assert.ok(routes.length > 50);
    const recorded = new Set(routes.map(pairKey));
    for (const p of printedRoutes(h.app)) assert.ok(recorded.has(pairKey(p)), `not recorded: ${pairKey(p)}`);
    for (const r of routes) {
      // A route without a template of its own is still fuzzed, from the generic body.
      const key = templateKey(r);
      if (key && !(key in bodies)) console.log(`fuzz: no template for ${key}; using the generic body`);
    }
  });

  it('answers malformed JSON and JSON of the wrong top-level type with a 4xx in protocol shape', async () => {
    const failures: Failure[] = [];
    const payloads = ['{', '{"a":', '{"a":1,}', "{'a':1}", 'nul', 'tru', '{"a" 1}', '[1,]', '"unterminated', '\u0000', '\ufeff{}', '{"a":"\\x"}', '{"a":"\\ud800"}', '{"__proto__":{"polluted":1}}', '{"a":{"constructor":{"prototype":{"x":1}}}}', '[]', '[1,2]', '[{}]', '"a string"', '42', '-0', '1e999', 'null', 'true', 'false', '{}{}', '{} trailing', ' \n\t '];
    for (const r of routes) {
      const methods = BODY_METHODS.has(r.method) ? [r.method] : [];
      for (const method of methods) for (const p of payloads) await probe(h, { method, url: urlOf(r), headers: JSON_TYPE, payload: p }, `${method} ${r.url} body ${JSON.stringify(p)}`, failures);
    }
    assert.equal(({} as any).polluted, undefined, 'Object.prototype was polluted');
    report(failures);
  });

  it('answers every field of every route set to a wrong type or hostile value without a 5xx', async () => {
    const failures: Failure[] = [];
    for (const r of routes) {
      const key = templateKey(r);
      if (!key) continue;
      const template = bodies[key] ?? bodies.generic!;
      // The first MLflow prefix gets every mutation; the other two share its handlers and get a sample.
      const full = r.url.startsWith('/api/2.0/mlflow/');
      for (const path of paths(template)) {
        const values = full ? WRONG_VALUES : WRONG_VALUES.filter((_, i) => i % 5 === 0);
        for (const v of values) {
          if (path.length === 0 && v !== null && typeof v !== 'object') continue;
          const body = setAt(template, path, v);
          await probe(h, requestFor(r, body), `${r.method} ${r.url} ${path.join('.') || '<root>'}=${JSON.stringify(v)?.slice(0, 40)}`, failures);
        }
      }
      // Unknown ids everywhere an id goes.
      for (const [field, unknown] of Object.entries(UNKNOWN_IDS)) {
        if (field in template) await probe(h, requestFor(r, { ...template, [field]: unknown }), `${r.method} ${r.url} unknown ${field}`, failures);
      }
      if (r.url.includes(':model_id')) await probe(h, requestFor(r, template, urlOf(r, UNKNOWN_IDS.model_id)), `${r.method} ${r.url} unknown model`, failures);
      // GET routes: hostile text in every query field, and repeated fields.
      if (!BODY_METHODS.has(r.method)) {
        for (const field of Object.keys(template)) {
          for (const v of WRONG_QUERY) await probe(h, requestFor(r, { ...template, [field]: v }), `${r.method} ${r.url} ?${field}=${JSON.stringify(v).slice(0, 30)}`, failures);
        }
      }
    }
    report(failures);
  });

  it('survives seeded random bodies on every route', async () => {
    const failures: Failure[] = [];
    const rnd = seededRandom(SEED);
    for (const r of routes) {
      const key = templateKey(r);
      const template = key ? (bodies[key] ?? bodies.generic!) : {};
      const n = r.url.startsWith('/api/2.0/mlflow/') ? 25 : 5;
      for (let i = 0; i < n; i++) {
        let body: unknown = template;
        // Mutate a few random places of the valid body, and sometimes add random fields.
        for (let m = rnd.int(1, 4); m > 0; m--) body = setAt(body, rnd.pick(paths(body).filter((p) => p.length > 0)) ?? [], randomValue(rnd));
        if (rnd.chance(0.3) && body && typeof body === 'object' && !Array.isArray(body)) body = { ...(body as object), [rnd.pick(FIELD_NAMES)]: randomValue(rnd) };
        await probe(h, requestFor(r, body), `${r.method} ${r.url} random#${i} ${JSON.stringify(body)?.slice(0, 120)}`, failures);
      }
    }
    // A random body may legitimately delete the fixtures (e.g. experiments/delete with experiment_id [1]); later tests need them back.
    const { run_id: runId } = bodies['GET /runs/get'] as { run_id: string };
    const { experiment_id: experimentId } = bodies['GET /experiments/get'] as { experiment_id: string };
    await h.call('POST', '/api/2.0/mlflow/experiments/restore', { experiment_id: experimentId });
    await h.call('POST', '/api/2.0/mlflow/runs/restore', { run_id: runId });
    report(failures);
  });

  it('handles 1 MB strings in every field and query parameter', async () => {
    const failures: Failure[] = [];
    for (const r of routes) {
      const key = templateKey(r);
      if (!key || !r.url.startsWith('/api/2.0/mlflow/')) continue;
      const template = bodies[key] ?? bodies.generic!;
      const leaves = paths(template).filter((p) => p.length > 0);
      for (const path of leaves.length > 0 ? leaves : [['extra']]) {
        await probe(roomy, requestFor(r, setAt(template, path, MB)), `${r.method} ${r.url} ${path.join('.')}=<1 MB>`, failures);
      }
      if (r.url.includes(':model_id')) await probe(roomy, requestFor(r, template, urlOf(r, 'm'.repeat(1024 * 1024))), `${r.method} ${r.url} 1 MB model id`, failures);
    }
    // A 1 MB artifact path, and a 1 MB upload (uploads stream past the JSON body limit).
    const artifacts = '/api/2.0/mlflow-artifacts/artifacts';
    await probe(h, { method: 'GET', url: `${artifacts}/${'a'.repeat(1024 * 1024)}` }, 'GET 1 MB artifact path', failures);
    await probe(h, { method: 'GET', url: `${artifacts}?path=${'a'.repeat(1024 * 1024)}` }, 'GET artifacts ?path=<1 MB>', failures);
    const put = await probe(h, { method: 'PUT', url: `${artifacts}/fz/big.bin`, payload: MB, headers: { 'content-type': 'application/octet-stream' } }, 'PUT 1 MB artifact', failures);
    assert.equal(put?.statusCode, 200);
    report(failures);
  });

  it('refuses deep nesting (10,000 levels) without overflowing the stack', async () => {
    const failures: Failure[] = [];
    const deepArray = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const deepObject = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const payloads = [
      '['.repeat(10_000),
      deepArray,
      deepObject,
      `{"run_id":${deepArray}}`,
      `{"run_id":${`${'['.repeat(10_000)}"x"${']'.repeat(10_000)}`}}`,
      `{"metrics":[{"key":"m","value":${deepArray},"timestamp":1,"step":1}]}`,
      `{"tags":${deepArray},"name":"n"}`,
      `{"__proto__":${deepObject}}`,
      `{"a":${deepArray.replace(/\]$/, ',NaN]')}}`,
      `${'['.repeat(101)}${']'.repeat(101)}`,
    ];
    for (const r of routes) {
      if (!BODY_METHODS.has(r.method)) continue;
      for (const p of payloads) {
        const res = await probe(h, { method: r.method, url: urlOf(r), headers: JSON_TYPE, payload: p }, `${r.method} ${r.url} deep ${p.slice(0, 30)}…`, failures);
        // The artifact upload takes raw bytes of any type; every other body is JSON and must be refused.
        if (res && r.method !== 'PUT' && !r.url.includes('/mpu/') && res.statusCode !== 400) failures.push({ label: `${r.method} ${r.url}`, detail: `deep body answered ${res.statusCode}` });
      }
    }
    // Deeply nested query-like input cannot happen (queries are flat), but a deep path can.
    await probe(h, { method: 'GET', url: `/api/2.0/mlflow-artifacts/artifacts/${'a/'.repeat(10_000)}x` }, 'GET 10,000-segment artifact path', failures);
    report(failures);
  });

  it('reads NaN and Infinity tokens as MLflow clients send them, and refuses them where numbers make no sense', async () => {
    const failures: Failure[] = [];
    const payloads = [
      'NaN',
      '[NaN]',
      '{"value": NaN}',
      '{"value": Infinity, "step": -Infinity, "timestamp": NaN}',
      '{"max_results": Infinity}',
      '{"max_results": NaN}',
      '{"start_time": -Infinity}',
      '{"value": Infinityx}',
      '{"value": NaNa}',
      '{"value": -NaN}',
      '{"value": +Infinity}',
      '{"value": "NaN\\"}", "k": NaN}',
      '{"metrics":[{"key":"m","value":NaN,"timestamp":NaN,"step":Infinity}]}',
    ];
    for (const r of routes) {
      if (!BODY_METHODS.has(r.method)) continue;
      const key = templateKey(r);
      const template = key ? JSON.stringify(bodies[key] ?? bodies.generic) : '{}';
      for (const p of payloads) await probe(h, { method: r.method, url: urlOf(r), headers: JSON_TYPE, payload: p }, `${r.method} ${r.url} ${p}`, failures);
      // The valid body with every number swapped for a bare token.
      for (const token of ['NaN', 'Infinity', '-Infinity']) {
        await probe(h, { method: r.method, url: urlOf(r), headers: JSON_TYPE, payload: template.replace(/(?<=:)-?\d+(\.\d+)?/g, token) }, `${r.method} ${r.url} numbers→${token}`, failures);
      }
    }
    // A metric that is NaN is a legal MLflow value and must round-trip.
    const runId = (bodies['GET /runs/get'] as { run_id: string }).run_id;
    const nan = await h.app.inject({ method: 'POST', url: '/api/2.0/mlflow/runs/log-metric', headers: JSON_TYPE, payload: `{"run_id":"${runId}","key":"nan-metric","value":NaN,"timestamp":5,"step":5}` });
    assert.equal(nan.statusCode, 200, nan.body);
    const back = await h.call('GET', '/api/2.0/mlflow/metrics/get-history', { run_id: runId, metric_key: 'nan-metric' });
    assert.deepEqual(back.body.metrics, [{ key: 'nan-metric', value: 'NaN', timestamp: 5, step: 5 }]);
    report(failures);
  });

  it('refuses hostile path parameters and never reads or writes outside the artifact root', async () => {
    const failures: Failure[] = [];
    const escape = `ferry-fuzz-escape-${SEED}`;
    const withParams = routes.filter((r) => r.url.includes(':') || r.url.endsWith('*'));
    assert.ok(withParams.length > 0);
    for (const r of withParams) {
      for (const p of HOSTILE_PATHS) {
        const url = concreteUrl(r.url, p, p);
        const opts = BODY_METHODS.has(r.method) ? { method: r.method, url, headers: JSON_TYPE, payload: '{}' } : { method: r.method, url };
        const res = await probe(h, opts, `${r.method} ${url.slice(0, 120)}`, failures);
        // inject resolves dot segments first (as most clients do); judge what reached the router. Raw paths are sent below.
        const served = servedPath(url);
        const tail = served.includes('/artifacts/') ? served.slice(served.indexOf('/artifacts/') + '/artifacts/'.length) : '';
        if (res && res.statusCode < 300 && r.url.includes('mlflow-artifacts/artifacts') && DECODED_TRAVERSAL.test(safeDecode(tail))) {
          failures.push({ label: `${r.method} ${url}`, detail: `accepted a traversal path: ${res.statusCode}` });
        }
      }
      // Try to write where a traversal would land.
      if (r.method === 'PUT') {
        for (const p of [`..%2f..%2f..%2f${escape}`, `%2e%2e/%2e%2e/%2e%2e/${escape}`, `%2F${escape}`, `..%5c..%5c${escape}`]) {
          await probe(h, { method: 'PUT', url: concreteUrl(r.url, p, p), payload: 'pwned', headers: { 'content-type': 'application/octet-stream' } }, `PUT traversal ${p}`, failures);
        }
      }
    }
    // The same over a socket, with the dot segments left raw.
    {
      for (const prefix of ['/api/2.0/mlflow-artifacts/artifacts', '/ajax-api/2.0/mlflow-artifacts/artifacts']) {
        for (const p of ['../../../../../../etc/passwd', '..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd', '%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/etc/passwd', '%2Fetc%2Fpasswd', 'a/../../../../../../etc/passwd', 'a%00/../b']) {
          for (const method of ['GET', 'HEAD', 'DELETE']) {
            const res = await rawRequest(port, `${method} ${prefix}/${p} HTTP/1.1`);
            if (res.status < 400 || res.status >= 500 || /root:.*:0:0:/.test(res.body)) {
              failures.push({ label: `raw ${method} ${prefix}/${p}`, detail: `${res.status} ${res.body.slice(0, 200)}` });
            }
          }
          const put = await rawRequest(port, `PUT ${prefix}/${p.replace('etc/passwd', escape)} HTTP/1.1\r\nContent-Type: application/octet-stream`, 'pwned');
          if (put.status < 400 || put.status >= 500) failures.push({ label: `raw PUT ${prefix}/${p}`, detail: `${put.status} ${put.body.slice(0, 200)}` });
        }
        const list = await rawRequest(port, `GET ${prefix}?path=../../../../etc HTTP/1.1`);
        if (list.status !== 400) failures.push({ label: `raw list ${prefix}?path=../..`, detail: `${list.status} ${list.body.slice(0, 200)}` });
      }
    }
    for (const where of [join(tmpdir(), escape), join('/', escape), join(h.app.services.config.home, escape), join(h.app.services.config.home, '..', escape)]) {
      assert.equal(existsSync(where), false, `an upload escaped to ${where}`);
    }
    // The artifact list endpoints refuse traversal in their query too.
    for (const p of ['..', '../..', '/etc', '%2e%2e', 'dir/../../..', '\u0000']) {
      await probe(h, { method: 'GET', url: queryUrl('/api/2.0/mlflow-artifacts/artifacts', { path: p }) }, `list ?path=${p}`, failures);
      const runId = (bodies['GET /runs/get'] as { run_id: string }).run_id;
      const res = await probe(h, { method: 'GET', url: queryUrl('/api/2.0/mlflow/artifacts/list', { run_id: runId, path: p }) }, `artifacts/list ?path=${p}`, failures);
      if (res && res.statusCode === 200 && JSON.parse(res.body).files) failures.push({ label: `artifacts/list ${p}`, detail: `listed outside the run: ${res.body.slice(0, 200)}` });
    }
    report(failures);
  });

  it('accepts unicode in names, keys and values, and answers unicode paths in shape', async () => {
    const failures: Failure[] = [];
    const strings = ['日本語', 'emoji 🙂🚀', 'RTL \u202eevil', 'zero\u200bwidth', 'combining é', '\ud800 lone', 'nul \u0000 inside', 'ﬁ ligature', '\uffff'];
    const runId = (bodies['GET /runs/get'] as { run_id: string }).run_id;
    for (const s of strings) {
      for (const [path, body] of [
        ['/experiments/create', { name: `fz ${s}` }],
        ['/runs/set-tag', { run_id: runId, key: 'unicode', value: s }],
        ['/runs/set-tag', { run_id: runId, key: s, value: s }],
        ['/runs/log-parameter', { run_id: runId, key: `p-${strings.indexOf(s)}`, value: s }],
        ['/runs/log-metric', { run_id: runId, key: s, value: 1, timestamp: 1, step: 1 }],
        ['/logged-models', { experiment_id: '0', name: s }],
        ['/experiments/search', { filter: `name = '${s}'` }],
        ['/runs/search', { experiment_ids: ['0'], filter: `tags.unicode = '${s}'` }],
      ] as const) {
        await probe(h, { method: 'POST', url: `/api/2.0/mlflow${path}`, headers: JSON_TYPE, payload: JSON.stringify(body) }, `POST ${path} ${JSON.stringify(s)}`, failures);
      }
      await probe(h, { method: 'GET', url: queryUrl('/api/2.0/mlflow/experiments/get-by-name', { experiment_name: `fz ${s}` }) }, `get-by-name ${JSON.stringify(s)}`, failures);
      await probe(h, { method: 'GET', url: `/api/2.0/mlflow/${enc(s)}` }, `unknown unicode path ${JSON.stringify(s)}`, failures);
    }
    // A tag value with a lone surrogate or NUL is stored and comes back as sent (JSON escapes both).
    const tag = await h.call('POST', '/api/2.0/mlflow/runs/set-tag', { run_id: runId, key: 'roundtrip', value: '日本 🙂' });
    assert.equal(tag.status, 200);
    const run = await h.call('GET', '/api/2.0/mlflow/runs/get', { run_id: runId });
    assert.equal(run.body.run.data.tags.find((t: { key: string }) => t.key === 'roundtrip').value, '日本 🙂');
    report(failures);
  });

  it('answers over-long URLs in shape, in-process and over a real socket', async () => {
    const failures: Failure[] = [];
    for (const url of [
      `/api/2.0/mlflow/runs/get?run_id=${'a'.repeat(200_000)}`,
      `/api/2.0/mlflow/${'x'.repeat(200_000)}`,
      `/${'x/'.repeat(50_000)}`,
      `/api/2.0/mlflow/metrics/get-history?${'k=v&'.repeat(20_000)}`,
      `/api/2.0/mlflow/runs/search?${Array.from({ length: 5000 }, (_, i) => `experiment_ids=${i}`).join('&')}`,
    ]) {
      await probe(h, { method: 'GET', url }, `GET ${url.slice(0, 60)}… (${url.length} chars)`, failures);
    }
    report(failures);
    // Node's HTTP parser caps the request line; the server must refuse cleanly and stay up.
    const long = await rawRequest(port, `GET /api/2.0/mlflow/runs/get?run_id=${'a'.repeat(100_000)} HTTP/1.1`).catch((err: Error) => err);
    if (!(long instanceof Error)) assert.ok(long.status < 500 && long.status >= 400, `over-long URL answered ${long.status}`);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    assert.equal(health.status, 200);
  });

  it('refuses a JSON body over the body limit with 413 in protocol shape', async () => {
    const failures: Failure[] = [];
    const big = JSON.stringify({ name: 'x'.repeat(BODY_LIMIT), run_id: 'r' });
    for (const r of routes) {
      if (!BODY_METHODS.has(r.method)) continue;
      const res = await probe(h, { method: r.method, url: urlOf(r), headers: JSON_TYPE, payload: big }, `${r.method} ${r.url} over limit`, failures);
      // Uploads stream with no JSON limit; the multipart stubs answer before reading.
      if (res && r.method !== 'PUT' && !r.url.includes('/mpu/') && !r.url.endsWith('/data/uploads')) {
        if (res.statusCode !== 413) failures.push({ label: `${r.method} ${r.url}`, detail: `over-limit body answered ${res.statusCode}` });
        else if (protocolOf(r.url) === 'mlflow' && JSON.parse(res.body).error_code !== 'RESOURCE_EXHAUSTED') failures.push({ label: r.url, detail: res.body });
      }
    }
    // Just under the limit still parses.
    const under = JSON.stringify({ name: 'y'.repeat(BODY_LIMIT - 100) });
    const ok = await h.app.inject({ method: 'POST', url: '/api/2.0/mlflow/experiments/search', headers: JSON_TYPE, payload: under });
    assert.notEqual(ok.statusCode, 413);
    report(failures);
  });

  it('refuses wrong content types in protocol shape', async () => {
    const failures: Failure[] = [];
    const types = [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/octet-stream',
      'application/json; charset=utf-16',
      'application/jsonx',
      'APPLICATION/JSON',
      'application/json;;;',
      'text/json',
      '*/*',
      '',
      'garbage',
      'application/json, text/plain',
    ];
    for (const r of routes) {
      if (!BODY_METHODS.has(r.method)) continue;
      for (const t of types) {
        await probe(h, { method: r.method, url: urlOf(r), headers: { 'content-type': t }, payload: '{"name":"ct","run_id":"x"}' }, `${r.method} ${r.url} content-type ${JSON.stringify(t)}`, failures);
      }
      // A body with no content type at all.
      await probe(h, { method: r.method, url: urlOf(r), payload: '{"a":1}' }, `${r.method} ${r.url} no content-type`, failures);
    }
    report(failures);
  });

  it('answers seeded random method and path combinations in shape', async () => {
    const failures: Failure[] = [];
    const rnd = seededRandom(SEED + 1);
    const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND', 'SEARCH', 'CONNECT'];
    const segments = [...new Set(routes.flatMap((r) => r.url.split('/')).filter(Boolean)), 'v2', 'models', 'infer', 'ferry', 'v1', '..', '%2e%2e', '%00', '', 'ü', '*', ':id', '?', '#'];
    const prefixes = ['', '/api/2.0/mlflow', '/ajax-api/2.0/mlflow', '/api/2.0/preview/mlflow', '/api/2.0/mlflow-artifacts', '/api/ferry/v1', '/v2', '/api/2.0', '/api'];
    for (let i = 0; i < 1500; i++) {
      const method = rnd.pick(methods);
      let url = rnd.chance(0.3) ? urlOf(rnd.pick(routes)) : rnd.pick(prefixes);
      for (let s = rnd.int(0, 4); s > 0; s--) url += `/${rnd.pick(segments)}`;
      if (url === '') url = '/';
      if (rnd.chance(0.3)) url += `?${rnd.pick(FIELD_NAMES)}=${enc(String(rnd.pick(WRONG_VALUES)))}`;
      if (rnd.chance(0.1)) url = url.replace(/\/+/g, '//');
      const withBody = method !== 'GET' && method !== 'HEAD' && rnd.chance(0.7);
      const opts: InjectOptions & { url: string; method: string } = withBody
        ? { method, url, headers: JSON_TYPE, payload: JSON.stringify(randomValue(rnd)) }
        : { method, url };
      await probe(h, opts, `${method} ${url.slice(0, 150)}`, failures);
    }
    report(failures);
  });

  it('keeps answering afterwards', async () => {
    assert.ok(requests > 5000, `only ${requests} requests were sent`);
    for (const app of [h, roomy]) {
      assert.equal((await app.call('GET', '/health')).status, 200);
      const exp = await app.call('POST', '/api/2.0/mlflow/experiments/create', { name: 'after-the-storm' });
      assert.equal(exp.status, 200, JSON.stringify(exp.body));
      const run = await app.call('POST', '/api/2.0/mlflow/runs/create', { experiment_id: exp.body.experiment_id });
      assert.equal(run.status, 200);
      const runId = run.body.run.info.run_id;
      assert.equal((await app.call('POST', '/api/2.0/mlflow/runs/log-metric', { run_id: runId, key: 'ok', value: 1, timestamp: 1, step: 1 })).status, 200);
      const got = await app.call('GET', '/api/2.0/mlflow/runs/get', { run_id: runId });
      assert.equal(got.body.run.data.metrics[0].key, 'ok');
    }
  });
});

// PostgreSQL cannot store NUL in text where SQLite can: every database must answer 200 or 400, never 500.
for (const kind of testDatabaseKinds()) {
  describe(`NUL characters in text (${kind.name})`, () => {
    let h: ApiHarness;
    before(async () => {
      h = await openApiHarness(kind);
    });
    after(async () => h.close());

    it('stores or refuses them in every text field and lookup, in protocol shape', async () => {
      const nul = 'a\u0000b';
      const runId = (await h.call('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0' })).body.run.info.run_id;
      const modelId = (await h.call('POST', '/api/2.0/mlflow/logged-models', { experiment_id: '0' })).body.model.info.model_id;
      const calls: Array<[string, string, Record<string, unknown>]> = [
        ['POST', '/experiments/create', { name: nul }],
        ['POST', '/experiments/create', { name: 'nul-tags', tags: [{ key: 'k', value: nul }] }],
        ['POST', '/experiments/set-experiment-tag', { experiment_id: '0', key: 'k', value: nul }],
        ['POST', '/experiments/update', { experiment_id: '0', new_name: nul }],
        ['GET', '/experiments/get-by-name', { experiment_name: nul }],
        ['GET', '/experiments/get', { experiment_id: nul }],
        ['POST', '/runs/create', { experiment_id: '0', run_name: nul, user_id: nul }],
        ['POST', '/runs/update', { run_id: runId, run_name: nul }],
        ['POST', '/runs/set-tag', { run_id: runId, key: 'k', value: nul }],
        ['POST', '/runs/log-parameter', { run_id: runId, key: 'p', value: nul }],
        ['POST', '/runs/log-batch', { run_id: runId, params: [{ key: 'q', value: nul }], tags: [{ key: 't', value: nul }] }],
        ['POST', '/runs/log-model', { run_id: runId, model_json: JSON.stringify({ name: nul }) }],
        ['POST', '/runs/log-inputs', { run_id: runId, datasets: [{ dataset: { name: nul, digest: 'd', source_type: 'local', source: nul } }] }],
        ['POST', '/runs/outputs', { run_id: runId, models: [{ model_id: nul }] }],
        ['GET', '/runs/get', { run_id: nul }],
        ['GET', '/metrics/get-history', { run_id: runId, metric_key: nul }],
        ['POST', '/logged-models', { experiment_id: '0', name: nul, model_type: nul, tags: [{ key: 'k', value: nul }] }],
        ['POST', '/logged-models/search', { experiment_ids: ['0'], datasets: [{ dataset_name: nul }] }],
        ['POST', `/logged-models/${modelId}/params`, { params: [{ key: 'k', value: nul }] }],
        ['PATCH', `/logged-models/${modelId}/tags`, { tags: [{ key: 'k', value: nul }] }],
        ['GET', `/logged-models/${encodeURIComponent(nul)}`, {}],
        ['GET', '/artifacts/list', { run_id: runId, path: nul }],
      ];
      const bad: string[] = [];
      for (const [method, path, body] of calls) {
        const r = await h.call(method, `/api/2.0/mlflow${path}`, method === 'GET' && Object.keys(body).length === 0 ? undefined : body);
        const shaped = r.status === 200 || (isNonEmptyString(r.body?.error_code) && isNonEmptyString(r.body?.message));
        if (r.status >= 500 || !shaped) bad.push(`${method} ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      }
      assert.deepEqual(bad, []);
      assert.equal((await h.call('GET', '/health')).status, 200);
    });
  });
}
