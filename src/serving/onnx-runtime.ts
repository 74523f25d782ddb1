import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { InvalidArgumentError, UnavailableError } from '../errors.js';
import type { LoadablePackage, ModelRuntime, RuntimeMetadata, RuntimeOptions } from './model-runtime.js';
import { OnnxSession, ortMessage, type OnnxSource } from './onnx-session.js';
import { OnnxWorkerSession, WorkerCallError } from './onnx-worker-client.js';
import type { Tensor } from './tensor.js';

/** The Open Inference Protocol's platform name for ONNX Runtime, as Triton reports it. */
export const ONNX_PLATFORM = 'onnxruntime_onnx';

type Session = OnnxSession | OnnxWorkerSession;

/**
 * Runs ONNX models with onnxruntime-node: the `ModelRuntime` adapter for
 * packages with the onnx flavor. By default the session lives in a worker
 * thread of its own (see `RuntimeOptions.thread`).
 */
export class OnnxRuntime implements ModelRuntime {
  private session: Session | undefined;
  private unloaded = false;

  constructor(private readonly options: RuntimeOptions = {}) {}

  async load(pkg: LoadablePackage): Promise<RuntimeMetadata> {
    if (!pkg.onnx) {
      throw new InvalidArgumentError(
        `The package has no onnx flavor (it has ${pkg.info.flavors.join(', ') || 'none'}); Ferry serves ONNX models. Log the model with mlflow.onnx or Ferry's SDK.`,
        { details: { reason: 'not_onnx' } },
      );
    }
    const { file, bytes, externalData } = pkg.onnx;
    try {
      if (externalData.size === 0) this.session = await this.open({ bytes });
      else this.session = await this.openWithExternalData(bytes, externalData);
    } catch (err) {
      throw new InvalidArgumentError(`${file} could not be loaded by onnxruntime-node: ${err instanceof WorkerCallError ? err.message : ortMessage(err)}`, {
        details: { reason: 'onnx_load_failed' },
      });
    }
    return this.metadata();
  }

  /** Loaded from bytes, ORT would look for external data relative to the working directory: load from a private folder. */
  private async openWithExternalData(bytes: Uint8Array, externalData: Map<string, Uint8Array>): Promise<Session> {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-serve-'));
    try {
      const path = join(dir, 'model.onnx');
      await writeFile(path, bytes);
      for (const [location, data] of externalData) {
        await mkdir(dirname(join(dir, location)), { recursive: true });
        await writeFile(join(dir, location), data);
      }
      return await this.open({ path });
    } finally {
      // ORT has read (or mapped) the files once the session exists; Linux keeps mapped files alive after unlink.
      await rm(dir, { recursive: true, force: true });
    }
  }

  private open(source: OnnxSource): Promise<Session> {
    return (this.options.thread ?? 'worker') === 'main' ? OnnxSession.open(source, this.options) : OnnxWorkerSession.open(source, this.options);
  }

  async infer(inputs: Record<string, Tensor>, outputs: string[]): Promise<Record<string, Tensor>> {
    const session = this.live();
    try {
      return await session.run(inputs, outputs);
    } catch (err) {
      if (err instanceof WorkerCallError && err.fatal) throw new UnavailableError(`The model cannot run: ${err.message}.`, { cause: err });
      const message = err instanceof WorkerCallError ? err.message : ortMessage(err);
      throw new InvalidArgumentError(`onnxruntime could not run the model on these inputs: ${message}`, { cause: err });
    }
  }

  async unload(): Promise<void> {
    this.unloaded = true;
    const session = this.session;
    this.session = undefined;
    await session?.release();
  }

  metadata(): RuntimeMetadata {
    const session = this.live();
    return { platform: ONNX_PLATFORM, inputs: session.inputs, outputs: session.outputs };
  }

  private live(): Session {
    if (!this.session) throw new UnavailableError(this.unloaded ? 'The model was unloaded.' : 'The model is not loaded yet.');
    return this.session;
  }
}

/** The default runtime factory: ONNX Runtime for every model. */
export function createOnnxRuntime(options: RuntimeOptions): ModelRuntime {
  return new OnnxRuntime(options);
}
