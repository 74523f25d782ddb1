/**
 * The Model Registry request sequences the real MLflow Python clients send,
 * replayed against an in-process Ferry, asserting what those clients read.
 *
 * Recorded with tools/record_proxy.py while /work/mlflow-env/scenarios/
 * registry_scenario.py ran with MLflow 2.17.2 and 3.11.1 against a reference
 * MLflow 3.11.1 server (transcripts/registry-scenario-py{2,3}.jsonl) and then
 * against Ferry. What the clients do, and these tests keep:
 *  - `register_model` first POSTs registered-models/create and treats a 400
 *    RESOURCE_ALREADY_EXISTS as "add a version"; it then POSTs
 *    model-versions/create. MLflow 2 sends the run's artifact URI as `source`;
 *    MLflow 3 lists `runs:/<run>/model`, finds no MLmodel there (log_model now
 *    writes under the logged model), searches the run's logged models by name
 *    and sends `source: models:/m-…` with `model_id`, then appends itself to the
 *    logged model's `mlflow.modelVersions` tag.
 *  - MLflow 3 GETs registered-models/get before most registry calls (to tell
 *    prompts from models) and appends ``AND tag.`mlflow.prompt.is_prompt` != 'true'``
 *    to every registered-models/search filter.
 *  - GETs carry fields in the query (`max_results` as a string, lists as
 *    repeated keys); DELETEs carry a JSON body. get-latest-versions is a POST.
 *  - Versions travel as strings; an unknown alias is 400 INVALID_PARAMETER_VALUE,
 *    an unknown model or version 404 RESOURCE_DOES_NOT_EXIST.
 *  - Loading `models:/name@alias` is alias → get-download-uri → list and GET the
 *    files under that artifact URI through the artifact proxy.
 * Where Ferry differs from the reference server on purpose, the test says so.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openApiHarness, type ApiHarness } from '../helpers/api-server.js';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';

const API = '/api/2.0/mlflow';
const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';
const PROMPT_CLAUSE = "tag.`mlflow.prompt.is_prompt` != 'true'";
const MLMODEL = 'flavors:\n  python_function:\n    loader_module: mlflow.pyfunc.model\n';

for (const kind of testDatabaseKinds()) {
  describe(`MLflow registry client flows on ${kind.name}`, () => {
    let h: ApiHarness;
    let seq = 0;
    const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${seq++}`;
    before(async () => {
      h = await openApiHarness(kind);
    });
    after(async () => h.close());

    async function ok(method: string, path: string, body?: unknown): Promise<any> {
      const r = await h.call(method, path.startsWith('/api') ? path : `${API}${path}`, body);
      assert.equal(r.status, 200, `${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    }
    async function fails(method: string, path: string, body: unknown, status: number, errorCode: string): Promise<string> {
      const r = await h.call(method, `${API}${path}`, body);
      assert.equal(r.status, status, `${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
      assert.deepEqual(Object.keys(r.body).sort(), ['error_code', 'message']);
      assert.equal(r.body.error_code, errorCode);
      return r.body.message;
    }
    async function put(path: string, content: string): Promise<void> {
      const r = await h.app.inject({ method: 'PUT', url: `${ARTIFACTS}/${path}`, payload: content, headers: { 'content-type': 'application/octet-stream' } });
      assert.equal(r.statusCode, 200, r.body);
    }
    const proxyPath = (uri: string) => uri.replace(/^mlflow-artifacts:\/+/, '');

    /** What pyfunc.load_model does with a download URI: list the folder, then GET every file. */
    async function download(uri: string): Promise<Record<string, string>> {
      const listing = await ok('GET', ARTIFACTS, { path: proxyPath(uri) });
      const out: Record<string, string> = {};
      for (const f of listing.files ?? []) {
        const r = await h.app.inject({ method: 'GET', url: `${ARTIFACTS}/${proxyPath(uri)}/${f.path}` });
        assert.equal(r.statusCode, 200);
        out[f.path] = r.body;
      }
      return out;
    }

    /** Both clients' run: an experiment and a run, as mlflow.start_run makes them. */
    async function newRun(): Promise<{ experimentId: string; runId: string; artifactUri: string }> {
      const experimentId = (await ok('POST', '/experiments/create', { name: unique('registry-scenario') })).experiment_id;
      const run = (await ok('POST', '/runs/create', { experiment_id: experimentId, user_id: 'root', start_time: Date.now(), tags: [{ key: 'mlflow.user', value: 'root' }] })).run;
      return { experimentId, runId: run.info.run_id, artifactUri: run.info.artifact_uri };
    }

    it('MLflow 2.17.2: register_model, create_model_version, aliases, search, stages, load, rename, deletes', async () => {
      const MODEL = unique('reg-scn-2');
      const run = await newRun();
      // mlflow.onnx.log_model(artifact_path="model") in 2.x: files under the run.
      await put(`${proxyPath(run.artifactUri)}/model/MLmodel`, MLMODEL);
      await put(`${proxyPath(run.artifactUri)}/model/requirements.txt`, 'mlflow\n');

      // register_model("runs:/<run>/model"): the client resolves the runs:/ URI itself.
      const rm = (await ok('POST', '/registered-models/create', { name: MODEL })).registered_model;
      assert.deepEqual(Object.keys(rm).sort(), ['creation_timestamp', 'last_updated_timestamp', 'name']);
      const source = `${run.artifactUri}/model`;
      const v1 = (await ok('POST', '/model-versions/create', { name: MODEL, source, run_id: run.runId })).model_version;
      assert.deepEqual(
        { version: v1.version, current_stage: v1.current_stage, description: v1.description, source: v1.source, run_id: v1.run_id, status: v1.status, run_link: v1.run_link },
        { version: '1', current_stage: 'None', description: '', source, run_id: run.runId, status: 'READY', run_link: '' },
      );
      // MlflowClient.create_model_version(name, "runs:/<run>/model", run_id, tags, description)
      const v2 = (
        await ok('POST', '/model-versions/create', {
          name: MODEL,
          source: `runs:/${run.runId}/model`,
          run_id: run.runId,
          tags: [{ key: 'origin', value: 'client' }],
          description: 'made by create_model_version',
        })
      ).model_version;
      assert.equal(v2.version, '2');
      assert.deepEqual(v2.tags, [{ key: 'origin', value: 'client' }]);
      assert.equal((await ok('GET', '/model-versions/get', { name: MODEL, version: '1' })).model_version.current_stage, 'None');
      assert.equal((await ok('GET', '/model-versions/get-download-uri', { name: MODEL, version: '1' })).artifact_uri, source);

      // set_registered_model_alias / get_model_version_by_alias
      assert.deepEqual(await ok('POST', '/registered-models/alias', { name: MODEL, alias: 'champion', version: '1' }), {});
      assert.deepEqual((await ok('GET', '/registered-models/alias', { name: MODEL, alias: 'champion' })).model_version.aliases, ['champion']);
      assert.deepEqual((await ok('GET', '/registered-models/get', { name: MODEL })).registered_model.aliases, [{ alias: 'champion', version: '1' }]);
      await ok('POST', '/registered-models/alias', { name: MODEL, alias: 'champion', version: '2' });
      assert.equal((await ok('GET', '/registered-models/alias', { name: MODEL, alias: 'champion' })).model_version.version, '2');
      assert.equal(await fails('POST', '/registered-models/alias', { name: MODEL, alias: 'latest', version: '1' }, 400, 'INVALID_PARAMETER_VALUE'), "'latest' alias name (case insensitive) is reserved.");
      assert.equal(await fails('POST', '/registered-models/alias', { name: MODEL, alias: 'v1', version: '1' }, 400, 'INVALID_PARAMETER_VALUE'), "Version alias name 'v1' is reserved.");
      assert.equal(await fails('GET', '/registered-models/alias', { name: MODEL, alias: 'nope' }, 400, 'INVALID_PARAMETER_VALUE'), 'Registered model alias nope not found.');
      assert.equal(await fails('GET', '/registered-models/get', { name: `${MODEL}-missing` }, 404, 'RESOURCE_DOES_NOT_EXIST'), `Registered Model with name=${MODEL}-missing not found`);
      assert.equal(await fails('GET', '/model-versions/get', { name: MODEL, version: '99' }, 404, 'RESOURCE_DOES_NOT_EXIST'), `Model Version (name=${MODEL}, version=99) not found`);
      assert.equal(await fails('POST', '/registered-models/create', { name: MODEL }, 400, 'RESOURCE_ALREADY_EXISTS'), `Registered Model (name=${MODEL}) already exists.`);

      // search_model_versions: GET, max_results 10000 as a string.
      const byName = (await ok('GET', '/model-versions/search', { filter: `name = '${MODEL}'`, max_results: '10000' })).model_versions;
      assert.deepEqual(byName.map((v: any) => v.version), ['2', '1'], 'newest change first');
      assert.equal((await ok('GET', '/model-versions/search', { filter: `run_id = '${run.runId}'`, max_results: '10000' })).model_versions.length, 2);
      const tagged = (await ok('GET', '/model-versions/search', { filter: `name = '${MODEL}' and tags.origin = 'client'`, max_results: '10000' })).model_versions;
      assert.deepEqual(tagged.map((v: any) => v.version), ['2']);

      // search_registered_models: 2.x sends no prompt clause.
      const found = (await ok('GET', '/registered-models/search', { filter: `name = '${MODEL}'`, max_results: '100' })).registered_models;
      assert.deepEqual(found.map((m: any) => m.name), [MODEL]);
      assert.deepEqual(found[0].latest_versions.map((v: any) => v.version), ['2']);
      await ok('POST', '/registered-models/create', { name: `${MODEL}-pyfunc` });
      const desc = (await ok('GET', '/registered-models/search', { filter: `name LIKE '${MODEL}%'`, max_results: '100', order_by: 'name DESC' })).registered_models;
      assert.deepEqual(desc.map((m: any) => m.name), [`${MODEL}-pyfunc`, MODEL]);
      const page1 = await ok('GET', '/registered-models/search', { filter: `name LIKE '${MODEL}%'`, max_results: '1' });
      assert.equal(page1.next_page_token, 'eyJvZmZzZXQiOiAxfQ==');
      const page2 = await ok('GET', '/registered-models/search', { filter: `name LIKE '${MODEL}%'`, max_results: '1', page_token: page1.next_page_token });
      assert.deepEqual(page2.registered_models.map((m: any) => m.name), [`${MODEL}-pyfunc`]);
      assert.equal(page2.next_page_token, undefined);

      // transition_model_version_stage (archive_existing_versions always sent)
      await ok('POST', '/model-versions/transition-stage', { name: MODEL, version: '1', stage: 'Production', archive_existing_versions: false });
      const prod = (await ok('POST', '/model-versions/transition-stage', { name: MODEL, version: '2', stage: 'production', archive_existing_versions: true })).model_version;
      assert.equal(prod.current_stage, 'Production');
      assert.equal((await ok('GET', '/model-versions/get', { name: MODEL, version: '1' })).model_version.current_stage, 'Archived');
      assert.equal(
        await fails('POST', '/model-versions/transition-stage', { name: MODEL, version: '1', stage: 'Bogus', archive_existing_versions: false }, 400, 'INVALID_PARAMETER_VALUE'),
        'Invalid Model Version stage: Bogus. Value must be one of None, Staging, Production, Archived.',
      );
      // get_latest_versions: POST with and without stages.
      const latestProd = (await ok('POST', '/registered-models/get-latest-versions', { name: MODEL, stages: ['Production'] })).model_versions;
      assert.deepEqual(latestProd.map((v: any) => [v.version, v.aliases]), [['2', ['champion']]]);
      const latestAll = (await ok('POST', '/registered-models/get-latest-versions', { name: MODEL })).model_versions;
      assert.deepEqual(latestAll.map((v: any) => v.current_stage), ['Archived', 'Production']);

      // pyfunc.load_model("models:/name@first"): alias → download URI → the files.
      await ok('POST', '/registered-models/alias', { name: MODEL, alias: 'first', version: '1' });
      const byAlias = (await ok('GET', '/registered-models/alias', { name: MODEL, alias: 'first' })).model_version;
      const uri = (await ok('GET', '/model-versions/get-download-uri', { name: MODEL, version: byAlias.version })).artifact_uri;
      assert.equal((await download(uri)).MLmodel, MLMODEL);

      // Updates, tags (DELETE with a JSON body), rename.
      assert.equal((await ok('PATCH', '/registered-models/update', { name: MODEL, description: 'tiny onnx adder' })).registered_model.description, 'tiny onnx adder');
      assert.equal((await ok('PATCH', '/model-versions/update', { name: MODEL, version: '1', description: 'first' })).model_version.description, 'first');
      assert.deepEqual(await ok('POST', '/registered-models/set-tag', { name: MODEL, key: 'team', value: 'ml' }), {});
      assert.deepEqual(await ok('POST', '/model-versions/set-tag', { name: MODEL, version: '1', key: 'validated', value: 'yes' }), {});
      assert.deepEqual(await ok('DELETE', '/model-versions/delete-tag', { name: MODEL, version: '1', key: 'validated' }), {});
      assert.deepEqual(await ok('DELETE', '/registered-models/delete-tag', { name: MODEL, key: 'team' }), {});
      const RENAMED = `${MODEL}-renamed`;
      assert.equal((await ok('POST', '/registered-models/rename', { name: MODEL, new_name: RENAMED })).registered_model.name, RENAMED);
      const renamedV1 = (await ok('GET', '/model-versions/get', { name: RENAMED, version: '1' })).model_version;
      assert.equal(renamedV1.description, 'first');
      assert.equal(renamedV1.tags, undefined);
      assert.equal((await ok('GET', '/registered-models/alias', { name: RENAMED, alias: 'champion' })).model_version.version, '2');

      // Deletes.
      assert.deepEqual(await ok('DELETE', '/registered-models/alias', { name: RENAMED, alias: 'champion' }), {});
      await fails('GET', '/registered-models/alias', { name: RENAMED, alias: 'champion' }, 400, 'INVALID_PARAMETER_VALUE');
      assert.deepEqual(await ok('DELETE', '/model-versions/delete', { name: RENAMED, version: '1' }), {});
      await fails('GET', '/model-versions/get', { name: RENAMED, version: '1' }, 404, 'RESOURCE_DOES_NOT_EXIST');
      assert.deepEqual((await ok('GET', '/model-versions/search', { filter: `name = '${RENAMED}'`, max_results: '10000' })).model_versions.map((v: any) => v.version), ['2']);
      // Unlike the reference server (which compares the alias's int version with the request's string and keeps it),
      // Ferry drops the aliases of a deleted version.
      assert.equal((await ok('GET', '/registered-models/get', { name: RENAMED })).registered_model.aliases, undefined);
      assert.deepEqual(await ok('DELETE', '/registered-models/delete', { name: RENAMED }), {});
      assert.deepEqual(await ok('DELETE', '/registered-models/delete', { name: `${MODEL}-pyfunc` }), {});
      await fails('GET', '/registered-models/get', { name: RENAMED }, 404, 'RESOURCE_DOES_NOT_EXIST');
      assert.deepEqual(await ok('GET', '/registered-models/search', { filter: `name LIKE '${MODEL}%'`, max_results: '100' }), {});
    });

    it('MLflow 3.11.1: register_model from runs:/ and models:/m-…, prompt-aware search, load by alias and latest', async () => {
      const MODEL = unique('reg-scn-3');
      const run = await newRun();
      // mlflow.onnx.log_model(name="model") in 3.x: a logged model, files under it, then finalize and link to the run.
      const lm = (
        await ok('POST', '/logged-models', {
          experiment_id: run.experimentId,
          name: 'model',
          source_run_id: run.runId,
          params: [{ key: 'lr', value: '0.1' }],
          tags: [{ key: 'mlflow.user', value: 'root' }],
        })
      ).model.info;
      await put(`${proxyPath(lm.artifact_uri)}/MLmodel`, MLMODEL);
      await put(`${proxyPath(lm.artifact_uri)}/requirements.txt`, 'mlflow==3.11.1\n');
      await ok('PATCH', `/logged-models/${lm.model_id}`, { model_id: lm.model_id, status: 'LOGGED_MODEL_READY' });
      await ok('POST', '/runs/outputs', { run_id: run.runId, models: [{ model_id: lm.model_id, step: 0 }] });

      // register_model("runs:/<run>/model"): nothing under the run's model folder…
      assert.deepEqual(await ok('GET', ARTIFACTS, { path: `${proxyPath(run.artifactUri)}/model` }), {});
      // …so the client finds the logged model by name and registers it.
      const search = (await ok('POST', '/logged-models/search', { experiment_ids: [run.experimentId], filter: "name = 'model'" })).models;
      assert.deepEqual(search.map((m: any) => m.info.model_id), [lm.model_id]);
      await ok('POST', '/registered-models/create', { name: MODEL });
      const v1 = (await ok('POST', '/model-versions/create', { name: MODEL, source: `models:/${lm.model_id}`, run_id: run.runId, model_id: lm.model_id })).model_version;
      assert.equal(v1.version, '1');
      assert.equal(v1.source, `models:/${lm.model_id}`);
      assert.equal(v1.run_id, run.runId);
      // The server records the version on the logged model; the client then appends its own entry.
      const info = (await ok('GET', `/logged-models/${lm.model_id}`)).model.info;
      const mvs = JSON.parse(info.tags.find((t: any) => t.key === 'mlflow.modelVersions').value);
      assert.deepEqual(mvs, [{ name: MODEL, version: 1 }]);
      await ok('PATCH', `/logged-models/${lm.model_id}/tags`, { tags: [{ key: 'mlflow.modelVersions', value: JSON.stringify([...mvs, { name: MODEL, version: '1' }]) }] });

      // register_model("models:/m-…"): the model exists already; run_id comes from the logged model.
      assert.equal(await fails('POST', '/registered-models/create', { name: MODEL }, 400, 'RESOURCE_ALREADY_EXISTS'), `Registered Model (name=${MODEL}) already exists.`);
      const v2 = (await ok('POST', '/model-versions/create', { name: MODEL, source: `models:/${lm.model_id}`, model_id: lm.model_id })).model_version;
      assert.deepEqual([v2.version, v2.run_id], ['2', run.runId]);
      assert.equal((await ok('GET', '/model-versions/get-download-uri', { name: MODEL, version: '1' })).artifact_uri, lm.artifact_uri);

      // create_model_version(source="runs:/<run>/model"): Ferry resolves it to the run's logged model
      // (the reference server keeps the runs:/ URI, whose folder is empty in 3.x).
      const v3 = (await ok('POST', '/model-versions/create', { name: MODEL, source: `runs:/${run.runId}/model`, run_id: run.runId, tags: [{ key: 'origin', value: 'client' }] })).model_version;
      assert.equal(v3.source, `runs:/${run.runId}/model`);
      assert.equal((await ok('GET', '/model-versions/get-download-uri', { name: MODEL, version: '3' })).artifact_uri, lm.artifact_uri);

      // The 3.x client checks registered-models/get (prompt or model?) before alias and stage calls.
      await ok('GET', '/registered-models/get', { name: MODEL });
      await ok('POST', '/registered-models/alias', { name: MODEL, alias: 'champion', version: '3' });
      assert.deepEqual((await ok('GET', '/registered-models/alias', { name: MODEL, alias: 'champion' })).model_version.aliases, ['champion']);

      // search_registered_models: every filter carries the prompt clause, which must keep ordinary models.
      const withPrompt = (await ok('GET', '/registered-models/search', { filter: `name = '${MODEL}' AND ${PROMPT_CLAUSE}`, max_results: '100' })).registered_models;
      assert.deepEqual(withPrompt.map((m: any) => m.name), [MODEL]);
      assert.deepEqual(withPrompt[0].aliases, [{ alias: 'champion', version: '3' }]);
      await ok('POST', '/registered-models/create', { name: `${MODEL}-pyfunc` });
      // A prompt (as mlflow.genai.register_prompt makes one) stays out of model searches.
      await ok('POST', '/registered-models/create', { name: `${MODEL}-prompt`, tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }] });
      const listed = (await ok('GET', '/registered-models/search', { filter: `name LIKE '${MODEL}%' AND ${PROMPT_CLAUSE}`, max_results: '100', order_by: 'name DESC' })).registered_models;
      assert.deepEqual(listed.map((m: any) => m.name), [`${MODEL}-pyfunc`, MODEL]);
      const page1 = await ok('GET', '/registered-models/search', { filter: `name LIKE '${MODEL}%' AND ${PROMPT_CLAUSE}`, max_results: '1' });
      assert.equal(page1.next_page_token, 'eyJvZmZzZXQiOiAxfQ==');

      // search_model_versions
      const versions = (await ok('GET', '/model-versions/search', { filter: `name = '${MODEL}'`, max_results: '10000' })).model_versions;
      assert.deepEqual(versions.map((v: any) => v.version), ['3', '2', '1']);

      // Stages and latest versions.
      await ok('POST', '/model-versions/transition-stage', { name: MODEL, version: '1', stage: 'Production', archive_existing_versions: false });
      await ok('POST', '/model-versions/transition-stage', { name: MODEL, version: '3', stage: 'production', archive_existing_versions: true });
      const latest = (await ok('POST', '/registered-models/get-latest-versions', { name: MODEL })).model_versions;
      assert.deepEqual(latest.map((v: any) => [v.version, v.current_stage]), [['1', 'Archived'], ['2', 'None'], ['3', 'Production']]);

      // pyfunc.load_model("models:/name@champion") and ("models:/name/latest").
      const champion = (await ok('GET', '/registered-models/alias', { name: MODEL, alias: 'champion' })).model_version;
      const files = await download((await ok('GET', '/model-versions/get-download-uri', { name: MODEL, version: champion.version })).artifact_uri);
      assert.deepEqual(Object.keys(files).sort(), ['MLmodel', 'requirements.txt']);
      const newest = Math.max(...(await ok('POST', '/registered-models/get-latest-versions', { name: MODEL })).model_versions.map((v: any) => Number(v.version)));
      assert.equal(newest, 3);

      // delete_model_version, delete_registered_model
      await ok('DELETE', '/model-versions/delete', { name: MODEL, version: '1' });
      assert.deepEqual((await ok('GET', '/model-versions/search', { filter: `name = '${MODEL}'`, max_results: '10000' })).model_versions.map((v: any) => v.version).sort(), ['2', '3']);
      for (const name of [MODEL, `${MODEL}-pyfunc`, `${MODEL}-prompt`]) await ok('DELETE', '/registered-models/delete', { name });
      assert.deepEqual(await ok('GET', '/registered-models/search', { filter: `name LIKE '${MODEL}%' AND ${PROMPT_CLAUSE}`, max_results: '100' }), {});
      // The history of every change stays in the audit log.
      const audit = (await ok('GET', '/api/ferry/v1/audit', { model: MODEL })).entries;
      assert.equal(audit.at(-1).action, 'delete');
      assert.equal(audit.filter((e: any) => e.entityType === 'model_version' && e.action === 'create').length, 3);
    });
  });
}
