/**
 * End-to-end tests of the runs table's user and Git commit columns, metric
 * summary columns and nested runs, in chromium against a real Ferry server
 * seeded over the MLflow REST API (test/ui/browser-harness.ts). Pages are
 * checked in both themes for serious/critical axe violations.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { openBrowserHarness, skipWithoutChromium, THEMES, type BrowserHarness, type Theme } from './browser-harness.js';

const TABLE_PATH = '/api/ferry/v1/runs/search';
const COMMIT = '0123abcd4567ef890123abcd4567ef890123abcd';
const STEPS = 10;
/** parent-a's loss at `step`: 10 down to 1, but -1 at step 4, so min, max, last and at-step all differ. */
const lossA = (step: number) => (step === 4 ? -1 : 10 - step);

interface TableBody {
  columns: { metrics?: string[]; metric_aggregates?: Array<{ key: string; agg: string; step?: number }> };
  roots_only?: boolean;
  parent_run_id?: string;
}

describe('runs table in chromium: attribute, summary and nested columns', { skip: skipWithoutChromium }, () => {
  let harness: BrowserHarness;
  let experimentId = '';
  const ids: Record<string, string> = {};
  const open = (theme: Theme, path: string): Promise<Page> => harness.open(theme, path);
  const tableBodies = (page: Page): TableBody[] => {
    const bodies: TableBody[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith(TABLE_PATH)) bodies.push(JSON.parse(r.postData()!));
    });
    return bodies;
  };

  before(async () => {
    harness = await openBrowserHarness();
    const mlflow = harness.mlflow;
    experimentId = (await mlflow('experiments/create', { name: 'nested-sweep' })).experiment_id;
    const t0 = Date.UTC(2026, 0, 1);
    const create = async (name: string, user: string, start: number, tags: Array<{ key: string; value: string }>) => {
      const run = await mlflow('runs/create', { experiment_id: experimentId, run_name: name, user_id: user, start_time: t0 + start, tags });
      ids[name] = run.run.info.run_id;
      return ids[name]!;
    };
    const a = await create('parent-a', 'ana', 10, [{ key: 'mlflow.source.git.commit', value: COMMIT }]);
    await mlflow('runs/log-batch', { run_id: a, metrics: Array.from({ length: STEPS }, (_, step) => ({ key: 'loss', value: lossA(step), timestamp: t0 + step, step })) });
    await create('parent-b', 'ben', 5, []);
    for (let i = 1; i <= 3; i++) {
      const child = await create(`child-a${i}`, 'ana', 10 + i, [{ key: 'mlflow.parentRunId', value: a }]);
      await mlflow('runs/log-batch', { run_id: child, metrics: [{ key: 'loss', value: i, timestamp: t0, step: 0 }] });
    }
  });

  after(async () => {
    await harness?.close();
  });

  for (const theme of THEMES) {
    describe(`${theme} theme`, () => {
      it('shows the user and the short Git commit, and marks child runs', async () => {
        const page = await open(theme, `/experiments/${experimentId}?nest=0`);
        await page.getByRole('link', { name: 'parent-a' }).waitFor();
        assert.ok(await page.getByRole('columnheader', { name: 'User' }).isVisible());
        assert.ok(await page.getByRole('columnheader', { name: 'Git commit' }).isVisible());
        const row = page.getByRole('row', { name: /parent-a/ });
        assert.ok(await row.getByRole('cell', { name: 'ana' }).isVisible());
        const commit = row.locator('abbr.commit');
        assert.equal(await commit.textContent(), COMMIT.slice(0, 8));
        assert.equal(await commit.getAttribute('title'), COMMIT);
        assert.equal(await page.getByRole('row', { name: /parent-b/ }).getByRole('cell', { name: 'ben' }).count(), 1);
        // Grouping turned off: every run is a row, and a child says whose it is.
        await page.getByText(/^5 runs/).waitFor();
        const child = page.getByRole('row', { name: /child-a2/ });
        assert.match((await child.textContent()) ?? '', new RegExp(`child of run ${a8()}`));
        await harness.auditAndShoot(page, 'runs-user-commit', theme);
        await page.close();
      });

      it('groups child runs under their parent by default, expanding and collapsing from the keyboard', async () => {
        // Listen before the table's first request: open elsewhere, then go to the table.
        const page = await open(theme, '/');
        const bodies = tableBodies(page);
        await page.goto(`${harness.url}/experiments/${experimentId}`);
        await page.getByText(/^2 top-level runs/).waitFor();
        assert.ok(await page.getByLabel('Group child runs under parents').isChecked(), 'an experiment with child runs is grouped, as in MLflow');
        assert.equal(await page.getByRole('link', { name: 'child-a1' }).count(), 0);
        const expander = page.getByRole('button', { name: 'Show 3 child runs of parent-a' });
        assert.equal(await expander.getAttribute('aria-expanded'), 'false');
        assert.equal(await page.getByRole('button', { name: /child runs? of parent-b/ }).count(), 0, 'a run without children has no expander');
        const children = page.waitForRequest((r) => r.url().endsWith(TABLE_PATH) && JSON.parse(r.postData()!).parent_run_id === ids['parent-a']);
        await expander.focus();
        await page.keyboard.press('Enter');
        await children;
        await page.getByRole('link', { name: 'child-a3' }).waitFor();
        assert.ok(bodies.some((b) => b.roots_only === true), 'the top level is asked for with roots_only');
        const collapse = page.getByRole('button', { name: 'Hide 3 child runs of parent-a' });
        assert.equal(await collapse.getAttribute('aria-expanded'), 'true');
        // Newest first: parent-a, its children (newest first) right under it, then parent-b.
        const names = await page.locator('tbody tr').evaluateAll((rows) =>
          rows
            .map((r) => [Number(r.getAttribute('aria-rowindex')), r.querySelector('a')?.textContent ?? ''] as const)
            .sort((x, y) => x[0] - y[0])
            .map((x) => x[1]),
        );
        assert.deepEqual(names, ['parent-a', 'child-a3', 'child-a2', 'child-a1', 'parent-b']);
        assert.equal(await page.getByRole('table').getAttribute('aria-rowcount'), '6');
        await harness.auditAndShoot(page, 'runs-nested', theme);
        await collapse.focus();
        await page.keyboard.press('Space');
        await page.getByRole('link', { name: 'child-a3' }).waitFor({ state: 'detached' });
        assert.equal(await page.getByRole('table').getAttribute('aria-rowcount'), '3');
        await page.close();
      });
    });
  }

  function a8(): string {
    return ids['parent-a']!.slice(0, 8);
  }

  it('adds min, max and value-at-step columns of a metric from the picker', async () => {
    const page = await open('light', `/experiments/${experimentId}?cols=${encodeURIComponent('metrics.loss')}`);
    await page.getByRole('link', { name: 'parent-a' }).waitFor();
    const row = page.getByRole('row', { name: /parent-a/ });
    await row.getByRole('cell', { name: String(lossA(STEPS - 1)), exact: true }).waitFor();
    await page.getByText(/^Columns \(/).click();
    const form = page.getByRole('form', { name: 'Add a metric summary column' });
    const add = async (summary: string, step?: number) => {
      await form.getByLabel('Metric').fill('loss');
      await form.getByLabel('Summary').selectOption(summary);
      if (step !== undefined) await form.getByLabel('Step').fill(String(step));
      await form.getByRole('button', { name: 'Add summary column' }).click();
    };
    const asked = (agg: string) => page.waitForRequest((r) => r.url().endsWith(TABLE_PATH) && (JSON.parse(r.postData()!) as TableBody).columns.metric_aggregates?.some((a) => a.agg === agg) === true);
    let request = asked('min');
    await add('min');
    assert.deepEqual((JSON.parse((await request).postData()!) as TableBody).columns.metric_aggregates, [{ key: 'loss', agg: 'min' }]);
    request = asked('max');
    await add('max');
    await request;
    request = asked('step');
    await add('step', 3);
    const body = JSON.parse((await request).postData()!) as TableBody;
    assert.deepEqual(body.columns.metric_aggregates, [
      { key: 'loss', agg: 'min' },
      { key: 'loss', agg: 'max' },
      { key: 'loss', agg: 'step', step: 3 },
    ]);
    assert.deepEqual(body.columns.metrics, ['loss'], 'the last value is still fetched as before');
    await page.waitForURL((u) => u.searchParams.get('cols') === 'metrics.loss,metrics.loss@min,metrics.loss@max,metrics.loss@step=3');
    await page.keyboard.press('Escape');
    const history = Array.from({ length: STEPS }, (_, step) => lossA(step));
    const header = page.getByRole('columnheader', { name: 'metric: loss (min)' });
    await header.waitFor();
    assert.match((await header.getAttribute('title')) ?? '', /not sortable/);
    assert.equal(await header.getByRole('button').count(), 0, 'a summary column offers no sort');
    const at = async (name: string) => row.locator(`td[aria-colindex="${await page.getByRole('columnheader', { name, exact: true }).getAttribute('aria-colindex')}"]`).textContent();
    assert.equal(await at('metric: loss'), String(lossA(STEPS - 1)));
    assert.equal(await at('metric: loss (min)'), String(Math.min(...history)));
    assert.equal(await at('metric: loss (max)'), String(Math.max(...history)));
    assert.equal(await at('metric: loss (at step 3)'), String(lossA(3)));
    await page.close();
  });

  it('turns grouping off and on from the toolbar and keeps it in the URL', async () => {
    const page = await open('light', `/experiments/${experimentId}`);
    await page.getByText(/^2 top-level runs/).waitFor();
    const toggle = page.getByLabel('Group child runs under parents');
    await toggle.uncheck();
    await page.waitForURL((u) => u.searchParams.get('nest') === '0');
    await page.getByText(/^5 runs/).waitFor();
    await page.reload();
    await page.getByText(/^5 runs/).waitFor();
    assert.equal(await toggle.isChecked(), false);
    await toggle.check();
    await page.waitForURL((u) => u.searchParams.get('nest') === '1');
    await page.getByText(/^2 top-level runs/).waitFor();
    await page.close();
  });

  it('keeps the end of a long column key readable and elides its start', async () => {
    const exp = (await harness.mlflow('experiments/create', { name: 'long-keys' })).experiment_id as string;
    const run = (await harness.mlflow('runs/create', { experiment_id: exp, run_name: 'deep', start_time: Date.UTC(2026, 0, 1) })).run.info.run_id as string;
    const prefix = 'model/encoder/block_07/attention/heads';
    await harness.mlflow('runs/log-batch', { run_id: run, metrics: ['grad_norm', 'loss'].map((leaf) => ({ key: `${prefix}/${leaf}`, value: 1, timestamp: 1, step: 0 })) });
    const page = await open('light', `/experiments/${exp}`);
    const header = page.getByRole('columnheader', { name: `metric: ${prefix}/grad_norm`, exact: true });
    await header.waitFor();
    assert.equal(await header.getAttribute('title'), `metric: ${prefix}/grad_norm`);
    const clipped = (part: string) => header.locator(part).evaluate((e) => e.scrollWidth > e.clientWidth);
    assert.equal(await header.locator('.label-leaf').textContent(), 'grad_norm');
    assert.equal(await clipped('.label-leaf'), false, 'the leaf is shown whole');
    assert.equal(await clipped('.label-head'), true, 'the start gives way');
    await page.close();
  });

  it('lists an experiment without child runs flat, with grouping off', async () => {
    const exp = (await harness.mlflow('experiments/create', { name: 'no-children' })).experiment_id as string;
    for (const name of ['solo-1', 'solo-2']) await harness.mlflow('runs/create', { experiment_id: exp, run_name: name, start_time: Date.UTC(2026, 0, 1) });
    const page = await open('light', `/experiments/${exp}`);
    await page.getByText(/^2 runs/).waitFor();
    assert.equal(await page.getByLabel('Group child runs under parents').isChecked(), false);
    assert.equal(new URL(page.url()).searchParams.get('nest'), null, 'the default is not written into the URL');
    await page.close();
  });

  it('follows a running run without a reload: status and metrics update when it finishes', async () => {
    const mlflow = harness.mlflow;
    const exp = (await mlflow('experiments/create', { name: 'live-table' })).experiment_id as string;
    const run = (await mlflow('runs/create', { experiment_id: exp, run_name: 'still-training', start_time: Date.UTC(2026, 0, 1) })).run.info.run_id as string;
    await mlflow('runs/log-batch', { run_id: run, metrics: [{ key: 'loss', value: 0.75, timestamp: 1, step: 0 }] });
    const page = await open('light', `/experiments/${exp}`);
    const row = page.getByRole('row', { name: /still-training/ });
    await row.getByRole('cell', { name: 'RUNNING' }).waitFor();
    await mlflow('runs/log-batch', { run_id: run, metrics: [{ key: 'loss', value: 0.25, timestamp: 2, step: 1 }] });
    await mlflow('runs/update', { run_id: run, status: 'FINISHED', end_time: Date.UTC(2026, 0, 1) + 90_000 });
    await row.getByRole('cell', { name: 'FINISHED' }).waitFor({ timeout: 15_000 });
    assert.equal(await row.getByRole('cell', { name: '0.25', exact: true }).count(), 1, 'the latest loss');
    assert.equal(await row.getByRole('cell', { name: '1 min 30 s' }).count(), 1, 'the final duration');
    await page.close();
  });
});
