/**
 * The arguments an expectation takes and how they are checked, mirroring the
 * pydantic fields of Great Expectations 1.x's expectation classes.
 */

/** What an argument's value must be. */
export type ArgKind =
  /** A non-empty column name. */
  | 'column'
  /** A non-empty list of column names. */
  | 'column_list'
  /** Any string (regexes and formats are checked by the expectation's own rule). */
  | 'string'
  /** A finite number. */
  | 'number'
  /** An integer. */
  | 'integer'
  /** A number, a date or datetime string (`2024-01-31`, `2024-01-31T08:00:00`), or null: GE's `Comparable`. */
  | 'comparable'
  | 'boolean'
  /** A list of strings, numbers, booleans or nulls. */
  | 'value_set'
  /** A list of strings. */
  | 'string_list'
  /** A number between 0 and 1. */
  | 'mostly'
  /** One of `values`. */
  | 'enum';

export interface ArgSpec {
  kind: ArgKind;
  required?: boolean;
  /** null is accepted (and means "not set") even when the kind would refuse it. */
  nullable?: boolean;
  /** For 'enum'. */
  values?: readonly string[];
  /** The value used when the argument is absent. */
  default?: unknown;
}

/** Keyword arguments after checking: the ones given plus the defaults of the ones not given. */
export type Kwargs = Record<string, unknown>;

/**
 * Keys every GE expectation accepts besides its own: bookkeeping that does not
 * change what is checked. `result_format` is honoured; `row_condition` is
 * refused when set, since Ferry does not evaluate pandas/Spark condition strings.
 */
export const COMMON_KWARGS = [
  'result_format',
  'catch_exceptions',
  'meta',
  'notes',
  'id',
  'description',
  'rendered_content',
  'batch_id',
  'windows',
  'row_condition',
  'condition_parser',
] as const;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Whether a string is a date or datetime GE's `Comparable` (pydantic date/datetime) would accept. */
export function isDateString(value: string): boolean {
  return ISO_DATE.test(value) && !Number.isNaN(Date.parse(value.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2')));
}

const describeValue = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v === 'object' ? 'an object' : String(v));

const isScalar = (v: unknown) => v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/**
 * Checks one argument's value against its spec.
 * @returns what is wrong, as the end of a sentence naming the argument, or undefined when it is fine.
 */
export function argProblem(spec: ArgSpec, value: unknown): string | undefined {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && '$PARAMETER' in (value as object)) {
    return 'is a suite parameter ($PARAMETER); Ferry takes literal values only, so substitute the value into the suite';
  }
  if (value === null && (spec.nullable || spec.kind === 'comparable')) return undefined;
  switch (spec.kind) {
    case 'column':
      return typeof value === 'string' && value.length > 0 ? undefined : `must be a column name (a non-empty string); got ${describeValue(value)}`;
    case 'column_list':
      return Array.isArray(value) && value.length > 0 && value.every((c) => typeof c === 'string' && c.length > 0)
        ? undefined
        : `must be a non-empty list of column names; got ${describeValue(value)}`;
    case 'string':
      return typeof value === 'string' ? undefined : `must be a string; got ${describeValue(value)}`;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : `must be a number; got ${describeValue(value)}`;
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? undefined : `must be an integer; got ${describeValue(value)}`;
    case 'comparable':
      if (typeof value === 'number' && Number.isFinite(value)) return undefined;
      if (typeof value === 'string' && isDateString(value)) return undefined;
      return `must be a number, a date such as "2024-01-31" (or datetime "2024-01-31T08:00:00"), or null; got ${describeValue(value)}`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `must be true or false; got ${describeValue(value)}`;
    case 'value_set':
      return Array.isArray(value) && value.every(isScalar) ? undefined : `must be a list of strings, numbers, booleans or nulls; got ${describeValue(value)}`;
    case 'string_list':
      return Array.isArray(value) && value.every((s) => typeof s === 'string') ? undefined : `must be a list of strings; got ${describeValue(value)}`;
    case 'mostly':
      return typeof value === 'number' && value >= 0 && value <= 1 ? undefined : `must be a number between 0 and 1; got ${describeValue(value)}`;
    case 'enum':
      return typeof value === 'string' && spec.values!.includes(value) ? undefined : `must be one of ${spec.values!.map((v) => `'${v}'`).join(', ')}; got ${describeValue(value)}`;
  }
}

/** Standard argument specs shared by several expectations. */
export const ARG = {
  column: { kind: 'column', required: true } as ArgSpec,
  columnList: { kind: 'column_list', required: true } as ArgSpec,
  mostly: { kind: 'mostly', default: 1 } as ArgSpec,
  minValue: { kind: 'comparable', default: null } as ArgSpec,
  maxValue: { kind: 'comparable', default: null } as ArgSpec,
  strict: { kind: 'boolean', default: false } as ArgSpec,
  valueSet: { kind: 'value_set', nullable: true, default: null } as ArgSpec,
};
