import { useQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import { fetchRunKeys } from '../../api';
import { ErrorBox } from '../Status';
import { ATTRIBUTE_COLUMNS, metricColumnId } from './run-columns';

const PICKER_ROW = 28;

type Summary = 'min' | 'max' | 'step';

/** Adds a column of one metric's min, max or value at a step over each run's history. */
function AggregateForm({ metricKeys, onAdd }: { metricKeys: readonly string[]; onAdd(id: string): void }) {
  const [key, setKey] = useState('');
  const [agg, setAgg] = useState<Summary>('min');
  const [step, setStep] = useState('0');
  const [problem, setProblem] = useState('');
  return (
    <form
      className="aggregate-form"
      aria-label="Add a metric summary column"
      onSubmit={(e) => {
        e.preventDefault();
        const k = key.trim();
        if (!k || (metricKeys.length > 0 && !metricKeys.includes(k))) return setProblem(k ? `No metric named ${k} in this experiment.` : 'Type a metric key.');
        if (agg === 'step' && !/^-?\d+$/.test(step.trim())) return setProblem('The step must be a whole number.');
        setProblem('');
        onAdd(metricColumnId(k, agg === 'step' ? { key: k, agg, step: Number(step.trim()) } : { key: k, agg }));
      }}
    >
      <label htmlFor="agg-key">Metric</label>
      <input id="agg-key" value={key} onChange={(e) => setKey(e.target.value)} aria-describedby="agg-problem" />
      <label htmlFor="agg-kind">Summary</label>
      <select id="agg-kind" value={agg} onChange={(e) => setAgg(e.target.value as Summary)}>
        <option value="min">Minimum</option>
        <option value="max">Maximum</option>
        <option value="step">Value at step</option>
      </select>
      {agg === 'step' && (
        <>
          <label htmlFor="agg-step">Step</label>
          <input id="agg-step" inputMode="numeric" value={step} onChange={(e) => setStep(e.target.value)} />
        </>
      )}
      <button type="submit" className="button small">
        Add summary column
      </button>
      <p id="agg-problem" className="muted" role="status">
        {problem}
      </p>
    </form>
  );
}

/**
 * Picks which attribute, metric, param and tag columns show, and so which the
 * table fetches; the choice lives in the URL. Lists every key of the
 * experiment from the keys endpoint once opened, filtered as you type in
 * memory and drawn as a virtual list, so 12,000 keys cost a screenful of
 * checkboxes. A metric can also be shown as its min, max or value at a step.
 */
export function ColumnPicker({ experimentId, chosen, onChange }: { experimentId: string; chosen: string[]; onChange(cols: string[]): void }) {
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const keys = useQuery({
    queryKey: ['run-keys', experimentId],
    queryFn: async () => {
      const [m, p, t] = await Promise.all([fetchRunKeys(experimentId, 'metrics'), fetchRunKeys(experimentId, 'params'), fetchRunKeys(experimentId, 'tags')]);
      return {
        metrics: m.keys,
        ids: [...m.keys.map((k) => metricColumnId(k)), ...p.keys.map((k) => `params.${k}`), ...t.keys.map((k) => `tags.${k}`), ...ATTRIBUTE_COLUMNS],
      };
    },
    enabled: open,
    staleTime: 30_000,
  });
  const all = useMemo(() => [...new Set([...(keys.data?.ids ?? []), ...chosen])], [keys.data, chosen]);
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
        {/* Until the picker is opened the experiment's keys are unknown: a total then would just repeat the chosen count. */}
        Columns ({keys.data ? `${chosen.length}/${all.length}` : chosen.length})
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
        <AggregateForm metricKeys={keys.data?.metrics ?? []} onAdd={(id) => onChange(chosen.includes(id) ? chosen : [...chosen, id])} />
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
