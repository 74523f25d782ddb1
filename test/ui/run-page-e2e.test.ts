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
const DESCRIPTION = 'Baseline on the March snapshot.\nSecond line: <b>not bold</b>';
const CHILDREN = ['child-0.1', 'child-0.3', 'child-0.5'];

describe('run page sections in chromium', { skip: skipWithoutChromium }, () => {
  let h: BrowserHarness;
  let runId = '';
  let experimentId = '';
  let parentId = '';

  const mlflow = (path: string, body: unknown) => h.mlflow(path, body);

  before(async () => {
    h = await openBrowserHarness();
    const exp = await mlflow('experiments/create', { name: 'run-page' });
    experimentId = exp.experiment_id;
    const run = await mlflow('runs/create', { experiment_id: exp.experiment_id, run_name: 'artifact-run', start_time: Date.now() });
    runId = run.run.info.run_id;
    await mlflow('runs/log-batch', {
      run_id: runId,
      params: [{ key: 'lr', value: '0.01' }],
      metrics: [
        ...[0, 1, 2].map((step) => ({ key: 'loss', value: 1 / (step + 1), timestamp: Date.now(), step })),
        { key: 'samples_per_sec', value: 120000.4, timestamp: Date.now(), step: 0 },
        { key: 'val/score', value: 0.30000000000000004, timestamp: Date.now(), step: 0 },
        { key: 'val/acc', value: 0.9684119999999999, timestamp: Date.now(), step: 0 },
        { key: 'tokens', value: 123456789.123456, timestamp: Date.now(), step: 0 },
        { key: 'lr_final', value: 1e-7, timestamp: Date.now(), step: 0 },
      ],
      // What mlflow.set_tag('mlflow.note.content', …) and MLflow's description box write.
      tags: [{ key: 'mlflow.note.content', value: DESCRIPTION }],
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

    // A sweep: a parent run with sibling children, and a metric logged once.
    parentId = (await mlflow('runs/create', { experiment_id: experimentId, run_name: 'sweep', start_time: Date.now() })).run.info.run_id;
    // Logged once at step 0, where uPlot's own range for a lone x is 0–100.
    await mlflow('runs/log-metric', { run_id: parentId, key: 'best_loss', value: 0.25, timestamp: Date.now(), step: 0 });
    for (const name of CHILDREN) {
      await mlflow('runs/create', { experiment_id: experimentId, run_name: name, start_time: Date.now(), tags: [{ key: 'mlflow.parentRunId', value: parentId }] });
    }
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

  it('shows logged values as logged, rounds long ones without losing digits and titles them with the exact value', async () => {
    const page = await h.open('light', `/runs/${runId}`);
    const table = page.getByRole('table', { name: 'Latest metric values' });
    await table.waitFor();
    const cell = (key: string) => table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: key, exact: true }) }).getByRole('cell').first();
    assert.equal(await cell('samples_per_sec').innerText(), '120000.4');
    assert.equal(await cell('samples_per_sec').getAttribute('title'), null, 'a value shown exactly needs no title');
    assert.equal(await cell('lr_final').innerText(), '1e-7');
    assert.equal(await cell('tokens').innerText(), '123456789');
    assert.equal(await cell('tokens').getAttribute('title'), '123456789.123456');
    assert.equal(await cell('val/score').innerText(), '0.3');
    assert.equal(await cell('val/score').getAttribute('title'), '0.30000000000000004');
    assert.equal(await cell('val/acc').innerText(), '0.968412');
    await page.close();
  });

  it("shows the run's description at the top, line breaks kept and markup as text", async () => {
    const page = await h.open('light', `/runs/${runId}`);
    const section = page.getByRole('region', { name: 'Description' });
    await section.waitFor();
    assert.equal(await section.locator('p').innerText(), DESCRIPTION);
    assert.equal(await section.locator('b').count(), 0, 'the description is text, not HTML');
    // Above the overview: the first thing read after the run's name.
    assert.deepEqual(await page.evaluate(`[...document.querySelectorAll('h2')].slice(0, 2).map((e) => e.textContent)`), ['Description', 'Overview']);
    const other = await h.open('light', `/runs/${parentId}`);
    await other.getByRole('heading', { name: 'Run sweep' }).waitFor();
    await other.getByRole('heading', { name: 'Overview' }).waitFor();
    assert.equal(await other.getByRole('heading', { name: 'Description' }).count(), 0, 'no empty block without a description');
    await other.close();
    await page.close();
  });

  it("draws a parent's child runs as siblings, each linked to the parent", async () => {
    const page = await h.open('light', `/runs/${parentId}`);
    const graph = page.getByRole('img', { name: /Lineage graph/ });
    await graph.waitFor();
    const boxes: Record<string, { x: number; y: number }> = await graph.evaluate(`Object.fromEntries(
      [...document.querySelectorAll('svg.lineage-svg g.lineage-run')].map((g) => [
        g.querySelector('title').textContent.replace(/^Run: /, ''),
        { x: Number(g.querySelector('rect').getAttribute('x')), y: Number(g.querySelector('rect').getAttribute('y')) },
      ]),
    )`);
    const parent = boxes.sweep!;
    const children = CHILDREN.map((c) => boxes[c]!);
    assert.ok(parent && children.every(Boolean), `runs drawn: ${Object.keys(boxes).join(', ')}`);
    assert.equal(new Set(children.map((c) => c.x)).size, 1, 'the children share one column');
    assert.ok(children[0]!.x > parent.x, 'to the right of their parent');
    assert.equal(new Set(children.map((c) => c.y)).size, CHILDREN.length, 'one row each');
    // One "child of" edge per child, each from that child's left side to the parent's right side.
    const edges: number[][] = await graph.evaluate(`[...document.querySelectorAll('svg.lineage-svg g.lineage-edge')]
      .filter((g) => g.querySelector('text').textContent === 'child of')
      .map((g) => g.querySelector('path').getAttribute('d').match(/-?[0-9.]+/g).map(Number))`);
    assert.equal(edges.length, CHILDREN.length);
    const H = 46;
    assert.deepEqual(
      edges.map((n) => n[1]! - H / 2).sort((a, b) => a - b),
      children.map((c) => c.y).sort((a, b) => a - b),
      'each edge leaves a different child',
    );
    for (const n of edges) {
      assert.equal(n[0], children[0]!.x);
      assert.equal(n.at(-1)! - H / 2, parent.y);
      assert.ok(n.at(-2)! > parent.x && n.at(-2)! < children[0]!.x);
    }
    await page.close();
  });

  it('centres a metric logged once on its step instead of a 0–100 axis', async () => {
    const page = await h.open('light', `/runs/${parentId}`);
    const chart = page.locator('figure.chart[data-metric="best_loss"]');
    const over = chart.locator('.u-over');
    await over.waitFor();
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + 5, box.y + box.height / 2);
    await page.mouse.move(box.x + 6, box.y + box.height / 2);
    assert.equal(await chart.locator('.chart-readout').innerText(), 'step 0: 0.25');
    // The cursor snaps to the point: halfway across the plot, not at its left edge as step 0 of 0–100 would be.
    const point = await chart.locator('.u-cursor-pt').first().boundingBox();
    assert.ok(point, 'the cursor marks the point');
    const centre = point.x + point.width / 2 - box.x;
    assert.ok(Math.abs(centre - box.width / 2) < box.width * 0.05, `point at ${centre.toFixed(0)} of ${box.width.toFixed(0)} px`);
    await page.close();
  });

  it('follows an MLflow run link pasted into a tab already showing Ferry, without a reload', async () => {
    const page = await h.open('light', '/');
    await page.getByRole('link', { name: 'run-page' }).waitFor();
    await page.evaluate(`window.sameDocument = true`);
    // What pasting the client's printed link into the tab does: only the fragment changes.
    await page.evaluate(`location.href = ${JSON.stringify(`${h.url}/#/experiments/${experimentId}/runs/${parentId}`)}`);
    await page.getByRole('heading', { name: 'Run sweep' }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/runs/${parentId}`);
    assert.equal(new URL(page.url()).hash, '');
    assert.equal(await page.evaluate('window.sameDocument'), true, 'the app moved without reloading the page');
    // The MLflow link's history entry was replaced: back returns to the experiments list.
    await page.goBack();
    await page.getByRole('link', { name: 'run-page' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/');
    assert.equal(new URL(page.url()).hash, '');
    // An experiment link, the same way.
    await page.evaluate(`location.hash = ${JSON.stringify(`#/experiments/${experimentId}`)}`);
    await page.waitForURL(`${h.url}/experiments/${experimentId}`);
    await page.getByRole('heading', { name: 'run-page' }).waitFor();
    await page.close();
  });

  for (const theme of THEMES) {
    it(`passes axe on a parent run with its lineage fan and a one-point chart (${theme})`, async () => {
      const page = await h.open(theme, `/runs/${parentId}`);
      await page.getByRole('img', { name: /Lineage graph/ }).waitFor();
      await page.locator('figure.chart[data-metric="best_loss"] canvas').first().waitFor();
      await h.auditAndShoot(page, 'run-page-parent', theme);
      await page.close();
    });

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
