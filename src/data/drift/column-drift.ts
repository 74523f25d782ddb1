/** Drift of one column: settle its type, clean both sides, choose and run the test. */
import { countCategories } from './category-counts.js';
import { cleanCategorical, cleanNumerical, inferColumnType } from './column-values.js';
import { defaultStatTest } from './default-stattest.js';
import type { ColumnDrift, ColumnType, DriftColumnValues, StatTestName } from './drift-types.js';
import { runStatTest, type PreparedColumn } from './run-stattest.js';
import { STATTESTS } from './stattest-registry.js';

export interface ColumnDriftRequest {
  column: string;
  /** Undefined where the column is absent from that side. */
  reference: DriftColumnValues | undefined;
  current: DriftColumnValues | undefined;
  declaredType?: ColumnType;
  stattest?: StatTestName;
  threshold?: number;
}

type Preparation = { ok: true; column: PreparedColumn } | { ok: false; reason: string };

function skipped(column: string, type: ColumnType | null, why: string): ColumnDrift {
  return { column, computed: false, type, reason: `not computed: ${why}` };
}

type Settled = { ok: true; type: ColumnType } | { ok: false; reason: string };

function settleType(
  declared: ColumnType | undefined,
  reference: DriftColumnValues,
  current: DriftColumnValues,
): Settled {
  if (declared) return { ok: true, type: declared };
  const ref = inferColumnType(reference);
  const cur = inferColumnType(current);
  if (ref && cur && ref !== cur) return { ok: false, reason: `${ref} in reference but ${cur} in current` };
  const type = ref ?? cur;
  // Both sides all-null: report it as the emptiness it is, whatever the type.
  return type ? { ok: true, type } : { ok: false, reason: 'all values are null in reference and current' };
}

function prepare(type: ColumnType, reference: DriftColumnValues, current: DriftColumnValues): Preparation {
  if (type === 'categorical') {
    const ref = cleanCategorical(reference);
    const cur = cleanCategorical(current);
    const empty = emptySide(reference.length, ref.length, current.length, cur.length);
    if (empty) return { ok: false, reason: empty };
    return { ok: true, column: { type, counts: countCategories(ref, cur) } };
  }
  const ref = cleanNumerical(reference);
  if (!ref.ok) return { ok: false, reason: `${ref.reason} in reference of a numerical column` };
  const cur = cleanNumerical(current);
  if (!cur.ok) return { ok: false, reason: `${cur.reason} in current of a numerical column` };
  const empty = emptySide(reference.length, ref.sorted.length, current.length, cur.sorted.length);
  if (empty) return { ok: false, reason: empty };
  return { ok: true, column: { type, reference: ref.sorted, current: cur.sorted } };
}

function emptySide(refRaw: number, refClean: number, curRaw: number, curClean: number): string | null {
  for (const [side, raw, clean] of [
    ['reference', refRaw, refClean],
    ['current', curRaw, curClean],
  ] as const) {
    if (raw === 0) return `${side} column is empty`;
    if (clean === 0) return `all values are null in ${side}`;
  }
  return null;
}

function uniqueValues(column: PreparedColumn): number {
  if (column.type === 'categorical') return column.counts.keys.length;
  const { reference, current } = column;
  // Distinct values of the merged sorted sides.
  let i = 0;
  let j = 0;
  let count = 0;
  let last = Number.NaN;
  while (i < reference.length || j < current.length) {
    const takeReference = j >= current.length || (i < reference.length && reference[i]! <= current[j]!);
    const v = takeReference ? reference[i++]! : current[j++]!;
    if (v !== last) count++;
    last = v;
  }
  return count;
}

/** Drift of one column; never throws for data problems, returning a not-computed entry instead. */
export function columnDrift(req: ColumnDriftRequest): ColumnDrift {
  const { column } = req;
  const early = (why: string) => skipped(column, req.declaredType ?? null, why);
  if (req.reference === undefined && req.current === undefined) return early('column is in neither dataset');
  if (req.current === undefined) return early('column is only in reference');
  if (req.reference === undefined) return early('column is only in current');
  if (req.reference.length === 0) return early('reference column is empty');
  if (req.current.length === 0) return early('current column is empty');

  const settled = settleType(req.declaredType, req.reference, req.current);
  if (!settled.ok) return skipped(column, null, settled.reason);
  const { type } = settled;
  const prepared = prepare(type, req.reference, req.current);
  if (!prepared.ok) return skipped(column, type, prepared.reason);

  const data = prepared.column;
  const referenceRows = data.type === 'numerical' ? data.reference.length : data.counts.referenceTotal;
  const currentRows = data.type === 'numerical' ? data.current.length : data.counts.currentTotal;
  const method = req.stattest ?? defaultStatTest(type, referenceRows, uniqueValues(data));
  const test = STATTESTS[method];
  if (req.stattest && !test.allowedTypes.includes(type)) {
    const takes = test.allowedTypes.join(', ');
    return skipped(column, type, `${method} does not apply to ${type} columns (it takes ${takes})`);
  }
  const threshold = req.threshold ?? test.defaultThreshold;
  const { score, details } = runStatTest(method, data);
  if (Number.isNaN(score)) {
    const why = method === 'chisquare' ? 'chisquare needs at least two distinct values' : `${method} gave no result`;
    return skipped(column, type, why);
  }
  return {
    column,
    computed: true,
    type,
    method,
    stattest_name: test.displayName,
    score_kind: test.scoreKind,
    statistic: score,
    threshold,
    drifted: test.isDrift(score, threshold),
    reference_rows: referenceRows,
    current_rows: currentRows,
    ...(details && Object.keys(details).length > 0 ? { details } : {}),
  };
}
