import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DRIFT_PATH } from '../../../src/data/drift/drift-routes.js';
import { openApiHarness, type ApiHarness } from '../../helpers/api-server.js';
import { seededRandom } from '../../helpers/seeded-random.js';
import { testDatabaseKinds } from '../../helpers/test-database-urls.js';

function csv(seed: number, rows: number, shift: number, extra?: string): string {
  const rnd = seededRandom(seed);
  const lines = [`amount,plan${extra ? `,${extra}` : ''}`];
  for (let i = 0; i < rows; i++) {
    const amount = (rnd.next() + rnd.next() + shift).toFixed(6);
    const plan = rnd.pick(shift > 0 ? ['free', 'pro', 'pro'] : ['free', 'pro']);
    lines.push(`${amount},${plan}${extra ? `,${i % 7}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('drift routes', () => {
  let api: ApiHarness;
  let reference: string;
  let current: string;
  let stable: string;
  const released: string[] = [];
  let dir: string;

  const upload = async (body: string) => {
    const res = await api.app.inject({ method: 'POST', url: '/api/ferry/v1/data/uploads?format=csv', headers: { 'content-type': 'text/csv' }, payload: body });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().upload.ref as string;
  };

  before(async () => {
    api = await openApiHarness(testDatabaseKinds()[0]!);
    reference = await upload(csv(1, 400, 0, 'extra'));
    current = await upload(csv(2, 300, 0.4));
    stable = await upload(csv(3, 350, 0));
    // A scheme of our own, to see that every resolved table is released, errors included.
    dir = await mkdtemp(join(tmpdir(), 'ferry-drift-routes-'));
    await writeFile(join(dir, 'bad.parquet'), 'not parquet');
    await writeFile(join(dir, 'ok.csv'), csv(4, 50, 0));
    api.app.services.data.sources.register('probe', async (rest, ref) => ({
      ref,
      path: join(dir, rest),
      format: rest.endsWith('.csv') ? 'csv' : 'parquet',
      release: async () => {
        released.push(ref);
      },
    }));
  });
  after(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers the JSON report for two uploads, naming them by reference', async () => {
    const res = await api.call('POST', DRIFT_PATH, { reference, current });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const report = res.body;
    assert.deepEqual(report.reference, { source: reference, format: 'csv', rows: 400 });
    assert.deepEqual(report.current, { source: current, format: 'csv', rows: 300 });
    assert.deepEqual(
      report.columns.map((c: any) => [c.column, c.computed, c.method ?? c.reason]),
      [
        ['amount', true, 'ks'],
        ['plan', true, 'z'],
        ['extra', false, 'not computed: column is only in reference'],
      ],
    );
    const amount = report.columns[0];
    assert.equal(amount.drifted, true);
    assert.equal(amount.score_kind, 'p_value');
    assert.equal(amount.threshold, 0.05);
    assert.equal(typeof amount.details.ks_statistic, 'number');
    assert.equal(report.dataset.dataset_drift, true);
    assert.doesNotMatch(JSON.stringify(report), /uploads\//, 'no server path in the report');
  });

  it('takes Evidently parameter names: stattest, thresholds per column, drift share, columns', async () => {
    const res = await api.call('POST', DRIFT_PATH, {
      reference,
      current: stable,
      columns: ['amount', 'plan'],
      stattest: 'psi',
      stattest_threshold: 0.5,
      per_column_stattest: { amount: 'wasserstein' },
      per_column_stattest_threshold: { plan: 0.000001 },
      categorical_columns: ['plan'],
      drift_share: 0.5,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(
      res.body.columns.map((c: any) => [c.column, c.method, c.threshold, c.type]),
      [
        ['amount', 'wasserstein', 0.5, 'numerical'],
        ['plan', 'psi', 0.000001, 'categorical'],
      ],
    );
    assert.equal(res.body.columns[0].drifted, false);
    assert.equal(res.body.dataset.number_of_columns, 2);
  });

  it('answers the HTML report with format "html"', async () => {
    const res = await api.app.inject({ method: 'POST', url: DRIFT_PATH, payload: { reference, current, format: 'html' } });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^text\/html; charset=utf-8/);
    assert.match(res.body, /^<!DOCTYPE html>/);
    assert.equal(res.body.match(/<svg /g)?.length, 2);
    assert.ok(res.body.includes(reference));
  });

  it('answers 400 for bad options before resolving or reading a table', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ reference: 'probe:none', current: 'probe:none', stattest: 'anova' }, /Unknown stattest "anova"; use one of ks, chisquare/],
      [{ reference: 'probe:none', current: 'probe:none', stattest_threshold: -0.1 }, /stattest threshold must be a finite number >= 0/],
      [{ reference: 'probe:none', current: 'probe:none', stattest_threshold: '0.1' }, /'stattest_threshold' must be a number/],
      [{ reference: 'probe:none', current: 'probe:none', per_column_stattest: { amount: 'nope' } }, /^Unknown stattest "nope" for column "amount"; use one of/],
      [{ reference: 'probe:none', current: 'probe:none', per_column_threshold: { amount: 0.1 } }, /Unknown field "per_column_threshold"; the fields are .*per_column_stattest_threshold/],
      [{ reference: 'probe:none', current: 'probe:none', cat_stattest: 'ks2' }, /^Unknown stattest "ks2" for categorical columns/],
      [{ reference: 'probe:none', current: 'probe:none', drift_share: 2 }, /drift share must be a number between 0 and 1/],
      [{ reference: 'probe:none', current: 'probe:none', format: 'pdf' }, /'format' must be "json" or "html"/],
      [{ current: 'probe:none' }, /'reference' must be a table reference/],
    ];
    for (const [body, message] of cases) {
      const res = await api.call('POST', DRIFT_PATH, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, 'INVALID_ARGUMENT');
      assert.match(res.body.error.message, message);
    }
    assert.deepEqual(released, [], 'no table was resolved');
  });

  it('answers 404 for an unknown upload and 400 for an unknown scheme or column', async () => {
    const missing = await api.call('POST', DRIFT_PATH, { reference, current: 'upload:0123456789abcdef0123456789abcdef' });
    assert.equal(missing.status, 404);
    const scheme = await api.call('POST', DRIFT_PATH, { reference, current: 's3://bucket/x.csv' });
    assert.equal(scheme.status, 400);
    const column = await api.call('POST', DRIFT_PATH, { reference, current, columns: ['extra'] });
    assert.equal(column.status, 400);
    assert.match(column.body.error.message, new RegExp(`"extra" was asked for but only the reference \\(${reference}\\) has it`));
  });

  it('releases every resolved table, also when reading fails', async () => {
    released.length = 0;
    const bad = await api.call('POST', DRIFT_PATH, { reference: 'probe:ok.csv', current: 'probe:bad.parquet' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /^Cannot read .*bad\.parquet as parquet/);
    assert.deepEqual(released.sort(), ['probe:bad.parquet', 'probe:ok.csv']);
    released.length = 0;
    const ok = await api.call('POST', DRIFT_PATH, { reference: 'probe:ok.csv', current: 'probe:ok.csv' });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.dataset.dataset_drift, false);
    assert.deepEqual(released, ['probe:ok.csv', 'probe:ok.csv']);
  });
});
