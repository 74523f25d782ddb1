import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { InvalidArgumentError } from '../../errors.js';
import type { ModelSignature, TensorSpec } from './model-signature.js';
import { ONNX_ELEM_TYPE_DTYPES, ONNX_ELEM_TYPE_NAMES, readOnnxModelProto, type OnnxDim, type OnnxModelProto, type OnnxValueProto } from './onnx-proto.js';

/** One graph input or output as the runtime sees it. */
export interface OnnxValueInfo {
  name: string;
  isTensor: boolean;
  /** MLflow's dtype name (float32, int64, str, bool…); null when MLflow has none (bfloat16, int4, a sequence…). */
  dtype: string | null;
  /** ONNX's element type name (float, int64, string, bfloat16…) or the value kind (sequence, map). */
  onnxType: string;
  /** Fixed sizes and symbolic names (null: unnamed dynamic dim); null when the graph records no shape at all. */
  shape: OnnxDim[] | null;
}

/** What opening an ONNX model tells about it. */
export interface OnnxModelInfo {
  irVersion: number;
  /** Version of the default operator set (ai.onnx); 0 if the model imports none. */
  opset: number;
  /** Every imported operator set, by domain ('ai.onnx' for the default one). */
  opsets: Record<string, number>;
  producer?: string;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  sizeBytes: number;
  /** External data files the graph reads, relative to the model file. */
  externalDataFiles: string[];
}

/** Why a model cannot be used, in `details.reason` of the InvalidArgumentError. */
export type OnnxProblem = 'onnx_corrupt' | 'onnx_unsupported_opset' | 'onnx_unsupported_ir_version' | 'onnx_unsupported_operator' | 'onnx_external_data';

type Ort = typeof import('onnxruntime-node');
let ortModule: Promise<Ort> | undefined;

/** onnxruntime-node loads a native library, so it is imported on first use only. */
function ort(): Promise<Ort> {
  ortModule ??= import('onnxruntime-node');
  return ortModule;
}

/** The onnxruntime-node version that decides what loads. */
export async function onnxRuntimeVersion(): Promise<string> {
  const o = await ort();
  return o.env.versions?.node ?? o.env.versions?.common ?? 'unknown';
}

function problem(reason: OnnxProblem, message: string, extra: Record<string, unknown> = {}): InvalidArgumentError {
  return new InvalidArgumentError(message, { details: { reason, ...extra } });
}

/** ORT prefixes messages with a source location and a C++ signature; keep the sentence. */
function runtimeMessage(err: unknown): string {
  const msg = String((err as Error)?.message ?? err).trim();
  const m = /^\S+\.(?:h|cc|cpp):\d+ [\s\S]*?\) (?=[A-Z])([\s\S]*)$/.exec(msg);
  return (m ? m[1] : msg).replace(/\s+/g, ' ').trim();
}

function domainName(domain: string): string {
  return domain === '' ? 'ai.onnx' : domain;
}

function classify(err: unknown, file: string, proto: OnnxModelProto, runtime: string): InvalidArgumentError {
  const msg = runtimeMessage(err);
  const opsets = [...proto.opsets].map(([d, v]) => `${domainName(d)} ${v}`).join(', ') || 'none';
  if (/Unsupported model IR version/i.test(msg)) {
    return problem('onnx_unsupported_ir_version', `${file} has IR version ${proto.irVersion}, which onnxruntime-node ${runtime} cannot load: ${msg}`, {
      irVersion: proto.irVersion,
    });
  }
  if (/opset/i.test(msg) && /support/i.test(msg)) {
    const domain = /for domain (\S+?) is till/i.exec(msg)?.[1];
    const max = /till opset (\d+)/i.exec(msg)?.[1];
    const stamped = /Opset (\d+) is under development/i.exec(msg)?.[1];
    const which = stamped ? `opset ${stamped}${domain ? ` of domain ${domain}` : ''}` : `its opsets (${opsets})`;
    return problem(
      'onnx_unsupported_opset',
      `${file} uses ${which}, which onnxruntime-node ${runtime} cannot load${max ? ` (it supports ${domain ?? 'that domain'} up to opset ${max})` : ''}: ${msg}`,
      { opsets: Object.fromEntries([...proto.opsets].map(([d, v]) => [domainName(d), v])), ...(max ? { maxSupportedOpset: Number(max) } : {}) },
    );
  }
  const kernel = /Could not find an implementation for (\S+)\((\d+)\)/.exec(msg);
  if (kernel) {
    return problem(
      'onnx_unsupported_opset',
      `${file} uses opset ${proto.opsets.get('') ?? '?'}, and onnxruntime-node ${runtime} has no implementation of ${kernel[1]} for opset ${kernel[2]}: ${msg}`,
      { operator: kernel[1], opsetVersion: Number(kernel[2]) },
    );
  }
  const op = /No Op registered for (\S+) with domain_version of (\d+)/.exec(msg);
  if (op) {
    return problem('onnx_unsupported_operator', `${file} uses operator ${op[1]}, which onnxruntime-node ${runtime} does not know at opset ${op[2]}: ${msg}`, {
      operator: op[1],
    });
  }
  const type = /Unsupported data type: (\d+)/.exec(msg);
  if (type) {
    const t = Number(type[1]);
    return problem('onnx_corrupt', `${file} has an input or output of type ${ONNX_ELEM_TYPE_NAMES[t] ?? t}, which onnxruntime-node ${runtime} cannot exchange: ${msg}`);
  }
  return problem('onnx_corrupt', `${file} is not a model ONNX Runtime can load (corrupt or invalid): ${msg}`);
}

function typeName(v: OnnxValueProto): string {
  if (v.kind !== 'tensor') return v.kind;
  if (v.elemType === undefined) return 'undefined';
  const dtype = ONNX_ELEM_TYPE_DTYPES[v.elemType];
  if (dtype === 'float32') return 'float';
  if (dtype === 'float64') return 'double';
  if (dtype === 'str') return 'string';
  return dtype ?? ONNX_ELEM_TYPE_NAMES[v.elemType] ?? `type ${v.elemType}`;
}

function describe(v: OnnxValueProto): OnnxValueInfo {
  const isTensor = v.kind === 'tensor';
  return {
    name: v.name,
    isTensor,
    dtype: isTensor && v.elemType !== undefined ? (ONNX_ELEM_TYPE_DTYPES[v.elemType] ?? null) : null,
    onnxType: typeName(v),
    shape: isTensor && v.shape ? v.shape : null,
  };
}

/** A safe relative file name for external data (no absolute paths, no '..'), or undefined. */
function safeRelative(location: string): string | undefined {
  const parts = location.replace(/\\/g, '/').split('/');
  if (location === '' || location.startsWith('/') || /^[A-Za-z]:/.test(location)) return undefined;
  if (parts.some((p) => p === '..' || p === '' || p.includes('\0'))) return undefined;
  return parts.filter((p) => p !== '.').join('/');
}

export interface InspectOnnxOptions {
  /** Name used in messages (default `model.onnx`). */
  fileName?: string;
  /** Bytes of the external data files, by the location the model names. */
  externalData?: Map<string, Uint8Array>;
}

function externalFiles(proto: OnnxModelProto, fileName: string): string[] {
  return proto.externalDataFiles.map((loc) => {
    const safe = safeRelative(loc);
    if (!safe) throw problem('onnx_external_data', `${fileName} keeps tensor data in '${loc}', which is not a file beside the model.`, { location: loc });
    return safe;
  });
}

function parse(bytes: Uint8Array, fileName: string): OnnxModelProto {
  try {
    return readOnnxModelProto(bytes);
  } catch (err) {
    throw problem('onnx_corrupt', `${fileName} is not a valid ONNX model: ${(err as Error).message}`);
  }
}

/**
 * The external data files a model needs, relative to it (what to fetch beside it).
 * @throws InvalidArgumentError for bytes that are not a model, or a location outside the model's folder.
 */
export function externalDataFilesOf(bytes: Uint8Array, fileName = 'model.onnx'): string[] {
  return externalFiles(parse(bytes, fileName), fileName);
}

/**
 * Opens an ONNX model with onnxruntime-node and describes it: IR version,
 * operator sets, inputs and outputs (names, dtypes, shapes).
 *
 * A model whose tensors live in external data files is loaded from a private
 * temp folder holding only those files: loaded from bytes, ORT would look for
 * them relative to the process's working directory.
 * @throws InvalidArgumentError with `details.reason` an `OnnxProblem`, saying what is wrong.
 */
export async function inspectOnnxModel(bytes: Uint8Array, options: InspectOnnxOptions = {}): Promise<OnnxModelInfo> {
  const file = options.fileName ?? 'model.onnx';
  const proto = parse(bytes, file);
  const external = externalFiles(proto, file);
  const o = await ort();
  const runtime = await onnxRuntimeVersion();
  // Errors only: ORT otherwise prints warnings about old opsets to stderr.
  const sessionOptions = { logSeverityLevel: 3 as const, graphOptimizationLevel: 'disabled' as const };
  type Session = Awaited<ReturnType<Ort['InferenceSession']['create']>>;
  const open = async (target: Uint8Array | string): Promise<Session> => {
    try {
      return typeof target === 'string' ? await o.InferenceSession.create(target, sessionOptions) : await o.InferenceSession.create(target, sessionOptions);
    } catch (err) {
      throw classify(err, file, proto, runtime);
    }
  };
  if (external.length === 0) return describeAndRelease(await open(bytes), proto, bytes.length, external);
  const dir = await mkdtemp(join(tmpdir(), 'ferry-onnx-'));
  let session: Session;
  try {
    const modelPath = join(dir, 'model.onnx');
    await writeFile(modelPath, bytes);
    for (const loc of external) {
      const data = options.externalData?.get(loc);
      if (!data) throw problem('onnx_external_data', `${file} keeps tensor data in '${loc}', which is missing from the package.`, { location: loc });
      await mkdir(dirname(join(dir, loc)), { recursive: true });
      await writeFile(join(dir, loc), data);
    }
    session = await open(modelPath);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return describeAndRelease(session, proto, bytes.length, external);
}

async function describeAndRelease(
  session: SessionLike & { release(): Promise<void> },
  proto: OnnxModelProto,
  size: number,
  external: string[],
): Promise<OnnxModelInfo> {
  try {
    return describeSession(session, proto, size, external);
  } finally {
    await session.release();
  }
}

type SessionLike = { inputNames: readonly string[]; outputNames: readonly string[] };

function describeSession(session: SessionLike, proto: OnnxModelProto, size: number, external: string[]): OnnxModelInfo {
  // ORT decides which values are inputs (it leaves out initializers); the graph tells the rank and dims.
  const byName = (list: OnnxValueProto[], name: string) => list.find((v) => v.name === name) ?? { name, kind: 'unknown' as const };
  return {
    irVersion: proto.irVersion,
    opset: proto.opsets.get('') ?? 0,
    opsets: Object.fromEntries([...proto.opsets].map(([d, v]) => [domainName(d), v])),
    ...(proto.producerName ? { producer: [proto.producerName, proto.producerVersion].filter(Boolean).join(' ') } : {}),
    inputs: session.inputNames.map((n) => describe(byName(proto.inputs, n))),
    outputs: session.outputNames.map((n) => describe(byName(proto.outputs, n))),
    sizeBytes: size,
    externalDataFiles: external,
  };
}

/** A graph value as MLflow's TensorSpec: dynamic and symbolic dims become -1. */
export function tensorSpecOf(v: OnnxValueInfo): TensorSpec | undefined {
  if (!v.isTensor || v.dtype === null) return undefined;
  const shape = v.shape === null ? [-1] : v.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1));
  return { name: v.name, dtype: v.dtype, shape };
}

/**
 * The tensor signature a graph implies: one TensorSpec per input and output.
 * Values MLflow cannot describe (sequences, maps, bfloat16…) are left out,
 * each with a warning; so is the rank of a value with no recorded shape.
 */
export function inferOnnxSignature(info: OnnxModelInfo): { signature: ModelSignature; warnings: string[] } {
  const warnings: string[] = [];
  const side = (values: OnnxValueInfo[], what: string) =>
    values.flatMap((v) => {
      const spec = tensorSpecOf(v);
      if (!spec) {
        warnings.push(`${what} '${v.name}' is a ${v.onnxType}, which an MLflow tensor signature cannot describe; it is left out.`);
        return [];
      }
      if (v.shape === null) warnings.push(`${what} '${v.name}' has no shape in the graph; the signature says [-1].`);
      return [spec];
    });
  const inputs = side(info.inputs, 'input');
  const outputs = side(info.outputs, 'output');
  const signature: ModelSignature = {};
  if (inputs.length > 0) signature.inputs = inputs;
  if (outputs.length > 0) signature.outputs = outputs;
  return { signature, warnings };
}
