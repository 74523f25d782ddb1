import { ApiError } from '../api';

/** An API failure with the server's message; never a blank page. */
export function ErrorBox({ error, what }: { error: unknown; what: string }) {
  const message = error instanceof Error ? error.message : String(error);
  const auth = error instanceof ApiError && (error.status === 401 || error.status === 403);
  return (
    <div role="alert" className="error">
      <p>
        <strong>Could not load {what}.</strong> {message}
      </p>
      {auth && <p>This server needs a token: use “Sign in” at the top right.</p>}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="muted">
      Loading {what}…
    </p>
  );
}

/** What to run to get data, for a page that has none yet. */
export function EmptyState({ title, children }: { title: string; children?: React.ReactNode }) {
  const uri = `${window.location.protocol}//${window.location.host}`;
  return (
    <div className="empty">
      <p>
        <strong>{title}</strong>
      </p>
      {children ?? (
        <p>
          Log some: run <code>MLFLOW_TRACKING_URI={uri} python train.py</code> with any script that uses <code>mlflow.log_metric</code>.
        </p>
      )}
    </div>
  );
}
