import type { FastifyInstance } from 'fastify';
import type { FerryServices } from '../server/services.js';
import { registerDatasetRoutes } from './datasets/dataset-routes.js';
import { registerDriftRoutes } from './drift/drift-routes.js';
import { registerProfileRoutes } from './profile/profile-routes.js';
import { registerUploadRoutes } from './sources/upload-routes.js';
import { registerValidationRoutes } from './validation/validation-routes.js';

/** Every data endpoint: uploads, the dataset registry, profiling, validation and drift. */
export function registerDataRoutes(app: FastifyInstance, services: FerryServices): void {
  registerUploadRoutes(app, services.data.uploads);
  registerDatasetRoutes(app, services);
  registerProfileRoutes(app, services);
  registerValidationRoutes(app, services);
  registerDriftRoutes(app, services);
}
