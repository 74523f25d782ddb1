import { useQuery } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { useState } from 'react';
import { ErrorBox, Loading } from '../../components/Status';
import { formatValue } from '../../format';
import { dataApi, type DatasetVersion, type ExpectationResult } from './data-api';

const route = getRouteApi('/data/$name/versions/$version');

/** A starting suite from the version's schema: every column present and not null. */
function starterSuite(v: DatasetVersion): string {
  const cols = (v.schema?.columns ?? []).slice(0, 3);
  if (cols.length === 0) return 'name: checks\nexpectations:\n  - expect_table_row_count_to_be_between: {min_value: 1}\n';
  return `name: checks\nexpectations:\n${cols.map((c) => `  - expect_column_values_to_not_be_null: {column: ${JSON.stringify(c.name)}}`).join('\n')}\n`;
}

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** Runs a pasted suite (YAML or JSON, Great Expectations' shapes) against this version and lists every expectation's result. */
export function ValidatePanel({ name, version, suite }: { name: string; version: DatasetVersion; suite?: string }) {
  const navigate = route.useNavigate();
  const [text, setText] = useState(suite ?? starterSuite(version));
  const source = version.ref;
  const q = useQuery({ queryKey: ['validate', source, suite], queryFn: () => dataApi.validate(source, suite!), enabled: !!suite, staleTime: 5 * 60_000 });
  return (
    <section aria-labelledby="validate">
      <h2 id="validate">Validate</h2>
      <form
        className="suite-form"
        onSubmit={(e) => {
          e.preventDefault();
          void navigate({ search: (s) => ({ ...s, tab: 'validate', suite: text }), replace: true });
        }}
      >
        <label htmlFor="suite">Expectation suite (YAML or JSON) for {name} version {version.version}</label>
        <textarea id="suite" rows={8} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
        <p className="hint">
          One expectation a line, e.g. <code>- expect_column_values_to_be_between: {'{column: amount, min_value: 0, max_value: 100}'}</code>, or a Great Expectations suite JSON.
        </p>
        <div>
          <button type="submit" className="button primary">
            Validate
          </button>
        </div>
      </form>
      {suite &&
        (q.isPending ? (
          <Loading what="the validation" />
        ) : q.isError ? (
          <ErrorBox error={q.error} what="the validation" />
        ) : (
          <>
            <p className={q.data.success ? 'ok-text' : 'bad-text'}>
              <strong>{q.data.success ? 'All expectations met' : 'Validation failed'}</strong>: {q.data.statistics.successful_expectations} of {q.data.statistics.evaluated_expectations} expectations met
              on {q.data.meta.row_count} rows.
            </p>
            <ResultsTable results={q.data.results} />
          </>
        ))}
    </section>
  );
}

function ResultsTable({ results }: { results: ExpectationResult[] }) {
  return (
    <div className="table-wrap">
      <table className="grid-table">
        <caption className="sr-only">Result of each expectation</caption>
        <thead>
          <tr>
            <th scope="col">Expectation</th>
            <th scope="col">Arguments</th>
            <th scope="col">Result</th>
            <th scope="col">Observed</th>
            <th scope="col">Failing values</th>
          </tr>
        </thead>
        <tbody>
          {results.map((r, i) => {
            const res = r.result;
            const failing = res.partial_unexpected_counts?.length
              ? res.partial_unexpected_counts.map((u) => `${show(u.value)} ×${u.count}`)
              : (res.partial_unexpected_list ?? []).map(show);
            return (
              <tr key={i}>
                <th scope="row" className="mono">
                  {r.expectation_config.type}
                </th>
                <td className="mono">{Object.entries(r.expectation_config.kwargs).map(([k, v]) => `${k}=${show(v)}`).join(', ')}</td>
                <td>
                  <span className={r.success ? 'ok-text' : 'bad-text'}>{r.exception_info.raised_exception ? 'error' : r.success ? 'met' : 'failed'}</span>
                  {r.exception_info.exception_message && <div className="muted">{r.exception_info.exception_message}</div>}
                </td>
                <td className="mono">
                  {res.unexpected_count !== undefined
                    ? `${res.unexpected_count} unexpected of ${res.element_count ?? '?'}${res.unexpected_percent != null ? ` (${formatValue(res.unexpected_percent)} %)` : ''}`
                    : res.observed_value !== undefined
                      ? show(res.observed_value)
                      : '—'}
                </td>
                <td className="mono">{failing.length ? failing.join(', ') : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
