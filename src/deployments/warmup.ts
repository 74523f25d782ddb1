import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import { joinArtifactPath, proxyPathOf } from '../backends/artifacts/artifact-path.js';
import type { ArtifactStore } from '../backends/artifacts/artifact-store.js';
import { parseMlModel } from '../registry/model-package/index.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import { decodeScoringJson } from '../serving/mlflow-scoring-codec.js';
import type { ServedModel } from '../serving/served-model.js';
import type { InferenceRequest } from '../serving/serving-types.js';
import type { ModelRef } from './deployment-types.js';
import { modelUri } from './deployment-spec.js';

/** Examples are small; a larger file is not read for a warm-up. */
const MAX_EXAMPLE_BYTES = 1024 * 1024;

export interface WarmupSource {
  registry?: ModelRegistry;
  artifacts?: ArtifactStore;
}

async function collect(stream: Readable, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > max) {
      stream.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Reads one file of a registered version's package, wherever serving would read it from; undefined if it cannot. */
async function packageFileReader(source: WarmupSource, ref: ModelRef): Promise<((rel: string) => Promise<Buffer | undefined>) | undefined> {
  if (!source.registry) return undefined;
  const mv = await source.registry.resolveModelUri(modelUri(ref));
  const location = mv.storageLocation || mv.source;
  if (!location) return undefined;
  const proxied = proxyPathOf(location);
  const root = source.artifacts?.url.replace(/\/+$/, '');
  const base = proxied ?? (root && location.startsWith(`${root}/`) ? decodeURIComponent(location.slice(root.length + 1)) : undefined);
  if (base !== undefined && source.artifacts) {
    const artifacts = source.artifacts;
    return async (rel) => {
      const { stream, size } = await artifacts.get(joinArtifactPath(base, rel));
      if (size > MAX_EXAMPLE_BYTES) {
        stream.destroy();
        return undefined;
      }
      return collect(stream, MAX_EXAMPLE_BYTES);
    };
  }
  if (location.startsWith('file:') || location.startsWith('/')) {
    const dir = location.startsWith('file:') ? fileURLToPath(location) : location;
    return async (rel) => readFile(join(dir, rel));
  }
  return undefined;
}

/**
 * The version's saved input example as a scoring request body (MLflow's
 * `serving_input_example.json`, else `input_example.json` wrapped by its
 * type), or undefined when it has none or it cannot be read.
 */
export async function readServingExample(source: WarmupSource, ref: ModelRef): Promise<unknown> {
  try {
    const read = await packageFileReader(source, ref);
    if (!read) return undefined;
    const mlmodel = await read('MLmodel');
    const info = mlmodel && parseMlModel(mlmodel.toString('utf8')).savedInputExampleInfo;
    if (!info) return undefined;
    if (info.servingInputPath) {
      const body = await read(info.servingInputPath).catch(() => undefined);
      if (body) return JSON.parse(body.toString('utf8'));
    }
    const raw = await read(info.artifactPath);
    if (!raw) return undefined;
    const data = JSON.parse(raw.toString('utf8')) as unknown;
    if (info.type === 'dataframe') return info.pandasOrient === 'records' ? { dataframe_records: data } : { dataframe_split: data };
    return { inputs: data };
  } catch {
    // Warm-up falls back to zeros; a package without a readable example still serves.
    return undefined;
  }
}

/** One row of zeros (empty strings, false) in the shape of each input; dynamic dimensions become 1. */
export function zerosRequest(model: Pick<ServedModel, 'inputs'>): InferenceRequest {
  return {
    inputs: model.inputs.map((t) => {
      const shape = t.shape.map((d) => (d < 0 ? 1 : d));
      const count = shape.reduce((n, d) => n * d, 1);
      const fill = t.datatype === 'BYTES' ? '' : t.datatype === 'BOOL' ? false : 0;
      return { name: t.name, datatype: t.datatype, shape, data: new Array(count).fill(fill) };
    }),
  };
}

/**
 * Runs one inference so the runtime has allocated and compiled what it needs
 * before real traffic: on the input example when the package has one (then a
 * failure is the version's fault and is thrown), else on zeros (a failure
 * there may be the zeros' fault, so it is reported, not thrown).
 * @returns how the model was warmed, and why zeros failed if they did.
 */
export async function warmUp(model: ServedModel, example: unknown): Promise<{ input: 'example' | 'zeros'; warning?: string }> {
  if (example !== undefined) {
    await model.infer(decodeScoringJson(model, example).request);
    return { input: 'example' };
  }
  try {
    await model.infer(zerosRequest(model));
    return { input: 'zeros' };
  } catch (err) {
    return { input: 'zeros', warning: `warm-up on zeros failed: ${(err as Error).message}` };
  }
}
