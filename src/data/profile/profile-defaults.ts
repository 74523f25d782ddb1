/** Defaults and thresholds of the profile, in one place for the code, the CLI help and the report. */

export const DEFAULT_TOP_VALUES = 10;
export const DEFAULT_HISTOGRAM_BINS = 20;
/** Up to this many rows, distinct values and duplicate rows are counted exactly; above, by hashes. */
export const EXACT_ROW_LIMIT = 1_000_000;
/** Above EXACT_ROW_LIMIT, distinct is estimated from about this many rows' hashes per column… */
export const DISTINCT_SAMPLE_ROWS = 2 ** 19;
/** …and counted exactly after all when the sample held fewer distinct hashes than this (few distinct values: cheap to count). */
export const DISTINCT_SAMPLE_MIN = 10_000;
