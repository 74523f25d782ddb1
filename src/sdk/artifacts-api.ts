import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { joinArtifactPath, normalizeArtifactPath, proxyPathOf } from '../backends/artifacts/artifact-path.js';
import { InvalidArgumentError } from '../errors.js';
import type { RunsApi } from './ferry-client.js';
import type { HttpClient, RequestBody } from './http-client.js';
import type { ArtifactFile } from './mlflow-decode.js';

const PROXY = '/api/2.0/mlflow-artifacts/artifacts';

/** What `upload` accepts: bytes, text, or a stream (a stream is sent once and not retried). */
export type ArtifactBody = Buffer | Uint8Array | string | Readable | AsyncIterable<Uint8Array>;

const encodePath = (p: string) => p.split('/').map(encodeURIComponent).join('/');

/** Run artifacts through the server's artifact proxy (/api/2.0/mlflow-artifacts). */
export { proxyPathOf };

export class ArtifactsApi {
  /** Artifact roots by run id: a run's artifact URI never changes. */
  private readonly roots = new Map<string, string>();

  constructor(
    private readonly http: HttpClient,
    private readonly runs: RunsApi,
  ) {}

  /** Writes `body` to `artifactPath` under the run's artifact root, replacing any file there. */
  async upload(runId: string, artifactPath: string, body: ArtifactBody): Promise<void> {
    const path = normalizeArtifactPath(artifactPath);
    if (path === '') throw new InvalidArgumentError('Give the artifact path to upload to, e.g. "model/weights.bin".');
    const replayable = typeof body === 'string' || body instanceof Uint8Array;
    await this.put(runId, path, () => body as RequestBody, replayable);
  }

  /**
   * Uploads a local file to `<artifactDir>/<file name>`, or a directory's
   * contents under `<artifactDir>` (as `mlflow.log_artifact(s)` do). Files
   * stream from disk and are retried on failure.
   */
  async uploadFile(runId: string, localPath: string, artifactDir = ''): Promise<void> {
    const info = await stat(localPath);
    if (!info.isDirectory()) {
      await this.put(runId, joinArtifactPath(artifactDir, basename(localPath)), () => createReadStream(localPath) as unknown as RequestBody, true);
      return;
    }
    for (const entry of await readdir(localPath, { withFileTypes: true })) {
      const child = join(localPath, entry.name);
      if (entry.isDirectory()) await this.uploadFile(runId, child, joinArtifactPath(artifactDir, entry.name));
      else if (entry.isFile()) await this.uploadFile(runId, child, artifactDir);
    }
  }

  /** Reads a whole artifact into memory. Throws NotFoundError for a missing file. */
  async download(runId: string, artifactPath: string): Promise<Buffer> {
    // No timeout: a large artifact may take long; the per-call timeout is for JSON calls.
    const res = await this.http.send('GET', PROXY + '/' + encodePath(await this.pathFor(runId, artifactPath)), { timeoutMs: 0 });
    return Buffer.from(await res.arrayBuffer());
  }

  /** Streams an artifact to a local file, creating its folder. */
  async downloadTo(runId: string, artifactPath: string, localPath: string): Promise<void> {
    const res = await this.http.send('GET', PROXY + '/' + encodePath(await this.pathFor(runId, artifactPath)), { timeoutMs: 0 });
    await mkdir(dirname(localPath), { recursive: true });
    if (!res.body) throw new InvalidArgumentError(`The server sent no body for artifact '${artifactPath}'.`);
    await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), createWriteStream(localPath));
  }

  /** The direct children of `path` ('' for the run's artifact root). */
  list(runId: string, path = ''): Promise<ArtifactFile[]> {
    return this.runs.listArtifacts(runId, path);
  }

  private async put(runId: string, path: string, body: () => RequestBody, replayable: boolean): Promise<void> {
    const target = PROXY + '/' + encodePath(await this.pathFor(runId, path));
    const res = await this.http.send('PUT', target, { body, once: !replayable, timeoutMs: 0, headers: { 'content-type': 'application/octet-stream' } });
    await res.body?.cancel().catch(() => undefined);
  }

  private async pathFor(runId: string, artifactPath: string): Promise<string> {
    let root = this.roots.get(runId);
    if (root === undefined) {
      const run = await this.runs.get(runId);
      const proxied = proxyPathOf(run.info.artifactUri);
      if (proxied === undefined) {
        throw new InvalidArgumentError(
          `Run ${runId} keeps its artifacts at '${run.info.artifactUri}', which the server does not proxy; ` +
            'only runs in experiments with an mlflow-artifacts:/ location can move artifacts through Ferry.',
        );
      }
      root = proxied;
      this.roots.set(runId, root);
    }
    return joinArtifactPath(root, artifactPath);
  }
}
