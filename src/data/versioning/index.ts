/** Data versioning: content-addressed cache, pointer files, push/pull to an artifact store, DVC import. */
export { addData, type AddOptions, type AddResult } from './data-add.js';
export { DataCache, corruptBlobError } from './data-cache.js';
export { checkoutData, type CheckoutOptions, type CheckoutResult } from './data-checkout.js';
export { checkRelativePath, digestOf, formatManifest, parseManifest, type ManifestFile } from './data-manifest.js';
export { findProjectRoot, openDataProject, resolveRemoteUrl, updateDataConfig, type DataProject } from './data-project.js';
export { dataStatus, type StatusEntry, type WorkspaceState } from './data-status.js';
export { fetchData, pushData, type TransferOptions, type TransferResult } from './data-transfer.js';
export { DataWorkspace, type DataProgress, type DataWorkspaceOptions } from './data-workspace.js';
export { findDvcFiles, importDvc, type DvcImportOptions, type DvcImportResult } from './dvc-import.js';
export type { LinkMode } from './hash-job.js';
export { digestHex, formatPointer, parsePointer, POINTER_SUFFIX, readPointer, writePointer, type DataPointer, type PointerSchema } from './pointer-file.js';
export { findPointers, type PointerRef } from './pointer-scan.js';
export { REMOTE_BLOB_ROOT, remoteBlobPath, remoteMissing } from './remote-blobs.js';
