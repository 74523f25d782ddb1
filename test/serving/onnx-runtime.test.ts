import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { InvalidArgumentError, UnavailableError } from '../../src/errors.js';
import { OnnxRuntime } from '../../src/serving/onnx-runtime.js';
import type { Tensor } from '../../src/serving/tensor.js';
import { buildAddModel, buildIdentityModel, buildLinearModel, buildLinearModelWithExternalData, corruptModelBytes, linearReference } from '../helpers/onnx-builder.js';
import { assertClose, buildHeavyModel, heavyReference, loadable, torchFixtureDir, torchReference } from './serving-fixtures.js';

const fp32 = (rows: number[][]): Tensor => ({ datatype: 'FP32', shape: [rows.length, rows[0]!.length], data: new Float32Array(rows.flat()) });

/** setImmediate turns the event loop completes while `work` runs. */
async function loopTurnsDuring<T>(work: () => Promise<T>): Promise<{ turns: number; ms: number }> {
  let turns = 0;
  let running = true;
  const spin = () => {
    if (!running) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  const t0 = performance.now();
  await work();
  running = false;
  return { turns, ms: performance.now() - t0 };
}

for (const thread of ['worker', 'main'] as const) {
  describe(`OnnxRuntime (thread: ${thread})`, () => {
    describe('.load', () => {
      it('reports the graph inputs and outputs with OIP datatypes and -1 for dynamic sizes', async () => {
        const rt = new OnnxRuntime({ thread });
        const meta = await rt.load(loadable(buildLinearModel({ inputs: 4, outputs: 2 })));
        assert.deepEqual(meta, {
          platform: 'onnxruntime_onnx',
          inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }],
          outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 2] }],
        });
        await rt.unload();
      });

      it('refuses bytes that are not a model with InvalidArgumentError', async () => {
        const rt = new OnnxRuntime({ thread });
        await assert.rejects(rt.load(loadable(corruptModelBytes())), (err: Error) => err instanceof InvalidArgumentError && /could not be loaded/.test(err.message));
        await assert.rejects(rt.infer({}, []), UnavailableError);
      });

      it('refuses a package without the onnx flavor', async () => {
        const rt = new OnnxRuntime({ thread });
        const pkg = { info: { ...loadable(new Uint8Array()).info, flavors: ['sklearn'] } };
        await assert.rejects(rt.load(pkg), /has no onnx flavor \(it has sklearn\)/);
      });

      it('loads a graph whose weights live in an external data file', async () => {
        const built = buildLinearModelWithExternalData({ inputs: 3, outputs: 2, externalFile: 'weights.bin' });
        const rt = new OnnxRuntime({ thread });
        await rt.load({ info: loadable(built.bytes).info, onnx: { file: 'model.onnx', bytes: built.bytes, externalData: built.externalData } });
        const out = await rt.infer({ x: fp32([[1, 2, 3]]) }, ['y']);
        assertClose(out.y!.data as Float32Array, linearReference([[1, 2, 3]], { inputs: 3, outputs: 2 }).flat());
        await rt.unload();
      });
    });

    describe('.infer', () => {
      it('computes a linear layer as the TypeScript reference does', async () => {
        const o = { inputs: 5, outputs: 3, relu: true };
        const rt = new OnnxRuntime({ thread });
        await rt.load(loadable(buildLinearModel(o)));
        const x = [
          [0.5, -1, 2, 3.25, -0.75],
          [1, 1, 1, 1, 1],
          [-2, 0, 4, -1, 0.125],
        ];
        const out = await rt.infer({ x: fp32(x) }, []);
        assert.deepEqual(out.y!.shape, [3, 3]);
        assertClose(out.y!.data as Float32Array, linearReference(x, o).flat());
        await rt.unload();
      });

      it('exchanges int64, float64, bool and string tensors', async () => {
        const rt = new OnnxRuntime({ thread });
        await rt.load(loadable(buildAddModel({ dtype: 'int64' })));
        const a: Tensor = { datatype: 'INT64', shape: [1, 3], data: new BigInt64Array([1n, 2n, 2n ** 40n]) };
        const out = await rt.infer({ a, b: a }, []);
        assert.deepEqual([...(out.sum!.data as BigInt64Array)], [2n, 4n, 2n ** 41n]);
        await rt.unload();
        for (const [dtype, datatype, data] of [
          ['float64', 'FP64', new Float64Array([0.1, 1e300])],
          ['bool', 'BOOL', new Uint8Array([1, 0])],
          ['string', 'BYTES', ['ä', 'b c']],
        ] as const) {
          const id = new OnnxRuntime({ thread });
          await id.load(loadable(buildIdentityModel({ dtype, shape: ['n'] })));
          const res = await id.infer({ input: { datatype, shape: [2], data: data as never } }, []);
          assert.equal(res.output!.datatype, datatype);
          assert.deepEqual(Array.from(res.output!.data as ArrayLike<unknown>), Array.from(data as ArrayLike<unknown>));
          await id.unload();
        }
      });

      it('turns an input onnxruntime rejects into InvalidArgumentError, and keeps serving', async () => {
        const rt = new OnnxRuntime({ thread });
        await rt.load(loadable(buildLinearModel({ inputs: 4, outputs: 2 })));
        await assert.rejects(rt.infer({ x: fp32([[1, 2, 3]]) }, []), (err: Error) => err instanceof InvalidArgumentError && /invalid dimensions/i.test(err.message));
        const out = await rt.infer({ x: fp32([[1, 2, 3, 4]]) }, []);
        assert.deepEqual(out.y!.shape, [1, 2]);
        await rt.unload();
      });

      it('answers UnavailableError after unload, and unload is idempotent', async () => {
        const rt = new OnnxRuntime({ thread });
        await rt.load(loadable(buildLinearModel({ inputs: 4, outputs: 2 })));
        await rt.unload();
        await rt.unload();
        await assert.rejects(rt.infer({ x: fp32([[1, 2, 3, 4]]) }, []), /unloaded/);
        assert.throws(() => rt.metadata(), UnavailableError);
      });

      it('matches PyTorch on the exported MLP (torch-mlp fixture)', async () => {
        const ref = await torchReference('torch-mlp');
        const rt = new OnnxRuntime({ thread });
        await rt.load(loadable(await readFile(`${torchFixtureDir('torch-mlp')}/model.onnx`)));
        const out = await rt.infer({ x: fp32(ref.inputs.x!.data as number[][]) }, []);
        assertClose(out.scores!.data as Float32Array, (ref.torch_outputs.scores!.data as number[][]).flat(), 1e-5, 'scores vs torch');
        await rt.unload();
      });
    });
  });
}

describe('OnnxRuntime threads', () => {
  // About 3 GFLOP: tens of milliseconds even on a fast core.
  const rows = 256;
  const width = 256;
  const layers = 96;
  const x: Tensor = { datatype: 'FP32', shape: [rows, width], data: new Float32Array(rows * width).map((_, i) => (i % 7) - 3) };

  it('keeps the event loop turning while a model computes in its worker thread', async () => {
    const rt = new OnnxRuntime({ thread: 'worker' });
    await rt.load(loadable(buildHeavyModel(layers, width)));
    await rt.infer({ x }, []);
    let out: Record<string, Tensor> = {};
    const { turns, ms } = await loopTurnsDuring(async () => {
      out = await rt.infer({ x }, []);
    });
    assertClose((out.y!.data as Float32Array).subarray(0, width), heavyReference(Array.from((x.data as Float32Array).subarray(0, width)), layers), 5e-3);
    // Hundreds of turns per millisecond are possible; a blocked loop manages one or two in all.
    assert.ok(turns > Math.max(5, ms / 10), `only ${turns} event-loop turns during a ${ms.toFixed(1)} ms inference`);
    await rt.unload();
  });

  it("blocks the event loop with thread: 'main' (why worker is the default)", async () => {
    const rt = new OnnxRuntime({ thread: 'main' });
    await rt.load(loadable(buildHeavyModel(layers, width)));
    await rt.infer({ x }, []);
    const { turns } = await loopTurnsDuring(() => rt.infer({ x }, []));
    assert.ok(turns <= 3, `${turns} turns`);
    await rt.unload();
  });
});
