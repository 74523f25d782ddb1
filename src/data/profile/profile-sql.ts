/** Small SQL helpers shared by the profile's queries. */

/** Runs one query over the table being profiled (its parameters already bound) and returns plain rows. */
export type ProfileQuery = (sql: string) => Promise<Record<string, unknown>[]>;

/** A column name as a DuckDB identifier: always quoted, embedded quotes doubled. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * A finite double as a SQL literal that DuckDB reads back to the same bits:
 * a bare decimal literal would be typed DECIMAL and rounded on its way to
 * DOUBLE, while a string cast parses with correct rounding.
 */
export function doubleLiteral(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite double: ${x}`);
  return `'${x}'::DOUBLE`;
}

/** A DuckDB result value as a JS number (BIGINT/HUGEINT arrive as bigint; beyond 2^53 they round). */
export function toNumber(v: unknown): number | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const n = Number(v);
  return Number.isNaN(n) ? undefined : n;
}

/** A finite number, or undefined for null, NaN and ±Infinity, so no NaN ever reaches JSON. */
export function finiteOrUndefined(v: unknown): number | undefined {
  const n = toNumber(v);
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}

/** The table being profiled: how to name it in FROM, and how to query it. */
export interface ProfileRelation {
  relation: string;
  query: ProfileQuery;
}
