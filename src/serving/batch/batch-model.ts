import { basename } from 'node:path';
import type { ModelSignature } from '../../registry/model-package/index.js';
import type { RuntimeOptions } from '../model-runtime.js';
import { createOnnxRuntime } from '../onnx-runtime.js';
import { locatePackage, type PackageSourceDeps } from '../package-source.js';
import { ServedModel } from '../served-model.js';
import type { InferenceRequest, InferenceResult } from '../serving-types.js';
import type { TensorMetadata } from '../tensor.js';

/** What batch prediction needs of a loaded model (a `ServedModel` is one). */
export interface BatchModel {
  readonly name: string;
  readonly version: string;
  readonly inputs: TensorMetadata[];
  readonly outputs: TensorMetadata[];
  readonly signature: ModelSignature | undefined;
  infer(request: InferenceRequest): Promise<InferenceResult>;
}

export interface LoadBatchModelOptions {
  /** Rows per runtime call; the model's batcher never combines more. */
  batchSize: number;
  runtime?: RuntimeOptions;
}

/**
 * Loads the model a URI names (`models:/NAME/VERSION`, `models:/NAME@alias`,
 * or a local package directory) into an ONNX Runtime session of its own on the
 * main thread: nothing else shares this process, so a worker would only add a
 * copy of every batch (measured: ~20 % of the run for a small MLP).
 * Unload it when done.
 * @throws NotFoundError for a registry URI that names nothing; InvalidArgumentError for a bad URI or package.
 */
export async function loadBatchModel(uri: string, deps: PackageSourceDeps, options: LoadBatchModelOptions): Promise<ServedModel> {
  const located = await locatePackage(uri, deps);
  const pkg = await located.read();
  const name = located.registered?.name ?? (basename(uri.replace(/^file:\/\//, '').replace(/\/+$/, '')) || 'model');
  return ServedModel.load(name, located.version, pkg, createOnnxRuntime({ thread: 'main', ...options.runtime }), {
    maxBatchSize: options.batchSize,
    maxQueueDelayMs: 0,
    maxQueueSize: 16,
  });
}
