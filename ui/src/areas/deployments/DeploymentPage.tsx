import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useEffect, useMemo, useState } from 'react';
import { ApiError } from '../../api';
import { ErrorBox, Loading } from '../../components/Status';
import { formatTime, formatValue } from '../../format';
import { ConfirmDialog } from './ConfirmDialog';
import { deploymentsApi, mayChange, type AnalysisResult, type RolloutAction, type RolloutStatus, type VariantView } from './deployments-api';
import './deployments.css';
import { Sparkline } from './Sparkline';
import { TrafficBar, variantLabel } from './TrafficBar';

const route = getRouteApi('/deployments/$name');

/** How often the live numbers are asked for again. */
const REFRESH_MS = 2000;
/** Samples kept for the sparklines (about two minutes). */
const MAX_SAMPLES = 60;

interface Sample {
  /** Epoch seconds. */
  t: number;
  counters: Record<string, { requests: number; errors: number; p99Ms: number }>;
}

interface LiveSeries {
  x: number[];
  rate: Array<number | null>;
  errorRate: Array<number | null>;
  p99: Array<number | null>;
}

const fmtRate = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} req/s`;
const fmtPct = (v: number) => `${(v * 100).toFixed(v < 0.1 ? 2 : 1)} %`;
const fmtMs = (v: number) => `${v < 10 ? v.toFixed(2) : v.toFixed(0)} ms`;

/** Per-variant request rate and error rate between successive samples (the API's counters only grow), and p99 as last reported. */
function seriesOf(samples: Sample[], variant: string): LiveSeries {
  const out: LiveSeries = { x: [], rate: [], errorRate: [], p99: [] };
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!.counters[variant];
    const b = samples[i]!.counters[variant];
    const dt = samples[i]!.t - samples[i - 1]!.t;
    out.x.push(samples[i]!.t);
    if (!a || !b || dt <= 0 || b.requests < a.requests) {
      out.rate.push(null);
      out.errorRate.push(null);
      out.p99.push(b ? b.p99Ms : null);
      continue;
    }
    const dReq = b.requests - a.requests;
    out.rate.push(dReq / dt);
    out.errorRate.push(dReq > 0 ? (b.errors - a.errors) / dReq : 0);
    out.p99.push(b.p99Ms);
  }
  return out;
}

const last = (xs: Array<number | null>): number | null => {
  for (let i = xs.length - 1; i >= 0; i--) if (xs[i] !== null) return xs[i]!;
  return null;
};

const ACTIONS: Record<RolloutAction, { label: string; explain: string }> = {
  promote: { label: 'Promote', explain: 'The canary gets all traffic now and becomes the stable version; the remaining steps and checks are skipped.' },
  abort: { label: 'Abort', explain: 'The roll-out stops and all traffic goes back to the stable version; the canary is unloaded.' },
  rollback: { label: 'Roll back', explain: 'Traffic goes back to the version served before the current one.' },
};

export function DeploymentPage() {
  const { name } = route.useParams();
  const search = route.useSearch();
  const queryClient = useQueryClient();
  const q = useQuery({ queryKey: ['deployment-rollout', name], queryFn: () => deploymentsApi.rollout(name), refetchInterval: REFRESH_MS, staleTime: 0 });
  const events = useQuery({ queryKey: ['deployment-events', name], queryFn: () => deploymentsApi.events(name), refetchInterval: REFRESH_MS * 2, staleTime: 0 });
  const who = useQuery({ queryKey: ['whoami'], queryFn: deploymentsApi.whoami, staleTime: 60_000 });
  const [samples, setSamples] = useState<Sample[]>([]);
  const [pending, setPending] = useState<RolloutAction | null>(null);
  const act = useMutation({
    mutationFn: (action: RolloutAction) => deploymentsApi.act(name, action),
    onSuccess: (view) => {
      queryClient.setQueryData(['deployment-rollout', name], { deployment: view.deployment, variants: view.variants });
      void queryClient.invalidateQueries({ queryKey: ['deployment-events', name] });
      void queryClient.invalidateQueries({ queryKey: ['deployments'] });
      setPending(null);
    },
    onError: () => setPending(null),
  });

  useEffect(() => {
    if (!q.data) return;
    const counters: Sample['counters'] = {};
    for (const v of q.data.variants) counters[v.name] = { requests: v.total.requests, errors: v.total.errors, p99Ms: (v.window ?? v.total).p99Ms };
    setSamples((prev) => [...prev, { t: q.dataUpdatedAt / 1000, counters }].slice(-MAX_SAMPLES));
  }, [q.data, q.dataUpdatedAt]);

  const series = useMemo(() => {
    const names = q.data?.variants.map((v) => v.name) ?? [];
    return Object.fromEntries(names.map((n) => [n, seriesOf(samples, n)]));
  }, [samples, q.data]);

  if (q.isPending) return <Loading what="the deployment" />;
  if (q.isError) return <ErrorBox error={q.error} what={`deployment ${name}`} />;
  const { deployment: d, variants } = q.data;
  const rollout = d.status.rollout;
  const active = rollout && (rollout.state === 'progressing' || rollout.state === 'paused');
  const allowed = mayChange(who.data);
  const available: RolloutAction[] = [...(active ? (['promote', 'abort'] as const) : []), ...(d.status.previous || active ? (['rollback'] as const) : [])];

  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/deployments">Deployments</Link>
      </nav>
      <h1>Deployment {d.name}</h1>
      <dl className="overview">
        <dt>Strategy</dt>
        <dd>{d.spec.strategy}</dd>
        <dt>Phase</dt>
        <dd>
          <span className={`phase phase-${d.status.phase}`}>{d.status.phase.replace('_', ' ')}</span>
        </dd>
        <dt>Status</dt>
        <dd>{d.status.message || '—'}</dd>
        {d.status.previous && (
          <>
            <dt>Previous version</dt>
            <dd className="mono">
              {d.status.previous.model} v{d.status.previous.version}
            </dd>
          </>
        )}
        <dt>Updated</dt>
        <dd>
          {formatTime(d.updatedAt)} by {d.updatedBy}
        </dd>
      </dl>

      <section aria-labelledby="actions">
        <h2 id="actions">Actions</h2>
        {available.length === 0 ? (
          <p className="muted">No roll-out in progress and no previous version to go back to.</p>
        ) : (
          <div className="toolbar">
            {available.map((a) => (
              <button key={a} type="button" className="button" disabled={!allowed || act.isPending} onClick={() => setPending(a)}>
                {ACTIONS[a].label}
              </button>
            ))}
            {!allowed && <span className="muted">Your token’s role ({who.data?.role ?? 'anonymous'}) may only read: promote, abort and roll back need the editor role.</span>}
          </div>
        )}
        {act.isError && (
          <div role="alert" className="error">
            <p>
              <strong>Could not {ACTIONS[act.variables].label.toLowerCase()}.</strong> {(act.error as Error).message}
            </p>
            {act.error instanceof ApiError && act.error.status === 403 && <p>Sign in with a token whose role may change deployments (“Sign in” at the top right).</p>}
          </div>
        )}
        {act.isSuccess && (
          <p role="status" className="ok-text">
            Done: {act.data.events.map((e) => e.message).join('; ') || 'no change was needed'}.
          </p>
        )}
        {pending && (
          <ConfirmDialog
            title={`${ACTIONS[pending].label} deployment ${d.name}?`}
            confirmLabel={`Yes, ${ACTIONS[pending].label.toLowerCase()}`}
            busy={act.isPending}
            onConfirm={() => act.mutate(pending)}
            onCancel={() => setPending(null)}
          >
            <p>{ACTIONS[pending].explain}</p>
          </ConfirmDialog>
        )}
      </section>

      <section aria-labelledby="traffic">
        <h2 id="traffic">Traffic split</h2>
        <TrafficBar variants={variants} />
        <VariantsTable variants={variants} />
      </section>

      {rollout && <RolloutSection rollout={rollout} />}

      <section aria-labelledby="live">
        <h2 id="live">Live traffic</h2>
        <p className="hint">
          Refreshed every {REFRESH_MS / 1000} s; rates are measured between refreshes, p99 latency is the{' '}
          {variants.some((v) => v.window) ? 'current analysis window’s' : 'variant’s since it went live'}.{' '}
          {search.live === 'table' ? (
            <Link to="/deployments/$name" params={{ name }} search={{}} replace>
              Show sparklines
            </Link>
          ) : (
            <Link to="/deployments/$name" params={{ name }} search={{ live: 'table' }} replace>
              Show numbers only
            </Link>
          )}
        </p>
        <LiveTable variants={variants} series={series} sparklines={search.live !== 'table'} />
      </section>

      <section aria-labelledby="events">
        <h2 id="events">Events</h2>
        {events.isPending ? (
          <Loading what="events" />
        ) : events.isError ? (
          <ErrorBox error={events.error} what="events" />
        ) : events.data.events.length === 0 ? (
          <p className="muted">No transitions recorded yet.</p>
        ) : (
          <ol className="timeline">
            {[...events.data.events].reverse().map((e) => (
              <li key={e.id}>
                <time dateTime={new Date(e.at).toISOString()}>{formatTime(e.at)}</time> <span className="event-kind">{e.kind.replace(/_/g, ' ')}</span> {e.message}{' '}
                <span className="muted">({e.actor})</span>
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}

function VariantsTable({ variants }: { variants: VariantView[] }) {
  return (
    <div className="table-wrap">
      <table className="grid-table">
        <caption className="sr-only">Live variants</caption>
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col">Role</th>
            <th scope="col">Model version</th>
            <th scope="col">Traffic</th>
            <th scope="col">Loaded</th>
          </tr>
        </thead>
        <tbody>
          {variants.map((v) => (
            <tr key={v.name}>
              <th scope="row">{v.name}</th>
              <td>{v.role}</td>
              <td className="mono">
                {v.model} v{v.version}
              </td>
              <td className="mono">{v.role === 'shadow' ? 'copies only' : `${v.weight}%`}</td>
              <td>{v.loaded ? 'yes' : 'no'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function limitText(limits: Record<string, number>): string {
  const words: Record<string, string> = { max: 'at most', maxIncrease: 'increase at most', maxMs: 'at most (ms)', maxRatio: 'ratio to stable at most', floorMs: 'floor (ms)' };
  return Object.entries(limits)
    .map(([k, v]) => `${words[k] ?? k} ${formatValue(v)}`)
    .join('; ');
}

function checkValue(metric: string, v: number | undefined): string {
  if (v === undefined) return '—';
  if (metric === 'error_rate') return fmtPct(v);
  if (metric === 'latency_p99') return fmtMs(v);
  return formatValue(v);
}

function RolloutSection({ rollout }: { rollout: RolloutStatus }) {
  const a: AnalysisResult | undefined = rollout.lastAnalysis;
  return (
    <section aria-labelledby="rollout">
      <h2 id="rollout">Roll-out</h2>
      <p>
        <span className={`phase phase-${rollout.state}`}>{rollout.state.replace('_', ' ')}</span>: canary{' '}
        <span className="mono">
          {rollout.canary.model} v{rollout.canary.version}
        </span>{' '}
        against stable{' '}
        <span className="mono">
          {rollout.stable.model} v{rollout.stable.version}
        </span>
        , step {rollout.step + 1} of {rollout.steps.length} ({rollout.weight}% of traffic). Failed analyses {rollout.failures} of {rollout.failureLimit}.
        {rollout.nextAnalysisAt && <> Next analysis at {formatTime(rollout.nextAnalysisAt)}.</>}
        {rollout.reason && <> {rollout.reason}.</>}
      </p>
      <ol className="steps" aria-label="Roll-out steps">
        {rollout.steps.map((s, i) => (
          <li key={i} className={i === rollout.step ? 'current' : i < rollout.step ? 'done' : ''} aria-current={i === rollout.step ? 'step' : undefined}>
            {s}%
          </li>
        ))}
      </ol>
      <h3>Latest canary checks</h3>
      {!a ? (
        <p className="muted">No analysis yet: the first runs when this step’s interval ends.</p>
      ) : (
        <>
          <p>
            <span className={`verdict verdict-${a.verdict}`}>{a.verdict}</span> at {formatTime(a.at)}: {a.reason}. Canary {a.canary.requests} requests ({a.canary.errors}{' '}
            errors), stable {a.stable.requests} requests ({a.stable.errors} errors).
          </p>
          {a.checks.length > 0 && (
            <div className="table-wrap">
              <table className="grid-table">
                <caption className="sr-only">Canary checks of the latest analysis</caption>
                <thead>
                  <tr>
                    <th scope="col">Check</th>
                    <th scope="col">Canary</th>
                    <th scope="col">Stable</th>
                    <th scope="col">Threshold</th>
                    <th scope="col">Result</th>
                  </tr>
                </thead>
                <tbody>
                  {a.checks.map((c, i) => (
                    <tr key={i}>
                      <th scope="row">{c.metric.replace('_', ' ')}</th>
                      <td className="mono">{checkValue(c.metric, c.value)}</td>
                      <td className="mono">{checkValue(c.metric, c.stableValue)}</td>
                      <td>{limitText(c.limits)}</td>
                      <td>
                        <span className={c.passed ? 'ok-text' : 'bad-text'}>{c.passed ? 'passed' : 'failed'}</span> <span className="muted">{c.message}</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}

function LiveTable({ variants, series, sparklines }: { variants: VariantView[]; series: Record<string, LiveSeries>; sparklines: boolean }) {
  const cell = (v: VariantView, values: Array<number | null>, what: string, fmt: (n: number) => string) => {
    const now = last(values);
    const s = series[v.name];
    return (
      <td>
        <span className="mono">{now === null ? '—' : fmt(now)}</span>
        {sparklines && s && <Sparkline x={s.x} y={values} label={`${v.name} ${what}`} format={fmt} />}
      </td>
    );
  };
  return (
    <div className="table-wrap">
      <table className="grid-table live-table">
        <caption className="sr-only">Live request rate, error rate and p99 latency per variant</caption>
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col">Request rate</th>
            <th scope="col">Error rate</th>
            <th scope="col">p99 latency</th>
            <th scope="col">Requests</th>
            <th scope="col">Errors</th>
          </tr>
        </thead>
        <tbody>
          {variants.map((v) => {
            const s = series[v.name] ?? { x: [], rate: [], errorRate: [], p99: [] };
            return (
              <tr key={v.name}>
                <th scope="row">{variantLabel(v)}</th>
                {cell(v, s.rate, 'requests per second', fmtRate)}
                {cell(v, s.errorRate, 'error rate', fmtPct)}
                {cell(v, s.p99.length ? s.p99 : [(v.window ?? v.total).p99Ms], 'p99 latency', fmtMs)}
                <td className="mono" data-testid={`requests-${v.name}`}>
                  {v.total.requests}
                </td>
                <td className="mono">{v.total.errors}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

