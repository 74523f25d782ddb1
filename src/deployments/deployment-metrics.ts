import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { DeploymentEvent, DeploymentObserver, PredictionEvent } from './deployment-types.js';
import type { DeploymentState } from './deployment-state.js';
import { isActive } from './status-plan.js';

const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Prometheus metrics per deployment and variant: requests and errors,
 * latency, each variant's configured share of traffic, the canary's step and
 * weight, shadow agreement, and transitions. They join the app's own
 * registry (serving's, behind GET /metrics) through `register`, so one scrape
 * covers both. Label values are deployment and variant names, which only
 * writers create, so series stay bounded.
 */
export class DeploymentMetrics implements DeploymentObserver {
  private readonly requests: Counter<'deployment' | 'variant' | 'version' | 'status'>;
  private readonly latency: Histogram<'deployment' | 'variant'>;
  private readonly transitions: Counter<'deployment' | 'kind'>;
  private readonly all: Array<Counter<string> | Gauge<string> | Histogram<string>>;

  constructor(state: DeploymentState) {
    const registers: Registry[] = [];
    this.requests = new Counter({
      name: 'ferry_deployment_requests_total',
      help: 'Requests answered by a deployment, by variant (stable, canary, shadow copies, A/B arms), model version and status (ok, error).',
      labelNames: ['deployment', 'variant', 'version', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'ferry_deployment_request_duration_seconds',
      help: 'Inference latency of deployment requests by variant, from routing to the answer (decoding and encoding excluded).',
      labelNames: ['deployment', 'variant'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.transitions = new Counter({
      name: 'ferry_deployment_transitions_total',
      help: 'Recorded deployment transitions (switched, step_advanced, promoted, rolled_back, …).',
      labelNames: ['deployment', 'kind'],
      registers,
    });
    const live = () => state.live.values();
    const share = new Gauge({
      name: 'ferry_deployment_traffic_share',
      help: "Each variant's configured share of a deployment's traffic (0–1); a shadow's is 0.",
      labelNames: ['deployment', 'variant', 'version'],
      registers,
      collect() {
        this.reset();
        for (const d of live()) for (const v of d.variants) this.set({ deployment: d.record.name, variant: v.name, version: String(v.version) }, v.weight / 100);
      },
    });
    const step = new Gauge({
      name: 'ferry_deployment_canary_step',
      help: 'The step a canary roll-out is at (1 = first), 0 when none is in progress.',
      labelNames: ['deployment'],
      registers,
      collect() {
        this.reset();
        for (const d of live()) {
          const r = d.record.status.rollout;
          this.set({ deployment: d.record.name }, isActive(r) ? r.step + 1 : 0);
        }
      },
    });
    const weight = new Gauge({
      name: 'ferry_deployment_canary_weight',
      help: "The canary's share of traffic in percent, 0 when no roll-out is in progress.",
      labelNames: ['deployment'],
      registers,
      collect() {
        this.reset();
        for (const d of live()) {
          const r = d.record.status.rollout;
          this.set({ deployment: d.record.name }, isActive(r) ? r.weight : 0);
        }
      },
    });
    const shadowStats = (d: { shadow?: { stats(l: { shadowP99Ms: number; stableP99Ms: number }): { mismatchRate: number; meanAbsDiff: number } } }) =>
      d.shadow?.stats({ shadowP99Ms: 0, stableP99Ms: 0 });
    const mismatch = new Gauge({
      name: 'ferry_deployment_shadow_mismatch_ratio',
      help: "Share of compared requests where the shadow's answer differed from the stable version's.",
      labelNames: ['deployment'],
      registers,
      collect() {
        this.reset();
        for (const d of live()) {
          const s = shadowStats(d);
          if (s) this.set({ deployment: d.record.name }, s.mismatchRate);
        }
      },
    });
    const diff = new Gauge({
      name: 'ferry_deployment_shadow_mean_abs_diff',
      help: "Mean absolute difference between the shadow's and the stable version's numeric outputs.",
      labelNames: ['deployment'],
      registers,
      collect() {
        this.reset();
        for (const d of live()) {
          const s = shadowStats(d);
          if (s) this.set({ deployment: d.record.name }, s.meanAbsDiff);
        }
      },
    });
    this.all = [this.requests, this.latency, this.transitions, share, step, weight, mismatch, diff];
  }

  /** Adds these metrics to `registry` (e.g. the serving metrics' registry behind GET /metrics). */
  register(registry: Registry): void {
    for (const m of this.all) registry.registerMetric(m);
  }

  onPrediction(e: PredictionEvent): void {
    this.requests.inc({ deployment: e.deployment, variant: e.variant, version: String(e.version), status: e.status });
    this.latency.observe({ deployment: e.deployment, variant: e.variant }, e.latencyMs / 1000);
  }

  onTransition(e: DeploymentEvent): void {
    this.transitions.inc({ deployment: e.deployment, kind: e.kind });
  }
}
