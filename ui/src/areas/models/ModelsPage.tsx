import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { EmptyState, ErrorBox, Loading } from '../../components/Status';
import { formatTime } from '../../format';
import { modelsApi } from './models-api';
import './models.css';

const route = getRouteApi('/models');

export function ModelsPage() {
  const { q } = route.useSearch();
  const navigate = route.useNavigate();
  const [text, setText] = useState(q ?? '');
  useEffect(() => setText(q ?? ''), [q]);
  const models = useQuery({ queryKey: ['models', 'search', q ?? ''], queryFn: () => modelsApi.searchModels(q ?? '') });
  const list = models.data?.registered_models ?? [];
  return (
    <>
      <h1>Models</h1>
      <form
        role="search"
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          void navigate({ search: { q: text.trim() || undefined } });
        }}
      >
        <div className="filter">
          <label htmlFor="model-search">Search by name</label>
          <input id="model-search" type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="e.g. fraud" />
          <button type="submit" className="button">
            Search
          </button>
        </div>
      </form>
      {models.isPending && <Loading what="registered models" />}
      {models.isError && <ErrorBox error={models.error} what="registered models" />}
      {models.data && list.length === 0 && (
        <EmptyState title={q ? `No registered model’s name contains “${q}”.` : 'No registered models yet.'}>
          <p>
            Register one from a run: <code>mlflow.register_model("runs:/&lt;run_id&gt;/model", "my-model")</code>, or log it with{' '}
            <code>registered_model_name="my-model"</code>.
          </p>
        </EmptyState>
      )}
      {list.length > 0 && (
        <div className="table-wrap">
          <table className="grid-table">
            <caption className="sr-only">Registered models{q ? ` whose name contains ${q}` : ''}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Latest version</th>
                <th scope="col">Aliases</th>
                <th scope="col">Description</th>
                <th scope="col">Last updated</th>
              </tr>
            </thead>
            <tbody>
              {list.map((m) => {
                const latest = Math.max(0, ...(m.latest_versions ?? []).map((v) => Number(v.version)));
                return (
                  <tr key={m.name}>
                    <td>
                      <Link to="/models/$name" params={{ name: m.name }} search={{}}>
                        {m.name}
                      </Link>
                    </td>
                    <td className="mono">{latest > 0 ? latest : '—'}</td>
                    <td>
                      {(m.aliases ?? []).length === 0
                        ? '—'
                        : (m.aliases ?? []).map((a) => (
                            <span key={a.alias} className="chip">
                              @{a.alias} → v{a.version}
                            </span>
                          ))}
                    </td>
                    <td>{m.description ?? ''}</td>
                    <td>{formatTime(m.last_updated_timestamp)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {models.data?.next_page_token && <p className="hint">Showing the first {list.length}; narrow the search to see others.</p>}
        </div>
      )}
    </>
  );
}
