import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModel, type InitializerSpec, type NodeSpec } from '../../test/helpers/onnx-builder.js';
import { seededRandom } from '../../test/helpers/seeded-random.js';
import { packageFiles } from '../../test/serving/serving-fixtures.js';

/** Columns of the tabular input both bench models take: x FP32 [batch, FEATURES] → y FP32 [batch, 1]. */
export const FEATURES = 20;

function dense(name: string, rows: number, cols: number, seed: number, scale: number): InitializerSpec {
  const rnd = seededRandom(seed);
  return { name, dtype: 'float32', dims: [rows, cols], values: Array.from({ length: rows * cols }, () => (rnd.next() * 2 - 1) * scale) };
}

const bias = (name: string, n: number): InitializerSpec => ({ name, dtype: 'float32', dims: [n], values: Array.from({ length: n }, (_, i) => ((i % 7) - 3) / 100) });

/** A small tabular MLP: 20 → 64 (ReLU) → 64 (ReLU) → 1. */
export function buildMlpModel(hidden = 64): Buffer {
  const nodes: NodeSpec[] = [
    { op: 'Gemm', inputs: ['x', 'W1', 'B1'], outputs: ['h1'] },
    { op: 'Relu', inputs: ['h1'], outputs: ['a1'] },
    { op: 'Gemm', inputs: ['a1', 'W2', 'B2'], outputs: ['h2'] },
    { op: 'Relu', inputs: ['h2'], outputs: ['a2'] },
    { op: 'Gemm', inputs: ['a2', 'W3', 'B3'], outputs: ['y'] },
  ];
  return buildModel({
    graphName: 'tabular_mlp',
    nodes,
    inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', FEATURES] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: ['batch', 1] }],
    initializers: [
      dense('W1', FEATURES, hidden, 1, 1 / Math.sqrt(FEATURES)),
      bias('B1', hidden),
      dense('W2', hidden, hidden, 2, 1 / Math.sqrt(hidden)),
      bias('B2', hidden),
      dense('W3', hidden, 1, 3, 1 / Math.sqrt(hidden)),
      bias('B3', 1),
    ],
  });
}

/**
 * A compute-heavy model with the same tabular input and output as the MLP, so
 * requests and responses cost the same over HTTP and only the compute differs:
 * 20 → width, then `layers` MatMuls by one width×width matrix (near identity,
 * so values stay finite), then width → 1.
 */
export function buildHeavyTabularModel(layers: number, width = 1024): Buffer {
  const square: InitializerSpec = {
    name: 'W',
    dtype: 'float32',
    dims: [width, width],
    values: Array.from({ length: width * width }, (_, k) => (Math.floor(k / width) === k % width ? 0.5 : 0.5 / width)),
  };
  const nodes: NodeSpec[] = [{ op: 'MatMul', inputs: ['x', 'Win'], outputs: ['h0'] }];
  for (let i = 0; i < layers; i++) nodes.push({ op: 'MatMul', inputs: [`h${i}`, 'W'], outputs: [`h${i + 1}`] });
  nodes.push({ op: 'MatMul', inputs: [`h${layers}`, 'Wout'], outputs: ['y'] });
  return buildModel({
    graphName: 'heavy_tabular',
    nodes,
    inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', FEATURES] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: ['batch', 1] }],
    initializers: [dense('Win', FEATURES, width, 4, 1 / Math.sqrt(FEATURES)), square, dense('Wout', width, 1, 5, 1 / Math.sqrt(width))],
  });
}

/** Writes an MLflow ONNX package (MLmodel + model.onnx) into `dir/name`, which `ferry serve` loads as a local package directory. */
export function writeModelPackage(dir: string, name: string, bytes: Uint8Array): string {
  const root = join(dir, name);
  mkdirSync(root, { recursive: true });
  for (const [file, body] of Object.entries(packageFiles(bytes))) writeFileSync(join(root, file), body);
  return root;
}

/** `count` single rows of FEATURES values in [-2, 2), as 4-decimal numbers a client would send. */
export function sampleRows(count: number, seed = 42): number[][] {
  const rnd = seededRandom(seed);
  return Array.from({ length: count }, () => Array.from({ length: FEATURES }, () => Math.round((rnd.next() * 4 - 2) * 1e4) / 1e4));
}
