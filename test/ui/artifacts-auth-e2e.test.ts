/**
 * Artifact previews and downloads in chromium with auth on: with the UI
 * signed in (its token in the tab's sessionStorage), the text preview, the
 * image preview (a blob object URL, revoked when another file is chosen) and
 * Download (fetched with the token, saved from a blob) must work, and a
 * download in flight shows its bytes and can be cancelled. With auth off
 * Download stays a plain link to the API, so a huge file streams straight to disk.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser, Download, Page, Route } from 'playwright-core';
import { openBrowserHarness, skipWithoutChromium, THEMES, type BrowserHarness } from './browser-harness.js';

/** A valid 1×1 red PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
const NOTES = 'trained on the March snapshot\nwith the token on\n';
/** Large enough to arrive in many chunks, so the download is read as a stream. */
const WEIGHTS = randomBytes(3 * 1024 * 1024);

/** Seeds one run with notes.txt, plots/pixel.png and weights.bin; `headers` carries the token when auth is on. */
async function seedRun(url: string, headers: Record<string, string>): Promise<{ runId: string; root: string }> {
  async function mlflow(path: string, body: unknown): Promise<any> {
    const res = await fetch(`${url}/api/2.0/mlflow/${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = await res.json();
    assert.equal(res.status, 200, `${path}: ${JSON.stringify(json)}`);
    return json;
  }
  const exp = await mlflow('experiments/create', { name: 'artifacts-auth' });
  const run = await mlflow('runs/create', { experiment_id: exp.experiment_id, run_name: 'artifact-run', start_time: Date.now() });
  const root = String(run.run.info.artifact_uri).replace(/^mlflow-artifacts:\/*/, '');
  for (const [path, body] of [
    ['notes.txt', NOTES],
    ['plots/pixel.png', PNG],
    ['weights.bin', WEIGHTS],
  ] as const) {
    const res = await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/${root}/${path}`, { method: 'PUT', headers, body });
    assert.equal(res.status, 200, `PUT ${path}`);
  }
  return { runId: run.run.info.run_id, root };
}

/** Clicks Download and answers the download it started. */
async function download(page: Page): Promise<Download> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.locator('.artifact-preview').getByRole('link', { name: 'Download' }).click()]);
  return d;
}

async function bytesOf(d: Download): Promise<Buffer> {
  assert.equal(await d.failure(), null);
  return readFile(await d.path());
}

describe('artifacts browser with auth on', { skip: skipWithoutChromium }, () => {
  let h: BrowserHarness;
  let browser: Browser;
  let token = '';
  let runId = '';
  let root = '';

  before(async () => {
    h = await openBrowserHarness({ auth: true });
    token = (await h.app.services.tokens.create('ada', 'admin')).token;
    ({ runId, root } = await seedRun(h.url, { authorization: `Bearer ${token}` }));
    const first = await h.open('light', '/');
    browser = first.context().browser()!;
    await first.close();
  });
  after(async () => h?.close());

  /** A page at `path` in a fresh context whose tab already holds the token where the UI's sign-in form puts it (sessionStorage `ferry-token`). */
  async function signedIn(theme: (typeof THEMES)[number], path: string): Promise<Page> {
    const context = await browser.newContext({ colorScheme: theme, viewport: { width: 1280, height: 900 } });
    await context.addInitScript(`localStorage.setItem('ferry-theme', '${theme}'); sessionStorage.setItem('ferry-token', '${token}')`);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${h.url}${path}`);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    return page;
  }

  it('refuses the artifact without a token, so a plain link could not fetch it', async () => {
    const res = await fetch(`${h.url}/api/2.0/mlflow-artifacts/artifacts/${root}/notes.txt`);
    assert.equal(res.status, 401);
  });

  it('signs in through the form (no browser password prompt over the page), previews text and downloads it with the token', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${h.url}/runs/${runId}?artifact=notes.txt`);
    await page.getByText('Sign in', { exact: true }).click();
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByLabel('Contents of notes.txt').getByText('with the token on').waitFor();
    const d = await download(page);
    assert.equal(d.suggestedFilename(), 'notes.txt');
    assert.match(d.url(), /^blob:/, 'saved from a blob fetched with the token');
    assert.equal((await bytesOf(d)).toString('utf8'), NOTES);
    await page.context().close();
  });

  it('previews an image from a blob URL, downloads it, and revokes the URL on leaving it', async () => {
    const page = await signedIn('light', `/runs/${runId}?artifact=${encodeURIComponent('plots/pixel.png')}`);
    await page.getByRole('img', { name: 'plots/pixel.png' }).waitFor();
    await page.waitForFunction(`(() => { const i = document.querySelector('img.artifact-image'); return !!i && i.complete && i.naturalWidth === 1; })()`);
    const src = (await page.getByRole('img', { name: 'plots/pixel.png' }).getAttribute('src')) ?? '';
    assert.match(src, /^blob:/);
    assert.deepEqual(await bytesOf(await download(page)), PNG);

    await page.getByRole('navigation', { name: 'Artifact files' }).getByRole('button', { name: /notes\.txt/ }).click();
    await page.getByLabel('Contents of notes.txt').waitFor();
    assert.equal(await page.evaluate(`fetch(${JSON.stringify(src)}).then(() => 'alive', () => 'revoked')`), 'revoked');
    await page.context().close();
  });

  it('shows bytes received while a download runs, cancels it, then downloads the whole stream', async () => {
    const page = await signedIn('light', `/runs/${runId}?artifact=weights.bin`);
    const preview = page.locator('.artifact-preview');
    await preview.getByText('3.0 MiB ·').waitFor();
    // Hold the first request so the download is caught in flight.
    let held: Route | undefined;
    await page.route('**/weights.bin', (route) => {
      held = route;
    });
    await preview.getByRole('link', { name: 'Download' }).click();
    await preview.getByRole('progressbar', { name: 'Downloading weights.bin' }).waitFor();
    await preview.getByText('0 B of 3.0 MiB').waitFor();
    assert.ok(held, 'the download went out');
    assert.equal(await held.request().headerValue('authorization'), `Bearer ${token}`);
    await preview.getByRole('button', { name: 'Cancel download' }).click();
    await preview.getByText('Download cancelled.').waitFor();
    assert.equal(await preview.getByRole('progressbar').count(), 0);
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await held.abort().catch(() => undefined);

    const d = await download(page);
    assert.equal(d.suggestedFilename(), 'weights.bin');
    assert.ok((await bytesOf(d)).equals(WEIGHTS), 'downloaded bytes equal the artifact');
    await page.context().close();
  });

  for (const theme of THEMES) {
    it(`passes axe with a download in progress beside an open preview (${theme})`, async () => {
      const page = await signedIn(theme, `/runs/${runId}?artifact=notes.txt`);
      await page.getByLabel('Contents of notes.txt').waitFor();
      await page.route('**/notes.txt', () => undefined);
      await page.locator('.artifact-preview').getByRole('link', { name: 'Download' }).click();
      await page.getByRole('button', { name: 'Cancel download' }).waitFor();
      await h.auditAndShoot(page, 'run-artifacts-auth', theme);
      await page.getByRole('button', { name: 'Cancel download' }).click();
      await page.unrouteAll({ behavior: 'ignoreErrors' });
      await page.context().close();
    });
  }
});

describe('artifacts browser with auth off', { skip: skipWithoutChromium }, () => {
  let h: BrowserHarness;
  let runId = '';

  before(async () => {
    h = await openBrowserHarness();
    ({ runId } = await seedRun(h.url, {}));
  });
  after(async () => h?.close());

  it('keeps Download a plain link to the API, which the browser streams to disk', async () => {
    const page = await h.open('light', `/runs/${runId}?artifact=weights.bin`);
    await page.locator('.artifact-preview').getByText('3.0 MiB ·').waitFor();
    const d = await download(page);
    assert.match(d.url(), /\/api\/2\.0\/mlflow-artifacts\/artifacts\/.+\/weights\.bin$/);
    assert.equal(d.suggestedFilename(), 'weights.bin');
    assert.ok((await bytesOf(d)).equals(WEIGHTS), 'downloaded bytes equal the artifact');
    await page.close();
  });

  it('previews text and images and downloads the image', async () => {
    const page = await h.open('light', `/runs/${runId}?artifact=${encodeURIComponent('plots/pixel.png')}`);
    await page.waitForFunction(`(() => { const i = document.querySelector('img.artifact-image'); return !!i && i.complete && i.naturalWidth === 1; })()`);
    assert.deepEqual(await bytesOf(await download(page)), PNG);
    await page.getByRole('navigation', { name: 'Artifact files' }).getByRole('button', { name: /notes\.txt/ }).click();
    await page.getByLabel('Contents of notes.txt').getByText('with the token on').waitFor();
    await h.auditAndShoot(page, 'run-artifacts-no-auth', 'light');
    await page.close();
  });
});
