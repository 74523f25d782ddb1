import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { KeyValueTable } from '../../components/KeyValueTable';
import { ErrorBox, Loading } from '../../components/Status';
import { formatTime } from '../../format';
import { AuditHistory } from './AuditHistory';
import { MarkdownText } from './MarkdownText';
import { modelsApi } from './models-api';
import { Promotions } from './Promotions';
import './models.css';

const route = getRouteApi('/models/$name');

function ModelCard({ name, version, versions }: { name: string; version: string; versions: string[] }) {
  const navigate = route.useNavigate();
  const q = useQuery({ queryKey: ['models', 'card', name, version], queryFn: () => modelsApi.card(name, version) });
  return (
    <>
      <div className="toolbar">
        <label htmlFor="card-version">Card of version</label>
        <select id="card-version" value={version} onChange={(e) => void navigate({ search: { card: e.target.value }, replace: true })}>
          {versions.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
      </div>
      {q.isPending && <Loading what="the model card" />}
      {q.isError && <ErrorBox error={q.error} what={`the model card of version ${version}`} />}
      {q.data && (
        <article className="card-body" aria-label={`Model card of ${name} version ${version}`}>
          <MarkdownText source={q.data.markdown} headingBase={3} />
        </article>
      )}
    </>
  );
}

export function ModelPage() {
  const { name } = route.useParams();
  const { card } = route.useSearch();
  const model = useQuery({ queryKey: ['models', 'model', name], queryFn: () => modelsApi.getModel(name) });
  const versions = useQuery({ queryKey: ['models', 'versions', name], queryFn: () => modelsApi.versions(name) });
  if (model.isPending) return <Loading what="the model" />;
  if (model.isError) return <ErrorBox error={model.error} what={`model ${name}`} />;
  const m = model.data.registered_model;
  const list = versions.data?.model_versions ?? [];
  const cardVersion = card && list.some((v) => v.version === card) ? card : list[0]?.version;
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/models" search={{}}>
          Models
        </Link>{' '}
        / {name}
      </nav>
      <h1>{name}</h1>
      {m.description && <p>{m.description}</p>}
      <dl className="overview">
        <dt>Created</dt>
        <dd>{formatTime(m.creation_timestamp)}</dd>
        <dt>Last updated</dt>
        <dd>{formatTime(m.last_updated_timestamp)}</dd>
        <dt>Aliases</dt>
        <dd>
          {(m.aliases ?? []).length === 0
            ? 'none'
            : (m.aliases ?? []).map((a) => (
                <span key={a.alias} className="chip">
                  @{a.alias} → v{a.version}
                </span>
              ))}
        </dd>
      </dl>
      <section aria-labelledby="versions">
        <h2 id="versions">Versions</h2>
        {versions.isPending && <Loading what="versions" />}
        {versions.isError && <ErrorBox error={versions.error} what="versions" />}
        {versions.data && list.length === 0 && (
          <p className="muted">
            No versions yet. Register one: <code>mlflow.register_model("runs:/&lt;run_id&gt;/model", "{name}")</code>.
          </p>
        )}
        {list.length > 0 && (
          <div className="table-wrap">
            <table className="grid-table">
              <caption className="sr-only">Versions of {name}</caption>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Aliases</th>
                  <th scope="col">Stage</th>
                  <th scope="col">Status</th>
                  <th scope="col">Registered</th>
                  <th scope="col">By</th>
                  <th scope="col">Source run</th>
                </tr>
              </thead>
              <tbody>
                {list.map((v) => (
                  <tr key={v.version}>
                    <th scope="row">
                      <Link to="/models/$name/versions/$version" params={{ name, version: v.version }} search={{}}>
                        Version {v.version}
                      </Link>
                    </th>
                    <td>
                      {(v.aliases ?? []).length === 0
                        ? '—'
                        : (v.aliases ?? []).map((a) => (
                            <span key={a} className="chip">
                              @{a}
                            </span>
                          ))}
                    </td>
                    <td>{v.current_stage ?? 'None'}</td>
                    <td>{v.status ?? '—'}</td>
                    <td>{formatTime(v.creation_timestamp)}</td>
                    <td>{v.user_id || '—'}</td>
                    <td className="mono">
                      {v.run_id ? (
                        <Link to="/runs/$runId" params={{ runId: v.run_id }} search={{}}>
                          {v.run_id.slice(0, 8)}
                        </Link>
                      ) : (
                        '—'
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {versions.data?.next_page_token && <p className="hint">Showing the newest {list.length} versions.</p>}
          </div>
        )}
      </section>
      <section aria-labelledby="promotions">
        <h2 id="promotions">Promotion requests</h2>
        <Promotions name={name} />
      </section>
      <section aria-labelledby="card">
        <h2 id="card">Model card</h2>
        {cardVersion ? <ModelCard name={name} version={cardVersion} versions={list.map((v) => v.version)} /> : <p className="muted">A model card needs a version.</p>}
      </section>
      <section aria-labelledby="tags">
        <h2 id="tags">Tags</h2>
        <KeyValueTable caption={`Tags of ${name}`} rows={m.tags ?? []} empty="No tags." />
      </section>
      <section aria-labelledby="audit">
        <h2 id="audit">Audit history</h2>
        <AuditHistory name={name} />
      </section>
    </>
  );
}
