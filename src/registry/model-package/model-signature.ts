import { InvalidArgumentError } from '../../errors.js';
import { PyFloat, pythonJsonDumps } from './python-compat.js';

/**
 * One named tensor of a tensor-based signature, as MLflow's `TensorSpec`:
 * a numpy dtype name (`float32`, `float64`, `int64`, `int32`, `bool`, `str`…)
 * and a shape where -1 is a dynamic dimension.
 */
export interface TensorSpec {
  name?: string;
  dtype: string;
  shape: number[];
}

/**
 * One column of a column-based signature, as MLflow's `ColSpec`: a type
 * name (`double`, `float`, `long`, `integer`, `boolean`, `string`, `binary`,
 * `datetime`, or `array` / `object` / `map` / `any`).
 */
export interface ColumnSpec {
  name?: string;
  type: string;
  /** Default true. */
  required?: boolean;
  /** The rest of a complex type as MLflow writes it (`items` of an array, `properties` of an object, `values` of a map). */
  extra?: Record<string, unknown>;
}

/** An inference parameter, as MLflow's `ParamSpec`. */
export interface ParamSpec {
  name: string;
  type: string;
  default: unknown;
  /** null for a scalar, [-1] for a list. */
  shape: number[] | null;
  extra?: Record<string, unknown>;
}

export type SchemaEntry = TensorSpec | ColumnSpec;

/** A model's signature: all tensors or all columns on each side, plus optional params. */
export interface ModelSignature {
  inputs?: SchemaEntry[];
  outputs?: SchemaEntry[];
  params?: ParamSpec[];
}

export function isTensorSpec(e: SchemaEntry): e is TensorSpec {
  return 'dtype' in e;
}

/** The numpy dtype MLflow uses for each column type (for checking a column-based signature against tensors). */
export const COLUMN_TYPE_DTYPES: Record<string, string> = {
  boolean: 'bool',
  integer: 'int32',
  long: 'int64',
  float: 'float32',
  double: 'float64',
  string: 'str',
  binary: 'bytes',
};

const FLOAT_TYPES = new Set(['float', 'double']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function encodeEntry(e: SchemaEntry): Record<string, unknown> {
  // Key order follows MLflow's TensorSpec.to_dict / ColSpec.to_dict, so the JSON text matches byte for byte.
  if (isTensorSpec(e)) {
    const spec = { type: 'tensor', 'tensor-spec': { dtype: e.dtype, shape: e.shape } };
    return e.name === undefined ? spec : { name: e.name, ...spec };
  }
  const out: Record<string, unknown> = { type: e.type, ...e.extra };
  if (e.name !== undefined) out.name = e.name;
  out.required = e.required ?? true;
  return out;
}

function encodeParam(p: ParamSpec): Record<string, unknown> {
  const asFloat = (v: unknown) => (FLOAT_TYPES.has(p.type) && typeof v === 'number' ? new PyFloat(v) : v);
  const def = Array.isArray(p.default) ? p.default.map(asFloat) : asFloat(p.default);
  return { name: p.name, default: def, shape: p.shape, type: p.type, ...p.extra };
}

/** A schema as the JSON string MLflow keeps in MLmodel (`Schema.to_json`). Throws if it mixes tensors and columns. */
export function encodeSchema(entries: SchemaEntry[]): string {
  checkNotMixed(entries, 'schema');
  return pythonJsonDumps(entries.map(encodeEntry));
}

export function encodeParams(params: ParamSpec[]): string {
  return pythonJsonDumps(params.map(encodeParam));
}

function checkNotMixed(entries: SchemaEntry[], what: string): void {
  const tensors = entries.filter(isTensorSpec).length;
  if (tensors > 0 && tensors < entries.length) {
    throw new InvalidArgumentError(`The signature's ${what} mixes tensors and columns; MLflow allows one kind per side.`);
  }
}

function decodeEntry(x: unknown, where: string): SchemaEntry {
  if (!isRecord(x) || typeof x.type !== 'string') throw new InvalidArgumentError(`${where} is not a TensorSpec or ColSpec (it needs a "type").`);
  const name = x.name === undefined || x.name === null ? undefined : String(x.name);
  if (x.type === 'tensor') {
    const spec = x['tensor-spec'];
    if (!isRecord(spec) || typeof spec.dtype !== 'string' || !Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isInteger(d))) {
      throw new InvalidArgumentError(`${where} is a tensor without a valid "tensor-spec" ({"dtype": …, "shape": [ints]}).`);
    }
    return { ...(name === undefined ? {} : { name }), dtype: spec.dtype, shape: spec.shape as number[] };
  }
  const { type, name: _n, required, ...extra } = x;
  const col: ColumnSpec = { ...(name === undefined ? {} : { name }), type, required: required === undefined || required === null ? true : Boolean(required) };
  if (Object.keys(extra).length > 0) col.extra = extra;
  return col;
}

function parseJsonList(text: unknown, where: string): unknown[] {
  if (typeof text !== 'string') throw new InvalidArgumentError(`${where} must be a JSON string, as MLflow writes it.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    try {
      // Python's json writes NaN and Infinity bare (a param default); JSON.parse does not accept them.
      value = JSON.parse(text.replace(/(?<=[:[,]\s*)-?(NaN|Infinity)(?=\s*[,\]}])/g, (m) => `"${m}"`));
    } catch {
      throw new InvalidArgumentError(`${where} is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (!Array.isArray(value)) throw new InvalidArgumentError(`${where} must be a JSON list.`);
  return value;
}

/** Reads MLmodel's `signature` mapping (JSON strings for inputs, outputs and params). */
export function decodeSignature(raw: unknown): ModelSignature {
  if (!isRecord(raw)) throw new InvalidArgumentError('MLmodel "signature" must be a mapping with inputs, outputs and params.');
  const sig: ModelSignature = {};
  for (const side of ['inputs', 'outputs'] as const) {
    const text = raw[side];
    if (text === undefined || text === null || text === '') continue;
    const entries = parseJsonList(text, `MLmodel signature.${side}`).map((x, i) => decodeEntry(x, `MLmodel signature.${side}[${i}]`));
    checkNotMixed(entries, side);
    sig[side] = entries;
  }
  if (raw.params !== undefined && raw.params !== null && raw.params !== '') {
    sig.params = parseJsonList(raw.params, 'MLmodel signature.params').map((x, i) => {
      if (!isRecord(x) || typeof x.name !== 'string' || !('default' in x)) {
        throw new InvalidArgumentError(`MLmodel signature.params[${i}] needs "name", "type" and "default".`);
      }
      const { name, type, dtype, default: def, shape, ...extra } = x;
      const p: ParamSpec = { name, type: String(type ?? dtype), default: def, shape: Array.isArray(shape) ? (shape as number[]) : null };
      if (Object.keys(extra).length > 0) p.extra = extra;
      return p;
    });
  }
  return sig;
}

/** MLmodel's `signature` mapping, as `ModelSignature.to_dict` writes it (all three keys, null when absent). */
export function encodeSignature(sig: ModelSignature): Record<string, string | null> {
  return {
    inputs: sig.inputs && sig.inputs.length > 0 ? encodeSchema(sig.inputs) : null,
    outputs: sig.outputs && sig.outputs.length > 0 ? encodeSchema(sig.outputs) : null,
    params: sig.params && sig.params.length > 0 ? encodeParams(sig.params) : null,
  };
}

/** Checks a signature given by a caller (the SDK's `signature` option) and returns it normalised. */
export function normalizeSignature(sig: ModelSignature): ModelSignature {
  return decodeSignature(encodeSignature(sig));
}
