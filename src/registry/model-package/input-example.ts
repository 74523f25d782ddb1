import { InvalidArgumentError } from '../../errors.js';
import type { InputExampleInfo } from './mlmodel.js';
import { isTensorSpec, type ModelSignature } from './model-signature.js';
import { PyFloat, pythonJsonDumps } from './python-compat.js';

/** A tensor as nested arrays (row-major), like `ndarray.tolist()`. */
export type TensorValue = number | boolean | string | TensorValue[];

/** A pandas DataFrame in `split` orientation. */
export interface DataFrameExample {
  columns: string[];
  data: unknown[][];
}

/**
 * An input example, as MLflow saves it beside a model:
 * - nested arrays: one tensor (MLflow's ndarray example);
 * - `{ name: nested arrays, … }`: named tensors (a dict of ndarrays);
 * - `{ dataframe: { columns, data } }`: a DataFrame (column-based models).
 */
export type InputExample = TensorValue[] | Record<string, TensorValue[]> | { dataframe: DataFrameExample };

/** The files MLflow writes for an example, and the MLmodel entry that points at them. */
export interface SavedInputExample {
  info: InputExampleInfo;
  files: Record<string, string>;
}

const FLOAT_DTYPES = new Set(['float16', 'float32', 'float64']);
const FLOAT_COLUMNS = new Set(['float', 'double']);

/** Numbers of a float tensor print as Python floats (`1.0`), as numpy's tolist() gives. */
function floats(v: unknown, asFloat: boolean): unknown {
  if (Array.isArray(v)) return v.map((x) => floats(x, asFloat));
  return asFloat && typeof v === 'number' ? new PyFloat(v) : v;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function tensorDtype(signature: ModelSignature | undefined, name: string | undefined): string | undefined {
  const inputs = (signature?.inputs ?? []).filter(isTensorSpec);
  if (name === undefined) return inputs.length === 1 ? inputs[0].dtype : undefined;
  return inputs.find((i) => i.name === name)?.dtype;
}

/**
 * Serialises an example as MLflow's `_Example` does: `input_example.json`
 * (the data) and `serving_input_example.json` (a scoring request body,
 * indented), with float tensors written as floats per the signature.
 * @throws InvalidArgumentError for a value that is none of the example kinds.
 */
export function saveInputExample(example: InputExample, signature?: ModelSignature): SavedInputExample {
  const info: InputExampleInfo = { artifactPath: 'input_example.json', type: 'ndarray', servingInputPath: 'serving_input_example.json' };
  let data: unknown;
  let serving: unknown;
  if (Array.isArray(example)) {
    data = floats(example, FLOAT_DTYPES.has(tensorDtype(signature, undefined) ?? ''));
    serving = { inputs: data };
  } else if (isRecord(example) && isRecord(example.dataframe) && Array.isArray(example.dataframe.columns) && Array.isArray(example.dataframe.data)) {
    const df = example.dataframe as DataFrameExample;
    const columnTypes = new Map((signature?.inputs ?? []).flatMap((c) => (!isTensorSpec(c) && c.name !== undefined ? [[c.name, c.type] as const] : [])));
    const floatCols = df.columns.map((c) => FLOAT_COLUMNS.has(columnTypes.get(c) ?? ''));
    data = { columns: df.columns, data: df.data.map((row) => row.map((v, i) => floats(v, floatCols[i] ?? false))) };
    serving = { dataframe_split: data };
    info.type = 'dataframe';
    info.pandasOrient = 'split';
  } else if (isRecord(example) && Object.values(example).length > 0 && Object.values(example).every(Array.isArray)) {
    data = Object.fromEntries(Object.entries(example).map(([k, v]) => [k, floats(v, FLOAT_DTYPES.has(tensorDtype(signature, k) ?? ''))]));
    serving = { inputs: data };
  } else {
    throw new InvalidArgumentError(
      'inputExample must be nested arrays (one tensor), an object of nested arrays (named tensors) or { dataframe: { columns, data } }.',
    );
  }
  return {
    info,
    files: {
      [info.artifactPath]: pythonJsonDumps(data),
      [info.servingInputPath!]: pythonJsonDumps(serving, 2),
    },
  };
}
