/**
 * A tiny reader for the parts of onnx.proto that onnxruntime-node does not
 * report: IR version, operator sets, whether a value's rank is known, and
 * which tensors live in external data files. It walks the protobuf wire
 * format without copying, skipping everything else (node lists, weights).
 */

/** One dimension: a fixed size, a symbolic name (dim_param), or null when neither is set. */
export type OnnxDim = number | string | null;

export interface OnnxValueProto {
  name: string;
  /** 'tensor' (the only kind MLflow signatures describe), or sequence / map / optional / sparse_tensor. */
  kind: 'tensor' | 'sequence' | 'map' | 'optional' | 'sparse_tensor' | 'unknown';
  /** TensorProto.DataType of a tensor (1 = float, 7 = int64…); undefined when not a tensor or not set. */
  elemType?: number;
  /** undefined when the graph records no shape (unknown rank); [] for a scalar. */
  shape?: OnnxDim[];
}

export interface OnnxModelProto {
  irVersion: number;
  /** Operator set version by domain; the default domain is '' (ai.onnx). */
  opsets: Map<string, number>;
  producerName: string;
  producerVersion: string;
  /** Graph inputs that are not initializers (what a caller must feed), in order. */
  inputs: OnnxValueProto[];
  outputs: OnnxValueProto[];
  /** Files named by tensors stored as external data, relative to the model file. */
  externalDataFiles: string[];
}

class Malformed extends Error {}

type Field = { field: number; wire: number; value: bigint; bytes?: Uint8Array };

/** Iterates the fields of one message. Throws Malformed on truncated or impossible input. */
function* fields(buf: Uint8Array): Generator<Field> {
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= buf.length) throw new Malformed('truncated varint');
      const b = buf[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
    }
    throw new Malformed('varint longer than 10 bytes');
  };
  while (pos < buf.length) {
    const key = varint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0) throw new Malformed('field number 0');
    if (wire === 0) yield { field, wire, value: varint() };
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (pos + n > buf.length) throw new Malformed('truncated fixed-width field');
      pos += n;
      yield { field, wire, value: 0n };
    } else if (wire === 2) {
      const len = varint();
      if (len > BigInt(buf.length - pos)) throw new Malformed(`field ${field} claims ${len} bytes, ${buf.length - pos} left`);
      const bytes = buf.subarray(pos, pos + Number(len));
      pos += Number(len);
      yield { field, wire, value: len, bytes };
    } else {
      throw new Malformed(`wire type ${wire} (groups are not used by ONNX)`);
    }
  }
}

const utf8 = new TextDecoder('utf-8');
const text = (f: Field) => (f.bytes ? utf8.decode(f.bytes) : '');
const sub = (f: Field) => f.bytes ?? new Uint8Array(0);

function readShape(buf: Uint8Array): OnnxDim[] {
  const dims: OnnxDim[] = [];
  for (const f of fields(buf)) {
    if (f.field !== 1 || f.wire !== 2) continue;
    let dim: OnnxDim = null;
    for (const d of fields(sub(f))) {
      if (d.field === 1 && d.wire === 0) dim = Number(BigInt.asIntN(64, d.value));
      else if (d.field === 2 && d.wire === 2) dim = text(d);
    }
    dims.push(dim);
  }
  return dims;
}

function readValueInfo(buf: Uint8Array): OnnxValueProto {
  const v: OnnxValueProto = { name: '', kind: 'unknown' };
  for (const f of fields(buf)) {
    if (f.field === 1 && f.wire === 2) v.name = text(f);
    else if (f.field === 2 && f.wire === 2) {
      for (const t of fields(sub(f))) {
        // TypeProto oneof value: tensor_type 1, sequence_type 4, map_type 5, sparse_tensor_type 8, optional_type 9.
        const kinds: Record<number, OnnxValueProto['kind']> = { 1: 'tensor', 4: 'sequence', 5: 'map', 8: 'sparse_tensor', 9: 'optional' };
        if (t.wire !== 2 || !kinds[t.field]) continue;
        v.kind = kinds[t.field];
        if (t.field !== 1 && t.field !== 8) continue;
        for (const x of fields(sub(t))) {
          if (x.field === 1 && x.wire === 0) v.elemType = Number(x.value);
          else if (x.field === 2 && x.wire === 2) v.shape = readShape(sub(x));
        }
      }
    }
  }
  return v;
}

/** A TensorProto: its name, and the external file its data is in (data_location = EXTERNAL). */
function readTensor(buf: Uint8Array, external: Set<string>): string {
  let name = '';
  let location: string | undefined;
  let isExternal = false;
  for (const f of fields(buf)) {
    if (f.field === 8 && f.wire === 2) name = text(f);
    else if (f.field === 14 && f.wire === 0) isExternal = f.value === 1n;
    else if (f.field === 13 && f.wire === 2) {
      let key = '';
      let value = '';
      for (const kv of fields(sub(f))) {
        if (kv.field === 1) key = text(kv);
        else if (kv.field === 2) value = text(kv);
      }
      if (key === 'location') location = value;
    }
  }
  if (isExternal) external.add(location ?? '');
  return name;
}

/** Tensors hide in node attributes too (Constant values, If/Loop subgraphs), so walk those for external data. */
function scanNode(buf: Uint8Array, external: Set<string>): void {
  for (const f of fields(buf)) {
    if (f.field !== 5 || f.wire !== 2) continue;
    for (const a of fields(sub(f))) {
      // AttributeProto: t 5, g 6, tensors 10, graphs 11, sparse_tensor 22, sparse_tensors 23.
      if (a.wire !== 2) continue;
      if (a.field === 5 || a.field === 10) readTensor(sub(a), external);
      else if (a.field === 6 || a.field === 11) scanGraph(sub(a), external);
      else if (a.field === 22 || a.field === 23) scanSparse(sub(a), external);
    }
  }
}

function scanSparse(buf: Uint8Array, external: Set<string>): void {
  for (const f of fields(buf)) if ((f.field === 1 || f.field === 2) && f.wire === 2) readTensor(sub(f), external);
}

function scanGraph(buf: Uint8Array, external: Set<string>, io?: { inputs: OnnxValueProto[]; outputs: OnnxValueProto[]; initializers: Set<string> }): void {
  for (const f of fields(buf)) {
    if (f.wire !== 2) continue;
    if (f.field === 1) scanNode(sub(f), external);
    else if (f.field === 5) {
      const name = readTensor(sub(f), external);
      io?.initializers.add(name);
    } else if (f.field === 15) scanSparse(sub(f), external);
    else if (io && f.field === 11) io.inputs.push(readValueInfo(sub(f)));
    else if (io && f.field === 12) io.outputs.push(readValueInfo(sub(f)));
  }
}

/**
 * Reads a serialized ModelProto.
 * @throws Error with a reason when the bytes are not a well-formed protobuf message or have no graph.
 */
export function readOnnxModelProto(bytes: Uint8Array): OnnxModelProto {
  const model: OnnxModelProto = { irVersion: 0, opsets: new Map(), producerName: '', producerVersion: '', inputs: [], outputs: [], externalDataFiles: [] };
  const external = new Set<string>();
  let hasGraph = false;
  if (bytes.length === 0) throw new Error('the file is empty');
  try {
    const io = { inputs: [] as OnnxValueProto[], outputs: [] as OnnxValueProto[], initializers: new Set<string>() };
    for (const f of fields(bytes)) {
      if (f.field === 1 && f.wire === 0) model.irVersion = Number(f.value);
      else if (f.field === 2 && f.wire === 2) model.producerName = text(f);
      else if (f.field === 3 && f.wire === 2) model.producerVersion = text(f);
      else if (f.field === 7 && f.wire === 2) {
        hasGraph = true;
        scanGraph(sub(f), external, io);
      } else if (f.field === 8 && f.wire === 2) {
        let domain = '';
        let version = 0;
        for (const o of fields(sub(f))) {
          if (o.field === 1 && o.wire === 2) domain = text(o);
          else if (o.field === 2 && o.wire === 0) version = Number(o.value);
        }
        model.opsets.set(domain === 'ai.onnx' ? '' : domain, version);
      } else if (f.field === 25 && f.wire === 2) {
        // FunctionProto.node is field 7.
        for (const n of fields(sub(f))) if (n.field === 7 && n.wire === 2) scanNode(sub(n), external);
      }
    }
    // Before IR 4 every initializer was also listed as an input; callers feed only the rest.
    model.inputs = io.inputs.filter((v) => !io.initializers.has(v.name));
    model.outputs = io.outputs;
  } catch (err) {
    if (err instanceof Malformed) throw new Error(`malformed protobuf (${err.message})`);
    throw err;
  }
  if (!hasGraph) throw new Error('there is no graph in it');
  model.externalDataFiles = [...external];
  return model;
}

/** MLflow's (numpy's) dtype name for each TensorProto.DataType that MLflow can describe. */
export const ONNX_ELEM_TYPE_DTYPES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'str',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
};

/** ONNX's own names, for messages about types MLflow has no dtype for. */
export const ONNX_ELEM_TYPE_NAMES: Record<number, string> = {
  0: 'undefined',
  16: 'bfloat16',
  17: 'float8e4m3fn',
  18: 'float8e4m3fnuz',
  19: 'float8e5m2',
  20: 'float8e5m2fnuz',
  21: 'uint4',
  22: 'int4',
  23: 'float4e2m1',
};
