import { join } from 'node:path';
import { DataSourceResolver } from './sources/data-source-resolver.js';
import { UploadStore } from './sources/upload-store.js';

/** Largest table file the data API accepts as one upload. */
export const MAX_UPLOAD_BYTES = 8 * 1024 ** 3;

/** What the data API shares: where uploads go and how table references resolve. */
export interface DataServices {
  uploads: UploadStore;
  sources: DataSourceResolver;
}

export function createDataServices(home: string): DataServices {
  const uploads = new UploadStore(join(home, 'uploads'), MAX_UPLOAD_BYTES);
  return { uploads, sources: new DataSourceResolver(uploads) };
}
