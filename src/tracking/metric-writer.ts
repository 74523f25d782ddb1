import type { Metric } from './tracking-types.js';
import type { MetricGroup, RunStore } from './run-store.js';

interface Pending extends MetricGroup {
  resolve(): void;
  reject(err: unknown): void;
}

/** Most points one grouped transaction takes, so one commit never holds the writer for long. */
const MAX_POINTS_PER_COMMIT = 50_000;

/**
 * Group commit for metric-only writes. Requests that arrive while a commit is
 * being prepared share the next transaction: many clients logging one point
 * each cost one commit per event-loop turn instead of one each. A lone
 * request is written in the same turn it arrived (setImmediate runs right
 * after the poll phase), so nothing waits on a timer. Each caller's promise
 * settles only after its points are committed.
 */
export class MetricWriter {
  private queue: Pending[] = [];
  private scheduled = false;
  private running = false;

  constructor(private readonly store: RunStore) {}

  write(runId: string, metrics: Metric[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ runId, metrics, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  private takeGroup(): Pending[] {
    let points = 0;
    let n = 0;
    while (n < this.queue.length && (n === 0 || points + this.queue[n]!.metrics.length <= MAX_POINTS_PER_COMMIT)) {
      points += this.queue[n]!.metrics.length;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const group = this.takeGroup();
        try {
          await this.store.writeMetricGroups(group);
          for (const p of group) p.resolve();
        } catch (err) {
          if (group.length === 1) group[0]!.reject(err);
          // One bad request must not fail its neighbours: write them one by one.
          else for (const p of group) await this.store.writeMetricGroups([p]).then(p.resolve, p.reject);
        }
      }
    } finally {
      this.running = false;
      if (this.queue.length > 0) this.schedule();
    }
  }
}
