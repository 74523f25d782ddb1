/**
 * Entry point of the thread that holds one model's ONNX Runtime session.
 * onnxruntime-node's `session.run` computes on the calling thread (its promise
 * only defers the start), so a session on the main thread would stop the
 * event loop for as long as the model computes. Messages: see onnx-worker-client.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { OnnxSession, ortMessage, type OnnxSource } from './onnx-session.js';
import type { RuntimeOptions } from './model-runtime.js';
import type { Tensor } from './tensor.js';

type Request = { id: number; op: 'run'; inputs: Record<string, Tensor>; outputs: string[] } | { id: number; op: 'release' };

const port = parentPort!;
const { source, options } = workerData as { source: OnnxSource; options: RuntimeOptions };

try {
  const session = await OnnxSession.open(source, options);
  port.postMessage({ id: 0, ok: { inputs: session.inputs, outputs: session.outputs } });
  port.on('message', (req: Request) => {
    if (req.op === 'release') {
      void session.release().finally(() => {
        port.postMessage({ id: req.id, ok: true });
        port.close();
      });
      return;
    }
    session.run(req.inputs, req.outputs).then(
      (out) => port.postMessage({ id: req.id, ok: out }),
      (err: unknown) => port.postMessage({ id: req.id, error: ortMessage(err) }),
    );
  });
} catch (err) {
  port.postMessage({ id: 0, error: ortMessage(err) });
}
