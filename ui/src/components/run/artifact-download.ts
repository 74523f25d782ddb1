import { fetchWithToken } from '../../api';
import { formatBytes } from './format-bytes';

/**
 * The most a token-carrying download gathers in memory before saving: past
 * this a tab risks running out, so larger files go straight to a file the
 * user picks (where the browser can), or to curl.
 */
export const IN_MEMORY_LIMIT = 1024 ** 3;

export interface DownloadProgress {
  received: number;
  /** From Content-Length; undefined when the server did not say. */
  total: number | undefined;
}

type SaveFilePicker = (options: { suggestedName?: string }) => Promise<FileSystemFileHandle>;

/** The File System Access save picker (Chromium), which lets a download stream to disk; undefined elsewhere. */
export function savePicker(): SaveFilePicker | undefined {
  const picker = (window as unknown as { showSaveFilePicker?: SaveFilePicker }).showSaveFilePicker;
  return picker?.bind(window);
}

/** What to run instead when a file is too large for this browser to download with a token. */
export function tooLargeMessage(url: string, name: string, size: number): string {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return (
    `This file is ${formatBytes(size)}, more than a signed-in download holds in memory (${formatBytes(IN_MEMORY_LIMIT)}). ` +
    `Fetch it with: curl -H "Authorization: Bearer $FERRY_TOKEN" -o ${quote(name)} ${quote(`${window.location.origin}${url}`)}`
  );
}

/** Hands a Blob to the browser's own downloads under `name`, through a temporary <a download>. */
export function saveBlob(blob: Blob, name: string): void {
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // The browser reads the URL after click() returns; revoking at once can cancel the save.
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}

/**
 * Streams an artifact with the signed-in token, reporting bytes received at
 * most every 100 ms: into `file` as the bytes arrive when one is given, else
 * into memory and then to the browser's downloads as `name`. Rejects with an
 * AbortError when `signal` aborts, and with an Error when the body ends short
 * of its Content-Length (a dropped connection must not save a truncated file).
 */
export async function downloadArtifact(
  url: string,
  name: string,
  opts: { signal: AbortSignal; onProgress: (p: DownloadProgress) => void; file?: FileSystemFileHandle },
): Promise<void> {
  const res = await fetchWithToken(url, { signal: opts.signal });
  const length = res.headers.get('content-length');
  // A proxy that compresses on the way counts encoded bytes; the stream yields decoded ones.
  const encoded = (res.headers.get('content-encoding') ?? 'identity') !== 'identity';
  const total = length !== null && /^\d+$/.test(length) && !encoded ? Number(length) : undefined;
  if (!opts.file && total !== undefined && total > IN_MEMORY_LIMIT) {
    await res.body?.cancel();
    throw new Error(tooLargeMessage(url, name, total));
  }
  const writable = opts.file ? await opts.file.createWritable() : undefined;
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let received = 0;
  let reportedAt = 0;
  opts.onProgress({ received, total });
  try {
    // A body is null only for bodiless answers (204, HEAD): an empty file.
    const reader = res.body?.getReader();
    for (;;) {
      const chunk = reader ? await reader.read() : { done: true as const };
      if (chunk.done) break;
      received += chunk.value.length;
      if (writable) await writable.write(chunk.value);
      else chunks.push(chunk.value);
      if (performance.now() - reportedAt >= 100) {
        reportedAt = performance.now();
        opts.onProgress({ received, total });
      }
    }
    opts.onProgress({ received, total });
    if (total !== undefined && received !== total) throw new Error(`The download ended at ${formatBytes(received)} of ${formatBytes(total)}; try again.`);
    if (writable) await writable.close();
    else saveBlob(new Blob(chunks, { type: res.headers.get('content-type') ?? 'application/octet-stream' }), name);
  } catch (err) {
    await writable?.abort().catch(() => undefined);
    throw err;
  }
}
