/**
 * End-to-end tests of the web UI: a real Ferry server on a temp home, seeded
 * over the MLflow REST API, driven by Debian's chromium through
 * playwright-core (test/ui/browser-harness.ts). Every page is checked in
 * both themes for real data and for serious/critical axe violations, and
 * screenshotted to test-results/ui-screenshots/<page>-<theme>.png.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { formatValue } from '../../ui/src/format.js';
import { openBrowserHarness, skipWithoutChromium, THEMES, type BrowserHarness, type Theme } from './browser-harness.js';

const RUNS = 50;
const LONG_STEPS = 10_000;
const SPIKE_STEP = 6543;
const SPIKE = 42;
const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'];
const WIDE_RUNS = 450;
const WIDE_PARAMS = 60;
const MANY_KEYS = 300;
/** More runs than a few windows: the table must fetch its end without the windows between. */
const MANY_RUNS = 3000;
const TABLE_PATH = '/api/ferry/v1/runs/search';

/** Loss of seeded run `i` at `step`: every run different, so sorting by it is checkable. */
function lossOf(i: number, step: number): number {
  return 1 / (1 + step) + i / 1000;
}

describe('web UI in chromium', { skip: skipWithoutChromium }, () => {
  let harness: BrowserHarness;
  let url: string;
  const seeded = { experimentId: '', wideExperimentId: '', emptyExperimentId: '', runIds: [] as string[], longRunId: '', manyKeysRunId: '', liveRunId: '', liveExperimentId: '', manyRunsExperimentId: '' };
  const open = (theme: Theme, path: string): Promise<Page> => harness.open(theme, path);
  const auditAndShoot = (page: Page, name: string, theme: Theme): Promise<void> => harness.auditAndShoot(page, name, theme);

  async function mlflow(path: string, body: unknown): Promise<any> {
    const res = await fetch(`${url}/api/2.0/mlflow/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = await res.json();
    assert.equal(res.status, 200, `${path}: ${JSON.stringify(json)}`);
    return json;
  }

  before(async () => {
    harness = await openBrowserHarness();
    url = harness.url;
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
    await mlflow('runs/log-batch', {
      run_id: seeded.longRunId,
      metrics: Array.from({ length: 20 }, (_, step) => [
        { key: 'val/loss', value: 1 / (1 + step), timestamp: t0 + step * 500, step: step * 500 },
        { key: 'val/acc', value: step / 20, timestamp: t0 + step * 500, step: step * 500 },
      ]).flat(),
    });
    await mlflow('runs/update', { run_id: seeded.longRunId, status: 'FINISHED', end_time: t0 + LONG_STEPS });

    // A running run and a run with more metric keys than any screen shows, in their own
    // experiment so the runs tables above stay as they were.
    const liveExp = (await mlflow('experiments/create', { name: 'live-and-wide' })).experiment_id;
    seeded.liveExperimentId = liveExp;
    // A run with more metric keys than any screen shows: charts mount as they scroll near.
    const many = await mlflow('runs/create', { experiment_id: liveExp, run_name: 'many-keys', start_time: t0 - 1000 });
    seeded.manyKeysRunId = many.run.info.run_id;
    await mlflow('runs/log-batch', {
      run_id: seeded.manyKeysRunId,
      metrics: Array.from({ length: MANY_KEYS }, (_, k) => ({ key: `layer${String(k).padStart(3, '0')}/grad_norm`, value: k, timestamp: t0, step: 0 })),
    });
    await mlflow('runs/update', { run_id: seeded.manyKeysRunId, status: 'FINISHED', end_time: t0 });

    const live = await mlflow('runs/create', { experiment_id: liveExp, run_name: 'live-run', start_time: t0 });
    seeded.liveRunId = live.run.info.run_id;
    await mlflow('runs/log-batch', { run_id: seeded.liveRunId, metrics: Array.from({ length: 5 }, (_, step) => ({ key: 'loss', value: 1 / (1 + step), timestamp: t0 + step, step })) });

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

    seeded.manyRunsExperimentId = (await mlflow('experiments/create', { name: 'many-runs' })).experiment_id;
    for (let start = 0; start < MANY_RUNS; start += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) => mlflow('runs/create', { experiment_id: seeded.manyRunsExperimentId, run_name: `many-${start + j}`, start_time: t0 + start + j })),
      );
    }
  });

  after(async () => {
    await harness?.close();
  });

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
        const page = await open(theme, '/');
        const series = page.waitForResponse((r) => r.url().includes('/api/ferry/v1/runs/series') && r.url().includes('key=loss'));
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

  it('sizes the table for every run and fetches the window at the bottom without those in between', async () => {
    const offsets: number[] = [];
    const page = await open('light', '/');
    page.on('request', (r) => {
      if (r.url().endsWith(TABLE_PATH)) offsets.push(JSON.parse(r.postData()!).offset);
    });
    await page.goto(`${url}/experiments/${seeded.manyRunsExperimentId}`);
    await page.getByRole('link', { name: `many-${MANY_RUNS - 1}`, exact: true }).waitFor();
    await page.getByText(new RegExp(`^${MANY_RUNS.toLocaleString('en-US')} runs`)).waitFor();
    assert.equal(await page.getByRole('table').getAttribute('aria-rowcount'), String(MANY_RUNS + 1));
    const scroller = page.getByRole('region', { name: /Runs table/ });
    const bottom = page.waitForRequest((r) => r.url().endsWith(TABLE_PATH) && JSON.parse(r.postData()!).offset >= MANY_RUNS - 100);
    await scroller.evaluate((el: { scrollTop: number; scrollHeight: number }) => {
      el.scrollTop = el.scrollHeight;
    });
    await bottom;
    // Newest first: the oldest run is the last row.
    await page.getByRole('link', { name: 'many-0', exact: true }).waitFor();
    // The view's windows and one window past it (use-run-windows.ts, AHEAD) at the top and at the bottom, none in between.
    assert.ok(offsets.every((o) => o < 200 || o >= MANY_RUNS - 200), `fetched offsets ${offsets.join(', ')}`);
    assert.ok(offsets.length <= 4, `fetched ${offsets.length} windows`);
    assert.ok((await page.evaluate<number>('document.querySelectorAll("*").length')) < 2000);
    await page.close();
  });

  it('keeps every recycled row showing its own run, selection and place while scrolling, and puts rows in order once the view rests', async () => {
    const page = await open('light', `/experiments/${seeded.manyRunsExperimentId}`);
    const nameAt = (row: number) => `many-${MANY_RUNS - 1 - row}`;
    await page.getByRole('link', { name: nameAt(0), exact: true }).waitFor();
    await page.getByLabel(`Select run ${nameAt(3)}`).check();
    await page.getByText(/, 1 selected/).waitFor();
    // Fast scrolling, one jump a frame, down past several windows and back: each row's elements serve many runs.
    // A string: tsx names inner functions with a helper the page does not have.
    await page.evaluate(`new Promise((resolve) => {
      const el = document.querySelector('.vscroll');
      let frame = 0;
      const tick = () => {
        el.scrollTop += frame < 40 ? 400 : -400;
        if (++frame < 80) requestAnimationFrame(tick);
        else resolve();
      };
      requestAnimationFrame(tick);
    })`);
    await page.getByRole('link', { name: nameAt(3), exact: true }).waitFor();
    await page.waitForFunction(`!document.querySelector('.vtbody tr[aria-busy]')`);
    // Rows are put back in DOM order once the view rests.
    await page.waitForFunction(`(() => {
      const rows = [...document.querySelectorAll('.vtbody tr')].map((r) => Number(r.getAttribute('aria-rowindex')));
      return rows.every((r, i) => i === 0 || r > rows[i - 1]);
    })()`);
    const rows = await page.locator('.vtbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        index: Number(tr.getAttribute('aria-rowindex')) - 2,
        top: (tr as unknown as { style: { top: string } }).style.top,
        name: tr.querySelector('a')?.textContent ?? '',
        label: tr.querySelector('input')?.getAttribute('aria-label') ?? '',
        checked: (tr.querySelector('input') as { checked: boolean } | null)?.checked ?? false,
        ariaSelected: tr.getAttribute('aria-selected'),
        cols: [...tr.children].map((td) => Number(td.getAttribute('aria-colindex'))),
      })),
    );
    assert.ok(rows.length >= 10, `${rows.length} rows drawn`);
    for (const r of rows) {
      assert.equal(r.name, nameAt(r.index), `row ${r.index}`);
      assert.equal(r.label, `Select run ${nameAt(r.index)}`);
      assert.equal(r.top, `${r.index * 34}px`);
      assert.equal(r.checked, r.index === 3, `row ${r.index} checkbox`);
      assert.equal(r.ariaSelected, String(r.index === 3));
      assert.deepEqual(r.cols, Array.from({ length: r.cols.length }, (_, i) => i + 1), `row ${r.index} cells in column order`);
    }
    // Clicks reach the run a recycled row shows now.
    await page.getByRole('link', { name: nameAt(5), exact: true }).click();
    await page.waitForURL(/\/runs\//);
    await page.getByRole('heading', { name: `Run ${nameAt(5)}` }).waitFor();
    await page.close();
  });

  it('draws only the visible rows and columns of a wide table', async () => {
    const page = await open('light', `/experiments/${seeded.wideExperimentId}`);
    await page.getByRole('link', { name: `wide-${WIDE_RUNS - 1}` }).waitFor();
    await page.getByText(new RegExp(`^${WIDE_RUNS} runs`)).waitFor();
    const scroller = page.getByRole('region', { name: /Runs table/ });
    await scroller.evaluate((el: { scrollTop: number; scrollHeight: number }) => {
      el.scrollTop = el.scrollHeight;
    });
    await page.getByRole('link', { name: 'wide-0', exact: true }).waitFor();
    const headers = await page.getByRole('columnheader').count();
    assert.ok(headers < WIDE_PARAMS, `only visible columns are drawn, got ${headers} of ${WIDE_PARAMS + 5}`);
    assert.ok((await page.evaluate<number>('document.querySelectorAll("*").length')) < 2000);
    // Scrolled sideways, every drawn row's cells follow the header: the same columns, each with its run's value.
    await scroller.evaluate((el: { scrollLeft: number; scrollWidth: number }) => {
      el.scrollLeft = el.scrollWidth / 2;
    });
    await page.getByRole('columnheader', { name: /param: p(2|3)\d/ }).first().waitFor();
    await page.waitForTimeout(300);
    const view = await page.evaluate<{ headers: Array<[number, string]>; rows: Array<{ name: string; cells: Array<[number, string]> }> }>(`(() => {
      const pairs = (els) => [...els].map((e) => [Number(e.getAttribute('aria-colindex')), e.textContent.trim()]);
      return {
        headers: pairs(document.querySelectorAll('thead th.vkey')),
        rows: [...document.querySelectorAll('.vtbody tr:not([aria-busy])')].map((tr) => ({ name: tr.querySelector('a').textContent, cells: pairs(tr.querySelectorAll('td.vkey')) })),
      };
    })()`);
    assert.ok(view.rows.length >= 10 && view.headers.length >= 2, `${view.rows.length} rows, ${view.headers.length} key columns drawn`);
    for (const row of view.rows) {
      assert.deepEqual(
        row.cells.map(([col]) => col),
        view.headers.map(([col]) => col),
        `${row.name}: cells under the drawn headers`,
      );
      const run = Number(row.name.replace('wide-', ''));
      row.cells.forEach(([, value], i) => {
        const param = /^param: p(\d+)/.exec(view.headers[i]![1]);
        if (param) assert.equal(value, String(run + Number(param[1])), `${row.name}, ${view.headers[i]![1]}`);
      });
    }
    await page.close();
  });

  it('fetches only the chosen columns', async () => {
    const page = await open('light', '/');
    const bodies: Array<{ columns: { metrics?: string[]; params?: string[]; tags?: string[] } }> = [];
    page.on('request', (r) => {
      if (r.url().endsWith(TABLE_PATH)) bodies.push(JSON.parse(r.postData()!));
    });
    await page.goto(`${url}/experiments/${seeded.experimentId}?cols=${encodeURIComponent('metrics.loss')}`);
    await page.getByRole('link', { name: 'run-49' }).waitFor();
    // The fixed Git commit column and the child-run marker read two tags of every run.
    const fixedTags = ['mlflow.source.git.commit', 'mlflow.parentRunId'];
    assert.deepEqual(bodies[0]!.columns, { tags: fixedTags, metrics: ['loss'] });
    assert.equal(await page.getByRole('columnheader', { name: /param: optimizer/ }).count(), 0);
    const chosen = page.waitForRequest((r) => r.url().endsWith(TABLE_PATH) && JSON.parse(r.postData()!).columns.params?.includes('optimizer'));
    await page.getByText(/^Columns \(/).click();
    await page.getByRole('group', { name: 'Columns' }).getByLabel('params.optimizer').check();
    const body = JSON.parse((await chosen).postData()!);
    assert.deepEqual(body.columns, { tags: fixedTags, metrics: ['loss'], params: ['optimizer'] }, 'accuracy, lr and batch_size are not fetched');
    await page.getByRole('columnheader', { name: /param: optimizer/ }).waitFor();
    // run-49 is i = 49: 49 % 3 = 1, sgd.
    await page.getByRole('row', { name: /run-49/ }).getByRole('cell', { name: 'sgd' }).waitFor();
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
    await page.locator('figure[data-metric="loss"]').getByRole('button', { name: 'Reset zoom' }).click();
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

  it('round-trips x-axis, smoothing and log scale through the URL and asks the server for them', async () => {
    const page = await open('light', '/');
    const smoothed = page.waitForResponse((r) => /key=loss&/.test(r.url()) && r.url().includes('x=relative') && r.url().includes('smoothing=ema') && r.url().includes('smoothing_weight=0.9'));
    await page.goto(`${url}/runs/${seeded.longRunId}?x=relative&smooth=ema&amount=0.9&log=1`);
    const answer = await (await smoothed).json();
    assert.equal(answer.x_axis, 'relative');
    assert.deepEqual(answer.smoothing, { method: 'ema', weight: 0.9 });
    const controls = page.getByRole('group', { name: 'Chart options' });
    assert.equal(await controls.getByLabel('X-axis').inputValue(), 'relative');
    assert.equal(await controls.getByLabel('Smoothing').inputValue(), 'ema');
    assert.ok(await controls.getByLabel('Log scale').isChecked());
    assert.match((await page.locator('figure[data-metric="loss"] [role="img"]').getAttribute('aria-label')) ?? '', /seconds since start.*ema smoothing, log scale/);
    // Charts are grouped by prefix: val/loss and val/acc under "val".
    assert.ok(await page.getByRole('heading', { name: /^val \(2\)/ }).isVisible());

    const running = page.waitForResponse((r) => r.url().includes('smoothing=running') && r.url().includes('window=10'));
    await controls.getByLabel('Smoothing').selectOption('running');
    await running;
    await page.waitForURL(/smooth=running/);
    await controls.getByLabel('X-axis').selectOption('step');
    await controls.getByLabel('Log scale').uncheck();
    await page.waitForURL((u) => !u.search.includes('x=') && !u.search.includes('log='));
    await page.reload();
    assert.equal(await page.getByRole('group', { name: 'Chart options' }).getByLabel('Smoothing').inputValue(), 'running');
    assert.equal(await page.getByRole('group', { name: 'Chart options' }).getByLabel('X-axis').inputValue(), 'step');
    await page.close();
  });

  it('mounts only the charts near the screen on a run with many metric keys', async () => {
    const requested = new Set<string>();
    const page = await open('light', '/');
    page.on('request', (r) => {
      if (r.url().includes('/api/ferry/v1/runs/series')) requested.add(new URL(r.url()).searchParams.get('key')!);
    });
    await page.goto(`${url}/runs/${seeded.manyKeysRunId}`);
    await page.locator('figure[data-metric="layer000/grad_norm"] canvas').waitFor();
    const mounted = await page.locator('.lazy-chart[data-mounted="true"]').count();
    assert.ok(mounted > 0 && mounted < 40, `${mounted} of ${MANY_KEYS} charts mounted`);
    assert.ok(requested.size < 40, `${requested.size} series fetched`);
    await page.getByRole('button', { name: `Show the latest values of all ${MANY_KEYS} metrics` }).waitFor();
    await page.evaluate('window.scrollTo(0, document.body.scrollHeight)');
    await page.locator('figure[data-metric="layer299/grad_norm"] canvas').waitFor();
    assert.equal(await page.locator('figure[data-metric="layer000/grad_norm"]').count(), 0, 'charts far above unmount');
    await page.close();
  });

  it('appends new steps of a running run without refetching the history', async () => {
    const page = await open('light', `/runs/${seeded.liveRunId}`);
    await page.locator('figure[data-metric="loss"][data-live="true"] canvas').waitFor();
    const fresh = page.waitForResponse((r) => r.url().includes('after_step=4'), { timeout: 15_000 });
    await mlflow('runs/log-metric', { run_id: seeded.liveRunId, key: 'loss', value: 0.01, timestamp: Date.UTC(2026, 0, 1) + 99, step: 5 });
    const answer = await (await fresh).json();
    assert.deepEqual(answer.series[0].x, [5]);
    await page.close();
  });

  it('drives the runs table from the keyboard: / j k x c and ? for the shortcuts', async () => {
    const page = await open('light', `/experiments/${seeded.experimentId}`);
    await page.getByRole('link', { name: 'run-49' }).waitFor();
    await page.keyboard.press('/');
    assert.equal(await page.evaluate('document.activeElement.id'), 'run-filter');
    await page.keyboard.press('Tab');
    await page.locator('body').click({ position: { x: 5, y: 500 } });
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    // Newest first: long-run, then run-49; focus sits on the cursor row's link, with a visible ring.
    await page.waitForFunction('document.activeElement && document.activeElement.textContent === "run-49"');
    assert.equal(await page.evaluate('document.activeElement.matches(":focus-visible")'), true);
    await page.keyboard.press('x');
    await page.keyboard.press('k');
    await page.keyboard.press('x');
    await page.getByText(/2 selected/).waitFor();
    await page.keyboard.press('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await dialog.waitFor();
    assert.ok(await dialog.getByText('Compare the selected runs').isVisible());
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await page.keyboard.press('c');
    await page.waitForURL(/\/compare\?runs=/);
    await page.getByRole('heading', { name: 'Compare 2 runs' }).waitFor();
    await page.close();
  });

  it('searches the column picker over every key of the experiment and fetches a chosen one', async () => {
    const page = await open('light', '/');
    const bodies: Array<{ columns: { metrics?: string[] } }> = [];
    page.on('request', (r) => {
      if (r.url().endsWith(TABLE_PATH)) bodies.push(JSON.parse(r.postData()!));
    });
    await page.goto(`${url}/experiments/${seeded.liveExperimentId}`);
    await page.getByRole('link', { name: 'many-keys' }).waitFor();
    // Without cols, the first 200 keys: layer000 … layer199, not loss.
    assert.equal(bodies[0]!.columns.metrics!.length, 200);
    assert.ok(!bodies[0]!.columns.metrics!.includes('loss'));
    const keys = page.waitForResponse((r) => r.url().includes('/keys?kind=metrics'));
    await page.getByText(/^Columns \(/).click();
    await keys;
    await page.getByLabel('Find a column').fill('grad_norm');
    await page.getByText(`${MANY_KEYS} of`).waitFor();
    const drawn = await page.getByRole('group', { name: 'Columns' }).getByRole('checkbox').count();
    assert.ok(drawn < 40, `the list is virtual: ${drawn} checkboxes drawn`);
    await page.getByLabel('Find a column').fill('LOSS');
    await page.getByText(/^1 of \d+ columns/).waitFor();
    const chosen = page.waitForRequest((r) => r.url().endsWith(TABLE_PATH) && JSON.parse(r.postData()!).columns.metrics.includes('loss'));
    await page.getByRole('group', { name: 'Columns' }).getByLabel('metrics.loss').check();
    await page.waitForURL((u) => u.searchParams.get('cols')?.includes('metrics.loss') ?? false);
    const metrics: string[] = JSON.parse((await chosen).postData()!).columns.metrics;
    assert.equal(metrics.length, 201);
    assert.ok(!metrics.includes('layer250/grad_norm'), 'keys not chosen are not fetched');
    await page.close();
  });

  it('saves the table state as a named view and applies it later', async () => {
    const filter = "params.optimizer = 'rmsprop'";
    const page = await open('light', `/experiments/${seeded.experimentId}?filter=${encodeURIComponent(filter)}`);
    await page.getByText(/^16 runs/).waitFor();
    await page.getByText(/^Saved views/).click();
    await page.getByLabel('Save this view as').fill('rmsprop only');
    await page.getByRole('button', { name: 'Save view' }).click();
    await page.goto(`${url}/experiments/${seeded.experimentId}`);
    await page.getByRole('link', { name: 'run-49' }).waitFor();
    await page.getByText(/^Saved views \(1\)/).click();
    await page.getByRole('button', { name: 'Apply rmsprop only' }).click();
    await page.waitForURL(/filter=/);
    await page.getByText(/^16 runs/).waitFor();
    assert.equal(await page.getByLabel('Filter runs').inputValue(), filter);
    await page.close();
  });

  /** Moves the mouse over a chart at `fraction` of its plot's width and answers the readout. */
  async function readAt(page: Page, metric: string, fraction: number): Promise<string> {
    const over = page.locator(`figure[data-metric="${metric}"] .u-over`);
    await over.waitFor();
    await over.scrollIntoViewIfNeeded();
    const box = (await over.boundingBox())!;
    // Two moves, the last onto the spot: uPlot reads the cursor on mouse moves.
    await page.mouse.move(box.x + box.width * fraction + 1, box.y + box.height / 2);
    await page.mouse.move(box.x + box.width * fraction, box.y + box.height / 2);
    return (await page.locator(`figure[data-metric="${metric}"] .chart-readout`).textContent()) ?? '';
  }

  it("reads a bucketed chart as each bucket's steps and values, never a fractional step", async () => {
    const page = await open('light', `/runs/${seeded.longRunId}`);
    await page.locator('figure[data-metric="loss"] canvas').first().waitFor();
    // The first bucket: steps 0–k of 2 / (1 + step / 100), falling, so its last value is its min and step 0's its max.
    const first = await readAt(page, 'loss', 0);
    const m = /^steps 0–(\d+): last (\S+), min (\S+), max (\S+)$/.exec(first);
    assert.ok(m, first);
    const k = Number(m[1]);
    assert.ok(k >= 1 && k < 50, first);
    assert.equal(m[2], formatValue(2 / (1 + k / 100)));
    assert.equal(m[3], m[2]);
    assert.equal(m[4], '2');
    // Anywhere on the chart the readout's steps and values agree: the last value is the last step's, the max the first's.
    for (const f of [0.1, 0.37, 0.5, 0.81, 0.998]) {
      const text = await readAt(page, 'loss', f);
      const r = /^steps (\d+)–(\d+): last (\S+), min (\S+), max (\S+)$/.exec(text);
      assert.ok(r, `at ${f}: ${text}`);
      const [lo, hi] = [Number(r[1]), Number(r[2])];
      assert.ok(lo < hi && hi < LONG_STEPS, text);
      assert.equal(r[3], formatValue(2 / (1 + hi / 100)), text);
      assert.equal(r[5], formatValue(2 / (1 + lo / 100)), text);
    }
    await page.close();
  });

  it('reads a wall-time chart in UTC, a bucket as its range of times', async () => {
    const page = await open('light', `/runs/${seeded.longRunId}?x=time`);
    await page.locator('figure[data-metric="loss"] canvas').first().waitFor();
    // long-run logs step s at 2026-01-01T00:00:00Z + s ms.
    assert.match(await readAt(page, 'loss', 0), /^2026-01-01 00:00:00–00:00:00\.0\d\d UTC: last [\d.]+, min [\d.]+, max 2$/);
    assert.match((await page.locator('figure[data-metric="loss"] [role="img"]').getAttribute('aria-label')) ?? '', /^loss against time \(UTC\)/);
    // val/loss is raw: one point every 500 ms.
    assert.match(await readAt(page, 'val/loss', 0), /^2026-01-01 00:00:00 UTC: 1$/);
    await page.close();
  });

  it('counts only the chosen columns until the picker has loaded every key', async () => {
    const page = await open('light', `/experiments/${seeded.experimentId}`);
    await page.getByRole('link', { name: 'run-49' }).waitFor();
    const summary = page.getByText(/^Columns \(/);
    const before = (await summary.textContent())!;
    assert.match(before, /^Columns \(\d+\)$/, 'no total before the keys are known');
    await summary.click();
    // Chosen of all once the keys are in.
    await page.getByText(/^Columns \(\d+\/\d+\)$/).waitFor();
    const m = /^Columns \((\d+)\/(\d+)\)$/.exec((await summary.textContent())!)!;
    assert.equal(`Columns (${m[1]})`, before);
    assert.ok(Number(m[2]) > Number(m[1]));
    await page.close();
  });

  for (const theme of THEMES) {
    it(`draws five runs in five distinct colours readable on the ${theme} background`, async () => {
      const ids = seeded.runIds.slice(0, 5).join(',');
      const page = await open(theme, `/compare?runs=${ids}`);
      const legend = page.getByRole('list', { name: 'Runs in the loss chart' });
      await legend.waitFor();
      const [background, swatches] = await page.evaluate<[string, string[]]>(
        `[getComputedStyle(document.body).backgroundColor, [...document.querySelectorAll('ul[aria-label="Runs in the loss chart"] .swatch')].map((e) => getComputedStyle(e).backgroundColor)]`,
      );
      const rgb = (c: string) => c.match(/\d+/g)!.slice(0, 3).map(Number);
      const luminance = (c: string) => {
        const [r, g, b] = rgb(c).map((v) => v / 255).map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
      };
      const contrast = (a: string, b: string) => {
        const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
        return (hi! + 0.05) / (lo! + 0.05);
      };
      const hue = (c: string) => {
        const [r, g, b] = rgb(c).map((v) => v / 255) as [number, number, number];
        const max = Math.max(r, g, b);
        const d = max - Math.min(r, g, b);
        return ((max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4) * 60 + 360) % 360;
      };
      assert.equal(swatches.length, 5);
      for (const c of swatches) assert.ok(contrast(c, background) >= 3, `${c} on ${background}: ${contrast(c, background).toFixed(2)}`);
      const hues = swatches.map(hue);
      for (let i = 0; i < hues.length; i++)
        for (let j = i + 1; j < hues.length; j++) {
          const apart = Math.min(Math.abs(hues[i]! - hues[j]!), 360 - Math.abs(hues[i]! - hues[j]!));
          assert.ok(apart >= 25, `${swatches[i]} and ${swatches[j]} are ${apart.toFixed(0)}° apart`);
        }
      await page.close();
    });
  }
});
