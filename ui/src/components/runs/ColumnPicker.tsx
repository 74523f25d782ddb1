import { useQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import { fetchRunKeys } from '../../api';
import { ErrorBox } from '../Status';

const PICKER_ROW = 28;

/**
 * Picks which metric and param columns show, and so which the table fetches;
 * the choice lives in the URL. Lists every key of the experiment from the keys
 * endpoint once opened, filtered as you type in memory and drawn as a virtual
 * list, so 12,000 keys cost a screenful of checkboxes.
 */
export function ColumnPicker({ experimentId, chosen, onChange }: { experimentId: string; chosen: string[]; onChange(cols: string[]): void }) {
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const keys = useQuery({
    queryKey: ['run-keys', experimentId],
    queryFn: async () => {
      const [m, p] = await Promise.all([fetchRunKeys(experimentId, 'metrics'), fetchRunKeys(experimentId, 'params')]);
      return [...m.keys.map((k) => `metrics.${k}`), ...p.keys.map((k) => `params.${k}`)];
    },
    enabled: open,
    staleTime: 30_000,
  });
  const all = useMemo(() => [...new Set([...(keys.data ?? []), ...chosen])], [keys.data, chosen]);
  const lower = useMemo(() => all.map((k) => k.toLowerCase()), [all]);
  const shown = useMemo(() => {
    const q = query.toLowerCase();
    return q ? all.filter((_, i) => lower[i]!.includes(q)) : all;
  }, [all, lower, query]);
  const set = new Set(chosen);
  const list = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: shown.length, getScrollElement: () => list.current, estimateSize: () => PICKER_ROW, overscan: 6 });
  return (
    <details className="picker" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary className="button">
        Columns ({chosen.length}/{all.length})
      </summary>
      <div className="picker-panel">
        <label htmlFor="col-search">Find a column</label>
        <input id="col-search" type="search" value={query} onChange={(e) => setQuery(e.target.value)} aria-describedby="col-count" />
        <p id="col-count" className="muted" role="status">
          {keys.isFetching ? 'Loading keys…' : `${shown.length} of ${all.length} columns`}
        </p>
        {keys.isError && <ErrorBox error={keys.error} what="the column keys" />}
        <div className="picker-actions">
          <button type="button" className="button small" onClick={() => onChange([...new Set([...chosen, ...shown])])}>
            Show all{query ? ' matching' : ''}
          </button>
          <button type="button" className="button small" onClick={() => {
            const hide = new Set(shown);
            onChange(chosen.filter((k) => !hide.has(k)));
          }}>
            Hide all{query ? ' matching' : ''}
          </button>
        </div>
        <div ref={list} className="picker-list" role="group" aria-label="Columns">
          <div style={{ height: v.getTotalSize(), position: 'relative' }}>
            {v.getVirtualItems().map((item) => {
              const k = shown[item.index]!;
              return (
                <label key={k} className="check" style={{ top: item.start }}>
                  <input type="checkbox" checked={set.has(k)} onChange={() => onChange(set.has(k) ? chosen.filter((c) => c !== k) : [...chosen, k])} />
                  {k}
                </label>
              );
            })}
          </div>
        </div>
      </div>
    </details>
  );
}
