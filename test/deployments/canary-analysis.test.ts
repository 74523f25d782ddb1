import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCanary, populationStability } from '../../src/deployments/canary-analysis.js';
import type { CanaryCheck } from '../../src/deployments/deployment-types.js';
import { VariantCounters, type WindowCounters } from '../../src/deployments/variant-stats.js';
import { seededRandom } from '../helpers/seeded-random.js';

/** A window of `requests` requests, `errors` of them failed, each taking `latencyMs`, predicting `prediction(i)`. */
function windowOf(requests: number, errors: number, latencyMs: number, prediction?: (i: number) => number): WindowCounters {
  const c = new VariantCounters();
  for (let i = 0; i < requests; i++) c.record(i >= errors, latencyMs, prediction?.(i));
  return c.since();
}

const checks = (...list: CanaryCheck[]) => ({ minRequests: 20, checks: list });

describe('canary-analysis', () => {
  describe('analyzeCanary', () => {
    it('passes a canary within every limit, with the numbers', () => {
      const r = analyzeCanary(checks({ metric: 'error_rate', max: 0.05 }, { metric: 'latency_p99', maxRatio: 1.5, floorMs: 0 }), windowOf(40, 1, 10), windowOf(400, 4, 9));
      assert.equal(r.verdict, 'pass');
      assert.equal(r.canary.requests, 40);
      assert.equal(r.checks.length, 2);
      assert.equal(r.checks[0]!.value, 1 / 40);
      assert.equal(r.checks[0]!.stableValue, 4 / 400);
      assert.ok(r.checks.every((c) => c.passed));
    });

    it('fails an error rate over the absolute limit or over stable by more than allowed', () => {
      const abs = analyzeCanary(checks({ metric: 'error_rate', max: 0.01 }), windowOf(50, 5, 1), windowOf(500, 0, 1));
      assert.equal(abs.verdict, 'fail');
      assert.match(abs.reason, /error rate 10 % \(5 of 50\): above the limit 1 %/);
      const rel = analyzeCanary(checks({ metric: 'error_rate', maxIncrease: 0.02 }), windowOf(50, 5, 1), windowOf(500, 50, 1));
      assert.equal(rel.verdict, 'pass', 'as bad as stable is no regression');
      const worse = analyzeCanary(checks({ metric: 'error_rate', maxIncrease: 0.02 }), windowOf(50, 10, 1), windowOf(500, 50, 1));
      assert.match(worse.reason, /more than 2 % over stable's 10 %/);
    });

    it('fails a p99 latency ratio above the limit, but not below the noise floor', () => {
      const slow = analyzeCanary(checks({ metric: 'latency_p99', maxRatio: 1.5, floorMs: 5 }), windowOf(50, 0, 40), windowOf(500, 0, 10));
      assert.equal(slow.verdict, 'fail');
      assert.match(slow.reason, /p99 latency 4\d(\.\d+)? ms: \d(\.\d+)? × stable's/);
      const tiny = analyzeCanary(checks({ metric: 'latency_p99', maxRatio: 1.5, floorMs: 5 }), windowOf(50, 0, 2), windowOf(500, 0, 0.5));
      assert.equal(tiny.verdict, 'pass');
      const absolute = analyzeCanary(checks({ metric: 'latency_p99', maxMs: 20, floorMs: 5 }), windowOf(50, 0, 40), windowOf(500, 0, 40));
      assert.equal(absolute.verdict, 'fail');
    });

    it('is inconclusive, never a pass, without enough requests on either side', () => {
      const few = analyzeCanary(checks({ metric: 'error_rate', max: 0.5 }), windowOf(19, 0, 1), windowOf(500, 0, 1));
      assert.equal(few.verdict, 'inconclusive');
      assert.match(few.reason, /too few canary requests to judge: 19 of the 20 needed/);
      const stableIdle = analyzeCanary(checks({ metric: 'latency_p99', maxRatio: 2, floorMs: 0 }), windowOf(50, 0, 1), windowOf(3, 0, 1));
      assert.equal(stableIdle.verdict, 'inconclusive');
      assert.match(stableIdle.reason, /too few stable requests/);
    });

    it('scores prediction drift between the versions', () => {
      const random = seededRandom(3).next;
      const same = analyzeCanary(checks({ metric: 'drift', max: 0.2 }), windowOf(300, 0, 1, () => random()), windowOf(300, 0, 1, () => random()));
      assert.equal(same.verdict, 'pass', same.reason);
      const shifted = analyzeCanary(checks({ metric: 'drift', max: 0.2 }), windowOf(300, 0, 1, () => random() + 0.5), windowOf(300, 0, 1, () => random()));
      assert.equal(shifted.verdict, 'fail');
      assert.match(shifted.reason, /prediction drift \(PSI\) [\d.]+: above 0\.2/);
    });
  });

  describe('populationStability', () => {
    it('is zero for identical samples and grows with the shift', () => {
      const base = Array.from({ length: 1000 }, (_, i) => i / 1000);
      assert.ok(populationStability(base, base) < 1e-9);
      const small = populationStability(base, base.map((v) => v + 0.05));
      const large = populationStability(base, base.map((v) => v + 0.5));
      assert.ok(small > 0 && large > small, `${small} < ${large}`);
    });
  });
});
