/**
 * Evidently's default test choice (legacy `stattests/registry.py`
 * `_get_default_stattest`, v0.7.x), made on the cleaned columns.
 */
import type { ColumnType, StatTestName } from './drift-types.js';

/** Reference sizes above this count as "large data" (distances instead of tests). */
export const SMALL_DATA_MAX_ROWS = 1000;

/**
 * @param referenceRows non-null reference rows
 * @param uniqueValues distinct non-null values over reference and current together
 */
export function defaultStatTest(type: ColumnType, referenceRows: number, uniqueValues: number): StatTestName {
  if (referenceRows <= SMALL_DATA_MAX_ROWS) {
    if (type === 'numerical' && uniqueValues > 5) return 'ks';
    return uniqueValues > 2 ? 'chisquare' : 'z';
  }
  if (type === 'numerical' && uniqueValues > 5) return 'wasserstein';
  return 'jensenshannon';
}
