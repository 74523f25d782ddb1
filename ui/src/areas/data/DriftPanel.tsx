import { useQuery } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { ErrorBox, Loading } from '../../components/Status';
import { formatValue } from '../../format';
import { dataApi, datasetSource, type ColumnDrift, type ColumnProfile } from './data-api';
import { Histogram } from './Histogram';

const route = getRouteApi('/data/$name/versions/$version');

/**
 * Drift of this version (current) against another (reference): each column's
 * test, statistic, threshold and verdict, and the two histograms overlaid
 * (from each version's profile, since the drift report carries none).
 */
export function DriftPanel({ name, version, against }: { name: string; version: number; against?: string }) {
  const navigate = route.useNavigate();
  const versions = useQuery({ queryKey: ['dataset-versions', name], queryFn: () => dataApi.versions(name) });
  const others = (versions.data?.versions ?? []).filter((v) => v.version !== version);
  const reference = against ?? (others[0] ? String(others[0].version) : undefined);
  const refSource = reference ? datasetSource(name, reference) : '';
  const curSource = datasetSource(name, version);
  const drift = useQuery({ queryKey: ['drift', refSource, curSource], queryFn: () => dataApi.drift(refSource, curSource), enabled: !!reference, staleTime: 5 * 60_000 });
  const refProfile = useQuery({ queryKey: ['profile', refSource], queryFn: () => dataApi.profile(refSource), enabled: !!reference, staleTime: 5 * 60_000 });
  const curProfile = useQuery({ queryKey: ['profile', curSource], queryFn: () => dataApi.profile(curSource), staleTime: 5 * 60_000 });
  return (
    <section aria-labelledby="drift">
      <h2 id="drift">Drift vs version {reference ?? '…'}</h2>
      {versions.isError && <ErrorBox error={versions.error} what="the other versions" />}
      {versions.isSuccess && others.length === 0 ? (
        <p className="muted">
          This is the only version: register another (<code>ferry datasets register FILE --name {name}</code>) to compare with.
        </p>
      ) : (
        <div className="toolbar">
          <label htmlFor="drift-against">Reference version</label>
          <select
            id="drift-against"
            value={reference ?? ''}
            onChange={(e) => void navigate({ search: (s) => ({ ...s, tab: 'drift', against: e.target.value }), replace: true })}
          >
            {others.map((v) => (
              <option key={v.version} value={String(v.version)}>
                version {v.version}
              </option>
            ))}
          </select>
          <span className="muted">
            current: version {version}
          </span>
        </div>
      )}
      {reference &&
        (drift.isPending ? (
          <Loading what="the drift report" />
        ) : drift.isError ? (
          <ErrorBox error={drift.error} what="the drift report" />
        ) : (
          <>
            <p className={drift.data.dataset.dataset_drift ? 'bad-text' : 'ok-text'}>
              <strong>{drift.data.dataset.dataset_drift ? 'Dataset drift detected' : 'No dataset drift'}</strong>: {drift.data.dataset.drifted_columns} of{' '}
              {drift.data.dataset.computed_columns} columns drifted (share {formatValue(drift.data.dataset.share)}, threshold {formatValue(drift.data.dataset.drift_share)}).
            </p>
            <DriftTable columns={drift.data.columns} />
            {refProfile.isError && <ErrorBox error={refProfile.error} what="the reference profile" />}
            {curProfile.isError && <ErrorBox error={curProfile.error} what="the current profile" />}
            {refProfile.data && curProfile.data && (
              <div className="columns-grid">
                {drift.data.columns.map((c) => (
                  <Overlay key={c.column} column={c.column} reference={refProfile.data.columns.find((p) => p.name === c.column)} current={curProfile.data.columns.find((p) => p.name === c.column)} refLabel={`version ${reference}`} curLabel={`version ${version}`} />
                ))}
              </div>
            )}
          </>
        ))}
    </section>
  );
}

function DriftTable({ columns }: { columns: ColumnDrift[] }) {
  return (
    <div className="table-wrap">
      <table className="grid-table">
        <caption className="sr-only">Drift per column</caption>
        <thead>
          <tr>
            <th scope="col">Column</th>
            <th scope="col">Type</th>
            <th scope="col">Test</th>
            <th scope="col">Statistic</th>
            <th scope="col">Threshold</th>
            <th scope="col">Verdict</th>
          </tr>
        </thead>
        <tbody>
          {columns.map((c) => (
            <tr key={c.column}>
              <th scope="row">{c.column}</th>
              <td>{c.type ?? '—'}</td>
              {c.computed ? (
                <>
                  <td>{c.stattest_name}</td>
                  <td className="mono">{formatValue(c.statistic)}</td>
                  <td className="mono">
                    {c.score_kind === 'p_value' ? 'p < ' : 'distance ≥ '}
                    {formatValue(c.threshold)}
                  </td>
                  <td>
                    <span className={c.drifted ? 'bad-text' : 'ok-text'}>{c.drifted ? 'drifted' : 'no drift'}</span>
                  </td>
                </>
              ) : (
                <td colSpan={4} className="muted">
                  {c.reason}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Overlay({ column, reference, current, refLabel, curLabel }: { column: string; reference?: ColumnProfile; current?: ColumnProfile; refLabel: string; curLabel: string }) {
  if (reference?.histogram?.length && current?.histogram?.length) {
    return (
      <article className="column-card" aria-labelledby={`drift-${column}`}>
        <h3 id={`drift-${column}`}>{column}</h3>
        <Histogram
          title={`Histograms of ${column}, ${refLabel} against ${curLabel}`}
          series={[
            { label: refLabel, bins: reference.histogram, color: 'var(--chart-1)' },
            { label: curLabel, bins: current.histogram, color: 'var(--chart-2)' },
          ]}
        />
      </article>
    );
  }
  const refTop = reference?.top_values ?? [];
  const curTop = current?.top_values ?? [];
  if (refTop.length === 0 && curTop.length === 0) return null;
  const values = [...new Set([...refTop, ...curTop].map((t) => String(t.value)))];
  const share = (list: typeof refTop, v: string, total: number) => {
    const n = list.find((t) => String(t.value) === v)?.count ?? 0;
    return total ? `${n} (${((n / total) * 100).toFixed(1)} %)` : String(n);
  };
  return (
    <article className="column-card" aria-labelledby={`drift-${column}`}>
      <h3 id={`drift-${column}`}>{column}</h3>
      <table className="grid-table compact">
        <caption>Most frequent values of {column}</caption>
        <thead>
          <tr>
            <th scope="col">Value</th>
            <th scope="col">{refLabel}</th>
            <th scope="col">{curLabel}</th>
          </tr>
        </thead>
        <tbody>
          {values.map((v) => (
            <tr key={v}>
              <td className="mono">{v}</td>
              <td className="mono">{share(refTop, v, reference?.count ?? 0)}</td>
              <td className="mono">{share(curTop, v, current?.count ?? 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}
