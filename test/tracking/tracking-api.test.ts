import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openApiHarness, type ApiHarness } from '../helpers/api-server.js';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';

const API = '/api/2.0/mlflow';

for (const kind of testDatabaseKinds()) {
  describe(`MLflow tracking API on ${kind.name}`, () => {
    let h: ApiHarness;
    before(async () => {
      h = await openApiHarness(kind);
    });
    after(async () => h.close());

    async function newExperiment(name = `exp-${Math.random().toString(36).slice(2)}`) {
      const r = await h.call('POST', `${API}/experiments/create`, { name });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.experiment_id as string;
    }
    async function newRun(experimentId: string, extra: Record<string, unknown> = {}) {
      const r = await h.call('POST', `${API}/runs/create`, { experiment_id: experimentId, start_time: 1000, ...extra });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.run;
    }

    describe('experiments', () => {
      it('has the Default experiment with id 0', async () => {
        const r = await h.call('GET', `${API}/experiments/get`, { experiment_id: '0' });
        assert.equal(r.status, 200);
        assert.equal(r.body.experiment.name, 'Default');
        assert.equal(r.body.experiment.artifact_location, 'mlflow-artifacts:/0');
        assert.equal(r.body.experiment.lifecycle_stage, 'active');
      });

      it('creates, gets by name, renames, tags, deletes and restores', async () => {
        const r = await h.call('POST', `${API}/experiments/create`, { name: 'alpha', tags: [{ key: 'team', value: 'ml' }] });
        assert.equal(r.status, 200);
        const id = r.body.experiment_id;
        assert.match(id, /^\d+$/);
        const byName = await h.call('GET', `${API}/experiments/get-by-name`, { experiment_name: 'alpha' });
        assert.equal(byName.body.experiment.experiment_id, id);
        assert.equal(byName.body.experiment.artifact_location, `mlflow-artifacts:/${id}`);
        assert.deepEqual(byName.body.experiment.tags, [{ key: 'team', value: 'ml' }]);
        assert.equal((await h.call('POST', `${API}/experiments/update`, { experiment_id: id, new_name: 'beta' })).status, 200);
        assert.equal((await h.call('GET', `${API}/experiments/get-by-name`, { experiment_name: 'beta' })).status, 200);
        assert.equal((await h.call('POST', `${API}/experiments/set-experiment-tag`, { experiment_id: id, key: 'k', value: 'v' })).status, 200);
        assert.equal((await h.call('POST', `${API}/experiments/delete`, { experiment_id: id })).status, 200);
        const deleted = await h.call('GET', `${API}/experiments/get`, { experiment_id: id });
        assert.equal(deleted.body.experiment.lifecycle_stage, 'deleted');
        assert.equal((await h.call('POST', `${API}/experiments/restore`, { experiment_id: id })).status, 200);
      });

      it('rejects a duplicate name with RESOURCE_ALREADY_EXISTS', async () => {
        await newExperiment('dup');
        const r = await h.call('POST', `${API}/experiments/create`, { name: 'dup' });
        assert.equal(r.status, 400);
        assert.equal(r.body.error_code, 'RESOURCE_ALREADY_EXISTS');
      });

      it('answers unknown ids with RESOURCE_DOES_NOT_EXIST', async () => {
        const r = await h.call('GET', `${API}/experiments/get`, { experiment_id: '999999' });
        assert.equal(r.status, 404);
        assert.equal(r.body.error_code, 'RESOURCE_DOES_NOT_EXIST');
        assert.match(r.body.message, /999999/);
      });

      it('refuses to delete the Default experiment', async () => {
        const r = await h.call('POST', `${API}/experiments/delete`, { experiment_id: '0' });
        assert.equal(r.status, 400);
        assert.equal(r.body.error_code, 'INVALID_PARAMETER_VALUE');
      });

      it('searches by name', async () => {
        await newExperiment('search-me-1');
        const r = await h.call('POST', `${API}/experiments/search`, { filter: "name LIKE 'search-me%'", max_results: 10 });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.deepEqual(r.body.experiments.map((e: any) => e.name), ['search-me-1']);
      });
    });

    describe('runs', () => {
      it('creates a run with name, user, tags and nesting', async () => {
        const exp = await newExperiment();
        const parent = await newRun(exp, { run_name: 'parent', user_id: 'ada' });
        assert.equal(parent.info.run_name, 'parent');
        assert.equal(parent.info.user_id, 'ada');
        assert.equal(parent.info.status, 'RUNNING');
        assert.equal(parent.info.run_id, parent.info.run_uuid);
        assert.equal(parent.info.artifact_uri, `mlflow-artifacts:/${exp}/${parent.info.run_id}/artifacts`);
        assert.deepEqual(parent.data.tags, [{ key: 'mlflow.runName', value: 'parent' }]);
        const child = await newRun(exp, { tags: [{ key: 'mlflow.parentRunId', value: parent.info.run_id }] });
        assert.ok(child.info.run_name.length > 0, 'a generated run name');
        const got = await h.call('GET', `${API}/runs/get`, { run_id: child.info.run_id });
        assert.ok(got.body.run.data.tags.some((t: any) => t.key === 'mlflow.parentRunId' && t.value === parent.info.run_id));
      });

      it('logs params immutably, tags, metrics and batches', async () => {
        const exp = await newExperiment();
        const run = await newRun(exp);
        const id = run.info.run_id;
        assert.equal((await h.call('POST', `${API}/runs/log-parameter`, { run_id: id, key: 'lr', value: '0.1' })).status, 200);
        assert.equal((await h.call('POST', `${API}/runs/log-parameter`, { run_id: id, key: 'lr', value: '0.1' })).status, 200, 'same value is fine');
        const changed = await h.call('POST', `${API}/runs/log-parameter`, { run_id: id, key: 'lr', value: '0.2' });
        assert.equal(changed.status, 400);
        assert.equal(changed.body.error_code, 'INVALID_PARAMETER_VALUE');
        assert.match(changed.body.message, /Changing param values is not allowed/);
        await h.call('POST', `${API}/runs/set-tag`, { run_uuid: id, key: 'stage', value: 'dev' });
        await h.call('POST', `${API}/runs/log-metric`, { run_id: id, key: 'loss', value: 0.5, timestamp: 10, step: 1, model_id: 'ignored-extra-field' });
        await h.call('POST', `${API}/runs/log-metric`, { run_id: id, key: 'loss', value: 0.3, timestamp: 20, step: 2 });
        const batch = await h.call('POST', `${API}/runs/log-batch`, {
          run_id: id,
          metrics: [
            { key: 'acc', value: 0.9, timestamp: 30, step: 0 },
            { key: 'acc', value: 'NaN', timestamp: 31, step: 1 },
          ],
          params: [{ key: 'depth', value: '3' }],
          tags: [{ key: 'team', value: 'a' }],
        });
        assert.equal(batch.status, 200, JSON.stringify(batch.body));
        const got = (await h.call('GET', `${API}/runs/get`, { run_id: id })).body.run;
        assert.deepEqual(got.data.params, [
          { key: 'depth', value: '3' },
          { key: 'lr', value: '0.1' },
        ]);
        const metrics = Object.fromEntries(got.data.metrics.map((m: any) => [m.key, m]));
        assert.deepEqual(metrics.loss, { key: 'loss', value: 0.3, timestamp: 20, step: 2 });
        assert.equal(metrics.acc.value, 'NaN');
        assert.ok(got.data.tags.some((t: any) => t.key === 'stage' && t.value === 'dev'));
        await h.call('POST', `${API}/runs/delete-tag`, { run_id: id, key: 'stage' });
        const after = (await h.call('GET', `${API}/runs/get`, { run_id: id })).body.run;
        assert.ok(!after.data.tags.some((t: any) => t.key === 'stage'));
      });

      it('stores identical metric points once', async () => {
        const run = await newRun(await newExperiment());
        const point = { key: 'm', value: 1, timestamp: 5, step: 0 };
        await h.call('POST', `${API}/runs/log-batch`, { run_id: run.info.run_id, metrics: [point, point] });
        await h.call('POST', `${API}/runs/log-batch`, { run_id: run.info.run_id, metrics: [point] });
        const hist = await h.call('GET', `${API}/metrics/get-history`, { run_id: run.info.run_id, metric_key: 'm' });
        assert.equal(hist.body.metrics.length, 1);
      });

      it('pages metric history in step order', async () => {
        const run = await newRun(await newExperiment());
        const metrics = Array.from({ length: 250 }, (_, i) => ({ key: 'x', value: i, timestamp: 1000 + i, step: 249 - i }));
        assert.equal((await h.call('POST', `${API}/runs/log-batch`, { run_id: run.info.run_id, metrics })).status, 200);
        const all: any[] = [];
        let token: string | undefined;
        do {
          const r = await h.call('GET', `${API}/metrics/get-history`, { run_id: run.info.run_id, metric_key: 'x', max_results: 100, page_token: token });
          assert.equal(r.status, 200);
          all.push(...r.body.metrics);
          token = r.body.next_page_token;
        } while (token);
        assert.equal(all.length, 250);
        assert.deepEqual(all.map((m) => m.step), Array.from({ length: 250 }, (_, i) => i));
        const whole = await h.call('GET', `${API}/metrics/get-history`, { run_id: run.info.run_id, metric_key: 'x' });
        assert.equal(whole.body.metrics.length, 250);
        assert.equal(whole.body.next_page_token, undefined);
      });

      it('updates status, end time and name; deletes and restores', async () => {
        const run = await newRun(await newExperiment());
        const id = run.info.run_id;
        const up = await h.call('POST', `${API}/runs/update`, { run_id: id, status: 'FINISHED', end_time: 5000, run_name: 'renamed' });
        assert.equal(up.status, 200);
        assert.equal(up.body.run_info.status, 'FINISHED');
        assert.equal(up.body.run_info.end_time, 5000);
        assert.equal(up.body.run_info.run_name, 'renamed');
        const got = (await h.call('GET', `${API}/runs/get`, { run_id: id })).body.run;
        assert.ok(got.data.tags.some((t: any) => t.key === 'mlflow.runName' && t.value === 'renamed'));
        await h.call('POST', `${API}/runs/delete`, { run_id: id });
        assert.equal((await h.call('GET', `${API}/runs/get`, { run_id: id })).body.run.info.lifecycle_stage, 'deleted');
        const write = await h.call('POST', `${API}/runs/log-metric`, { run_id: id, key: 'a', value: 1, timestamp: 1 });
        assert.equal(write.status, 400, 'deleted runs refuse writes');
        await h.call('POST', `${API}/runs/restore`, { run_id: id });
        assert.equal((await h.call('GET', `${API}/runs/get`, { run_id: id })).body.run.info.lifecycle_stage, 'active');
      });

      it('logs dataset inputs once per dataset', async () => {
        const run = await newRun(await newExperiment());
        const datasets = [
          {
            tags: [{ key: 'mlflow.data.context', value: 'training' }],
            dataset: { name: 'iris', digest: 'abc123', source_type: 'local', source: '{"uri": "/data/iris.csv"}', schema: '{"mlflow_colspec": []}' },
          },
        ];
        assert.equal((await h.call('POST', `${API}/runs/log-inputs`, { run_id: run.info.run_id, datasets })).status, 200);
        assert.equal((await h.call('POST', `${API}/runs/log-inputs`, { run_id: run.info.run_id, datasets })).status, 200);
        const got = (await h.call('GET', `${API}/runs/get`, { run_id: run.info.run_id })).body.run;
        assert.equal(got.inputs.dataset_inputs.length, 1);
        assert.equal(got.inputs.dataset_inputs[0].dataset.digest, 'abc123');
        assert.deepEqual(got.inputs.dataset_inputs[0].tags, [{ key: 'mlflow.data.context', value: 'training' }]);
      });

      it('searches with MLflow filters and order_by', async () => {
        const exp = await newExperiment();
        for (const [i, acc] of [0.7, 0.9, 0.8].entries()) {
          const run = await newRun(exp, { run_name: `r${i}` });
          await h.call('POST', `${API}/runs/log-batch`, {
            run_id: run.info.run_id,
            metrics: [{ key: 'acc', value: acc, timestamp: 1, step: 0 }],
            params: [{ key: 'model', value: i === 0 ? 'tree' : 'forest' }],
          });
        }
        const r = await h.call('POST', `${API}/runs/search`, {
          experiment_ids: [exp],
          filter: "metrics.acc > 0.75 AND params.model = 'forest'",
          order_by: ['metrics.acc DESC'],
        });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.deepEqual(r.body.runs.map((x: any) => x.info.run_name), ['r1', 'r2']);
        const bad = await h.call('POST', `${API}/runs/search`, { experiment_ids: [exp], filter: 'metrics.acc >>> 1' });
        assert.equal(bad.status, 400);
        assert.equal(bad.body.error_code, 'INVALID_PARAMETER_VALUE');
      });
    });

    describe('limits and bad input', () => {
      it('rejects oversized batches naming the limit', async () => {
        const run = await newRun(await newExperiment());
        const metrics = Array.from({ length: 1001 }, (_, i) => ({ key: 'm', value: i, timestamp: 1, step: i }));
        const r = await h.call('POST', `${API}/runs/log-batch`, { run_id: run.info.run_id, metrics });
        assert.equal(r.status, 400);
        assert.match(r.body.message, /at most 1000 metrics/);
      });

      it('rejects bad key characters and over-long keys', async () => {
        const run = await newRun(await newExperiment());
        const bad = await h.call('POST', `${API}/runs/log-metric`, { run_id: run.info.run_id, key: 'a$b', value: 1, timestamp: 1 });
        assert.equal(bad.status, 400);
        assert.equal(bad.body.error_code, 'INVALID_PARAMETER_VALUE');
        const long = await h.call('POST', `${API}/runs/log-parameter`, { run_id: run.info.run_id, key: 'k'.repeat(251), value: 'v' });
        assert.equal(long.status, 400);
        assert.match(long.body.message, /250/);
        const dots = await h.call('POST', `${API}/runs/set-tag`, { run_id: run.info.run_id, key: '../x', value: 'v' });
        assert.equal(dots.status, 400);
      });

      it('truncates over-long param and tag values as MLflow does', async () => {
        const run = await newRun(await newExperiment());
        await h.call('POST', `${API}/runs/log-parameter`, { run_id: run.info.run_id, key: 'p', value: 'x'.repeat(7000) });
        await h.call('POST', `${API}/runs/set-tag`, { run_id: run.info.run_id, key: 't', value: 'y'.repeat(9000) });
        const got = (await h.call('GET', `${API}/runs/get`, { run_id: run.info.run_id })).body.run;
        assert.equal(got.data.params.find((p: any) => p.key === 'p').value.length, 6000);
        assert.equal(got.data.tags.find((t: any) => t.key === 't').value.length, 8000);
      });

      it('answers malformed JSON, wrong types and unknown ids with 4xx', async () => {
        const malformed = await h.call('POST', `${API}/runs/create`, '{"experiment_id": ');
        assert.equal(malformed.status, 400);
        assert.equal(malformed.body.error_code, 'INVALID_PARAMETER_VALUE');
        const wrongType = await h.call('POST', `${API}/runs/log-metric`, { run_id: ['x'], key: 5, value: {} });
        assert.ok(wrongType.status >= 400 && wrongType.status < 500);
        const unknown = await h.call('GET', `${API}/runs/get`, { run_id: 'f'.repeat(32) });
        assert.equal(unknown.status, 404);
        assert.equal(unknown.body.error_code, 'RESOURCE_DOES_NOT_EXIST');
      });

      it('accepts bare NaN tokens as Python json.dumps writes them', async () => {
        const run = await newRun(await newExperiment());
        const r = await h.call('POST', `${API}/runs/log-metric`, `{"run_id": "${run.info.run_id}", "key": "n", "value": NaN, "timestamp": 1, "step": 0}`);
        assert.equal(r.status, 200, JSON.stringify(r.body));
      });

      it('answers unimplemented endpoints with ENDPOINT_NOT_FOUND', async () => {
        const r = await h.call('POST', `${API}/some/future-endpoint`, {});
        assert.equal(r.status, 404);
        assert.equal(r.body.error_code, 'ENDPOINT_NOT_FOUND');
      });
    });

    describe('artifacts', () => {
      it('uploads, lists, downloads and deletes through the proxy', async () => {
        const run = await newRun(await newExperiment());
        const root = run.info.artifact_uri.replace('mlflow-artifacts:/', '');
        const put = await h.app.inject({ method: 'PUT', url: `/api/2.0/mlflow-artifacts/artifacts/${root}/dir/hello.txt`, payload: 'hello', headers: { 'content-type': 'application/octet-stream' } });
        assert.equal(put.statusCode, 200, put.body);
        const list = await h.call('GET', '/api/2.0/mlflow-artifacts/artifacts', { path: `${root}/dir` });
        assert.deepEqual(list.body.files, [{ path: 'hello.txt', is_dir: false, file_size: 5 }]);
        const runList = await h.call('GET', `${API}/artifacts/list`, { run_id: run.info.run_id });
        assert.deepEqual(runList.body.files, [{ path: 'dir', is_dir: true }]);
        const sub = await h.call('GET', `${API}/artifacts/list`, { run_id: run.info.run_id, path: 'dir' });
        assert.deepEqual(sub.body.files, [{ path: 'dir/hello.txt', is_dir: false, file_size: 5 }]);
        const get = await h.app.inject({ method: 'GET', url: `/api/2.0/mlflow-artifacts/artifacts/${root}/dir/hello.txt` });
        assert.equal(get.body, 'hello');
        const del = await h.app.inject({ method: 'DELETE', url: `/api/2.0/mlflow-artifacts/artifacts/${root}/dir/hello.txt` });
        assert.equal(del.statusCode, 200);
        const gone = await h.app.inject({ method: 'GET', url: `/api/2.0/mlflow-artifacts/artifacts/${root}/dir/hello.txt` });
        assert.equal(gone.statusCode, 404);
      });

      it('refuses paths that escape the root', async () => {
        for (const p of ['..%2F..%2Fetc%2Fpasswd', '0/../../x', '%2Fetc%2Fpasswd', 'a%00b']) {
          const r = await h.app.inject({ method: 'GET', url: `/api/2.0/mlflow-artifacts/artifacts/${p}` });
          assert.ok(r.statusCode >= 400 && r.statusCode < 500, `${p} → ${r.statusCode}`);
        }
        const list = await h.call('GET', '/api/2.0/mlflow-artifacts/artifacts', { path: '../..' });
        assert.equal(list.status, 400);
      });
    });
  });
}
