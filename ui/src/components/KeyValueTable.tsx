import type { KeyValue } from '../api';

export function KeyValueTable({ caption, rows, empty }: { caption: string; rows: KeyValue[]; empty: string }) {
  if (rows.length === 0) return <p className="muted">{empty}</p>;
  return (
    <div className="table-wrap">
      <table className="grid-table">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <th scope="row">{r.key}</th>
              <td className="mono">{r.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
