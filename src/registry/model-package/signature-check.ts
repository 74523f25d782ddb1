import { COLUMN_TYPE_DTYPES, isTensorSpec, type ColumnSpec, type ModelSignature, type SchemaEntry, type TensorSpec } from './model-signature.js';
import type { OnnxDim } from './onnx-proto.js';
import type { OnnxModelInfo, OnnxValueInfo } from './onnx-signature.js';

/** numpy spellings that name the same dtype as MLflow's canonical names. */
const DTYPE_ALIASES: Record<string, string> = {
  float: 'float64',
  double: 'float64',
  single: 'float32',
  half: 'float16',
  int: 'int64',
  long: 'int64',
  bool_: 'bool',
  string: 'str',
  str_: 'str',
  unicode: 'str',
  object: 'str',
};

const canonical = (dtype: string) => DTYPE_ALIASES[dtype] ?? dtype;

const showShape = (shape: readonly (OnnxDim | number)[]) => `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;

function compareTensor(what: string, spec: TensorSpec, value: OnnxValueInfo, problems: string[]): void {
  if (!value.isTensor) {
    problems.push(`${what}: the signature declares a tensor, the graph has a ${value.onnxType}`);
    return;
  }
  if (value.dtype === null || canonical(spec.dtype) !== value.dtype) {
    problems.push(`${what}: dtype ${spec.dtype} in the signature, ${value.dtype ?? value.onnxType} in the graph`);
  }
  if (value.shape === null) return;
  if (spec.shape.length !== value.shape.length) {
    problems.push(
      `${what}: rank ${spec.shape.length} in the signature ${showShape(spec.shape)}, rank ${value.shape.length} in the graph ${showShape(value.shape)}`,
    );
    return;
  }
  spec.shape.forEach((d, i) => {
    const g = value.shape![i];
    // A dynamic dim (-1) on either side accepts any size; two fixed sizes must agree.
    if (d >= 0 && typeof g === 'number' && g >= 0 && d !== g) {
      problems.push(`${what}: dimension ${i} is ${d} in the signature, ${g} in the graph ${showShape(value.shape!)}`);
    }
  });
}

/** A column may feed a tensor of its dtype; MLflow's ONNX wrapper also casts float64 to float32. */
function columnFits(col: ColumnSpec, value: OnnxValueInfo): boolean {
  const dtype = COLUMN_TYPE_DTYPES[col.type];
  if (dtype === undefined || value.dtype === null) return true;
  return dtype === value.dtype || (dtype === 'float64' && value.dtype === 'float32');
}

function compareNames(side: 'input' | 'output', declared: string[], graph: OnnxValueInfo[], problems: string[]): void {
  const graphNames = graph.map((v) => v.name);
  const missing = graphNames.filter((n) => !declared.includes(n));
  const unknown = declared.filter((n) => !graphNames.includes(n));
  for (const n of unknown) problems.push(`${side} '${n}' is in the signature but not in the graph (graph ${side}s: ${graphNames.join(', ') || 'none'})`);
  for (const n of missing) problems.push(`graph ${side} '${n}' is missing from the signature`);
}

function compareTensors(side: 'input' | 'output', specs: TensorSpec[], graph: OnnxValueInfo[], problems: string[]): void {
  if (specs.every((s) => s.name === undefined)) {
    // Unnamed tensors match by position, as MLflow feeds a lone ndarray to the only input.
    if (specs.length !== graph.length) {
      problems.push(`the signature has ${specs.length} unnamed ${side}(s), the graph has ${graph.length} (${graph.map((v) => v.name).join(', ')})`);
      return;
    }
    specs.forEach((s, i) => compareTensor(`${side} '${graph[i].name}'`, s, graph[i], problems));
    return;
  }
  compareNames(
    side,
    specs.map((s) => s.name ?? ''),
    graph,
    problems,
  );
  for (const s of specs) {
    const value = graph.find((v) => v.name === s.name);
    if (value) compareTensor(`${side} '${s.name}'`, s, value, problems);
  }
}

function compareColumns(side: 'input' | 'output', cols: ColumnSpec[], graph: OnnxValueInfo[], problems: string[]): void {
  if (side === 'input' && graph.length === 1) {
    // One graph input: MLflow feeds DataFrame.values, a [rows, columns] matrix.
    const input = graph[0];
    const what = `input '${input.name}'`;
    if (input.shape !== null && input.shape.length !== 2) {
      problems.push(`${what}: the signature's ${cols.length} column(s) make a rank-2 [rows, ${cols.length}] matrix, the graph expects rank ${input.shape.length} ${showShape(input.shape)}`);
    } else if (input.shape !== null && typeof input.shape[1] === 'number' && input.shape[1] >= 0 && input.shape[1] !== cols.length) {
      problems.push(`${what}: the signature has ${cols.length} column(s), the graph expects ${input.shape[1]} ${showShape(input.shape)}`);
    }
    for (const c of cols) {
      if (!columnFits(c, input)) problems.push(`column '${c.name ?? '?'}' of type ${c.type} cannot feed ${what} of dtype ${input.dtype}`);
    }
    return;
  }
  const named = cols.filter((c) => c.name !== undefined);
  if (named.length === 0) return;
  compareNames(
    side,
    named.map((c) => c.name!),
    graph,
    problems,
  );
  for (const c of named) {
    const value = graph.find((v) => v.name === c.name);
    if (value && !columnFits(c, value)) problems.push(`${side} '${c.name}': type ${c.type} in the signature, ${value.dtype ?? value.onnxType} in the graph`);
  }
}

function compareSide(side: 'input' | 'output', entries: SchemaEntry[] | undefined, graph: OnnxValueInfo[], problems: string[]): void {
  if (!entries || entries.length === 0) return;
  const tensors = entries.filter(isTensorSpec);
  if (tensors.length === entries.length) compareTensors(side, tensors, graph, problems);
  else compareColumns(side, entries as ColumnSpec[], graph, problems);
}

/**
 * Where a declared signature disagrees with the ONNX graph: input and
 * output names, dtypes, ranks and fixed dimensions. One sentence per
 * difference, naming the input or output; empty when they agree.
 */
export function signatureMismatches(signature: ModelSignature, onnx: Pick<OnnxModelInfo, 'inputs' | 'outputs'>): string[] {
  const problems: string[] = [];
  compareSide('input', signature.inputs, onnx.inputs, problems);
  compareSide('output', signature.outputs, onnx.outputs, problems);
  return problems;
}
