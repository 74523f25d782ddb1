import { UnavailableError } from '../errors.js';
import { isTensorSpec, type ModelSignature } from '../registry/model-package/index.js';
import { DynamicBatcher } from './dynamic-batcher.js';
import { validateInputs, validateOutputs } from './input-validation.js';
import type { LoadablePackage, ModelRuntime } from './model-runtime.js';
import { ModelStats, type ModelStatsSnapshot, type ServingObserver } from './model-stats.js';
import type { BatchingOptions, InferenceRequest, InferenceResult } from './serving-types.js';
import type { TensorMetadata } from './tensor.js';

/**
 * The graph's inputs or outputs, narrowed by the package's tensor signature:
 * where the signature fixes a size the graph leaves dynamic, the signature's
 * size is enforced. (Registration already checked the two agree.)
 */
function narrowed(graph: TensorMetadata[], declared: ModelSignature['inputs']): TensorMetadata[] {
  if (!declared || declared.length !== graph.length || !declared.every(isTensorSpec)) return graph;
  return graph.map((g, i) => {
    const spec = declared.find((d) => isTensorSpec(d) && d.name === g.name) ?? (declared.every((d) => d.name === undefined) ? declared[i] : undefined);
    if (!spec || !isTensorSpec(spec) || spec.shape.length !== g.shape.length) return g;
    return { ...g, shape: g.shape.map((d, j) => (d < 0 && spec.shape[j]! >= 0 ? spec.shape[j]! : d)) };
  });
}

/** Stacking along dimension 0 needs every input to have a dynamic first dimension (outputs are checked per call). */
function canBatch(inputs: TensorMetadata[], outputs: TensorMetadata[]): boolean {
  return inputs.length > 0 && inputs.every((t) => t.shape.length > 0 && t.shape[0] === -1) && outputs.every((t) => t.shape.length === 0 || t.shape[0] === -1);
}

const now = () => process.hrtime.bigint();

/** One loaded model version: its runtime, signature, request queue and statistics. */
export class ServedModel {
  readonly platform: string;
  readonly inputs: TensorMetadata[];
  readonly outputs: TensorMetadata[];
  /** The package's MLflow signature as declared (or inferred from the graph); protocols that speak columns read it. */
  readonly signature: ModelSignature | undefined;
  readonly batchable: boolean;
  private readonly stats: ModelStats;
  private readonly batcher: DynamicBatcher;

  private constructor(
    readonly name: string,
    readonly version: string,
    private readonly runtime: ModelRuntime,
    pkg: LoadablePackage,
    batching: BatchingOptions,
    observer: ServingObserver | undefined,
  ) {
    const meta = runtime.metadata();
    this.platform = meta.platform;
    this.signature = pkg.info.signature;
    this.inputs = narrowed(meta.inputs, pkg.info.signature?.inputs);
    this.outputs = narrowed(meta.outputs, pkg.info.signature?.outputs);
    this.batchable = batching.maxBatchSize > 1 && canBatch(this.inputs, this.outputs);
    this.stats = new ModelStats(name, version, observer);
    this.batcher = new DynamicBatcher((inputs, outputs) => runtime.infer(inputs, outputs), batching, this.stats, this.batchable);
  }

  /** Loads `pkg` into `runtime`. @throws what the runtime's `load` throws; the runtime is unloaded again. */
  static async load(
    name: string,
    version: string,
    pkg: LoadablePackage,
    runtime: ModelRuntime,
    batching: BatchingOptions,
    observer?: ServingObserver,
  ): Promise<ServedModel> {
    try {
      await runtime.load(pkg);
      return new ServedModel(name, version, runtime, pkg, batching, observer);
    } catch (err) {
      await runtime.unload().catch(() => undefined);
      throw err;
    }
  }

  /**
   * Validates the request against the signature, queues it for the batcher and
   * returns its outputs in the order requested.
   * @throws InvalidArgumentError for inputs or outputs that do not fit the model, or that the runtime rejects.
   * @throws UnavailableError when the queue is full or the model is being unloaded.
   */
  async infer(request: InferenceRequest): Promise<InferenceResult> {
    const start = now();
    let rows = 1;
    try {
      const outputs = validateOutputs(this.outputs, request.outputs);
      const valid = validateInputs(this.inputs, request.inputs, this.batchable);
      rows = valid.rows;
      const out = await this.batcher.submit(valid.tensors, rows, outputs);
      this.stats.request(true, rows, Number(now() - start));
      return {
        modelName: this.name,
        modelVersion: this.version,
        ...(request.id === undefined ? {} : { id: request.id }),
        ...(request.parameters === undefined ? {} : { parameters: request.parameters }),
        outputs: outputs.map((name) => ({ name, ...out[name]! })),
      };
    } catch (err) {
      this.stats.request(false, rows, Number(now() - start));
      throw err;
    }
  }

  statistics(): ModelStatsSnapshot {
    return this.stats.snapshot(this.batcher.queueDepth);
  }

  /** Lets queued and running requests finish, then frees the runtime. */
  async unload(): Promise<void> {
    await this.batcher.idle();
    this.batcher.close(new UnavailableError(`Model '${this.name}' version ${this.version} was unloaded.`));
    await this.runtime.unload();
  }
}
