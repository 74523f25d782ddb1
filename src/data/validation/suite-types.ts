/**
 * Expectation suites and their validation results, shaped as Great
 * Expectations 1.x serialises them, so suites and results move between GE and
 * Ferry unchanged.
 */

/** One expectation as a GE 1.x suite file holds it: `{ type, kwargs }`, plus GE's optional bookkeeping. */
export interface ExpectationConfiguration {
  type: string;
  kwargs: Record<string, unknown>;
  meta?: Record<string, unknown>;
  id?: string;
  notes?: string | string[] | null;
  description?: string | null;
}

/** A suite: GE 1.x's `{ name, expectations, meta }`. */
export interface ExpectationSuite {
  name: string;
  expectations: ExpectationConfiguration[];
  meta?: Record<string, unknown>;
  id?: string;
  notes?: string | string[] | null;
}

/** GE's result formats; SUMMARY is the default, as in GE's checkpoints and validation definitions. */
export const RESULT_FORMATS = ['BOOLEAN_ONLY', 'BASIC', 'SUMMARY', 'COMPLETE'] as const;
export type ResultFormatName = (typeof RESULT_FORMATS)[number];

/** A resolved result format: which fields to report and how many unexpected values to sample. */
export interface ResultFormat {
  result_format: ResultFormatName;
  /** Length of `partial_unexpected_list` (GE's default 20). */
  partial_unexpected_count: number;
}

export const DEFAULT_RESULT_FORMAT: ResultFormat = { result_format: 'SUMMARY', partial_unexpected_count: 20 };

/** GE's `exception_info`: set when an expectation could not be evaluated (missing column, wrong column type). */
export interface ExceptionInfo {
  raised_exception: boolean;
  exception_traceback: string | null;
  exception_message: string | null;
}

/**
 * The `result` of one expectation. Column-map and multi-column expectations
 * fill the unexpected-value fields; aggregate and table ones `observed_value`
 * (and sometimes `details`).
 */
export interface ExpectationResultDetails {
  element_count?: number;
  unexpected_count?: number;
  /** Of the values considered (non-null; for pairs and column lists, rows not ignored). */
  unexpected_percent?: number | null;
  partial_unexpected_list?: unknown[];
  missing_count?: number;
  missing_percent?: number | null;
  unexpected_percent_total?: number | null;
  unexpected_percent_nonmissing?: number | null;
  partial_unexpected_counts?: { value: unknown; count: number }[];
  /** 0-based row numbers of the sampled unexpected values (GE's pandas index). */
  partial_unexpected_index_list?: number[];
  unexpected_list?: unknown[];
  unexpected_index_list?: number[];
  observed_value?: unknown;
  details?: Record<string, unknown>;
}

/** GE's `ExpectationValidationResult` as JSON. */
export interface ExpectationValidationResult {
  success: boolean;
  expectation_config: ExpectationConfiguration;
  result: ExpectationResultDetails;
  meta: Record<string, unknown>;
  exception_info: ExceptionInfo;
}

export interface ValidationStatistics {
  evaluated_expectations: number;
  successful_expectations: number;
  unsuccessful_expectations: number;
  /** null when nothing was evaluated, as GE does. */
  success_percent: number | null;
}

/** GE's `ExpectationSuiteValidationResult` as JSON. */
export interface ValidationResult {
  success: boolean;
  statistics: ValidationStatistics;
  results: ExpectationValidationResult[];
  suite_name: string;
  meta: {
    /** The file or reference validated. */
    source: string;
    format: string;
    row_count: number;
    validation_time: string;
    duration_ms: number;
  };
}
