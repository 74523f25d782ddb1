import { useNavigate } from '@tanstack/react-router';
import { useState, type MouseEvent } from 'react';
import type { Run } from '../../api';
import { runLabel } from '../../format';

/** Runs named one by one in the chips and the params table: past that, a name list helps no one. */
export const LISTED_RUNS = 100;

const paramOf = (r: Run, k: string) => r.data.params?.find((p) => p.key === k)?.value;

/** The params whose value is not the same in every run (a missing param counts as a value). */
export function differingParams(runs: Run[], paramKeys: string[]): string[] {
  return paramKeys.filter((k) => new Set(runs.map((r) => paramOf(r, k) ?? '\u0000')).size > 1);
}

/**
 * The compared runs as links and the params that differ between them. Past
 * LISTED_RUNS runs (a search of up to 1,000) it starts folded: a hundred
 * names and a hundred-column table say little next to the parallel
 * coordinates and scatter that show every run, and drawing them first would
 * delay those views. Folded, nothing inside is rendered until opened.
 */
export function CompareSummary({ runs, paramKeys, differing }: { runs: Run[]; paramKeys: string[]; differing: string[] }) {
  const [open, setOpen] = useState(runs.length <= LISTED_RUNS);
  if (runs.length <= LISTED_RUNS) return <SummaryBody runs={runs} paramKeys={paramKeys} differing={differing} />;
  return (
    <details className="compare-summary" open={open} onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>
        Run names and the {differing.length} parameter{differing.length === 1 ? '' : 's'} that differ (first {LISTED_RUNS} of {runs.length.toLocaleString('en-US')} runs)
      </summary>
      {open && <SummaryBody runs={runs} paramKeys={paramKeys} differing={differing} />}
    </details>
  );
}

function SummaryBody({ runs, paramKeys, differing }: { runs: Run[]; paramKeys: string[]; differing: string[] }) {
  const navigate = useNavigate();
  // Plain links that navigate in the app on a plain click: a router <Link> each costs ~0.5 ms to render, 50 ms for a full list.
  const open = (e: MouseEvent<HTMLAnchorElement>, runId: string) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    void navigate({ to: '/runs/$runId', params: { runId }, search: {} });
  };
  const listed = runs.slice(0, LISTED_RUNS);
  const hidden = runs.length - listed.length;
  const equal = paramKeys.length - differing.length;
  return (
    <>
      <ul className="run-chips" aria-label="Runs compared">
        {listed.map((r) => (
          <li key={r.info.run_id}>
            <a href={`/runs/${encodeURIComponent(r.info.run_id)}`} onClick={(e) => open(e, r.info.run_id)}>
              {runLabel(r.info)}
            </a>
          </li>
        ))}
        {hidden > 0 && <li className="muted">and {hidden.toLocaleString('en-US')} more (each view's data table lists them all)</li>}
      </ul>
      <section aria-labelledby="cmp-params">
        <h2 id="cmp-params">Parameters that differ</h2>
        {differing.length === 0 ? (
          <p className="muted">All {paramKeys.length} parameters are equal across these runs.</p>
        ) : (
          // Focusable so the keyboard can scroll a table wider than the page (many runs).
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Parameters that differ">
            <table className="grid-table">
              <caption className="sr-only">Parameters that differ between the runs</caption>
              <thead>
                <tr>
                  <th scope="col">Parameter</th>
                  {listed.map((r) => (
                    <th scope="col" key={r.info.run_id}>
                      {runLabel(r.info)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {differing.map((k) => (
                  <tr key={k}>
                    <th scope="row">{k}</th>
                    {listed.map((r) => (
                      <td className="mono" key={r.info.run_id}>
                        {paramOf(r, k) ?? '—'}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {differing.length > 0 && (equal > 0 || hidden > 0) && (
          <p className="muted">
            {equal > 0 && `${equal} equal parameter${equal === 1 ? '' : 's'} hidden.`}
            {equal > 0 && hidden > 0 && ' '}
            {hidden > 0 && `The table shows the first ${LISTED_RUNS} of ${runs.length.toLocaleString('en-US')} runs.`}
          </p>
        )}
      </section>
    </>
  );
}
