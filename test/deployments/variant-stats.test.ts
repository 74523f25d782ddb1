import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { percentile, summarize, VariantCounters, VariantStats } from '../../src/deployments/variant-stats.js';

describe('variant-stats', () => {
  describe('percentile', () => {
    it('reads quantiles from the log buckets within about 5 %', () => {
      const c = new VariantCounters();
      for (let i = 1; i <= 100; i++) c.record(true, i);
      const w = c.since();
      for (const [q, expected] of [[0.5, 50], [0.99, 99]] as const) {
        const v = percentile(w.latency, q);
        assert.ok(Math.abs(v - expected) / expected < 0.06, `p${q * 100} ${v} vs ${expected}`);
      }
      assert.equal(percentile(new VariantCounters().since().latency, 0.99), 0);
    });
  });

  describe('VariantCounters', () => {
    it('counts a window as the difference from a snapshot, predictions included', () => {
      const c = new VariantCounters();
      c.record(true, 1, 0.1);
      c.record(false, 2);
      const snap = c.snapshot();
      c.record(true, 100, 0.7);
      c.record(false, 100);
      c.record(false, 100);
      const w = c.since(snap);
      assert.equal(w.requests, 3);
      assert.equal(w.errors, 2);
      assert.deepEqual(w.predictions, [0.7]);
      assert.equal(c.consecutiveErrors, 2);
      const s = summarize(w);
      assert.equal(s.errorRate, 2 / 3);
      assert.ok(s.p99Ms > 90 && s.p99Ms < 110, String(s.p99Ms));
      c.record(true, 1);
      assert.equal(c.consecutiveErrors, 0);
    });
  });

  describe('VariantStats', () => {
    it('keeps counters per variant name and version, and drops those no longer live', () => {
      const stats = new VariantStats();
      stats.of({ name: 'canary', model: 'm', version: 2 }).record(true, 1);
      assert.equal(stats.of({ name: 'canary', model: 'm', version: 2 }).requests, 1);
      assert.equal(stats.of({ name: 'stable', model: 'm', version: 2 }).requests, 0);
      stats.retain([{ name: 'stable', model: 'm', version: 2 }]);
      assert.equal(stats.of({ name: 'canary', model: 'm', version: 2 }).requests, 0);
    });
  });
});
