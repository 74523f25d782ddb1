import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError, NotFoundError } from '../../errors.js';
import type { TableFormat } from '../table/table-format.js';
import { TABLE_FORMATS } from '../table/table-format.js';

export interface Upload {
  id: string;
  format: TableFormat;
  sizeBytes: number;
  path: string;
}

const ID = /^[0-9a-f]{32}$/;

/**
 * Table files uploaded to the server for profiling, validation or drift, kept
 * under one folder by a random id. Ids are checked against a fixed pattern, so
 * a client-chosen id can never name a path outside the folder.
 */
export class UploadStore {
  constructor(
    readonly root: string,
    /** Largest upload accepted, in bytes. */
    readonly maxBytes: number,
  ) {}

  /**
   * Streams a body into a new upload; the file appears under its final name
   * only once complete, so a cut-off upload leaves nothing readable.
   * @throws InvalidArgumentError when the body exceeds `maxBytes`.
   */
  async put(body: Readable, format: TableFormat): Promise<Upload> {
    await mkdir(this.root, { recursive: true });
    const id = randomBytes(16).toString('hex');
    const path = join(this.root, `${id}.${format}`);
    const partial = `${path}.partial`;
    let size = 0;
    const limit = this.maxBytes;
    try {
      await pipeline(
        body,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            size += chunk.length;
            if (size > limit) throw new InvalidArgumentError(`The upload exceeds the limit of ${limit} bytes.`);
            yield chunk;
          }
        },
        createWriteStream(partial),
      );
      await rename(partial, path);
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
    return { id, format, sizeBytes: size, path };
  }

  /**
   * The upload with this id.
   * @throws InvalidArgumentError for a malformed id; NotFoundError when no such upload exists.
   */
  async get(id: string): Promise<Upload> {
    if (!ID.test(id)) throw new InvalidArgumentError(`'${id}' is not an upload id (32 hex digits).`);
    for (const format of TABLE_FORMATS) {
      const path = join(this.root, `${id}.${format}`);
      const info = await stat(path).catch(() => undefined);
      if (info) return { id, format, sizeBytes: info.size, path };
    }
    throw new NotFoundError(`No upload '${id}'; uploads are kept for a limited time, upload the file again.`);
  }

  /** Deletes an upload; idempotent. */
  async delete(id: string): Promise<void> {
    const upload = await this.get(id).catch(() => undefined);
    if (upload) await rm(upload.path, { force: true });
  }

  /** Removes uploads (and abandoned partial files) older than `maxAgeMs`; returns how many went. */
  async sweep(maxAgeMs: number, now = Date.now()): Promise<number> {
    const names = await readdir(this.root).catch(() => [] as string[]);
    let removed = 0;
    for (const name of names) {
      const path = join(this.root, name);
      const info = await stat(path).catch(() => undefined);
      if (info && now - info.mtimeMs > maxAgeMs) {
        await rm(path, { force: true });
        removed++;
      }
    }
    return removed;
  }
}
