import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { ErrorBox, Loading } from '../../components/Status';
import { formatTime } from '../../format';
import { dataApi, type DatasetVersion } from './data-api';
import './data.css';
import { DriftPanel } from './DriftPanel';
import { formatBytes } from './format-bytes';
import { ProfilePanel } from './ProfilePanel';
import { ValidatePanel } from './ValidatePanel';

const route = getRouteApi('/data/$name/versions/$version');

const TABS = [
  { id: 'profile', label: 'Profile' },
  { id: 'drift', label: 'Drift' },
  { id: 'validate', label: 'Validate' },
] as const;

/** One dataset version: its schema, and the profile, drift and validation tools run on it. */
export function DatasetVersionPage() {
  const { name, version } = route.useParams();
  const search = route.useSearch();
  const tab = search.tab ?? 'profile';
  const q = useQuery({ queryKey: ['dataset-version', name, version], queryFn: () => dataApi.version(name, version) });
  if (q.isPending) return <Loading what="the dataset version" />;
  if (q.isError) return <ErrorBox error={q.error} what={`version ${version} of dataset ${name}`} />;
  const v = q.data.dataset_version;
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/data">Datasets</Link> / <Link to="/data/$name" params={{ name }}>{name}</Link>
      </nav>
      <h1>
        {name} version {v.version}
      </h1>
      <Overview v={v} />
      <section aria-labelledby="schema">
        <h2 id="schema">Schema</h2>
        {v.schema && v.schema.columns.length > 0 ? (
          <div className="table-wrap">
            <table className="grid-table">
              <caption className="sr-only">Columns of {v.ref}</caption>
              <thead>
                <tr>
                  <th scope="col">Column</th>
                  <th scope="col">Type</th>
                </tr>
              </thead>
              <tbody>
                {v.schema.columns.map((c) => (
                  <tr key={c.name}>
                    <th scope="row">{c.name}</th>
                    <td className="mono">{c.type}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">No schema was recorded with this version; the profile below reads the columns from the data itself.</p>
        )}
      </section>
      <nav aria-label="Tools" className="tabs">
        {TABS.map((t) => (
          <Link key={t.id} to="/data/$name/versions/$version" params={{ name, version }} search={{ tab: t.id, against: search.against }} aria-current={tab === t.id ? 'page' : undefined} className={tab === t.id ? 'tab tab-current' : 'tab'} activeProps={{}}>
            {t.label}
          </Link>
        ))}
      </nav>
      {tab === 'profile' && <ProfilePanel source={v.ref} />}
      {tab === 'drift' && <DriftPanel name={name} version={v.version} against={search.against} />}
      {tab === 'validate' && <ValidatePanel name={name} version={v} suite={search.suite} />}
    </>
  );
}

function Overview({ v }: { v: DatasetVersion }) {
  return (
    <dl className="overview">
      <dt>Reference</dt>
      <dd className="mono">{v.ref}</dd>
      <dt>Digest</dt>
      <dd className="mono">{v.digest}</dd>
      <dt>Format</dt>
      <dd>{v.schema?.format ?? v.kind}</dd>
      <dt>Rows</dt>
      <dd className="mono">{v.schema?.rows ?? '—'}</dd>
      <dt>Size</dt>
      <dd className="mono">{formatBytes(v.size)}</dd>
      <dt>Source</dt>
      <dd className="mono">{v.source ?? '—'}</dd>
      <dt>Registered</dt>
      <dd>
        {formatTime(v.creation_time)}
        {v.created_by ? ` by ${v.created_by}` : ''}
      </dd>
    </dl>
  );
}
