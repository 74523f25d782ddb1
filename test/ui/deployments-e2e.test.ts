/**
 * Browser tests of the Deployments pages: a real Ferry server with two
 * registered ONNX versions behind a canary deployment whose latency check
 * always fails (so the roll-out stays on its first step with a recorded
 * analysis), live traffic, both themes audited, and a rollback clicked
 * through its confirmation dialog.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyOk, deploymentDoc, inferOnce, linearPackage, registerVersions } from '../deployments/deployment-fixtures.js';
import { injectCall, type ApiHarness } from '../helpers/api-server.js';
import type { Page } from 'playwright-core';
import { openBrowserHarness, skipWithoutChromium, THEMES, type BrowserHarness, type Theme } from './browser-harness.js';

const DEPLOYMENT = 'fraud-scorer';

/**
 * Opens `/` and moves to `path` in the page: the server keeps `/deployments/…`
 * for inference, so a direct load of a UI path there gets its 404 until
 * src/server/ui-routes.ts hands `/deployments` and `/deployments/NAME` to the UI.
 */
async function openUi(h: BrowserHarness, theme: Theme, path: string): Promise<Page> {
  const page = await h.open(theme, '/');
  await page.getByRole('heading').first().waitFor();
  await page.evaluate(`history.pushState({}, '', ${JSON.stringify(path)}); dispatchEvent(new PopStateEvent('popstate'))`);
  return page;
}

describe('deployments pages in chromium', { skip: skipWithoutChromium }, () => {
  let h: BrowserHarness;
  let api: ApiHarness;
  let model = '';
  let trafficTimer: NodeJS.Timeout | undefined;

  const rollout = async () => (await api.call('GET', `/api/ferry/v1/deployments/${DEPLOYMENT}/rollout`)).body;

  before(async () => {
    h = await openBrowserHarness();
    api = { app: h.app, call: injectCall(h.app), close: async () => undefined };
    model = await registerVersions(api, 'scorer', [linearPackage({ bias: [0.5, 0.5] }), linearPackage({ bias: [1, 1] })]);
    await applyOk(api, deploymentDoc(DEPLOYMENT, { strategy: 'canary', model: `models:/${model}/1` }));
    await applyOk(
      api,
      deploymentDoc(DEPLOYMENT, {
        strategy: 'canary',
        model: `models:/${model}/2`,
        canary: {
          steps: [20, 50, 100],
          interval: '1s',
          minRequests: 1,
          failureLimit: 1000,
          // No real model answers in under a microsecond: every analysis fails this check, so the roll-out stays on step 1.
          checks: [{ metric: 'error_rate', max: 0.5 }, { metric: 'latency_p99', maxMs: 0.001 }],
        },
      }),
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      for (let i = 0; i < 10; i++) assert.equal((await inferOnce(api, DEPLOYMENT)).status, 200);
      const view = await rollout();
      if (view.deployment.status.rollout?.lastAnalysis?.checks?.length) break;
      assert.ok(Date.now() < deadline, `no canary analysis with checks yet: ${JSON.stringify(view.deployment.status)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Steady traffic while the pages are open, so the live rates have something to measure.
    trafficTimer = setInterval(() => void inferOnce(api, DEPLOYMENT).catch(() => undefined), 40);
  });

  after(async () => {
    clearInterval(trafficTimer);
    await h?.close();
  });

  it('lists the deployment with its strategy, phase, versions and traffic split in both themes', async () => {
    for (const theme of THEMES) {
      const page = await openUi(h, theme, '/deployments');
      const row = page.getByRole('row', { name: new RegExp(DEPLOYMENT) });
      await row.waitFor();
      const text = await row.innerText();
      assert.match(text, /canary/);
      assert.match(text, /progressing|paused/);
      assert.match(text, new RegExp(`${model} v1`));
      assert.match(text, new RegExp(`${model} v2`));
      assert.match(text, /stable v1 80%/);
      assert.match(text, /canary v2 20%/);
      assert.ok(await page.getByRole('img', { name: /Traffic split: stable v1 80%, canary v2 20%/ }).count());
      await h.auditAndShoot(page, 'deployments', theme);
      await page.close();
    }
  });

  it('shows variants, the roll-out step, the latest checks and live per-variant numbers in both themes', async () => {
    for (const theme of THEMES) {
      const page = await openUi(h, theme, `/deployments/${DEPLOYMENT}`);
      await page.getByRole('heading', { name: `Deployment ${DEPLOYMENT}` }).waitFor();
      const rolloutText = await page.locator('section', { has: page.getByRole('heading', { name: 'Roll-out' }) }).innerText();
      assert.match(rolloutText, /step 1 of 3 \(20% of traffic\)/);
      assert.match(rolloutText, /Failed analyses \d+ of 1000/);
      const checks = page.getByRole('table', { name: 'Canary checks of the latest analysis' });
      const latency = await checks.getByRole('row', { name: /latency p99/ }).innerText();
      assert.match(latency, /at most \(ms\) 0\.001/);
      assert.match(latency, /failed/);
      assert.match(await checks.getByRole('row', { name: /error rate/ }).innerText(), /passed/);
      // Two refreshes are needed for a rate; the counters come from the server's own.
      const live = page.getByRole('table', { name: /Live request rate/ });
      await live.getByRole('row', { name: /canary/ }).getByText(/[1-9][\d.]* req\/s/).waitFor({ timeout: 8000 });
      const served = await rollout();
      for (const v of served.variants) {
        const shown = Number(await page.getByTestId(`requests-${v.name}`).innerText());
        assert.ok(shown > 0 && shown <= v.total.requests + 1000, `${v.name} requests shown ${shown}, server ${v.total.requests}`);
      }
      assert.ok(await live.getByRole('img', { name: /stable requests per second: latest/ }).count());
      // A line needs two points: wait for a few refreshes, then the sparkline's canvas must have something drawn on it.
      const spark = live.getByRole('img', { name: /stable requests per second: latest .* over the last [2-9] samples/ });
      await spark.waitFor({ timeout: 8000 });
      const painted = Number(await spark.evaluate(`(() => { const c = document.querySelector('.sparkline canvas'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; })()`));
      assert.ok(painted > 10, `sparkline canvas painted ${painted} pixels`);
      assert.ok(await page.getByRole('listitem').filter({ hasText: /analysis failed/ }).count());
      await h.auditAndShoot(page, 'deployment', theme);
      await page.close();
    }
  });

  it('offers the live numbers as a table without sparklines', async () => {
    const page = await openUi(h, 'light', `/deployments/${DEPLOYMENT}`);
    await page.getByRole('link', { name: 'Show numbers only' }).click();
    await page.waitForURL(/live=table/);
    await page.getByRole('link', { name: 'Show sparklines' }).waitFor();
    assert.equal(await page.locator('.sparkline').count(), 0);
    await page.close();
  });

  it('rolls back only after confirmation and shows the new state', async () => {
    const page = await openUi(h, 'dark', `/deployments/${DEPLOYMENT}`);
    await page.getByRole('button', { name: 'Abort' }).click();
    const dialog = page.getByRole('dialog', { name: `Abort deployment ${DEPLOYMENT}?` });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.match((await rollout()).deployment.status.rollout.state, /progressing|paused/);

    await page.getByRole('button', { name: 'Roll back' }).click();
    const confirm = page.getByRole('dialog', { name: `Roll back deployment ${DEPLOYMENT}?` });
    await confirm.getByRole('button', { name: 'Yes, roll back' }).click();
    await page.getByRole('status').filter({ hasText: /Done: .*rolled back/ }).waitFor();
    await page.locator('section', { has: page.getByRole('heading', { name: 'Roll-out' }) }).getByText('rolled back', { exact: true }).waitFor();
    assert.equal((await rollout()).deployment.status.rollout.state, 'rolled_back');
    await page.getByRole('img', { name: 'Traffic split: stable v1 100%' }).waitFor();
    await page.getByRole('listitem').filter({ hasText: /rolled back by/ }).first().waitFor();
    await page.close();
  });

  it('shows the server’s message when an action is refused', async () => {
    const other = 'ephemeral-scorer';
    await applyOk(api, deploymentDoc(other, { strategy: 'direct', model: `models:/${model}/1` }));
    await applyOk(api, deploymentDoc(other, { strategy: 'direct', model: `models:/${model}/2` }));
    const page = await openUi(h, 'light', `/deployments/${other}`);
    await page.getByRole('button', { name: 'Roll back' }).waitFor();
    // Gone by the time the user confirms: the server refuses, and its message must reach the user.
    assert.equal((await api.call('DELETE', `/api/ferry/v1/deployments/${other}`)).status, 200);
    await page.getByRole('button', { name: 'Roll back' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Yes, roll back' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Could not roll back.' });
    await alert.waitFor();
    assert.match(await alert.innerText(), new RegExp(`404: .*${other}`));
    await page.close();
  });

  it('shows the API error for an unknown deployment', async () => {
    const page = await openUi(h, 'light', '/deployments/no-such-deployment');
    await page.getByRole('alert').filter({ hasText: /404.*no-such-deployment/ }).waitFor();
    await page.close();
  });
});
