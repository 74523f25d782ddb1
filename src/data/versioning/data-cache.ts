import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, statSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ConflictError, NotFoundError } from '../../errors.js';
import { digestOf, parseManifest, type ManifestFile } from './data-manifest.js';
import { cacheBlobPath } from './hash-job.js';
import { digestHex } from './pointer-file.js';

/** Temp files older than this are left over from interrupted runs and removed. */
const STALE_TEMP_MS = 24 * 3600 * 1000;

/** The error for stored bytes that no longer match their digest: reported with the blob's path, never passed on. */
export function corruptBlobError(digest: string, where: string, actual: string): ConflictError {
  return new ConflictError(`Corrupt blob ${where}: expected ${digest}, its bytes hash to sha256:${actual}. Remove it and pull or add the data again.`, {
    details: { digest, path: where, actual: `sha256:${actual}` },
  });
}

/**
 * The local content-addressed cache: each blob once, at
 * `<root>/sha256/<2 hex>/<62 hex>`, read-only. Blobs arrive through a temp
 * file in `<root>/tmp/` that is hashed as it is written and renamed into place
 * only when its digest is right, so an interrupted write never leaves a
 * partial blob under a final name. Reads check the digest again.
 */
export class DataCache {
  constructor(readonly root: string) {}

  /** The path of a blob (whether or not it is there). */
  blobPath(digest: string): string {
    return cacheBlobPath(this.root, digestHex(digest));
  }

  /** Whether the blob is present (with `size` bytes when given). Does not read it. */
  async has(digest: string, size?: number): Promise<boolean> {
    try {
      const s = await stat(this.blobPath(digest));
      return s.isFile() && (size === undefined || s.size === size);
    } catch {
      return false;
    }
  }

  /** `has` without the thread-pool round trip: a stat of cached metadata is cheaper done directly, thousands at a time. */
  hasSync(digest: string, size?: number): boolean {
    try {
      const s = statSync(this.blobPath(digest));
      return s.isFile() && (size === undefined || s.size === size);
    } catch {
      return false;
    }
  }

  /** Stores small bytes (a manifest) and returns their digest; idempotent. */
  async putBytes(bytes: Buffer): Promise<string> {
    const digest = digestOf(bytes);
    if (await this.has(digest, bytes.length)) return digest;
    const temp = await this.tempPath();
    try {
      await writeFile(temp, bytes, { flag: 'wx', mode: 0o444 });
      await this.commit(temp, digest);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
    return digest;
  }

  /**
   * Reads a whole blob, checking its digest.
   * @throws NotFoundError when absent; ConflictError when corrupt.
   */
  async readVerified(digest: string): Promise<Buffer> {
    const path = this.blobPath(digest);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      throw new NotFoundError(`Blob ${digest} is not in the cache (${path}); run \`ferry data pull\`.`);
    }
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (`sha256:${actual}` !== digest) throw corruptBlobError(digest, path, actual);
    return bytes;
  }

  /** Reads and parses a directory manifest blob. */
  async readManifest(digest: string): Promise<ManifestFile[]> {
    return parseManifest(await this.readVerified(digest), `manifest ${digest}`);
  }

  /**
   * Stores a stream (a download) as blob `digest`: hashed while written to a
   * temp file, renamed into place only when it matches.
   * @throws ConflictError naming the blob when the bytes do not match; nothing is kept.
   */
  async receive(digest: string, body: Readable, source: string, onBytes?: (n: number) => void): Promise<number> {
    const temp = await this.tempPath();
    const hash = createHash('sha256');
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        onBytes?.(chunk.length);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, tap, createWriteStream(temp, { flags: 'wx', mode: 0o444 }));
      const actual = hash.digest('hex');
      if (`sha256:${actual}` !== digest) {
        throw new ConflictError(`Blob ${digest} from ${source} is corrupt: its bytes hash to sha256:${actual}; it was not stored. Push the data again from a good copy.`, {
          details: { digest, source, actual: `sha256:${actual}` },
        });
      }
      await this.commit(temp, digest);
      return size;
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  }

  /**
   * A transform that passes a blob's bytes through and fails at the end
   * (before the consumer sees the end) if they do not hash to `digest`, so an
   * upload of a corrupt blob aborts instead of completing.
   */
  verifier(digest: string, onBytes?: (n: number) => void): Transform {
    const hash = createHash('sha256');
    const where = this.blobPath(digest);
    return new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        onBytes?.(chunk.length);
        done(null, chunk);
      },
      flush(done) {
        const actual = hash.digest('hex');
        done(`sha256:${actual}` === digest ? null : corruptBlobError(digest, where, actual));
      },
    });
  }

  /** Removes temp files left by interrupted runs a day or more ago. */
  async removeStaleTemps(): Promise<void> {
    const dir = join(this.root, 'tmp');
    const names = await readdir(dir).catch(() => [] as string[]);
    const cutoff = Date.now() - STALE_TEMP_MS;
    for (const name of names) {
      const path = join(dir, name);
      const s = await stat(path).catch(() => undefined);
      if (s && s.mtimeMs < cutoff) await rm(path, { force: true });
    }
  }

  private async tempPath(): Promise<string> {
    const dir = join(this.root, 'tmp');
    await mkdir(dir, { recursive: true });
    return join(dir, randomUUID());
  }

  private async commit(temp: string, digest: string): Promise<void> {
    const final = this.blobPath(digest);
    await chmod(temp, 0o444);
    await mkdir(dirname(final), { recursive: true });
    await rename(temp, final);
  }
}
