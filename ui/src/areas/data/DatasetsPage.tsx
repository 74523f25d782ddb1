import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { EmptyState, ErrorBox, Loading } from '../../components/Status';
import { formatTime } from '../../format';
import { dataApi } from './data-api';
import './data.css';
import { formatBytes } from './format-bytes';

/** Every registered dataset with its latest version. */
export function DatasetsPage() {
  const q = useQuery({ queryKey: ['datasets'], queryFn: dataApi.list });
  return (
    <>
      <h1>Datasets</h1>
      {q.isPending ? (
        <Loading what="datasets" />
      ) : q.isError ? (
        <ErrorBox error={q.error} what="datasets" />
      ) : q.data.datasets.length === 0 ? (
        <EmptyState title="No datasets registered yet.">
          <p>
            Version a table and register it: <code>ferry data add train.csv</code>, then <code>ferry data push</code> and <code>ferry datasets register train.csv --name train</code>.
          </p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="grid-table">
            <caption className="sr-only">Datasets</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Versions</th>
                <th scope="col">Latest</th>
                <th scope="col">Rows</th>
                <th scope="col">Size</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {q.data.datasets.map((d) => (
                <tr key={d.name}>
                  <th scope="row">
                    <Link to="/data/$name" params={{ name: d.name }}>
                      {d.name}
                    </Link>
                  </th>
                  <td className="mono">{d.version_count}</td>
                  <td>
                    {d.latest_version ? (
                      <Link to="/data/$name/versions/$version" params={{ name: d.name, version: String(d.latest_version.version) }} search={{}}>
                        version {d.latest_version.version}
                      </Link>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td className="mono">{d.latest_version?.schema?.rows ?? '—'}</td>
                  <td className="mono">{d.latest_version ? formatBytes(d.latest_version.size) : '—'}</td>
                  <td>{formatTime(d.last_updated_time)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
