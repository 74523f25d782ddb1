import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { joinArtifactPath, normalizeArtifactPath } from '../../backends/artifacts/artifact-path.js';
import type { ArtifactStore } from '../../backends/artifacts/artifact-store.js';
import { InvalidArgumentError, NotFoundError } from '../../errors.js';
import { parseMlModel, type InputExampleInfo, type MlModel } from './mlmodel.js';
import type { ModelSignature } from './model-signature.js';
import { externalDataFilesOf, inferOnnxSignature, inspectOnnxModel, type OnnxModelInfo } from './onnx-signature.js';
import { signatureMismatches } from './signature-check.js';

/** What Ferry learned from a model package, and what it checked. */
export interface ModelPackageInfo {
  /** The MLmodel as read. */
  mlmodel: MlModel;
  /** Flavor names, as MLmodel lists them (`onnx`, `python_function`, `sklearn`…). */
  flavors: string[];
  /** The declared signature, or for an ONNX package without one the signature its graph implies. */
  signature?: ModelSignature;
  /** True when `signature` was inferred from the ONNX graph because the package declared none. */
  signatureInferred: boolean;
  inputExample?: InputExampleInfo;
  /** For a package with the onnx flavor: the graph, as onnxruntime-node opened it. */
  onnx?: OnnxModelInfo & { file: string };
  /** Things that are not wrong enough to refuse the package (a value the signature cannot describe, a missing example file). */
  warnings: string[];
}

export interface InspectOptions {
  /** Largest ONNX graph (with its external data) read into memory; default 2 GiB. */
  maxOnnxBytes?: number;
}

/** Largest MLmodel read; real ones are a few KB. */
const MAX_MLMODEL_BYTES = 1024 * 1024;
const DEFAULT_MAX_ONNX_BYTES = 2 * 1024 * 1024 * 1024;

/** Reads files of one package, wherever it lives. */
interface PackageFiles {
  /** Where the package is, for messages. */
  where: string;
  /** The file's bytes, or undefined if there is no such file. Throws InvalidArgumentError past `maxBytes`. */
  read(relPath: string, maxBytes: number): Promise<Buffer | undefined>;
  exists(relPath: string): Promise<boolean>;
}

function tooLarge(rel: string, where: string, size: number, max: number): InvalidArgumentError {
  return new InvalidArgumentError(`${rel} in ${where} is ${size} bytes, more than the ${max} bytes Ferry reads for a model package.`, {
    details: { reason: 'file_too_large', file: rel, size, max },
  });
}

/** Collects a stream into one Buffer, refusing it once it passes `maxBytes` (a store's size may be stale). */
async function collect(stream: Readable, maxBytes: number, onTooLarge: (seen: number) => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let seen = 0;
  try {
    for await (const chunk of stream) {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      seen += b.length;
      if (seen > maxBytes) throw onTooLarge(seen);
      chunks.push(b);
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks, seen);
}

function storeFiles(artifacts: ArtifactStore, packagePath: string): PackageFiles {
  const root = normalizeArtifactPath(packagePath);
  const where = `'${root || '/'}' of ${artifacts.url}`;
  const open = async (rel: string) => {
    try {
      return await artifacts.get(joinArtifactPath(root, rel));
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  };
  return {
    where,
    async read(rel, maxBytes) {
      const file = await open(rel);
      if (!file) return undefined;
      if (file.size > maxBytes) {
        file.stream.destroy();
        throw tooLarge(rel, where, file.size, maxBytes);
      }
      return collect(file.stream, maxBytes, (seen) => tooLarge(rel, where, seen, maxBytes));
    },
    async exists(rel) {
      const file = await open(rel);
      file?.stream.destroy();
      return file !== undefined;
    },
  };
}

function dirFiles(dir: string): PackageFiles {
  const where = `'${dir}'`;
  const info = async (rel: string) => {
    try {
      const s = await stat(join(dir, ...rel.split('/')));
      return s.isFile() ? s : undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw err;
    }
  };
  return {
    where,
    async read(rel, maxBytes) {
      const s = await info(rel);
      if (!s) return undefined;
      if (s.size > maxBytes) throw tooLarge(rel, where, s.size, maxBytes);
      return collect(createReadStream(join(dir, ...rel.split('/'))), maxBytes, (seen) => tooLarge(rel, where, seen, maxBytes));
    },
    async exists(rel) {
      return (await info(rel)) !== undefined;
    },
  };
}

/** A file named by MLmodel, checked to stay inside the package. */
function packageFile(value: unknown, what: string): string {
  const raw = String(value);
  try {
    const rel = normalizeArtifactPath(raw);
    if (rel !== '') return rel;
  } catch {
    // reported below
  }
  throw new InvalidArgumentError(`MLmodel ${what} '${raw}' is not a file inside the package.`, { details: { reason: 'mlmodel_invalid' } });
}

async function inspectOnnxFlavor(files: PackageFiles, model: MlModel, maxBytes: number) {
  const file = packageFile(model.flavors.onnx.data ?? 'model.onnx', 'onnx flavor data');
  const bytes = await files.read(file, maxBytes);
  if (!bytes) {
    throw new InvalidArgumentError(`The MLmodel's onnx flavor names '${file}', but there is no such file in the package at ${files.where}.`, {
      details: { reason: 'onnx_missing', file },
    });
  }
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
  const externalData = new Map<string, Uint8Array>();
  let budget = maxBytes - bytes.length;
  for (const loc of externalDataFilesOf(bytes, file)) {
    const rel = joinArtifactPath(dir, loc);
    const data = await files.read(rel, Math.max(budget, 0));
    if (!data) {
      throw new InvalidArgumentError(`${file} keeps tensor data in '${loc}', but there is no such file in the package at ${files.where}.`, {
        details: { reason: 'onnx_external_data', file: rel },
      });
    }
    budget -= data.length;
    externalData.set(loc, data);
  }
  const info = await inspectOnnxModel(bytes, { fileName: file, externalData });
  const external = [...externalData.values()].reduce((n, b) => n + b.length, 0);
  return { info: { ...info, sizeBytes: bytes.length + external, file }, files: { file, bytes, externalData } };
}

async function inspect(files: PackageFiles, options: InspectOptions & { keepFiles?: boolean }): Promise<LoadedModelPackage> {
  const text = await files.read('MLmodel', MAX_MLMODEL_BYTES);
  if (!text) {
    throw new InvalidArgumentError(
      `No MLmodel file in ${files.where}: a model package is a directory in MLflow's layout (MLmodel, model.onnx, …). Check the path, e.g. runs:/<run_id>/model.`,
      { details: { reason: 'mlmodel_missing' } },
    );
  }
  const mlmodel = parseMlModel(text.toString('utf8'));
  const warnings: string[] = [];
  const result: LoadedModelPackage = { mlmodel, flavors: Object.keys(mlmodel.flavors), signatureInferred: false, warnings };
  const declared = mlmodel.signature && (mlmodel.signature.inputs || mlmodel.signature.outputs) ? mlmodel.signature : undefined;
  if (mlmodel.signature) result.signature = mlmodel.signature;
  if (mlmodel.savedInputExampleInfo) {
    result.inputExample = mlmodel.savedInputExampleInfo;
    const example = packageFile(mlmodel.savedInputExampleInfo.artifactPath, 'saved_input_example_info.artifact_path');
    if (!(await files.exists(example))) warnings.push(`MLmodel names input example '${example}', but the package has no such file.`);
  }
  if (!('onnx' in mlmodel.flavors)) return result;

  const { info: onnx, files: onnxFiles } = await inspectOnnxFlavor(files, mlmodel, options.maxOnnxBytes ?? DEFAULT_MAX_ONNX_BYTES);
  result.onnx = onnx;
  if (options.keepFiles) result.onnxFiles = onnxFiles;
  if (declared) {
    const problems = signatureMismatches(declared, onnx);
    if (problems.length > 0) {
      throw new InvalidArgumentError(`The package's declared signature disagrees with the ONNX graph in ${onnx.file}: ${problems.join('; ')}.`, {
        details: { reason: 'signature_mismatch', problems },
      });
    }
  } else {
    const inferred = inferOnnxSignature(onnx);
    result.signature = { ...inferred.signature, ...(mlmodel.signature?.params ? { params: mlmodel.signature.params } : {}) };
    result.signatureInferred = true;
    warnings.push(...inferred.warnings);
  }
  return result;
}

/**
 * Reads and checks the model package at `packagePath` in an artifact store
 * (the folder holding MLmodel, e.g. `1/<run_id>/artifacts/model` or
 * `1/models/m-…/artifacts`).
 *
 * For the onnx flavor it opens the graph with onnxruntime-node, checks a
 * declared signature against it, or infers the signature when there is none.
 * Other flavors (an sklearn pickle, a pyfunc) are accepted as listed, without
 * ONNX checks. Reads only; never writes.
 *
 * @throws InvalidArgumentError whose message names the problem and whose
 *   `details.reason` is one of: mlmodel_missing, mlmodel_invalid,
 *   onnx_missing, onnx_corrupt, onnx_unsupported_opset,
 *   onnx_unsupported_ir_version, onnx_unsupported_operator,
 *   onnx_external_data, signature_mismatch, file_too_large.
 */
export function inspectModelPackage(artifacts: ArtifactStore, packagePath: string, options: InspectOptions = {}): Promise<ModelPackageInfo> {
  return inspect(storeFiles(artifacts, packagePath), { ...options, keepFiles: false });
}

/** `inspectModelPackage` for a package in a local directory (before upload, or in the CLI). */
export function validateModelPackageDir(localDir: string, options: InspectOptions = {}): Promise<ModelPackageInfo> {
  return inspect(dirFiles(localDir), { ...options, keepFiles: false });
}

/** A package as serving loads it: what `inspectModelPackage` reports, plus the ONNX graph's bytes. */
export interface LoadedModelPackage extends ModelPackageInfo {
  /** For the onnx flavor: the graph file, its bytes and its external data files (by the location the graph names). */
  onnxFiles?: { file: string; bytes: Buffer; externalData: Map<string, Uint8Array> };
}

/** `inspectModelPackage`, keeping the ONNX bytes it read so a runtime can load them without reading twice. Same checks and errors. */
export function loadModelPackage(artifacts: ArtifactStore, packagePath: string, options: InspectOptions = {}): Promise<LoadedModelPackage> {
  return inspect(storeFiles(artifacts, packagePath), { ...options, keepFiles: true });
}

/** `loadModelPackage` for a package in a local directory. */
export function loadModelPackageDir(localDir: string, options: InspectOptions = {}): Promise<LoadedModelPackage> {
  return inspect(dirFiles(localDir), { ...options, keepFiles: true });
}
