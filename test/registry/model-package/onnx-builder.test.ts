import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import {
  buildAddModel,
  buildIdentityModel,
  buildLinearModel,
  buildLinearModelWithExternalData,
  buildModel,
  buildUnsupportedOpsetModel,
  corruptModelBytes,
  linearReference,
  type ElemTypeName,
} from '../../helpers/onnx-builder.js';

const quiet = { logSeverityLevel: 3 as const };

async function run(bytes: Uint8Array | string, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = typeof bytes === 'string' ? await ort.InferenceSession.create(bytes, quiet) : await ort.InferenceSession.create(bytes, quiet);
  try {
    return (await session.run(feeds)) as Record<string, ort.Tensor>;
  } finally {
    await session.release();
  }
}

function assertClose(actual: ArrayLike<number>, expected: number[], tolerance = 1e-5): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `value ${i}: ${actual[i]} ≠ ${expected[i]}`);
}

describe('onnx-builder', () => {
  describe('buildLinearModel', () => {
    const x = [
      [1, 2, 3, 4],
      [0, -1, 0.5, 2],
      [-3, 0, 0, 1],
    ];
    const feed = { x: new ort.Tensor('float32', Float32Array.from(x.flat()), [3, 4]) };

    it('builds a Gemm model that onnxruntime-node loads and runs to x·W + b', async () => {
      const out = await run(buildLinearModel({ inputs: 4, outputs: 2 }), feed);
      assert.deepEqual(out.y.dims, [3, 2]);
      assertClose(out.y.data as Float32Array, linearReference(x, { inputs: 4, outputs: 2 }).flat());
    });

    it('uses the given weights and bias, MatMul + Add and Relu', async () => {
      const options = { inputs: 4, outputs: 3, weights: [[1, 0, -1], [0, 1, 0], [2, 0, 0], [0, 0, 1]], bias: [0, -10, 1], op: 'matmul' as const, relu: true };
      const out = await run(buildLinearModel(options), feed);
      assertClose(out.y.data as Float32Array, linearReference(x, options).flat());
      assert.ok((out.y.data as Float32Array).every((v) => v >= 0));
    });

    it('records a symbolic batch dim, an unnamed one or a fixed one', async () => {
      for (const [batch, expected] of [
        ['batch', 'batch'],
        [null, ''],
        [3, 3],
      ] as const) {
        const session = await ort.InferenceSession.create(buildLinearModel({ inputs: 4, outputs: 2, batch }), quiet);
        const meta = session.inputMetadata[0];
        assert.ok(meta.isTensor);
        assert.deepEqual(meta.shape, [expected, 4]);
        await session.release();
      }
    });

    it('can keep the weights in an external data file that ORT reads beside the model', async () => {
      const built = buildLinearModelWithExternalData({ inputs: 4, outputs: 2, externalFile: 'weights.bin' });
      assert.equal(built.externalData.get('weights.bin')?.length, 4 * 2 * 4);
      const dir = await mkdtemp(join(tmpdir(), 'ferry-onnx-builder-'));
      try {
        await writeFile(join(dir, 'model.onnx'), built.bytes);
        await writeFile(join(dir, 'weights.bin'), built.externalData.get('weights.bin')!);
        const out = await run(join(dir, 'model.onnx'), feed);
        assertClose(out.y.data as Float32Array, linearReference(x, { inputs: 4, outputs: 2 }).flat());
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('buildAddModel', () => {
    it('adds float32 tensors', async () => {
      const a = new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
      const b = new ort.Tensor('float32', Float32Array.from([10, 20, 30, 40, 50, 60]), [2, 3]);
      const out = await run(buildAddModel(), { a, b });
      assertClose(out.sum.data as Float32Array, [11, 22, 33, 44, 55, 66]);
    });

    it('adds int64 tensors with custom names and a fixed shape', async () => {
      const bytes = buildAddModel({ dtype: 'int64', shape: [2], names: { a: 'left', b: 'right', sum: 'total' } });
      const out = await run(bytes, {
        left: new ort.Tensor('int64', BigInt64Array.from([1n, 2n]), [2]),
        right: new ort.Tensor('int64', BigInt64Array.from([40n, 50n]), [2]),
      });
      assert.deepEqual([...(out.total.data as BigInt64Array)], [41n, 52n]);
    });
  });

  describe('buildIdentityModel', () => {
    it('passes bool, string, int32 and float64 tensors through', async () => {
      const cases: Array<[ElemTypeName, ort.Tensor]> = [
        ['bool', new ort.Tensor('bool', Uint8Array.from([1, 0]), [1, 2])],
        ['string', new ort.Tensor('string', ['a', 'b'], [1, 2])],
        ['int32', new ort.Tensor('int32', Int32Array.from([7, -7]), [1, 2])],
        ['float64', new ort.Tensor('float64', Float64Array.from([0.1, 0.2]), [1, 2])],
      ];
      for (const [dtype, tensor] of cases) {
        const out = await run(buildIdentityModel({ dtype, shape: ['n', 2] }), { input: tensor });
        assert.equal(out.output.type, tensor.type);
        assert.deepEqual(Array.from(out.output.data as ArrayLike<unknown>), Array.from(tensor.data as ArrayLike<unknown>), dtype);
      }
    });

    it('leaves the shape out when none is given', async () => {
      const session = await ort.InferenceSession.create(buildIdentityModel({ dtype: 'float32' }), quiet);
      assert.deepEqual((session.inputMetadata[0] as { shape: unknown }).shape, []);
      await session.release();
    });
  });

  describe('buildModel', () => {
    it('writes node attributes (Gemm transB, alpha, beta)', async () => {
      const bytes = buildModel({
        nodes: [{ op: 'Gemm', inputs: ['x', 'W'], outputs: ['y'], attributes: { transB: { int: 1 }, alpha: { float: 2 } } }],
        inputs: [{ name: 'x', dtype: 'float32', shape: [1, 2] }],
        outputs: [{ name: 'y', dtype: 'float32', shape: [1, 3] }],
        // W is [3, 2]: transposed by transB to [2, 3].
        initializers: [{ name: 'W', dtype: 'float32', dims: [3, 2], values: [1, 0, 0, 1, 1, 1] }],
      });
      const out = await run(bytes, { x: new ort.Tensor('float32', Float32Array.from([3, 4]), [1, 2]) });
      assertClose(out.y.data as Float32Array, [6, 8, 14]);
    });

    it('refuses initializer values that do not fill the dims', () => {
      assert.throws(
        () => buildModel({ nodes: [], inputs: [], outputs: [], initializers: [{ name: 'W', dtype: 'float32', dims: [2, 2], values: [1] }] }),
        /dims \[2,2\] hold 4 values, got 1/,
      );
    });
  });

  describe('negative models', () => {
    it('corruptModelBytes is refused by onnxruntime', async () => {
      await assert.rejects(ort.InferenceSession.create(corruptModelBytes(), quiet), /protobuf parsing failed/);
    });

    it('buildUnsupportedOpsetModel (opset 99) is refused by onnxruntime', async () => {
      await assert.rejects(ort.InferenceSession.create(buildUnsupportedOpsetModel(), quiet), /Opset 99/);
    });
  });
});
