import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, Outlet } from '@tanstack/react-router';
import { useState } from 'react';
import { getToken, setToken } from '../api';
import { applyTheme, currentTheme, type Theme } from '../theme';
import { KeyboardShortcuts } from './KeyboardShortcuts';

function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(currentTheme);
  const next: Theme = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      className="button"
      aria-label={`Switch to ${next} theme`}
      onClick={() => {
        applyTheme(next);
        setTheme(next);
      }}
    >
      {theme === 'dark' ? 'Light theme' : 'Dark theme'}
    </button>
  );
}

/** A token for servers with auth on; kept for this tab only (sessionStorage). */
function SignIn() {
  const queryClient = useQueryClient();
  const [signedIn, setSignedIn] = useState(() => getToken() !== null);
  const [value, setValue] = useState('');
  // With auth off there is nothing to sign in to; a token already held can still be dropped.
  const auth = useQuery({
    queryKey: ['auth-enabled'],
    queryFn: async () => ((await (await fetch('/api/ferry/v1/auth/whoami')).json()) as { auth?: boolean }).auth !== false,
    staleTime: Infinity,
  });
  if (!signedIn && auth.data === false) return null;
  if (signedIn) {
    return (
      <button
        type="button"
        className="button"
        onClick={() => {
          setToken(null);
          setSignedIn(false);
          void queryClient.invalidateQueries();
        }}
      >
        Sign out
      </button>
    );
  }
  return (
    <details className="signin">
      <summary>Sign in</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!value.trim()) return;
          setToken(value.trim());
          setValue('');
          setSignedIn(true);
          void queryClient.invalidateQueries();
        }}
      >
        <label htmlFor="token">API token</label>
        <input id="token" type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} />
        <button type="submit" className="button">
          Use token
        </button>
      </form>
    </details>
  );
}

export function Layout() {
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          Ferry
        </Link>
        <nav aria-label="Main">
          <Link to="/" activeOptions={{ exact: true }}>
            Experiments
          </Link>
          <Link to="/models" search={{}}>
            Models
          </Link>
          <Link to="/deployments">Deployments</Link>
          <Link to="/data">Data</Link>
        </nav>
        <div className="topbar-actions">
          <SignIn />
          <ThemeToggle />
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
      <KeyboardShortcuts />
    </>
  );
}
