import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { rootRoute } from '../../root-route';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

/** What a dataset version page shows, all in the URL so a link or a reload shows the same view. */
export interface DatasetVersionSearch {
  /** The open tool: profile (default), drift or validate. */
  tab?: 'profile' | 'drift' | 'validate';
  /** drift: the other version, the reference. */
  against?: string;
  /** drift and profile: the column whose histograms are drawn; absent means every column. */
  column?: string;
  /** validate: the suite text last run. */
  suite?: string;
}

const TABS = ['profile', 'drift', 'validate'] as const;

const listRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/data',
  component: lazyRouteComponent(() => import('./DatasetsPage'), 'DatasetsPage'),
});

const datasetRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/data/$name',
  component: lazyRouteComponent(() => import('./DatasetPage'), 'DatasetPage'),
});

const versionRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/data/$name/versions/$version',
  validateSearch: (s: Record<string, unknown>): DatasetVersionSearch => {
    const tab = str(s.tab);
    return {
      tab: (TABS as readonly string[]).includes(tab ?? '') ? (tab as DatasetVersionSearch['tab']) : undefined,
      against: str(s.against),
      column: str(s.column),
      suite: str(s.suite),
    };
  },
  component: lazyRouteComponent(() => import('./DatasetVersionPage'), 'DatasetVersionPage'),
});

/**
 * The data area's routes (children of rootRoute), each page loaded lazily so
 * it is split out of the initial bundle. Listed in router.tsx.
 */
export const dataRoutes = [listRoute, datasetRoute, versionRoute] as const;
