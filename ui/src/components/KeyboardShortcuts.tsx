import { useEffect, useRef } from 'react';
import '../pages/tracking.css';

/** Every shortcut, for the `?` dialog; pages handle their own keys (the runs table does j/k/x/c). */
export const SHORTCUTS: Array<[string, string]> = [
  ['/', 'Focus the search or filter box'],
  ['j', 'Next run in the runs table'],
  ['k', 'Previous run in the runs table'],
  ['x', 'Select or unselect the current run'],
  ['c', 'Compare the selected runs'],
  ['?', 'Show these shortcuts'],
  ['Esc', 'Close this dialog'],
];

/** True when a key press belongs to a text field or carries a modifier: shortcuts leave those alone. */
export function isTyping(e: KeyboardEvent): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey) return true;
  const t = e.target as HTMLElement | null;
  if (!t) return false;
  return t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName);
}

/** The global keys (`/` and `?`) and the dialog that lists every shortcut. */
export function KeyboardShortcuts() {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e)) return;
      if (e.key === '/') {
        const box = document.querySelector<HTMLInputElement>('[data-shortcut="search"]');
        if (box) {
          e.preventDefault();
          box.focus();
          box.select();
        }
      } else if (e.key === '?') {
        e.preventDefault();
        if (!dialog.current?.open) dialog.current?.showModal();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  return (
    <dialog ref={dialog} className="shortcuts" aria-labelledby="shortcuts-title">
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <dl>
        {SHORTCUTS.map(([key, what]) => (
          <div key={key} style={{ display: 'contents' }}>
            <dt>
              <kbd>{key}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
      <form method="dialog">
        <button type="submit" className="button">
          Close
        </button>
      </form>
    </dialog>
  );
}
