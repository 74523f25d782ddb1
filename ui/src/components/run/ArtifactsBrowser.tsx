import { useQuery } from '@tanstack/react-query';
import { useNavigate, useRouterState } from '@tanstack/react-router';
import { useState } from 'react';
import { ErrorBox, Loading } from '../Status';
import { DownloadLink } from './DownloadLink';
import { formatBytes } from './format-bytes';
import { parseCsv, mlmodelSignature, type SignatureColumn } from './preview-parse';
import { artifactUrl, fetchArtifactBlob, fetchArtifactHead, proxyRoot, runApi, type ArtifactFile } from './run-api';
import { useObjectUrl } from './use-object-url';

/** How much of a file a preview reads: enough for a head, never a whole large artifact. */
const PREVIEW_BYTES = 64 * 1024;
const CSV_ROWS = 20;
/** Images are read whole to preview them: past this, only the download is offered. */
const IMAGE_PREVIEW_BYTES = 32 * 1024 * 1024;
const TEXT_EXT = new Set(['txt', 'log', 'yaml', 'yml', 'md', 'py', 'html', 'svg', 'toml', 'ini', 'cfg', 'sh', 'r', 'sql', 'xml']);
const IMAGE_EXT = new Set(['png', 'jpg', 'jpeg', 'gif', 'webp']);

type Kind = 'mlmodel' | 'json' | 'image' | 'csv' | 'text' | 'other';

function kindOf(path: string): Kind {
  const base = path.split('/').pop() ?? path;
  if (base === 'MLmodel') return 'mlmodel';
  const ext = base.includes('.') ? base.split('.').pop()!.toLowerCase() : '';
  if (ext === 'json') return 'json';
  if (IMAGE_EXT.has(ext)) return 'image';
  if (ext === 'csv') return 'csv';
  if (TEXT_EXT.has(ext) || base === 'requirements.txt' || base === 'conda.yaml') return 'text';
  return 'other';
}

/** One folder's entries, fetched when the folder is first opened. */
function Folder({ runId, path, selected, onSelect }: { runId: string; path: string; selected?: string; onSelect: (p: string) => void }) {
  const q = useQuery({ queryKey: ['artifacts', runId, path], queryFn: () => runApi.listArtifacts(runId, path) });
  if (q.isPending) return <Loading what={path ? `the folder ${path}` : 'the artifacts'} />;
  if (q.isError) return <ErrorBox error={q.error} what={path ? `the folder ${path}` : 'the artifacts'} />;
  const files = [...(q.data.files ?? [])].sort((a, b) => Number(b.is_dir) - Number(a.is_dir) || a.path.localeCompare(b.path));
  if (files.length === 0)
    return path ? (
      <p className="muted">This folder is empty.</p>
    ) : (
      <p className="muted">
        This run has no artifacts. Log one with <code>mlflow.log_artifact("report.txt")</code> or <code>mlflow.log_dict(d, "config.json")</code>.
      </p>
    );
  return (
    <ul className="artifact-tree">
      {files.map((f) => (
        <Entry key={f.path} runId={runId} file={f} selected={selected} onSelect={onSelect} />
      ))}
    </ul>
  );
}

function Entry({ runId, file, selected, onSelect }: { runId: string; file: ArtifactFile; selected?: string; onSelect: (p: string) => void }) {
  // Folders above the selected file start open, so a shared link shows its file in place.
  const [open, setOpen] = useState(() => !!selected?.startsWith(`${file.path}/`));
  const name = file.path.split('/').pop();
  if (file.is_dir)
    return (
      <li>
        <button type="button" className="artifact-entry artifact-dir" aria-expanded={open} onClick={() => setOpen(!open)}>
          <span aria-hidden="true">{open ? '▾' : '▸'}</span> {name}/
        </button>
        {open && <Folder runId={runId} path={file.path} selected={selected} onSelect={onSelect} />}
      </li>
    );
  return (
    <li>
      <button type="button" className="artifact-entry" aria-current={selected === file.path ? 'true' : undefined} onClick={() => onSelect(file.path)}>
        {name} <span className="muted">{formatBytes(file.file_size)}</span>
      </button>
    </li>
  );
}

function SignatureTable({ caption, cols }: { caption: string; cols: SignatureColumn[] }) {
  if (cols.length === 0) return null;
  return (
    <div className="table-wrap">
      <table className="grid-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
          </tr>
        </thead>
        <tbody>
          {cols.map((c, i) => (
            <tr key={`${c.name}-${i}`}>
              <th scope="row">{c.name}</th>
              <td className="mono">{c.type}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ImagePreview({ url, path, size }: { url: string; path: string; size: number | undefined }) {
  const tooLarge = size !== undefined && size > IMAGE_PREVIEW_BYTES;
  // Fetched with the token as a Blob: an <img src> pointing at the API would go out without it.
  const q = useQuery({ queryKey: ['artifact-blob', url], queryFn: ({ signal }) => fetchArtifactBlob(url, signal), enabled: !tooLarge, staleTime: Infinity, gcTime: 0 });
  const src = useObjectUrl(q.data);
  if (tooLarge) return <p className="muted">This image is larger than {formatBytes(IMAGE_PREVIEW_BYTES)}; download it to view it.</p>;
  if (q.isError) return <ErrorBox error={q.error} what={path} />;
  if (q.isPending || !src) return <Loading what={path} />;
  return <img className="artifact-image" src={src} alt={path} />;
}

function TextPreview({ url, path, kind }: { url: string; path: string; kind: Kind }) {
  const q = useQuery({ queryKey: ['artifact-head', url], queryFn: ({ signal }) => fetchArtifactHead(url, PREVIEW_BYTES, signal) });
  if (q.isPending) return <Loading what={path} />;
  if (q.isError) return <ErrorBox error={q.error} what={path} />;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(q.data.bytes);
  const note = q.data.truncated ? <p className="muted">Showing the first {formatBytes(PREVIEW_BYTES)}; download the file for the rest.</p> : null;
  if (kind === 'json' && !q.data.truncated) {
    try {
      return <pre className="artifact-text" tabIndex={0} aria-label={`Contents of ${path}`}>{JSON.stringify(JSON.parse(text), null, 2)}</pre>;
    } catch {
      // Not valid JSON: fall through to the raw text, which shows where it breaks.
    }
  }
  if (kind === 'csv') {
    // The last line of a cut file is likely partial: drop it.
    const rows = parseCsv(q.data.truncated ? text.slice(0, text.lastIndexOf('\n') + 1) : text, CSV_ROWS + 1);
    const [head, ...body] = rows;
    if (head)
      return (
        <>
          <div className="table-wrap">
            <table className="grid-table">
              <caption>First {body.length} rows of {path}</caption>
              <thead>
                <tr>
                  {head.map((h, i) => (
                    <th key={i} scope="col">{h}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {body.map((r, i) => (
                  <tr key={i}>
                    {head.map((_, j) => (
                      <td key={j} className="mono">{r[j] ?? ''}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      );
  }
  const sig = kind === 'mlmodel' ? mlmodelSignature(text) : undefined;
  return (
    <>
      {sig && (
        <div className="artifact-signature">
          <h4>Signature</h4>
          <SignatureTable caption="Signature inputs" cols={sig.inputs} />
          <SignatureTable caption="Signature outputs" cols={sig.outputs} />
        </div>
      )}
      <pre className="artifact-text" tabIndex={0} aria-label={`Contents of ${path}`}>{text}</pre>
      {note}
    </>
  );
}

function Preview({ runId, root, path }: { runId: string; root: string; path: string }) {
  const url = artifactUrl(root, path);
  // The file's size comes from its folder's listing, the same query the tree made.
  const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
  const listing = useQuery({ queryKey: ['artifacts', runId, dir], queryFn: () => runApi.listArtifacts(runId, dir) });
  const size = listing.data?.files?.find((f) => f.path === path)?.file_size;
  const kind = kindOf(path);
  return (
    <div className="artifact-preview" aria-live="polite">
      <h3 className="mono">{path}</h3>
      <p>
        {size !== undefined && <span className="muted">{formatBytes(size)} · </span>}
        <DownloadLink key={url} url={url} name={path.split('/').pop() ?? path} size={size} />
      </p>
      {kind === 'image' ? (
        <ImagePreview url={url} path={path} size={size} />
      ) : kind === 'other' ? (
        <p className="muted">No preview for this kind of file.</p>
      ) : (
        <TextPreview url={url} path={path} kind={kind} />
      )}
    </div>
  );
}

/** The run's artifacts as a lazily opened tree; the selected file (search param `artifact`) is previewed beside it. */
export function ArtifactsBrowser({ runId, artifactUri }: { runId: string; artifactUri?: string }) {
  const raw = useRouterState({ select: (s) => s.location.search as Record<string, unknown> });
  const navigate = useNavigate();
  const selected = typeof raw.artifact === 'string' && raw.artifact !== '' ? raw.artifact : undefined;
  const root = proxyRoot(artifactUri);
  const onSelect = (p: string) => void navigate({ to: '.', search: { ...raw, artifact: p } as never, replace: true });
  if (!root)
    return (
      <p className="muted">
        This run's artifacts live at <code>{artifactUri ?? 'no location'}</code>, which the Ferry server does not serve; start the server with its artifact proxy to browse them here.
      </p>
    );
  return (
    <div className="artifacts">
      <nav aria-label="Artifact files" className="artifact-nav">
        <Folder runId={runId} path="" selected={selected} onSelect={onSelect} />
      </nav>
      {selected ? <Preview runId={runId} root={root} path={selected} /> : <p className="muted artifact-preview">Choose a file to preview it.</p>}
    </div>
  );
}
