import { useQuery } from '@tanstack/react-query';
import { ErrorBox, Loading } from '../../components/Status';
import { formatValue } from '../../format';
import { dataApi, type ColumnProfile } from './data-api';
import { Histogram, TopValues } from './Histogram';

/** The table's profile from `POST /data/profile`: per column its statistics, histogram or most frequent values. */
export function ProfilePanel({ source }: { source: string }) {
  const q = useQuery({ queryKey: ['profile', source], queryFn: () => dataApi.profile(source), staleTime: 5 * 60_000 });
  return (
    <section aria-labelledby="profile">
      <h2 id="profile">Profile</h2>
      {q.isPending ? (
        <Loading what="the profile" />
      ) : q.isError ? (
        <ErrorBox error={q.error} what="the profile" />
      ) : (
        <>
          <p>
            {q.data.rows} rows, {q.data.columns.length} columns, {q.data.duplicate_rows} duplicate rows <span className="muted">(profiled in {Math.round(q.data.duration_ms)} ms)</span>.
          </p>
          <div className="columns-grid">
            {q.data.columns.map((c) => (
              <ColumnCard key={c.name} c={c} rows={q.data.rows} />
            ))}
          </div>
        </>
      )}
    </section>
  );
}

function ColumnCard({ c, rows }: { c: ColumnProfile; rows: number }) {
  const stats: Array<[string, string]> = [
    ['Type', `${c.type} (${c.kind})`],
    ['Present', String(c.count)],
    ['Missing', `${c.nulls} (${(c.null_fraction * 100).toFixed(1)} %)`],
    ['Distinct', String(c.distinct)],
  ];
  if (c.min !== undefined) stats.push(['Min', formatValue(c.min)]);
  if (c.max !== undefined) stats.push(['Max', formatValue(c.max)]);
  if (c.mean !== undefined) stats.push(['Mean', formatValue(c.mean)]);
  if (c.stddev !== undefined) stats.push(['Std dev', formatValue(c.stddev)]);
  return (
    <article className="column-card" aria-labelledby={`col-${c.name}`}>
      <h3 id={`col-${c.name}`}>{c.name}</h3>
      <dl className="overview small">
        {stats.map(([k, v]) => (
          <div key={k} className="pair">
            <dt>{k}</dt>
            <dd className="mono">{v}</dd>
          </div>
        ))}
      </dl>
      {c.histogram && c.histogram.length > 0 && <Histogram title={`Histogram of ${c.name}`} series={[{ label: c.name, bins: c.histogram, color: 'var(--chart-1)' }]} />}
      {c.top_values && c.top_values.length > 0 && <TopValues title={`Most frequent values of ${c.name}`} values={c.top_values} rows={rows} />}
    </article>
  );
}
