import { InvalidArgumentError } from '../../errors.js';
import { storageClassOf } from './column-kind.js';
import {
  distinctSelect,
  hasSpecials,
  magnitudeScale,
  readSummary,
  scaledStddevSelect,
  specialsSelect,
  summarySelect,
  type ColumnSummary,
  type DistinctPlan,
} from './column-summary.js';
import { DISTINCT_SAMPLE_MIN } from './profile-defaults.js';
import { quoteIdent, toNumber, type ProfileRelation } from './profile-sql.js';

export interface ColumnSummaries {
  summaries: ColumnSummary[];
  /** Each column's distinct method; string and boolean columns are settled later by their GROUP BY. */
  distinctMethods: Map<string, 'exact' | 'approximate'>;
}

/**
 * The whole-table aggregates of every column: one plain pass for counts,
 * min/max/mean/std and lengths, one for distinct counts (DuckDB slows by
 * several times when DISTINCT aggregates share a pass with plain ones), and
 * small extra passes only where the data asks: float columns holding NaN or
 * ±Infinity, and sampled distinct counts too small to trust.
 */
export async function summarizeColumns(
  table: ProfileRelation,
  columns: { name: string; type: string }[],
  plan: DistinctPlan,
): Promise<ColumnSummaries> {
  const from = ` FROM ${table.relation}`;
  const plainPass = (floatStddev: boolean) =>
    table.query(`SELECT ${columns.flatMap((c, i) => summarySelect(i, c.name, c.type, floatStddev)).join(', ')}${from}`);
  let floatStddev = true;
  let plain: Record<string, unknown>;
  try {
    [plain = {}] = await plainPass(true);
  } catch (err) {
    // stddev_samp refuses infinite input and overflowing squares; the scaled pass below handles both.
    if (!(err instanceof InvalidArgumentError && /out of range/i.test(err.message))) throw err;
    floatStddev = false;
    [plain = {}] = await plainPass(false);
  }
  const row: Record<string, unknown> = { ...plain };

  const storages = columns.map((c) => storageClassOf(c.type));
  const special = columns.flatMap((c, i) => (hasSpecials(i, storages[i]!, plain) ? specialsSelect(i, c.name) : []));
  if (special.length > 0) Object.assign(row, (await table.query(`SELECT ${special.join(', ')}${from}`))[0]);
  const rescale = columns.flatMap((c, i) => {
    if (storages[i] !== 'float' || (floatStddev && !hasSpecials(i, 'float', plain))) return [];
    const [min, max] = [row[`c${i}_min`], row[`c${i}_max`]];
    if (typeof min !== 'number' || typeof max !== 'number' || !Number.isFinite(min) || !Number.isFinite(max)) return [];
    return [{ i, scale: magnitudeScale(min, max), sql: scaledStddevSelect(i, c.name, magnitudeScale(min, max)) }];
  });
  if (rescale.length > 0) {
    const [scaled = {}] = await table.query(`SELECT ${rescale.map((r) => r.sql).join(', ')}${from}`);
    for (const { i, scale } of rescale) {
      const std = scaled[`c${i}_std`];
      row[`c${i}_std`] = typeof std === 'number' ? std / scale : null;
    }
  }

  const distinct = columns.map((c, i) => distinctSelect(i, c.name, c.type, plan)).filter((d) => d !== undefined);
  if (distinct.length > 0) Object.assign(row, (await table.query(`SELECT ${distinct.join(', ')}${from}`))[0]);
  const summaries = columns.map((c, i) => readSummary(i, c.name, c.type, row));
  return { summaries, distinctMethods: await settleDistinct(table, summaries, plan) };
}

/**
 * Sampled distinct counts become estimates (sample ÷ fraction), except where
 * the sample was small: those few-valued columns are counted exactly in one
 * more pass, cheap because their hash tables are small.
 */
async function settleDistinct(table: ProfileRelation, summaries: ColumnSummary[], plan: DistinctPlan): Promise<Map<string, 'exact' | 'approximate'>> {
  const methods = new Map<string, 'exact' | 'approximate'>();
  if (plan.method === 'exact') return methods;
  const recount: { s: ColumnSummary; alias: string; expr: string }[] = [];
  summaries.forEach((s, i) => {
    if (s.distinct === undefined) return;
    if (s.distinct < DISTINCT_SAMPLE_MIN) {
      const q = quoteIdent(s.name);
      recount.push({ s, alias: `d${i}`, expr: `count(DISTINCT ${q})${s.storage === 'float' ? ` FILTER (WHERE NOT isnan(${q}))` : ''}` });
    } else {
      s.distinct = Math.round(s.distinct / plan.fraction);
      methods.set(s.name, 'approximate');
    }
  });
  if (recount.length > 0) {
    const [row] = await table.query(`SELECT ${recount.map((r) => `${r.expr} AS ${r.alias}`).join(', ')} FROM ${table.relation}`);
    for (const { s, alias } of recount) s.distinct = toNumber(row?.[alias]) ?? 0;
  }
  return methods;
}
