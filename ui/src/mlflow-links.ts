/**
 * MLflow's clients print links into MLflow's hash-routed UI
 * (`🏃 View run … at: http://host/#/experiments/1/runs/ID`). Ferry routes by
 * path, so those links are turned into Ferry's before the router starts.
 */
export function mlflowHashToPath(hash: string): string | undefined {
  if (!hash.startsWith('#/')) return undefined;
  const [pathPart = '', query = ''] = hash.slice(1).split('?', 2);
  const parts = pathPart.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
  const enc = encodeURIComponent;
  if (parts[0] === 'experiments' && parts[1]) {
    if (parts[2] === 'runs' && parts[3]) return `/runs/${enc(parts[3])}`;
    return `/experiments/${enc(parts[1])}`;
  }
  if (parts[0] === 'models') {
    if (parts[1] && parts[2] === 'versions' && parts[3]) return `/models/${enc(parts[1])}/versions/${enc(parts[3])}`;
    if (parts[1]) return `/models/${enc(parts[1])}`;
    return '/models';
  }
  if (parts[0] === 'compare-runs') {
    // MLflow: ?runs=["a","b"]&experiments=["1"]
    const params = new URLSearchParams(query);
    const list = (name: string): string[] => {
      try {
        const v = JSON.parse(params.get(name) ?? '[]') as unknown;
        return Array.isArray(v) ? v.map(String) : [];
      } catch {
        return [];
      }
    };
    const runs = list('runs');
    const experiments = list('experiments');
    const search = new URLSearchParams();
    if (runs.length) search.set('runs', runs.join(','));
    if (experiments.length) search.set('experiments', experiments.join(','));
    return `/compare${search.size ? `?${search}` : ''}`;
  }
  return '/';
}

/**
 * Replaces an MLflow hash link in the address bar with Ferry's path for it.
 * After the router has started this also moves the app: its history wraps
 * `history.replaceState` and re-reads the address on every call.
 */
export function redirectMlflowHashLink(): void {
  const path = mlflowHashToPath(window.location.hash);
  if (path !== undefined) window.history.replaceState(null, '', path);
}

/**
 * Follows MLflow links pasted into a tab already showing Ferry: from `/`,
 * `/#/experiments/1/runs/ID` is only a hash change, with no page load to
 * redirect at.
 */
export function followMlflowHashLinks(): void {
  window.addEventListener('hashchange', redirectMlflowHashLink);
}
