import { Worker } from 'node:worker_threads';
import type { RuntimeOptions } from './model-runtime.js';
import type { OnnxSource } from './onnx-session.js';
import type { Tensor, TensorMetadata } from './tensor.js';

type Reply = { id: number; ok?: unknown; error?: string };

/** Thrown when the worker answers with an error (the ONNX Runtime message) or dies. */
export class WorkerCallError extends Error {
  constructor(
    message: string,
    /** True when the worker is gone, so every later call fails too. */
    readonly fatal: boolean,
  ) {
    super(message);
  }
}

function spawn(source: OnnxSource, options: RuntimeOptions): Worker {
  const workerData = { source, options };
  // Run from TypeScript sources (tests, tsx), the worker needs tsx's loader too; tsx registers itself on the main thread only.
  if (import.meta.url.endsWith('.ts')) {
    const entry = new URL('./onnx-worker.ts', import.meta.url).href;
    const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
    return new Worker(boot, { eval: true, workerData });
  }
  return new Worker(new URL('./onnx-worker.js', import.meta.url), { workerData });
}

/**
 * The main thread's handle on a session that lives in a worker thread
 * (onnx-worker.ts). Calls are matched to replies by id. The worker keeps the
 * process alive only while a call is pending.
 */
export class OnnxWorkerSession {
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private nextId = 1;
  private dead: string | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly inputs: TensorMetadata[],
    readonly outputs: TensorMetadata[],
  ) {
    worker.on('message', (reply: Reply) => this.settle(reply));
    worker.on('error', (err) => this.fail(`the model's worker thread failed: ${err.message}`));
    worker.on('exit', (code) => this.fail(`the model's worker thread exited (code ${code})`));
    worker.unref();
  }

  /** Starts a worker and opens the session in it. @throws WorkerCallError with ONNX Runtime's message. */
  static open(source: OnnxSource, options: RuntimeOptions): Promise<OnnxWorkerSession> {
    const worker = spawn(source, options);
    return new Promise((resolve, reject) => {
      const onExit = (code: number) => reject(new WorkerCallError(`the model's worker thread exited while loading (code ${code})`, true));
      const onError = (err: Error) => reject(new WorkerCallError(`the model's worker thread failed while loading: ${err.message}`, true));
      worker.once('exit', onExit);
      worker.once('error', onError);
      worker.once('message', (reply: Reply) => {
        worker.off('exit', onExit);
        worker.off('error', onError);
        if (reply.error !== undefined) {
          void worker.terminate();
          reject(new WorkerCallError(reply.error, false));
          return;
        }
        const meta = reply.ok as { inputs: TensorMetadata[]; outputs: TensorMetadata[] };
        resolve(new OnnxWorkerSession(worker, meta.inputs, meta.outputs));
      });
    });
  }

  run(inputs: Record<string, Tensor>, outputs: string[]): Promise<Record<string, Tensor>> {
    return this.call({ op: 'run', inputs, outputs }) as Promise<Record<string, Tensor>>;
  }

  /** Releases the session and stops the thread. Idempotent. */
  async release(): Promise<void> {
    if (this.dead) return;
    try {
      await this.call({ op: 'release' });
    } catch {
      // Already gone: nothing left to free.
    }
    this.dead ??= 'the model was unloaded';
    await this.worker.terminate();
  }

  private call(message: Record<string, unknown>): Promise<unknown> {
    if (this.dead) return Promise.reject(new WorkerCallError(this.dead, true));
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Inputs are copied by structured clone, never transferred: they may share memory with a request body.
      this.worker.postMessage({ id, ...message });
    });
  }

  private settle(reply: Reply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.error !== undefined) p.reject(new WorkerCallError(reply.error, false));
    else p.resolve(reply.ok);
  }

  private fail(reason: string): void {
    this.dead ??= reason;
    for (const p of this.pending.values()) p.reject(new WorkerCallError(this.dead, true));
    this.pending.clear();
  }
}
