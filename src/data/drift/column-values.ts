/**
 * Column cleaning as Evidently does it before a drift test: ±Infinity become
 * missing and missing values are dropped, per side. Also the type inference
 * for undeclared columns: numbers are numerical, strings and booleans
 * categorical (pandas' object and bool dtypes), a mix categorical.
 */
import type { CategoryValue, ColumnType, DriftColumnValues, DriftScalar } from './drift-types.js';
import { sortFloat64 } from './sort-float64.js';

function isMissing(value: DriftScalar): value is null | undefined {
  return value === null || value === undefined || (typeof value === 'number' && !Number.isFinite(value));
}

function isTypedArray(values: DriftColumnValues): values is Exclude<DriftColumnValues, readonly DriftScalar[]> {
  return ArrayBuffer.isView(values);
}

/** The type the values imply, or null when every value is missing. */
export function inferColumnType(values: DriftColumnValues): ColumnType | null {
  if (isTypedArray(values)) return 'numerical';
  let sawNumber = false;
  let sawOther = false;
  for (const v of values) {
    if (isMissing(v)) continue;
    if (typeof v === 'number' || typeof v === 'bigint') sawNumber = true;
    else sawOther = true;
    if (sawOther) return 'categorical';
  }
  return sawNumber ? 'numerical' : null;
}

export type NumericCleaning = { ok: true; sorted: Float64Array } | { ok: false; reason: string };

/** Non-missing values as a sorted Float64Array; fails on a value that is not a number. */
export function cleanNumerical(values: DriftColumnValues): NumericCleaning {
  const out = new Float64Array(values.length);
  let n = 0;
  if (isTypedArray(values)) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (Number.isFinite(v)) out[n++] = v;
    }
  } else {
    for (const v of values) {
      if (isMissing(v)) continue;
      if (typeof v === 'number') out[n++] = v;
      else if (typeof v === 'bigint') out[n++] = Number(v);
      else return { ok: false, reason: `non-numeric value ${JSON.stringify(v)}` };
    }
  }
  return { ok: true, sorted: sortFloat64(out.subarray(0, n)) };
}

/** Non-missing values, bigints as numbers. */
export function cleanCategorical(values: DriftColumnValues): CategoryValue[] {
  const out: CategoryValue[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isMissing(v)) continue;
    out.push(typeof v === 'bigint' ? Number(v) : v);
  }
  return out;
}
