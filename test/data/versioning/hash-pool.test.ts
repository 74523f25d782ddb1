import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HashPool } from '../../../src/data/versioning/hash-pool.js';
import { makeProject, sha256, type TestProject } from './versioning-fixtures.js';

describe('HashPool', () => {
  let p: TestProject;
  before(async () => {
    p = await makeProject();
  });
  after(() => p.cleanup());

  it('hashes on worker threads and returns results in job order', async () => {
    const contents = Array.from({ length: 150 }, (_, i) => `file ${i} ${'x'.repeat(i * 37)}`);
    const jobs = contents.map((c, i) => ({ src: p.write(`f${i}.txt`, c), size: c.length }));
    jobs.push({ src: `${p.root}/missing`, size: 0 });
    const pool = new HashPool({ threads: 2, inlineBelowBytes: 0 });
    try {
      await pool.start();
      let bytes = 0;
      const results = await pool.run(jobs, (n) => (bytes += n));
      const again = await pool.run(jobs.slice(0, 3));
      assert.equal(results.length, jobs.length);
      assert.ok(pool.workerBatches > 0, 'worker threads did the work');
      contents.forEach((c, i) => {
        const r = results[i]!;
        assert.ok(r.ok, `job ${i}`);
        assert.equal(`sha256:${r.sha256}`, sha256(c));
      });
      assert.ok(!results[150]!.ok);
      assert.equal(bytes, contents.reduce((s, c) => s + c.length, 0));
      assert.deepEqual(again.map((r) => r.ok && r.sha256), results.slice(0, 3).map((r) => r.ok && r.sha256));
    } finally {
      await pool.close();
    }
  });
});
