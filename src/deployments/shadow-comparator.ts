import type { OutputTensor } from '../serving/serving-types.js';
import type { ShadowStats } from './deployment-types.js';

/** How two answers to one request compare. */
export interface OutputComparison {
  /** Same outputs, shapes and, within the tolerance, values. */
  match: boolean;
  /** Mean absolute difference over the numeric elements both have; undefined when there are none. */
  meanAbsDiff: number | undefined;
}

const numeric = (d: unknown): d is ArrayLike<number | bigint> => ArrayBuffer.isView(d) || (Array.isArray(d) && d.every((x) => typeof x === 'number'));

/** Compares the shadow's outputs with the stable version's, output by output (by name). */
export function compareOutputs(stable: readonly OutputTensor[], shadow: readonly OutputTensor[], tolerance: number): OutputComparison {
  let match = stable.length === shadow.length;
  let sum = 0;
  let count = 0;
  for (const s of stable) {
    const t = shadow.find((o) => o.name === s.name);
    if (!t || t.shape.join(',') !== s.shape.join(',')) {
      match = false;
      continue;
    }
    const a = s.data as unknown;
    const b = t.data as unknown;
    if (numeric(a) && numeric(b) && a.length === b.length) {
      for (let i = 0; i < a.length; i++) {
        const d = Math.abs(Number(a[i]) - Number(b[i]));
        // NaN on both sides is agreement; on one side it is not.
        const diff = Number.isNaN(d) ? (Number.isNaN(Number(a[i])) && Number.isNaN(Number(b[i])) ? 0 : Infinity) : d;
        if (diff > tolerance) match = false;
        if (Number.isFinite(diff)) {
          sum += diff;
          count++;
        }
      }
    } else if (JSON.stringify(Array.from(a as ArrayLike<unknown>)) !== JSON.stringify(Array.from(b as ArrayLike<unknown>))) {
      match = false;
    }
  }
  return { match, meanAbsDiff: count === 0 ? undefined : sum / count };
}

/**
 * Running comparison of one deployment's shadow with its stable version.
 * Copies are bounded: past `maxInFlight` unanswered copies, new ones are
 * skipped, so a slow shadow costs memory and CPU only up to a point and
 * never the caller's time.
 */
export class ShadowComparator {
  private mirrored = 0;
  private compared = 0;
  private mismatches = 0;
  private diffSum = 0;
  private diffCount = 0;
  private shadowErrors = 0;
  private skipped = 0;
  private inFlight = 0;

  constructor(
    readonly tolerance: number,
    private readonly maxInFlight = 64,
  ) {}

  /** Whether to send a copy now; true takes a slot that `finish` gives back. */
  begin(): boolean {
    if (this.inFlight >= this.maxInFlight) {
      this.skipped++;
      return false;
    }
    this.inFlight++;
    this.mirrored++;
    return true;
  }

  /** Records one copy's outcome: the two answers, or that the shadow (or the stable version) failed. */
  finish(stable: readonly OutputTensor[] | undefined, shadow: readonly OutputTensor[] | undefined): void {
    this.inFlight--;
    if (!shadow) {
      this.shadowErrors++;
      return;
    }
    if (!stable) return;
    const c = compareOutputs(stable, shadow, this.tolerance);
    this.compared++;
    if (!c.match) this.mismatches++;
    if (c.meanAbsDiff !== undefined) {
      this.diffSum += c.meanAbsDiff;
      this.diffCount++;
    }
  }

  stats(latency: { shadowP99Ms: number; stableP99Ms: number }): ShadowStats {
    return {
      mirrored: this.mirrored,
      compared: this.compared,
      mismatches: this.mismatches,
      mismatchRate: this.compared === 0 ? 0 : this.mismatches / this.compared,
      meanAbsDiff: this.diffCount === 0 ? 0 : this.diffSum / this.diffCount,
      shadowErrors: this.shadowErrors,
      skipped: this.skipped,
      ...latency,
    };
  }
}
