import { joinArtifactPath, proxyPathOf } from '../../backends/artifacts/artifact-path.js';
import type { ArtifactStore } from '../../backends/artifacts/artifact-store.js';
import { NotFoundError } from '../../errors.js';
import { inspectModelPackage, isTensorSpec, parseMlModel, type ModelSignature, type SchemaEntry } from '../model-package/index.js';
import type { ModelVersion } from '../registry-types.js';

/** Real MLmodel files are a few KB. */
const MAX_MLMODEL_BYTES = 1024 * 1024;

/** A version's signature, or why Ferry could not read one. */
export type VersionSignature = { signature: ModelSignature } | { problem: string };

async function readText(artifacts: ArtifactStore, path: string): Promise<string | undefined> {
  let file;
  try {
    file = await artifacts.get(path);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
  if (file.size > MAX_MLMODEL_BYTES) {
    file.stream.destroy();
    throw new Error(`MLmodel is ${file.size} bytes, more than the ${MAX_MLMODEL_BYTES} Ferry reads`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of file.stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The signature a version's package declares, or for an ONNX package without
 * one the signature its graph implies. Packages outside the artifact proxy
 * (s3://, file:// sources) cannot be read and report a problem instead.
 */
export async function readVersionSignature(artifacts: ArtifactStore | undefined, mv: ModelVersion): Promise<VersionSignature> {
  const location = mv.storageLocation || mv.source || '';
  const path = proxyPathOf(location);
  if (!artifacts || path === undefined) return { problem: `version ${mv.version}'s package at '${location}' is not in Ferry's artifact store` };
  try {
    const text = await readText(artifacts, joinArtifactPath(path, 'MLmodel'));
    if (text === undefined) return { problem: `version ${mv.version} has no MLmodel file at '${location}'` };
    const mlmodel = parseMlModel(text);
    if (mlmodel.signature?.inputs?.length) return { signature: mlmodel.signature };
    if ('onnx' in mlmodel.flavors) {
      const info = await inspectModelPackage(artifacts, path);
      if (info.signature?.inputs?.length) return { signature: info.signature };
    }
    return { problem: `version ${mv.version} declares no input signature` };
  } catch (err) {
    return { problem: `version ${mv.version}'s package could not be read: ${(err as Error).message}` };
  }
}

function describeEntry(e: SchemaEntry): string {
  if (isTensorSpec(e)) return `tensor ${e.dtype} [${e.shape.join(', ')}]`;
  return `${e.type}${e.required === false ? ' (optional)' : ''}${e.extra ? ` ${JSON.stringify(e.extra)}` : ''}`;
}

/** Entries by name; unnamed ones by position (`#0`, `#1`…), as MLflow feeds them. */
function byName(entries: SchemaEntry[]): Map<string, string> {
  return new Map(entries.map((e, i) => [e.name !== undefined ? `'${e.name}'` : `#${i}`, describeEntry(e)]));
}

/** How the candidate's inputs differ from the holder's: one line per added, removed or changed input; empty when the same. */
export function inputDifferences(holder: ModelSignature, candidate: ModelSignature): string[] {
  const before = byName(holder.inputs ?? []);
  const after = byName(candidate.inputs ?? []);
  const out: string[] = [];
  for (const [name, spec] of before) {
    const next = after.get(name);
    if (next === undefined) out.push(`input ${name} (${spec}) was removed`);
    else if (next !== spec) out.push(`input ${name} changed from ${spec} to ${next}`);
  }
  for (const [name, spec] of after) if (!before.has(name)) out.push(`input ${name} (${spec}) was added`);
  return out;
}
