import { useQuery } from '@tanstack/react-query';
import { ErrorBox } from '../../components/Status';
import { formatTime } from '../../format';
import { modelsApi, type AuditEntry } from './models-api';

const clip = (s: string, n = 160) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const show = (v: unknown): string => (v === undefined || v === null ? '—' : typeof v === 'string' ? v : clip(JSON.stringify(v)));

/** A created or deleted state in one line: its set fields, nested ones as a count rather than their JSON. */
function summary(state: unknown): string {
  if (!state || typeof state !== 'object' || Array.isArray(state)) return show(state);
  const parts = Object.entries(state as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== '' && !(Array.isArray(v) && v.length === 0) && !(typeof v === 'object' && v && Object.keys(v).length === 0))
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? `${v.length} item${v.length === 1 ? '' : 's'}` : typeof v === 'object' ? '{…}' : clip(String(v), 80)}`);
  return parts.join('; ') || '—';
}

/** What an audit row changed, one `key: before → after` per changed field; the set fields for creations and deletions. */
export function auditChange(e: AuditEntry): string {
  const before = e.before as Record<string, unknown> | null;
  const after = e.after as Record<string, unknown> | null;
  if (before && after && typeof before === 'object' && typeof after === 'object') {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    return keys.map((k) => `${k}: ${show(before[k])} → ${show(after[k])}`).join('; ') || 'no field changed';
  }
  return after ? summary(after) : `deleted (${summary(before)})`;
}

/** The registry's append-only history of a model (or one version), oldest first as the server keeps it. */
export function AuditHistory({ name, version }: { name: string; version?: string }) {
  const q = useQuery({ queryKey: ['models', 'audit', name, version ?? ''], queryFn: () => modelsApi.audit(name, version) });
  if (q.isPending) return <p className="muted">Loading audit history…</p>;
  if (q.isError) return <ErrorBox error={q.error} what="the audit history" />;
  if (q.data.entries.length === 0) return <p className="muted">No recorded changes.</p>;
  return (
    <div className="table-wrap">
      <table className="grid-table audit">
        <caption className="sr-only">Audit history of {version ? `${name} version ${version}` : name}</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Entity</th>
            <th scope="col">Change</th>
          </tr>
        </thead>
        <tbody>
          {q.data.entries.map((e) => (
            <tr key={e.id}>
              <td>{formatTime(e.at)}</td>
              <td>{e.actor}</td>
              <td className="mono">{e.action}</td>
              <td>
                {e.entityType.replace(/_/g, ' ')}
                {e.entityVersion !== null ? ` v${e.entityVersion}` : ''}
              </td>
              <td className="mono audit-change">{auditChange(e)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {q.data.nextPageToken && <p className="hint">Showing the first {q.data.entries.length} changes.</p>}
    </div>
  );
}
