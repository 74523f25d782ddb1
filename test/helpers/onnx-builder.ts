/**
 * Builds small, valid ONNX models in pure TypeScript, so tests need no Python.
 *
 * It hand-writes the protobuf wire format of the parts of onnx.proto that a
 * tiny inference graph needs: ModelProto (ir_version, opset_import, graph,
 * metadata_props), GraphProto (node, initializer, input, output), NodeProto
 * (with attributes), ValueInfoProto / TypeProto.Tensor / TensorShapeProto
 * (fixed, symbolic and unknown dims) and TensorProto (float, double, int32,
 * int64 and raw data, optionally stored as external data).
 */

/** onnx.TensorProto.DataType values by MLflow / numpy dtype name. */
export const ELEM_TYPES = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
  bfloat16: 16,
} as const;

export type ElemTypeName = keyof typeof ELEM_TYPES;

/** A dimension: a fixed size, a symbolic name (dim_param, e.g. 'batch'), or null for an unnamed unknown dim. */
export type DimSpec = number | string | null;

export interface ValueSpec {
  name: string;
  dtype: ElemTypeName;
  /** Omitted: the value has no shape at all (rank unknown). */
  shape?: DimSpec[];
}

export type AttributeValue =
  | { int: number }
  | { float: number }
  | { string: string }
  | { ints: number[] }
  | { floats: number[] }
  /** A tensor attribute, e.g. a Constant's `value` (it may use external data). */
  | { tensor: InitializerSpec };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attributes?: Record<string, AttributeValue>;
}

export interface InitializerSpec {
  name: string;
  dtype: 'float32' | 'float64' | 'int32' | 'int64';
  dims: number[];
  values: number[];
  /** Store the data as external data in this file (relative to the model), as onnx.save_model does for big tensors. */
  externalFile?: string;
}

export interface ModelSpec {
  /** Default 8 (ONNX 1.10+). */
  irVersion?: number;
  /** Version of the default ('' / ai.onnx) domain; default 13. */
  opset?: number;
  /** Extra operator sets, e.g. { domain: 'ai.onnx.ml', version: 3 }. */
  extraOpsets?: Array<{ domain: string; version: number }>;
  producerName?: string;
  graphName?: string;
  nodes: NodeSpec[];
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  initializers?: InitializerSpec[];
  metadataProps?: Record<string, string>;
}

/** The bytes of each external data file that `buildModel` referenced, by file name. */
export interface BuiltModel {
  bytes: Buffer;
  externalData: Map<string, Buffer>;
}

// ---- protobuf wire format ----

const VARINT = 0;
const I32 = 5;
const LEN = 2;

class ProtoWriter {
  private readonly parts: Buffer[] = [];

  private key(field: number, wire: number): void {
    this.rawVarint(BigInt((field << 3) | wire));
  }

  /** Varints are two's complement 64-bit, so negative int64s take ten bytes. */
  private rawVarint(value: bigint): void {
    let v = BigInt.asUintN(64, value);
    const bytes: number[] = [];
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) b |= 0x80;
      bytes.push(b);
    } while (v !== 0n);
    this.parts.push(Buffer.from(bytes));
  }

  varint(field: number, value: number | bigint): this {
    this.key(field, VARINT);
    this.rawVarint(BigInt(value));
    return this;
  }

  float(field: number, value: number): this {
    this.key(field, I32);
    const b = Buffer.alloc(4);
    b.writeFloatLE(value);
    this.parts.push(b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, LEN);
    this.rawVarint(BigInt(value.length));
    this.parts.push(Buffer.from(value));
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  message(field: number, inner: ProtoWriter): this {
    return this.bytes(field, inner.finish());
  }

  packedVarints(field: number, values: Array<number | bigint>): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.rawVarint(BigInt(v));
    return this.bytes(field, inner.finish());
  }

  packedFloats(field: number, values: number[]): this {
    const b = Buffer.alloc(values.length * 4);
    values.forEach((v, i) => b.writeFloatLE(v, i * 4));
    return this.bytes(field, b);
  }

  packedDoubles(field: number, values: number[]): this {
    const b = Buffer.alloc(values.length * 8);
    values.forEach((v, i) => b.writeDoubleLE(v, i * 8));
    return this.bytes(field, b);
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function encodeDim(dim: DimSpec): ProtoWriter {
  const d = new ProtoWriter();
  if (typeof dim === 'number') d.varint(1, dim);
  else if (typeof dim === 'string') d.string(2, dim);
  return d;
}

function encodeValueInfo(v: ValueSpec): ProtoWriter {
  const tensor = new ProtoWriter().varint(1, ELEM_TYPES[v.dtype]);
  if (v.shape) {
    const shape = new ProtoWriter();
    for (const dim of v.shape) shape.message(1, encodeDim(dim));
    tensor.message(2, shape);
  }
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensor));
}

function encodeAttribute(name: string, value: AttributeValue, external: Map<string, Buffer>): ProtoWriter {
  const a = new ProtoWriter().string(1, name);
  if ('tensor' in value) a.varint(20, 4).message(5, encodeInitializer(value.tensor, external));
  else if ('int' in value) a.varint(20, 2).varint(3, value.int);
  else if ('float' in value) a.varint(20, 1).float(2, value.float);
  else if ('string' in value) a.varint(20, 3).string(4, value.string);
  else if ('ints' in value) a.varint(20, 7).packedVarints(8, value.ints);
  else a.varint(20, 6).packedFloats(7, value.floats);
  return a;
}

function encodeNode(n: NodeSpec, index: number, external: Map<string, Buffer>): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name ?? `${n.op.toLowerCase()}_${index}`);
  w.string(4, n.op);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(5, encodeAttribute(k, v, external));
  if (n.domain) w.string(7, n.domain);
  return w;
}

function tensorData(t: InitializerSpec): Buffer {
  const width = t.dtype === 'float32' || t.dtype === 'int32' ? 4 : 8;
  const b = Buffer.alloc(t.values.length * width);
  t.values.forEach((v, i) => {
    if (t.dtype === 'float32') b.writeFloatLE(v, i * 4);
    else if (t.dtype === 'float64') b.writeDoubleLE(v, i * 8);
    else if (t.dtype === 'int32') b.writeInt32LE(v, i * 4);
    else b.writeBigInt64LE(BigInt(v), i * 8);
  });
  return b;
}

function encodeInitializer(t: InitializerSpec, external: Map<string, Buffer>): ProtoWriter {
  const expected = t.dims.reduce((a, b) => a * b, 1);
  if (expected !== t.values.length) throw new Error(`initializer ${t.name}: dims ${JSON.stringify(t.dims)} hold ${expected} values, got ${t.values.length}`);
  const w = new ProtoWriter().packedVarints(1, t.dims).varint(2, ELEM_TYPES[t.dtype]);
  w.string(8, t.name);
  if (t.externalFile) {
    // TensorProto.external_data (13) key/value pairs and data_location (14) = EXTERNAL.
    const data = tensorData(t);
    const offset = external.get(t.externalFile)?.length ?? 0;
    external.set(t.externalFile, Buffer.concat([external.get(t.externalFile) ?? Buffer.alloc(0), data]));
    for (const [k, v] of [
      ['location', t.externalFile],
      ['offset', String(offset)],
      ['length', String(data.length)],
    ]) {
      w.message(13, new ProtoWriter().string(1, k).string(2, v));
    }
    w.varint(14, 1);
    return w;
  }
  if (t.dtype === 'float32') w.packedFloats(4, t.values);
  else if (t.dtype === 'float64') w.packedDoubles(10, t.values);
  else if (t.dtype === 'int32') w.packedVarints(5, t.values);
  else w.packedVarints(7, t.values);
  return w;
}

/** Encodes a whole model; external data (if any initializer asks for it) comes back beside the bytes. */
export function buildModelWithExternalData(spec: ModelSpec): BuiltModel {
  const external = new Map<string, Buffer>();
  const graph = new ProtoWriter();
  spec.nodes.forEach((n, i) => graph.message(1, encodeNode(n, i, external)));
  graph.string(2, spec.graphName ?? 'ferry_test_graph');
  for (const t of spec.initializers ?? []) graph.message(5, encodeInitializer(t, external));
  for (const v of spec.inputs) graph.message(11, encodeValueInfo(v));
  for (const v of spec.outputs) graph.message(12, encodeValueInfo(v));

  const model = new ProtoWriter().varint(1, spec.irVersion ?? 8);
  model.string(2, spec.producerName ?? 'ferry-onnx-builder').string(3, '0.1');
  model.message(7, graph);
  model.message(8, new ProtoWriter().string(1, '').varint(2, spec.opset ?? 13));
  for (const o of spec.extraOpsets ?? []) model.message(8, new ProtoWriter().string(1, o.domain).varint(2, o.version));
  for (const [k, v] of Object.entries(spec.metadataProps ?? {})) model.message(14, new ProtoWriter().string(1, k).string(2, v));
  return { bytes: model.finish(), externalData: external };
}

/** Encodes a model with all data inline. */
export function buildModel(spec: ModelSpec): Buffer {
  const built = buildModelWithExternalData(spec);
  if (built.externalData.size > 0) throw new Error('this model has external data: use buildModelWithExternalData');
  return built.bytes;
}

// ---- ready-made models ----

/** Deterministic weights for a linear layer: w[i][j] = ((i + 2 j) mod 5 - 2) / 4. */
export function linearWeights(inputs: number, outputs: number): number[][] {
  return Array.from({ length: inputs }, (_, i) => Array.from({ length: outputs }, (_, j) => (((i + 2 * j) % 5) - 2) / 4));
}

export interface LinearModelOptions {
  inputs: number;
  outputs: number;
  /** inputs × outputs; default `linearWeights(inputs, outputs)`. */
  weights?: number[][];
  /** Default all 0.5. */
  bias?: number[];
  opset?: number;
  irVersion?: number;
  /** The batch dim: a symbolic name (default 'batch'), a fixed size, or null for an unnamed dynamic dim. */
  batch?: DimSpec;
  inputName?: string;
  outputName?: string;
  /** 'gemm' (one Gemm node, the default) or 'matmul' (MatMul then Add). */
  op?: 'gemm' | 'matmul';
  /** Apply Relu to the result. */
  relu?: boolean;
  /** Keep the weights in this external data file (use buildLinearModelWithExternalData). */
  externalFile?: string;
}

function linearSpec(o: LinearModelOptions): ModelSpec {
  const weights = o.weights ?? linearWeights(o.inputs, o.outputs);
  const bias = o.bias ?? Array.from({ length: o.outputs }, () => 0.5);
  const x = o.inputName ?? 'x';
  const y = o.outputName ?? 'y';
  const batch = o.batch === undefined ? 'batch' : o.batch;
  const pre = o.relu ? 'pre_relu' : y;
  const nodes: NodeSpec[] =
    (o.op ?? 'gemm') === 'gemm'
      ? [{ op: 'Gemm', inputs: [x, 'W', 'B'], outputs: [pre] }]
      : [
          { op: 'MatMul', inputs: [x, 'W'], outputs: ['xw'] },
          { op: 'Add', inputs: ['xw', 'B'], outputs: [pre] },
        ];
  if (o.relu) nodes.push({ op: 'Relu', inputs: [pre], outputs: [y] });
  return {
    opset: o.opset,
    irVersion: o.irVersion,
    graphName: 'linear',
    nodes,
    inputs: [{ name: x, dtype: 'float32', shape: [batch, o.inputs] }],
    outputs: [{ name: y, dtype: 'float32', shape: [batch, o.outputs] }],
    initializers: [
      { name: 'W', dtype: 'float32', dims: [o.inputs, o.outputs], values: weights.flat(), externalFile: o.externalFile },
      { name: 'B', dtype: 'float32', dims: [o.outputs], values: bias },
    ],
  };
}

/** y = x·W + b (then Relu if asked), with x of shape [batch, inputs] float32. */
export function buildLinearModel(o: LinearModelOptions): Buffer {
  return buildModel(linearSpec(o));
}

export function buildLinearModelWithExternalData(o: LinearModelOptions & { externalFile: string }): BuiltModel {
  return buildModelWithExternalData(linearSpec(o));
}

/** What `buildLinearModel` computes, for checking outputs. */
export function linearReference(x: number[][], o: LinearModelOptions): number[][] {
  const weights = o.weights ?? linearWeights(o.inputs, o.outputs);
  const bias = o.bias ?? Array.from({ length: o.outputs }, () => 0.5);
  return x.map((row) =>
    Array.from({ length: o.outputs }, (_, j) => {
      const v = row.reduce((s, xi, i) => s + xi * weights[i][j], bias[j]);
      return o.relu ? Math.max(0, v) : v;
    }),
  );
}

export interface AddModelOptions {
  dtype?: 'float32' | 'float64' | 'int32' | 'int64';
  /** Shape of a, b and the sum; default ['batch', 3]. */
  shape?: DimSpec[];
  names?: { a?: string; b?: string; sum?: string };
  opset?: number;
}

/** sum = a + b, elementwise. */
export function buildAddModel(o: AddModelOptions = {}): Buffer {
  const dtype = o.dtype ?? 'float32';
  const shape = o.shape ?? ['batch', 3];
  const a = o.names?.a ?? 'a';
  const b = o.names?.b ?? 'b';
  const sum = o.names?.sum ?? 'sum';
  return buildModel({
    opset: o.opset,
    graphName: 'add',
    nodes: [{ op: 'Add', inputs: [a, b], outputs: [sum] }],
    inputs: [
      { name: a, dtype, shape },
      { name: b, dtype, shape },
    ],
    outputs: [{ name: sum, dtype, shape }],
  });
}

/** out = Identity(in) for any dtype and shape (shape undefined: no shape recorded). */
export function buildIdentityModel(o: { dtype: ElemTypeName; shape?: DimSpec[]; inputName?: string; outputName?: string; opset?: number }): Buffer {
  const input = o.inputName ?? 'input';
  const output = o.outputName ?? 'output';
  return buildModel({
    opset: o.opset,
    graphName: 'identity',
    nodes: [{ op: 'Identity', inputs: [input], outputs: [output] }],
    inputs: [{ name: input, dtype: o.dtype, shape: o.shape }],
    outputs: [{ name: output, dtype: o.dtype, shape: o.shape }],
  });
}

/** Bytes that are not an ONNX model: a valid model cut in half, then junk. */
export function corruptModelBytes(): Buffer {
  const valid = buildLinearModel({ inputs: 4, outputs: 2 });
  return Buffer.concat([valid.subarray(0, Math.floor(valid.length / 2)), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])]);
}

/** A well-formed ModelProto stamped with an operator set no runtime knows (default opset 99). */
export function buildUnsupportedOpsetModel(opset = 99): Buffer {
  return buildLinearModel({ inputs: 4, outputs: 2, opset });
}

/** y = x + bias where `bias` is an initializer also listed among the graph inputs (IR < 4 style): callers feed only `x`. */
export function buildInitializerInputModel(): Buffer {
  return buildModel({
    irVersion: 3,
    opset: 9,
    nodes: [{ op: 'Add', inputs: ['x', 'bias'], outputs: ['y'] }],
    inputs: [
      { name: 'x', dtype: 'float32', shape: [2] },
      { name: 'bias', dtype: 'float32', shape: [2] },
    ],
    outputs: [{ name: 'y', dtype: 'float32', shape: [2] }],
    initializers: [{ name: 'bias', dtype: 'float32', dims: [2], values: [1, 2] }],
  });
}
