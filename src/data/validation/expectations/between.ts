import { ExpectationError, type ExpectationOutcome } from './expectation-definition.js';
import type { Kwargs } from './expectation-args.js';

/** An observed aggregate as GE compares it: a number, a string, or a date/datetime (ISO text). */
export interface Observed {
  value: number | string | boolean | null;
  /** True when `value` is an ISO date/datetime read from a temporal column. */
  temporal?: boolean;
}

/** Milliseconds since the epoch of an ISO date or datetime; one without an offset is read as UTC. */
function toTime(text: string): number {
  let s = text.trim().replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) s += 'T00:00:00';
  s = s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  if (!/(Z|[+-]\d{2}:\d{2})$/.test(s)) s += 'Z';
  return Date.parse(s);
}

/**
 * GE's `_validate_metric_value_between`: fails with observed_value null when
 * nothing was observed; otherwise min/max bounds, each inclusive unless
 * `strict_min`/`strict_max`, either one optional. Date bounds compare as
 * datetimes with temporal (or parseable text) values; a number bound against
 * text raises, as Python's comparison does.
 */
export function metricBetween(observed: Observed, kwargs: Kwargs): ExpectationOutcome {
  const { value } = observed;
  if (value === null || (typeof value === 'number' && Number.isNaN(value))) return { success: false, result: { observed_value: null } };
  const min = kwargs.min_value as number | string | null | undefined;
  const max = kwargs.max_value as number | string | null | undefined;
  const dateBounds = typeof min === 'string' || typeof max === 'string';
  let v: number | string;
  let lo = min ?? null;
  let hi = max ?? null;
  if (dateBounds || observed.temporal) {
    const t = typeof value === 'string' ? toTime(value) : NaN;
    if (Number.isNaN(t) || (typeof min === 'number') || (typeof max === 'number')) {
      throw new ExpectationError(`'>=' not supported between the observed value ${JSON.stringify(value)} and the bounds ${JSON.stringify(min ?? null)}, ${JSON.stringify(max ?? null)}`);
    }
    v = t;
    lo = typeof min === 'string' ? toTime(min) : null;
    hi = typeof max === 'string' ? toTime(max) : null;
  } else if (typeof value === 'string') {
    if (lo !== null || hi !== null) throw new ExpectationError(`'>=' not supported between instances of 'str' and 'float'`);
    v = value;
  } else {
    v = Number(value);
  }
  const aboveMin = lo === null || (kwargs.strict_min ? v > lo : v >= lo);
  const belowMax = hi === null || (kwargs.strict_max ? v < hi : v <= hi);
  return { success: aboveMin && belowMax, result: { observed_value: value } };
}
