import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { rootRoute } from '../../root-route';

/**
 * The models area's routes (children of rootRoute from ../../root-route), each
 * page loaded lazily with lazyRouteComponent so it is split out of the
 * initial bundle. Listed in router.tsx.
 */
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

/** The models list: `q` filters names (case-insensitive substring). */
export interface ModelsSearch {
  q?: string;
}
/** One model: `card` picks the version whose model card is shown (default the newest). */
export interface ModelSearch {
  card?: string;
}
/** One version: the lineage as a drawing (default) or as a table. */
export interface VersionSearch {
  lineage?: 'graph' | 'table';
}

const modelsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/models',
  validateSearch: (s: Record<string, unknown>): ModelsSearch => ({ q: str(s.q) }),
  component: lazyRouteComponent(() => import('./ModelsPage'), 'ModelsPage'),
});

const modelRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/models/$name',
  validateSearch: (s: Record<string, unknown>): ModelSearch => ({ card: str(s.card) }),
  component: lazyRouteComponent(() => import('./ModelPage'), 'ModelPage'),
});

const versionRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/models/$name/versions/$version',
  validateSearch: (s: Record<string, unknown>): VersionSearch => ({ lineage: s.lineage === 'table' ? 'table' : undefined }),
  component: lazyRouteComponent(() => import('./VersionPage'), 'VersionPage'),
});

export const modelsRoutes = [modelsRoute, modelRoute, versionRoute] as const;
