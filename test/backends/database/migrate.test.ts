import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../../src/backends/database/database.js';
import { assertSchemaCurrent, migrateToLatest } from '../../../src/backends/database/migrate.js';
import { testDatabaseKinds } from '../../helpers/test-database-urls.js';

describe('migrateToLatest', () => {
  for (const kind of testDatabaseKinds()) {
    it(`applies every migration exactly once across several connections (${kind.name})`, async () => {
      // A file, not :memory:, so that the racing connections share one database.
      const dir = await mkdtemp(join(tmpdir(), 'ferry-migrate-'));
      const target = kind.name === 'sqlite' ? { url: `sqlite:${join(dir, 'm.db')}`, cleanup: async () => undefined } : await kind.create();
      const handles = await Promise.all([1, 2, 3].map(() => openDatabase(target.url)));
      try {
        // Postgres connections race for real. better-sqlite3 connections in one thread cannot wait on
        // each other (the busy handler would block the thread holding the lock), so SQLite's race
        // between processes is covered by the registry's two-server test; here they run in turn.
        const applied =
          kind.name === 'postgres' ? await Promise.all(handles.map((h) => migrateToLatest(h))) : [await migrateToLatest(handles[0]!), await migrateToLatest(handles[1]!)];
        const all = applied.flat();
        assert.equal(new Set(all).size, all.length, 'no migration ran twice');
        assert.ok(all.includes('0001-tracking'), 'the first migration ran');
        assert.deepEqual(await migrateToLatest(handles[0]!), [], 'a second run is a no-op');
        await assertSchemaCurrent(handles[1]!);
        const rows = await sql<{ n: number }>`select count(*) as n from ferry_schema_migrations`.execute(handles[2]!.db);
        assert.equal(Number(rows.rows[0]!.n), all.length);
      } finally {
        await Promise.all(handles.map((h) => h.close()));
        await target.cleanup();
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  it('reports an empty database as having no Ferry schema', async () => {
    const database = await openDatabase('sqlite::memory:');
    try {
      await assert.rejects(assertSchemaCurrent(database), /no Ferry schema.*ferry db upgrade/);
    } finally {
      await database.close();
    }
  });
});
