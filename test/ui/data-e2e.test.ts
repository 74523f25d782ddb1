/**
 * Browser tests of the Data pages: two versions of a small CSV registered in
 * the dataset registry (their bytes in the artifact store where the
 * `datasets:/` scheme reads them), then the list, the versions, and a
 * version's profile, drift and validation views, each in both themes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { blobPath } from '../../src/data/datasets/index.js';
import { sha256, uniqueName } from '../data/datasets/dataset-fixtures.js';
import { openBrowserHarness, skipWithoutChromium, THEMES, type BrowserHarness } from './browser-harness.js';

const ROWS = 80;
const CITIES = ['Lyon', 'Oslo', 'Porto'];

/** Version 1: amounts 0–49; version 2: shifted up by 40, one negative amount, and a city version 1 never had. */
function csv(version: 1 | 2): Buffer {
  const lines = ['id,amount,city'];
  for (let i = 0; i < ROWS; i++) {
    const amount = version === 1 ? i % 50 : i === 7 ? -5 : 40 + (i % 50);
    const city = version === 2 && i % 4 === 0 ? 'Quito' : CITIES[i % CITIES.length];
    lines.push(`${i},${amount},${city}`);
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

const SUITE = `name: payments
expectations:
  - expect_column_values_to_not_be_null: {column: id}
  - expect_column_values_to_be_between: {column: amount, min_value: 0, max_value: 100}
  - expect_column_values_to_be_in_set: {column: city, value_set: [Lyon, Oslo, Porto]}
`;

describe('data pages in chromium', { skip: skipWithoutChromium }, () => {
  let h: BrowserHarness;
  const name = uniqueName('payments');

  before(async () => {
    h = await openBrowserHarness();
    for (const version of [1, 2] as const) {
      const bytes = csv(version);
      const digest = sha256(bytes);
      await h.app.services.artifacts.put(blobPath(digest), bytes);
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/ferry/v1/datasets',
        payload: {
          name,
          digest,
          kind: 'file',
          size: bytes.length,
          files: 1,
          source: `data/payments-v${version}.csv`,
          schema: { format: 'csv', rows: ROWS, columns: [{ name: 'id', type: 'BIGINT' }, { name: 'amount', type: 'BIGINT' }, { name: 'city', type: 'VARCHAR' }] },
        },
      });
      assert.equal(res.statusCode, 201, res.body);
    }
  });

  after(async () => {
    await h?.close();
  });

  it('lists datasets and their versions in both themes', async () => {
    for (const theme of THEMES) {
      const page = await h.open(theme, '/data');
      const row = page.getByRole('row', { name: new RegExp(name) });
      await row.waitFor();
      assert.match(await row.innerText(), /2\s+version 2\s+80/);
      await h.auditAndShoot(page, 'datasets', theme);
      await row.getByRole('link', { name }).click();
      await page.getByRole('heading', { name: `Dataset ${name}` }).waitFor();
      const versions = page.getByRole('table', { name: `Versions of ${name}` });
      await versions.getByRole('link', { name: 'version 1' }).waitFor();
      assert.match(await versions.getByRole('row', { name: /version 2/ }).innerText(), /sha256:.*csv\s+80\s+3/);
      await h.auditAndShoot(page, 'dataset', theme);
      await page.close();
    }
  });

  it('profiles a version: schema, histograms and top values with their tables, in both themes', async () => {
    for (const theme of THEMES) {
      const page = await h.open(theme, `/data/${name}/versions/2`);
      await page.getByRole('heading', { name: `${name} version 2` }).waitFor();
      assert.match(await page.getByRole('table', { name: new RegExp(`Columns of datasets:/${name}/2`) }).innerText(), /amount\s+BIGINT/);
      await page.getByText(/80 rows, 3 columns, 0 duplicate rows/).waitFor();
      await page.getByRole('img', { name: /Histogram of amount: amount \d+ bins from -5 to 89/ }).waitFor();
      const top = page.getByRole('table', { name: 'Most frequent values of city' });
      assert.match(await top.getByRole('row', { name: /Quito/ }).innerText(), /Quito\s+20\s+25\.0 %/);
      await page.getByText('Histogram of amount as a table').click();
      const bins = page.getByRole('table', { name: 'Histogram of amount' });
      const counts = (await bins.locator('tbody tr td:nth-child(4)').allInnerTexts()).map(Number);
      assert.equal(counts.reduce((a, b) => a + b, 0), ROWS);
      await h.auditAndShoot(page, 'dataset-profile', theme);
      await page.close();
    }
  });

  it('compares two versions: per-column statistic, threshold, verdict and overlaid histograms, in both themes', async () => {
    for (const theme of THEMES) {
      const page = await h.open(theme, `/data/${name}/versions/2`);
      await page.getByRole('navigation', { name: 'Tools' }).getByRole('link', { name: 'Drift' }).click();
      await page.waitForURL(/tab=drift/);
      await page.getByRole('heading', { name: 'Drift vs version 1' }).waitFor();
      assert.deepEqual(await page.getByRole('navigation', { name: 'Tools' }).locator('[aria-current="page"]').allInnerTexts(), ['Drift']);
      assert.equal(await page.getByLabel('Reference version').inputValue(), '1');
      const table = page.getByRole('table', { name: 'Drift per column' });
      const amount = await table.getByRole('row', { name: /amount/ }).innerText();
      assert.match(amount, /numerical\s+K-S p_value\s+[\d.e-]+\s+p < 0\.05\s+drifted/);
      assert.match(await table.getByRole('row', { name: /city/ }).innerText(), /categorical.*drifted/);
      await page.getByText(/Dataset drift detected/).waitFor();
      await page.getByRole('img', { name: /Histograms of amount, version 1 against version 2/ }).waitFor();
      assert.match(await page.getByRole('table', { name: 'Most frequent values of city' }).getByRole('row', { name: /Quito/ }).innerText(), /Quito\s+0 \(0\.0 %\)\s+20 \(25\.0 %\)/);
      await h.auditAndShoot(page, 'dataset-drift', theme);
      await page.close();
    }
  });

  it('validates a pasted suite expectation by expectation with the failing values, in both themes', async () => {
    for (const theme of THEMES) {
      const page = await h.open(theme, `/data/${name}/versions/2?tab=validate`);
      await page.getByLabel(/Expectation suite/).fill(SUITE);
      await page.getByRole('button', { name: 'Validate' }).click();
      await page.waitForURL(/suite=/);
      await page.getByText(/Validation failed.*1 of 3 expectations met on 80 rows/).waitFor();
      const results = page.getByRole('table', { name: 'Result of each expectation' });
      assert.match(await results.getByRole('row', { name: /expect_column_values_to_not_be_null/ }).innerText(), /met/);
      const between = await results.getByRole('row', { name: /expect_column_values_to_be_between/ }).innerText();
      assert.match(between, /failed/);
      assert.match(between, /-5 ×1/);
      assert.match(await results.getByRole('row', { name: /expect_column_values_to_be_in_set/ }).innerText(), /20 unexpected of 80.*Quito ×20/s);
      await h.auditAndShoot(page, 'dataset-validate', theme);
      await page.close();
    }
  });

  it('shows the server’s message for a suite it cannot read', async () => {
    const page = await h.open('light', `/data/${name}/versions/1?tab=validate`);
    await page.getByLabel(/Expectation suite/).fill('expectations:\n  - expect_nothing_at_all: {}\n');
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.getByRole('alert').filter({ hasText: /Could not load the validation\. 400: .*expect_nothing_at_all/ }).waitFor();
    await page.close();
  });

  it('says what to do when a dataset does not exist', async () => {
    const page = await h.open('dark', '/data/no-such-dataset/versions/1');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Could not load version 1 of dataset no-such-dataset\. 404: No dataset 'no-such-dataset'/);
    await page.close();
  });
});
