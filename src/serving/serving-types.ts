import type { RuntimeOptions } from './model-runtime.js';
import type { Tensor, TensorData, TensorDatatype } from './tensor.js';

/** Triton's model states, as the repository index reports them. */
export type ModelState = 'LOADING' | 'READY' | 'UNLOADING' | 'UNAVAILABLE';

/** How a model's concurrent requests are combined into runtime calls (Triton's dynamic batcher). */
export interface BatchingOptions {
  /**
   * Most rows one runtime call combines; 1 turns batching off. A single
   * request with more rows still runs, alone. Default 64.
   */
  maxBatchSize: number;
  /**
   * How long the oldest queued request may wait for others to fill a batch.
   * Default 0: a request on an idle model runs at once, and only requests that
   * queued while the runtime was busy are combined.
   */
  maxQueueDelayMs: number;
  /** Requests that may wait for the runtime; beyond it requests fail with UnavailableError (503). Default 256. */
  maxQueueSize: number;
}

export const DEFAULT_BATCHING: BatchingOptions = { maxBatchSize: 64, maxQueueDelayMs: 0, maxQueueSize: 256 };

/** What to serve under a name. */
export interface ServedModelSpec {
  /**
   * `models:/NAME/VERSION`, `models:/NAME@alias` (and the other forms
   * `ModelRegistry.resolveModelUri` takes), or an absolute path or file: URI
   * of a local package directory (MLmodel + model.onnx).
   */
  uri: string;
  runtime?: RuntimeOptions;
  batching?: Partial<BatchingOptions>;
}

/** One row of the repository index. */
export interface ModelIndexEntry {
  name: string;
  /** The served version; absent while the first load has not resolved one. */
  version?: string;
  state: ModelState;
  /** Why the model is in this state (a load error, 'unloaded'); '' when READY. */
  reason: string;
  uri: string;
}

/**
 * One input of an inference request as a protocol decoded it. `data` is a
 * flat or nested JSON array, or already a typed array (binary transports).
 * `datatype` and `shape` may be omitted by protocols that do not carry them
 * (MLflow's): the model's datatype and the data's nesting are then used.
 */
export interface InferInput {
  name: string;
  datatype?: string;
  shape?: unknown;
  data: unknown;
  parameters?: Record<string, unknown>;
}

export interface InferenceRequest {
  id?: string;
  inputs: InferInput[];
  /** Outputs to return; all of the model's when absent or empty. */
  outputs?: string[];
  /** Passed through to the response; runtimes may read them. */
  parameters?: Record<string, unknown>;
}

export interface OutputTensor extends Tensor {
  name: string;
}

export interface InferenceResult {
  modelName: string;
  modelVersion: string;
  id?: string;
  parameters?: Record<string, unknown>;
  outputs: OutputTensor[];
}

export type { Tensor, TensorData, TensorDatatype };
