import { createRootRoute } from '@tanstack/react-router';
import { Layout } from './components/Layout';
import { NotFoundPage } from './pages/NotFoundPage';

/** The app's root route; every area's routes hang under it. */
export const rootRoute = createRootRoute({ component: Layout, notFoundComponent: NotFoundPage });
