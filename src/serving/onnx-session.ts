import { availableParallelism } from 'node:os';
import type { RuntimeOptions } from './model-runtime.js';
import { DATATYPES, datatypeOfOrt, type Tensor, type TensorData, type TensorMetadata } from './tensor.js';

type Ort = typeof import('onnxruntime-node');
type OrtSession = Awaited<ReturnType<Ort['InferenceSession']['create']>>;

let ortModule: Promise<Ort> | undefined;

/** onnxruntime-node loads a native library, so it is imported on first use only. */
function ort(): Promise<Ort> {
  ortModule ??= import('onnxruntime-node');
  return ortModule;
}

/** Where a session's graph comes from: its bytes, or a file (whose external data lies beside it). */
export type OnnxSource = { bytes: Uint8Array } | { path: string };

/**
 * Session settings for a small shared box: one intra-op thread per model
 * unless more than two cores are free, so a busy model leaves a core to the
 * event loop; no spinning, which would burn the cores idle threads share.
 */
export function sessionOptionsFor(options: RuntimeOptions): Record<string, unknown> {
  const intra = options.intraOpNumThreads ?? Math.max(1, Math.min(4, availableParallelism() - 1));
  return {
    intraOpNumThreads: intra,
    interOpNumThreads: options.interOpNumThreads ?? 1,
    executionMode: options.executionMode ?? 'sequential',
    graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
    // Errors only: ORT otherwise prints warnings about old opsets to stderr.
    logSeverityLevel: 3,
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

/** ORT prefixes messages with a source location and a C++ signature; keep the sentence. */
export function ortMessage(err: unknown): string {
  const msg = String((err as Error)?.message ?? err).trim();
  const m = /^\S+\.(?:h|cc|cpp):\d+ [\s\S]*?\) (?=[A-Z\[])([\s\S]*)$/.exec(msg);
  return (m ? m[1]! : msg).replace(/\s+/g, ' ').trim();
}

function describe(list: readonly unknown[]): TensorMetadata[] {
  return list.flatMap((raw) => {
    const m = raw as { name: string; isTensor: boolean; type?: string; shape?: Array<number | string> };
    const datatype = m.isTensor && m.type ? datatypeOfOrt(m.type) : undefined;
    if (!datatype) return [];
    return [{ name: m.name, datatype, shape: (m.shape ?? []).map((d) => (typeof d === 'number' && d >= 0 ? d : -1)) }];
  });
}

/** One onnxruntime-node session, with Ferry's tensors in and out. Runs on whichever thread created it. */
export class OnnxSession {
  private constructor(
    private readonly o: Ort,
    private readonly session: OrtSession,
    readonly inputs: TensorMetadata[],
    readonly outputs: TensorMetadata[],
  ) {}

  static async open(source: OnnxSource, options: RuntimeOptions): Promise<OnnxSession> {
    const o = await ort();
    const opts = sessionOptionsFor(options) as Parameters<Ort['InferenceSession']['create']>[1];
    const session = 'path' in source ? await o.InferenceSession.create(source.path, opts) : await o.InferenceSession.create(source.bytes, opts);
    // Values that are not tensors (sequences, maps) cannot be exchanged; they are left out, as the signature leaves them out.
    return new OnnxSession(o, session, describe(session.inputMetadata), describe(session.outputMetadata));
  }

  async run(inputs: Record<string, Tensor>, outputs: string[]): Promise<Record<string, Tensor>> {
    const feeds: Record<string, InstanceType<Ort['Tensor']>> = {};
    for (const [name, t] of Object.entries(inputs)) {
      feeds[name] = new this.o.Tensor(DATATYPES[t.datatype].ort as 'float32', t.data as Float32Array, t.shape);
    }
    const fetches = outputs.length > 0 ? outputs : this.outputs.map((o) => o.name);
    const result = await this.session.run(feeds, fetches);
    const out: Record<string, Tensor> = {};
    for (const name of fetches) {
      const value = result[name]!;
      const datatype = datatypeOfOrt(value.type);
      if (!datatype) throw new Error(`output '${name}' has element type ${value.type}, which serving cannot return`);
      out[name] = { datatype, shape: [...value.dims], data: value.data as TensorData };
    }
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
