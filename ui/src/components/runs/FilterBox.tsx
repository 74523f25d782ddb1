import { useEffect, useState } from 'react';

/** The runs table's filter, in MLflow's search syntax; it applies on submit. */
export function FilterBox({ value, onSubmit }: { value: string; onSubmit(filter: string): void }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  return (
    <form
      role="search"
      className="filter"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(text.trim());
      }}
    >
      <label htmlFor="run-filter">Filter runs</label>
      <input
        id="run-filter"
        type="search"
        value={text}
        placeholder="metrics.loss < 0.5 and params.lr = '0.01'"
        onChange={(e) => setText(e.target.value)}
        aria-describedby="filter-help"
        data-shortcut="search"
        aria-keyshortcuts="/"
      />
      <button type="submit" className="button">
        Search
      </button>
      <span id="filter-help" className="sr-only">
        MLflow search syntax, for example metrics.loss &lt; 0.5 and params.optimizer = 'adam'
      </span>
    </form>
  );
}
