/**
 * Reads the columns drift needs from two table files with DuckDB, one scan
 * per file, into the frames `detectDrift` takes: numbers as Float64Arrays
 * (NaN for null, so nothing is boxed), strings and booleans as arrays.
 *
 * Column types follow Evidently's `DataDefinition` over the dtypes pandas
 * would give the same files: floats are numerical; integers are categorical
 * when the reference has at most 5 distinct values (else the current), but
 * pandas turns an integer column with a null into floats, so only a null-free
 * integer column counts as one; booleans and strings are categorical;
 * Parquet datetimes are left out unless declared, while dates DuckDB sniffs
 * in CSV or JSON text stay text, as pandas leaves them. CSV text is read as
 * `pandas.read_csv` would (see pandas-text-values.ts). Like Evidently, the
 * current side's type decides when the sides differ in numeric width.
 */
import { copyFloatColumn } from '../table/chunk-columns.js';
import { InvalidArgumentError } from '../../errors.js';
import type { DuckDbEngine, TableFile } from '../table/duckdb-engine.js';
import { familyLabel, isNumericFamily, planColumn, type ColumnPlan, type SideRead, type SideType, type TypeFamily } from './drift-column-plan.js';
import type { ColumnType, DriftColumnValues, DriftScalar, SkippedColumnDrift } from './drift-types.js';
import { nullPandasMarkers, textToNumbers } from './pandas-text-values.js';

/** Evidently's `NUMBER_UNIQUE_AS_CATEGORICAL`. */
export const MAX_CATEGORICAL_INTEGER_VALUES = 5;

export type DriftSide = 'reference' | 'current';

export interface DriftReadProgress {
  side: DriftSide;
  /** Rows read so far on this side. */
  rows: number;
  done: boolean;
}

export interface DriftReadOptions {
  /** Columns to compare; each must be in both files. Default: every column of either file, reference order first. */
  columns?: readonly string[];
  numericalColumns?: readonly string[];
  categoricalColumns?: readonly string[];
  /** Columns that other options name (per-column tests); each must be in one of the files. */
  optionColumns?: readonly string[];
  /** How messages name the two inputs (default: their paths). */
  labels?: { reference?: string; current?: string };
  onProgress?: (progress: DriftReadProgress) => void;
}

/** What the reader found about a column; part of the report. */
export interface DriftColumnSchema {
  column: string;
  /** DuckDB's type on each side; null where the column is absent. */
  reference_type: string | null;
  current_type: string | null;
  /** The drift type it was compared as; null where it could not be settled. */
  type: ColumnType | null;
  /** Rows without a usable value (null, NaN, ±Infinity); null where the column was not read. */
  reference_missing: number | null;
  current_missing: number | null;
}

export interface DriftFrames {
  reference: Map<string, DriftColumnValues>;
  current: Map<string, DriftColumnValues>;
  /** The settled type of every column in the frames. */
  columnTypes: Record<string, ColumnType>;
  /** Every column to report, in report order. */
  schema: DriftColumnSchema[];
  /** Columns the reader already knows cannot be compared, with the reason. */
  skipped: Map<string, SkippedColumnDrift>;
  referenceRows: number;
  currentRows: number;
}

interface SideData {
  rows: number;
  values: Map<string, DriftColumnValues>;
}

/** A growing Float64Array. */
class NumberColumn {
  data = new Float64Array(2048);
  length = 0;

  reserve(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    let size = this.data.length * 2;
    while (size < this.length + extra) size *= 2;
    const grown = new Float64Array(size);
    grown.set(this.data.subarray(0, this.length));
    this.data = grown;
  }

  /** The values, copied down when the spare capacity is worth giving back. */
  finish(): Float64Array {
    return this.data.length - this.length > this.length / 8 ? this.data.slice(0, this.length) : this.data.subarray(0, this.length);
  }
}

interface ChunkVector {
  getItem(index: number): unknown;
}

function streamError(err: unknown, file: TableFile, label: string): Error {
  if (!(err instanceof Error) || err.constructor.name !== 'Error') return err as Error;
  return new InvalidArgumentError(`Cannot read ${label} as ${file.format}: ${err.message.split('\n')[0]}`, { cause: err });
}

async function readSide(
  engine: DuckDbEngine,
  file: TableFile,
  label: string,
  side: DriftSide,
  reads: readonly { column: string; read: SideRead }[],
  onProgress?: (progress: DriftReadProgress) => void,
): Promise<SideData> {
  const select = reads.map(({ read }, i) => `${read.sql} AS c${i}`);
  const sql = `SELECT ${select.length > 0 ? select.join(', ') : 'NULL AS none'} FROM ${file.scanSql}`;
  const numbers = reads.map(({ read }) => (read.as === 'number' ? new NumberColumn() : null));
  const values = reads.map(({ read }) => (read.as === 'number' ? null : ([] as DriftScalar[])));
  let rows = 0;
  try {
    const result = await engine.connection.stream(sql, [file.path]);
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const n = chunk.rowCount;
      for (let c = 0; c < reads.length; c++) {
        const column = numbers[c];
        if (column) {
          column.reserve(n);
          column.length += copyFloatColumn(chunk, c, column.data, column.length);
        } else {
          const vector = chunk.getColumnVector(c) as unknown as ChunkVector;
          const out = values[c]!;
          for (let i = 0; i < n; i++) out.push(vector.getItem(i) as DriftScalar);
        }
      }
      rows += n;
      onProgress?.({ side, rows, done: false });
    }
  } catch (err) {
    throw streamError(err, file, label);
  }
  onProgress?.({ side, rows, done: true });
  const columns = new Map<string, DriftColumnValues>();
  reads.forEach(({ column }, c) => columns.set(column, numbers[c]?.finish() ?? values[c]!));
  return { rows, values: columns };
}

function missingCount(values: DriftColumnValues): number {
  let missing = 0;
  if (ArrayBuffer.isView(values)) {
    for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) missing++;
  } else {
    for (const v of values) if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) missing++;
  }
  return missing;
}

/** Distinct non-missing values, counting no further than `cap`. */
function distinctUpTo(values: DriftColumnValues, cap: number): number {
  const seen = new Set<unknown>();
  for (let i = 0; i < values.length && seen.size < cap; i++) {
    const v = values[i];
    if (v !== null && v !== undefined && !(typeof v === 'number' && !Number.isFinite(v))) seen.add(v);
  }
  return seen.size;
}

function asMissingNumbers(values: DriftColumnValues, missing: number): DriftColumnValues {
  return missing === values.length && !ArrayBuffer.isView(values) ? new Float64Array(values.length).fill(Number.NaN) : values;
}

type ValueClass = 'numeric' | 'boolean' | 'string';

function classOf(family: TypeFamily): ValueClass {
  return isNumericFamily(family) ? 'numeric' : family === 'boolean' ? 'boolean' : 'string';
}

/** One side of a column after reading, with the family its values now have. */
interface SideColumn {
  values: DriftColumnValues;
  family: TypeFamily;
  /** Non-null values a numerical declaration could not turn into numbers, and the first of them. */
  bad: number;
  example?: string;
}

function prepareSide(read: SideRead, family: TypeFamily | undefined, raw: DriftColumnValues, csv: boolean, declared: ColumnType | undefined): SideColumn {
  if (read.as === 'number') return { values: raw, family: family ?? 'float', bad: 0 };
  const text = raw as DriftScalar[];
  if (csv) nullPandasMarkers(text);
  if (read.as === 'text-number') {
    const parsed = textToNumbers(text);
    return { values: parsed.numbers, family: 'float', bad: parsed.bad, example: parsed.example };
  }
  if (csv && !declared && family === 'string') {
    const numbers = textToNumbers(text, true);
    if (numbers) return { values: numbers, family: 'float', bad: 0 };
  }
  return { values: text, family: family ?? 'string', bad: 0 };
}

interface Settled {
  type?: ColumnType;
  skip?: string;
  reference: DriftColumnValues;
  current: DriftColumnValues;
}

/** The drift type of an undeclared column read on both sides, as Evidently would give it. */
function settle(plan: ColumnPlan, ref: SideColumn, cur: SideColumn, refMissing: number, curMissing: number): Settled {
  let { values: reference, family: refFamily } = ref;
  let { values: current, family: curFamily } = cur;
  if (classOf(refFamily) !== classOf(curFamily)) {
    // A side without a single value has no type of its own (pandas would read it as all-NaN floats).
    if (refMissing === reference.length) {
      reference = classOf(curFamily) === 'numeric' ? asMissingNumbers(reference, refMissing) : reference;
      refFamily = classOf(curFamily) === 'numeric' ? 'float' : curFamily;
    } else if (curMissing === current.length) {
      current = classOf(refFamily) === 'numeric' ? asMissingNumbers(current, curMissing) : current;
      curFamily = classOf(refFamily) === 'numeric' ? 'float' : refFamily;
    } else {
      const why = `${familyLabel(refFamily, plan.referenceType!)} in reference but ${familyLabel(curFamily, plan.currentType!)} in current`;
      return { skip: `not computed: types differ: ${why}; declare it categorical to compare the values as text`, reference, current };
    }
  }
  if (classOf(curFamily) !== 'numeric') return { type: 'categorical', reference, current };
  const pandasInteger = curFamily === 'integer' && curMissing === 0;
  if (!pandasInteger) return { type: 'numerical', reference, current };
  const cap = MAX_CATEGORICAL_INTEGER_VALUES + 1;
  const unique = distinctUpTo(reference, cap) || distinctUpTo(current, cap);
  return { type: unique <= MAX_CATEGORICAL_INTEGER_VALUES ? 'categorical' : 'numerical', reference, current };
}

function names(list: readonly string[]): string {
  const shown = list.slice(0, 20).map((n) => JSON.stringify(n)).join(', ');
  return list.length > 20 ? `${shown}, … (${list.length} in all)` : shown || 'none';
}

/** Report order and read plans; every naming mistake is found here, before any data is read. */
function planColumns(
  referenceSchema: Map<string, SideType>,
  currentSchema: Map<string, SideType>,
  options: DriftReadOptions,
  labels: { reference: string; current: string },
): ColumnPlan[] {
  const known = new Set([...referenceSchema.keys(), ...currentSchema.keys()]);
  const refNames = [...referenceSchema.keys()];
  const curNames = [...currentSchema.keys()];
  const sameNames = refNames.length === curNames.length && refNames.every((n) => currentSchema.has(n));
  const has = sameNames ? `both have ${names(refNames)}` : `reference has ${names(refNames)}; current has ${names(curNames)}`;
  const unknown = (what: string, column: string) => new InvalidArgumentError(`${what} names column ${JSON.stringify(column)}, which neither file has (${has}).`);
  for (const [what, list] of [
    ['The numerical columns list', options.numericalColumns],
    ['The categorical columns list', options.categoricalColumns],
    ['A per-column option', options.optionColumns],
    ['The columns list', options.columns],
  ] as const) {
    for (const column of list ?? []) if (!known.has(column)) throw unknown(what, column);
  }
  for (const column of options.columns ?? []) {
    if (!referenceSchema.has(column) || !currentSchema.has(column)) {
      const only = referenceSchema.has(column) ? `the reference (${labels.reference})` : `the current (${labels.current})`;
      throw new InvalidArgumentError(`Column ${JSON.stringify(column)} was asked for but only ${only} has it; drift needs it on both sides.`);
    }
  }
  const order = [...new Set(options.columns ?? known)];
  const numerical = new Set(options.numericalColumns ?? []);
  const categorical = new Set(options.categoricalColumns ?? []);
  return order.map((column) => {
    const ref = referenceSchema.get(column);
    const cur = currentSchema.get(column);
    const declared: ColumnType | undefined = numerical.has(column) ? 'numerical' : categorical.has(column) ? 'categorical' : undefined;
    if (!ref || !cur) {
      const skip = `not computed: column is only in ${ref ? 'reference' : 'current'}`;
      return { column, referenceType: ref?.type ?? null, currentType: cur?.type ?? null, declared, skip };
    }
    return planColumn(column, ref, cur, declared);
  });
}

async function schemaOf(engine: DuckDbEngine, file: TableFile): Promise<Map<string, SideType>> {
  const fromText = file.format !== 'parquet';
  return new Map((await engine.describe(file)).map((c) => [c.name, { type: c.type, fromText }]));
}

function requireRows(rows: number, label: string): void {
  if (rows === 0) throw new InvalidArgumentError(`${label} has no rows; drift needs data on both sides.`);
}

/**
 * Reads both files' columns for drift, fully but only the columns needed.
 *
 * A column on one side only, of different types on the two sides, of a type
 * drift does not test, or not convertible to the declared type is reported in
 * `skipped` with its reason rather than failing the read.
 *
 * Missing files are for the caller's `engine.tableFile` to report (NotFoundError).
 *
 * @throws InvalidArgumentError for an unreadable file (also one that breaks
 * its sniffed types past the sample), a file without rows, or an option
 * naming a column neither file has (or, in `columns`, one file lacks) —
 * the last before any data is read.
 *
 * @example
 * const frames = await readDriftFrames(engine, await engine.tableFile('ref.parquet'), await engine.tableFile('cur.csv'));
 * const report = detectDrift(frames.reference, frames.current, { columns: [...frames.reference.keys()], columnTypes: frames.columnTypes });
 */
export async function readDriftFrames(
  engine: DuckDbEngine,
  reference: TableFile,
  current: TableFile,
  options: DriftReadOptions = {},
): Promise<DriftFrames> {
  const labels = { reference: options.labels?.reference ?? reference.path, current: options.labels?.current ?? current.path };
  const plans = planColumns(await schemaOf(engine, reference), await schemaOf(engine, current), options, labels);
  const readable = plans.filter((p) => !p.skip);
  const ref = await readSide(engine, reference, labels.reference, 'reference', readable.map((p) => ({ column: p.column, read: p.reference! })), options.onProgress);
  requireRows(ref.rows, labels.reference);
  const cur = await readSide(engine, current, labels.current, 'current', readable.map((p) => ({ column: p.column, read: p.current! })), options.onProgress);
  requireRows(cur.rows, labels.current);

  const frames: DriftFrames = {
    reference: new Map(),
    current: new Map(),
    columnTypes: {},
    schema: [],
    skipped: new Map(),
    referenceRows: ref.rows,
    currentRows: cur.rows,
  };
  const skip = (column: string, type: ColumnType | null, reason: string) => frames.skipped.set(column, { column, computed: false, type, reason });
  for (const plan of plans) {
    const note: DriftColumnSchema = {
      column: plan.column,
      reference_type: plan.referenceType,
      current_type: plan.currentType,
      type: plan.declared ?? null,
      reference_missing: null,
      current_missing: null,
    };
    frames.schema.push(note);
    if (plan.skip) {
      skip(plan.column, plan.declared ?? null, plan.skip);
      continue;
    }
    const refSide = prepareSide(plan.reference!, plan.referenceFamily, ref.values.get(plan.column)!, reference.format === 'csv', plan.declared);
    const curSide = prepareSide(plan.current!, plan.currentFamily, cur.values.get(plan.column)!, current.format === 'csv', plan.declared);
    note.reference_missing = missingCount(refSide.values);
    note.current_missing = missingCount(curSide.values);
    const bad = refSide.bad > 0 ? { side: 'reference', ...refSide } : curSide.bad > 0 ? { side: 'current', ...curSide } : null;
    if (bad) {
      const why = `${bad.bad} values in ${bad.side} are not numbers (such as ${JSON.stringify(bad.example)})`;
      skip(plan.column, plan.declared ?? null, `not computed: declared numerical, but ${why}`);
      continue;
    }
    if (note.reference_missing === refSide.values.length && note.current_missing === curSide.values.length) {
      skip(plan.column, plan.declared ?? null, 'not computed: all values are null in reference and current');
      continue;
    }
    const settled: Settled = plan.declared
      ? { type: plan.declared, reference: refSide.values, current: curSide.values }
      : settle(plan, refSide, curSide, note.reference_missing, note.current_missing);
    if (settled.skip) {
      skip(plan.column, null, settled.skip);
      continue;
    }
    note.type = settled.type!;
    frames.columnTypes[plan.column] = settled.type!;
    frames.reference.set(plan.column, settled.reference);
    frames.current.set(plan.column, settled.current);
  }
  return frames;
}
