export type Theme = 'light' | 'dark';
const KEY = 'ferry-theme';

/** The theme in force: the stored choice, else the system's preference. */
export function currentTheme(): Theme {
  const set = document.documentElement.dataset.theme;
  if (set === 'light' || set === 'dark') return set;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** Stores the choice and reflects it as data-theme on <html>, which the CSS variables key on. */
export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  window.dispatchEvent(new Event('ferry-theme-change'));
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    // Private windows may refuse storage; the choice then lasts for this page only.
  }
}

const EVENT = 'ferry-theme-change';

/** Calls back whenever the theme changes, by the toggle or by the system; returns the unsubscribe. */
export function onThemeChange(callback: () => void): () => void {
  const media = window.matchMedia?.('(prefers-color-scheme: dark)');
  window.addEventListener(EVENT, callback);
  media?.addEventListener('change', callback);
  return () => {
    window.removeEventListener(EVENT, callback);
    media?.removeEventListener('change', callback);
  };
}
