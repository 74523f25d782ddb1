import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { rootRoute } from '../../root-route';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** What the deployment page shows, kept in the URL. */
export interface DeploymentSearch {
  /** `table` shows the live numbers as a table instead of sparklines. */
  live?: 'table';
}

const listRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/deployments',
  component: lazyRouteComponent(() => import('./DeploymentsPage'), 'DeploymentsPage'),
});

const itemRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/deployments/$name',
  validateSearch: (s: Record<string, unknown>): DeploymentSearch => (str(s.live) === 'table' ? { live: 'table' } : {}),
  component: lazyRouteComponent(() => import('./DeploymentPage'), 'DeploymentPage'),
});

/**
 * The deployments area's routes (children of rootRoute), each page loaded
 * lazily so it is split out of the initial bundle. Listed in router.tsx.
 */
export const deploymentsRoutes = [listRoute, itemRoute] as const;
