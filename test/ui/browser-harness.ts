/**
 * What every browser test of the web UI shares: a built UI, a real Ferry
 * server on a temp home, Debian's chromium through playwright-core (never
 * `playwright install`) with one context per theme, and the axe check plus
 * screenshot each page gets (test-results/ui-screenshots/<page>-<theme>.png).
 */
import { AxeBuilder } from '@axe-core/playwright';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig, type ConfigOverrides } from '../../src/config/config.js';
import { buildServer, type FerryServer } from '../../src/server/build-server.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** FERRY_TEST_UI_DIST lets parallel work build and test its own copy of the UI. */
export const UI_DIST = process.env.FERRY_TEST_UI_DIST ?? join(ROOT, 'dist', 'ui');
export const SCREENSHOTS = join(ROOT, 'test-results', 'ui-screenshots');
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
export const THEMES = ['light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium package for the UI tests.`);
/** The `skip` option for a browser test suite: false when chromium is here; outside CI a missing browser skips with this message. */
export const skipWithoutChromium: false | string = haveChromium ? false : `${CHROMIUM} not found: install Debian's chromium to run the UI browser tests`;

/** Builds the UI once if this checkout has no build yet. */
export function ensureUiBuilt(): void {
  if (existsSync(join(UI_DIST, 'index.html'))) return;
  execFileSync(join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--config', join(ROOT, 'ui', 'vite.config.ts'), '--outDir', UI_DIST, '--emptyOutDir', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
}

export interface BrowserHarness {
  app: FerryServer;
  url: string;
  home: string;
  /** A new page in the theme's context, at `path`. */
  open(theme: Theme, path: string): Promise<Page>;
  /** POSTs `body` to MLflow's REST API at `path` (e.g. `runs/create`), asserts 200 and answers the JSON. */
  mlflow(path: string, body: unknown): Promise<any>;
  /** Zero serious or critical axe violations, then a full-page screenshot named `<name>-<theme>.png`. */
  auditAndShoot(page: Page, name: string, theme: Theme): Promise<void>;
  close(): Promise<void>;
}

/** Starts a server (listening on loopback) and chromium; seed through `app` or `url`, then open pages. */
export async function openBrowserHarness(overrides: ConfigOverrides = {}): Promise<BrowserHarness> {
  ensureUiBuilt();
  const home = await mkdtemp(join(tmpdir(), 'ferry-ui-'));
  const app = await buildServer(loadConfig({ home, logLevel: 'silent', ...overrides }, {}), { logger: false, uiRoot: UI_DIST });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  await mkdir(SCREENSHOTS, { recursive: true });
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const contexts = new Map<Theme, BrowserContext>();
  for (const theme of THEMES) {
    const context = await browser.newContext({ colorScheme: theme, viewport: { width: 1280, height: 900 } });
    // A string: this runs in the page, which the Node typings know nothing of.
    await context.addInitScript(`localStorage.setItem('ferry-theme', '${theme}')`);
    contexts.set(theme, context);
  }
  return {
    app,
    url,
    home,
    mlflow: async (path, body) => {
      const res = await fetch(`${url}/api/2.0/mlflow/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const json = await res.json();
      assert.equal(res.status, 200, `${path}: ${JSON.stringify(json)}`);
      return json;
    },
    open: async (theme, path) => {
      const page = await contexts.get(theme)!.newPage();
      page.setDefaultTimeout(10_000);
      await page.goto(`${url}${path}`);
      return page;
    },
    auditAndShoot: async (page, name, theme) => {
      assert.equal(await page.evaluate('document.documentElement.dataset.theme'), theme);
      const results = await new AxeBuilder({ page }).analyze();
      const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      assert.deepEqual(
        bad.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`),
        [],
        `axe violations on ${name} (${theme})`,
      );
      await page.screenshot({ path: join(SCREENSHOTS, `${name}-${theme}.png`), fullPage: true });
    },
    close: async () => {
      await browser.close();
      await app.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}
