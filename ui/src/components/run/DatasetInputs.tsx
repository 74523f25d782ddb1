import { Link } from '@tanstack/react-router';
import type { DatasetInput } from './run-api';

/** MLflow stores a dataset's source as JSON (`{"uri": …}`) or as a bare string; either may be a Ferry `datasets:/NAME/VERSION`. */
function sourceText(source: string | undefined): string {
  if (!source) return '';
  try {
    const j = JSON.parse(source) as unknown;
    if (j && typeof j === 'object') {
      const o = j as Record<string, unknown>;
      const uri = o.uri ?? o.url ?? o.path ?? o.source;
      if (typeof uri === 'string') return uri;
    }
    if (typeof j === 'string') return j;
  } catch {
    // A bare string.
  }
  return source;
}

function Source({ source }: { source: string }) {
  const m = /^datasets:\/+([^/]+)\/([^/]+)\/?$/.exec(source);
  if (m)
    return (
      <Link to="/data/$name/versions/$version" params={{ name: decodeURIComponent(m[1]), version: decodeURIComponent(m[2]) }}>
        {source}
      </Link>
    );
  return <>{source || '—'}</>;
}

/** The datasets a run logged with `mlflow.log_input`, one row each. */
export function DatasetInputs({ inputs }: { inputs: DatasetInput[] }) {
  if (inputs.length === 0)
    return (
      <p className="muted">
        This run logged no dataset inputs. Call <code>mlflow.log_input(mlflow.data.from_pandas(df, name="train"), context="training")</code> in the training script.
      </p>
    );
  return (
    <div className="table-wrap">
      <table className="grid-table">
        <caption className="sr-only">Dataset inputs</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Digest</th>
            <th scope="col">Source type</th>
            <th scope="col">Source</th>
            <th scope="col">Context</th>
          </tr>
        </thead>
        <tbody>
          {inputs.map((d, i) => (
            <tr key={`${d.dataset.name}-${d.dataset.digest}-${i}`}>
              <th scope="row">{d.dataset.name}</th>
              <td className="mono">{d.dataset.digest}</td>
              <td>{d.dataset.source_type ?? '—'}</td>
              <td className="mono">
                <Source source={sourceText(d.dataset.source)} />
              </td>
              <td>{d.tags?.find((t) => t.key === 'mlflow.data.context')?.value ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
