import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { KeyValueTable } from '../../components/KeyValueTable';
import { ErrorBox, Loading } from '../../components/Status';
import { formatTime } from '../../format';
import { AuditHistory } from './AuditHistory';
import { edgeName, LineageGraphSvg, typeName } from './LineageGraph';
import { modelsApi, type LineageGraph, type SchemaEntry } from './models-api';
import { Promotions } from './Promotions';
import './models.css';

const route = getRouteApi('/models/$name/versions/$version');

function SchemaTable({ caption, entries }: { caption: string; entries: SchemaEntry[] }) {
  return (
    <div className="table-wrap">
      <table className="grid-table schema">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Shape</th>
            <th scope="col">Required</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e, i) => {
            const spec = e['tensor-spec'] ?? (e.dtype ? { dtype: e.dtype, shape: e.shape ?? [] } : undefined);
            return (
              <tr key={i}>
                <th scope="row" className="mono">
                  {e.name ?? `#${i}`}
                </th>
                <td className="mono">{spec ? `tensor ${spec.dtype}` : e.type}</td>
                <td className="mono">{spec ? `[${spec.shape.join(', ')}]` : '—'}</td>
                <td>{e.required === false ? 'optional' : 'required'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Signature({ name, version }: { name: string; version: string }) {
  const q = useQuery({ queryKey: ['models', 'card', name, version], queryFn: () => modelsApi.card(name, version) });
  if (q.isPending) return <Loading what="the signature" />;
  if (q.isError) return <ErrorBox error={q.error} what="the signature" />;
  const sig = q.data.card.signature;
  if ('problem' in sig) return <p className="muted">No signature: {sig.problem}. Log the model with a signature (<code>infer_signature(X, y)</code>) to get one.</p>;
  return (
    <>
      <SchemaTable caption="Inputs" entries={sig.signature.inputs ?? []} />
      {(sig.signature.outputs ?? []).length > 0 ? <SchemaTable caption="Outputs" entries={sig.signature.outputs!} /> : <p className="muted">No outputs declared.</p>}
    </>
  );
}

function LineageTable({ graph }: { graph: LineageGraph }) {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const label = (id: string) => {
    const n = byId.get(id);
    return n ? `${typeName(n.type)} ${n.label}` : id;
  };
  return (
    <div className="table-wrap">
      <table className="grid-table">
        <caption className="sr-only">Lineage links</caption>
        <thead>
          <tr>
            <th scope="col">From</th>
            <th scope="col">Link</th>
            <th scope="col">To</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {graph.edges.map((e) => (
            <tr key={`${e.from}-${e.to}-${e.type}`}>
              <td>{label(e.from)}</td>
              <td>{edgeName(e.type)}</td>
              <td>{label(e.to)}</td>
              <td className="mono">{e.attributes && Object.keys(e.attributes).length > 0 ? JSON.stringify(e.attributes) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Lineage({ name, version }: { name: string; version: string }) {
  const { lineage } = route.useSearch();
  const navigate = route.useNavigate();
  const q = useQuery({ queryKey: ['models', 'lineage', name, version], queryFn: () => modelsApi.lineage(name, version) });
  if (q.isPending) return <Loading what="the lineage" />;
  if (q.isError) return <ErrorBox error={q.error} what="the lineage" />;
  const graph = q.data;
  const asTable = lineage === 'table';
  return (
    <>
      <div className="toolbar" role="group" aria-label="Lineage view">
        <button type="button" className="button" aria-pressed={!asTable} onClick={() => void navigate({ search: (s) => ({ ...s, lineage: undefined }), replace: true })}>
          Graph
        </button>
        <button type="button" className="button" aria-pressed={asTable} onClick={() => void navigate({ search: (s) => ({ ...s, lineage: 'table' }), replace: true })}>
          Table
        </button>
      </div>
      {graph.edges.length === 0 && (
        <p className="muted">This version links to nothing else: register versions from a run (<code>runs:/&lt;run_id&gt;/model</code>) and log its datasets with <code>mlflow.log_input</code>.</p>
      )}
      {asTable ? <LineageTable graph={graph} /> : <LineageGraphSvg graph={graph} />}
      {graph.truncated && <p className="hint">The graph was cut short at the server's limits.</p>}
    </>
  );
}

export function VersionPage() {
  const { name, version } = route.useParams();
  const q = useQuery({ queryKey: ['models', 'version', name, version], queryFn: () => modelsApi.getVersion(name, version) });
  if (q.isPending) return <Loading what="the model version" />;
  if (q.isError) return <ErrorBox error={q.error} what={`version ${version} of ${name}`} />;
  const v = q.data.model_version;
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/models" search={{}}>
          Models
        </Link>{' '}
        /{' '}
        <Link to="/models/$name" params={{ name }} search={{}}>
          {name}
        </Link>{' '}
        / version {version}
      </nav>
      <h1>
        {name} version {version}
      </h1>
      {v.description && <p>{v.description}</p>}
      <section aria-labelledby="details">
        <h2 id="details">Details</h2>
        <dl className="overview">
          <dt>Aliases</dt>
          <dd>
            {(v.aliases ?? []).length === 0
              ? 'none'
              : (v.aliases ?? []).map((a) => (
                  <span key={a} className="chip">
                    @{a}
                  </span>
                ))}
          </dd>
          <dt>Stage</dt>
          <dd>{v.current_stage ?? 'None'}</dd>
          <dt>Status</dt>
          <dd>
            {v.status ?? '—'}
            {v.status_message ? ` (${v.status_message})` : ''}
          </dd>
          <dt>Registered</dt>
          <dd>{formatTime(v.creation_timestamp)}</dd>
          <dt>Last updated</dt>
          <dd>{formatTime(v.last_updated_timestamp)}</dd>
          <dt>By</dt>
          <dd>{v.user_id || '—'}</dd>
          <dt>Source</dt>
          <dd className="mono">{v.source ?? '—'}</dd>
          <dt>Source run</dt>
          <dd className="mono">
            {v.run_id ? (
              <Link to="/runs/$runId" params={{ runId: v.run_id }} search={{}}>
                {v.run_id}
              </Link>
            ) : (
              '—'
            )}
          </dd>
        </dl>
      </section>
      <section aria-labelledby="signature">
        <h2 id="signature">Signature</h2>
        <Signature name={name} version={version} />
      </section>
      <section aria-labelledby="lineage">
        <h2 id="lineage">Lineage</h2>
        <Lineage name={name} version={version} />
      </section>
      <section aria-labelledby="promotions">
        <h2 id="promotions">Promotion requests</h2>
        <Promotions name={name} version={version} />
      </section>
      <section aria-labelledby="tags">
        <h2 id="tags">Tags</h2>
        <KeyValueTable caption="Version tags" rows={v.tags ?? []} empty="No tags." />
      </section>
      <section aria-labelledby="audit">
        <h2 id="audit">Audit history</h2>
        <AuditHistory name={name} version={version} />
      </section>
    </>
  );
}
