import { fetchWithToken, request } from '../../api';

/** One entry of artifacts/list: `path` is relative to the run's artifact root. */
export interface ArtifactFile {
  path: string;
  is_dir: boolean;
  file_size?: number;
}
export interface DatasetInput {
  tags?: Array<{ key: string; value: string }>;
  dataset: { name: string; digest: string; source_type?: string; source?: string; schema?: string; profile?: string };
}
export interface LoggedModel {
  info: { model_id: string; name?: string; model_type?: string; status?: string; creation_timestamp_ms?: number; source_run_id?: string; artifact_uri?: string };
}

/** The artifact proxy's path for a run's `mlflow-artifacts:/…` root, or undefined for roots the proxy does not serve. */
export function proxyRoot(artifactUri: string | undefined): string | undefined {
  if (!artifactUri?.startsWith('mlflow-artifacts:')) return undefined;
  let rest = artifactUri.slice('mlflow-artifacts:'.length);
  // mlflow-artifacts://host:port/path names a server; only the path matters here.
  if (rest.startsWith('//')) rest = rest.slice(2).replace(/^[^/]*/, '');
  return rest.replace(/^\/+/, '').replace(/\/+$/, '');
}

export const artifactUrl = (root: string, path: string) =>
  `/api/2.0/mlflow-artifacts/artifacts/${[...root.split('/'), ...path.split('/')].map(encodeURIComponent).join('/')}`;

export const runApi = {
  listArtifacts: (runId: string, path: string) =>
    request<{ root_uri?: string; files?: ArtifactFile[] }>(
      'GET',
      `/api/2.0/mlflow/artifacts/list?run_id=${encodeURIComponent(runId)}${path ? `&path=${encodeURIComponent(path)}` : ''}`,
    ),
  loggedModels: (experimentId: string, runId: string) =>
    request<{ models?: LoggedModel[] }>('POST', '/api/2.0/mlflow/logged-models/search', {
      experiment_ids: [experimentId],
      filter: `source_run_id = '${runId.replace(/'/g, "''")}'`,
      max_results: 100,
    }),
};

/** The first `limit` bytes of an artifact, read off the stream and then cancelled so a large file is not downloaded whole. */
export async function fetchArtifactHead(url: string, limit: number, signal?: AbortSignal): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  const res = await fetchWithToken(url, { signal });
  if (!res.body) {
    const all = new Uint8Array(await res.arrayBuffer());
    return { bytes: all.slice(0, limit), truncated: all.length > limit };
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
    if (size > limit) {
      truncated = true;
      await reader.cancel();
      break;
    }
  }
  const out = new Uint8Array(Math.min(size, limit));
  let at = 0;
  for (const c of chunks) {
    const part = c.subarray(0, Math.min(c.length, out.length - at));
    out.set(part, at);
    at += part.length;
    if (at >= out.length) break;
  }
  return { bytes: out, truncated };
}

/** The whole artifact as a Blob, for images: an <img src> cannot carry the token, an object URL of this can. */
export async function fetchArtifactBlob(url: string, signal?: AbortSignal): Promise<Blob> {
  const res = await fetchWithToken(url, { signal });
  return res.blob();
}
