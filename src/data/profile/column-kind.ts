import type { ProfileColumnKind } from './profile-types.js';

/** How profiling reads a column, decided from its DuckDB type before any data is scanned. */
export type StorageClass = 'numeric' | 'float' | 'boolean' | 'datetime' | 'string' | 'other';

/** A VARCHAR column with at most this many distinct values is categorical… */
export const CATEGORICAL_MAX_DISTINCT = 50;
/** …as is one whose distinct values are at most this fraction of its values. */
export const CATEGORICAL_MAX_FRACTION = 0.05;

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|DECIMAL\(\d+,\s*\d+\))$/;
const FLOAT = /^(FLOAT|DOUBLE|REAL)$/;
const DATETIME = /^(DATE|TIME|TIMESTAMP|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS|TIMESTAMP WITH TIME ZONE|TIME WITH TIME ZONE)$/;

export function storageClassOf(type: string): StorageClass {
  const t = type.toUpperCase();
  if (FLOAT.test(t)) return 'float';
  if (NUMERIC.test(t)) return 'numeric';
  if (t === 'BOOLEAN') return 'boolean';
  if (DATETIME.test(t)) return 'datetime';
  if (t === 'VARCHAR' || t.startsWith('ENUM(')) return 'string';
  return 'other';
}

/**
 * The profile kind of a column: string columns are categorical when they have
 * few distinct values (≤ 50, or ≤ 5% of their values; ENUMs always), else text.
 */
export function columnKindOf(type: string, distinct: number, count: number): ProfileColumnKind {
  const storage = storageClassOf(type);
  if (storage === 'float') return 'numeric';
  if (storage !== 'string') return storage;
  if (type.toUpperCase().startsWith('ENUM(')) return 'categorical';
  return distinct <= CATEGORICAL_MAX_DISTINCT || distinct <= CATEGORICAL_MAX_FRACTION * count ? 'categorical' : 'text';
}
