/** The Open Inference Protocol's JSON inference request and response, decoded to serving's types and back. */
import { InvalidArgumentError } from '../errors.js';
import { decodeBinaryTensor, encodeBinaryTensor } from './oip-binary.js';
import type { InferenceRequest, InferenceResult, InferInput } from './serving-types.js';
import { fromHalf, type Tensor } from './tensor.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parametersOf(v: unknown, where: string): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) throw new InvalidArgumentError(`${where} "parameters" must be an object of name/value pairs.`);
  return v;
}

/** A decoded inference request, and which outputs the client wants as binary data. */
export interface DecodedInferRequest {
  request: InferenceRequest;
  binaryOutput(name: string): boolean;
}

function decodeInput(raw: unknown, i: number, binary: { bytes: Buffer | undefined; at: number }): InferInput {
  if (!isRecord(raw) || typeof raw.name !== 'string') throw new InvalidArgumentError(`inputs[${i}] must be an object with a string "name", "shape", "datatype" and "data".`);
  const name = raw.name;
  if (typeof raw.datatype !== 'string') throw new InvalidArgumentError(`Input '${name}' needs "datatype" (FP32, INT64, BYTES, …).`);
  if (raw.shape === undefined) throw new InvalidArgumentError(`Input '${name}' needs "shape", a list of dimension sizes.`);
  const parameters = parametersOf(raw.parameters, `Input '${name}'`);
  const size = parameters?.binary_data_size;
  if (size === undefined) {
    if (raw.data === undefined) throw new InvalidArgumentError(`Input '${name}' needs "data" (or binary data announced by parameters.binary_data_size).`);
    return { name, datatype: raw.datatype, shape: raw.shape, data: raw.data, ...(parameters ? { parameters } : {}) };
  }
  if (!Number.isSafeInteger(size) || (size as number) < 0) throw new InvalidArgumentError(`Input '${name}': binary_data_size must be a non-negative integer.`);
  if (!binary.bytes) {
    throw new InvalidArgumentError(`Input '${name}' announces ${size} bytes of binary data, but the request has none: send them after the JSON and set Inference-Header-Content-Length.`);
  }
  if (binary.at + (size as number) > binary.bytes.length) {
    throw new InvalidArgumentError(`Input '${name}' announces ${size} bytes of binary data, but only ${binary.bytes.length - binary.at} remain in the body.`);
  }
  const bytes = binary.bytes.subarray(binary.at, binary.at + (size as number));
  binary.at += size as number;
  return { name, datatype: raw.datatype, shape: raw.shape, data: decodeBinaryTensor(name, raw.datatype, bytes), parameters };
}

/**
 * Reads `$inference_request`; `binary` is what followed the JSON header, if any.
 * @throws InvalidArgumentError for a body of the wrong structure. Tensor contents are checked later, against the model.
 */
export function decodeInferRequest(body: unknown, binary?: Buffer): DecodedInferRequest {
  if (!isRecord(body)) throw new InvalidArgumentError('The inference request must be a JSON object with "inputs".');
  if (body.id !== undefined && typeof body.id !== 'string') throw new InvalidArgumentError('"id" must be a string.');
  const parameters = parametersOf(body.parameters, 'The request');
  if (!Array.isArray(body.inputs)) throw new InvalidArgumentError('The inference request needs "inputs", a list of tensors.');
  const cursor = { bytes: binary && binary.length > 0 ? binary : undefined, at: 0 };
  const inputs = body.inputs.map((raw, i) => decodeInput(raw, i, cursor));
  if (cursor.bytes && cursor.at !== cursor.bytes.length) {
    throw new InvalidArgumentError(`The body has ${cursor.bytes.length - cursor.at} bytes of binary data that no input's binary_data_size accounts for.`);
  }
  const wantBinary = new Map<string, boolean>();
  let outputs: string[] | undefined;
  if (body.outputs !== undefined) {
    if (!Array.isArray(body.outputs)) throw new InvalidArgumentError('"outputs" must be a list of {"name": …} objects.');
    outputs = body.outputs.map((o, i) => {
      if (!isRecord(o) || typeof o.name !== 'string') throw new InvalidArgumentError(`outputs[${i}] must be an object with a string "name".`);
      const b = parametersOf(o.parameters, `Output '${o.name}'`)?.binary_data;
      if (typeof b === 'boolean') wantBinary.set(o.name, b);
      return o.name;
    });
  }
  const allBinary = parameters?.binary_data_output === true;
  const request: InferenceRequest = {
    inputs,
    ...(body.id === undefined ? {} : { id: body.id as string }),
    ...(outputs ? { outputs } : {}),
    ...(parameters ? { parameters } : {}),
  };
  return { request, binaryOutput: (name) => wantBinary.get(name) ?? allBinary };
}

/** A tensor's elements as a JSON array text; non-finite floats become null, which JSON can carry. */
function jsonData(t: Tensor): string {
  const d = t.data;
  if (Array.isArray(d)) return JSON.stringify(d);
  if (t.datatype === 'BOOL') return `[${Array.from(d as Uint8Array, (b) => (b ? 'true' : 'false')).join(',')}]`;
  if (t.datatype === 'FP16') return JSON.stringify(Array.from(d as Uint16Array, fromHalf));
  if (t.datatype === 'FP32' || t.datatype === 'FP64') {
    const f = d as Float64Array;
    for (let i = 0; i < f.length; i++) if (!Number.isFinite(f[i])) return JSON.stringify(Array.from(f));
  }
  // Integers, 64-bit ones included, print exactly.
  return `[${(d as Float64Array).join(',')}]`;
}

/**
 * Writes `$inference_response`. Outputs the client asked for as binary data
 * follow the JSON; then `headerLength` is the JSON's length in bytes.
 */
export function encodeInferResponse(result: InferenceResult, binaryOutput: (name: string) => boolean): { body: string | Buffer; headerLength?: number } {
  const binaries: Buffer[] = [];
  const outputs = result.outputs.map((o) => {
    const head = `{"name":${JSON.stringify(o.name)},"datatype":"${o.datatype}","shape":[${o.shape.join(',')}]`;
    if (!binaryOutput(o.name)) return `${head},"data":${jsonData(o)}}`;
    const bytes = encodeBinaryTensor(o.data);
    binaries.push(bytes);
    return `${head},"parameters":{"binary_data_size":${bytes.length}}}`;
  });
  const fields = [`"model_name":${JSON.stringify(result.modelName)}`, `"model_version":${JSON.stringify(result.modelVersion)}`];
  if (result.id !== undefined) fields.push(`"id":${JSON.stringify(result.id)}`);
  if (result.parameters !== undefined) fields.push(`"parameters":${JSON.stringify(result.parameters)}`);
  fields.push(`"outputs":[${outputs.join(',')}]`);
  const json = `{${fields.join(',')}}`;
  if (binaries.length === 0) return { body: json };
  const header = Buffer.from(json, 'utf8');
  return { body: Buffer.concat([header, ...binaries]), headerLength: header.length };
}
