/**
 * What a user of the MLflow client meets first, in chromium: the run links
 * the client prints (MLflow's hash routes) open the run in Ferry; a running
 * run's page follows its status and latest values without a reload; nested
 * runs link parent and children; the chart reads out values under the
 * cursor; with auth off there is no sign-in to offer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openBrowserHarness, skipWithoutChromium, THEMES, type BrowserHarness } from './browser-harness.js';

describe('run page for a live MLflow run in chromium', { skip: skipWithoutChromium }, () => {
  let h: BrowserHarness;
  let experimentId = '';
  let parentId = '';
  let childId = '';

  const mlflow = (path: string, body: unknown) => h.mlflow(path, body);

  before(async () => {
    h = await openBrowserHarness();
    experimentId = (await mlflow('experiments/create', { name: 'live-runs' })).experiment_id;
    const start = Date.now() - 90_000;
    parentId = (await mlflow('runs/create', { experiment_id: experimentId, run_name: 'sweep', start_time: start })).run.info.run_id;
    childId = (
      await mlflow('runs/create', { experiment_id: experimentId, run_name: 'trial-1', start_time: start, tags: [{ key: 'mlflow.parentRunId', value: parentId }] })
    ).run.info.run_id;
    await mlflow('runs/log-batch', { run_id: parentId, metrics: Array.from({ length: 10 }, (_, step) => ({ key: 'loss', value: 1 / (step + 1), timestamp: start + step, step })) });
  });
  after(async () => h?.close());

  it('opens the run and experiment links the MLflow client prints', async () => {
    const page = await h.open('light', `/#/experiments/${experimentId}/runs/${parentId}`);
    await page.getByRole('heading', { name: 'Run sweep' }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/runs/${parentId}`);
    await page.goto(`${h.url}/#/experiments/${experimentId}`);
    await page.waitForURL(`${h.url}/experiments/${experimentId}`);
    await page.close();
  });

  it('follows a running run: latest values, status and duration move without a reload', async () => {
    const page = await h.open('light', `/runs/${parentId}`);
    await page.getByRole('heading', { name: 'Run sweep' }).waitFor();
    assert.match(await page.locator('.overview').innerText(), /RUNNING/);
    assert.match(await page.locator('.overview').innerText(), /Duration\s+1 min/, 'a running run shows its time so far');
    const latest = page.getByRole('table', { name: 'Latest metric values' });
    assert.match(await latest.innerText(), /loss\s+0\.1\s+9/);
    await mlflow('runs/log-batch', { run_id: parentId, metrics: [{ key: 'loss', value: 0.05, timestamp: Date.now(), step: 10 }] });
    await latest.getByText('0.05').waitFor({ timeout: 15_000 });
    await mlflow('runs/update', { run_id: parentId, status: 'FINISHED', end_time: Date.now() });
    await page.locator('.overview').getByText('FINISHED').waitFor({ timeout: 15_000 });
    await page.getByText('This run is running').waitFor({ state: 'detached' });
    await page.close();
  });

  it("links a child run to its parent and lists a parent run's children", async () => {
    const child = await h.open('light', `/runs/${childId}`);
    await child.locator('.overview').getByRole('link', { name: parentId }).click();
    await child.waitForURL(`${h.url}/runs/${parentId}`);
    await child.getByText('1 child run').click();
    await child.getByRole('link', { name: 'trial-1' }).waitFor();
    const crumbs = child.getByRole('navigation', { name: 'Breadcrumb' });
    await crumbs.getByRole('link', { name: 'live-runs' }).waitFor();
    await child.close();
  });

  it('reads out the step and value under the cursor', async () => {
    const page = await h.open('light', `/runs/${parentId}`);
    const over = page.locator('figure.chart[data-metric="loss"] .u-over');
    await over.waitFor();
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + 2, box.y + box.height / 2);
    await page.mouse.move(box.x + 3, box.y + box.height / 2);
    const text = await page.locator('figure.chart[data-metric="loss"] .chart-readout').innerText();
    assert.match(text, /^step 0: 1$/);
    await page.close();
  });

  it('follows the system theme when none is chosen, live', async () => {
    const page = await h.open('light', '/');
    const browser = page.context().browser()!;
    await page.close();
    const context = await browser.newContext({ colorScheme: 'dark' });
    const p = await context.newPage();
    await p.goto(`${h.url}/runs/${parentId}`);
    await p.getByRole('heading', { name: 'Run sweep' }).waitFor();
    const look = () => p.evaluate<[string, string]>(`[document.documentElement.dataset.theme, getComputedStyle(document.body).backgroundColor]`);
    assert.deepEqual(await look(), ['dark', 'rgb(20, 23, 28)']);
    await p.emulateMedia({ colorScheme: 'light' });
    await p.waitForFunction(`document.documentElement.dataset.theme === 'light'`);
    assert.deepEqual(await look(), ['light', 'rgb(255, 255, 255)']);
    await context.close();
  });

  it('offers no sign-in with auth off, and passes axe in both themes', async () => {
    for (const theme of THEMES) {
      const page = await h.open(theme, `/runs/${parentId}`);
      await page.getByRole('heading', { name: 'Run sweep' }).waitFor();
      await page.getByRole('button', { name: /theme/ }).waitFor();
      await page.waitForLoadState('networkidle');
      assert.equal(await page.getByText('Sign in', { exact: true }).count(), 0);
      await h.auditAndShoot(page, 'run-live', theme);
      await page.close();
    }
  });
});
