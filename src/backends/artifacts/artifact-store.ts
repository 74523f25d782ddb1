import type { Readable } from 'node:stream';

/** One entry of a directory listing, relative to the listed directory's root path. */
export interface ArtifactEntry {
  /** Path relative to the store root, using '/' separators (e.g. "0/abc/artifacts/model/MLmodel"). */
  path: string;
  isDir: boolean;
  /** Size in bytes for files; undefined for directories. */
  size?: number;
}

/**
 * Where artifact bytes live. Every `path` is relative to the store's root,
 * uses '/' separators and has already been checked by `normalizeArtifactPath`
 * (no '..', no absolute paths, no NUL); implementations check again anyway.
 */
export interface ArtifactStore {
  /** The URL this store was opened with (file:///…, s3://bucket/prefix). */
  readonly url: string;

  /**
   * Streams `body` to `path`, replacing any existing file. Never buffers the
   * whole body. The file becomes visible only once completely written.
   * Idempotent: writing the same bytes twice leaves one file.
   * @returns the number of bytes written.
   */
  put(path: string, body: Readable | Buffer): Promise<number>;

  /**
   * Opens `path` for reading. Throws NotFoundError when there is no such file
   * (a directory is not a file).
   */
  get(path: string): Promise<{ stream: Readable; size: number }>;

  /**
   * Lists the direct children of directory `path` ('' for the root). A missing
   * directory lists as empty, as MLflow does. Sorted by path.
   */
  list(path: string): Promise<ArtifactEntry[]>;

  /** Deletes a file or a whole directory tree. Idempotent: missing paths are fine. */
  delete(path: string): Promise<void>;

  /** Deletes several trees at once (used by `ferry gc`). Idempotent. */
  deleteMany(paths: string[]): Promise<void>;

  /** Releases clients and sockets. */
  close(): Promise<void>;
}
