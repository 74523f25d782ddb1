/**
 * Text as `pandas.read_csv` reads it, which is what Evidently's users feed
 * it: its default NA markers are missing values, and a column whose every
 * other value is a number (`inf` and `nan` included) is a float column.
 * DuckDB's CSV sniffer keeps such columns as VARCHAR.
 */
import type { DriftScalar } from './drift-types.js';

/** pandas' default `na_values` (pandas/_libs/parsers.pyx `STR_NA_VALUES`). */
export const PANDAS_NA_STRINGS: ReadonlySet<string> = new Set([
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
]);

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^([+-]?)inf(?:inity)?$/i;
const NAN = /^[+-]?nan$/i;

/** A number written in decimal, or ±inf/infinity/nan in any case; undefined for anything else. */
export function parseNumberText(text: string): number | undefined {
  const t = text.trim();
  if (DECIMAL.test(t)) return Number(t);
  const inf = INFINITY.exec(t);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  if (NAN.test(t)) return Number.NaN;
  return undefined;
}

/** Replaces pandas' NA markers with null, in place. */
export function nullPandasMarkers(values: DriftScalar[]): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'string' && PANDAS_NA_STRINGS.has(v)) values[i] = null;
  }
}

export interface TextNumbers {
  /** NaN where a value was null, a NaN marker or not a number. */
  numbers: Float64Array;
  /** Non-null values that are not numbers. */
  bad: number;
  /** The first of those, for messages. */
  example?: string;
}

/** Strings to numbers; `stopAtBad` gives up (returning null) at the first value that is not one. */
export function textToNumbers(values: readonly DriftScalar[], stopAtBad: true): Float64Array | null;
export function textToNumbers(values: readonly DriftScalar[], stopAtBad?: false): TextNumbers;
export function textToNumbers(values: readonly DriftScalar[], stopAtBad = false): TextNumbers | Float64Array | null {
  const numbers = new Float64Array(values.length);
  let bad = 0;
  let example: string | undefined;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      numbers[i] = Number.NaN;
      continue;
    }
    const x = typeof v === 'number' ? v : parseNumberText(String(v));
    if (x === undefined) {
      if (stopAtBad) return null;
      bad++;
      example ??= String(v);
      numbers[i] = Number.NaN;
    } else {
      numbers[i] = x;
    }
  }
  return stopAtBad ? numbers : { numbers, bad, example };
}
