import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { EmptyState, ErrorBox, Loading } from '../../components/Status';
import { formatTime } from '../../format';
import { dataApi } from './data-api';
import './data.css';
import { formatBytes } from './format-bytes';

const route = getRouteApi('/data/$name');

/** One dataset's versions, newest first. */
export function DatasetPage() {
  const { name } = route.useParams();
  const ds = useQuery({ queryKey: ['dataset', name], queryFn: () => dataApi.get(name) });
  const versions = useQuery({ queryKey: ['dataset-versions', name], queryFn: () => dataApi.versions(name) });
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/data">Datasets</Link>
      </nav>
      <h1>Dataset {name}</h1>
      {ds.isError && <ErrorBox error={ds.error} what={`dataset ${name}`} />}
      {ds.data?.dataset.description && <p>{ds.data.dataset.description}</p>}
      <h2>Versions</h2>
      {versions.isPending ? (
        <Loading what="versions" />
      ) : versions.isError ? (
        <ErrorBox error={versions.error} what="versions" />
      ) : versions.data.versions.length === 0 ? (
        <EmptyState title="This dataset has no versions left.">
          <p>
            Register one: <code>ferry datasets register FILE --name {name}</code>.
          </p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="grid-table">
            <caption className="sr-only">Versions of {name}</caption>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Digest</th>
                <th scope="col">Format</th>
                <th scope="col">Rows</th>
                <th scope="col">Columns</th>
                <th scope="col">Size</th>
                <th scope="col">Source</th>
                <th scope="col">Registered</th>
              </tr>
            </thead>
            <tbody>
              {versions.data.versions.map((v) => (
                <tr key={v.version}>
                  <th scope="row">
                    <Link to="/data/$name/versions/$version" params={{ name, version: String(v.version) }} search={{}}>
                      version {v.version}
                    </Link>
                  </th>
                  <td className="mono">{v.digest.slice(0, 19)}…</td>
                  <td>{v.schema?.format ?? v.kind}</td>
                  <td className="mono">{v.schema?.rows ?? '—'}</td>
                  <td className="mono">{v.schema?.columns.length ?? '—'}</td>
                  <td className="mono">{formatBytes(v.size)}</td>
                  <td className="mono">{v.source ?? '—'}</td>
                  <td>
                    {formatTime(v.creation_time)}
                    {v.created_by ? ` by ${v.created_by}` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
