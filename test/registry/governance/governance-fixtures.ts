/**
 * Factories for governance tests: candidate versions whose source runs carry
 * metrics, params, datasets and a signature, and calls to the governance API.
 */
import assert from 'node:assert/strict';
import type { ApiHarness } from '../../helpers/api-server.js';
import { registryClient, unique } from '../registry-fixtures.js';

export const V1 = '/api/ferry/v1';

export interface InputSpec {
  name: string;
  dtype: string;
  shape: number[];
}

/** An MLmodel (pyfunc flavor, no ONNX graph) that declares tensor inputs. */
export function mlmodelWithInputs(inputs: InputSpec[] | null): string {
  const lines = ['flavors:', '  python_function:', '    loader_module: mlflow.pyfunc.model'];
  if (inputs) {
    const encoded = JSON.stringify(inputs.map((i) => ({ type: 'tensor', 'tensor-spec': { dtype: i.dtype, shape: i.shape }, name: i.name })));
    const outputs = JSON.stringify([{ type: 'tensor', 'tensor-spec': { dtype: 'float32', shape: [-1, 1] }, name: 'score' }]);
    lines.push('signature:', `  inputs: '${encoded}'`, `  outputs: '${outputs}'`, '  params: null');
  }
  return `${lines.join('\n')}\n`;
}

export const DEFAULT_INPUTS: InputSpec[] = [{ name: 'features', dtype: 'float32', shape: [-1, 4] }];

export interface CandidateOptions {
  metrics?: Record<string, number>;
  params?: Record<string, string>;
  /** Declared signature inputs; null for a package with no signature. Default DEFAULT_INPUTS. */
  inputs?: InputSpec[] | null;
  /** Model version tags, e.g. ferry.breaking_change. */
  tags?: Record<string, string>;
  runTags?: Record<string, string>;
  datasets?: Array<{ name: string; digest: string; context?: string }>;
  description?: string;
}

/** `headers` go with the artifact uploads the JSON calls cannot carry (with auth on, an admin token). */
/**
 * The part of ApiHarness the fixtures use, over real HTTP to a server at
 * `base` (a server process, or a test server with a socket).
 */
export function httpHarness(base: string): ApiHarness {
  return {
    app: {
      inject: async (o: { method: string; url: string; payload: string; headers: Record<string, string> }) => {
        const res = await fetch(`${base}${o.url}`, { method: o.method, headers: o.headers, body: o.payload });
        return { statusCode: res.status, body: await res.text() };
      },
    } as never,
    close: async () => undefined,
    call: async (method, path, body, headers = {}) => {
      const isGet = method === 'GET';
      const qs = isGet && body ? `?${new URLSearchParams(body as Record<string, string>)}` : '';
      const res = await fetch(`${base}${path}${qs}`, {
        method,
        headers: { ...(isGet || body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: isGet || body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Markdown cards are text.
      }
      return { status: res.status, body: parsed };
    },
  };
}

export function governanceClient(h: ApiHarness, headers: Record<string, string> = {}) {
  const reg = registryClient(h);

  async function buildRun(mlmodel: string): Promise<{ runId: string }> {
    const experimentId = (await reg.ok('POST', '/experiments/create', { name: unique('gov-exp') })).experiment_id as string;
    const run = (await reg.ok('POST', '/runs/create', { experiment_id: experimentId, start_time: 1 })).run;
    const root = (run.info.artifact_uri as string).replace(/^mlflow-artifacts:\/+/, '');
    const put = await h.app.inject({
      method: 'PUT',
      url: `/api/2.0/mlflow-artifacts/artifacts/${root}/model/MLmodel`,
      payload: mlmodel,
      headers: { 'content-type': 'application/octet-stream', ...headers },
    });
    assert.equal(put.statusCode, 200, put.body);
    return { runId: run.info.run_id as string };
  }

  /** A new version of `name` (created if need be) from a fresh run with the given metrics and package. */
  async function candidate(name: string, options: CandidateOptions = {}): Promise<number> {
    const run = await buildRun(mlmodelWithInputs(options.inputs === undefined ? DEFAULT_INPUTS : options.inputs));
    const metrics = Object.entries(options.metrics ?? {}).map(([key, value]) => ({ key, value, timestamp: 1, step: 0 }));
    const params = Object.entries(options.params ?? {}).map(([key, value]) => ({ key, value }));
    const tags = Object.entries(options.runTags ?? {}).map(([key, value]) => ({ key, value }));
    if (metrics.length + params.length + tags.length > 0) await reg.ok('POST', '/runs/log-batch', { run_id: run.runId, metrics, params, tags });
    if (options.datasets?.length) {
      await reg.ok('POST', '/runs/log-inputs', {
        run_id: run.runId,
        datasets: options.datasets.map((d) => ({
          tags: d.context ? [{ key: 'mlflow.data.context', value: d.context }] : [],
          dataset: { name: d.name, digest: d.digest, source_type: 'local', source: `file:///data/${d.name}.csv` },
        })),
      });
    }
    const existing = await h.call('GET', '/api/2.0/mlflow/registered-models/get', { name });
    if (existing.status === 404) await reg.createModel(name);
    const mv = await reg.createVersion(name, `runs:/${run.runId}/model`, {
      run_id: run.runId,
      tags: Object.entries(options.tags ?? {}).map(([key, value]) => ({ key, value })),
      ...(options.description ? { description: options.description } : {}),
    });
    return Number(mv.version);
  }

  async function setPolicy(name: string, alias: string, rules: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }> {
    return h.call('PUT', `${V1}/models/${encodeURIComponent(name)}/policies/${alias}`, rules, headers);
  }

  async function promote(name: string, version: number, alias: string, headers?: Record<string, string>): Promise<{ status: number; body: any }> {
    return h.call('POST', `${V1}/models/${encodeURIComponent(name)}/versions/${version}/promotions`, { alias }, headers);
  }

  async function decide(id: number, verdict: 'approve' | 'reject', comment?: string, headers?: Record<string, string>): Promise<{ status: number; body: any }> {
    return h.call('POST', `${V1}/promotions/${id}/${verdict}`, comment === undefined ? {} : { comment }, headers);
  }

  /** The version `alias` points at, or null. */
  async function holder(name: string, alias: string): Promise<number | null> {
    const r = await h.call('GET', '/api/2.0/mlflow/registered-models/alias', { name, alias });
    return r.status === 200 ? Number(r.body.model_version.version) : null;
  }

  /** Promotes with no policy in the way: sets the alias directly (before any policy exists). */
  async function pointAlias(name: string, alias: string, version: number): Promise<void> {
    await reg.ok('POST', '/registered-models/alias', { name, alias, version: String(version) });
  }

  async function mustPromote(name: string, version: number, alias: string, headers?: Record<string, string>): Promise<any> {
    const r = await promote(name, version, alias, headers);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.request;
  }

  return { ...reg, candidate, setPolicy, promote, decide, holder, pointAlias, mustPromote, unique };
}

export type GovernanceClient = ReturnType<typeof governanceClient>;
