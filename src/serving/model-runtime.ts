import type { ModelPackageInfo } from '../registry/model-package/index.js';
import type { Tensor, TensorMetadata } from './tensor.js';

/** A model package read into memory, ready to hand to a runtime. */
export interface LoadablePackage {
  /** What inspecting the package found: flavors, signature, the ONNX graph's inputs and outputs. */
  info: ModelPackageInfo;
  /** For a package with the onnx flavor: the graph's bytes and its external data files (by the location the graph names). */
  onnx?: { file: string; bytes: Uint8Array; externalData: Map<string, Uint8Array> };
}

/** What a loaded model takes and gives, as its runtime sees it. */
export interface RuntimeMetadata {
  /** The Open Inference Protocol's platform name, e.g. `onnxruntime_onnx`. */
  platform: string;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
}

/**
 * One model executed by one engine, as KServe's model server defines it:
 * `load`, then any number of `infer`, then `unload`. A runtime holds one
 * model; serving creates one per loaded model version.
 *
 * Inputs reach `infer` already checked against the model's signature, so a
 * runtime may trust names, datatypes and shapes.
 */
export interface ModelRuntime {
  /**
   * Loads the package. Resolves once inference can start.
   * @throws InvalidArgumentError when the package cannot run on this engine (wrong flavor, a graph it refuses).
   * Not idempotent: call once.
   */
  load(pkg: LoadablePackage): Promise<RuntimeMetadata>;

  /**
   * Runs the model once. `outputs` names the outputs to compute (all when empty).
   * May be called again before an earlier call resolves; the runtime queues as it needs.
   * @throws InvalidArgumentError when the engine rejects these inputs (e.g. an index out of range).
   * @throws UnavailableError when the runtime has stopped (unloaded, or its worker died).
   */
  infer(inputs: Record<string, Tensor>, outputs: string[]): Promise<Record<string, Tensor>>;

  /** Frees the model. Idempotent; calls to `infer` after it fail with UnavailableError. */
  unload(): Promise<void>;

  /** Inputs and outputs of the loaded model. @throws UnavailableError before `load` resolved. */
  metadata(): RuntimeMetadata;
}

/** Per-model engine settings. Engines ignore what they have no use for. */
export interface RuntimeOptions {
  /** Threads one inference may use inside the engine. */
  intraOpNumThreads?: number;
  /** Threads for running independent graph nodes in parallel (only with executionMode 'parallel'). */
  interOpNumThreads?: number;
  executionMode?: 'sequential' | 'parallel';
  /** How much the engine rewrites the graph at load: 'all' is fastest to run, 'disabled' fastest to load. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * Where inference runs: 'worker' (a thread of its own, so the event loop keeps
   * serving while a model computes) or 'main' (saves a thread hop, ~0.1 ms, for
   * models that run in microseconds; blocks the event loop while they run).
   */
  thread?: 'worker' | 'main';
}

/** Creates a runtime for one model. */
export type ModelRuntimeFactory = (options: RuntimeOptions) => ModelRuntime;
