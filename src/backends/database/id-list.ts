import { sql, type RawBuilder } from 'kysely';
import type { DialectName } from './database.js';

/**
 * A list of string ids as a subquery over one JSON parameter, for `where x in (…)`.
 * Unlike one bound value per id, the statement text stays the same whatever the
 * count, so it is prepared once, and long lists never meet a bound-parameter limit.
 */
export function idList(dialect: DialectName, ids: readonly string[]): RawBuilder<string> {
  const json = JSON.stringify(ids);
  return dialect === 'sqlite'
    ? sql<string>`(select value from json_each(${json}))`
    : sql<string>`(select jsonb_array_elements_text(${json}::jsonb))`;
}
