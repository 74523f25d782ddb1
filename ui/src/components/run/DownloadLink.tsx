import { useEffect, useRef, useState } from 'react';
import { getToken } from '../../api';
import { downloadArtifact, IN_MEMORY_LIMIT, savePicker, tooLargeMessage, type DownloadProgress } from './artifact-download';
import { formatBytes } from './format-bytes';

type State = { phase: 'idle' } | ({ phase: 'downloading' } & DownloadProgress) | { phase: 'cancelled' } | { phase: 'failed'; message: string };

/**
 * A file's Download link. With no token stored it stays a plain link, so the
 * browser streams even a huge file straight to disk. Signed in, a plain link
 * would go out without the Authorization header, so the click fetches the
 * file with the token instead, showing bytes received and a Cancel button.
 */
export function DownloadLink({ url, name, size }: { url: string; name: string; size: number | undefined }) {
  const [state, setState] = useState<State>({ phase: 'idle' });
  const controller = useRef<AbortController | null>(null);
  // Leaving the file stops its download: nothing would be left on screen to show or cancel it.
  useEffect(() => () => controller.current?.abort(), []);

  const onClick = (e: React.MouseEvent<HTMLAnchorElement>) => {
    if (getToken() === null) return;
    e.preventDefault();
    if (state.phase === 'downloading') return;
    const big = size !== undefined && size > IN_MEMORY_LIMIT;
    const picker = big ? savePicker() : undefined;
    if (big && !picker) {
      setState({ phase: 'failed', message: tooLargeMessage(url, name, size) });
      return;
    }
    const ctl = new AbortController();
    controller.current = ctl;
    setState({ phase: 'downloading', received: 0, total: size });
    void (async () => {
      try {
        // The picker must open while the click's user activation lasts: before any other await.
        const file = picker ? await picker({ suggestedName: name }) : undefined;
        await downloadArtifact(url, name, { signal: ctl.signal, file, onProgress: (p) => setState({ phase: 'downloading', ...p }) });
        setState({ phase: 'idle' });
      } catch (err) {
        // Cancel, or the picker dismissed, both reject with an AbortError.
        if (ctl.signal.aborted || (err as Error).name === 'AbortError') setState({ phase: 'cancelled' });
        else setState({ phase: 'failed', message: (err as Error).message });
      } finally {
        if (controller.current === ctl) controller.current = null;
      }
    })();
  };

  return (
    <>
      <a href={url} download={name} onClick={onClick} aria-busy={state.phase === 'downloading' || undefined}>
        Download
      </a>
      {state.phase === 'downloading' && (
        // Off the preview's live region: bytes ticking up every 100 ms would drown a screen reader.
        <span className="download-progress" aria-live="off">
          <progress max={state.total} value={state.total === undefined ? undefined : state.received} aria-label={`Downloading ${name}`} />
          <span className="mono">
            {formatBytes(state.received)}
            {state.total !== undefined && ` of ${formatBytes(state.total)}`}
          </span>
          <button type="button" className="button small" onClick={() => controller.current?.abort()}>
            Cancel download
          </button>
        </span>
      )}
      {state.phase === 'cancelled' && <span className="muted download-progress">Download cancelled.</span>}
      {state.phase === 'failed' && (
        <span role="alert" className="error download-progress">
          Download failed: {state.message}
        </span>
      )}
    </>
  );
}
