import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { api } from '../api';
import { EmptyState, ErrorBox, Loading } from '../components/Status';
import { formatTime } from '../format';

export function ExperimentsPage() {
  const q = useQuery({ queryKey: ['experiments'], queryFn: api.searchExperiments });
  return (
    <>
      <h1>Experiments</h1>
      {q.isPending && <Loading what="experiments" />}
      {q.isError && <ErrorBox error={q.error} what="experiments" />}
      {q.data && (q.data.experiments ?? []).length === 0 && <EmptyState title="No experiments yet." />}
      {q.data && (q.data.experiments ?? []).length > 0 && (
        <div className="table-wrap">
          <table className="grid-table">
            <caption className="sr-only">Experiments</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">ID</th>
                <th scope="col">Created</th>
                <th scope="col">Last updated</th>
              </tr>
            </thead>
            <tbody>
              {q.data.experiments!.map((e) => (
                <tr key={e.experiment_id}>
                  <td>
                    <Link to="/experiments/$experimentId" params={{ experimentId: e.experiment_id }} search={{}}>
                      {e.name}
                    </Link>
                  </td>
                  <td>{e.experiment_id}</td>
                  <td>{formatTime(e.creation_time)}</td>
                  <td>{formatTime(e.last_update_time)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
