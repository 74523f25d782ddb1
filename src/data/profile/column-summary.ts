import { storageClassOf, type StorageClass } from './column-kind.js';
import { doubleLiteral, finiteOrUndefined, quoteIdent, toNumber } from './profile-sql.js';

/** How `distinct` is counted for columns that are not grouped anyway (numeric, datetime, other). */
export type DistinctPlan = { method: 'exact' } | { method: 'sampled'; fraction: number };

/** What the whole-table aggregate passes yield for one column. */
export interface ColumnSummary {
  name: string;
  type: string;
  storage: StorageClass;
  /** Non-null values, NaN included. */
  nonNull: number;
  nan: number;
  infinite: number;
  /** Exact count, or the number of sampled distinct hashes (see DistinctPlan); undefined for grouped columns. */
  distinct?: number;
  min?: number | string;
  max?: number | string;
  mean?: number;
  stddev?: number;
  length?: { min: number; max: number; mean: number };
}

/**
 * The select list of the aggregate pass for column `i`, aliased `c{i}_…` so
 * any column name is safe. Plain aggregates: when a float column holds NaN or
 * ±Infinity its mean comes back non-finite and `specialsSelect` recomputes it;
 * DuckDB's stddev_samp raises an error instead, so a pass that fails on it is
 * rerun with `floatStddev` off (integer and decimal squares cannot overflow).
 */
export function summarySelect(i: number, name: string, type: string, floatStddev = true): string[] {
  const q = quoteIdent(name);
  const storage = storageClassOf(type);
  const a = (expr: string, key: string) => `${expr} AS c${i}_${key}`;
  const out = [a(`count(${q})`, 'n')];
  if (storage === 'float' || storage === 'numeric') {
    // Cast after aggregating (one value, free): the bounds must be the very doubles the distribution pass reads as `v`.
    out.push(a(`min(${q})::DOUBLE`, 'min'), a(`max(${q})::DOUBLE`, 'max'), a(`avg(${q})`, 'mean'));
    if (storage === 'numeric' || floatStddev) out.push(a(`stddev_samp(${q})`, 'std'));
  } else if (storage === 'datetime') {
    out.push(a(`min(${q})::VARCHAR`, 'min'), a(`max(${q})::VARCHAR`, 'max'));
  } else if (storage === 'string') {
    out.push(a(`min(length(${q}))`, 'lmin'), a(`max(length(${q}))`, 'lmax'), a(`avg(length(${q}))`, 'lmean'));
  }
  return out;
}

/**
 * The aggregates of a float column over its finite values only, with NaN and
 * ±Infinity counted apart (pandas skips NaN; JSON has no Infinity). Filtered
 * aggregates cost about twice plain ones, so only columns whose plain mean was
 * not finite get them.
 */
export function specialsSelect(i: number, name: string): string[] {
  const q = quoteIdent(name);
  const finite = ` FILTER (WHERE isfinite(${q}))`;
  const a = (expr: string, key: string) => `${expr} AS c${i}_${key}`;
  return [
    a(`count(*) FILTER (WHERE isnan(${q}))`, 'nan'),
    a(`count(*) FILTER (WHERE isinf(${q}))`, 'inf'),
    a(`(min(${q})${finite})::DOUBLE`, 'min'),
    a(`(max(${q})${finite})::DOUBLE`, 'max'),
    a(`avg(${q})${finite}`, 'mean'),
  ];
}

/**
 * The sample standard deviation of a float column's finite values, computed
 * on the values times `scale`, a power of two that brings the largest
 * magnitude near 1 so the squares cannot overflow (scaling by a power of two
 * is exact). Divide the result by `scale`.
 */
export function scaledStddevSelect(i: number, name: string, scale: number): string {
  const q = quoteIdent(name);
  return `stddev_samp(${q} * ${doubleLiteral(scale)}) FILTER (WHERE isfinite(${q})) AS c${i}_std`;
}

/** 2^−e for the largest magnitude 2^e ≤ max(|min|, |max|) < 2^(e+1); 1 for zeros. */
export function magnitudeScale(min: number, max: number): number {
  const m = Math.max(Math.abs(min), Math.abs(max));
  return m > 0 && Number.isFinite(m) ? 2 ** -Math.floor(Math.log2(m)) : 1;
}

/** Whether column `i` of a plain aggregate row needs `specialsSelect`: a float column with values whose mean is NaN or infinite. */
export function hasSpecials(i: number, storage: StorageClass, row: Record<string, unknown>): boolean {
  const mean = row[`c${i}_mean`];
  return storage === 'float' && typeof mean === 'number' && !Number.isFinite(mean);
}

/**
 * The distinct-count expression for column `i` (aliased `c{i}_d`), or none
 * for string and boolean columns, whose GROUP BY counts them exactly. Kept
 * out of `summarySelect`'s query: DuckDB slows by several times when DISTINCT
 * aggregates share an ungrouped pass with plain ones.
 */
export function distinctSelect(i: number, name: string, type: string, distinct: DistinctPlan): string | undefined {
  const storage = storageClassOf(type);
  if (storage === 'string' || storage === 'boolean') return undefined;
  const q = quoteIdent(name);
  // pandas' nunique skips NaN; DuckDB would count it as a value.
  const notNan = storage === 'float' ? `NOT isnan(${q})` : undefined;
  if (distinct.method === 'exact') return `count(DISTINCT ${q})${notNan ? ` FILTER (WHERE ${notNan})` : ''} AS c${i}_d`;
  const keep = [`${q} IS NOT NULL`, notNan, `hash(${q}) < ${hashBound(distinct.fraction)}`].filter(Boolean).join(' AND ');
  return `count(DISTINCT hash(${q})) FILTER (WHERE ${keep}) AS c${i}_d`;
}

/** The hashes below this UBIGINT are the `fraction` (a power of two ≤ 1) of the hash space that is kept. */
export function hashBound(fraction: number): string {
  const k = BigInt(Math.round(1 / fraction));
  return `${(2n ** 64n - 1n) / k}::UBIGINT`;
}

/** Reads column `i`'s part of the aggregate row. */
export function readSummary(i: number, name: string, type: string, row: Record<string, unknown>): ColumnSummary {
  const get = (key: string) => row[`c${i}_${key}`];
  const storage = storageClassOf(type);
  const summary: ColumnSummary = {
    name,
    type,
    storage,
    nonNull: toNumber(get('n')) ?? 0,
    nan: toNumber(get('nan')) ?? 0,
    infinite: toNumber(get('inf')) ?? 0,
    distinct: toNumber(get('d')),
  };
  if (storage === 'float' || storage === 'numeric') {
    summary.min = finiteOrUndefined(get('min'));
    summary.max = finiteOrUndefined(get('max'));
    summary.mean = finiteOrUndefined(get('mean'));
    summary.stddev = finiteOrUndefined(get('std'));
  } else if (storage === 'datetime') {
    summary.min = isoOf(get('min'));
    summary.max = isoOf(get('max'));
  } else if (storage === 'string' && summary.nonNull > 0) {
    summary.length = { min: toNumber(get('lmin'))!, max: toNumber(get('lmax'))!, mean: toNumber(get('lmean'))! };
  }
  return summary;
}

/** DuckDB's text form of a date or timestamp, with ISO 8601's 'T' between date and time. */
function isoOf(v: unknown): string | undefined {
  return typeof v === 'string' ? v.replace(/^(\d{4,}-\d\d-\d\d) /, '$1T') : undefined;
}
