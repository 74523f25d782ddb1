/**
 * Triton's binary tensor data extension: a JSON header, then each binary
 * tensor's bytes in the order the JSON lists them (little-endian, row-major;
 * BOOL one byte each; BYTES as a 4-byte length before each element).
 * `Inference-Header-Content-Length` gives the JSON header's length.
 */
import { InvalidArgumentError } from '../errors.js';
import { DATATYPES, isTensorDatatype, type TensorData } from './tensor.js';

export const HEADER_LENGTH = 'inference-header-content-length';

/** Splits a body into its JSON header text and the binary part after it. */
export function splitBinaryBody(body: Buffer, headerLength: string): { json: string; binary: Buffer } {
  const n = Number(headerLength);
  if (!Number.isSafeInteger(n) || n < 0 || n > body.length) {
    throw new InvalidArgumentError(`Inference-Header-Content-Length is '${headerLength}', but the body has ${body.length} bytes.`);
  }
  return { json: body.subarray(0, n).toString('utf8'), binary: body.subarray(n) };
}

function decodeStrings(bytes: Buffer, name: string): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 4 > bytes.length) throw new InvalidArgumentError(`Input '${name}': BYTES data ends inside an element's 4-byte length.`);
    const len = bytes.readUInt32LE(at);
    at += 4;
    if (at + len > bytes.length) throw new InvalidArgumentError(`Input '${name}': a BYTES element says ${len} bytes, but only ${bytes.length - at} remain.`);
    out.push(bytes.toString('utf8', at, at + len));
    at += len;
  }
  return out;
}

/**
 * The elements of one binary input. The bytes are copied into a fresh, aligned array.
 * @throws InvalidArgumentError when the size does not divide into whole elements.
 */
export function decodeBinaryTensor(name: string, datatype: unknown, bytes: Buffer): TensorData {
  if (!isTensorDatatype(datatype)) throw new InvalidArgumentError(`Input '${name}' has datatype ${JSON.stringify(datatype)}, which is not a tensor datatype.`);
  const array = DATATYPES[datatype].array;
  if (!array) return decodeStrings(bytes, name);
  if (bytes.length % array.BYTES_PER_ELEMENT !== 0) {
    throw new InvalidArgumentError(`Input '${name}': ${bytes.length} bytes of binary data is not a whole number of ${datatype} elements (${array.BYTES_PER_ELEMENT} bytes each).`);
  }
  const out = new array(bytes.length / array.BYTES_PER_ELEMENT);
  new Uint8Array(out.buffer).set(bytes);
  if (datatype === 'BOOL' && (out as Uint8Array).some((b) => b > 1)) throw new InvalidArgumentError(`Input '${name}': BOOL binary data holds bytes other than 0 and 1.`);
  return out;
}

/** The bytes of one output tensor. */
export function encodeBinaryTensor(data: TensorData): Buffer {
  if (Array.isArray(data)) {
    const parts: Buffer[] = [];
    for (const s of data) {
      const b = Buffer.from(s, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32LE(b.length);
      parts.push(len, b);
    }
    return Buffer.concat(parts);
  }
  const view = data as Exclude<TensorData, string[]>;
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}
