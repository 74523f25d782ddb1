import { fileURLToPath } from 'node:url';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openApiHarness, type ApiHarness } from '../helpers/api-server.js';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';
import { API, registryClient, unique, type RegistryClient } from './registry-fixtures.js';

for (const kind of testDatabaseKinds()) {
  describe(`model-version routes (${kind.name})`, () => {
    let h: ApiHarness;
    let c: RegistryClient;
    before(async () => {
      h = await openApiHarness(kind);
      c = registryClient(h);
    });
    after(async () => h.close());

    describe('POST /model-versions/create', () => {
      it('numbers versions from 1 and resolves runs:/ to the run’s artifacts', async () => {
        const run = await c.buildRun();
        const name = (await c.createModel()).name;
        const v1 = await c.createVersion(name, `runs:/${run.runId}/model`, {
          tags: [{ key: 'origin', value: 'test' }],
          description: 'first',
          run_link: 'http://x',
        });
        assert.deepEqual(
          { ...v1, creation_timestamp: 0, last_updated_timestamp: 0 },
          {
            name,
            version: '1',
            creation_timestamp: 0,
            last_updated_timestamp: 0,
            current_stage: 'None',
            description: 'first',
            source: `runs:/${run.runId}/model`,
            run_id: run.runId,
            status: 'READY',
            tags: [{ key: 'origin', value: 'test' }],
            run_link: 'http://x',
          },
        );
        const v2 = await c.createVersion(name, `runs:/${run.runId}/model`);
        assert.equal(v2.version, '2');
        assert.equal(v2.description, '', 'MLflow stores an empty description and run_link for versions');
        assert.equal(v2.run_link, '');
        const uri = (await c.ok('GET', '/model-versions/get-download-uri', { name, version: '1' })).artifact_uri;
        assert.equal(uri, `${run.artifactUri}/model`);
        const rm = (await c.ok('GET', '/registered-models/get', { name })).registered_model;
        assert.equal(rm.last_updated_timestamp, v2.creation_timestamp, 'a new version touches its model');
      });

      it('takes any artifact URI as it is', async () => {
        const run = await c.buildRun();
        const name = (await c.createModel()).name;
        const source = `${run.artifactUri}/model`;
        const v = await c.createVersion(name, source, { run_id: run.runId });
        assert.equal(v.source, source);
        assert.equal(v.run_id, run.runId);
        assert.equal((await c.ok('GET', '/model-versions/get-download-uri', { name, version: '1' })).artifact_uri, source);
        const s3 = await c.createVersion(name, 's3://bucket/models/x');
        assert.equal(s3.run_id, undefined);
      });

      it('resolves an MLflow 3 logged model (models:/m-…) and records the version on it', async () => {
        const run = await c.buildRun();
        const lm = (await c.ok('POST', '/logged-models', { experiment_id: run.experimentId, name: 'model', source_run_id: run.runId })).model.info;
        const name = (await c.createModel()).name;
        const v = await c.createVersion(name, `models:/${lm.model_id}`, { model_id: lm.model_id });
        assert.equal(v.run_id, run.runId, 'run_id comes from the logged model');
        assert.equal(v.model_id, lm.model_id);
        assert.equal((await c.ok('GET', '/model-versions/get-download-uri', { name, version: '1' })).artifact_uri, lm.artifact_uri);
        const tags = (await c.ok('GET', `/logged-models/${lm.model_id}`)).model.info.tags;
        assert.deepEqual(JSON.parse(tags.find((t: any) => t.key === 'mlflow.modelVersions').value), [{ name, version: 1 }]);
        // Without model_id in the request, the URI alone is enough.
        const v2 = await c.createVersion(name, `models:/${lm.model_id}`);
        assert.equal(v2.model_id, lm.model_id);
        await c.fails('POST', '/model-versions/create', { name, source: 'models:/m-0000' }, 'RESOURCE_DOES_NOT_EXIST');
        // An unknown model_id is refused before anything is written, even beside a valid run.
        await c.fails('POST', '/model-versions/create', { name, source: 's3://b/x', run_id: run.runId, model_id: 'm-0000' }, 'RESOURCE_DOES_NOT_EXIST');
        assert.equal((await c.createVersion(name, 's3://b/x')).version, '3');
      });

      it('falls back from an empty runs:/<run>/<path> to the run’s logged model of that name (MLflow 3 layout)', async () => {
        const run = await c.buildRun({ files: { 'other/file.txt': 'x' } });
        const lm = (await c.ok('POST', '/logged-models', { experiment_id: run.experimentId, name: 'model', source_run_id: run.runId })).model.info;
        await c.putArtifact(`${lm.artifact_uri.replace(/^mlflow-artifacts:\/+/, '')}/MLmodel`, 'flavors: {}\n');
        const name = (await c.createModel()).name;
        const v = await c.createVersion(name, `runs:/${run.runId}/model`);
        assert.equal(v.source, `runs:/${run.runId}/model`);
        assert.equal(v.model_id, lm.model_id);
        assert.equal((await c.ok('GET', '/model-versions/get-download-uri', { name, version: '1' })).artifact_uri, lm.artifact_uri);
      });

      it('copies another version’s location for a models:/name/version source', async () => {
        const { name, artifactUri } = await c.modelWithVersions(1);
        const other = (await c.createModel()).name;
        await c.ok('POST', '/registered-models/alias', { name, alias: 'gold', version: '1' });
        for (const source of [`models:/${name}/1`, `models:/${name}@gold`, `models:/${name}/latest`]) {
          const v = await c.createVersion(other, source);
          const uri = (await c.ok('GET', '/model-versions/get-download-uri', { name: other, version: v.version })).artifact_uri;
          assert.equal(uri, `${artifactUri}/model`, source);
        }
      });

      it('refuses an unknown model, an unknown run, a missing source and unsafe sources', async () => {
        const run = await c.buildRun();
        const name = (await c.createModel()).name;
        assert.equal(
          await c.fails('POST', '/model-versions/create', { name: 'no-such', source: `runs:/${run.runId}/model` }, 'RESOURCE_DOES_NOT_EXIST', 404),
          'Registered Model with name=no-such not found',
        );
        await c.fails('POST', '/model-versions/create', { name, source: 'runs:/deadbeefdeadbeefdeadbeefdeadbeef/model' }, 'RESOURCE_DOES_NOT_EXIST', 404);
        assert.equal(await c.fails('POST', '/model-versions/create', { name }, 'INVALID_PARAMETER_VALUE', 400), "Missing value for required parameter 'source'.");
        for (const source of ['/etc/passwd', 'file:///etc/passwd', 'relative/dir']) {
          assert.match(await c.fails('POST', '/model-versions/create', { name, source, run_id: run.runId }, 'INVALID_PARAMETER_VALUE'), /To use a local path as a model version source/, source);
        }
        for (const source of [`${run.artifactUri}/../../other`, 's3://b/a/%2e%2e/x', 'mlflow-artifacts:/0/./x', 'http://h/a%2500']) {
          assert.match(await c.fails('POST', '/model-versions/create', { name, source }, 'INVALID_PARAMETER_VALUE'), /without relative path references/, source);
        }
        assert.match(await c.fails('POST', '/model-versions/create', { name, source: 'runs:' }, 'INVALID_PARAMETER_VALUE'), /Not a proper runs:\/ URI/);
        // Nothing was created by the refusals.
        assert.equal((await c.ok('GET', '/model-versions/search', { filter: `name = '${name}'` })).model_versions, undefined);
      });

      it('accepts a prompt’s placeholder source (MLflow 3 prompt registry)', async () => {
        const name = (await c.createModel(unique('prompt'), { tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }] })).name;
        const v = await c.createVersion(name, 'dummy-source', { tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }, { key: 'mlflow.prompt.text', value: 'Hi {{x}}' }] });
        assert.equal(v.version, '1');
        await c.fails('POST', '/model-versions/create', { name, source: '/etc/passwd', tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }] }, 'INVALID_PARAMETER_VALUE');
      });

      it('inspects an ONNX package and refuses a corrupt one before writing anything', async () => {
        const good = await c.buildOnnxRun();
        const name = (await c.createModel()).name;
        assert.equal((await c.createVersion(name, `runs:/${good.runId}/model`)).version, '1');
        const mlmodel = 'flavors:\n  onnx:\n    data: model.onnx\n    onnx_version: 1.12.0\n';
        const corrupt = await c.buildRun({ files: { 'model/MLmodel': mlmodel, 'model/model.onnx': 'not an onnx graph' } });
        const missing = await c.buildRun({ files: { 'model/MLmodel': mlmodel } });
        const before = (await c.audit({ model: name })).length;
        assert.match(await c.fails('POST', '/model-versions/create', { name, source: `runs:/${corrupt.runId}/model` }, 'INVALID_PARAMETER_VALUE', 400), /model\.onnx/);
        assert.match(await c.fails('POST', '/model-versions/create', { name, source: `runs:/${missing.runId}/model` }, 'INVALID_PARAMETER_VALUE', 400), /no such file/);
        assert.equal((await c.audit({ model: name })).length, before, 'no audit row for a refused version');
        assert.equal((await c.createVersion(name, `runs:/${good.runId}/model`)).version, '2', 'no number was used up');
      });
    });

    describe('uploaded packages', () => {
      it('registers a package uploaded through the artifact proxy, without a run', async () => {
        const dir = fileURLToPath(new URL('../fixtures/mlflow-onnx-package/mlflow3-signature/', import.meta.url));
        const prefix = `packages/${unique('pkg')}`;
        for (const f of await readdir(dir)) await c.putArtifact(`${prefix}/${f}`, await readFile(join(dir, f)));
        const name = (await c.createModel()).name;
        const v = await c.createVersion(name, `mlflow-artifacts:/${prefix}`);
        assert.equal(v.version, '1');
        assert.equal(v.source, `mlflow-artifacts:/${prefix}`);
        assert.ok(!v.run_id, 'no run behind it');
        const uri = await c.ok('GET', '/model-versions/get-download-uri', { name, version: '1' });
        assert.equal(uri.artifact_uri, `mlflow-artifacts:/${prefix}`);
        const corrupt = `packages/${unique('bad')}`;
        await c.putArtifact(`${corrupt}/MLmodel`, 'flavors:\n  onnx:\n    data: model.onnx\n');
        await c.putArtifact(`${corrupt}/model.onnx`, 'not an onnx graph');
        assert.match(await c.fails('POST', '/model-versions/create', { name, source: `mlflow-artifacts:/${corrupt}` }, 'INVALID_PARAMETER_VALUE', 400), /model\.onnx/);
      });
    });

    describe('inferred signatures', () => {
      it('records the signature an ONNX graph implies when the package declares none', async () => {
        const dir = fileURLToPath(new URL('../fixtures/mlflow-onnx-package/mlflow3-no-signature/', import.meta.url));
        const files: Record<string, Buffer> = {};
        for (const f of await readdir(dir)) files[`model/${f}`] = await readFile(join(dir, f));
        const run = await c.buildRun({ files });
        const name = (await c.createModel()).name;
        const v = await c.createVersion(name, `runs:/${run.runId}/model`);
        const tag = (v.tags ?? []).find((t: { key: string }) => t.key === 'ferry.signature.inferred');
        assert.ok(tag, 'the inferred signature is recorded as a version tag');
        const sig = JSON.parse(tag.value);
        assert.ok(JSON.parse(sig.inputs).length > 0 && JSON.parse(sig.outputs).length > 0);
        const declared = await c.buildOnnxRun();
        const w = await c.createVersion(name, `runs:/${declared.runId}/model`);
        assert.ok(!(w.tags ?? []).some((t: { key: string }) => t.key === 'ferry.signature.inferred'), 'a declared signature is not duplicated');
      });
    });

    describe('GET /model-versions/get', () => {
      it('validates the version as MLflow does', async () => {
        const { name } = await c.modelWithVersions(1);
        assert.equal(await c.fails('GET', '/model-versions/get', { name, version: 'abc' }, 'INVALID_PARAMETER_VALUE', 400), "Parameter 'version' must be an integer, got 'abc'.");
        assert.equal(await c.fails('GET', '/model-versions/get', { name, version: '7' }, 'RESOURCE_DOES_NOT_EXIST', 404), `Model Version (name=${name}, version=7) not found`);
        for (const version of ['0', '-1', '99999999999', '9007199254740993']) await c.fails('GET', '/model-versions/get', { name, version }, 'RESOURCE_DOES_NOT_EXIST', 404);
        assert.equal((await c.ok('GET', '/model-versions/get', { name, version: ' 1 ' })).model_version.version, '1');
        await c.fails('GET', '/model-versions/get', { name }, 'INVALID_PARAMETER_VALUE');
      });
    });

    describe('PATCH /model-versions/update', () => {
      it('sets the description', async () => {
        const { name } = await c.modelWithVersions(1);
        const v = (await c.ok('PATCH', '/model-versions/update', { name, version: '1', description: 'better' })).model_version;
        assert.equal(v.description, 'better');
        assert.ok(v.last_updated_timestamp >= v.creation_timestamp);
        await c.fails('PATCH', '/model-versions/update', { name, version: '2', description: 'x' }, 'RESOURCE_DOES_NOT_EXIST');
      });
    });

    describe('POST /model-versions/transition-stage', () => {
      it('moves a version between stages, in any capitalisation', async () => {
        const { name } = await c.modelWithVersions(1);
        const v = (await c.ok('POST', '/model-versions/transition-stage', { name, version: '1', stage: 'staging', archive_existing_versions: false })).model_version;
        assert.equal(v.current_stage, 'Staging');
        assert.equal(
          await c.fails('POST', '/model-versions/transition-stage', { name, version: '1', stage: 'Bogus' }, 'INVALID_PARAMETER_VALUE'),
          'Invalid Model Version stage: Bogus. Value must be one of None, Staging, Production, Archived.',
        );
        await c.fails('POST', '/model-versions/transition-stage', { name, version: '1' }, 'INVALID_PARAMETER_VALUE');
      });

      it('archives the other versions in the target stage with archive_existing_versions', async () => {
        const { name } = await c.modelWithVersions(4);
        for (const version of ['1', '2']) await c.ok('POST', '/model-versions/transition-stage', { name, version, stage: 'Production', archive_existing_versions: false });
        await c.ok('POST', '/model-versions/transition-stage', { name, version: '3', stage: 'Staging', archive_existing_versions: false });
        const v4 = (await c.ok('POST', '/model-versions/transition-stage', { name, version: '4', stage: 'Production', archive_existing_versions: true })).model_version;
        assert.equal(v4.current_stage, 'Production');
        const stages = (await c.ok('GET', '/model-versions/search', { filter: `name = '${name}'`, order_by: ['version_number ASC'] })).model_versions.map((v: any) => v.current_stage);
        assert.deepEqual(stages, ['Archived', 'Archived', 'Staging', 'Production']);
        const archived = (await c.ok('GET', '/model-versions/get', { name, version: '1' })).model_version;
        assert.equal(archived.last_updated_timestamp, v4.last_updated_timestamp);
      });

      it('refuses archive_existing_versions for stages other than Staging and Production', async () => {
        const { name } = await c.modelWithVersions(1);
        for (const stage of ['None', 'Archived']) {
          assert.match(
            await c.fails('POST', '/model-versions/transition-stage', { name, version: '1', stage, archive_existing_versions: true }, 'INVALID_PARAMETER_VALUE'),
            /cannot archive existing model versions/,
          );
        }
      });
    });

    describe('DELETE /model-versions/delete', () => {
      it('hides the version, drops its aliases and never reuses its number', async () => {
        const { name, runId } = await c.modelWithVersions(2);
        await c.ok('POST', '/registered-models/alias', { name, alias: 'a', version: '2' });
        await c.ok('POST', '/registered-models/alias', { name, alias: 'b', version: '1' });
        assert.deepEqual(await c.ok('DELETE', '/model-versions/delete', { name, version: '2' }), {});
        await c.fails('GET', '/model-versions/get', { name, version: '2' }, 'RESOURCE_DOES_NOT_EXIST');
        await c.fails('DELETE', '/model-versions/delete', { name, version: '2' }, 'RESOURCE_DOES_NOT_EXIST');
        const rm = (await c.ok('GET', '/registered-models/get', { name })).registered_model;
        assert.deepEqual(rm.aliases, [{ alias: 'b', version: '1' }]);
        assert.deepEqual(rm.latest_versions.map((v: any) => v.version), ['1']);
        assert.equal((await c.createVersion(name, `runs:/${runId}/model`)).version, '3');
      });
    });

    describe('version tags', () => {
      it('sets, overwrites and deletes tags', async () => {
        const { name } = await c.modelWithVersions(1);
        await c.ok('POST', '/model-versions/set-tag', { name, version: '1', key: 'k', value: 'v1' });
        await c.ok('POST', '/model-versions/set-tag', { name, version: '1', key: 'k', value: 'v2' });
        assert.deepEqual((await c.ok('GET', '/model-versions/get', { name, version: '1' })).model_version.tags, [{ key: 'k', value: 'v2' }]);
        await c.ok('DELETE', '/model-versions/delete-tag', { name, version: '1', key: 'k' });
        await c.ok('DELETE', '/model-versions/delete-tag', { name, version: '1', key: 'k' });
        assert.equal((await c.ok('GET', '/model-versions/get', { name, version: '1' })).model_version.tags, undefined);
        await c.fails('POST', '/model-versions/set-tag', { name, version: '9', key: 'k', value: 'v' }, 'RESOURCE_DOES_NOT_EXIST');
        await c.fails('POST', '/model-versions/set-tag', { name, version: 'x', key: 'k', value: 'v' }, 'INVALID_PARAMETER_VALUE');
        await c.fails('POST', '/model-versions/set-tag', { name, version: '1', key: '../k', value: 'v' }, 'INVALID_PARAMETER_VALUE');
      });
    });

    describe('concurrent creates', () => {
      it('gives 40 concurrent creates on one model 40 distinct numbers, 1 to 40', async () => {
        const run = await c.buildRun();
        const name = (await c.createModel()).name;
        const results = await Promise.all(
          Array.from({ length: 40 }, () => h.call('POST', `${API}/model-versions/create`, { name, source: `runs:/${run.runId}/model` })),
        );
        for (const r of results) assert.equal(r.status, 200, JSON.stringify(r.body));
        const numbers = results.map((r) => Number(r.body.model_version.version)).sort((a, b) => a - b);
        assert.deepEqual(numbers, Array.from({ length: 40 }, (_, i) => i + 1));
        const audit = await c.audit({ model: name });
        assert.equal(audit.filter((e: any) => e.action === 'create' && e.entityType === 'model_version').length, 40);
      });

      it('keeps concurrent creates on different models apart', async () => {
        const run = await c.buildRun();
        const names = [(await c.createModel()).name, (await c.createModel()).name];
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => h.call('POST', `${API}/model-versions/create`, { name: names[i % 2], source: `runs:/${run.runId}/model` })),
        );
        for (const name of names) {
          const versions = results.filter((r) => r.body.model_version.name === name).map((r) => Number(r.body.model_version.version));
          assert.deepEqual(versions.sort((a, b) => a - b), Array.from({ length: 10 }, (_, i) => i + 1));
        }
      });
    });
  });
}
