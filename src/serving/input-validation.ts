import { InvalidArgumentError } from '../errors.js';
import type { InferInput } from './serving-types.js';
import { DATATYPES, TENSOR_DATATYPES, allocate, elementCount, showShape, toHalf, type Tensor, type TensorData, type TensorMetadata } from './tensor.js';

/** Inputs checked against a model's signature, ready for its runtime. */
export interface ValidatedInputs {
  tensors: Record<string, Tensor>;
  /** The batch dimension shared by every input (1 for a model that does not batch). */
  rows: number;
}

const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function bad(message: string, input?: string, reason = 'invalid_input'): InvalidArgumentError {
  return new InvalidArgumentError(message, { details: { reason, ...(input === undefined ? {} : { input }) } });
}

const describe = (s: TensorMetadata) => `'${s.name}' (${s.datatype} ${showShape(s.shape)})`;
const listSpecs = (specs: TensorMetadata[]) => specs.map(describe).join(', ') || 'none';
const show = (v: unknown) => (v === undefined ? 'undefined' : (JSON.stringify(v) ?? String(v)).slice(0, 40));

/** Writes element `v` at `i`, or says what it should have been. */
type Put = (out: TensorData, i: number, v: unknown) => boolean;

function putFor(datatype: TensorMetadata['datatype']): { put: Put; expected: string } {
  const info = DATATYPES[datatype];
  switch (info.kind) {
    case 'float':
      return {
        expected: 'a number',
        put: (out, i, v) => {
          // The JSON body parser turns Python's bare NaN and Infinity into these strings.
          const n = typeof v === 'number' ? v : typeof v === 'string' ? NON_FINITE[v] : undefined;
          if (n === undefined) return false;
          (out as Float32Array)[i] = n;
          return true;
        },
      };
    case 'half':
      return {
        expected: 'a number',
        put: (out, i, v) => {
          const n = typeof v === 'number' ? v : typeof v === 'string' ? NON_FINITE[v] : undefined;
          if (n === undefined) return false;
          (out as Uint16Array)[i] = toHalf(n);
          return true;
        },
      };
    case 'int': {
      const min = info.min as number;
      const max = info.max as number;
      return {
        expected: `an integer from ${min} to ${max}`,
        put: (out, i, v) => {
          if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) return false;
          (out as Int32Array)[i] = v as number;
          return true;
        },
      };
    }
    case 'bigint': {
      const min = info.min as bigint;
      return {
        expected: `an integer${min === 0n ? ' ≥ 0' : ''} within ±2^53 (larger values are not exact in JSON)`,
        put: (out, i, v) => {
          if (!Number.isSafeInteger(v) || (min === 0n && (v as number) < 0)) return false;
          (out as BigInt64Array)[i] = BigInt(v as number);
          return true;
        },
      };
    }
    case 'bool':
      return {
        expected: 'true or false',
        put: (out, i, v) => {
          if (typeof v !== 'boolean') return false;
          (out as Uint8Array)[i] = v ? 1 : 0;
          return true;
        },
      };
    case 'bytes':
      return {
        expected: 'a string',
        put: (out, i, v) => {
          if (typeof v !== 'string') return false;
          (out as string[])[i] = v;
          return true;
        },
      };
  }
}

/** The sizes along the first element of each nesting level: [[1,2,3],[4,5,6]] → [2, 3]. */
function nestingOf(data: unknown[]): number[] {
  const dims: number[] = [];
  let cur: unknown = data;
  while (Array.isArray(cur)) {
    dims.push(cur.length);
    cur = cur[0];
  }
  return dims;
}

function checkShape(spec: TensorMetadata, shape: unknown, where: string): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw bad(`Input '${spec.name}' has shape ${show(shape)}; a shape is a list of non-negative integers. The model expects ${describe(spec)}.`, spec.name);
  }
  const dims = shape as number[];
  if (dims.length !== spec.shape.length) {
    throw bad(
      `Input '${spec.name}' ${where} ${showShape(dims)}, rank ${dims.length}; the model expects rank ${spec.shape.length}: ${spec.datatype} ${showShape(spec.shape)} (-1: any size).`,
      spec.name,
      'wrong_rank',
    );
  }
  dims.forEach((d, i) => {
    if (spec.shape[i]! >= 0 && spec.shape[i] !== d) {
      throw bad(
        `Input '${spec.name}' ${where} ${showShape(dims)}: dimension ${i} is ${d}, the model expects ${spec.shape[i]} (${spec.datatype} ${showShape(spec.shape)}).`,
        spec.name,
        'wrong_dimension',
      );
    }
  });
  return dims;
}

/** Copies nested `data` of shape `dims` into `out`, refusing ragged lists and values of the wrong type. */
function fill(spec: TensorMetadata, data: unknown[], dims: number[], out: TensorData): void {
  const { put, expected } = putFor(spec.datatype);
  let index = 0;
  const walk = (list: unknown[], depth: number, path: string): void => {
    if (list.length !== dims[depth]) {
      throw bad(
        `Input '${spec.name}' is ragged: data${path} has ${list.length} items where ${dims[depth]} were expected (shape ${showShape(dims)}).`,
        spec.name,
        'ragged',
      );
    }
    const leaf = depth === dims.length - 1;
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      if (leaf ? Array.isArray(v) : !Array.isArray(v)) {
        throw bad(`Input '${spec.name}' is ragged: data${path}[${i}] is ${leaf ? 'a list' : show(v)} where ${leaf ? 'a value' : 'a list'} was expected (shape ${showShape(dims)}).`, spec.name, 'ragged');
      }
      if (!leaf) walk(v as unknown[], depth + 1, `${path}[${i}]`);
      else if (!put(out, index++, v)) {
        throw bad(`Input '${spec.name}' (${spec.datatype}): element data${path}[${i}] is ${show(v)}, not ${expected}.`, spec.name, 'wrong_value');
      }
    }
  };
  walk(data, 0, '');
}

function validateInput(spec: TensorMetadata, input: InferInput): Tensor {
  if (input.datatype !== undefined && input.datatype !== spec.datatype) {
    const known = TENSOR_DATATYPES.includes(input.datatype as never);
    throw bad(
      known
        ? `Input '${spec.name}' has datatype ${input.datatype}; the model expects ${spec.datatype} ${showShape(spec.shape)}.`
        : `Input '${spec.name}' has datatype ${show(input.datatype)}, which is not a tensor datatype (${TENSOR_DATATYPES.join(', ')}); the model expects ${spec.datatype}.`,
      spec.name,
      'wrong_datatype',
    );
  }
  const data = input.data;
  if (ArrayBuffer.isView(data)) {
    const shape = checkShape(spec, input.shape, 'has shape');
    const typed = data as TensorData;
    const array = DATATYPES[spec.datatype].array;
    if (array && !(typed instanceof array)) throw bad(`Input '${spec.name}' carries ${typed.constructor.name} data; the model expects ${spec.datatype}.`, spec.name, 'wrong_datatype');
    if (typed.length !== elementCount(shape)) {
      throw bad(`Input '${spec.name}' has ${typed.length} values, but shape ${showShape(shape)} holds ${elementCount(shape)}.`, spec.name, 'wrong_length');
    }
    return { datatype: spec.datatype, shape, data: typed };
  }
  if (!Array.isArray(data)) throw bad(`Input '${spec.name}' needs "data", a list of values (flat or nested); got ${show(data)}.`, spec.name, 'missing_data');
  const nesting = nestingOf(data);
  let shape: number[];
  let dims: number[];
  if (input.shape === undefined) {
    shape = checkShape(spec, nesting, 'is nested as');
    dims = nesting;
  } else {
    shape = checkShape(spec, input.shape, 'has shape');
    const count = elementCount(shape);
    if (nesting.length === 1) {
      if (data.length !== count) {
        throw bad(`Input '${spec.name}' has ${data.length} values, but shape ${showShape(shape)} holds ${count}.`, spec.name, 'wrong_length');
      }
      dims = [count];
    } else {
      if (nesting.length !== shape.length || nesting.some((d, i) => d !== shape[i])) {
        throw bad(
          `Input '${spec.name}': data is nested as ${showShape(nesting)}, which does not match shape ${showShape(shape)}; nest the data as the shape says, or send a flat list of ${count} values.`,
          spec.name,
          'wrong_length',
        );
      }
      dims = shape;
    }
  }
  const out = allocate(spec.datatype, elementCount(dims));
  fill(spec, data, dims, out);
  return { datatype: spec.datatype, shape, data: out };
}

/**
 * Checks a request's inputs against the model's: every input named once, none
 * missing or unknown, each of the declared datatype, rank and fixed sizes,
 * with data that is a regular (non-ragged) list of values of that datatype,
 * as many as the shape holds. For a model that batches, every input must
 * agree on the batch size (dimension 0).
 * @throws InvalidArgumentError naming the input and what was expected.
 */
export function validateInputs(specs: TensorMetadata[], inputs: unknown, batchable: boolean): ValidatedInputs {
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw bad(`The request needs "inputs", a list of tensors; the model expects ${listSpecs(specs)}.`);
  }
  const byName = new Map(specs.map((s) => [s.name, s]));
  const tensors: Record<string, Tensor> = {};
  inputs.forEach((input: unknown, i) => {
    if (!isRecord(input) || typeof input.name !== 'string') throw bad(`inputs[${i}] must be an object with a string "name"; the model expects ${listSpecs(specs)}.`);
    const spec = byName.get(input.name);
    if (!spec) throw bad(`Unknown input '${input.name}': the model's inputs are ${listSpecs(specs)}.`, input.name, 'unknown_input');
    if (Object.hasOwn(tensors, spec.name)) throw bad(`Input '${spec.name}' is given more than once.`, spec.name, 'duplicate_input');
    tensors[spec.name] = validateInput(spec, input as unknown as InferInput);
  });
  const missing = specs.filter((s) => !Object.hasOwn(tensors, s.name));
  if (missing.length > 0) {
    throw bad(`Missing input${missing.length > 1 ? 's' : ''} ${listSpecs(missing)}; the model expects ${listSpecs(specs)}.`, missing[0]!.name, 'missing_input');
  }
  if (!batchable) return { tensors, rows: 1 };
  const first = specs[0]!;
  const rows = tensors[first.name]!.shape[0]!;
  for (const s of specs) {
    const n = tensors[s.name]!.shape[0];
    if (n !== rows) throw bad(`Inputs disagree on the batch size (dimension 0): '${first.name}' has ${rows} rows, '${s.name}' has ${n}.`, s.name, 'batch_mismatch');
  }
  return { tensors, rows };
}

/**
 * The outputs to compute: the requested ones (each once), or all when none are named.
 * @throws InvalidArgumentError for a name the model does not produce.
 */
export function validateOutputs(specs: TensorMetadata[], requested: string[] | undefined): string[] {
  if (!requested || requested.length === 0) return specs.map((s) => s.name);
  const known = new Set(specs.map((s) => s.name));
  for (const name of requested) {
    if (!known.has(name)) throw bad(`Unknown output '${name}': the model's outputs are ${listSpecs(specs)}.`, undefined, 'unknown_output');
  }
  return [...new Set(requested)];
}
