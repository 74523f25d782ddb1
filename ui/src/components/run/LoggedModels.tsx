import { useQuery } from '@tanstack/react-query';
import { ErrorBox, Loading } from '../Status';
import { formatTime } from '../../format';
import { runApi } from './run-api';

/** The MLflow 3 logged models whose source run is this one. */
export function LoggedModels({ experimentId, runId }: { experimentId: string; runId: string }) {
  const q = useQuery({ queryKey: ['logged-models', experimentId, runId], queryFn: () => runApi.loggedModels(experimentId, runId) });
  if (q.isPending) return <Loading what="the logged models" />;
  if (q.isError) return <ErrorBox error={q.error} what="the logged models" />;
  const models = q.data.models ?? [];
  if (models.length === 0)
    return (
      <p className="muted">
        This run logged no models. Call <code>mlflow.sklearn.log_model(model, name="model")</code> (MLflow 3) inside the run.
      </p>
    );
  return (
    <div className="table-wrap">
      <table className="grid-table">
        <caption className="sr-only">Logged models</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Model ID</th>
            <th scope="col">Type</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {models.map((m) => (
            <tr key={m.info.model_id}>
              <th scope="row">{m.info.name ?? '—'}</th>
              <td className="mono">{m.info.model_id}</td>
              <td>{m.info.model_type || '—'}</td>
              <td>{m.info.status ?? '—'}</td>
              <td>{formatTime(m.info.creation_timestamp_ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
