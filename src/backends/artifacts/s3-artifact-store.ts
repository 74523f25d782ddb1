import { Transform, pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import type { S3Client, _Object } from '@aws-sdk/client-s3';
import {
  FerryError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  UnavailableError,
} from '../../errors.js';
import { joinArtifactPath, normalizeArtifactPath } from './artifact-path.js';
import type { ArtifactEntry, ArtifactStore } from './artifact-store.js';

type S3Sdk = typeof import('@aws-sdk/client-s3');
type UploadClass = (typeof import('@aws-sdk/lib-storage'))['Upload'];

/** Overrides for what otherwise comes from the standard AWS environment variables. */
export interface S3ArtifactStoreOptions {
  /** S3-protocol endpoint (MinIO, s3rver…). Default: AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, then AWS itself. */
  endpoint?: string;
  /** Default: AWS_REGION, then AWS_DEFAULT_REGION, then 'us-east-1'. */
  region?: string;
  /** Default: the SDK's provider chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles, instance roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Address buckets as endpoint/bucket rather than bucket.endpoint. Default: true when an endpoint is set. */
  forcePathStyle?: boolean;
}

/** DeleteObjects accepts at most this many keys per request. */
const DELETE_BATCH = 1000;

/**
 * Opens an S3 (or S3-protocol) artifact store for `s3://bucket/optional/prefix`.
 * The AWS SDK is imported here, lazily, so users of other stores never load it.
 * Nothing is sent to S3 until the first operation.
 */
export async function createS3ArtifactStore(url: string, options: S3ArtifactStoreOptions = {}): Promise<S3ArtifactStore> {
  const { bucket, prefix } = parseS3Url(url);
  const [sdk, { Upload }] = await Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')]);
  const env = process.env;
  const endpoint = options.endpoint ?? (env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined);
  const client = new sdk.S3Client({
    region: options.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1'),
    endpoint,
    credentials: options.credentials,
    // Self-hosted S3 servers rarely have wildcard DNS for virtual-host buckets.
    forcePathStyle: options.forcePathStyle ?? endpoint !== undefined,
    // Since SDK 3.729 requests carry CRC32 checksums by default (as aws-chunked
    // trailers for streamed bodies) and responses are validated against them;
    // older S3-protocol servers (MinIO/Ceph releases, GCS interop) reject or
    // mangle these. Only use checksums where an operation demands one.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return new S3ArtifactStore(url, bucket, prefix, client, sdk, Upload);
}

/**
 * Splits `s3://bucket/a/b` into its bucket and normalized key prefix ("a/b").
 * Parsed by hand: WHATWG URL parsing would silently resolve "a/../b" and
 * "%2e%2e" in the prefix, where an error is wanted.
 */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/?#@:\s]+)(?:\/([^?#]*))?$/i.exec(url);
  if (match === null) {
    throw new InvalidArgumentError(
      `Invalid S3 URL ${JSON.stringify(url)}; use s3://bucket/optional/prefix (no credentials, query or fragment)`,
    );
  }
  let prefix: string;
  try {
    prefix = decodeURIComponent(match[2] ?? '');
  } catch (err) {
    throw new InvalidArgumentError(`S3 URL ${JSON.stringify(url)} has a malformed %-escape`, { cause: err });
  }
  return { bucket: match[1] ?? '', prefix: normalizeArtifactPath(prefix) };
}

/**
 * Artifacts as objects in one bucket, under an optional key prefix. S3 has no
 * directories: "a/b" is a directory when some key starts with "a/b/".
 * Uploads stream as multipart uploads of 5 MiB parts, at most 4 in flight
 * (lib-storage defaults), so memory stays bounded whatever the body size; an
 * object appears only once its upload completes.
 */
export class S3ArtifactStore implements ArtifactStore {
  constructor(
    readonly url: string,
    private readonly bucket: string,
    private readonly prefix: string,
    private readonly client: S3Client,
    private readonly sdk: S3Sdk,
    private readonly Upload: UploadClass,
  ) {}

  async put(path: string, body: Readable | Buffer): Promise<number> {
    const key = this.fileKey(path);
    let bytes = 0;
    let source: Readable | Buffer = body;
    if (!Buffer.isBuffer(body)) {
      const counter = new Transform({
        transform(chunk: Buffer | string, _encoding, done) {
          bytes += Buffer.byteLength(chunk);
          done(null, chunk);
        },
      });
      // pipeline forwards a body error to `counter`, which fails the upload
      // (and aborts its multipart upload) instead of hanging it.
      pipeline(body, counter, () => undefined);
      source = counter;
    } else {
      bytes = body.length;
    }
    try {
      await new this.Upload({ client: this.client, params: { Bucket: this.bucket, Key: key, Body: source } }).done();
    } catch (err) {
      throw s3ErrorToFerryError(err, `write artifact ${JSON.stringify(path)}`);
    }
    return bytes;
  }

  async get(path: string): Promise<{ stream: Readable; size: number }> {
    const key = this.fileKey(path);
    try {
      const out = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.bucket, Key: key }));
      // In Node the SDK's body is an http.IncomingMessage, a Readable.
      return { stream: out.Body as Readable, size: out.ContentLength ?? 0 };
    } catch (err) {
      throw s3ErrorToFerryError(err, `read artifact ${JSON.stringify(path)}`);
    }
  }

  async list(path: string): Promise<ArtifactEntry[]> {
    const rel = normalizeArtifactPath(path);
    const dirPrefix = this.dirPrefix(rel);
    const entries: ArtifactEntry[] = [];
    let token: string | undefined;
    do {
      const page = await this.client
        .send(
          new this.sdk.ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: dirPrefix,
            Delimiter: '/',
            ContinuationToken: token,
          }),
        )
        .catch((err: unknown) => {
          throw s3ErrorToFerryError(err, `list artifacts in ${JSON.stringify(path)}`);
        });
      for (const common of page.CommonPrefixes ?? []) {
        const name = common.Prefix?.slice(dirPrefix.length).replace(/\/$/, '');
        if (name) entries.push({ path: joinRel(rel, name), isDir: true });
      }
      for (const object of page.Contents ?? []) {
        const name = object.Key?.slice(dirPrefix.length);
        // An empty name is a "directory marker" object ("dir/") some tools create.
        if (name) entries.push({ path: joinRel(rel, name), isDir: false, size: object.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async delete(path: string): Promise<void> {
    await this.deleteMany([path]);
  }

  async deleteMany(paths: string[]): Promise<void> {
    // Validate everything first so a bad path deletes nothing.
    const keys = paths.map((path) => {
      const rel = normalizeArtifactPath(path);
      if (rel === '') throw new InvalidArgumentError('Refusing to delete the artifact store root; name a file or directory');
      return joinArtifactPath(this.prefix, rel);
    });
    let batch: string[] = [];
    for (const key of keys) {
      for await (const k of this.keysUnder(key)) {
        batch.push(k);
        if (batch.length === DELETE_BATCH) {
          await this.deleteKeys(batch);
          batch = [];
        }
      }
    }
    if (batch.length > 0) await this.deleteKeys(batch);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  /** The key itself (it may be a file) and every key below it as a directory. */
  private async *keysUnder(key: string): AsyncGenerator<string> {
    yield key;
    let token: string | undefined;
    do {
      const page = await this.client
        .send(new this.sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${key}/`, ContinuationToken: token }))
        .catch((err: unknown) => {
          throw s3ErrorToFerryError(err, `list artifacts to delete under ${JSON.stringify(key)}`);
        });
      yield* (page.Contents ?? []).flatMap((o: _Object) => (o.Key ? [o.Key] : []));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  private async deleteKeys(keys: string[]): Promise<void> {
    const out = await this.client
      .send(
        new this.sdk.DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
        }),
      )
      .catch((err: unknown) => {
        throw s3ErrorToFerryError(err, 'delete artifacts');
      });
    const failed = out.Errors?.[0];
    if (failed !== undefined) {
      // Deleting a missing key succeeds in S3, so any error here is real.
      throw s3ErrorToFerryError(
        Object.assign(new Error(failed.Message ?? 'DeleteObjects failed'), { name: failed.Code ?? 'Error' }),
        `delete artifact key ${JSON.stringify(failed.Key)}`,
      );
    }
  }

  private fileKey(path: string): string {
    const rel = normalizeArtifactPath(path);
    if (rel === '') throw new InvalidArgumentError('Artifact path is empty; name a file');
    return joinArtifactPath(this.prefix, rel);
  }

  /** "prefix/rel/" — the key prefix of directory `rel` ('' at an unprefixed root). */
  private dirPrefix(rel: string): string {
    const key = joinArtifactPath(this.prefix, rel);
    return key === '' ? '' : `${key}/`;
  }
}

function joinRel(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound']);
const DENIED = new Set(['AccessDenied', 'Forbidden', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken']);
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'TimeoutError',
  'RequestTimeout',
  'SlowDown',
  'ServiceUnavailable',
]);

/**
 * The one place S3 SDK and socket errors become Ferry errors. `action` says
 * what failed, e.g. 'read artifact "a/b"'.
 */
export function s3ErrorToFerryError(err: unknown, action: string): FerryError {
  if (err instanceof FerryError) return err;
  const e = (err ?? {}) as {
    name?: string;
    code?: string;
    message?: string;
    errors?: Array<{ code?: string }>;
    $metadata?: { httpStatusCode?: number };
  };
  const name = e.name ?? '';
  // Node reports a refused dual-stack connect as an AggregateError of per-address errors.
  const code = e.code ?? e.errors?.[0]?.code ?? '';
  const status = e.$metadata?.httpStatusCode;
  const reason = `${name || code}: ${e.message ?? String(err)}`;
  if (name === 'NoSuchBucket') {
    return new UnavailableError(`Cannot ${action}: the S3 bucket does not exist; create it or fix the artifact store URL`, {
      cause: err,
    });
  }
  if (NOT_FOUND.has(name) || status === 404) return new NotFoundError(`Cannot ${action}: it does not exist`, { cause: err });
  if (DENIED.has(name) || status === 403) {
    return new PermissionDeniedError(`Cannot ${action}: S3 refused the server's credentials (${reason})`, { cause: err });
  }
  if (UNREACHABLE.has(name) || UNREACHABLE.has(code) || (status !== undefined && status >= 500)) {
    return new UnavailableError(`Cannot ${action}: S3 is unreachable or overloaded (${reason})`, { cause: err });
  }
  return new InternalError(`Cannot ${action}: S3 failed (${reason})`, { cause: err });
}
