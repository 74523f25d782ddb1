/**
 * The deployments area's routes (children of rootRoute from ../../root-route), each
 * page loaded lazily with lazyRouteComponent so it is split out of the
 * initial bundle. Listed in router.tsx.
 */
export const deploymentsRoutes = [] as const;
