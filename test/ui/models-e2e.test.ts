/**
 * The Models pages in chromium: a real Ferry server seeded over the MLflow
 * registry and governance APIs (two models, versions from runs with
 * signatures, metrics and datasets, a promotion policy, a pending and a
 * failed promotion request, a model card), each page checked for its data
 * in both themes with axe and a screenshot, then a pending request approved
 * through the confirmation dialog. A second server with auth on checks that
 * a viewer's token sees approve/reject disabled with the reason.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config/config.js';
import { buildServer, type FerryServer } from '../../src/server/build-server.js';
import { governanceClient, httpHarness, V1, type GovernanceClient } from '../registry/governance/governance-fixtures.js';
import { CHROMIUM, CHROMIUM_ARGS, ensureUiBuilt, openBrowserHarness, skipWithoutChromium, THEMES, UI_DIST, type BrowserHarness, type Theme } from './browser-harness.js';

const FRAUD = 'fraud-detector';
const CHURN = 'churn-model';
const POLICY = {
  metrics: ['val_auc >= 0.85'],
  baseline: { metric: 'val_auc', direction: 'higher', minImprovement: 0.01 },
  approval: { required: true, approvers: ['alice'] },
};
const TRAIN = { name: 'transactions', digest: 'a1b2c3d4', context: 'training' };

/**
 * Loads `/` and moves to `path` in the page: the server keeps `/models/…`
 * for inference (`POST /models/NAME/invocations`), so a direct load of a UI
 * path there gets a 404 until src/server/ui-routes.ts hands GETs of
 * `/models`, `/models/NAME` and `/models/NAME/versions/V` to the UI.
 */
async function moveTo(page: Page, path: string): Promise<Page> {
  await page.getByRole('heading').first().waitFor();
  await page.evaluate(`history.pushState({}, '', ${JSON.stringify(path)}); dispatchEvent(new PopStateEvent('popstate'))`);
  return page;
}

async function openUi(h: BrowserHarness, theme: Theme, path: string): Promise<Page> {
  return moveTo(await h.open(theme, '/'), path);
}

/** fraud-detector: v1 holds @production; v2 (val_auc 0.91) is pending approval; v3 (0.80) failed its checks. churn-model: one version. */
async function seed(g: GovernanceClient): Promise<{ pendingId: number; failedId: number }> {
  const v1 = await g.candidate(FRAUD, { metrics: { val_auc: 0.85 }, params: { max_depth: '6' }, datasets: [TRAIN], description: 'Gradient-boosted baseline' });
  await g.pointAlias(FRAUD, 'production', v1);
  assert.equal((await g.setPolicy(FRAUD, 'production', POLICY)).status, 200);
  const v2 = await g.candidate(FRAUD, { metrics: { val_auc: 0.91 }, params: { max_depth: '8' }, datasets: [TRAIN] });
  const pending = await g.mustPromote(FRAUD, v2, 'production');
  assert.equal(pending.status, 'pending');
  const v3 = await g.candidate(FRAUD, { metrics: { val_auc: 0.8 } });
  const failed = await g.promote(FRAUD, v3, 'production');
  assert.equal(failed.status, 409, JSON.stringify(failed.body));
  const card = await g.ok('PUT', `${V1}/models/${FRAUD}/versions/${v2}/card`, {
    intendedUse: 'Scoring card payments in real time. <script>window.pwned = 1</script>',
    limitations: '- Not for ACH transfers\n- Retrain monthly',
  });
  assert.equal(card.card.version, 2);
  await g.candidate(CHURN, { metrics: { f1: 0.7 } });
  await g.ok('PATCH', '/registered-models/update', { name: CHURN, description: 'Monthly churn propensity' });
  return { pendingId: pending.id, failedId: failed.body.error.details.request.id };
}

describe('models pages in chromium', { skip: skipWithoutChromium }, () => {
  let h: BrowserHarness;
  let g: GovernanceClient;
  let seeded: { pendingId: number; failedId: number };

  before(async () => {
    h = await openBrowserHarness();
    g = governanceClient(httpHarness(h.url));
    seeded = await seed(g);
  });
  after(async () => h?.close());

  for (const theme of THEMES) {
    it(`lists and searches registered models (${theme})`, async () => {
      const page = await openUi(h, theme, '/models');
      await page.getByRole('link', { name: FRAUD }).waitFor();
      assert.ok(await page.getByRole('link', { name: CHURN }).isVisible());
      assert.ok(await page.getByText('@production → v1').isVisible());
      assert.ok(await page.getByRole('row', { name: /churn-model/ }).getByText('Monthly churn propensity').isVisible());
      await h.auditAndShoot(page, 'models', theme);
      await page.getByLabel('Search by name').fill('churn');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForURL(/\/models\?q=churn$/);
      await page.getByRole('link', { name: FRAUD }).waitFor({ state: 'detached' });
      // The old list may go a frame before the new one is drawn: wait for the new one, then count.
      await page.getByRole('link', { name: CHURN }).waitFor();
      assert.equal(await page.locator('tbody tr').count(), 1);
      assert.ok(await page.getByRole('link', { name: CHURN }).isVisible());
      await page.getByLabel('Search by name').fill('no-such');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByText('No registered model’s name contains “no-such”.').waitFor();
      await page.close();
    });

    it(`shows a model's versions, promotions, card and audit history (${theme})`, async () => {
      const page = await openUi(h, theme, `/models/${FRAUD}?card=2`);
      await page.getByRole('heading', { level: 1, name: FRAUD }).waitFor();
      await page.getByRole('link', { name: 'Version 3', exact: true }).waitFor();
      const versions = page.getByRole('table', { name: `Versions of ${FRAUD}` });
      assert.equal(await versions.locator('tbody tr').count(), 3);
      assert.ok(await versions.getByRole('row', { name: /Version 1/ }).getByText('@production').isVisible());
      await page.getByRole('heading', { name: `Request #${seeded.pendingId}: version 2 → @production pending` }).waitFor();
      assert.ok(await page.getByRole('heading', { name: `Request #${seeded.failedId}: version 3 → @production failed` }).isVisible());
      // The card renders owner text as text: the script tag is shown, never run.
      const card = page.getByRole('article', { name: `Model card of ${FRAUD} version 2` });
      await card.getByText('<script>window.pwned = 1</script>', { exact: false }).waitFor();
      assert.equal(await page.evaluate('window.pwned'), undefined);
      assert.ok(await card.getByRole('listitem').filter({ hasText: 'Retrain monthly' }).isVisible());
      assert.ok(await card.getByRole('heading', { name: 'Intended use' }).isVisible());
      assert.ok(await card.getByRole('cell', { name: 'val_auc' }).isVisible());
      const audit = page.getByRole('table', { name: `Audit history of ${FRAUD}` });
      await audit.waitFor();
      assert.ok((await audit.locator('tbody tr').count()) >= 5);
      assert.ok(await audit.getByText('update_model_card').isVisible());
      await h.auditAndShoot(page, 'model', theme);
      await page.close();
    });

    it(`shows a version's signature, lineage and checks with their numbers (${theme})`, async () => {
      const page = await openUi(h, theme, `/models/${FRAUD}/versions/2`);
      await page.getByRole('heading', { level: 1, name: `${FRAUD} version 2` }).waitFor();
      const inputs = page.getByRole('table', { name: 'Inputs' });
      await inputs.waitFor();
      assert.deepEqual(await inputs.locator('tbody tr').first().locator('th, td').allInnerTexts(), ['features', 'tensor float32', '[-1, 4]', 'required']);
      assert.ok(await page.getByRole('table', { name: 'Outputs' }).getByText('score').isVisible());
      const graph = page.getByRole('img', { name: /^Lineage graph:/ });
      await graph.waitFor();
      const label = (await graph.getAttribute('aria-label')) ?? '';
      assert.match(label, /1 dataset/);
      assert.match(label, /trained on transactions/);
      assert.match(label, /registered as fraud-detector v2/);
      const checks = page.getByRole('table', { name: `Checks of promotion request #${seeded.pendingId}` });
      assert.ok(await checks.getByText('val_auc = 0.91 (needs >= 0.85)').isVisible());
      assert.ok(await checks.getByText(/val_auc: 0\.91 vs v1 0\.85, improvement 0\.06/).isVisible());
      await h.auditAndShoot(page, 'model-version', theme);
      await page.getByRole('button', { name: 'Table' }).click();
      await page.waitForURL(/lineage=table/);
      const links = page.getByRole('table', { name: 'Lineage links' });
      assert.ok(await links.getByRole('row', { name: /trained on/ }).first().isVisible());
      await page.close();
    });
  }

  it('approves a pending promotion through the confirmation dialog and shows the alias moved', async () => {
    const page = await openUi(h, 'dark', `/models/${FRAUD}/versions/2`);
    await page.getByRole('button', { name: `Approve #${seeded.pendingId}` }).click();
    const dialog = page.getByRole('dialog', { name: `Approve promotion #${seeded.pendingId}?` });
    await dialog.waitFor();
    await dialog.getByLabel('Comment (optional)').fill('AUC up, ship it');
    await h.auditAndShoot(page, 'model-version-approve', 'dark');
    await dialog.getByRole('button', { name: 'Confirm approve' }).click();
    await page.getByRole('heading', { name: `Request #${seeded.pendingId}: version 2 → @production promoted` }).waitFor();
    await page.getByText('— “AUC up, ship it”', { exact: false }).waitFor();
    assert.ok(await page.locator('.overview').getByText('@production').isVisible());
    assert.equal(await page.getByRole('button', { name: `Approve #${seeded.pendingId}` }).count(), 0);
    assert.equal(await g.holder(FRAUD, 'production'), 2);
    await page.close();
  });
});

describe('models pages with auth on', { skip: skipWithoutChromium }, () => {
  let home: string;
  let app: FerryServer;
  let url: string;
  let browser: Browser;
  const tokens: Record<string, string> = {};
  let pendingId: number;

  before(async () => {
    ensureUiBuilt();
    home = await mkdtemp(join(tmpdir(), 'ferry-ui-auth-'));
    const config = loadConfig({ home, logLevel: 'silent', auth: true }, {});
    app = await buildServer(config, { logger: false, uiRoot: UI_DIST });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const admin = { authorization: `Bearer ${(await app.services.tokens.create('ada', 'admin')).token}` };
    for (const [name, role] of [['vic', 'viewer'], ['bob', 'editor'], ['alice', 'editor']] as const) tokens[name] = (await app.services.tokens.create(name, role)).token;
    const http = httpHarness(url);
    const call = http.call;
    http.call = (method, path, body, headers) => call(method, path, body, headers ?? admin);
    const g = governanceClient(http, admin);
    const v1 = await g.candidate(FRAUD, { metrics: { val_auc: 0.85 } });
    await g.pointAlias(FRAUD, 'production', v1);
    assert.equal((await g.setPolicy(FRAUD, 'production', POLICY)).status, 200);
    pendingId = (await g.mustPromote(FRAUD, await g.candidate(FRAUD, { metrics: { val_auc: 0.9 } }), 'production')).id;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await rm(home, { recursive: true, force: true });
  });

  /** The version page as the token's holder, with its approve button. */
  async function asHolder(token: string) {
    const context = await browser.newContext();
    await context.addInitScript(`sessionStorage.setItem('ferry-token', '${token}')`);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${url}/`);
    await moveTo(page, `/models/${FRAUD}/versions/2`);
    const approve = page.getByRole('button', { name: `Approve #${pendingId}` });
    await approve.waitFor();
    return { context, page, approve };
  }

  it('disables approve and reject for a viewer token and says why', async () => {
    const { context, page, approve } = await asHolder(tokens.vic!);
    await page.getByText("Token 'vic' has the viewer role").waitFor();
    assert.equal(await approve.isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: `Reject #${pendingId}` }).isDisabled(), true);
    assert.match((await approve.getAttribute('title')) ?? '', /viewer role; approving needs an editor or admin token/);
    await context.close();
  });

  it("disables them for an editor the policy does not name, and enables them for the policy's approver", async () => {
    const bob = await asHolder(tokens.bob!);
    await bob.page.getByText("Only admins and 'alice' may decide; 'bob' is not one.").waitFor();
    assert.equal(await bob.approve.isDisabled(), true);
    await bob.context.close();
    const alice = await asHolder(tokens.alice!);
    await alice.page.getByText("Token 'alice' is a named approver of this alias.").waitFor();
    assert.equal(await alice.approve.isDisabled(), false);
    await alice.context.close();
  });
});
