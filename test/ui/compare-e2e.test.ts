/**
 * Browser tests of the compare page's views: parallel coordinates, scatter and
 * runs grouped by a param, over ~30 runs seeded through the MLflow REST API,
 * each checked for real data, URL state that survives a reload, and axe in
 * both themes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openBrowserHarness, skipWithoutChromium, THEMES, type BrowserHarness } from './browser-harness.js';

const RUNS = 30;
const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'];
const STEPS = 10;

describe('compare page views in chromium', { skip: skipWithoutChromium }, () => {
  let harness: BrowserHarness;
  const runIds: string[] = [];

  async function mlflow(path: string, body: unknown): Promise<any> {
    const res = await fetch(`${harness.url}/api/2.0/mlflow/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = await res.json();
    assert.equal(res.status, 200, `${path}: ${JSON.stringify(json)}`);
    return json;
  }

  before(async () => {
    harness = await openBrowserHarness();
    const exp = (await mlflow('experiments/create', { name: 'compare-views' })).experiment_id;
    const t0 = Date.UTC(2026, 0, 1);
    await Promise.all(
      Array.from({ length: RUNS }, async (_, i) => {
        const run = await mlflow('runs/create', { experiment_id: exp, run_name: `cmp-${String(i).padStart(2, '0')}`, start_time: t0 + i * 1000 });
        const id = run.run.info.run_id as string;
        runIds[i] = id;
        const metrics = [];
        for (let step = 0; step < STEPS; step++) {
          const loss = 1 / (1 + step) + i / 100;
          metrics.push({ key: 'loss', value: loss, timestamp: t0 + step, step }, { key: 'accuracy', value: 1 - loss / 2, timestamp: t0 + step, step });
        }
        await mlflow('runs/log-batch', {
          run_id: id,
          params: [
            { key: 'lr', value: String(0.001 * (1 + (i % 5))) },
            { key: 'optimizer', value: OPTIMIZERS[i % OPTIMIZERS.length] },
            { key: 'batch_size', value: String(32 * (1 + (i % 4))) },
          ],
          metrics,
        });
      }),
    );
  });

  after(async () => {
    await harness?.close();
  });

  const path = (extra: string) => `/compare?runs=${runIds.join(',')}${extra}`;

  it('draws parallel coordinates with one axis per param plus the metric, and keeps the choice on reload', async () => {
    const page = await harness.open('light', path(''));
    await page.getByRole('heading', { name: `Compare ${RUNS} runs` }).waitFor();
    await page.getByRole('button', { name: 'Parallel coordinates' }).click();
    await page.getByRole('heading', { name: 'Parallel coordinates' }).waitFor();
    assert.match(page.url(), /view=parallel/);
    const labels = await page.locator('.pc-axis-label').allTextContents();
    assert.deepEqual(labels, ['batch_size', 'lr', 'optimizer', 'accuracy']);
    assert.deepEqual(await page.locator('.pc-axis[data-field="p:optimizer"] .pc-tick').allTextContents(), ['adam', 'rmsprop', 'sgd']);
    // The canvas holds the lines: some pixels must be painted.
    const painted = await page.locator('.pc-plot canvas').evaluate((c: any) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n;
    });
    assert.ok(painted > 1000, `canvas painted ${painted} pixels`);
    await page.getByLabel('Metric').selectOption('loss');
    await page.waitForURL(/pc_metric=loss/);
    await page.reload();
    await page.getByRole('heading', { name: 'Parallel coordinates' }).waitFor();
    assert.equal((await page.locator('.pc-axis-label').allTextContents()).at(-1), 'loss');
    await page.getByText('Data table').click();
    await page.locator('.pc table tbody tr').nth(RUNS - 1).waitFor();
    assert.equal(await page.locator('.pc table tbody tr').count(), RUNS);
    await page.close();
  });

  it('scatters one point per run for the chosen axes, and keeps them on reload', async () => {
    const page = await harness.open('light', path('&view=scatter'));
    await page.getByRole('heading', { name: 'Scatter' }).waitFor();
    assert.equal(await page.locator('.scatter-points circle').count(), RUNS);
    await page.getByLabel('X axis').selectOption('p:lr');
    await page.getByLabel('Y axis').selectOption('m:loss');
    await page.waitForURL(/sy=m%3Aloss|sy=m:loss/);
    await page.reload();
    await page.getByRole('heading', { name: 'Scatter' }).waitFor();
    assert.equal(await page.getByLabel('X axis').inputValue(), 'p:lr');
    assert.equal(await page.getByLabel('Y axis').inputValue(), 'm:loss');
    assert.equal(await page.locator('.scatter-points circle').count(), RUNS);
    assert.deepEqual(await page.locator('.scatter-label').allTextContents(), ['lr', 'loss']);
    await page.close();
  });

  it('groups runs by optimizer with one mean line and band per group, and keeps the group on reload', async () => {
    const page = await harness.open('light', path('&view=grouped'));
    await page.getByRole('heading', { name: 'Grouped by parameter' }).waitFor();
    await page.getByLabel('Group by').selectOption('optimizer');
    await page.getByLabel('Metric').selectOption('loss');
    await page.waitForURL(/group=optimizer/);
    await page.reload();
    const legend = page.getByRole('list', { name: 'Groups' }).getByRole('listitem');
    await legend.first().waitFor();
    assert.deepEqual(await legend.allTextContents(), ['optimizer = adam (10 runs)', 'optimizer = rmsprop (10 runs)', 'optimizer = sgd (10 runs)']);
    assert.equal(await page.locator('.group-line polyline').count(), 3);
    assert.equal(await page.locator('.group-line polygon').count(), 3);
    // adam holds runs 0, 3, …, 27: at step 0 the mean loss is 1 + mean(i)/100 = 1.135, min 1, max 1.27.
    await page.getByText('Data table').click();
    await page.locator('.grouped table tbody tr').first().waitFor();
    const first = await page.locator('.grouped table tbody tr').first().locator('td').allTextContents();
    assert.equal(first[0], '0');
    assert.ok(Math.abs(Number(first[1]) - 1.135) < 1e-9, `mean ${first[1]}`);
    assert.ok(Math.abs(Number(first[2]) - 1) < 1e-9 && Math.abs(Number(first[3]) - 1.27) < 1e-9, `min/max ${first[2]} ${first[3]}`);
    await page.close();
  });

  for (const theme of THEMES) {
    it(`passes axe with every view in the ${theme} theme`, async () => {
      for (const [view, ready] of [
        ['parallel', '.pc-axis-label'],
        ['scatter', '.scatter-points circle'],
        ['grouped', '.group-line polyline'],
      ] as const) {
        const page = await harness.open(theme, path(`&view=${view}`));
        await page.locator(ready).first().waitFor();
        await harness.auditAndShoot(page, `compare-${view}`, theme);
        await page.close();
      }
    });
  }
});
