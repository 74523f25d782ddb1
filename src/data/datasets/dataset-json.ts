import { datasetRef, runInputDigest, type DatasetVersion, type RegisteredDataset } from './dataset-types.js';

/** A version as the API answers it (snake_case), with its `ref` and the digest its run inputs carry. */
export function datasetVersionJson(v: DatasetVersion): Record<string, unknown> {
  return {
    name: v.name,
    version: v.version,
    ref: datasetRef(v.name, v.version),
    digest: v.digest,
    run_input_digest: runInputDigest(v.digest),
    kind: v.kind,
    size: v.size,
    files: v.files,
    source: v.source,
    schema: v.schema,
    profile: v.profile,
    description: v.description,
    tags: v.tags,
    created_by: v.createdBy,
    creation_time: v.creationTime,
    last_updated_time: v.lastUpdatedTime,
  };
}

export function datasetJson(d: RegisteredDataset): Record<string, unknown> {
  return {
    name: d.name,
    description: d.description,
    tags: d.tags,
    creation_time: d.creationTime,
    last_updated_time: d.lastUpdatedTime,
    version_count: d.versionCount,
    latest_version: d.latestVersion === null ? null : datasetVersionJson(d.latestVersion),
  };
}
