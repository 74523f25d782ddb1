/**
 * End-to-end tests of the web UI: a real Ferry server on a temp home, seeded
 * over the MLflow REST API, driven by Debian's chromium through
 * playwright-core (never `playwright install`). Every page is checked in
 * both themes for real data and for serious/critical axe violations, and
 * screenshotted to test-results/ui-screenshots/<page>-<theme>.png.
 */
import { AxeBuilder } from '@axe-core/playwright';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config/config.js';
import { buildServer, type FerryServer } from '../../src/server/build-server.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const UI_DIST = join(ROOT, 'dist', 'ui');
const SCREENSHOTS = join(ROOT, 'test-results', 'ui-screenshots');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const THEMES = ['light', 'dark'] as const;
type Theme = (typeof THEMES)[number];

const RUNS = 50;
const LONG_STEPS = 10_000;
const SPIKE_STEP = 6543;
const SPIKE = 42;
const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'];
const WIDE_RUNS = 450;
const WIDE_PARAMS = 60;

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium package for the UI tests.`);
const skip = haveChromium ? false : `${CHROMIUM} not found: install Debian's chromium to run the UI browser tests`;

/** Builds the UI once if this checkout has no build yet. */
function ensureUiBuilt(): void {
  if (existsSync(join(UI_DIST, 'index.html'))) return;
  execFileSync(join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--config', join(ROOT, 'ui', 'vite.config.ts'), '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
}

/** Loss of seeded run `i` at `step`: every run different, so sorting by it is checkable. */
function lossOf(i: number, step: number): number {
  return 1 / (1 + step) + i / 1000;
}

describe('web UI in chromium', { skip }, () => {
  let home: string;
  let app: FerryServer;
  let url: string;
  let browser: Browser;
  const contexts = new Map<Theme, BrowserContext>();
  const seeded = { experimentId: '', wideExperimentId: '', emptyExperimentId: '', runIds: [] as string[], longRunId: '' };

  async function mlflow(path: string, body: unknown): Promise<any> {
    const res = await fetch(`${url}/api/2.0/mlflow/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = await res.json();
    assert.equal(res.status, 200, `${path}: ${JSON.stringify(json)}`);
    return json;
  }

  before(async () => {
    ensureUiBuilt();
    home = await mkdtemp(join(tmpdir(), 'ferry-ui-'));
    app = await buildServer(loadConfig({ home, logLevel: 'silent' }, {}), { logger: false, uiRoot: UI_DIST });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    seeded.experimentId = (await mlflow('experiments/create', { name: 'mnist-cnn' })).experiment_id;
    seeded.wideExperimentId = (await mlflow('experiments/create', { name: 'bert-finetune' })).experiment_id;
    seeded.emptyExperimentId = (await mlflow('experiments/create', { name: 'empty-experiment' })).experiment_id;
    const t0 = Date.UTC(2026, 0, 1);
    await Promise.all(
      Array.from({ length: RUNS }, async (_, i) => {
        const run = await mlflow('runs/create', { experiment_id: seeded.experimentId, run_name: `run-${String(i).padStart(2, '0')}`, start_time: t0 + i * 1000 });
        const id = run.run.info.run_id as string;
        seeded.runIds[i] = id;
        const metrics = [];
        for (let step = 0; step < 20; step++) {
          metrics.push({ key: 'loss', value: lossOf(i, step), timestamp: t0 + step, step });
          metrics.push({ key: 'accuracy', value: 1 - lossOf(i, step), timestamp: t0 + step, step });
        }
        await mlflow('runs/log-batch', {
          run_id: id,
          params: [
            { key: 'lr', value: String(0.001 * (1 + (i % 5))) },
            { key: 'optimizer', value: OPTIMIZERS[i % 3] },
            { key: 'batch_size', value: '64' },
          ],
          tags: [{ key: 'team', value: 'vision' }],
          metrics,
        });
        await mlflow('runs/update', { run_id: id, status: 'FINISHED', end_time: t0 + i * 1000 + 90_000 });
      }),
    );
    const long = await mlflow('runs/create', { experiment_id: seeded.experimentId, run_name: 'long-run', start_time: t0 + RUNS * 1000 });
    seeded.longRunId = long.run.info.run_id;
    for (let start = 0; start < LONG_STEPS; start += 1000) {
      const metrics = [];
      for (let step = start; step < start + 1000; step++) metrics.push({ key: 'loss', value: step === SPIKE_STEP ? SPIKE : 2 / (1 + step / 100), timestamp: t0 + step, step });
      await mlflow('runs/log-batch', { run_id: seeded.longRunId, metrics });
    }

    // A wide, long table: more runs than one runs/search page, more columns than fit the screen.
    for (let start = 0; start < WIDE_RUNS; start += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, WIDE_RUNS - start) }, async (_, j) => {
          const run = await mlflow('runs/create', { experiment_id: seeded.wideExperimentId, run_name: `wide-${start + j}`, start_time: t0 + start + j });
          const params = Array.from({ length: WIDE_PARAMS }, (_, k) => ({ key: `p${String(k).padStart(2, '0')}`, value: String(start + j + k) }));
          await mlflow('runs/log-batch', { run_id: run.run.info.run_id, params });
        }),
      );
    }

    await mkdir(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    for (const theme of THEMES) {
      const context = await browser.newContext({ colorScheme: theme, viewport: { width: 1280, height: 900 } });
      // A string: this runs in the page, which the Node typings know nothing of.
      await context.addInitScript(`localStorage.setItem('ferry-theme', '${theme}')`);
      contexts.set(theme, context);
    }
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  async function open(theme: Theme, path: string): Promise<Page> {
    const page = await contexts.get(theme)!.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${url}${path}`);
    return page;
  }

  /** Zero serious or critical axe violations, then a screenshot of the whole page. */
  async function auditAndShoot(page: Page, name: string, theme: Theme): Promise<void> {
    assert.equal(await page.evaluate('document.documentElement.dataset.theme'), theme);
    const results = await new AxeBuilder({ page }).analyze();
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(
      bad.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`),
      [],
      `axe violations on ${name} (${theme})`,
    );
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${theme}.png`), fullPage: true });
  }

  for (const theme of THEMES) {
    describe(`${theme} theme`, () => {
      it('lists the experiments', async () => {
        const page = await open(theme, '/');
        await page.getByRole('link', { name: 'mnist-cnn' }).waitFor();
        assert.ok(await page.getByRole('link', { name: 'bert-finetune' }).isVisible());
        await auditAndShoot(page, 'experiments', theme);
        await page.close();
      });

      it('shows the runs table, virtualised, with metric and param columns', async () => {
        const page = await open(theme, `/experiments/${seeded.experimentId}`);
        await page.getByRole('heading', { name: 'mnist-cnn' }).waitFor();
        // Newest first by default: the long run, then run-49.
        await page.getByRole('link', { name: 'long-run' }).waitFor();
        assert.ok(await page.getByRole('link', { name: 'run-49' }).isVisible());
        assert.ok(await page.getByRole('columnheader', { name: /metric: loss/ }).isVisible());
        assert.ok(await page.getByRole('columnheader', { name: /param: lr/ }).isVisible());
        const drawnRows = await page.locator('tbody tr').count();
        assert.ok(drawnRows < RUNS + 1, `only visible rows are in the DOM, got ${drawnRows} of ${RUNS + 1}`);
        assert.ok((await page.evaluate<number>('document.querySelectorAll("*").length')) < 2000);
        await auditAndShoot(page, 'runs', theme);
        await page.close();
      });

      it('says what to run when an experiment has no runs', async () => {
        const page = await open(theme, `/experiments/${seeded.emptyExperimentId}`);
        await page.getByText('No runs yet.').waitFor();
        assert.ok(await page.getByText(/MLFLOW_TRACKING_URI=/).isVisible());
        await auditAndShoot(page, 'runs-empty', theme);
        await page.close();
      });

      it('shows a run with its overview, params, tags and a chart that keeps the spike', async () => {
        const page = await contexts.get(theme)!.newPage();
        page.setDefaultTimeout(10_000);
        const series = page.waitForResponse((r) => r.url().includes('/api/ferry/v1/runs/series'));
        await page.goto(`${url}/runs/${seeded.longRunId}`);
        const res = await series;
        const body = await res.body();
        assert.ok(body.length < 1024 * 1024, `series payload ${body.length} bytes`);
        const answer = JSON.parse(body.toString());
        assert.equal(answer.series[0].bucketed, true);
        assert.equal(Math.max(...answer.series[0].max), SPIKE, 'the spike survives bucketing');
        await page.getByRole('heading', { name: 'Run long-run' }).waitFor();
        await page.locator('figure[data-metric="loss"] canvas').first().waitFor();
        assert.ok(await page.getByText('Duration').isVisible());
        await auditAndShoot(page, 'run', theme);
        await page.close();
      });

      it('compares two runs: overlaid charts and only the params that differ', async () => {
        const [a, b] = [seeded.runIds[0]!, seeded.runIds[1]!];
        const page = await open(theme, `/compare?runs=${a},${b}`);
        await page.getByRole('heading', { name: 'Compare 2 runs' }).waitFor();
        await page.locator('figure[data-metric="accuracy"] canvas').first().waitFor();
        const table = page.getByRole('table', { name: /differ/ });
        assert.ok(await table.getByRole('rowheader', { name: 'optimizer' }).isVisible());
        assert.equal(await table.getByRole('rowheader', { name: 'batch_size' }).count(), 0, 'equal params are hidden');
        await auditAndShoot(page, 'compare', theme);
        await page.close();
      });
    });
  }

  it('filters, selects two runs and compares them', async () => {
    const page = await open('light', `/experiments/${seeded.experimentId}`);
    await page.getByRole('link', { name: 'run-49' }).waitFor();
    await page.getByLabel('Filter runs').fill("params.optimizer = 'sgd'");
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/filter=/);
    await page.getByText(/^17 runs/).waitFor();
    assert.equal(await page.getByRole('link', { name: 'run-48' }).count(), 0, 'an adam run is filtered out');
    await page.getByLabel('Select run run-49').check();
    await page.getByLabel('Select run run-46').check();
    await page.getByRole('link', { name: 'Compare 2 runs' }).click();
    await page.waitForURL(/\/compare\?runs=/);
    await page.locator('figure[data-metric="loss"] canvas').first().waitFor();
    assert.ok(await page.getByRole('list', { name: 'Runs in the loss chart' }).getByText('run-46').isVisible());
    await page.close();
  });

  it('restores filter and sort from the URL on reload', async () => {
    const filter = "params.optimizer = 'adam'";
    const page = await open('light', `/experiments/${seeded.experimentId}?filter=${encodeURIComponent(filter)}&order=${encodeURIComponent('metrics.`loss` DESC')}`);
    const firstRow = page.locator('tbody tr').first();
    // adam runs are 0, 3, …, 48; the highest loss is run 48's.
    await firstRow.getByRole('link', { name: 'run-48' }).waitFor();
    await page.reload();
    await firstRow.getByRole('link', { name: 'run-48' }).waitFor();
    assert.equal(await page.getByLabel('Filter runs').inputValue(), filter);
    assert.equal(await page.getByRole('columnheader', { name: /metric: loss/ }).getAttribute('aria-sort'), 'descending');
    await page.close();
  });

  it('pages through runs/search as the table scrolls and draws only the visible rows and columns', async () => {
    const page = await open('light', `/experiments/${seeded.wideExperimentId}`);
    const scroller = page.getByRole('region', { name: /Runs table/ });
    await page.getByRole('link', { name: `wide-${WIDE_RUNS - 1}` }).waitFor();
    await page.getByText(/^200\+ runs/).waitFor();
    // Scroll to the end until every page is in: 200, 400, then the last 50.
    for (let i = 0; i < 20 && !(await page.getByText(new RegExp(`^${WIDE_RUNS} runs`)).isVisible()); i++) {
      await scroller.evaluate((el: { scrollTop: number; scrollHeight: number }) => {
        el.scrollTop = el.scrollHeight;
      });
      await page.waitForTimeout(150);
    }
    await page.getByText(new RegExp(`^${WIDE_RUNS} runs`)).waitFor();
    // The last page made the table taller: scroll to its new end, where the oldest run is.
    await scroller.evaluate((el: { scrollTop: number; scrollHeight: number }) => {
      el.scrollTop = el.scrollHeight;
    });
    await page.getByRole('link', { name: 'wide-0', exact: true }).waitFor();
    const headers = await page.getByRole('columnheader').count();
    assert.ok(headers < WIDE_PARAMS, `only visible columns are drawn, got ${headers} of ${WIDE_PARAMS + 5}`);
    assert.ok((await page.evaluate<number>('document.querySelectorAll("*").length')) < 2000);
    await page.close();
  });

  it('zooms a chart by dragging and fetches the visible range again', async () => {
    const page = await open('light', `/runs/${seeded.longRunId}`);
    const overlay = page.locator('figure[data-metric="loss"] .u-over');
    await overlay.waitFor();
    const box = (await overlay.boundingBox())!;
    const zoomed = page.waitForResponse((r) => r.url().includes('/api/ferry/v1/runs/series') && r.url().includes('min_step='));
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const answer = await (await zoomed).json();
    assert.ok(answer.min_step > 3000 && answer.max_step < 8000, `zoomed to ${answer.min_step}-${answer.max_step}`);
    assert.ok(answer.series[0].x.every((x: number) => x >= answer.min_step && x <= answer.max_step));
    await page.waitForURL(/range=\d+-\d+/);
    await page.getByRole('button', { name: 'Reset zoom' }).click();
    await page.waitForURL((u) => !u.search.includes('range='));
    await page.close();
  });

  it('shows the API error message instead of a blank page', async () => {
    const page = await open('light', `/experiments/${seeded.experimentId}?filter=${encodeURIComponent('metrics.loss <<< 1')}`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /Could not load runs\. 400: .+/);
    await page.close();
  });
});
