import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderProfileHtml } from '../../../src/data/profile/profile-html.js';
import { profileTable } from '../../../src/data/profile/profile-table.js';
import type { TableProfile } from '../../../src/data/profile/profile-types.js';
import { DuckDbEngine } from '../../../src/data/table/index.js';
import { writeFixture, writeParquet } from './profile-fixtures.js';

describe('renderProfileHtml', () => {
  let dir: string;
  let engine: DuckDbEngine;
  let profile: TableProfile;
  let html: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-profile-html-'));
    engine = await DuckDbEngine.open({ threads: 1 });
    const { parquet } = await writeFixture(engine, dir);
    profile = await profileTable(engine, await engine.tableFile(parquet));
    html = renderProfileHtml(profile);
  });
  after(async () => {
    engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is a complete document with headings and a summary table with header cells', () => {
    assert.match(html, /^<!doctype html>\n<html lang="en">/);
    assert.match(html, /<\/body>\n<\/html>\n$/);
    assert.match(html, /<meta charset="utf-8">/);
    assert.equal((html.match(/<h1[ >]/g) ?? []).length, 1);
    assert.ok((html.match(/<h2 /g) ?? []).length >= 3);
    assert.equal((html.match(/<h3 /g) ?? []).length, profile.columns.length);
    assert.match(html, /<th scope="col"[^>]*>Column<\/th>/);
    assert.equal((html.match(/<tr><th scope="row"><a href="#column-\d+">/g) ?? []).length, profile.columns.length);
    // Every opened section, table and svg is closed.
    for (const tag of ['section', 'table', 'svg', 'details', 'dl']) {
      assert.equal((html.match(new RegExp(`<${tag}[ >]`, 'g')) ?? []).length, (html.match(new RegExp(`</${tag}>`, 'g')) ?? []).length, tag);
    }
  });

  it('draws a histogram per numeric column and a bar chart per column with top values', () => {
    const numeric = profile.columns.filter((c) => c.histogram).length;
    const bars = profile.columns.filter((c) => !c.histogram && c.top_values?.length).length;
    assert.equal(numeric, 3);
    assert.equal((html.match(/<svg /g) ?? []).length, numeric + bars);
    assert.equal((html.match(/aria-label="Histogram of /g) ?? []).length, numeric);
    assert.match(html, /aria-label="Most frequent values of city: lima \(68\), oslo \(50\), kyiv \(42\), rome \(42\), nuuk \(1\)\."/);
    assert.equal((html.match(/<rect class="bar"/g) ?? []).length, numeric * 20);
  });

  it('makes every chart an accessible image with a title and a table of its numbers', () => {
    const charts = html.match(/<svg [^>]*>[\s\S]*?<\/svg>\n<details><summary>[^<]+<\/summary><table><caption>/g) ?? [];
    assert.equal(charts.length, (html.match(/<svg /g) ?? []).length);
    for (const chart of charts) {
      assert.match(chart, /^<svg role="img" aria-label="[^"]+"/);
      assert.match(chart, /^<svg [^>]*><title>[^<]+<\/title>/);
      assert.match(chart, /<summary>[^<]+ as a table<\/summary>/);
    }
  });

  it('needs nothing from outside: inline CSS, no scripts, no external references, light and dark schemes', () => {
    assert.doesNotMatch(html, /https?:\/\//);
    assert.doesNotMatch(html, /<script|<link|<img|<iframe|@import|url\(/i);
    assert.doesNotMatch(html, /\s(src|href)="(?!#)/);
    assert.match(html, /<style>[\s\S]*prefers-color-scheme: dark[\s\S]*<\/style>/);
    assert.match(html, /color-scheme: light dark/);
  });

  it('escapes names and values from the data', async () => {
    const path = await writeParquet(engine, join(dir, 'evil.parquet'), `SELECT '<img src=x onerror=alert(1)>' AS "<b>&col", 1.5 AS "x""y" FROM range(3)`);
    const evil = renderProfileHtml(await profileTable(engine, await engine.tableFile(path)));
    assert.doesNotMatch(evil, /<img|<b>&col/);
    assert.match(evil, /&lt;b&gt;&amp;col/);
    assert.match(evil, /&lt;img src=x onerror=alert\(1\)&gt;/);
  });

  it('renders an empty table without charts', async () => {
    const path = await writeParquet(engine, join(dir, 'none.parquet'), `SELECT 1.5::DOUBLE AS x WHERE false`);
    const empty = renderProfileHtml(await profileTable(engine, await engine.tableFile(path)));
    assert.match(empty, /0 rows · 1 columns/);
    assert.doesNotMatch(empty, /<svg/);
  });
});
