import { quoteIdent, toNumber, type ProfileQuery } from './profile-sql.js';
import type { TopValue } from './profile-types.js';

/**
 * The `top` most frequent non-null values of a column (most frequent first,
 * ties by ascending value) and its exact number of distinct values, from one
 * GROUP BY: the window counts the groups before LIMIT cuts them.
 */
export async function topValues(
  query: ProfileQuery,
  relation: string,
  column: string,
  top: number,
): Promise<{ distinct: number; top: TopValue[] }> {
  const q = quoteIdent(column);
  const rows = await query(
    `SELECT ${q} AS v, count(*) AS n, count(*) OVER () AS d FROM ${relation} WHERE ${q} IS NOT NULL GROUP BY ${q} ORDER BY n DESC, v ASC LIMIT ${Math.max(top, 1)}`,
  );
  return {
    distinct: toNumber(rows[0]?.d) ?? 0,
    top: rows.slice(0, top).map((r) => ({ value: plainValue(r.v), count: toNumber(r.n)! })),
  };
}

function plainValue(v: unknown): string | number | boolean {
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return String(v);
}
