import { useState } from 'react';
import type { RunsSearch } from '../../router';

interface SavedView {
  name: string;
  search: RunsSearch;
}

function loadViews(experimentId: string): SavedView[] {
  try {
    const v = JSON.parse(localStorage.getItem(`ferry-views:${experimentId}`) ?? '[]');
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

/** Named runs-table states (filter, sort, columns, grouping), kept in this browser's localStorage per experiment. */
export function SavedViews({ experimentId, current, onApply }: { experimentId: string; current: RunsSearch; onApply(search: RunsSearch): void }) {
  const [views, setViews] = useState(() => loadViews(experimentId));
  const [name, setName] = useState('');
  const store = (next: SavedView[]) => {
    setViews(next);
    localStorage.setItem(`ferry-views:${experimentId}`, JSON.stringify(next));
  };
  return (
    <details className="views">
      <summary className="button">Saved views ({views.length})</summary>
      <div className="views-panel">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const n = name.trim();
            if (!n) return;
            // The selection is a moment's choice, not part of a view.
            const search: RunsSearch = { filter: current.filter, order: current.order, cols: current.cols, nest: current.nest };
            store([...views.filter((v) => v.name !== n), { name: n, search }]);
            setName('');
          }}
        >
          <label htmlFor="view-name">Save this view as</label>
          <input id="view-name" value={name} onChange={(e) => setName(e.target.value)} />
          <button type="submit" className="button small">
            Save view
          </button>
        </form>
        {views.length === 0 ? (
          <p className="muted">No saved views yet: set a filter, sort or columns, then save.</p>
        ) : (
          <ul aria-label="Saved views">
            {views.map((v) => (
              <li key={v.name}>
                <button type="button" className="button small" onClick={() => onApply(v.search)}>
                  Apply {v.name}
                </button>
                <button type="button" className="button small" aria-label={`Delete view ${v.name}`} onClick={() => store(views.filter((x) => x.name !== v.name))}>
                  Delete
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </details>
  );
}
