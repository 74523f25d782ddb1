/**
 * Browser tests of the compare page: its views (parallel coordinates,
 * scatter, runs grouped by a param) over ~30 runs chosen by id, and the
 * search form (`experiments=&filter=&order=&max=`) over 300 runs, all seeded
 * through the MLflow REST API. Each checks real data, the requests the page
 * makes, URL state that survives a reload, and axe in both themes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page, Request } from 'playwright-core';
import { openBrowserHarness, skipWithoutChromium, THEMES, type BrowserHarness, type Theme } from './browser-harness.js';

const RUNS = 30;
const SCALE = 300;
const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'];
const STEPS = 10;

/** WCAG contrast ratio of two CSS `rgb(r, g, b)` colours. */
function contrast(a: string, b: string): number {
  const lum = (css: string) => {
    const [r, g, bl] = css.match(/\d+(\.\d+)?/g)!.slice(0, 3).map((c) => {
      const v = Number(c) / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [x, y] = [lum(a), lum(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

describe('compare page in chromium', { skip: skipWithoutChromium }, () => {
  let harness: BrowserHarness;
  let scaleExp: string;
  const runIds: string[] = [];
  const scaleIds: string[] = [];

  async function mlflow(path: string, body: unknown): Promise<any> {
    const res = await fetch(`${harness.url}/api/2.0/mlflow/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = await res.json();
    assert.equal(res.status, 200, `${path}: ${JSON.stringify(json)}`);
    return json;
  }

  /** Creates `n` runs in `exp` (run i: lr, optimizer, batch_size and a loss/accuracy history), 16 at a time. */
  async function seedRuns(exp: string, prefix: string, n: number, steps: number, ids: string[]) {
    const t0 = Date.UTC(2026, 0, 1);
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < n) {
          const i = next++;
          const run = await mlflow('runs/create', { experiment_id: exp, run_name: `${prefix}-${String(i).padStart(n > 100 ? 3 : 2, '0')}`, start_time: t0 + i * 1000 });
          const id = run.run.info.run_id as string;
          ids[i] = id;
          const metrics = [];
          for (let step = 0; step < steps; step++) {
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
        }
      }),
    );
  }

  before(async () => {
    harness = await openBrowserHarness();
    const exp = (await mlflow('experiments/create', { name: 'compare-views' })).experiment_id;
    scaleExp = (await mlflow('experiments/create', { name: 'compare-scale' })).experiment_id;
    await seedRuns(exp, 'cmp', RUNS, STEPS, runIds);
    await seedRuns(scaleExp, 'big', SCALE, 3, scaleIds);
  });

  after(async () => {
    await harness?.close();
  });

  const path = (extra: string) => `/compare?runs=${runIds.join(',')}${extra}`;
  const query = (params: Record<string, string>) => `/compare?${new URLSearchParams({ experiments: scaleExp, ...params })}`;

  /** Opens `path` with every API request recorded from the start. */
  async function openRecording(theme: Theme, target: string): Promise<{ page: Page; requests: Request[] }> {
    const page = await harness.open(theme, '/compare');
    await page.getByText('No runs chosen.').waitFor();
    const requests: Request[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/')) requests.push(r);
    });
    await page.goto(`${harness.url}${target}`);
    return { page, requests };
  }
  const calls = (requests: Request[], what: string) => requests.filter((r) => new URL(r.url()).pathname.endsWith(what));

  /** Pixels of the parallel coordinates canvas that hold paint. */
  const painted = (page: Page) =>
    page.locator('.pc-plot canvas').evaluate((c: any) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n;
    });

  it('draws parallel coordinates with one axis per param plus the metric, and keeps the choice on reload', async () => {
    const page = await harness.open('light', path(''));
    await page.getByRole('heading', { name: `Compare ${RUNS} runs` }).waitFor();
    await page.getByRole('button', { name: 'Parallel coordinates' }).click();
    await page.getByRole('heading', { name: 'Parallel coordinates' }).waitFor();
    assert.match(page.url(), /view=parallel/);
    const labels = await page.locator('.pc-axis-label').allTextContents();
    assert.deepEqual(labels, ['batch_size', 'lr', 'optimizer', 'accuracy']);
    assert.deepEqual(await page.locator('.pc-axis[data-field="p:optimizer"] .pc-tick').allTextContents(), ['adam', 'rmsprop', 'sgd']);
    await page.locator(`.pc-plot canvas[data-drawn="${RUNS}"]`).waitFor();
    const n = await painted(page);
    assert.ok(n > 1000, `canvas painted ${n} pixels`);
    await page.getByLabel('Metric').selectOption('loss');
    await page.waitForURL(/pc_metric=loss/);
    await page.reload();
    await page.getByRole('heading', { name: 'Parallel coordinates' }).waitFor();
    assert.equal((await page.locator('.pc-axis-label').allTextContents()).at(-1), 'loss');
    await page.getByText('Data table', { exact: true }).click();
    await page.locator('.pc table tbody tr').nth(RUNS - 1).waitFor();
    assert.equal(await page.locator('.pc table tbody tr').count(), RUNS);
    await page.close();
  });

  it('scatters one point per run for the chosen axes, names the run under the pointer, and keeps the axes on reload', async () => {
    const page = await harness.open('light', path('&view=scatter'));
    await page.getByRole('heading', { name: 'Scatter' }).waitFor();
    assert.equal(await page.locator('.scatter-points').getAttribute('data-points'), String(RUNS));
    await page.getByLabel('X axis').selectOption('p:lr');
    await page.getByLabel('Y axis').selectOption('m:loss');
    await page.waitForURL(/sy=m%3Aloss|sy=m:loss/);
    await page.reload();
    await page.getByRole('heading', { name: 'Scatter' }).waitFor();
    assert.equal(await page.getByLabel('X axis').inputValue(), 'p:lr');
    assert.equal(await page.getByLabel('Y axis').inputValue(), 'm:loss');
    assert.equal(await page.locator('.scatter-points').getAttribute('data-points'), String(RUNS));
    assert.deepEqual(await page.locator('.scatter-label').allTextContents(), ['lr', 'loss']);
    // All points are one path: hover the first one's centre, found from the path's first circle.
    await page.locator('.scatter-plot').scrollIntoViewIfNeeded();
    const at = await page.locator('.scatter-plot').evaluate((svg: any) => {
      const m = /^M([\d.]+) ([\d.]+)/.exec(svg.querySelector('.scatter-points').getAttribute('d'));
      const pt = svg.createSVGPoint();
      pt.x = Number(m![1]) + 5;
      pt.y = Number(m![2]);
      const s = pt.matrixTransform(svg.getScreenCTM());
      return { x: s.x, y: s.y };
    });
    await page.mouse.move(at.x, at.y);
    assert.match((await page.locator('.scatter-readout').textContent()) ?? '', /^cmp-\d\d: lr 0\.00\d+, loss [\d.]+$/);
    assert.equal(await page.locator('.scatter-hover').count(), 1);
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
    await page.getByText('Data table', { exact: true }).click();
    await page.locator('.grouped table tbody tr').first().waitFor();
    const first = await page.locator('.grouped table tbody tr').first().locator('td').allTextContents();
    assert.equal(first[0], '0');
    assert.ok(Math.abs(Number(first[1]) - 1.135) < 1e-9, `mean ${first[1]}`);
    assert.ok(Math.abs(Number(first[2]) - 1) < 1e-9 && Math.abs(Number(first[3]) - 1.27) < 1e-9, `min/max ${first[2]} ${first[3]}`);
    await page.close();
  });

  it('fetches runs named by id in batched runs/search calls when the link names their experiment', async () => {
    const ids = scaleIds.slice(0, 250);
    const { page, requests } = await openRecording('light', `/compare?runs=${ids.join(',')}&experiments=${scaleExp}`);
    await page.getByRole('heading', { name: 'Compare 250 runs' }).waitFor();
    // 200 ids per call: two searches, no per-run GET.
    const searches = calls(requests, '/runs/search');
    assert.equal(searches.length, 2);
    assert.equal(calls(requests, '/runs/get').length, 0);
    const filters = searches.map((r) => JSON.parse(r.postData()!).filter as string);
    assert.deepEqual(filters.map((f) => f.match(/'[^']+'/g)!.length), [200, 50]);
    assert.match(filters[0]!, /^attributes\.run_id IN \('/);
    // Past 100 runs the names and the params table start folded, and nothing in them is drawn until opened.
    const chips = page.getByRole('list', { name: 'Runs compared' }).getByRole('link');
    assert.equal(await chips.count(), 0);
    await page.getByText(/^Run names and the \d+ parameters? that differ \(first 100 of 250 runs\)/).click();
    // The URL's order is kept.
    await chips.first().waitFor();
    assert.equal(await chips.count(), 100);
    assert.deepEqual(await chips.evaluateAll((a: any[]) => a.slice(0, 3).map((x) => x.getAttribute('href'))), ids.slice(0, 3).map((id) => `/runs/${id}`));
    await page.getByText('and 150 more').waitFor();
    await page.close();
  });

  it('charts the first 100 of more runs and says so, one series call of 100 runs per chart', async () => {
    const ids = scaleIds.slice(0, 250);
    const { page, requests } = await openRecording('light', `/compare?runs=${ids.join(',')}&experiments=${scaleExp}`);
    await page.getByRole('note').filter({ hasText: 'Charts show the first 100 of 250 runs' }).waitFor();
    assert.match((await page.getByRole('note').textContent())!, /Parallel coordinates, scatter and grouped show all 250/);
    await page.locator('figure[data-metric="loss"] canvas').waitFor();
    assert.equal(await page.getByRole('list', { name: 'Runs in the loss chart' }).getByRole('listitem').count(), 100);
    const series = calls(requests, '/runs/series').filter((r) => new URL(r.url()).searchParams.get('key') === 'loss');
    assert.ok(series.length >= 1);
    for (const r of series) assert.deepEqual(new URL(r.url()).searchParams.getAll('run_id'), ids.slice(0, 100));
    await page.close();
  });

  it('finds the experiment of an older link from its first run, then fetches the rest in one search', async () => {
    const { page, requests } = await openRecording('light', path(''));
    await page.getByRole('heading', { name: `Compare ${RUNS} runs` }).waitFor();
    assert.equal(calls(requests, '/runs/get').length, 1);
    assert.equal(calls(requests, '/runs/search').length, 1);
    await page.close();
  });

  it('compares the first N runs of a search: one runs/search call, parallel coordinates over all of them, a paged data table', async () => {
    const { page, requests } = await openRecording('light', query({ max: String(SCALE), view: 'parallel' }));
    await page.getByRole('heading', { name: `Compare ${SCALE} runs` }).waitFor();
    await page.locator(`.pc-plot canvas[data-drawn="${SCALE}"]`).waitFor();
    assert.ok((await painted(page)) > 5000);
    const searches = calls(requests, '/runs/search');
    assert.equal(searches.length, 1);
    assert.deepEqual(JSON.parse(searches[0]!.postData()!), { experiment_ids: [scaleExp], max_results: SCALE });
    assert.equal(calls(requests, '/runs/get').length, 0);
    assert.match((await page.locator('.compare-search').textContent())!, new RegExp(`^All ${SCALE} runs of experiment ${scaleExp}\\.`));
    await page.getByText('Data table', { exact: true }).click();
    // The table is built when the details open: wait for it before counting.
    await page.getByText(`Rows 1–100 of ${SCALE}`).waitFor();
    await page.locator('.pc table tbody tr').nth(99).waitFor();
    assert.equal(await page.locator('.pc table tbody tr').count(), 100);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText(`Rows 101–200 of ${SCALE}`).waitFor();
    await page.locator('.pc table tbody tr').nth(99).waitFor();
    assert.equal(await page.locator('.pc table tbody tr').count(), 100);
    await page.close();
  });

  it('keeps experiments, filter, order and max in the URL through view changes and a reload', async () => {
    const filter = "params.optimizer = 'adam'";
    const order = 'metrics.loss DESC';
    const page = await harness.open('light', query({ filter, order, max: '40', view: 'scatter' }));
    await page.getByRole('heading', { name: 'Compare 40 runs' }).waitFor();
    assert.equal(await page.locator('.compare-search').textContent(), `The first 40 runs of experiment ${scaleExp} matching ${filter} by ${order} (more match; max is 40, at most 1000). Open this search in the runs table`);
    await page.getByLabel('X axis').selectOption('p:optimizer');
    await page.getByLabel('Y axis').selectOption('m:loss');
    await page.waitForURL(/sy=m/);
    await page.reload();
    await page.getByRole('heading', { name: 'Compare 40 runs' }).waitFor();
    // Plain values, as a person would write them: no JSON quotes around `2` or `40`.
    const params = new URL(page.url()).searchParams;
    const get = (k: string) => params.get(k);
    assert.deepEqual(['experiments', 'filter', 'order', 'max', 'view', 'sx'].map(get), [scaleExp, filter, order, '40', 'scatter', 'p:optimizer']);
    assert.equal(await page.locator('.scatter-points').getAttribute('data-points'), '40');
    // Every run matches the filter, and the highest losses (the last runs) come first.
    await page.getByText('Data table', { exact: true }).click();
    const rows = page.locator('.scatter table tbody tr');
    await rows.nth(39).waitFor();
    assert.deepEqual([...new Set(await rows.locator('td:nth-child(2)').allTextContents())], ['adam']);
    assert.equal(await rows.first().locator('th').textContent(), 'big-297');
    await page.getByRole('link', { name: 'Open this search in the runs table' }).click();
    await page.waitForURL(new RegExp(`/experiments/${scaleExp}\\?`));
    const runsUrl = new URL(page.url()).searchParams;
    assert.deepEqual([runsUrl.get('filter'), runsUrl.get('order')], [filter, order]);
    await page.close();
  });

  it('groups all runs of a search past the series limit of 100, in calls of 100 runs', async () => {
    const { page, requests } = await openRecording('light', query({ max: String(SCALE), view: 'grouped', group: 'optimizer', gmetric: 'loss' }));
    const legend = page.getByRole('list', { name: 'Groups' }).getByRole('listitem');
    await legend.first().waitFor();
    assert.deepEqual(await legend.allTextContents(), ['optimizer = adam (100 runs)', 'optimizer = rmsprop (100 runs)', 'optimizer = sgd (100 runs)']);
    const series = calls(requests, '/runs/series');
    assert.ok(series.length >= 3);
    for (const r of series) assert.ok(new URL(r.url()).searchParams.getAll('run_id').length <= 100);
    await page.close();
  });

  it('says what to fix when max is out of range', async () => {
    const page = await harness.open('light', query({ max: '5000' }));
    await page.getByRole('alert').getByText('max must be a whole number from 1 to 1000; the link has max=5000.').waitFor();
    await page.close();
  });

  for (const theme of THEMES) {
    it(`passes axe with every view in the ${theme} theme, and colours lines with 3:1 contrast against the background`, async () => {
      for (const [name, target, ready] of [
        ['parallel', path('&view=parallel'), `.pc-plot canvas[data-drawn="${RUNS}"]`],
        ['scatter', path('&view=scatter'), '.scatter-points'],
        ['grouped', path('&view=grouped'), '.group-line polyline'],
        ['search-parallel', query({ max: String(SCALE), view: 'parallel' }), `.pc-plot canvas[data-drawn="${SCALE}"]`],
        ['search-charts', query({ max: String(SCALE) }), 'figure[data-metric="loss"] canvas'],
      ] as const) {
        const page = await harness.open(theme, target);
        await page.locator(ready).first().waitFor();
        if (name.endsWith('parallel')) {
          // The legend's ramp is the lines' scale: every colour of it must stand out from the page.
          const [bg, ramp] = await page.locator('.pc-legend .ramp').evaluate((el: any): string[] => {
            const view = el.ownerDocument.defaultView;
            return [view.getComputedStyle(el.ownerDocument.body).backgroundColor, view.getComputedStyle(el).backgroundImage];
          });
          const stops = ramp!.match(/rgb\([^)]+\)/g)!;
          assert.ok(stops.length >= 5, ramp);
          const worst = Math.min(...stops.map((c) => contrast(c, bg!)));
          assert.ok(worst >= 3, `${theme}: the ramp's weakest colour has contrast ${worst}`);
          assert.ok((await painted(page)) > 1000);
        }
        await harness.auditAndShoot(page, `compare-${name}`, theme);
        await page.close();
      }
    });
  }
});
