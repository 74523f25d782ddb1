import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { EmptyState, ErrorBox, Loading } from '../../components/Status';
import { formatTime } from '../../format';
import { deploymentsApi } from './deployments-api';
import './deployments.css';
import { TrafficBar } from './TrafficBar';

/** Every deployment: strategy, phase, the versions live and how traffic is split between them. */
export function DeploymentsPage() {
  const q = useQuery({ queryKey: ['deployments'], queryFn: deploymentsApi.list, refetchInterval: 5000 });
  return (
    <>
      <h1>Deployments</h1>
      {q.isPending ? (
        <Loading what="deployments" />
      ) : q.isError ? (
        <ErrorBox error={q.error} what="deployments" />
      ) : q.data.deployments.length === 0 ? (
        <EmptyState title="No deployments yet.">
          <p>
            Create one from a registered model version: write a <code>deployment.yaml</code> (<code>kind: Deployment</code>, <code>spec.strategy: canary</code>,{' '}
            <code>spec.model: models:/NAME/VERSION</code>) and run <code>ferry apply -f deployment.yaml</code>.
          </p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="grid-table">
            <caption className="sr-only">Deployments</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Strategy</th>
                <th scope="col">Phase</th>
                <th scope="col">Versions</th>
                <th scope="col">Traffic split</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {q.data.deployments.map((d) => (
                <tr key={d.name}>
                  <th scope="row">
                    <Link to="/deployments/$name" params={{ name: d.name }} search={{}}>
                      {d.name}
                    </Link>
                  </th>
                  <td>{d.spec.strategy}</td>
                  <td>
                    <span className={`phase phase-${d.status.phase}`}>{d.status.phase.replace('_', ' ')}</span>
                  </td>
                  <td className="mono">{d.status.variants.map((v) => `${v.model} v${v.version}`).join(', ') || '—'}</td>
                  <td>
                    <TrafficBar variants={d.status.variants} />
                  </td>
                  <td>{formatTime(d.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
