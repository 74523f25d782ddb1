/**
 * Tensors as serving passes them around: the Open Inference Protocol's
 * datatype names, a shape, and the elements flattened in row-major order.
 */

/** The Open Inference Protocol's tensor datatypes (KServe v2, Triton). */
export const TENSOR_DATATYPES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES'] as const;

export type TensorDatatype = (typeof TENSOR_DATATYPES)[number];

/**
 * Elements in row-major order. BOOL is a Uint8Array of 0/1, FP16 a Uint16Array
 * of IEEE half-precision bits (as onnxruntime takes them), BYTES an array of strings.
 */
export type TensorData =
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Float32Array
  | Float64Array
  | string[];

export interface Tensor {
  datatype: TensorDatatype;
  shape: number[];
  data: TensorData;
}

/** A named input or output as a model declares it; -1 marks a dimension of any size. */
export interface TensorMetadata {
  name: string;
  datatype: TensorDatatype;
  shape: number[];
}

type ArrayOf = { new (length: number): Exclude<TensorData, string[]>; BYTES_PER_ELEMENT: number };

/** How each datatype is stored, and the range of its values (integers only). */
export interface DatatypeInfo {
  kind: 'bool' | 'int' | 'bigint' | 'float' | 'half' | 'bytes';
  /** onnxruntime's name for the element type. */
  ort: string;
  array?: ArrayOf;
  min?: number | bigint;
  max?: number | bigint;
}

export const DATATYPES: Record<TensorDatatype, DatatypeInfo> = {
  BOOL: { kind: 'bool', ort: 'bool', array: Uint8Array },
  UINT8: { kind: 'int', ort: 'uint8', array: Uint8Array, min: 0, max: 255 },
  UINT16: { kind: 'int', ort: 'uint16', array: Uint16Array, min: 0, max: 65535 },
  UINT32: { kind: 'int', ort: 'uint32', array: Uint32Array, min: 0, max: 4294967295 },
  UINT64: { kind: 'bigint', ort: 'uint64', array: BigUint64Array, min: 0n, max: 2n ** 64n - 1n },
  INT8: { kind: 'int', ort: 'int8', array: Int8Array, min: -128, max: 127 },
  INT16: { kind: 'int', ort: 'int16', array: Int16Array, min: -32768, max: 32767 },
  INT32: { kind: 'int', ort: 'int32', array: Int32Array, min: -2147483648, max: 2147483647 },
  INT64: { kind: 'bigint', ort: 'int64', array: BigInt64Array, min: -(2n ** 63n), max: 2n ** 63n - 1n },
  FP16: { kind: 'half', ort: 'float16', array: Uint16Array },
  FP32: { kind: 'float', ort: 'float32', array: Float32Array },
  FP64: { kind: 'float', ort: 'float64', array: Float64Array },
  BYTES: { kind: 'bytes', ort: 'string' },
};

export function isTensorDatatype(v: unknown): v is TensorDatatype {
  return typeof v === 'string' && Object.hasOwn(DATATYPES, v);
}

/** numpy / MLflow dtype names (TensorSpec.dtype) and their aliases. */
const NUMPY_DATATYPES: Record<string, TensorDatatype> = {
  bool: 'BOOL',
  bool_: 'BOOL',
  uint8: 'UINT8',
  uint16: 'UINT16',
  uint32: 'UINT32',
  uint64: 'UINT64',
  int8: 'INT8',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  int: 'INT64',
  long: 'INT64',
  float16: 'FP16',
  half: 'FP16',
  float32: 'FP32',
  single: 'FP32',
  float64: 'FP64',
  float: 'FP64',
  double: 'FP64',
  str: 'BYTES',
  str_: 'BYTES',
  string: 'BYTES',
  unicode: 'BYTES',
  object: 'BYTES',
  bytes: 'BYTES',
};

/** The datatype for a numpy dtype name, or undefined for one serving cannot exchange (datetime64, bfloat16…). */
export function datatypeOfNumpy(dtype: string): TensorDatatype | undefined {
  return NUMPY_DATATYPES[dtype];
}

const ORT_DATATYPES = Object.fromEntries(Object.entries(DATATYPES).map(([k, v]) => [v.ort, k as TensorDatatype]));

/** The datatype for an onnxruntime element type name (float32, int64, string…). */
export function datatypeOfOrt(type: string): TensorDatatype | undefined {
  return ORT_DATATYPES[type];
}

/** Number of elements a shape holds (1 for a scalar's []). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Allocates the storage for `length` elements of `datatype`. */
export function allocate(datatype: TensorDatatype, length: number): TensorData {
  const array = DATATYPES[datatype].array;
  return array ? new array(length) : new Array<string>(length).fill('');
}

export function showShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 half-precision bits of `v`, rounded to nearest even. */
export function toHalf(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = sign | (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  return half;
}

/** The number that half-precision bits `h` stand for. */
export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
