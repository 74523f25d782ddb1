/**
 * The HTTP request sequences that the real MLflow Python clients send, replayed
 * against an in-process Ferry, asserting the response fields those clients read.
 *
 * Taken from transcripts of MLflow 2.17.2 and 3.11.1 against a reference MLflow
 * 3.11.1 server (/work/mlflow-env/transcripts/scenario-py{2,3}.jsonl, recorded
 * with tools/record_proxy.py) and from the same clients recorded against Ferry.
 * Conventions the clients follow, and these tests keep:
 *  - GET requests carry the proto request in the query string (lists as repeated
 *    keys, numbers as strings); runs/get and metrics/get-history send both
 *    `run_uuid` and `run_id`.
 *  - Other methods send JSON. Metric values NaN/±inf travel as the proto-JSON
 *    strings "NaN", "Infinity", "-Infinity".
 *  - Errors are `{error_code, message}`; the client maps error_code to
 *    MlflowException.error_code (RESOURCE_DOES_NOT_EXIST turns
 *    get_experiment_by_name into None, ENDPOINT_NOT_FOUND means "not implemented").
 *  - Artifacts go through /api/2.0/mlflow-artifacts/artifacts/<path> (PUT raw
 *    bytes with a Content-Type guessed from the file name; GET ?path= lists one
 *    level with paths relative to the listed directory).
 * No Python is needed: CI runs this on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openApiHarness, type ApiHarness } from '../helpers/api-server.js';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';

const API = '/api/2.0/mlflow';
const API3 = '/api/3.0/mlflow';
const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';
const MODEL_ID = /^m-[0-9a-f]{32}$/;
/** What MLflow's client matches (as a prefix) to fall back from multipart to a plain PUT. */
const MPU_UNSUPPORTED = 'Multipart upload is not supported for the current artifact repository';

/** The source tags both clients add to runs/create and logged-models. */
const SOURCE_TAGS = [
  { key: 'mlflow.user', value: 'root' },
  { key: 'mlflow.source.name', value: '/work/mlflow-env/scenarios/tracking_scenario.py' },
  { key: 'mlflow.source.type', value: 'LOCAL' },
];

/** `mlflow-artifacts:/5/<run>/artifacts` → `5/<run>/artifacts`, the path the client puts after …/mlflow-artifacts/artifacts/. */
function proxyPath(uri: string): string {
  assert.match(uri, /^mlflow-artifacts:\//, `not a proxied artifact URI: ${uri}`);
  return uri.replace(/^mlflow-artifacts:\/+/, '');
}

function tagMap(tags: Array<{ key: string; value: string }> | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.key, t.value]));
}

for (const kind of testDatabaseKinds()) {
  describe(`MLflow client flows on ${kind.name}`, () => {
    let h: ApiHarness;
    let seq = 0;
    const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${seq++}`;

    before(async () => {
      h = await openApiHarness(kind);
    });
    after(async () => h.close());

    /** Calls an endpoint and asserts 200, showing the body otherwise. */
    async function ok(method: string, path: string, body?: unknown): Promise<any> {
      const r = await h.call(method, path, body);
      assert.equal(r.status, 200, `${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    }

    /** Calls an endpoint that must fail the way MLflow's client expects. */
    async function fails(method: string, path: string, body: unknown, status: number, errorCode: string): Promise<string> {
      const r = await h.call(method, path, body);
      assert.equal(r.status, status, `${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error_code, errorCode, JSON.stringify(r.body));
      assert.equal(typeof r.body.message, 'string');
      return r.body.message as string;
    }

    /** HttpArtifactRepository.log_artifact: PUT of raw bytes, Content-Type from mimetypes.guess_type. */
    async function putArtifact(path: string, content: string | Buffer, contentType = 'application/octet-stream'): Promise<void> {
      const r = await h.app.inject({ method: 'PUT', url: `${ARTIFACTS}/${path}`, payload: content, headers: { 'content-type': contentType } });
      assert.equal(r.statusCode, 200, `PUT ${path} → ${r.statusCode} ${r.body}`);
      assert.deepEqual(JSON.parse(r.body), {});
    }

    async function getArtifact(path: string): Promise<Buffer> {
      const r = await h.app.inject({ method: 'GET', url: `${ARTIFACTS}/${path}` });
      assert.equal(r.statusCode, 200, `GET ${path} → ${r.statusCode} ${r.body}`);
      return r.rawPayload;
    }

    /** HttpArtifactRepository.list_artifacts: one level, paths relative to the listed directory. */
    async function listArtifacts(path: string): Promise<Array<{ path: string; is_dir: boolean; file_size?: number }>> {
      const body = await ok('GET', ARTIFACTS, { path });
      return body.files ?? [];
    }

    /** fluent set_experiment: get-by-name, and create when the answer is RESOURCE_DOES_NOT_EXIST. */
    async function setExperiment(name: string): Promise<{ experiment_id: string; artifact_location: string }> {
      const r = await h.call('GET', `${API}/experiments/get-by-name`, { experiment_name: name });
      if (r.status === 200) return r.body.experiment;
      assert.equal(r.status, 404);
      assert.equal(r.body.error_code, 'RESOURCE_DOES_NOT_EXIST');
      const { experiment_id } = await ok('POST', `${API}/experiments/create`, { name });
      return (await ok('GET', `${API}/experiments/get`, { experiment_id })).experiment;
    }

    /** fluent start_run. */
    async function startRun(experimentId: string, runName?: string, extraTags: Array<{ key: string; value: string }> = []): Promise<any> {
      const body = await ok('POST', `${API}/runs/create`, {
        experiment_id: experimentId,
        user_id: 'root',
        ...(runName ? { run_name: runName } : {}),
        start_time: Date.now(),
        tags: [...SOURCE_TAGS, ...extraTags],
      });
      return body.run;
    }

    const getRun = async (runId: string) => (await ok('GET', `${API}/runs/get`, { run_uuid: runId, run_id: runId })).run;

    /** RestStore.get_metric_history: pages of 25,000 until no next_page_token. */
    async function metricHistory(runId: string, key: string): Promise<any[]> {
      const out: any[] = [];
      let pageToken: string | undefined;
      for (let pages = 0; pages < 100; pages++) {
        const q: Record<string, string> = { run_uuid: runId, metric_key: key, run_id: runId };
        if (pageToken) q.page_token = pageToken;
        q.max_results = '25000';
        const body = await ok('GET', `${API}/metrics/get-history`, q);
        out.push(...(body.metrics ?? []));
        pageToken = body.next_page_token;
        if (!pageToken) return out;
      }
      throw new Error('get-history never stopped paging');
    }

    /** The "end_run" pair: runs/update then runs/get. */
    async function endRun(runId: string, status = 'FINISHED'): Promise<any> {
      const end = Date.now();
      const { run_info } = await ok('POST', `${API}/runs/update`, { run_uuid: runId, status, end_time: end, run_id: runId });
      assert.equal(run_info.status, status);
      assert.equal(run_info.end_time, end);
      return getRun(runId);
    }

    describe('MLflow 2.17 client', () => {
      it('set_experiment twice reuses the experiment; tags are set and read back', async () => {
        const name = unique('exp2');
        const first = await setExperiment(name);
        assert.match(first.experiment_id, /^\d+$/);
        assert.equal(first.artifact_location, `mlflow-artifacts:/${first.experiment_id}`);
        const second = await setExperiment(name);
        assert.equal(second.experiment_id, first.experiment_id);
        for (const [key, value] of [['stage', 'dev'], ['owner', 'scenario']]) {
          assert.deepEqual(await ok('POST', `${API}/experiments/set-experiment-tag`, { experiment_id: first.experiment_id, key, value }), {});
        }
        const { experiment } = await ok('GET', `${API}/experiments/get`, { experiment_id: first.experiment_id });
        assert.equal(experiment.lifecycle_stage, 'active');
        assert.deepEqual(tagMap(experiment.tags), { owner: 'scenario', stage: 'dev' });
        assert.equal(typeof experiment.creation_time, 'number');
        assert.equal(typeof experiment.last_update_time, 'number');
        // get_experiment_by_name of a missing name → None, from this exact error.
        await fails('GET', `${API}/experiments/get-by-name`, { experiment_name: unique('does-not-exist') }, 404, 'RESOURCE_DOES_NOT_EXIST');
      });

      it('start_run, log_param(s), log_metric, log_batch, set_tag/delete_tag and get_run', async () => {
        const exp = await setExperiment(unique('runs2'));
        const run = await startRun(exp.experiment_id, 'train-main', [{ key: 'model_type', value: 'linear' }]);
        const id = run.info.run_id;
        assert.equal(run.info.run_uuid, id);
        assert.equal(run.info.run_name, 'train-main');
        assert.equal(run.info.experiment_id, exp.experiment_id);
        assert.equal(run.info.user_id, 'root');
        assert.equal(run.info.status, 'RUNNING');
        assert.equal(run.info.lifecycle_stage, 'active');
        assert.equal(run.info.artifact_uri, `mlflow-artifacts:/${exp.experiment_id}/${id}/artifacts`);
        assert.equal(tagMap(run.data.tags)['mlflow.runName'], 'train-main');

        await ok('POST', `${API}/runs/log-parameter`, { run_uuid: id, key: 'lr', value: '0.01', run_id: id });
        await ok('POST', `${API}/runs/log-batch`, { run_id: id, params: [{ key: 'batch_size', value: '32' }, { key: 'optimizer', value: 'adam' }] });
        const t0 = Date.now();
        for (let step = 0; step < 5; step++) {
          await ok('POST', `${API}/runs/log-metric`, { run_uuid: id, key: 'loss', value: 1 / (step + 1), timestamp: t0 + step, step, run_id: id });
        }
        await ok('POST', `${API}/runs/log-batch`, {
          run_id: id,
          metrics: [
            { key: 'val_loss', value: 0.35, timestamp: t0, step: 4 },
            { key: 'val_accuracy', value: 0.81, timestamp: t0, step: 4 },
          ],
        });
        await ok('POST', `${API}/runs/set-tag`, { run_uuid: id, key: 'temp', value: 'remove-me', run_id: id });
        await ok('POST', `${API}/runs/log-batch`, { run_id: id, tags: [{ key: 'phase', value: 'training' }] });
        await ok('POST', `${API}/runs/delete-tag`, { run_id: id, key: 'temp' });

        const got = await getRun(id);
        const metrics = Object.fromEntries(got.data.metrics.map((m: any) => [m.key, m]));
        assert.deepEqual(metrics.loss, { key: 'loss', value: 0.2, timestamp: t0 + 4, step: 4 });
        assert.equal(metrics.val_loss.value, 0.35);
        assert.deepEqual(tagMap(got.data.params), { batch_size: '32', lr: '0.01', optimizer: 'adam' });
        const tags = tagMap(got.data.tags);
        assert.equal(tags.phase, 'training');
        assert.equal(tags.model_type, 'linear');
        assert.equal(tags.temp, undefined);
        assert.equal(tags['mlflow.user'], 'root');

        const history = await metricHistory(id, 'loss');
        assert.deepEqual(history.map((m) => m.step), [0, 1, 2, 3, 4]);
        assert.deepEqual(history[0], { key: 'loss', value: 1, timestamp: t0, step: 0 });

        const finished = await endRun(id);
        assert.equal(finished.info.status, 'FINISHED');
        assert.equal(typeof finished.info.end_time, 'number');
      });

      it('log_metrics with NaN and ±inf round-trip as proto-JSON strings', async () => {
        const exp = await setExperiment(unique('nan2'));
        const id = (await startRun(exp.experiment_id)).info.run_id;
        const ts = Date.now();
        // What both clients send for mlflow.log_metrics({"n": nan, "pi": inf, "ni": -inf, "ok": 1.5}).
        await ok('POST', `${API}/runs/log-batch`, {
          run_id: id,
          metrics: [
            { key: 'n', value: 'NaN', timestamp: ts, step: 0 },
            { key: 'pi', value: 'Infinity', timestamp: ts, step: 0 },
            { key: 'ni', value: '-Infinity', timestamp: ts, step: 0, run_id: id },
            { key: 'ok', value: 1.5, timestamp: ts, step: 0 },
          ],
        });
        // Python's json module writes bare tokens where a float reaches json.dumps directly.
        const bare = await h.call('POST', `${API}/runs/log-metric`, `{"run_id": "${id}", "key": "pi", "value": Infinity, "timestamp": ${ts + 1}, "step": 1}`);
        assert.equal(bare.status, 200, JSON.stringify(bare.body));
        const got = await getRun(id);
        const values = Object.fromEntries(got.data.metrics.map((m: any) => [m.key, m.value]));
        assert.deepEqual(values, { n: 'NaN', ni: '-Infinity', ok: 1.5, pi: 'Infinity' });
        assert.deepEqual((await metricHistory(id, 'pi')).map((m) => m.value), ['Infinity', 'Infinity']);
        assert.deepEqual((await metricHistory(id, 'n')).map((m) => m.value), ['NaN']);
        const found = await ok('POST', `${API}/runs/search`, { experiment_ids: [exp.experiment_id], run_view_type: 'ACTIVE_ONLY', filter: 'metrics.ok > 1', max_results: 10000 });
        assert.deepEqual(found.runs.map((r: any) => r.info.run_id), [id]);
      });

      it('get_metric_history of 30,000 points pages at max_results=25000', async () => {
        const exp = await setExperiment(unique('hist2'));
        const id = (await startRun(exp.experiment_id)).info.run_id;
        const ts = 1_700_000_000_000;
        for (let start = 0; start < 30_000; start += 1000) {
          const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: 'long', value: start + i, timestamp: ts + start + i, step: start + i }));
          await ok('POST', `${API}/runs/log-batch`, { run_id: id, metrics });
        }
        const first = await ok('GET', `${API}/metrics/get-history`, { run_uuid: id, metric_key: 'long', run_id: id, max_results: '25000' });
        assert.equal(first.metrics.length, 25_000);
        assert.equal(typeof first.next_page_token, 'string');
        const second = await ok('GET', `${API}/metrics/get-history`, {
          run_uuid: id,
          metric_key: 'long',
          run_id: id,
          page_token: first.next_page_token,
          max_results: '25000',
        });
        assert.equal(second.metrics.length, 5000);
        assert.equal(second.next_page_token, undefined);
        const all = [...first.metrics, ...second.metrics];
        assert.ok(all.every((m: any, i: number) => m.step === i && m.value === i && m.timestamp === ts + i && m.key === 'long'));
        // An unknown key is an empty answer, not an error.
        assert.deepEqual(await ok('GET', `${API}/metrics/get-history`, { run_uuid: id, metric_key: 'nope', run_id: id, max_results: '25000' }), {});
      });

      it('log_artifact(s), list_artifacts (root, subdirectory, a file) and download_artifacts', async () => {
        const exp = await setExperiment(unique('art2'));
        const run = await startRun(exp.experiment_id);
        const root = proxyPath(run.info.artifact_uri);
        await putArtifact(`${root}/notes.txt`, 'hello from the scenario\n', 'text/plain');
        await putArtifact(`${root}/results/b.csv`, 'x,y\n1,2\n', 'text/csv');
        await putArtifact(`${root}/results/a.txt`, 'A', 'text/plain');
        await putArtifact(`${root}/results/sub/c.txt`, 'C', 'text/plain');
        // log_dict's JSON file is PUT as application/json: the body must be stored as is, not parsed.
        await putArtifact(`${root}/config/config.json`, '{"lr": 0.01, "layers": [16, 8]}', 'application/json');
        await putArtifact(`${root}/config/config.yaml`, 'a: 1\n', 'application/x-yaml');
        await putArtifact(`${root}/bin/blob.bin`, Buffer.from([0, 1, 2, 255]));

        assert.deepEqual(await listArtifacts(root), [
          { path: 'bin', is_dir: true },
          { path: 'config', is_dir: true },
          { path: 'notes.txt', is_dir: false, file_size: 24 },
          { path: 'results', is_dir: true },
        ]);
        assert.deepEqual(await listArtifacts(`${root}/results`), [
          { path: 'a.txt', is_dir: false, file_size: 1 },
          { path: 'b.csv', is_dir: false, file_size: 8 },
          { path: 'sub', is_dir: true },
        ]);
        // download_artifacts of a file first lists it: a file path lists as {} (the client then GETs it).
        assert.deepEqual(await ok('GET', ARTIFACTS, { path: `${root}/notes.txt` }), {});
        assert.deepEqual(await ok('GET', ARTIFACTS, { path: `${root}/no/such/dir` }), {});
        assert.equal((await getArtifact(`${root}/notes.txt`)).toString(), 'hello from the scenario\n');
        assert.equal((await getArtifact(`${root}/config/config.json`)).toString(), '{"lr": 0.01, "layers": [16, 8]}');
        assert.deepEqual([...(await getArtifact(`${root}/bin/blob.bin`))], [0, 1, 2, 255]);
        const missing = await h.app.inject({ method: 'GET', url: `${ARTIFACTS}/${root}/nope.txt` });
        assert.equal(missing.statusCode, 404);
        assert.equal(JSON.parse(missing.body).error_code, 'RESOURCE_DOES_NOT_EXIST');
      });

      it('log_model (2.x): PUT files under the run, runs/log-model, then load via runs:/ listing', async () => {
        const exp = await setExperiment(unique('model2'));
        const run = await startRun(exp.experiment_id);
        const id = run.info.run_id;
        const root = proxyPath(run.info.artifact_uri);
        const files: Record<string, string> = {
          'requirements.txt': 'mlflow\npandas',
          MLmodel: 'artifact_path: add_n_model\nflavors:\n  python_function:\n    loader_module: mlflow.pyfunc.model\n',
          'python_env.yaml': 'python: 3.11.2\n',
          'python_model.pkl': '\x80\x04\x95pickle',
          'conda.yaml': 'name: mlflow-env\n',
        };
        for (const [name, content] of Object.entries(files)) await putArtifact(`${root}/add_n_model/${name}`, content);
        const modelJson = JSON.stringify({
          run_id: id,
          artifact_path: 'add_n_model',
          utc_time_created: '2026-11-25 20:38:16.925110',
          model_uuid: 'eb6d21dcbed94452b754c43a5a0ac1c3',
          flavors: { python_function: { loader_module: 'mlflow.pyfunc.model', python_version: '3.11.2' } },
        });
        assert.deepEqual(await ok('POST', `${API}/runs/log-model`, { run_id: id, model_json: modelJson }), {});
        const history = JSON.parse(tagMap((await getRun(id)).data.tags)['mlflow.log-model.history']!);
        assert.equal(history.length, 1);
        assert.equal(history[0].artifact_path, 'add_n_model');
        // load_model("runs:/<id>/add_n_model"): runs/get, list, GET each file.
        const listed = await listArtifacts(`${root}/add_n_model`);
        assert.deepEqual(listed.map((f) => f.path), ['MLmodel', 'conda.yaml', 'python_env.yaml', 'python_model.pkl', 'requirements.txt']);
        assert.ok(listed.every((f) => !f.is_dir && typeof f.file_size === 'number'));
        assert.equal((await getArtifact(`${root}/add_n_model/requirements.txt`)).toString(), 'mlflow\npandas');
        await fails('POST', `${API}/runs/log-model`, { run_id: id, model_json: 'not json' }, 400, 'INVALID_PARAMETER_VALUE');
      });

      it('search_runs: the scenario filters, order_by, run_view_type and page_token', async () => {
        const exp = await setExperiment(unique('search2'));
        const e = exp.experiment_id;
        const mk = async (name: string, lr: string, loss: number, status: string, team: string) => {
          const r = await ok('POST', `${API}/runs/create`, { experiment_id: e, user_id: 'unknown', run_name: name, start_time: Date.now(), tags: [{ key: 'team', value: team }] });
          const id = r.run.info.run_id as string;
          await ok('POST', `${API}/runs/log-parameter`, { run_uuid: id, key: 'lr', value: lr, run_id: id });
          await ok('POST', `${API}/runs/log-metric`, { run_uuid: id, key: 'loss', value: loss, timestamp: Date.now(), step: 0, run_id: id });
          await endRun(id, status);
          return id;
        };
        const s0 = await mk('sweep-0', '0.1', 0.5, 'FINISHED', 'other');
        const s1 = await mk('sweep-1', '0.001', 1.5, 'FAILED', 'Ferry');
        const s2 = await mk('sweep-2', '0.5', 2.5, 'KILLED', 'Ferry');
        const search = async (filter: string, extra: Record<string, unknown> = {}) => {
          const body = await ok('POST', `${API}/runs/search`, { experiment_ids: [e], run_view_type: 'ACTIVE_ONLY', filter, max_results: 10000, ...extra });
          return (body.runs ?? []).map((r: any) => r.info.run_name);
        };
        assert.deepEqual(await search('metrics.loss < 1.6', { order_by: ['metrics.loss ASC'] }), ['sweep-0', 'sweep-1']);
        assert.deepEqual(await search("params.lr = '0.001'"), ['sweep-1']);
        assert.deepEqual(await search("attributes.status = 'FINISHED'", { order_by: ['attributes.start_time DESC'] }), ['sweep-0']);
        assert.deepEqual(await search("attributes.run_name LIKE 'sweep-%'", { order_by: ['attributes.run_name ASC'] }), ['sweep-0', 'sweep-1', 'sweep-2']);
        assert.deepEqual((await search("tags.team ILIKE 'ferry'")).sort(), ['sweep-1', 'sweep-2']);
        assert.deepEqual((await search(`attributes.run_id IN ('${s0}', '${s1}')`)).sort(), ['sweep-0', 'sweep-1']);
        assert.deepEqual(await search(`attributes.run_id NOT IN ('${s0}', '${s1}')`), ['sweep-2']);
        // mlflow.search_runs() pages with max_results and page_token until no token comes back.
        const page1 = await ok('POST', `${API}/runs/search`, { experiment_ids: [e], run_view_type: 'ACTIVE_ONLY', filter: '', max_results: 2, order_by: ['attributes.run_name'] });
        assert.deepEqual(page1.runs.map((r: any) => r.info.run_name), ['sweep-0', 'sweep-1']);
        assert.equal(typeof page1.next_page_token, 'string');
        const page2 = await ok('POST', `${API}/runs/search`, {
          experiment_ids: [e],
          run_view_type: 'ACTIVE_ONLY',
          filter: '',
          max_results: 2,
          order_by: ['attributes.run_name'],
          page_token: page1.next_page_token,
        });
        assert.deepEqual(page2.runs.map((r: any) => r.info.run_name), ['sweep-2']);
        assert.equal(page2.next_page_token, undefined);
        // Each run carries what the DataFrame columns come from.
        const row = page1.runs[0];
        assert.equal(row.info.status, 'FINISHED');
        assert.deepEqual(tagMap(row.data.params), { lr: '0.1' });
        assert.equal(row.data.metrics[0].key, 'loss');
        // delete_run / restore_run: DELETED_ONLY finds it, ACTIVE_ONLY does not.
        await ok('POST', `${API}/runs/delete`, { run_id: s2 });
        assert.equal((await getRun(s2)).info.lifecycle_stage, 'deleted');
        assert.deepEqual((await search('')).sort(), ['sweep-0', 'sweep-1']);
        assert.deepEqual(await search('', { run_view_type: 'DELETED_ONLY' }), ['sweep-2']);
        await ok('POST', `${API}/runs/restore`, { run_id: s2 });
        assert.equal((await getRun(s2)).info.lifecycle_stage, 'active');
        // A bad filter is the client's INVALID_PARAMETER_VALUE.
        await fails('POST', `${API}/runs/search`, { experiment_ids: [e], filter: 'bogus' }, 400, 'INVALID_PARAMETER_VALUE');
      });

      it('MlflowClient.set_terminated and a failing `with start_run()` body', async () => {
        const exp = await setExperiment(unique('term2'));
        const id = (await ok('POST', `${API}/runs/create`, { experiment_id: exp.experiment_id, user_id: 'unknown', start_time: Date.now() })).run.info.run_id;
        const { run_info } = await ok('POST', `${API}/runs/update`, { run_uuid: id, status: 'FAILED', end_time: 1_700_000_000_000, run_id: id });
        assert.equal(run_info.status, 'FAILED');
        assert.equal(run_info.end_time, 1_700_000_000_000);
        assert.equal((await endRun(id, 'FINISHED')).info.status, 'FINISHED');
      });

      it('search_experiments, rename, delete and restore', async () => {
        const name = unique('sx2');
        const e = await setExperiment(name);
        await ok('POST', `${API}/experiments/set-experiment-tag`, { experiment_id: e.experiment_id, key: 'team', value: 'ferry' });
        const found = await ok('POST', `${API}/experiments/search`, {
          max_results: 1000,
          filter: `name LIKE '${name}%' AND tags.team = 'ferry'`,
          order_by: ['last_update_time DESC'],
          view_type: 'ACTIVE_ONLY',
        });
        assert.deepEqual(found.experiments.map((x: any) => x.experiment_id), [e.experiment_id]);
        assert.deepEqual(await ok('POST', `${API}/experiments/search`, { max_results: 1000, filter: "tags.`missing` = 'x'", view_type: 'ACTIVE_ONLY' }), {});
        await ok('POST', `${API}/experiments/update`, { experiment_id: e.experiment_id, new_name: `${name}-renamed` });
        assert.equal((await ok('GET', `${API}/experiments/get-by-name`, { experiment_name: `${name}-renamed` })).experiment.experiment_id, e.experiment_id);
        await fails('GET', `${API}/experiments/get-by-name`, { experiment_name: name }, 404, 'RESOURCE_DOES_NOT_EXIST');
        await ok('POST', `${API}/experiments/delete`, { experiment_id: e.experiment_id });
        const deleted = await ok('POST', `${API}/experiments/search`, { max_results: 1000, view_type: 'DELETED_ONLY' });
        assert.ok(deleted.experiments.some((x: any) => x.experiment_id === e.experiment_id && x.lifecycle_stage === 'deleted'));
        await ok('POST', `${API}/experiments/restore`, { experiment_id: e.experiment_id });
        assert.equal((await ok('GET', `${API}/experiments/get`, { experiment_id: e.experiment_id })).experiment.lifecycle_stage, 'active');
      });

      it('answers with the error codes the client maps', async () => {
        const missing = '00000000000000000000000000000000';
        const msg = await fails('GET', `${API}/runs/get`, { run_uuid: missing, run_id: missing }, 404, 'RESOURCE_DOES_NOT_EXIST');
        assert.match(msg, new RegExp(missing));
        const exp = await setExperiment(unique('err2'));
        await fails('POST', `${API}/experiments/create`, { name: (await ok('GET', `${API}/experiments/get`, { experiment_id: exp.experiment_id })).experiment.name }, 400, 'RESOURCE_ALREADY_EXISTS');
        const id = (await startRun(exp.experiment_id)).info.run_id;
        await ok('POST', `${API}/runs/log-parameter`, { run_uuid: id, key: 'p', value: '1', run_id: id });
        await fails('POST', `${API}/runs/log-parameter`, { run_uuid: id, key: 'p', value: '2', run_id: id }, 400, 'INVALID_PARAMETER_VALUE');
        await fails('POST', `${API}/runs/delete-tag`, { run_id: id, key: 'nope' }, 404, 'RESOURCE_DOES_NOT_EXIST');
      });
    });

    describe('MLflow 3.11 client', () => {
      /** mlflow.pyfunc.log_model(name=…) inside an active run, request by request. */
      async function logModel3(runId: string, name: string, files: Record<string, string>): Promise<any> {
        // 1. runs/get to copy the run's params into the model.
        const run = await getRun(runId);
        // 2. create the logged model.
        const created = (
          await ok('POST', `${API}/logged-models`, {
            experiment_id: run.info.experiment_id,
            name,
            source_run_id: runId,
            params: run.data.params,
            tags: SOURCE_TAGS,
          })
        ).model;
        assert.match(created.info.model_id, MODEL_ID);
        const modelId = created.info.model_id as string;
        const exp = (await ok('GET', `${API}/experiments/get`, { experiment_id: run.info.experiment_id })).experiment;
        assert.equal(created.info.artifact_uri, `${exp.artifact_location}/models/${modelId}/artifacts`);
        assert.equal(created.info.status, 'LOGGED_MODEL_PENDING');
        assert.equal(created.info.experiment_id, run.info.experiment_id);
        assert.equal(created.info.source_run_id, runId);
        assert.equal(created.info.name, name);
        assert.equal(typeof created.info.creation_timestamp_ms, 'number');
        assert.deepEqual(tagMap(created.data.params), tagMap(run.data.params));
        // 3. link it as the run's output.
        assert.deepEqual(await ok('POST', `${API}/runs/outputs`, { run_id: runId, models: [{ model_id: modelId, step: 0 }] }), {});
        // 4. re-log the run's step-0 metrics with model_id.
        const again = await getRun(runId);
        const step0 = [];
        for (const m of again.data.metrics ?? []) {
          for (const p of await metricHistory(runId, m.key)) if (p.step === 0) step0.push({ ...p, model_id: modelId });
        }
        if (step0.length > 0) assert.deepEqual(await ok('POST', `${API}/runs/log-batch`, { run_id: runId, metrics: step0 }), {});
        // 5. upload under the model's own artifact location.
        const model = (await ok('GET', `${API}/logged-models/${modelId}`)).model;
        const root = proxyPath(model.info.artifact_uri);
        for (const [file, content] of Object.entries(files)) await putArtifact(`${root}/${file}`, content);
        // 6. finalize.
        const ready = (await ok('PATCH', `${API}/logged-models/${modelId}`, { model_id: modelId, status: 'LOGGED_MODEL_READY' })).model;
        assert.equal(ready.info.status, 'LOGGED_MODEL_READY');
        assert.ok(ready.info.last_updated_timestamp_ms >= ready.info.creation_timestamp_ms);
        // 7. ModelInfo reads the model back.
        return (await ok('GET', `${API}/logged-models/${modelId}`)).model;
      }

      const MODEL_FILES = {
        'requirements.txt': 'mlflow',
        MLmodel: 'artifact_path: mlflow-artifacts:/x\nflavors:\n  python_function:\n    loader_module: mlflow.pyfunc.model\n',
        'python_env.yaml': 'python: 3.11.2\n',
        'python_model.pkl': 'pickle-bytes',
        'conda.yaml': 'name: mlflow-env\n',
      };

      it('pyfunc.log_model: logged-models → runs/outputs → get-history → log-batch(model_id) → PUT → PATCH → GET', async () => {
        const exp = await setExperiment(unique('lm3'));
        const run = await startRun(exp.experiment_id, 'train-main');
        const id = run.info.run_id;
        await ok('POST', `${API}/runs/log-batch`, { run_id: id, params: [{ key: 'lr', value: '0.01' }, { key: 'seed', value: '42' }] });
        const t0 = Date.now();
        for (let step = 0; step < 5; step++) {
          await ok('POST', `${API}/runs/log-metric`, { run_uuid: id, key: 'loss', value: 1 / (step + 1), timestamp: t0 + step, step, run_id: id });
        }
        await ok('POST', `${API}/runs/log-metric`, { run_uuid: id, key: 'accuracy', value: 0.5, timestamp: t0, step: 0, run_id: id });

        const model = await logModel3(id, 'add_n_model', MODEL_FILES);
        const modelId = model.info.model_id;
        assert.equal(model.info.status, 'LOGGED_MODEL_READY');
        assert.deepEqual(tagMap(model.data.params), { lr: '0.01', seed: '42' });
        assert.equal(tagMap(model.info.tags)['mlflow.user'], 'root');
        // The re-logged step-0 metrics are the model's metrics, with run_id and model_id.
        const mm = Object.fromEntries(model.data.metrics.map((m: any) => [m.key, m]));
        assert.deepEqual(Object.keys(mm).sort(), ['accuracy', 'loss']);
        assert.deepEqual(mm.loss, { key: 'loss', value: 1, timestamp: t0, step: 0, run_id: id, model_id: modelId });
        // ... and the run's history keeps one point per step (the identical point is stored once).
        assert.deepEqual((await metricHistory(id, 'loss')).map((m) => m.step), [0, 1, 2, 3, 4]);
        // The run lists the model among its outputs.
        const after3 = await getRun(id);
        assert.deepEqual(after3.outputs, { model_outputs: [{ model_id: modelId, step: 0 }] });
        // mlflow.artifacts.list_artifacts(artifact_uri="models:/m-…") lists the model's own location.
        const files = await listArtifacts(proxyPath(model.info.artifact_uri));
        assert.deepEqual(files.map((f) => f.path), ['MLmodel', 'conda.yaml', 'python_env.yaml', 'python_model.pkl', 'requirements.txt']);
        // get_logged_model / search_logged_models / last_logged_model.
        const found = await ok('POST', `${API}/logged-models/search`, { experiment_ids: [exp.experiment_id] });
        assert.deepEqual(found.models.map((m: any) => m.info.model_id), [modelId]);
        assert.deepEqual(found.models[0].data.metrics.length, 2);
      });

      it('load_model("models:/m-…"): GET logged-models/{id}, list artifact_uri, GET each file', async () => {
        const exp = await setExperiment(unique('load3'));
        const id = (await startRun(exp.experiment_id)).info.run_id;
        const model = await logModel3(id, 'addn', MODEL_FILES);
        const resolved = (await ok('GET', `${API}/logged-models/${model.info.model_id}`)).model;
        const root = proxyPath(resolved.info.artifact_uri);
        for (const f of await listArtifacts(root)) {
          assert.equal(f.is_dir, false);
          assert.equal((await getArtifact(`${root}/${f.path}`)).toString(), MODEL_FILES[f.path as keyof typeof MODEL_FILES]);
        }
        await fails('GET', `${API}/logged-models/m-00000000000000000000000000000000`, undefined, 404, 'RESOURCE_DOES_NOT_EXIST');
      });

      it('list_artifacts(run_id, "results") also asks logged-models/search for a model named "results"', async () => {
        const exp = await setExperiment(unique('ls3'));
        const run = await startRun(exp.experiment_id);
        const id = run.info.run_id;
        const root = proxyPath(run.info.artifact_uri);
        await putArtifact(`${root}/results/a.txt`, 'A', 'text/plain');
        await putArtifact(`${root}/results/sub/c.txt`, 'C', 'text/plain');
        // RunsArtifactRepository: runs/get → list the run's dir → runs/get → logged-models/search.
        await getRun(id);
        assert.deepEqual(await listArtifacts(`${root}/results`), [
          { path: 'a.txt', is_dir: false, file_size: 1 },
          { path: 'sub', is_dir: true },
        ]);
        const experimentId = (await getRun(id)).info.experiment_id;
        // No such model: an empty object is the whole answer (the client has no fallback for an error here).
        assert.deepEqual(await ok('POST', `${API}/logged-models/search`, { experiment_ids: [experimentId], filter: "name = 'results'" }), {});
        // A file path too (download_artifacts / load_text of runs:/<id>/notes.txt).
        assert.deepEqual(await ok('POST', `${API}/logged-models/search`, { experiment_ids: [experimentId], filter: "name = 'notes.txt'" }), {});
      });

      it('runs:/<run>/<model name> resolves through logged-models/search to the model with that source_run_id', async () => {
        const exp = await setExperiment(unique('runsuri3'));
        const id = (await startRun(exp.experiment_id)).info.run_id;
        const other = (await startRun(exp.experiment_id)).info.run_id;
        const model = await logModel3(id, 'addn', MODEL_FILES);
        await logModel3(other, 'addn', MODEL_FILES);
        const run = await getRun(id);
        const root = proxyPath(run.info.artifact_uri);
        // The run's own directory has no such path ...
        assert.deepEqual(await ok('GET', ARTIFACTS, { path: `${root}/addn` }), {});
        // ... so the client searches by name and keeps the model whose source_run_id is the run.
        const found = await ok('POST', `${API}/logged-models/search`, { experiment_ids: [run.info.experiment_id], filter: "name = 'addn'" });
        assert.equal(found.models.length, 2);
        const mine = found.models.filter((m: any) => m.info.source_run_id === id);
        assert.deepEqual(mine.map((m: any) => m.info.model_id), [model.info.model_id]);
        const listed = await listArtifacts(proxyPath(mine[0].info.artifact_uri));
        assert.ok(listed.some((f) => f.path === 'MLmodel'));
        // Filters the client builds elsewhere: no spaces (set_active_model), source_run_id, status.
        const compact = await ok('POST', `${API}/logged-models/search`, { experiment_ids: [run.info.experiment_id], filter: "name='addn'", max_results: 2 });
        assert.equal(compact.models.length, 2);
        const bySource = await ok('POST', `${API}/logged-models/search`, {
          experiment_ids: [run.info.experiment_id],
          filter: `source_run_id = '${id}' AND attributes.status = 'LOGGED_MODEL_READY'`,
        });
        assert.deepEqual(bySource.models.map((m: any) => m.info.model_id), [model.info.model_id]);
      });

      it('log_metric(..., model_id=): log-inputs {models}, then log-metric carrying model_id', async () => {
        const exp = await setExperiment(unique('lmm3'));
        const id = (await startRun(exp.experiment_id)).info.run_id;
        const modelId = (await logModel3(id, 'm', MODEL_FILES)).info.model_id;
        assert.deepEqual(await ok('POST', `${API}/runs/log-inputs`, { run_id: id, models: [{ model_id: modelId }] }), {});
        const ts = Date.now();
        const body = { run_uuid: id, key: 'model_acc', value: 0.9, timestamp: ts, step: 0, run_id: id, model_id: modelId };
        assert.deepEqual(await ok('POST', `${API}/runs/log-metric`, body), {});
        const model = (await ok('GET', `${API}/logged-models/${modelId}`)).model;
        assert.deepEqual(model.data.metrics, [{ key: 'model_acc', value: 0.9, timestamp: ts, step: 0, run_id: id, model_id: modelId }]);
        const run = await getRun(id);
        assert.equal(run.data.metrics.find((m: any) => m.key === 'model_acc').value, 0.9);
        assert.deepEqual(run.inputs.model_inputs, [{ model_id: modelId }]);
        // An unknown model is refused and nothing is written to the run.
        await fails(
          'POST',
          `${API}/runs/log-batch`,
          { run_id: id, metrics: [{ key: 'orphan', value: 1, timestamp: ts, step: 0, model_id: 'm-00000000000000000000000000000000' }] },
          404,
          'RESOURCE_DOES_NOT_EXIST',
        );
        assert.equal((await getRun(id)).data.metrics.some((m: any) => m.key === 'orphan'), false);
      });

      it('log_metric(..., model_id=, dataset=): dataset_name/digest are kept and searchable', async () => {
        const exp = await setExperiment(unique('ds3'));
        const id = (await startRun(exp.experiment_id)).info.run_id;
        const modelId = (await logModel3(id, 'full', MODEL_FILES)).info.model_id;
        await ok('POST', `${API}/runs/log-inputs`, {
          run_id: id,
          datasets: [
            {
              dataset: {
                name: 'eval-set',
                digest: '300830b9',
                source_type: 'code',
                source: '{"tags": {"mlflow.user": "root"}}',
                schema: '{"mlflow_colspec": [{"type": "long", "name": "x", "required": true}]}',
                profile: '{"num_rows": 2, "num_elements": 2}',
              },
            },
          ],
          models: [{ model_id: modelId }],
        });
        await ok('POST', `${API}/runs/log-metric`, {
          run_uuid: id,
          key: 'f1',
          value: 0.8,
          timestamp: Date.now(),
          step: 0,
          run_id: id,
          model_id: modelId,
          dataset_name: 'eval-set',
          dataset_digest: '300830b9',
        });
        const f1 = (await ok('GET', `${API}/logged-models/${modelId}`)).model.data.metrics.find((m: any) => m.key === 'f1');
        assert.equal(f1.dataset_name, 'eval-set');
        assert.equal(f1.dataset_digest, '300830b9');
        const on = await ok('POST', `${API}/logged-models/search`, { experiment_ids: [exp.experiment_id], filter: 'metrics.f1 > 0.5', datasets: [{ dataset_name: 'eval-set' }] });
        assert.deepEqual(on.models.map((m: any) => m.info.model_id), [modelId]);
        const off = await ok('POST', `${API}/logged-models/search`, { experiment_ids: [exp.experiment_id], filter: 'metrics.f1 > 0.5', datasets: [{ dataset_name: 'other' }] });
        assert.deepEqual(off, {});
        const run = await getRun(id);
        assert.equal(run.inputs.dataset_inputs[0].dataset.name, 'eval-set');
      });

      it('search_logged_models: paging, order_by, max_results 0 and the errors MLflow gives', async () => {
        const exp = await setExperiment(unique('slm3'));
        const e = exp.experiment_id;
        const id = (await startRun(exp.experiment_id)).info.run_id;
        const ids: string[] = [];
        for (const [i, score] of [0.3, 0.9, 0.6].entries()) {
          const m = (await ok('POST', `${API}/logged-models`, { experiment_id: e, name: `m${i}`, source_run_id: id, tags: SOURCE_TAGS })).model.info.model_id;
          await ok('POST', `${API}/runs/log-metric`, { run_uuid: id, key: 'score', value: score, timestamp: Date.now(), step: i, run_id: id, model_id: m });
          ids.push(m);
        }
        const page1 = await ok('POST', `${API}/logged-models/search`, { experiment_ids: [e], max_results: 2 });
        assert.equal(page1.models.length, 2);
        assert.equal(typeof page1.next_page_token, 'string');
        const page2 = await ok('POST', `${API}/logged-models/search`, { experiment_ids: [e], max_results: 2, page_token: page1.next_page_token });
        assert.equal(page2.models.length, 1);
        assert.equal(page2.next_page_token, undefined);
        // Default order: newest first.
        assert.deepEqual([...page1.models, ...page2.models].map((m: any) => m.info.model_id), [...ids].reverse());
        const byScore = await ok('POST', `${API}/logged-models/search`, { experiment_ids: [e], order_by: [{ field_name: 'metrics.score', ascending: false }] });
        assert.deepEqual(byScore.models.map((m: any) => m.info.name), ['m1', 'm2', 'm0']);
        const byName = await ok('POST', `${API}/logged-models/search`, { experiment_ids: [e], order_by: [{ field_name: 'name', ascending: true }] });
        assert.deepEqual(byName.models.map((m: any) => m.info.name), ['m0', 'm1', 'm2']);
        // proto3: max_results 0 is "unset", the default page.
        assert.equal((await ok('POST', `${API}/logged-models/search`, { experiment_ids: [e], max_results: 0 })).models.length, 3);
        // A tag that a model lacks matches neither = nor != (as MLflow).
        assert.deepEqual(await ok('POST', `${API}/logged-models/search`, { experiment_ids: [e], filter: "tags.x != 'a'" }), {});
        assert.deepEqual(await ok('POST', `${API}/logged-models/search`, { experiment_ids: ['999999'] }), {});
        await fails('POST', `${API}/logged-models/search`, {}, 400, 'INVALID_PARAMETER_VALUE');
        await fails('POST', `${API}/logged-models/search`, { experiment_ids: [e], filter: "bogus.x = 'a'" }, 400, 'INVALID_PARAMETER_VALUE');
        await fails('POST', `${API}/logged-models/search`, { experiment_ids: [e], filter: "run_name = 'a'" }, 400, 'INVALID_PARAMETER_VALUE');
        await fails('POST', `${API}/logged-models/search`, { experiment_ids: [e], order_by: [{ field_name: 'bogus' }] }, 400, 'INVALID_PARAMETER_VALUE');
        await fails('POST', `${API}/logged-models/search`, { experiment_ids: [e], page_token: 'xx' }, 400, 'INVALID_PARAMETER_VALUE');
      });

      it('model tags, params, initialize/finalize, external models and delete_logged_model', async () => {
        const exp = await setExperiment(unique('tags3'));
        const e = exp.experiment_id;
        const m = (await ok('POST', `${API}/logged-models`, { experiment_id: e, name: 'manual', tags: SOURCE_TAGS })).model.info.model_id;
        assert.deepEqual(await ok('PATCH', `${API}/logged-models/${m}/tags`, { model_id: m, tags: [{ key: 'stage', value: 'dev' }] }), {});
        assert.deepEqual(await ok('DELETE', `${API}/logged-models/${m}/tags/stage`, { model_id: m, tag_key: 'stage' }), {});
        await fails('DELETE', `${API}/logged-models/${m}/tags/stage`, { model_id: m, tag_key: 'stage' }, 404, 'RESOURCE_DOES_NOT_EXIST');
        assert.deepEqual(await ok('POST', `${API}/logged-models/${m}/params`, { model_id: m, params: [{ key: 'extra', value: '1' }] }), {});
        await fails('POST', `${API}/logged-models/${m}/params`, { model_id: m, params: [{ key: 'extra', value: '2' }] }, 400, 'INVALID_PARAMETER_VALUE');
        await fails('PATCH', `${API}/logged-models/${m}`, { model_id: m, status: 'LOGGED_MODEL_PENDING' }, 400, 'INVALID_PARAMETER_VALUE');
        const ready = (await ok('PATCH', `${API}/logged-models/${m}`, { model_id: m, status: 'LOGGED_MODEL_READY' })).model;
        assert.equal(ready.info.status, 'LOGGED_MODEL_READY');
        assert.deepEqual(tagMap(ready.data.params), { extra: '1' });
        assert.equal(tagMap(ready.info.tags).stage, undefined);
        assert.equal(ready.info.source_run_id, undefined, 'a model logged outside a run has no source_run_id');
        // create_external_model: a tag marks it; no files are uploaded.
        const ext = (
          await ok('POST', `${API}/logged-models`, { experiment_id: e, name: 'external-llm', tags: [...SOURCE_TAGS, { key: 'mlflow.model.isExternal', value: 'true' }] })
        ).model;
        assert.equal(tagMap(ext.info.tags)['mlflow.model.isExternal'], 'true');
        // delete_logged_model sends DELETE with a JSON body.
        assert.deepEqual(await ok('DELETE', `${API}/logged-models/${m}`, { model_id: m }), {});
        await fails('GET', `${API}/logged-models/${m}`, undefined, 404, 'RESOURCE_DOES_NOT_EXIST');
        const left = await ok('POST', `${API}/logged-models/search`, { experiment_ids: [e] });
        assert.deepEqual(left.models.map((x: any) => x.info.model_id), [ext.info.model_id]);
        await fails('POST', `${API}/logged-models`, { experiment_id: '999999', name: 'x' }, 404, 'RESOURCE_DOES_NOT_EXIST');
        await fails('POST', `${API}/logged-models`, {}, 400, 'INVALID_PARAMETER_VALUE');
      });

      it('multipart upload and presigned download probes answer 501 so the client falls back', async () => {
        const exp = await setExperiment(unique('mpu3'));
        const run = await startRun(exp.experiment_id);
        const root = proxyPath(run.info.artifact_uri);
        // MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD=true: create first; the message prefix decides the fallback.
        const create = await h.call('POST', `/api/2.0/mlflow-artifacts/mpu/create/${root}/big.bin`, { path: '/tmp/big.bin', num_parts: 1 });
        assert.equal(create.status, 501);
        assert.equal(create.body.error_code, 'NOT_IMPLEMENTED');
        assert.ok(create.body.message.startsWith(MPU_UNSUPPORTED), create.body.message);
        // MLFLOW_ENABLE_PROXY_MULTIPART_DOWNLOAD=true (3.x): 501 or 404 → proxied GET.
        const presigned = await h.call('GET', `/api/2.0/mlflow-artifacts/presigned/${root}/big.bin`);
        assert.equal(presigned.status, 501);
        assert.equal(presigned.body.error_code, 'NOT_IMPLEMENTED');
      });

      it('unimplemented /api/2.0 and /api/3.0 MLflow endpoints answer ENDPOINT_NOT_FOUND in MLflow shape', async () => {
        // Trace export (StartTraceV3, then v2) and other 3.x calls read error_code to fall back or warn;
        // the client shows the message as MlflowException("ENDPOINT_NOT_FOUND: ...") rather than a 5xx retry loop.
        for (const [method, path] of [
          ['POST', `${API3}/traces`],
          ['GET', `${API3}/server-info`],
          ['POST', `${API}/traces`],
          ['POST', `${API}/no-such-endpoint`],
        ] as const) {
          const r = await h.call(method, path, method === 'POST' ? {} : undefined);
          assert.equal(r.status, 404, `${method} ${path}`);
          assert.equal(r.body.error_code, 'ENDPOINT_NOT_FOUND', JSON.stringify(r.body));
        }
      });
    });
  });
}
