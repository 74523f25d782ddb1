/**
 * The run page's data sections in chromium: one run seeded over the MLflow
 * API with params, metrics, a dataset input, artifacts uploaded through the
 * artifact proxy (text, JSON, a PNG, a CSV and an MLmodel with a signature)
 * and a logged model; each preview is opened and checked for its real
 * content, then the page passes axe in both themes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mlmodelSignature, parseCsv } from '../../ui/src/components/run/preview-parse.js';
import { openBrowserHarness, skipWithoutChromium, THEMES, type BrowserHarness } from './browser-harness.js';

/** A valid 1×1 red PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
const MLMODEL = [
  'artifact_path: model',
  'flavors:',
  '  python_function:',
  '    loader_module: mlflow.sklearn',
  "signature:",
  `  inputs: '[{"type": "double", "name": "amount", "required": true}, {"type": "string", "name": "merchant", "required": true}]'`,
  `  outputs: '[{"type": "long", "name": "is_fraud", "required": true}]'`,
  '',
].join('\n');
const CSV = 'id,city,score\n1,"Paris, FR",0.5\n2,"Say ""hi""",0.75\n';

describe('run page sections in chromium', { skip: skipWithoutChromium }, () => {
  let h: BrowserHarness;
  let runId = '';

  const mlflow = (path: string, body: unknown) => h.mlflow(path, body);

  before(async () => {
    h = await openBrowserHarness();
    const exp = await mlflow('experiments/create', { name: 'run-page' });
    const run = await mlflow('runs/create', { experiment_id: exp.experiment_id, run_name: 'artifact-run', start_time: Date.now() });
    runId = run.run.info.run_id;
    await mlflow('runs/log-batch', {
      run_id: runId,
      params: [{ key: 'lr', value: '0.01' }],
      metrics: [0, 1, 2].map((step) => ({ key: 'loss', value: 1 / (step + 1), timestamp: Date.now(), step })),
    });
    await mlflow('runs/log-inputs', {
      run_id: runId,
      datasets: [
        {
          tags: [{ key: 'mlflow.data.context', value: 'training' }],
          dataset: { name: 'transactions', digest: 'abc123', source_type: 'ferry', source: JSON.stringify({ uri: 'datasets:/transactions/3' }) },
        },
      ],
    });
    const root = String(run.run.info.artifact_uri).replace(/^mlflow-artifacts:\/*/, '');
    const files: Array<[string, string | Buffer]> = [
      ['notes.txt', 'trained on the March snapshot\n'],
      ['config.json', '{"depth":6,"features":["amount","merchant"]}'],
      ['plots/pixel.png', PNG],
      ['data/head.csv', CSV],
      ['model/MLmodel', MLMODEL],
    ];
    for (const [path, body] of files) {
      const res = await fetch(`${h.url}/api/2.0/mlflow-artifacts/artifacts/${root}/${path}`, { method: 'PUT', body });
      assert.equal(res.status, 200, `PUT ${path}`);
    }
    await mlflow('logged-models', { experiment_id: exp.experiment_id, name: 'fraud-model', model_type: 'sklearn', source_run_id: runId });
  });
  after(async () => h?.close());

  it('previews each kind of artifact, lists the dataset input and the logged model', async () => {
    const page = await h.open('light', `/runs/${runId}`);
    await page.getByRole('heading', { name: 'Dataset inputs' }).waitFor();
    const dsRow = page.getByRole('row', { name: /transactions/ });
    await dsRow.waitFor();
    assert.match(await dsRow.innerText(), /abc123[\s\S]*ferry[\s\S]*datasets:\/transactions\/3[\s\S]*training/);
    assert.equal(await dsRow.getByRole('link', { name: 'datasets:/transactions/3' }).getAttribute('href'), '/data/transactions/versions/3');

    const files = page.getByRole('navigation', { name: 'Artifact files' });
    await files.getByRole('button', { name: /notes\.txt/ }).click();
    await page.getByLabel('Contents of notes.txt').getByText('trained on the March snapshot').waitFor();
    assert.match(page.url(), /artifact=notes\.txt/);

    await files.getByRole('button', { name: /config\.json/ }).click();
    const json = await page.getByLabel('Contents of config.json').innerText();
    assert.deepEqual(JSON.parse(json), { depth: 6, features: ['amount', 'merchant'] });
    assert.match(json, /\n {2}"depth": 6/);

    await files.getByRole('button', { name: 'plots/' }).click();
    await files.getByRole('button', { name: /pixel\.png/ }).click();
    const img = page.getByRole('img', { name: 'plots/pixel.png' });
    await img.waitFor();
    await page.locator('.artifact-preview').getByText('70 B').waitFor();
    await page.waitForFunction(`(() => { const i = document.querySelector('img.artifact-image'); return i && i.complete && i.naturalWidth === 1; })()`);

    await files.getByRole('button', { name: 'data/' }).click();
    await files.getByRole('button', { name: /head\.csv/ }).click();
    const csv = page.getByRole('table', { name: 'First 2 rows of data/head.csv' });
    await csv.waitFor();
    assert.deepEqual(await csv.locator('tbody tr').first().locator('td').allInnerTexts(), ['1', 'Paris, FR', '0.5']);
    assert.deepEqual(await csv.locator('tbody tr').nth(1).locator('td').allInnerTexts(), ['2', 'Say "hi"', '0.75']);

    await files.getByRole('button', { name: 'model/' }).click();
    await files.getByRole('button', { name: /MLmodel/ }).click();
    const inputs = page.getByRole('table', { name: 'Signature inputs' });
    await inputs.waitFor();
    assert.deepEqual(await inputs.locator('tbody th').allInnerTexts(), ['amount', 'merchant']);
    assert.deepEqual(await page.getByRole('table', { name: 'Signature outputs' }).locator('tbody td').allInnerTexts(), ['long']);
    await page.getByLabel('Contents of model/MLmodel').getByText('loader_module: mlflow.sklearn').waitFor();

    const model = page.getByRole('row', { name: /fraud-model/ });
    await model.waitFor();
    assert.match(await model.innerText(), /sklearn/);
    await page.getByRole('img', { name: /Lineage graph/ }).waitFor();
    await page.close();
  });

  for (const theme of THEMES) {
    it(`passes axe with an image preview open (${theme})`, async () => {
      const page = await h.open(theme, `/runs/${runId}?artifact=${encodeURIComponent('plots/pixel.png')}`);
      await page.getByRole('img', { name: 'plots/pixel.png' }).waitFor();
      await page.locator('.artifact-preview').getByText('70 B').waitFor();
      await page.getByRole('row', { name: /transactions/ }).waitFor();
      await page.getByRole('row', { name: /fraud-model/ }).waitFor();
      await h.auditAndShoot(page, 'run-page', theme);
      await page.close();
    });
  }
});

describe('run page preview parsers', () => {
  it('parses quoted CSV fields with commas, doubled quotes, CRLF and newlines, up to the row limit', () => {
    assert.deepEqual(parseCsv('a,b\r\n"x, y","say ""hi"""\r\n"multi\nline",2\n3,4\n', 3), [
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['multi\nline', '2'],
    ]);
    assert.deepEqual(parseCsv('a,b\n1,', 10), [['a', 'b'], ['1', '']]);
  });

  it('reads an MLmodel signature and answers undefined without one', () => {
    const sig = mlmodelSignature(MLMODEL);
    assert.deepEqual(sig?.inputs, [
      { name: 'amount', type: 'double' },
      { name: 'merchant', type: 'string' },
    ]);
    assert.deepEqual(sig?.outputs, [{ name: 'is_fraud', type: 'long' }]);
    assert.equal(mlmodelSignature('flavors:\n  python_function: {}\n'), undefined);
  });
});
