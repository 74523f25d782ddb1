/**
 * The body of `POST /api/ferry/v1/data/drift`, with Evidently's
 * `DataDriftPreset` parameter names, decoded and checked before any table is
 * resolved or read.
 */
import { InvalidArgumentError } from '../../errors.js';
import type { ColumnDriftOptions, StatTestName } from './drift-types.js';
import { validateFileDriftOptions, type FileDriftOptions } from './file-drift-options.js';

export interface DriftRequest {
  /** Table references: `upload:ID` or `datasets:/NAME/VERSION`. */
  reference: string;
  current: string;
  options: FileDriftOptions;
  format: 'json' | 'html';
}

const KEYS = [
  'reference',
  'current',
  'columns',
  'numerical_columns',
  'categorical_columns',
  'stattest',
  'stattest_threshold',
  'num_stattest',
  'cat_stattest',
  'num_stattest_threshold',
  'cat_stattest_threshold',
  'per_column_stattest',
  'per_column_stattest_threshold',
  'drift_share',
  'format',
] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function ref(body: Record<string, unknown>, key: 'reference' | 'current'): string {
  const value = body[key];
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidArgumentError(`'${key}' must be a table reference such as "upload:ID" or "datasets:/NAME/VERSION".`);
  }
  return value;
}

function names(body: Record<string, unknown>, key: string): string[] | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.length === 0)) {
    throw new InvalidArgumentError(`'${key}' must be a list of column names.`);
  }
  return value as string[];
}

function number(body: Record<string, unknown>, key: string): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') throw new InvalidArgumentError(`'${key}' must be a number, got ${JSON.stringify(value)}.`);
  return value;
}

function stattest(body: Record<string, unknown>, key: string): StatTestName | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new InvalidArgumentError(`'${key}' must be a test name, got ${JSON.stringify(value)}.`);
  return value as StatTestName;
}

function perColumn(body: Record<string, unknown>): Record<string, ColumnDriftOptions> | undefined {
  const tests = body.per_column_stattest ?? {};
  const thresholds = body.per_column_stattest_threshold ?? {};
  if (!isRecord(tests)) throw new InvalidArgumentError(`'per_column_stattest' must map column names to test names.`);
  if (!isRecord(thresholds)) throw new InvalidArgumentError(`'per_column_stattest_threshold' must map column names to thresholds.`);
  const out: Record<string, ColumnDriftOptions> = {};
  for (const [column, test] of Object.entries(tests)) {
    if (typeof test !== 'string') throw new InvalidArgumentError(`'per_column_stattest' of ${JSON.stringify(column)} must be a test name, got ${JSON.stringify(test)}.`);
    out[column] = { stattest: test as StatTestName };
  }
  for (const [column, threshold] of Object.entries(thresholds)) {
    if (typeof threshold !== 'number') {
      throw new InvalidArgumentError(`'per_column_stattest_threshold' of ${JSON.stringify(column)} must be a number, got ${JSON.stringify(threshold)}.`);
    }
    out[column] = { ...out[column], threshold };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * @throws InvalidArgumentError naming the field to fix: a missing reference,
 * an unknown field, test name or format, a bad threshold or drift share.
 */
export function parseDriftRequest(body: unknown): DriftRequest {
  if (!isRecord(body)) throw new InvalidArgumentError('The body must be a JSON object with "reference" and "current" table references.');
  const unknown = Object.keys(body).filter((k) => !(KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new InvalidArgumentError(`Unknown field ${JSON.stringify(unknown[0])}; the fields are ${KEYS.join(', ')}.`);
  const format = body.format ?? 'json';
  if (format !== 'json' && format !== 'html') throw new InvalidArgumentError(`'format' must be "json" or "html", got ${JSON.stringify(format)}.`);
  const options: FileDriftOptions = {
    columns: names(body, 'columns'),
    numericalColumns: names(body, 'numerical_columns'),
    categoricalColumns: names(body, 'categorical_columns'),
    stattest: stattest(body, 'stattest'),
    threshold: number(body, 'stattest_threshold'),
    numericalStattest: stattest(body, 'num_stattest'),
    categoricalStattest: stattest(body, 'cat_stattest'),
    numericalThreshold: number(body, 'num_stattest_threshold'),
    categoricalThreshold: number(body, 'cat_stattest_threshold'),
    perColumn: perColumn(body),
    driftShare: number(body, 'drift_share'),
  };
  validateFileDriftOptions(options);
  return { reference: ref(body, 'reference'), current: ref(body, 'current'), options, format };
}
