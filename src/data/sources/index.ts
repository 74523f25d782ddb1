/** Where the data API's tables come from: uploads and registered schemes. */
export { DataSourceResolver, type ResolvedTable, type SourceScheme } from './data-source-resolver.js';
export { UploadStore, type Upload } from './upload-store.js';
export { registerUploadRoutes, UPLOADS_PATH } from './upload-routes.js';
