import { useQuery } from '@tanstack/react-query';
import { request } from '../../api';
import { edgeName, LineageGraphSvg, typeName } from '../../areas/models/LineageGraph';
import type { LineageGraph } from '../../areas/models/models-api';
import '../../areas/models/models.css';
import { ErrorBox, Loading } from '../Status';

/** Where the run's data came from and what it went on to make, as a graph and as the same links in a table. */
export function RunLineage({ runId }: { runId: string }) {
  const q = useQuery({ queryKey: ['lineage', 'run', runId], queryFn: () => request<LineageGraph>('GET', `/api/ferry/v1/lineage?run=${encodeURIComponent(runId)}`) });
  if (q.isPending) return <Loading what="the lineage" />;
  if (q.isError) return <ErrorBox error={q.error} what="the lineage" />;
  const g = q.data;
  if (g.edges.length === 0)
    return <p className="muted">Nothing links to this run yet: log a dataset input, log a model, or register a model version from it.</p>;
  const label = new Map(g.nodes.map((n) => [n.id, `${typeName(n.type)} ${n.label}`]));
  return (
    <>
      <LineageGraphSvg graph={g} />
      {g.truncated && <p className="muted">The graph was cut short; it shows the nearest links.</p>}
      <details>
        <summary>Lineage as a table ({g.edges.length} links)</summary>
        <div className="table-wrap">
          <table className="grid-table">
            <caption className="sr-only">Lineage links</caption>
            <thead>
              <tr>
                <th scope="col">From</th>
                <th scope="col">Link</th>
                <th scope="col">To</th>
              </tr>
            </thead>
            <tbody>
              {g.edges.map((e) => (
                <tr key={`${e.from}-${e.type}-${e.to}`}>
                  <td>{label.get(e.from) ?? e.from}</td>
                  <td>{edgeName(e.type)}</td>
                  <td>{label.get(e.to) ?? e.to}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </>
  );
}
