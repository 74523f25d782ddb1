import { InvalidArgumentError } from '../../errors.js';
import { isTensorSpec, type ModelSignature } from '../../registry/model-package/index.js';
import { showShape, type TensorMetadata } from '../tensor.js';
import { isListType, keySqlType, keyStageType } from './column-types.js';

/** One column of the input file as DuckDB reads it. */
export interface FileColumn {
  name: string;
  /** DuckDB's type name (`DOUBLE`, `VARCHAR`, `FLOAT[]`…). */
  type: string;
}

/** Where one tensor element comes from: a column, or one item (1-based) of a list column. */
export interface ElementSource {
  column: string;
  index?: number;
}

/** One model input, filled row by row from the file. */
export interface InputFeed {
  input: TensorMetadata;
  /** The shape of one row's slice (the input's shape without the batch dimension). */
  rowShape: number[];
  /** Elements per row: one per source, in row-major order. */
  sources: ElementSource[];
}

/** The column that identifies each prediction: a file column, or the row number. */
export interface KeyPlan {
  /** The output column's name: the key column's, or `row`. */
  name: string;
  /** The file column; absent for the 0-based row number. */
  column?: string;
  /** The output column's type. */
  sqlType: 'BIGINT' | 'DOUBLE' | 'VARCHAR';
  /** The type the key is read and staged as (see `keyStageType`); cast to `sqlType` on output. */
  stageType: 'BIGINT' | 'DOUBLE' | 'VARCHAR';
}

export interface ColumnPlan {
  feeds: InputFeed[];
  key: KeyPlan;
}

export interface ColumnPlanOptions {
  /** A column to copy into the output as the row key; default the 0-based row number, as column `row`. */
  key?: string;
  /** The feature columns, in order, for a model with one input. */
  columns?: string[];
}

/** What a model offers for mapping columns: its (narrowed) inputs and its MLflow signature. */
export interface PlannableModel {
  inputs: TensorMetadata[];
  signature?: ModelSignature;
}

const list = (names: string[]) => names.map((n) => `'${n}'`).join(', ');

/** The signature's column names in order, when it is column-based and names every column. */
function signatureColumns(signature: ModelSignature | undefined): string[] | undefined {
  const inputs = signature?.inputs;
  if (!inputs || inputs.length === 0 || inputs.some(isTensorSpec) || inputs.some((c) => c.name === undefined)) return undefined;
  return inputs.map((c) => c.name!);
}

/** Elements per row, or undefined while a dimension after the batch dimension is dynamic. */
function widthOf(rowShape: number[]): number | undefined {
  return rowShape.some((d) => d < 0) ? undefined : rowShape.reduce((n, d) => n * d, 1);
}

const describeInput = (s: TensorMetadata) => `'${s.name}' (${s.datatype} ${showShape(s.shape)})`;

function schemaError(message: string, details: Record<string, unknown>): InvalidArgumentError {
  return new InvalidArgumentError(message, { details: { reason: 'schema_mismatch', ...details } });
}

class Planner {
  private readonly byName: Map<string, FileColumn>;

  constructor(
    private readonly file: FileColumn[],
    private readonly keyColumn: string | undefined,
  ) {
    this.byName = new Map(file.map((c) => [c.name, c]));
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  isList(name: string): boolean {
    return isListType(this.byName.get(name)?.type ?? '');
  }

  /** Columns other than the key, in file order. */
  candidates(): FileColumn[] {
    return this.file.filter((c) => c.name !== this.keyColumn);
  }

  /** Fails listing what the model expects and what the file has, when any of `names` is not a column. */
  requireColumns(names: string[], expectation: string): void {
    const missing = [...new Set(names.filter((n) => !this.byName.has(n)))];
    if (missing.length === 0) return;
    throw schemaError(
      `The input has no column${missing.length > 1 ? 's' : ''} ${list(missing)}. ${expectation} The input's columns are ${list(this.file.map((c) => c.name))}.`,
      { missing_columns: missing, expected_columns: names },
    );
  }

  scalars(names: string[]): ElementSource[] {
    return names.map((column) => ({ column }));
  }

  items(column: string, width: number): ElementSource[] {
    return Array.from({ length: width }, (_, i) => ({ column, index: i + 1 }));
  }
}

function planSingle(p: Planner, spec: TensorMetadata, signature: ModelSignature | undefined, columns: string[] | undefined): InputFeed {
  const rowShape = spec.shape.slice(1);
  const width = widthOf(rowShape);
  const fromSignature = signatureColumns(signature);
  const named = columns ?? fromSignature;
  let sources: ElementSource[];
  if (named) {
    const why = columns ? 'They were named by --columns.' : `The model's signature names its columns: ${list(named)}.`;
    p.requireColumns(named, why);
    if (width !== undefined && named.length !== width) {
      throw schemaError(`The model's input ${describeInput(spec)} takes ${width} value${width === 1 ? '' : 's'} per row, but ${named.length} column${named.length === 1 ? ' is' : 's are'} named (${list(named)}).`, {
        expected_width: width,
      });
    }
    sources = p.scalars(named);
  } else if (p.has(spec.name) && p.isList(spec.name)) {
    if (width === undefined) throw schemaError(`The model's input ${describeInput(spec)} has a dynamic row size; name the feature columns with --columns.`, {});
    sources = p.items(spec.name, width);
  } else if (width === 1 && p.has(spec.name)) {
    sources = p.scalars([spec.name]);
  } else {
    const candidates = p.candidates().filter((c) => !isListType(c.type));
    const n = width ?? candidates.length;
    if (candidates.length < n || n === 0) {
      throw schemaError(
        `The model's input ${describeInput(spec)} takes ${n || 'some'} value${n === 1 ? '' : 's'} per row, but the input has ${candidates.length} feature column${candidates.length === 1 ? '' : 's'} besides the key (${list(candidates.map((c) => c.name))}).`,
        { expected_width: n },
      );
    }
    sources = p.scalars(candidates.slice(0, n).map((c) => c.name));
  }
  return { input: spec, rowShape: rowShape.map((d) => (d < 0 ? sources.length : d)), sources };
}

function planNamed(p: Planner, specs: TensorMetadata[]): InputFeed[] {
  const missing: string[] = [];
  const feeds = specs.map((spec): InputFeed => {
    const rowShape = spec.shape.slice(1);
    const width = widthOf(rowShape);
    if (width === undefined) throw schemaError(`The model's input ${describeInput(spec)} has a dynamic row size, which ferry predict cannot fill from columns.`, {});
    const flat = Array.from({ length: width }, (_, i) => `${spec.name}_${i}`);
    let sources: ElementSource[] = [];
    if (p.has(spec.name) && p.isList(spec.name)) sources = p.items(spec.name, width);
    else if (p.has(spec.name) && width === 1) sources = p.scalars([spec.name]);
    else if (width > 1 && flat.every((n) => p.has(n))) sources = p.scalars(flat);
    else missing.push(width === 1 ? spec.name : `${spec.name} (a list column, or ${flat[0]}…${flat[width - 1]})`);
    return { input: spec, rowShape, sources };
  });
  if (missing.length > 0) {
    throw schemaError(
      `The input lacks ${missing.length > 1 ? 'columns' : 'a column'} for the model's input${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}. The model has several inputs, so each is filled from the column of its name: ${specs.map(describeInput).join(', ')}. The input's columns are ${list(p.candidates().map((c) => c.name))}.`,
      { missing_columns: missing, expected_columns: specs.map((s) => s.name) },
    );
  }
  return feeds;
}

/**
 * Decides which file columns feed which model input, before any row is read.
 *
 * A model with one input of shape [-1, K] takes K columns: those `columns`
 * names, else those of a column-based signature, else a list column named as
 * the input, else the first K columns (besides the key) in file order. A model
 * with several inputs takes, for each, the column of the input's name (a
 * list column, or `NAME_0…NAME_{K-1}` for an input with K values per row).
 * @throws InvalidArgumentError (reason `schema_mismatch`) naming missing columns and what the model expects.
 */
export function planColumns(model: PlannableModel, file: FileColumn[], options: ColumnPlanOptions = {}): ColumnPlan {
  const keyColumn = options.key;
  let key: KeyPlan = { name: 'row', sqlType: 'BIGINT', stageType: keyStageType(undefined) };
  if (keyColumn !== undefined) {
    const col = file.find((c) => c.name === keyColumn);
    if (!col) throw schemaError(`--key '${keyColumn}' is not a column of the input; its columns are ${list(file.map((c) => c.name))}.`, { missing_columns: [keyColumn] });
    key = { name: keyColumn, column: keyColumn, sqlType: keySqlType(col.type), stageType: keyStageType(col.type) };
  }
  const p = new Planner(file, keyColumn);
  if (model.inputs.length === 0) throw new InvalidArgumentError('The model declares no tensor inputs, so there is nothing to fill from columns.');
  for (const spec of model.inputs) {
    if (spec.shape.length === 0 || spec.shape[0] !== -1) {
      throw new InvalidArgumentError(
        `ferry predict runs rows in batches, so every model input needs a dynamic first (batch) dimension; input ${describeInput(spec)} has none.`,
        { details: { reason: 'not_batchable', input: spec.name } },
      );
    }
  }
  if (model.inputs.length === 1) return { feeds: [planSingle(p, model.inputs[0]!, model.signature, options.columns)], key };
  if (options.columns) {
    throw new InvalidArgumentError(`--columns is for models with one input; this model has ${model.inputs.length} (${model.inputs.map(describeInput).join(', ')}), each filled from the column of its name.`);
  }
  return { feeds: planNamed(p, model.inputs), key };
}
