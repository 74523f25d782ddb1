import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useId, useRef, useState } from 'react';
import { ApiError, getToken } from '../../api';
import { ErrorBox } from '../../components/Status';
import { formatTime, formatValue } from '../../format';
import { decisionAbility, type DecisionAbility } from './approval';
import { modelsApi, type CheckResult, type PromotionRequest } from './models-api';

const num = (v: number | null | undefined) => (v === null || v === undefined ? '—' : formatValue(v));

/** The numbers a check compared, in one line: observed against what the rule asked. */
function checkNumbers(c: CheckResult): string {
  switch (c.check) {
    case 'metric':
      return `${c.metric} = ${num(c.observed)} (needs ${c.op} ${num(c.threshold)})`;
    case 'baseline': {
      const rule = c.minImprovement !== undefined ? `needs improvement ≥ ${num(c.minImprovement)}` : `allows regression ≤ ${num(c.maxRegression)}`;
      return `${c.metric}: ${num(c.observed)} vs v${c.holderVersion ?? '—'} ${num(c.holderValue)}, improvement ${num(c.improvement)} (${c.direction} is better; ${rule})`;
    }
    case 'signature':
      return c.differences && c.differences.length > 0
        ? `${c.differences.join('; ')}${c.breakingChangeDeclared ? ' (breaking change declared)' : ''}`
        : `inputs same as v${c.holderVersion ?? '—'}`;
    case 'alias_holder':
      return `expected v${c.expectedVersion ?? '—'}, found v${c.observedVersion ?? '—'}`;
    default:
      return '';
  }
}

function ChecksTable({ request }: { request: PromotionRequest }) {
  if (request.checks.length === 0) return <p className="muted">No checks: the alias has no policy.</p>;
  return (
    <table className="grid-table checks">
      <caption className="sr-only">Checks of promotion request #{request.id}</caption>
      <thead>
        <tr>
          <th scope="col">Check</th>
          <th scope="col">Result</th>
          <th scope="col">Numbers</th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
        {request.checks.map((c, i) => (
          <tr key={i}>
            <th scope="row">{c.check === 'metric' || c.check === 'baseline' ? `${c.check}: ${c.metric}` : c.check.replace('_', ' ')}</th>
            <td>
              <span className={c.passed ? 'status status-finished' : 'status status-failed'}>{c.passed ? 'passed' : 'failed'}</span>
            </td>
            <td className="mono">{checkNumbers(c)}</td>
            <td>{c.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Approve or reject behind a confirmation dialog that takes an optional comment. */
function DecideButtons({ request, ability }: { request: PromotionRequest; ability: DecisionAbility }) {
  const queryClient = useQueryClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const [verdict, setVerdict] = useState<'approve' | 'reject'>('approve');
  const [comment, setComment] = useState('');
  const ids = useId();
  const decide = useMutation({
    mutationFn: () => modelsApi.decide(request.id, verdict, comment),
    onSuccess: () => {
      dialog.current?.close();
      setComment('');
      void queryClient.invalidateQueries({ queryKey: ['models'] });
    },
  });
  const open = (v: 'approve' | 'reject') => {
    setVerdict(v);
    decide.reset();
    dialog.current?.showModal();
  };
  const why = `${ids}-why`;
  return (
    <div className="decide">
      <button type="button" className="button primary" disabled={!ability.allowed} aria-describedby={why} title={ability.reason} onClick={() => open('approve')}>
        Approve #{request.id}
      </button>
      <button type="button" className="button" disabled={!ability.allowed} aria-describedby={why} title={ability.reason} onClick={() => open('reject')}>
        Reject #{request.id}
      </button>
      <span id={why} className="hint">
        {ability.reason}
      </span>
      <dialog ref={dialog} className="confirm" aria-labelledby={`${ids}-title`}>
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            decide.mutate();
          }}
        >
          <h2 id={`${ids}-title`}>
            {verdict === 'approve' ? 'Approve' : 'Reject'} promotion #{request.id}?
          </h2>
          <p>
            {verdict === 'approve'
              ? `Approving re-runs the checks and, if they pass, moves alias @${request.alias} of ${request.model} to version ${request.version}.`
              : `Rejecting closes the request; alias @${request.alias} stays where it is.`}
          </p>
          <label htmlFor={`${ids}-comment`}>Comment (optional)</label>
          <textarea id={`${ids}-comment`} rows={3} value={comment} onChange={(e) => setComment(e.target.value)} />
          {decide.isError && <ErrorBox error={decide.error} what={`to ${verdict} request #${request.id}`} />}
          <div className="dialog-actions">
            <button type="button" className="button" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="submit" className="button primary" disabled={decide.isPending}>
              {decide.isPending ? 'Sending…' : `Confirm ${verdict}`}
            </button>
          </div>
        </form>
      </dialog>
    </div>
  );
}

/** Who the caller is, for hiding what their role may not do; undefined when the server cannot say. */
export function useWhoAmI() {
  const token = getToken();
  const q = useQuery({
    queryKey: ['models', 'whoami', token],
    queryFn: modelsApi.whoami,
    retry: false,
    staleTime: 60_000,
  });
  // A server without the whoami route (404) leaves the judgement to approve/reject themselves.
  const unknown = q.isError && q.error instanceof ApiError && q.error.status === 404;
  return { who: q.data, pending: q.isPending, error: q.isError && !unknown ? q.error : undefined };
}

/** A model's (or one version's) promotion requests, newest first, with their checks and, while pending, approve/reject. */
export function Promotions({ name, version }: { name: string; version?: string }) {
  const requests = useQuery({ queryKey: ['models', 'promotions', name, version ?? ''], queryFn: () => modelsApi.promotions(name, version) });
  const policies = useQuery({ queryKey: ['models', 'policies', name], queryFn: () => modelsApi.policies(name) });
  const { who, pending: whoPending, error: whoError } = useWhoAmI();
  const abilityFor = (alias: string): DecisionAbility =>
    whoPending || policies.isPending
      ? { allowed: false, reason: 'Checking what your role may do…' }
      : decisionAbility(who, policies.data?.policies.find((p) => p.alias === alias));
  if (requests.isPending) return <p className="muted">Loading promotion requests…</p>;
  if (requests.isError) return <ErrorBox error={requests.error} what="promotion requests" />;
  const list = requests.data.requests;
  if (list.length === 0)
    return (
      <p className="muted">
        No promotion requests{version ? ` for version ${version}` : ''}. Ask for one with{' '}
        <code>
          POST /api/ferry/v1/models/{name}/versions/{version ?? '{version}'}/promotions {'{"alias": "production"}'}
        </code>
        .
      </p>
    );
  return (
    <>
      {whoError && <ErrorBox error={whoError} what="who you are" />}
      <ol className="promotions">
        {list.map((r) => (
          <li key={r.id} className="promotion" data-request={r.id}>
            <h3>
              Request #{r.id}:{' '}
              <Link to="/models/$name/versions/$version" params={{ name: r.model, version: String(r.version) }} search={{}}>
                version {r.version}
              </Link>{' '}
              → @{r.alias} <span className={`pstatus pstatus-${r.status}`}>{r.status}</span>
            </h3>
            <p className="muted">
              Requested by {r.requestedBy}, {formatTime(r.requestedAt)}
              {r.decidedBy && `; decided by ${r.decidedBy}, ${formatTime(r.decidedAt ?? undefined)}`}
              {r.comment && ` — “${r.comment}”`}
            </p>
            <div className="table-wrap">
              <ChecksTable request={r} />
            </div>
            {r.status === 'pending' && <DecideButtons request={r} ability={abilityFor(r.alias)} />}
          </li>
        ))}
      </ol>
    </>
  );
}
