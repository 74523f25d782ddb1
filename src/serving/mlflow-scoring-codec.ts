import { FerryError } from '../errors.js';
import { isTensorSpec, type ModelSignature } from '../registry/model-package/index.js';
import type { InferInput, InferenceRequest, InferenceResult, OutputTensor } from './serving-types.js';
import { fromHalf, type TensorMetadata } from './tensor.js';

/** The JSON keys of MLflow's scoring protocol; a request carries exactly one. */
export const SCORING_FORMATS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;

const REQUIRED = `The input must be a JSON dictionary with exactly one of the input fields {${SCORING_FORMATS.map((f) => `'${f}'`).join(', ')}}`;

/** MLflow's scoring server answers every bad request with error_code BAD_REQUEST (400). */
export function badScoringRequest(message: string): FerryError {
  return new FerryError('INVALID_ARGUMENT', message, { protocolCode: 'BAD_REQUEST' });
}

/** What a scoring model exposes: its runtime inputs and MLflow signature. */
export interface ScoringModel {
  inputs: TensorMetadata[];
  signature: ModelSignature | undefined;
}

/**
 * A decoded scoring request. `tabular` is true for DataFrame inputs
 * (dataframe_split, dataframe_records, CSV): MLflow's ONNX flavor then answers
 * records, one object per row; tensor inputs (instances, inputs) get a dict of output → values.
 */
export interface ScoringRequest {
  request: InferenceRequest;
  tabular: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The signature's column names in order, when it is column-based and names every column. */
function signatureColumns(model: ScoringModel): string[] | undefined {
  const inputs = model.signature?.inputs;
  if (!inputs || inputs.length === 0 || inputs.some(isTensorSpec) || inputs.some((c) => c.name === undefined)) return undefined;
  return inputs.map((c) => c.name!);
}

/**
 * A DataFrame → the model's inputs, as `_OnnxModelWrapper.predict` does: a
 * model with one input gets the frame's values as a 2-D tensor (columns in
 * the signature's order when it names them); a model with several gets one
 * column per input, by name.
 */
export function frameToInputs(model: ScoringModel, columns: string[], rows: unknown[][]): InferInput[] {
  const column = (name: string): unknown[] => {
    const j = columns.indexOf(name);
    if (j < 0) throw badScoringRequest(`Failed to enforce schema: the input is missing column '${name}'; the columns given are ${JSON.stringify(columns)}.`);
    return rows.map((r) => r[j]);
  };
  if (model.inputs.length === 1) {
    const spec = model.inputs[0]!;
    const order = signatureColumns(model) ?? columns;
    const picked = order.map(column);
    if (spec.shape.length === 1 && picked.length === 1) return [{ name: spec.name, data: picked[0] }];
    return [{ name: spec.name, data: rows.map((_, i) => picked.map((c) => c[i])) }];
  }
  return model.inputs.map((spec) => {
    const values = column(spec.name);
    // A [-1, 1] input takes a plain column as one value per row.
    const data = spec.shape.length === 2 && spec.shape[1] === 1 ? values.map((v) => (Array.isArray(v) ? v : [v])) : values;
    return { name: spec.name, data };
  });
}

/** A tensor (nested list) or a dict of them → the model's inputs (MLflow's `parse_tf_serving_input`). */
function tensorsToInputs(model: ScoringModel, value: unknown, key: string): InferInput[] {
  if (Array.isArray(value)) {
    // instances as a list of records: {name: value} per row → one tensor per name.
    if (value.length > 0 && value.every(isRecord)) {
      const names = Object.keys(value[0] as Record<string, unknown>);
      return dictToInputs(model, Object.fromEntries(names.map((n) => [n, value.map((r) => (r as Record<string, unknown>)[n])])));
    }
    if (model.inputs.length !== 1) {
      throw badScoringRequest(
        `Unable to map a single tensor in '${key}' to the model's ${model.inputs.length} inputs (${model.inputs.map((i) => `'${i.name}'`).join(', ')}); send a dictionary of input name to values.`,
      );
    }
    return [{ name: model.inputs[0]!.name, data: value }];
  }
  if (isRecord(value)) return dictToInputs(model, value);
  throw badScoringRequest(`'${key}' must be a list (one tensor) or a dictionary of input name to values; got ${typeof value}.`);
}

function dictToInputs(model: ScoringModel, dict: Record<string, unknown>): InferInput[] {
  const names = Object.keys(dict);
  const inputNames = new Set(model.inputs.map((i) => i.name));
  // A single-input model with a column signature: a dict of column → values is a frame.
  const cols = signatureColumns(model);
  if (model.inputs.length === 1 && cols && !names.some((n) => inputNames.has(n)) && names.every((n) => Array.isArray(dict[n]))) {
    const length = (dict[names[0]!] as unknown[]).length;
    if (names.some((n) => (dict[n] as unknown[]).length !== length)) throw badScoringRequest('All columns must have the same number of values.');
    return frameToInputs(model, names, Array.from({ length }, (_, i) => names.map((n) => (dict[n] as unknown[])[i])));
  }
  // Unknown or missing names are reported by the signature check, naming the model's inputs.
  return names.map((name) => ({ name, data: dict[name] }));
}

/** A `dataframe_split` ({columns, data}) or `dataframe_records` ([{col: v}]) value → columns and rows. */
function frameOf(format: 'dataframe_split' | 'dataframe_records', value: unknown): { columns: string[]; rows: unknown[][] } {
  if (format === 'dataframe_split') {
    if (!isRecord(value) || !Array.isArray(value.data)) throw badScoringRequest(`'dataframe_split' must be an object with "data" (a list of rows) and optional "columns".`);
    const data = value.data as unknown[];
    if (!data.every(Array.isArray)) throw badScoringRequest(`'dataframe_split.data' must be a list of rows, each a list of values.`);
    const rows = data as unknown[][];
    const width = rows[0]?.length ?? 0;
    const columns = value.columns === undefined ? Array.from({ length: width }, (_, i) => String(i)) : value.columns;
    if (!Array.isArray(columns) || !columns.every((c) => typeof c === 'string' || typeof c === 'number')) {
      throw badScoringRequest(`'dataframe_split.columns' must be a list of column names.`);
    }
    rows.forEach((r, i) => {
      if (r.length !== columns.length) throw badScoringRequest(`'dataframe_split.data[${i}]' has ${r.length} values for ${columns.length} columns.`);
    });
    return { columns: columns.map(String), rows };
  }
  if (!Array.isArray(value) || !value.every(isRecord)) throw badScoringRequest(`'dataframe_records' must be a list of objects, one per row ({"column": value, …}).`);
  const columns = [...new Set(value.flatMap((r) => Object.keys(r as Record<string, unknown>)))];
  return { columns, rows: value.map((r) => columns.map((c) => (r as Record<string, unknown>)[c])) };
}

/** A JSON scoring body → an inference request for `model`. @throws FerryError BAD_REQUEST for a body MLflow would refuse. */
export function decodeScoringJson(model: ScoringModel, body: unknown): ScoringRequest {
  if (!isRecord(body)) {
    throw badScoringRequest(`${REQUIRED}. ${Array.isArray(body) ? 'Received a list' : `Received unexpected input type '${body === null ? 'null' : typeof body}'`}.`);
  }
  const present = SCORING_FORMATS.filter((f) => Object.hasOwn(body, f));
  if (present.length !== 1) throw badScoringRequest(`${REQUIRED}. Received dictionary with input fields: ${JSON.stringify(Object.keys(body))}.`);
  const format = present[0]!;
  const parameters = isRecord(body.params) ? { parameters: body.params } : {};
  if (format === 'dataframe_split' || format === 'dataframe_records') {
    const { columns, rows } = frameOf(format, body[format]);
    if (rows.length === 0) throw badScoringRequest(`'${format}' holds no rows.`);
    return { request: { inputs: frameToInputs(model, columns, rows), ...parameters }, tabular: true };
  }
  return { request: { inputs: tensorsToInputs(model, body[format], format), ...parameters }, tabular: false };
}

/** Splits one CSV line (RFC 4180 quoting). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') out.push(cur), (cur = '');
    else cur += c;
  }
  out.push(cur);
  return out;
}

/** A CSV cell as pandas reads it: numbers, True/False, empty → NaN; anything else stays a string. */
function csvValue(cell: string): unknown {
  const t = cell.trim();
  if (t === '') return 'NaN';
  if (t === 'True' || t === 'true') return true;
  if (t === 'False' || t === 'false') return false;
  const n = Number(t);
  return Number.isNaN(n) ? cell : n;
}

/** A `text/csv` body (a header row, then one row per line) → an inference request, as a DataFrame. */
export function decodeScoringCsv(model: ScoringModel, text: string): ScoringRequest {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2) throw badScoringRequest('A CSV body needs a header row of column names and at least one row of values.');
  const columns = csvFields(lines[0]!).map((c) => c.trim());
  const rows = lines.slice(1).map((l, i) => {
    const fields = csvFields(l);
    if (fields.length !== columns.length) throw badScoringRequest(`CSV row ${i + 1} has ${fields.length} values for ${columns.length} columns.`);
    return fields.map(csvValue);
  });
  return { request: { inputs: frameToInputs(model, columns, rows) }, tabular: true };
}

/** An output tensor's values as JSON values (64-bit integers as numbers; half floats widened). */
function flatValues(t: OutputTensor): unknown[] {
  const d = t.data;
  if (Array.isArray(d)) return d;
  if (t.datatype === 'BOOL') return Array.from(d as Uint8Array, (b) => b !== 0);
  if (t.datatype === 'FP16') return Array.from(d as Uint16Array, fromHalf);
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) return Array.from(d as BigInt64Array, (v) => Number(v));
  return Array.from(d as Float32Array);
}

/** Flat values of `shape` → nested lists. */
function nest(values: unknown[], shape: number[]): unknown {
  if (shape.length <= 1) return shape.length === 0 ? values[0] : values;
  const [, ...rest] = shape;
  const step = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0]! }, (_, i) => nest(values.slice(i * step, (i + 1) * step), rest));
}

/**
 * The response body, as MLflow's scoring server writes an ONNX model's
 * predictions: for DataFrame input, records (one object per row, each output's
 * row flattened; a one-value row becomes a scalar); for tensor input, a
 * dictionary of output name → nested list.
 */
export function encodePredictions(result: InferenceResult, tabular: boolean): { predictions: unknown } {
  if (!tabular) return { predictions: Object.fromEntries(result.outputs.map((o) => [o.name, nest(flatValues(o), o.shape)])) };
  const rows = result.outputs[0]?.shape[0] ?? 0;
  const perRow = result.outputs.map((o) => {
    const values = flatValues(o);
    const width = o.shape.length === 0 || rows === 0 ? 1 : values.length / rows;
    return { name: o.name, at: (i: number) => (width === 1 ? values[i] : values.slice(i * width, (i + 1) * width)) };
  });
  return { predictions: Array.from({ length: rows }, (_, i) => Object.fromEntries(perRow.map((p) => [p.name, p.at(i)]))) };
}
